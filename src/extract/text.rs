//! Text helpers shared by the extractors: whitespace, labels in Arabic/French/English, folding.

use std::sync::LazyLock;

/// Collapses whitespace runs to one space and trims.
pub fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A loose form for comparing labels and headlines: lower case, Arabic letter variants folded,
/// tatweel and harakat dropped, punctuation and arrows turned into spaces, whitespace collapsed.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            // Fast path: most of a page's markup text is ASCII.
            match c {
                'A'..='Z' => out.push(c.to_ascii_lowercase()),
                'a'..='z' | '0'..='9' => out.push(c),
                '\'' => out.push('\''),
                _ => out.push(' '),
            }
            continue;
        }
        let c = match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' => 'ي',
            'ة' => 'ه',
            '\u{640}' => continue,                         // tatweel
            '\u{64B}'..='\u{65F}' | '\u{670}' => continue, // harakat
            '’' => '\'',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        out.extend(c.to_lowercase());
    }
    collapse(&out)
}

/// The first `max` bytes of `s`, cut at a character boundary.
pub fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Labels of a link to the next article (folded forms are compared).
pub const NEXT_LABELS: &[&str] = &[
    "المقال التالي",
    "المقال اللاحق",
    "المقالة التالية",
    "الخبر التالي",
    "الخبر الموالي",
    "الخبر اللاحق",
    "المقال الموالي",
    "الموضوع التالي",
    "article suivant",
    "l'article suivant",
    "next article",
    "next story",
    "next post",
    "up next",
    "read next",
    "newer post",
    "à lire ensuite",
    "a lire ensuite",
    "lire l'article suivant",
];

/// Labels of a link to the previous article.
pub const PREVIOUS_LABELS: &[&str] = &[
    "المقال السابق",
    "الخبر السابق",
    "المقالة السابقة",
    "الموضوع السابق",
    "article précédent",
    "previous article",
    "previous story",
    "previous post",
    "prev article",
];

/// Openers of "read also" boxes, which are never article text.
pub const READ_ALSO_LABELS: &[&str] = &[
    "اقرأ أيضا",
    "اقرأ ايضا",
    "إقرأ أيضا",
    "اقرأ كذلك",
    "اقرأ المزيد",
    "شاهد أيضا",
    "مواضيع ذات صلة",
    "مقالات ذات صلة",
    "أخبار ذات صلة",
    "ذات صلة",
    "lire aussi",
    "à lire aussi",
    "a lire aussi",
    "voir aussi",
    "lire la suite",
    "read also",
    "read more",
    "see also",
    "related",
    "related articles",
    "related stories",
    "more on this story",
];

/// The label lists in folded form, computed once.
pub static NEXT: LazyLock<Vec<String>> = LazyLock::new(|| fold_all(NEXT_LABELS));
pub static PREVIOUS: LazyLock<Vec<String>> = LazyLock::new(|| fold_all(PREVIOUS_LABELS));
pub static READ_ALSO: LazyLock<Vec<String>> = LazyLock::new(|| fold_all(READ_ALSO_LABELS));

fn fold_all(labels: &[&str]) -> Vec<String> {
    labels.iter().map(|l| fold(l)).collect()
}

/// Whether `folded` is the folded `label` or begins with it as whole words.
pub fn starts_with_label(folded: &str, label: &str) -> bool {
    !label.is_empty()
        && (folded == label
            || folded
                .strip_prefix(label)
                .is_some_and(|rest| rest.starts_with(' ')))
}

/// Like [`starts_with_label`] for a label not yet folded.
pub fn starts_with_word(folded: &str, raw_label: &str) -> bool {
    starts_with_label(folded, &fold(raw_label))
}

/// Whether the folded text begins with any of the folded labels.
pub fn starts_with_any(folded: &str, labels: &[String]) -> bool {
    labels.iter().any(|l| starts_with_label(folded, l))
}

/// The share of Arabic letters among the letters of `s` (0.0 with no letters).
pub fn arabic_share(s: &str) -> f64 {
    let (mut arabic, mut letters) = (0usize, 0usize);
    for c in s.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        if ('\u{600}'..='\u{6FF}').contains(&c) || ('\u{750}'..='\u{77F}').contains(&c) {
            arabic += 1;
        }
    }
    if letters == 0 {
        0.0
    } else {
        arabic as f64 / letters as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_ignores_decorations_and_variants() {
        assert_eq!(fold("  المقال التالي »"), "المقال التالي");
        assert_eq!(fold("Article suivant →"), "article suivant");
        assert_eq!(fold("إقرأ أيضاً"), "اقرا ايضا");
        assert_eq!(fold("المقـــال"), "المقال");
    }

    #[test]
    fn labels_match_whole_words() {
        assert!(starts_with_label(
            &fold("المقال التالي: عنوان"),
            "المقال التالي"
        ));
        assert!(starts_with_word(&fold("Next article"), "next article"));
        assert!(!starts_with_label(
            &fold("Next articles list"),
            "next article"
        ));
        assert!(starts_with_any(&fold("اقرأ أيضاً: خبر"), &READ_ALSO));
    }

    #[test]
    fn arabic_share_counts_letters() {
        assert!(arabic_share("الأمن الوطني") > 0.99);
        assert!(arabic_share("hello") < 0.01);
        assert_eq!(arabic_share("123"), 0.0);
    }
}
