//! `arshif search QUERY`: ranked full-text search with snippets quoted from the original text.

use std::io::Write;

use super::{Exit, use_color};
use crate::Error;
use crate::cli::{ReportFormat, SearchArgs};
use crate::search::{self, Query, SNIPPET_WORDS};
use crate::store::{SearchScope, Store};
use crate::time::stored_time;

pub fn run(args: SearchArgs) -> anyhow::Result<Exit> {
    let query = Query::parse(&args.query).ok_or_else(|| Error::InvalidSetting {
        name: "QUERY",
        reason: format!("{:?} has no words to search for", args.query),
    })?;
    let store = Store::open_reader(&args.archive.db)?;
    let hits = store.search(
        &query,
        &SearchScope {
            site: args.site.clone(),
            since: args.since.map(stored_time),
            all_versions: args.all_versions,
            limit: args.limit as usize,
        },
    )?;
    // Buffered: a long listing is written in large blocks, not one system call a line.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        ReportFormat::Json => {
            let results: Vec<_> = hits.iter().map(|h| h.found(&query)).collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&results)?)?;
        }
        ReportFormat::Text => {
            let (open, close) = if use_color(args.color) {
                ("\x1b[1;33m", "\x1b[0m")
            } else {
                ("[", "]")
            };
            if hits.is_empty() {
                writeln!(out, "no matches")?;
            }
            for (i, h) in hits.iter().enumerate() {
                let title = h.title.as_deref().unwrap_or("(no title)");
                let title = search::highlight(title, &query).marked(open, close);
                let snippet = search::snippet(&h.body, &query, SNIPPET_WORDS).marked(open, close);
                let latest = if h.latest { ", latest" } else { "" };
                writeln!(out, "{}. {title}", i + 1)?;
                writeln!(
                    out,
                    "   {} (version {}{latest}, fetched {})",
                    h.url, h.version, h.fetched_at
                )?;
                writeln!(out, "   {snippet}\n")?;
            }
        }
    }
    out.flush()?;
    Ok(Exit::Success)
}
