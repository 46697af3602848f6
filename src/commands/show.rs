//! `arshif show URL`: an article's text as it stood in one version.

use std::io::Write;

use super::{Exit, find_article};
use crate::Error;
use crate::cli::{ReportFormat, ShowArgs};
use crate::export;
use crate::store::{Store, VersionPick};
use crate::time::stored_time;

pub fn run(args: ShowArgs) -> anyhow::Result<Exit> {
    let store = Store::open_reader(&args.archive.db)?;
    let (id, key) = find_article(&store, &args.url)?;
    let pick = match (args.version, args.at) {
        (Some(n), _) => VersionPick::Number(n),
        (None, Some(t)) => VersionPick::At(stored_time(t)),
        (None, None) => VersionPick::Latest,
    };
    let Some(v) = store.version(id, &pick)? else {
        let known = store.version_numbers(id)?;
        let reason = match (&pick, known.is_empty()) {
            (_, true) => match store
                .redactions(id)?
                .last()
                .filter(|r| r.action == "redact")
            {
                Some(r) => format!("{key} was redacted on {} ({})", r.at, r.reason),
                None => format!("{key} has no stored version (see `arshif history`)"),
            },
            (VersionPick::Number(n), _) => {
                format!("{key} has no version {n} (it has 1 to {})", known.len())
            }
            (_, _) => format!("{key} had not been archived yet at that time"),
        };
        return Err(Error::NotInArchive(reason).into());
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        ReportFormat::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&export::to_json(&v))?
        )?,
        ReportFormat::Text => {
            writeln!(out, "{}", v.title.as_deref().unwrap_or("(no title)"))?;
            writeln!(
                out,
                "{} · version {} · fetched {}",
                v.article_url, v.version, v.fetched_at
            )?;
            if let Some(p) = &v.published_at {
                writeln!(out, "published {p}")?;
            }
            if let Some(m) = &v.modified_at {
                writeln!(out, "modified {m}")?;
            }
            if !v.authors.is_empty() {
                writeln!(out, "by {}", v.authors.join(", "))?;
            }
            writeln!(out, "\n{}", v.body)?;
        }
    }
    Ok(Exit::Success)
}
