//! `arshif history URL`: every version and every fetch of one article, so that "seen unchanged
//! on …", "gone on …" and takedowns are visible.

use std::io::Write;

use super::{Exit, find_article};
use crate::Error;
use crate::cli::{HistoryArgs, ReportFormat};
use crate::store::Store;

pub fn run(args: HistoryArgs) -> anyhow::Result<Exit> {
    let store = Store::open_reader(&args.archive.db)?;
    let (id, key) = find_article(&store, &args.url)?;
    let history = store
        .history(id)?
        .ok_or_else(|| Error::NotInArchive(format!("{key} is not in the archive")))?;
    // Buffered: a long listing is written in large blocks, not one system call a line.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        ReportFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&history)?)?,
        ReportFormat::Text => {
            writeln!(out, "{}", history.url)?;
            writeln!(
                out,
                "first seen {}, last seen {}",
                history.first_seen_at, history.last_seen_at
            )?;
            if !history.redactions.is_empty() {
                writeln!(out, "\ntakedowns")?;
                for r in &history.redactions {
                    writeln!(out, "  {}  {:<9} {}", r.at, r.action, r.reason)?;
                }
            }
            writeln!(out, "\nversions")?;
            if history.versions.is_empty() {
                writeln!(out, "  (none stored)")?;
            }
            for v in &history.versions {
                let title = v.title.as_deref().unwrap_or("(no title)");
                writeln!(out, "  v{:<3} {}  {}", v.version, v.fetched_at, title)?;
            }
            writeln!(out, "\nfetches")?;
            for f in &history.fetches {
                let status = f.status.map_or("-".to_string(), |s| s.to_string());
                let detail = f.error.as_deref().or(f.note.as_deref()).unwrap_or("");
                let line = format!(
                    "  {}  {:>3}  {:<13} {}",
                    f.requested_at, status, f.outcome, detail
                );
                writeln!(out, "{}", line.trim_end())?;
            }
        }
    }
    out.flush()?;
    Ok(Exit::Success)
}
