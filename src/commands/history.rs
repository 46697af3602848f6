//! `arshif history URL`: every version and every fetch of one article, so that "seen unchanged
//! on …" and "gone on …" are visible.

use std::io::Write;

use super::Exit;
use crate::cli::{HistoryArgs, ReportFormat};
use crate::store::Store;
use crate::{Error, urls};

pub fn run(args: HistoryArgs) -> anyhow::Result<Exit> {
    let store = Store::open_reader(&args.db)?;
    let key = urls::normalize(&urls::parse_user_url(&args.url)?).to_string();
    let history = match store.history(&key)? {
        Some(h) => h,
        None => {
            return Err(Error::InvalidSetting {
                name: "URL",
                reason: format!(
                    "{} is not in the archive (see `arshif export` for archived URLs)",
                    args.url
                ),
            }
            .into());
        }
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        ReportFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&history)?)?,
        ReportFormat::Text => {
            writeln!(out, "{}", history.url)?;
            writeln!(
                out,
                "first seen {}, last seen {}",
                history.first_seen_at, history.last_seen_at
            )?;
            writeln!(out, "\nversions")?;
            for v in &history.versions {
                let title = v.title.as_deref().unwrap_or("(no title)");
                writeln!(out, "  v{:<3} {}  {}", v.version, v.fetched_at, title)?;
            }
            writeln!(out, "\nfetches")?;
            for f in &history.fetches {
                let status = f.status.map_or("-".to_string(), |s| s.to_string());
                let detail = f.error.as_deref().or(f.note.as_deref()).unwrap_or("");
                writeln!(
                    out,
                    "  {}  {:>3}  {:<13} {}",
                    f.requested_at, status, f.outcome, detail
                )?;
            }
        }
    }
    Ok(Exit::Success)
}
