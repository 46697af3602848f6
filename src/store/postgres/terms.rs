//! PostgreSQL's search index, computed by arshif as for FTS5: a version's folded words and
//! light stems as one weighted `tsvector` (A title, B title stems, C body, D body stems), and a
//! typed query as the `tsquery` that matches the same versions as its FTS5 expression.

use crate::search::{Query, is_word_char};

/// PostgreSQL keeps word positions up to this one (later words share it).
const MAX_POSITION: usize = 16_383;
/// Nor more positions than these for one word, nor longer words (bytes).
const MAX_POSITIONS_PER_WORD: usize = 255;
const MAX_WORD_BYTES: usize = 2_000;

/// The `tsvector` literal of a version's indexed values (`[title, body, title_stems,
/// body_stems]`, as `index::indexed_values` makes them). Each column's words follow the last
/// one's, so that no phrase spans two columns of the same weight.
pub(in crate::store) fn tsvector(values: &[String; 4]) -> String {
    let [title, body, title_stems, body_stems] = values;
    let mut words: std::collections::BTreeMap<&str, Vec<(usize, char)>> = Default::default();
    let mut position = 0;
    for (text, weight) in [
        (title, 'A'),
        (title_stems, 'B'),
        (body, 'C'),
        (body_stems, 'D'),
    ] {
        for word in text
            .split(|c: char| !is_word_char(c))
            .filter(|w| !w.is_empty())
        {
            position = (position + 1).min(MAX_POSITION);
            if word.len() > MAX_WORD_BYTES {
                continue;
            }
            let at = words.entry(word).or_default();
            if at.len() < MAX_POSITIONS_PER_WORD && at.last() != Some(&(position, weight)) {
                at.push((position, weight));
            }
        }
        // A gap between columns.
        position = (position + 1).min(MAX_POSITION);
    }
    let mut out = String::new();
    for (word, at) in words {
        if !out.is_empty() {
            out.push(' ');
        }
        push_quoted(&mut out, word);
        out.push(':');
        let spots: Vec<String> = at.iter().map(|(p, w)| format!("{p}{w}")).collect();
        out.push_str(&spots.join(","));
    }
    out
}

/// The `tsquery` literal for a parsed query: every term, as a phrase in the title or body
/// (weights A, C) or by its light stems in the stem columns (B, D), the last word a prefix when
/// asked. Nothing typed is read as query syntax: every word is quoted.
pub(crate) fn tsquery(query: &Query) -> String {
    query
        .terms
        .iter()
        .map(|t| {
            let exact = phrase(t.words.iter().map(String::as_str), t.prefix, "AC");
            let mut variants = vec![exact];
            for f in [crate::search::stem, crate::search::stem_keeping_conjunction] {
                let v = phrase(t.words.iter().map(|w| f(w)), t.prefix, "BD");
                if !variants.contains(&v) {
                    variants.push(v);
                }
            }
            format!("({})", variants.join(" | "))
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// Words as a phrase of quoted lexemes (`<->`), each limited to `weights`. A word the index
/// would split (it never is, once folded) is split the same way.
fn phrase<'a>(words: impl Iterator<Item = &'a str>, prefix: bool, weights: &str) -> String {
    let lexemes: Vec<&str> = words
        .flat_map(|w| w.split(|c: char| !is_word_char(c)))
        .filter(|w| !w.is_empty())
        .collect();
    let n = lexemes.len();
    let parts: Vec<String> = lexemes
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let mut s = String::new();
            push_quoted(&mut s, w);
            s.push(':');
            if prefix && i + 1 == n {
                s.push('*');
            }
            s.push_str(weights);
            s
        })
        .collect();
    format!("({})", parts.join(" <-> "))
}

/// A lexeme in single quotes, with `'` and `\` escaped as PostgreSQL's literal syntax wants.
fn push_quoted(out: &mut String, word: &str) {
    out.push('\'');
    for c in word.chars() {
        if c == '\'' || c == '\\' {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_take_their_weights_and_positions_follow_on() {
        let v = tsvector(&[
            "عنوان".into(),
            "قال الامين".into(),
            "عنوان".into(),
            "قال امين".into(),
        ]);
        assert_eq!(v, "'الامين':6C 'امين':9D 'عنوان':1A,3B 'قال':5C,8D");
    }

    #[test]
    fn typed_text_is_never_query_syntax() {
        let q = Query::parse("الأمن \"it's a\\b\" sécur* & | !").unwrap();
        let t = tsquery(&q);
        assert!(
            t.contains("('it':AC <-> 's':AC <-> 'a':AC <-> 'b':AC)"),
            "{t}"
        );
        assert!(t.contains("'secur':*AC"), "{t}");
        assert!(!t.contains(" & |"), "{t}");
        assert_eq!(t.matches(" & ").count() + 1, q.terms.len());
        let mut quoted = String::new();
        push_quoted(&mut quoted, "it's\\");
        assert_eq!(quoted, "'it''s\\\\'");
    }
}
