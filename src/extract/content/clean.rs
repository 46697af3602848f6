//! The cleanup after rendering: paragraphs that are furniture in words (read-also lines,
//! next and previous labels, the headline again, bylines, share labels) are dropped.

use std::sync::LazyLock;

use crate::fold::fold;
use crate::vocab;

/// Paragraph filters applied after rendering, with what the page's metadata says.
pub struct Cleanup<'a> {
    pub title: Option<&'a str>,
    pub authors: &'a [String],
}

/// Drops paragraphs that are furniture: read-also lines, next/previous labels, the headline
/// repeated, bylines, share labels.
pub fn clean(paragraphs: Vec<String>, ctx: &Cleanup<'_>) -> Vec<String> {
    let title = ctx.title.map(fold);
    let authors: Vec<String> = ctx.authors.iter().map(|a| fold(a)).collect();
    let mut seen = std::collections::HashSet::new();
    paragraphs
        .into_iter()
        .filter(|p| {
            let f = fold(p);
            if f.is_empty() {
                return false;
            }
            let short = p.chars().count() < 120;
            if vocab::starts_with_any(&f, &vocab::READ_ALSO) && p.chars().count() < 300 {
                return false;
            }
            // "Next article: headline" is navigation; a sentence that starts with the words is not.
            if short
                && !p.trim_end().ends_with(['.', '!', '?', '؟', '…', '。'])
                && (vocab::starts_with_any(&f, &vocab::NEXT)
                    || vocab::starts_with_any(&f, &vocab::RECOMMENDATION)
                    || vocab::starts_with_any(&f, &vocab::PREVIOUS))
            {
                return false;
            }
            if title.as_deref() == Some(f.as_str()) {
                return false;
            }
            if short && (is_byline(&f) || authors.contains(&f)) {
                return false;
            }
            if short && vocab::SHARE_WORDS.iter().any(|w| f == *w) {
                return false;
            }
            // The same paragraph twice (mobile and desktop copies) is kept once.
            seen.insert(f)
        })
        .collect()
}

fn is_byline(folded: &str) -> bool {
    static WORDS: LazyLock<Vec<String>> =
        LazyLock::new(|| vocab::BODY_BYLINE_WORDS.iter().map(|w| fold(w)).collect());
    vocab::starts_with_any(folded, &WORDS) && folded.split(' ').count() <= 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleanup_drops_furniture_lines() {
        let ps = vec![
            "اقرأ أيضا: خبر آخر".to_string(),
            "بقلم: سعيد".to_string(),
            "نص المقال الحقيقي.".to_string(),
            "المقال التالي".to_string(),
            "نص المقال الحقيقي.".to_string(),
        ];
        let out = clean(
            ps,
            &Cleanup {
                title: None,
                authors: &[],
            },
        );
        assert_eq!(out, vec!["نص المقال الحقيقي.".to_string()]);
    }
}
