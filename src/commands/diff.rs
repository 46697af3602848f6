//! `arshif diff URL`: what changed between two versions, word by word.

use std::io::Write;

use serde_json::json;

use super::{Exit, find_article, use_color};
use crate::Error;
use crate::cli::{DiffArgs, ReportFormat};
use crate::diff::{self, Change, Style};
use crate::store::{Store, VersionPick};

pub fn run(args: DiffArgs) -> anyhow::Result<Exit> {
    let store = Store::open_reader(&args.archive.db)?;
    let (id, key) = find_article(&store, &args.url)?;
    let known = store.version_numbers(id)?;
    let (from, to) = pick_pair(&known, args.from, args.to)
        .map_err(|reason| Error::NotInArchive(format!("{key}: {reason}")))?;
    let load = |n| -> anyhow::Result<_> {
        store
            .version(id, &VersionPick::Number(n))?
            .ok_or_else(|| Error::NotInArchive(format!("{key} has no version {n}")).into())
    };
    let (old, new) = (load(from)?, load(to)?);
    let title = diff::words(
        old.title.as_deref().unwrap_or(""),
        new.title.as_deref().unwrap_or(""),
    );
    let body = diff::words(&old.body, &new.body);
    let summary = diff::summarize(&body);
    let mut out = std::io::stdout().lock();
    match args.format {
        ReportFormat::Json => {
            let doc = json!({
                "url": key,
                "from": { "version": from, "fetched_at": old.fetched_at },
                "to": { "version": to, "fetched_at": new.fetched_at },
                "title_changed": diff::has_changes(&title),
                "chars_added": summary.chars_added,
                "chars_removed": summary.chars_removed,
                "title": title,
                "body": body,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
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
            if !diff::has_changes(&title) && !diff::has_changes(&body) {
                writeln!(out, "\n(title and body are the same)")?;
                return Ok(Exit::Success);
            }
            if diff::has_changes(&title) {
                writeln!(out, "title: {}\n", diff::render(&title, style))?;
            } else {
                writeln!(out, "title unchanged\n")?;
            }
            if diff::has_changes(&body) {
                writeln!(
                    out,
                    "body: {} characters added, {} removed\n",
                    summary.chars_added, summary.chars_removed
                )?;
                write_changed_paragraphs(&mut out, &body, style)?;
            } else {
                writeln!(out, "body unchanged")?;
            }
        }
    }
    Ok(Exit::Success)
}

/// The default pair is the last two versions; `--from` alone compares with the latest, `--to`
/// alone with the version before it.
fn pick_pair(known: &[i64], from: Option<i64>, to: Option<i64>) -> Result<(i64, i64), String> {
    let has = |n: i64| known.contains(&n);
    let to = to.or(known.last().copied()).ok_or("no stored version")?;
    if !has(to) {
        return Err(format!("no version {to} (it has {})", describe(known)));
    }
    let from = match from {
        Some(f) => f,
        None => known
            .iter()
            .rev()
            .find(|&&n| n < to)
            .copied()
            .ok_or_else(|| match known.len() {
                1 => "it has only one version: nothing to compare".to_string(),
                _ => format!("there is no version before {to} to compare with"),
            })?,
    };
    if !has(from) {
        return Err(format!("no version {from} (it has {})", describe(known)));
    }
    Ok((from, to))
}

fn describe(known: &[i64]) -> String {
    match (known.first(), known.last()) {
        (Some(a), Some(b)) if a == b => format!("version {a} only"),
        (Some(a), Some(b)) => format!("versions {a} to {b}"),
        _ => "no versions".into(),
    }
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

#[cfg(test)]
mod tests {
    use super::pick_pair;

    #[test]
    fn default_pair_is_the_last_two() {
        assert_eq!(pick_pair(&[1, 2, 3], None, None), Ok((2, 3)));
        assert_eq!(pick_pair(&[1, 2, 3], Some(1), None), Ok((1, 3)));
        assert_eq!(pick_pair(&[1, 2, 3], None, Some(2)), Ok((1, 2)));
        assert!(pick_pair(&[1], None, None).is_err());
        assert!(pick_pair(&[1, 2], Some(5), None).is_err());
    }
}
