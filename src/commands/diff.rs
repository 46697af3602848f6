//! `arshif diff URL`: what changed between two versions, word by word.

use std::io::Write;

use super::{Exit, find_article, use_color};
use crate::Error;
use crate::cli::{DiffArgs, ReportFormat};
use crate::diff::{self, Change, Style};
use crate::store::{Store, VersionPick};

pub fn run(args: DiffArgs) -> anyhow::Result<Exit> {
    let store = Store::open_reader(&args.archive.db)?;
    let (id, key) = find_article(&store, &args.url)?;
    let known = store.version_numbers(id)?;
    let (from, to) = diff::pick_pair(&known, args.from, args.to)
        .map_err(|reason| Error::NotInArchive(format!("{key}: {reason}")))?;
    let load = |n| -> anyhow::Result<_> {
        store
            .version(id, &VersionPick::Number(n))?
            .ok_or_else(|| Error::NotInArchive(format!("{key} has no version {n}")).into())
    };
    let (old, new) = (load(from)?, load(to)?);
    let comparison = diff::Comparison::of(&key, old.side(), new.side());
    let (title, body) = (&comparison.title, &comparison.body);
    let summary = diff::Summary {
        chars_added: comparison.chars_added,
        chars_removed: comparison.chars_removed,
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        ReportFormat::Json => {
            writeln!(out, "{}", serde_json::to_string_pretty(&comparison)?)?;
        }
        ReportFormat::Text => {
            let style = if use_color(args.color) {
                Style::Color
            } else {
                Style::Plain
            };
            writeln!(out, "{key}")?;
            writeln!(out, "--- version {from}, fetched {}", old.fetched_at)?;
            writeln!(out, "+++ version {to}, fetched {}", new.fetched_at)?;
            if !diff::has_changes(title) && !diff::has_changes(body) {
                writeln!(out, "\n(title and body are the same)")?;
                return Ok(Exit::Success);
            }
            if diff::has_changes(title) {
                writeln!(out, "title: {}\n", diff::render(title, style))?;
            } else {
                writeln!(out, "title unchanged\n")?;
            }
            if diff::has_changes(body) {
                writeln!(
                    out,
                    "body: {} characters added, {} removed\n",
                    summary.chars_added, summary.chars_removed
                )?;
                write_changed_paragraphs(&mut out, body, style)?;
            } else {
                writeln!(out, "body unchanged")?;
            }
        }
    }
    Ok(Exit::Success)
}

/// Paragraphs with a change, unchanged ones collapsed to "…".
fn write_changed_paragraphs(
    out: &mut impl Write,
    body: &[Change],
    style: Style,
) -> std::io::Result<()> {
    let mut skipped = false;
    for (changed, parts) in diff::paragraphs(body) {
        if changed {
            if skipped {
                writeln!(out, "…\n")?;
                skipped = false;
            }
            writeln!(out, "{}\n", diff::render(&parts, style))?;
        } else {
            skipped = true;
        }
    }
    if skipped {
        writeln!(out, "…")?;
    }
    Ok(())
}
