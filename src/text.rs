//! Text helpers shared by extraction, folding and the content hash: whitespace, Unicode composition, prefixes, script
//! shares. Folding lives in [`crate::fold`], the labels in [`crate::vocab`].

/// Invisible format characters that break words for search and comparison without being text:
/// the zero-width space (U+200B), word joiner (U+2060), a zero-width no-break space (U+FEFF)
/// inside the text, and the Mongolian vowel separator (U+180E). Dropped from extracted text.
/// The soft hyphen (U+00AD) is kept, as the page prints it and as readers copy it (the peers'
/// expected texts keep it too); search folding and the content hash ignore it. The joiners
/// (U+200C, U+200D) and the bidirectional marks shape Arabic, Persian and mixed text, and are
/// kept.
pub const INVISIBLE: [char; 4] = ['\u{200b}', '\u{2060}', '\u{feff}', '\u{180e}'];

/// Collapses whitespace runs to one space and trims; drops [`INVISIBLE`] characters.
pub fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let visible;
    let s = if s.contains(INVISIBLE) {
        visible = s.replace(INVISIBLE, "");
        visible.as_str()
    } else {
        s
    };
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// `s` in Unicode's composed form (NFC), as the web's text is meant to be exchanged and as
/// search and comparison expect it: a letter written as two code points on one page and one on
/// another (Bengali য় as U+09AF U+09BC or U+09DF, Arabic أ as alef and hamza) reads the same.
/// Text already in NFC (most of it) is returned as it is.
pub fn nfc(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{IsNormalized, UnicodeNormalization};
    match unicode_normalization::is_nfc_quick(s.chars()) {
        IsNormalized::Yes => std::borrow::Cow::Borrowed(s),
        _ => std::borrow::Cow::Owned(s.nfc().collect()),
    }
}

/// How much text `s` holds, for weighing blocks against each other: its non-space characters,
/// a Han, kana or Hangul character counting as three (a sentence of Chinese or Japanese has a
/// third of the characters of the same sentence in a language written with an alphabet).
pub fn text_weight(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if c.is_whitespace() {
                0
            } else if is_ideographic(c) {
                3
            } else {
                1
            }
        })
        .sum()
}

fn is_ideographic(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}'   // hiragana, katakana
        | '\u{3400}'..='\u{4dbf}' // CJK extension A
        | '\u{4e00}'..='\u{9fff}' // CJK unified ideographs
        | '\u{ac00}'..='\u{d7af}' // Hangul syllables
        | '\u{f900}'..='\u{faff}' // CJK compatibility ideographs
    )
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
    fn ideographs_weigh_more() {
        assert_eq!(text_weight("ab c"), 3);
        assert_eq!(text_weight("梁振英"), 9);
        assert_eq!(text_weight("الأمن"), 5);
    }

    #[test]
    fn invisible_format_characters_leave_words_whole() {
        assert_eq!(
            collapse("Bundes\u{ad}tags\u{200b}wahl \u{feff}2025"),
            "Bundes\u{ad}tagswahl 2025"
        );
        // Joiners and bidirectional marks are text.
        assert_eq!(
            collapse("می\u{200c}خواهم \u{200f}١٢"),
            "می\u{200c}خواهم \u{200f}١٢"
        );
    }

    #[test]
    fn arabic_share_counts_letters() {
        assert!(arabic_share("الأمن الوطني") > 0.99);
        assert!(arabic_share("hello") < 0.01);
        assert_eq!(arabic_share("123"), 0.0);
    }
}
