//! `arshif list`: archived articles with version counts, first and last seen, last change, and
//! tombstones.

use std::io::Write;

use super::Exit;
use crate::cli::{ListArgs, ReportFormat};
use crate::config::stored_time;
use crate::store::{ListFilter, Store};

pub fn run(args: ListArgs) -> anyhow::Result<Exit> {
    let store = Store::open_reader(&args.db)?;
    let articles = store.list(&ListFilter {
        site: args.site.clone(),
        since: args.since.map(stored_time),
        changed: args.changed,
    })?;
    // Buffered: a long listing is written in large blocks, not one system call a line.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        ReportFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&articles)?)?,
        ReportFormat::Text => {
            for a in &articles {
                if let Some(at) = &a.redacted_at {
                    writeln!(out, "{}", a.url)?;
                    writeln!(
                        out,
                        "  REDACTED {at}: {}",
                        a.redaction_reason.as_deref().unwrap_or("")
                    )?;
                    continue;
                }
                writeln!(
                    out,
                    "{}\n  {} | {} version{} | first seen {} | last seen {} | {}",
                    a.url,
                    a.title.as_deref().unwrap_or("(no title)"),
                    a.versions,
                    if a.versions == 1 { "" } else { "s" },
                    a.first_seen_at,
                    a.last_seen_at,
                    match &a.last_change_at {
                        Some(t) => format!("last change {t}"),
                        None => "never changed".to_string(),
                    }
                )?;
                if let Some(gone) = &a.gone_at {
                    writeln!(out, "  GONE: the page answered 404/410 on {gone}")?;
                }
            }
        }
    }
    out.flush()?;
    Ok(Exit::Success)
}
