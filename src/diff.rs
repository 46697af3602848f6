//! Pure word-level comparison of two texts (title or body of two versions).
//!
//! Words are Unicode word-boundary segments (UAX #29), so a combining mark (a haraka, a hamza
//! above, an accent) always stays with its letter and Arabic, French and English split alike.

use std::time::Duration;

use similar::{Algorithm, ChangeTag, TextDiff};

/// What happened to a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Equal,
    Delete,
    Insert,
}

/// A run of text with one operation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub op: Op,
    pub text: String,
}

/// How long one comparison may take before settling for a coarser (still correct) diff.
const DEADLINE: Duration = Duration::from_secs(2);

/// The changes that turn `old` into `new`, consecutive runs of one operation merged.
pub fn words(old: &str, new: &str) -> Vec<Change> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(DEADLINE)
        .diff_unicode_words(old, new);
    let mut out: Vec<Change> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            ChangeTag::Equal => Op::Equal,
            ChangeTag::Delete => Op::Delete,
            ChangeTag::Insert => Op::Insert,
        };
        let text = change.value();
        match out.last_mut() {
            Some(last) if last.op == op => last.text.push_str(text),
            _ => out.push(Change {
                op,
                text: text.to_string(),
            }),
        }
    }
    out
}

/// Characters added and removed by a list of changes (whitespace not counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub chars_added: usize,
    pub chars_removed: usize,
}

pub fn summarize(changes: &[Change]) -> Summary {
    let count = |op| {
        changes
            .iter()
            .filter(|c| c.op == op)
            .map(|c| c.text.chars().filter(|ch| !ch.is_whitespace()).count())
            .sum()
    };
    Summary {
        chars_added: count(Op::Insert),
        chars_removed: count(Op::Delete),
    }
}

/// Whether anything but equal runs is present.
pub fn has_changes(changes: &[Change]) -> bool {
    changes.iter().any(|c| c.op != Op::Equal)
}

/// The changes cut at line breaks into paragraphs, each marked with whether anything in it was
/// deleted or inserted. Blank paragraphs are dropped.
pub fn paragraphs(changes: &[Change]) -> Vec<(bool, Vec<Change>)> {
    let mut out = Vec::new();
    let mut current: Vec<Change> = Vec::new();
    let mut flush = |current: &mut Vec<Change>| {
        if current.iter().any(|c| !c.text.trim().is_empty()) {
            let changed = current
                .iter()
                .any(|c| c.op != Op::Equal && !c.text.trim().is_empty());
            out.push((changed, std::mem::take(current)));
        } else {
            current.clear();
        }
    };
    for c in changes {
        for (i, piece) in c.text.split('\n').enumerate() {
            if i > 0 {
                flush(&mut current);
            }
            if !piece.is_empty() {
                current.push(Change {
                    op: c.op,
                    text: piece.to_string(),
                });
            }
        }
    }
    flush(&mut current);
    out
}

/// One side of a comparison: a version's number, time, title and body.
pub struct Side<'a> {
    pub version: i64,
    pub fetched_at: &'a str,
    pub title: &'a str,
    pub body: &'a str,
}

/// Where a version stands in a comparison (`from`, `to`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Stand {
    pub version: i64,
    pub fetched_at: String,
}

/// Two versions compared: what `diff --format json` prints and `/diff` shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Comparison {
    pub url: String,
    pub from: Stand,
    pub to: Stand,
    pub title_changed: bool,
    /// Characters added to and removed from the body (whitespace not counted).
    pub chars_added: usize,
    pub chars_removed: usize,
    pub title: Vec<Change>,
    pub body: Vec<Change>,
}

impl Comparison {
    pub fn of(url: &str, old: Side<'_>, new: Side<'_>) -> Self {
        let title = words(old.title, new.title);
        let body = words(old.body, new.body);
        let summary = summarize(&body);
        Comparison {
            url: url.to_string(),
            from: Stand {
                version: old.version,
                fetched_at: old.fetched_at.to_string(),
            },
            to: Stand {
                version: new.version,
                fetched_at: new.fetched_at.to_string(),
            },
            title_changed: has_changes(&title),
            chars_added: summary.chars_added,
            chars_removed: summary.chars_removed,
            title,
            body,
        }
    }
}

/// The default pair is the last two versions; `--from` alone compares with the latest, `--to`
/// alone with the version before it.
pub fn pick_pair(known: &[i64], from: Option<i64>, to: Option<i64>) -> Result<(i64, i64), String> {
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

/// How to show deletions and insertions to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `[-deleted-]{+inserted+}`, as `git diff --word-diff=plain` (for pipes and files).
    Plain,
    /// Red and green, as on a terminal.
    Color,
}

/// Renders changes as text.
pub fn render(changes: &[Change], style: Style) -> String {
    let mut out = String::new();
    for c in changes {
        match (c.op, style) {
            (Op::Equal, _) => out.push_str(&c.text),
            (Op::Delete, Style::Plain) => {
                out.push_str("[-");
                out.push_str(&c.text);
                out.push_str("-]");
            }
            (Op::Insert, Style::Plain) => {
                out.push_str("{+");
                out.push_str(&c.text);
                out.push_str("+}");
            }
            (Op::Delete, Style::Color) => {
                out.push_str("\x1b[31;9m");
                out.push_str(&c.text);
                out.push_str("\x1b[0m");
            }
            (Op::Insert, Style::Color) => {
                out.push_str("\x1b[32;4m");
                out.push_str(&c.text);
                out.push_str("\x1b[0m");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(changes: &[Change], op: Op) -> Vec<&str> {
        changes
            .iter()
            .filter(|c| c.op == op)
            .map(|c| c.text.as_str())
            .collect()
    }

    #[test]
    fn one_changed_arabic_word_is_one_change() {
        let old = "قالت المديرية العامة للأمن الوطني إن التحقيق مستمر";
        let new = "قالت المديرية العامة للأمن الوطني إن التحقيق انتهى";
        let c = words(old, new);
        assert_eq!(joined(&c, Op::Delete), ["مستمر"]);
        assert_eq!(joined(&c, Op::Insert), ["انتهى"]);
        assert_eq!(
            summarize(&c),
            Summary {
                chars_added: 5,
                chars_removed: 5
            }
        );
    }

    #[test]
    fn harakat_stay_with_their_letters() {
        // Only the vowel marks of one word change: the whole word is replaced, never a lone mark.
        let c = words("كَتَبَ الطالب", "كُتِبَ الطالب");
        assert_eq!(joined(&c, Op::Delete), ["كَتَبَ"]);
        assert_eq!(joined(&c, Op::Insert), ["كُتِبَ"]);
        let c = words("الأمن", "الامن");
        assert_eq!(joined(&c, Op::Delete), ["الأمن"]);
    }

    #[test]
    fn identical_texts_have_no_changes() {
        let c = words("même texte", "même texte");
        assert!(!has_changes(&c));
        assert_eq!(summarize(&c), Summary::default());
    }

    #[test]
    fn every_changed_paragraph_is_found_and_markers_in_text_are_not_changes() {
        let old = "First [-3] paragraph.\n\nSecond.";
        let new = "First [-3] paragraph.\n\nSecond.\n\nNew one.\n\nNew two.\n\nNew three.";
        let paras = paragraphs(&words(old, new));
        let changed: Vec<String> = paras
            .iter()
            .filter(|(c, _)| *c)
            .map(|(_, p)| p.iter().map(|c| c.text.as_str()).collect())
            .collect();
        assert_eq!(changed, vec!["New one.", "New two.", "New three."]);
        assert_eq!(paras.len(), 5);
        assert!(!paras[0].0, "a literal [-3] is not a change");
    }

    #[test]
    fn plain_rendering_marks_both_sides() {
        let c = words("the old word", "the new word");
        assert_eq!(render(&c, Style::Plain), "the [-old-]{+new+} word");
        assert!(render(&c, Style::Color).contains("\x1b[32;4mnew\x1b[0m"));
    }

    #[test]
    fn default_pair_is_the_last_two() {
        assert_eq!(pick_pair(&[1, 2, 3], None, None), Ok((2, 3)));
        assert_eq!(pick_pair(&[1, 2, 3], Some(1), None), Ok((1, 3)));
        assert_eq!(pick_pair(&[1, 2, 3], None, Some(2)), Ok((1, 2)));
        assert!(pick_pair(&[1], None, None).is_err());
        assert!(pick_pair(&[1, 2], Some(5), None).is_err());
    }
}
