//! `arshif redact URL` and `arshif unredact URL`: takedowns, logged, under the writer lock; and
//! `arshif reindex`, which rebuilds what is derived from the versions.

use std::io::Write;

use super::{Exit, find_article, open_existing_writer};
use crate::Error;
use crate::cli::{RedactArgs, ReindexArgs};
use crate::time::now_stored;

pub fn redact(args: RedactArgs) -> anyhow::Result<Exit> {
    let reason = reason(&args)?;
    let (_lock, mut store) = open_existing_writer(&args.archive.db, args.archive.wait)?;
    let (id, _) = find_article(&store, &args.url)?;
    let at = now_stored();
    let r = store.redact(id, &reason, &at)?;
    log_run(&store, "redact", &args.url, &at, &reason, &r)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "redacted {}: {} version(s) and {} capture(s) removed; it will not be archived again unless `arshif unredact` is run",
        r.url, r.versions_removed, r.captures_removed
    )?;
    if store.engine() == "postgresql" {
        writeln!(
            out,
            "the rows are deleted and the tables vacuumed; copies in the server's WAL archives, \
             replicas and backups are the operator's to purge (see docs/postgres.md)"
        )?;
    }
    if let Err(e) = store.purge_free_space() {
        // The takedown is committed; say plainly what is not finished yet.
        eprintln!(
            "arshif: warning: {e}; run `arshif reindex --db {}` when it has stopped, to erase them",
            args.archive.db
        );
        return Ok(Exit::ErasurePending);
    }
    Ok(Exit::Success)
}

pub fn unredact(args: RedactArgs) -> anyhow::Result<Exit> {
    let reason = reason(&args)?;
    let (_lock, mut store) = open_existing_writer(&args.archive.db, args.archive.wait)?;
    let (id, _) = find_article(&store, &args.url)?;
    let at = now_stored();
    let r = store.unredact(id, &reason, &at)?;
    log_run(&store, "unredact", &args.url, &at, &reason, &r)?;
    writeln!(
        std::io::stdout().lock(),
        "lifted the takedown of {}: it may be archived again (removed versions stay removed)",
        r.url
    )?;
    Ok(Exit::Success)
}

/// Records a takedown command in `runs`, once it has succeeded.
fn log_run(
    store: &crate::store::Store,
    command: &str,
    url: &str,
    at: &str,
    reason: &str,
    r: &crate::store::Redaction,
) -> anyhow::Result<()> {
    let run = store.begin_run(command, Some(url), at, None)?;
    store.finish_run(run, &now_stored(), "complete", reason, &counts(r))?;
    Ok(())
}

pub fn reindex(args: ReindexArgs) -> anyhow::Result<Exit> {
    let (_lock, mut store) = open_existing_writer(&args.archive.db, args.archive.wait)?;
    let n = store.reindex()?;
    tracing::info!("reindexed {n} versions");
    // Also finishes what a takedown could not erase while a reader held the file.
    if let Err(e) = store.purge_free_space() {
        eprintln!("arshif: warning: {e}");
        return Ok(Exit::ErasurePending);
    }
    Ok(Exit::Success)
}

fn reason(args: &RedactArgs) -> anyhow::Result<String> {
    // One line, whatever was typed: it is shown in lists and logs.
    let r = args.reason.split_whitespace().collect::<Vec<_>>().join(" ");
    if r.is_empty() {
        return Err(Error::InvalidSetting {
            name: "--reason",
            reason: "say why (it is kept in the takedown log)".into(),
        }
        .into());
    }
    Ok(r)
}

fn counts(r: &crate::store::Redaction) -> String {
    serde_json::json!({
        "versions_removed": r.versions_removed,
        "captures_removed": r.captures_removed,
    })
    .to_string()
}
