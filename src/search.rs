//! Search normalisation (pure): the folded text that the FTS5 index holds, safe FTS5 queries
//! built from what people type, and snippets cut from the original text.
//!
//! SQLite's `unicode61` tokenizer cannot fold Arabic, and rusqlite cannot register a tokenizer of
//! its own, so arshif indexes a folded copy of each version: أ إ آ ٱ → ا, ى → ي, ة → ه, harakat,
//! tatweel and every other combining mark dropped, Arabic-Indic digits made ASCII, compatibility
//! forms (presentation forms, ligatures, full-width letters) decomposed, French accents removed,
//! everything lower-cased. Queries are folded the same way, so a query written without hamza or
//! tashkeel finds text written with them, and the reverse.

use unicode_normalization::char::is_combining_mark;

use crate::fold::{fold_search, fold_search_char, is_search_invisible};

/// Folds text for the index (and for queries typed into raw SQL: see docs/search.md): the search
/// folding of [`crate::fold`], whose rules are listed above.
pub fn fold(text: &str) -> String {
    fold_search(text)
}

/// Whether a folded character belongs to a word (as `unicode61` sees letters and digits).
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Folded text that remembers, for each of its characters, where it came from in the original.
struct Mapped {
    folded: Vec<char>,
    /// Byte range in the original text of the character each folded character came from.
    origin: Vec<(usize, usize)>,
}

fn fold_mapped(text: &str) -> Mapped {
    let mut folded = Vec::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        fold_search_char(c, |f| {
            folded.push(f);
            origin.push((i, end));
        });
    }
    Mapped { folded, origin }
}

/// A word of folded text: its folded form and its byte range in the original.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    folded: String,
    start: usize,
    end: usize,
}

/// The words of `text`, each with its original byte range; combining marks that follow a word's
/// last letter in the original stay inside the range.
fn words(text: &str) -> Vec<Word> {
    let m = fold_mapped(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < m.folded.len() {
        if !is_word_char(m.folded[i]) {
            i += 1;
            continue;
        }
        let first = i;
        while i < m.folded.len() && is_word_char(m.folded[i]) {
            i += 1;
        }
        let start = m.origin[first].0;
        let mut end = m.origin[i - 1].1;
        for c in text[end..].chars() {
            if is_combining_mark(c) || is_search_invisible(c) {
                end += c.len_utf8();
            } else {
                break;
            }
        }
        out.push(Word {
            folded: m.folded[first..i].iter().collect(),
            start,
            end,
        });
    }
    out
}

/// One term of a query: a phrase of folded words, the last one possibly a prefix (`word*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub words: Vec<String>,
    pub prefix: bool,
}

/// A parsed query: every term must match (in the title or the body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<Term>,
}

impl Query {
    /// Parses what a person typed: words (all required), "quoted phrases", and `word*` for a
    /// prefix. Everything else is text, never FTS5 syntax. None when nothing searchable is left.
    pub fn parse(input: &str) -> Option<Query> {
        let mut terms = Vec::new();
        for (chunk, quoted) in chunks(input) {
            let prefix = !quoted && chunk.ends_with('*');
            let words: Vec<String> = words(&chunk).into_iter().map(|w| w.folded).collect();
            if !words.is_empty() {
                terms.push(Term { words, prefix });
            }
        }
        (!terms.is_empty()).then_some(Query { terms })
    }

    /// The FTS5 MATCH expression. Each term is quoted (no input is ever read as syntax) and
    /// matches either as written in `title`/`body`, or by its light stems in the `*_stems`
    /// columns (so «ميدلت» finds «وميدلت» and «الأمن» finds «للأمن»).
    pub fn to_fts5(&self) -> String {
        self.terms
            .iter()
            .map(|t| {
                let star = if t.prefix { " *" } else { "" };
                let exact = format!("{{title body}} : {}{star}", quote(&t.words));
                let mut variants: Vec<String> = [stem, stem_keeping_conjunction]
                    .iter()
                    .map(|f| quote(&t.words.iter().map(|w| f(w).to_string()).collect::<Vec<_>>()))
                    .collect();
                variants.dedup();
                let stems: Vec<String> = variants.into_iter().map(|v| v + star).collect();
                format!(
                    "({exact} OR {{title_stems body_stems}} : ({}))",
                    stems.join(" OR ")
                )
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    fn matches(&self, word: &str) -> bool {
        let word_stem = stem(word);
        self.terms.iter().any(|t| {
            t.words.iter().enumerate().any(|(i, w)| {
                let prefix = t.prefix && i + 1 == t.words.len();
                let same = |a: &str, b: &str| if prefix { a.starts_with(b) } else { a == b };
                same(word, w)
                    || same(word_stem, stem(w))
                    || same(word_stem, stem_keeping_conjunction(w))
            })
        })
    }
}

fn quote(words: &[String]) -> String {
    format!("\"{}\"", words.join(" ").replace('"', "\"\""))
}

/// Light Arabic stemming of a folded word: the proclitics that glue to the next word in Arabic
/// script are removed (a conjunction و/ف, then the article ال, or لل, or بال/كال/لال), never a
/// suffix, and never below a two-letter stem. Other scripts are left alone.
pub fn stem(word: &str) -> &str {
    strip_article(strip_conjunction(word))
}

/// [`stem`] for a query word whose initial و or ف may belong to the root («وزير», «فرنسا»).
pub(crate) fn stem_keeping_conjunction(word: &str) -> &str {
    strip_article(word)
}

fn strip_conjunction(word: &str) -> &str {
    match word.strip_prefix(['و', 'ف']) {
        Some(rest) if rest.chars().count() >= 3 => rest,
        _ => word,
    }
}

fn strip_article(word: &str) -> &str {
    for prefix in ["بال", "كال", "لال", "لل", "ال"] {
        if let Some(rest) = word.strip_prefix(prefix)
            && rest.chars().count() >= 2
        {
            return rest;
        }
    }
    word
}

/// The light stems of a folded text's words, space-separated (the `*_stems` index columns).
pub fn stems(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len());
    for word in folded
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(stem(word));
    }
    out
}

/// Splits input on whitespace, keeping "double-quoted phrases" whole.
fn chunks(input: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = input;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return out;
        }
        if let Some(after) = rest.strip_prefix('"') {
            let end = after.find('"').unwrap_or(after.len());
            out.push((after[..end].to_string(), true));
            rest = after.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push((rest[..end].to_string(), false));
            rest = &rest[end..];
        }
    }
}

/// A piece of original text with the matched words marked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Snippet {
    pub text: String,
    /// Character (not byte) ranges of `text` that matched, in order.
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// The snippet with each match wrapped in `open` and `close`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + 16);
        let mut at = 0;
        let chars: Vec<char> = self.text.chars().collect();
        for &(s, e) in &self.highlights {
            out.extend(&chars[at..s]);
            out.push_str(open);
            out.extend(&chars[s..e]);
            out.push_str(close);
            at = e;
        }
        out.extend(&chars[at..]);
        out
    }
}

impl Snippet {
    /// The snippet cut into runs of text, each with whether it matched (for markup that
    /// escapes the text).
    pub fn pieces(&self) -> Vec<(String, bool)> {
        let chars: Vec<char> = self.text.chars().collect();
        let mut out = Vec::new();
        let mut at = 0;
        for &(s, e) in &self.highlights {
            if s > at {
                out.push((chars[at..s].iter().collect(), false));
            }
            out.push((chars[s..e].iter().collect(), true));
            at = e;
        }
        if at < chars.len() {
            out.push((chars[at..].iter().collect(), false));
        }
        out
    }
}

/// One search result as `search --format json` prints it and `/search` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Found {
    pub url: String,
    pub version: i64,
    pub latest: bool,
    pub fetched_at: String,
    pub title: Option<String>,
    pub snippet: String,
    pub highlights: Vec<(usize, usize)>,
    pub score: f64,
}

/// How many words a snippet shows.
pub const SNIPPET_WORDS: usize = 24;

/// The stretch of `text` (original spelling) with the most distinct query words, at most
/// `max_words` long, with every matching word highlighted. Lines are joined with spaces.
pub fn snippet(text: &str, query: &Query, max_words: usize) -> Snippet {
    let words = words(text);
    if words.is_empty() {
        return Snippet {
            text: String::new(),
            highlights: Vec::new(),
        };
    }
    let hits: Vec<bool> = words.iter().map(|w| query.matches(&w.folded)).collect();
    let max_words = max_words.max(1);
    let (mut best, mut best_score) = (0, 0);
    // The best window starts at a match (or at the start when nothing matches).
    for start in (0..words.len()).filter(|&i| hits[i]) {
        let end = start.saturating_add(max_words).min(words.len());
        let mut distinct: Vec<&str> = words[start..end]
            .iter()
            .zip(&hits[start..end])
            .filter(|(_, h)| **h)
            .map(|(w, _)| w.folded.as_str())
            .collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() > best_score {
            (best, best_score) = (start, distinct.len());
        }
    }
    // Start a little before the first match, so it reads in context, keeping every match of
    // the chosen window.
    let window_end = best.saturating_add(max_words).min(words.len());
    let last_hit = (best..window_end).rev().find(|&i| hits[i]).unwrap_or(best);
    let lead = (max_words / 4).min(3);
    let start = best
        .saturating_sub(lead)
        .max((last_hit + 1).saturating_sub(max_words));
    let end = start.saturating_add(max_words).min(words.len());
    mark(text, &words, &hits, start, end)
}

/// The whole of `text` (a title) with every matching word highlighted.
pub fn highlight(text: &str, query: &Query) -> Snippet {
    let words = words(text);
    let hits: Vec<bool> = words.iter().map(|w| query.matches(&w.folded)).collect();
    mark(text, &words, &hits, 0, words.len())
}

/// The text of words `start..end` (to the text's ends when they are the first or last word),
/// flattened to one line, matches highlighted, cuts shown with "…".
fn mark(text: &str, words: &[Word], hits: &[bool], start: usize, end: usize) -> Snippet {
    if words.is_empty() || start >= end {
        return Snippet {
            text: text.split_whitespace().collect::<Vec<_>>().join(" "),
            highlights: Vec::new(),
        };
    }
    let from = if start == 0 { 0 } else { words[start].start };
    let to = if end == words.len() {
        text.len()
    } else {
        words[end - 1].end
    };
    let mut out = String::new();
    let mut highlights = Vec::new();
    if from > 0 {
        out.push('…');
    }
    let mut chars = out.chars().count();
    let mut at = from;
    for (w, _) in words[start..end]
        .iter()
        .zip(&hits[start..end])
        .filter(|(_, h)| **h)
    {
        chars += push_flat(&mut out, &text[at..w.start]);
        let n = push_flat(&mut out, &text[w.start..w.end]);
        highlights.push((chars, chars + n));
        chars += n;
        at = w.end;
    }
    push_flat(&mut out, &text[at..to]);
    if to < text.len() {
        out.push('…');
    }
    Snippet {
        text: out,
        highlights,
    }
}

/// Appends text with each run of whitespace (line breaks included) made one space; returns the
/// characters appended.
fn push_flat(out: &mut String, s: &str) -> usize {
    let mut n = 0;
    for c in s.chars() {
        if c.is_whitespace() {
            if out.ends_with(' ') {
                continue;
            }
            out.push(' ');
        } else {
            out.push(c);
        }
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hamza_madda_and_wasla_fold_to_bare_alef() {
        assert_eq!(fold("أمن إدارة آخر ٱلله"), "امن اداره اخر الله");
    }

    #[test]
    fn ya_ta_marbuta_tatweel_and_harakat_fold() {
        assert_eq!(fold("مُصْطَفَى"), "مصطفي");
        assert_eq!(fold("المدرســـة"), "المدرسه");
        assert_eq!(fold("الْأَمْنُ الْوَطَنِيُّ"), "الامن الوطني");
    }

    #[test]
    fn digits_accents_and_case_fold() {
        assert_eq!(fold("٢٠٢٦ ۱۹"), "2026 19");
        assert_eq!(fold("Élysée À ÇA"), "elysee a ca");
        assert_eq!(fold("ﻻ"), "لا"); // presentation form ligature
    }

    #[test]
    fn folding_is_idempotent() {
        let s = "الْأَمْنُ الوطنيّ، Élysée ٢٠٢٦ ﻻ";
        assert_eq!(fold(&fold(s)), fold(s));
    }

    #[test]
    fn words_keep_their_marks_in_the_original() {
        let text = "قالَ الأمنُ، ثم";
        let w = words(text);
        assert_eq!(w.len(), 3);
        assert_eq!(&text[w[0].start..w[0].end], "قالَ");
        assert_eq!(&text[w[1].start..w[1].end], "الأمنُ");
        assert_eq!(w[1].folded, "الامن");
    }

    #[test]
    fn queries_are_text_never_syntax() {
        let q = Query::parse("الأمن \"الوطني المغربي\" sécur* OR -x NEAR(").unwrap();
        let fts = q.to_fts5();
        assert!(
            fts.starts_with("({title body} : \"الامن\" OR {title_stems body_stems} : (\"امن\"))"),
            "{fts}"
        );
        assert!(
            fts.contains("{title body} : \"الوطني المغربي\" OR"),
            "{fts}"
        );
        assert!(fts.contains("{title body} : \"secur\" *"), "{fts}");
        assert!(fts.contains("\"or\"") && fts.contains("\"near\"") && !fts.contains("NEAR("));
        assert!(Query::parse("  ، - * \"\" ").is_none());
        assert!(Query::parse("").is_none());
    }

    #[test]
    fn light_stems_drop_proclitics_only() {
        assert_eq!(stem("وميدلت"), "ميدلت");
        assert_eq!(stem("للامن"), "امن");
        assert_eq!(stem("والامن"), "امن");
        assert_eq!(stem("بالرباط"), "رباط");
        assert_eq!(stem("الوطني"), "وطني");
        assert_eq!(stem("ولد"), "ولد"); // too short to hold a conjunction
        assert_eq!(stem("ال"), "ال");
        assert_eq!(stem("elysee"), "elysee");
        assert_eq!(stems("وقال للامن الوطني"), "قال امن وطني");
    }

    #[test]
    fn a_root_initial_waw_still_matches_its_article_form() {
        // «وزير» may be و + زير or the root وزير: the query tries both.
        let q = Query::parse("وزير").unwrap();
        assert!(q.matches("الوزير") && q.matches("وزير") && q.matches("والوزير"));
        assert!(!q.matches("وزراء"));
    }

    #[test]
    fn snippet_quotes_the_original_spelling() {
        let body = "بدأ الاجتماع صباحاً. وقالت المديرية العامة للأمن الوطنيّ إن التحقيق مستمر.";
        let q = Query::parse("للامن الوطني").unwrap();
        let s = snippet(body, &q, 8);
        assert_eq!(s.marked("[", "]").matches('[').count(), 2);
        assert!(
            s.marked("[", "]").contains("[للأمن] [الوطنيّ]"),
            "{}",
            s.marked("[", "]")
        );
    }

    #[test]
    fn titles_are_highlighted_whole() {
        let q = Query::parse("beurre").unwrap();
        let t = "Les boulangers face à la flambée du prix du beurre";
        assert_eq!(
            highlight(t, &q).marked("[", "]"),
            "Les boulangers face à la flambée du prix du [beurre]"
        );
        assert_eq!(highlight("", &q).text, "");
    }

    #[test]
    fn snippet_finds_the_densest_window() {
        let body = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu";
        let q = Query::parse("kappa mu").unwrap();
        let s = snippet(body, &q, 4);
        assert!(s.text.starts_with('…'));
        assert_eq!(s.marked("<", ">"), "…iota <kappa> lambda <mu>");
    }
}
