//! The pages as askama templates (in `templates/`, compiled in and escaped by default), and the
//! small readings they print with: a time in UTC, an archived text's language and direction.

use askama::Template;

use crate::diff::{Change, Comparison, Op};
use crate::store::{History, Overview, Redaction, VersionRow};

#[derive(Template)]
#[template(path = "home.html")]
pub struct Home<'a> {
    pub overview: &'a Overview,
}

#[derive(Template)]
#[template(path = "article.html")]
pub struct ArticlePage<'a> {
    /// The article's key URL.
    pub url: &'a str,
    pub shown: Option<&'a VersionRow>,
    pub paragraphs: Vec<&'a str>,
    pub history: &'a History,
    /// The takedown in force, when there is one: only it is shown.
    pub tombstone: Option<&'a Redaction>,
}

/// One article of a listing, owned (the store lends each row only while it is read).
#[derive(Debug, Clone)]
pub struct Listed {
    pub url: String,
    pub host: String,
    pub title: Option<String>,
    pub versions: i64,
    pub first_seen_at: String,
    pub last_seen_at: String,
    pub last_change_at: Option<String>,
    pub redacted_at: Option<String>,
    pub gone_at: Option<String>,
}

impl Listed {
    pub fn of(a: &crate::store::ArticleSummary<'_>) -> Self {
        Listed {
            url: a.url.to_string(),
            host: a.host.to_string(),
            title: a.title.map(str::to_string),
            versions: a.versions,
            first_seen_at: a.first_seen_at.to_string(),
            last_seen_at: a.last_seen_at.to_string(),
            last_change_at: a.last_change_at.map(str::to_string),
            redacted_at: a.redacted_at.map(str::to_string),
            gone_at: a.gone_at.map(str::to_string),
        }
    }
}

#[derive(Template)]
#[template(path = "articles.html")]
pub struct Articles<'a> {
    pub rows: &'a [Listed],
    pub site: Option<&'a str>,
    pub changed: bool,
    pub since: Option<&'a str>,
    /// The link to the next (older) page, when there may be one.
    pub next: Option<String>,
}

/// A run of text in a diff, with how it changed: `eq`, `del` or `ins`.
#[derive(Debug, Clone)]
pub struct Piece {
    pub op: &'static str,
    pub text: String,
}

impl Piece {
    pub fn of(c: &Change) -> Self {
        let op = match c.op {
            Op::Equal => "eq",
            Op::Delete => "del",
            Op::Insert => "ins",
        };
        Piece {
            op,
            text: c.text.clone(),
        }
    }
}

/// One row of a diff's body: a changed paragraph (old side, new side, both inline), or a run
/// of `skipped` unchanged paragraphs, collapsed.
#[derive(Debug, Clone, Default)]
pub struct DiffRow {
    pub skipped: usize,
    pub left: Vec<Piece>,
    pub right: Vec<Piece>,
    pub inline: Vec<Piece>,
}

/// The rows of a body's changes: changed paragraphs whole, unchanged runs collapsed.
pub fn diff_rows(body: &[Change]) -> Vec<DiffRow> {
    let mut rows: Vec<DiffRow> = Vec::new();
    for (changed, parts) in crate::diff::paragraphs(body) {
        if !changed {
            match rows.last_mut() {
                Some(r) if r.skipped > 0 => r.skipped += 1,
                _ => rows.push(DiffRow {
                    skipped: 1,
                    ..DiffRow::default()
                }),
            }
            continue;
        }
        let pieces: Vec<Piece> = parts.iter().map(Piece::of).collect();
        rows.push(DiffRow {
            skipped: 0,
            left: pieces.iter().filter(|p| p.op != "ins").cloned().collect(),
            right: pieces.iter().filter(|p| p.op != "del").cloned().collect(),
            inline: pieces,
        });
    }
    rows
}

#[derive(Template)]
#[template(path = "diff.html")]
pub struct DiffPage<'a> {
    pub c: &'a Comparison,
    /// The newer version's language (for `lang` and `dir`).
    pub language: &'a Option<String>,
    pub side: bool,
    /// The same comparison in the other view.
    pub toggle: String,
    pub title: Vec<Piece>,
    pub rows: Vec<DiffRow>,
}

/// One search result as shown: title and snippet in runs, each with whether it matched.
#[derive(Debug, Clone)]
pub struct SearchResult {
    pub url: String,
    pub version: i64,
    pub latest: bool,
    pub fetched_at: String,
    pub title: Vec<(String, bool)>,
    pub snippet: Vec<(String, bool)>,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage<'a> {
    pub q: &'a str,
    pub site: Option<&'a str>,
    pub all_versions: bool,
    pub results: Vec<SearchResult>,
    /// The same search with more results, when there may be more.
    pub more: Option<String>,
}

/// One entry of the Atom feed: a new version, linking to its diff.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub title: String,
    pub id: String,
    pub updated: String,
    pub link: String,
    pub url: String,
    pub version: i64,
}

#[derive(Template)]
#[template(path = "feed.xml")]
pub struct Feed<'a> {
    pub site: Option<&'a str>,
    pub id: String,
    pub updated: String,
    pub self_link: String,
    /// `http://host:port` as the request named this server.
    pub base: String,
    pub entries: Vec<FeedEntry>,
}

/// A stable `urn:uuid:` for `seed` (name-based, SHA-1): the same change has the same id in
/// every feed, whatever address the server answers on.
pub fn urn(seed: &str) -> String {
    let id = crate::export::warc::record_id(seed);
    id.trim_matches(['<', '>']).to_string()
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub status: &'a str,
    pub message: &'a str,
}

/// A recorded time as people read it, labelled UTC (`2026-11-20 09:15:00 UTC`); a value that is
/// not such a time is shown as it is.
pub fn utc(t: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(t) {
        Ok(d) => d
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%d %H:%M:%S UTC")
            .to_string(),
        Err(_) => t.to_string(),
    }
}

/// The `lang` of an archived text: its detected language, else `und` (undetermined).
pub fn lang(language: &Option<String>) -> &str {
    language.as_deref().unwrap_or("und")
}

/// Languages written right to left (ISO 639-1 and the -3 codes whatlang gives).
const RIGHT_TO_LEFT: &[&str] = &[
    "ar", "ara", "fa", "fas", "pes", "he", "heb", "ur", "urd", "ps", "pus", "sd", "snd", "ug",
    "uig", "yi", "yid", "ckb", "dv", "div",
];

/// The `dir` of an archived text: `rtl` for a right-to-left language, else `auto` (the
/// browser reads the first strong character), never a guess of `ltr`.
pub fn dir(language: &Option<String>) -> &'static str {
    let primary = language
        .as_deref()
        .and_then(|l| l.split(['-', '_']).next())
        .map(str::to_ascii_lowercase);
    match primary {
        Some(l) if RIGHT_TO_LEFT.contains(&l.as_str()) => "rtl",
        _ => "auto",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_is_right_to_left_and_the_unknown_is_left_to_the_browser() {
        assert_eq!(dir(&Some("ar".into())), "rtl");
        assert_eq!(dir(&Some("ar-MA".into())), "rtl");
        assert_eq!(dir(&Some("fr".into())), "auto");
        assert_eq!(dir(&None), "auto");
        assert_eq!(lang(&None), "und");
    }

    #[test]
    fn times_are_labelled_utc() {
        assert_eq!(utc("2026-11-20T09:15:00.000Z"), "2026-11-20 09:15:00 UTC");
        assert_eq!(utc("2026-11-20T10:15:00+01:00"), "2026-11-20 09:15:00 UTC");
        assert_eq!(utc("soon"), "soon");
    }

    #[test]
    fn archived_strings_are_escaped() {
        let history = History {
            url: "http://news.example/a?x=\"><img src=x onerror=alert(1)>".into(),
            first_seen_at: "t".into(),
            last_seen_at: "t".into(),
            versions: Vec::new(),
            fetches: Vec::new(),
            redactions: Vec::new(),
        };
        let page = ArticlePage {
            url: &history.url,
            shown: None,
            paragraphs: vec!["<script>alert(1)</script>"],
            history: &history,
            tombstone: None,
        };
        let html = page.render().unwrap();
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(!html.contains("<script>alert"), "{html}");
    }
}
