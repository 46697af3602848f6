//! `arshif copy --from A --to B`: the whole archive moved between engines, the source read in
//! one snapshot, the target under its writer lock, with a line of progress on a terminal.

use std::io::Write;

use super::Exit;
use crate::cli::CopyArgs;
use crate::store::lock::WriterLock;
use crate::store::{self, Location};

pub fn run(args: CopyArgs) -> anyhow::Result<Exit> {
    // The source is read in one snapshot, as any reader, without its writer lock; the target is
    // written by this copy only.
    store::blocking(|| store::Store::probe(&args.from))?;
    let _target_lock = lock(&args.to, args.wait)?;
    let bar = super::progress_bar("copy", None);
    if let Some(bar) = &bar {
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {prefix}: {msg}, {pos} rows")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
    }
    let mut progress = |table: &str, rows: u64| {
        if let Some(bar) = &bar {
            bar.set_position(rows);
            bar.set_message(table.to_string());
        }
    };
    let copied = store::blocking(|| store::copy(&args.from, &args.to, args.resume, &mut progress))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut out = std::io::stdout().lock();
    let rows: Vec<String> = copied
        .rows
        .iter()
        .map(|(table, n)| format!("{n} {table}"))
        .collect();
    writeln!(
        out,
        "copied {} to {}: {}",
        args.from,
        args.to,
        rows.join(", ")
    )?;
    Ok(Exit::Success)
}

fn lock(at: &Location, wait: bool) -> anyhow::Result<WriterLock> {
    Ok(store::blocking(|| WriterLock::acquire(at, wait))?)
}
