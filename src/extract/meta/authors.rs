//! Authors: structured data, meta tags and bylines, cleaned to names.

use super::*;

/// Authors from structured data, meta tags, author markup or a byline, without "By"/"بقلم"/"Par".
pub fn authors(doc: &Html, ld: &StructuredData) -> Vec<String> {
    let from_ld = clean_names(ld.authors.iter().map(String::as_str));
    if !from_ld.is_empty() {
        return from_ld;
    }
    if let Some(m) = meta_content(
        doc,
        &[
            "author",
            "article:author",
            "byl",
            "dc.creator",
            "parsely-author",
            "sailthru.author",
        ],
    ) && !m.starts_with("http")
    {
        let names = clean_names(std::iter::once(m.as_str()));
        if !names.is_empty() {
            return names;
        }
    }
    for el in doc.select(&AUTHOR_ELEMENTS) {
        if in_chrome(el) || in_furniture(el) {
            continue;
        }
        let hints = class_and_id(el.value());
        if [
            "bio", "avatar", "img", "image", "photo", "box", "list", "social", "more",
        ]
        .iter()
        .any(|w| hints.contains(w))
        {
            continue;
        }
        let Some(text) = short_text(el, 200).filter(|t| !t.is_empty() && t.chars().count() <= 100)
        else {
            continue;
        };
        let names = clean_names(std::iter::once(text.as_str()));
        if !names.is_empty() {
            return names;
        }
    }
    byline_authors(doc)
}

/// A short text node that begins with a byline word.
fn byline_authors(doc: &Html) -> Vec<String> {
    static P_LIKE: LazyLock<Selector> = LazyLock::new(|| sel("p, span, div, em, strong, address"));
    for el in doc.select(&P_LIKE) {
        let first_text = el
            .children()
            .find_map(|c| c.value().as_text().filter(|t| !t.trim().is_empty()));
        let own = first_text.map(|t| t.trim()).unwrap_or("");
        if !(starts_with_byline_word(own) || own.is_empty() || own.chars().count() <= 8) {
            continue;
        }
        // Cheap checks first: the text must begin with a byline word and be short.
        let Some(full) = short_text(el, 160).filter(|t| t.chars().count() <= 80) else {
            continue;
        };
        if !starts_with_byline_word(&full) || in_chrome(el) || in_furniture(el) {
            continue;
        }
        let names = clean_names(std::iter::once(full.as_str()));
        if !names.is_empty() {
            return names;
        }
    }
    Vec::new()
}

fn starts_with_byline_word(s: &str) -> bool {
    static WORDS: LazyLock<Vec<String>> = LazyLock::new(|| {
        vocab::BYLINE_WORDS
            .iter()
            .filter(|w| !vocab::BYLINE_WORDS_NOT_OPENING.contains(w))
            .map(|w| fold(w))
            .collect()
    });
    if s.trim().is_empty() {
        return false;
    }
    vocab::starts_with_any(&fold(text::prefix(s, 64)), &WORDS)
}

/// Normalises author strings: prefixes dropped, lists split, dates and junk refused, de-duplicated.
pub fn clean_names<'a>(raw: impl Iterator<Item = &'a str>) -> Vec<String> {
    static SPLIT: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"\s*(?:,|،|;|&|\band\b|\bet\b|\|| و )\s*").unwrap());
    let mut out: Vec<String> = Vec::new();
    for r in raw {
        let mut s = collapse(r);
        s = strip_byline_prefix(&s);
        s = strip_byline_tail(&s).to_string();
        for part in SPLIT.split(&s).flat_map(split_attached_and) {
            let name = strip_byline_prefix(part.trim())
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_string();
            if is_plausible_name(&name) && !out.iter().any(|o| fold(o) == fold(&name)) {
                out.push(name);
            }
        }
    }
    out
}

/// Arabic writes "and" attached to the next name: «سعيد الإدريسي وليلى بنعمر» is two authors.
/// Split at a word beginning with و when both sides keep at least two words and the word is not
/// a name that itself begins with و (وليد, وفاء, ...).
fn split_attached_and(part: &str) -> Vec<String> {
    let words: Vec<&str> = part.split_whitespace().collect();
    if words.len() >= 4 {
        for i in 2..=words.len() - 2 {
            let w = words[i];
            if let Some(rest) = w.strip_prefix('و')
                && rest.chars().count() >= 2
                && !vocab::WAW_NAMES.contains(&w)
            {
                let second = std::iter::once(rest).chain(words[i + 1..].iter().copied());
                return vec![words[..i].join(" "), second.collect::<Vec<_>>().join(" ")];
            }
        }
    }
    vec![part.to_string()]
}

fn strip_byline_prefix(s: &str) -> String {
    let mut s = s
        .trim()
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .to_string();
    loop {
        let lower = s.to_lowercase();
        let mut changed = false;
        for w in vocab::BYLINE_WORDS {
            if let Some(rest) = lower.strip_prefix(w)
                && (rest.starts_with([' ', ':', '\u{a0}', '-', '،']) || rest.is_empty())
            {
                let cut = s.len() - rest.len();
                s = s[cut..]
                    .trim_start_matches(|c: char| {
                        c.is_whitespace() || c == ':' || c == '-' || c == '،'
                    })
                    .to_string();
                changed = true;
                break;
            }
        }
        if !changed {
            return s;
        }
    }
}

/// Removes what follows a name in a byline: "(avec AFP)", " - الرباط", "| 20 novembre".
fn strip_byline_tail(s: &str) -> &str {
    let mut end = s.len();
    for sep in [" (", "(", " - ", " – ", " — ", " | ", " / "] {
        if let Some(i) = s.find(sep).filter(|i| *i > 0) {
            end = end.min(i);
        }
    }
    s[..end].trim()
}

fn is_plausible_name(name: &str) -> bool {
    if vocab::JOB_TITLES.iter().any(|t| fold(t) == fold(name)) {
        return false;
    }
    let chars = name.chars().count();
    let words = name.split_whitespace().count();
    (2..=60).contains(&chars)
        && (1..=6).contains(&words)
        && !name
            .chars()
            .any(|c| c.is_ascii_digit() || ('٠'..='٩').contains(&c))
        && !name.contains("http")
        && !name.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn author_names_are_cleaned() {
        assert_eq!(
            clean_names(["بقلم: سعيد الإدريسي"].into_iter()),
            vec!["سعيد الإدريسي"]
        );
        assert_eq!(
            clean_names(["By Jane Doe and John Smith"].into_iter()),
            vec!["Jane Doe", "John Smith"]
        );
        assert_eq!(
            clean_names(["Par Jean Dupont"].into_iter()),
            vec!["Jean Dupont"]
        );
        assert!(clean_names(["20 novembre 2026"].into_iter()).is_empty());
        assert_eq!(
            clean_names(["بقلم: سعيد الإدريسي - الرباط"].into_iter()),
            vec!["سعيد الإدريسي"]
        );
        assert_eq!(
            clean_names(["Par Claire Martin (avec AFP)"].into_iter()),
            vec!["Claire Martin"]
        );
        assert_eq!(
            clean_names(["By Jane Doe, Staff Reporter"].into_iter()),
            vec!["Jane Doe"]
        );
    }
}
