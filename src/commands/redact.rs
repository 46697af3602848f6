//! `arshif redact URL` and `arshif unredact URL`: takedowns, logged, under the writer lock; and
//! `arshif reindex`, which rebuilds what is derived from the versions.

use std::io::Write;

use super::{Exit, find_article, open_existing_writer};
use crate::Error;
use crate::cli::{RedactArgs, ReindexArgs};
use crate::crawl::rfc3339;

pub fn redact(args: RedactArgs) -> anyhow::Result<Exit> {
    let reason = reason(&args)?;
    let (_lock, mut store) = open_existing_writer(&args.db, args.wait)?;
    let (id, _) = find_article(&store, &args.url)?;
    let at = rfc3339(chrono::Utc::now());
    let run = store.begin_run("redact", Some(&args.url), &at, None)?;
    let r = store.redact(id, &reason, &at)?;
    store.finish_run(
        run,
        &rfc3339(chrono::Utc::now()),
        "complete",
        &reason,
        &counts(&r),
    )?;
    writeln!(
        std::io::stdout().lock(),
        "redacted {}: {} version(s) and {} capture(s) removed; it will not be archived again unless `arshif unredact` is run",
        r.url,
        r.versions_removed,
        r.captures_removed
    )?;
    Ok(Exit::Success)
}

pub fn unredact(args: RedactArgs) -> anyhow::Result<Exit> {
    let reason = reason(&args)?;
    let (_lock, mut store) = open_existing_writer(&args.db, args.wait)?;
    let (id, _) = find_article(&store, &args.url)?;
    let at = rfc3339(chrono::Utc::now());
    let run = store.begin_run("unredact", Some(&args.url), &at, None)?;
    let r = store.unredact(id, &reason, &at)?;
    store.finish_run(
        run,
        &rfc3339(chrono::Utc::now()),
        "complete",
        &reason,
        &counts(&r),
    )?;
    writeln!(
        std::io::stdout().lock(),
        "lifted the takedown of {}: it may be archived again (removed versions stay removed)",
        r.url
    )?;
    Ok(Exit::Success)
}

pub fn reindex(args: ReindexArgs) -> anyhow::Result<Exit> {
    let (_lock, mut store) = open_existing_writer(&args.db, args.wait)?;
    let n = store.reindex()?;
    tracing::info!("reindexed {n} versions");
    Ok(Exit::Success)
}

fn reason(args: &RedactArgs) -> anyhow::Result<String> {
    let r = args.reason.trim();
    if r.is_empty() {
        return Err(Error::InvalidSetting {
            name: "--reason",
            reason: "say why (it is kept in the takedown log)".into(),
        }
        .into());
    }
    Ok(r.to_string())
}

fn counts(r: &crate::store::Redaction) -> String {
    serde_json::json!({
        "versions_removed": r.versions_removed,
        "captures_removed": r.captures_removed,
    })
    .to_string()
}
