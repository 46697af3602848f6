//! `arshif stats`: what the archive holds, for people or as JSON.

use std::io::Write;

use super::Exit;
use crate::cli::{ReportFormat, StatsArgs};
use crate::store::Store;

pub fn run(args: StatsArgs) -> anyhow::Result<Exit> {
    let stats = Store::open_reader(&args.archive.db)?.stats()?;
    let mut out = std::io::stdout().lock();
    match args.format {
        ReportFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&stats)?)?,
        ReportFormat::Text => {
            writeln!(out, "articles   {}", stats.articles)?;
            writeln!(out, "versions   {}", stats.versions)?;
            if stats.redacted > 0 {
                writeln!(out, "redacted   {} (tombstones)", stats.redacted)?;
            }
            writeln!(out, "runs       {}", stats.runs)?;
            writeln!(out, "fetches    {}", stats.fetches)?;
            for (outcome, n) in &stats.fetches_by_outcome {
                writeln!(out, "  {outcome:<18} {n}")?;
            }
            writeln!(
                out,
                "captures   {} ({} bytes raw, {} stored compressed)",
                stats.captures, stats.capture_bytes_raw, stats.capture_bytes_stored
            )?;
        }
    }
    Ok(Exit::Success)
}
