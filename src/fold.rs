//! One Arabic folding: the character rules that make two spellings of a word compare equal
//! (hamza and wasla on alef, alef maqsura, ta marbuta, tatweel, harakat, Persian letter forms,
//! Eastern digits), and the three foldings built on them: [`fold`] for labels, headlines and
//! names, [`fold_date`] for the date parser, [`fold_search`] for the search index.
//!
//! The three share one letter table ([`arabic`]) and differ only in the [`Rules`] they pass it
//! and in what each does around it (case, punctuation, Latin accents, invisible characters).
//! They differ because they were written for different readers, and they stay apart because
//! each one's output is kept somewhere: labels are compared with the vocabulary, dates are
//! matched by patterns written against their folded form, and the search folding is what the
//! FTS5 index of every existing archive holds. Changing a rule of one changes that output.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// The rules a folding applies beyond the ones every folding shares (alef with hamza, madda or
/// wasla → ا, ى → ي, ة → ه, tatweel and harakat dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Persian and Urdu forms of Arabic letters fold into the Arabic ones: Farsi yeh ی → ي,
    /// keheh ک → ك.
    pub persian_letters: bool,
    /// Alef with wavy hamza above or below (ٲ ٳ, Kashmiri and Urdu) folds to bare alef.
    pub wavy_hamza: bool,
    /// Arabic-Indic (٠–٩) and Eastern Arabic-Indic (۰–۹) digits become ASCII digits.
    pub ascii_digits: bool,
}

/// [`fold`]'s rules: Arabic letter variants only; digits and Persian letters stay as written.
pub const LABEL_RULES: Rules = Rules {
    persian_letters: false,
    wavy_hamza: false,
    ascii_digits: false,
};

/// [`fold_date`]'s rules: Persian letters and every digit folded, so «۲۰ نوامبر» reads as a date.
pub const DATE_RULES: Rules = Rules {
    persian_letters: true,
    wavy_hamza: false,
    ascii_digits: true,
};

/// [`fold_search`]'s rules: everything.
pub const SEARCH_RULES: Rules = Rules {
    persian_letters: true,
    wavy_hamza: true,
    ascii_digits: true,
};

/// What the letter table does to a character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Letter {
    /// The character is written as this one.
    To(char),
    /// The character is dropped.
    Dropped,
}

/// Tatweel (kashida), the stretching stroke between joined letters.
pub const TATWEEL: char = '\u{0640}';

/// The shared letter table: what `c` folds to under `rules`, None when no rule names it.
pub fn arabic(c: char, rules: Rules) -> Option<Letter> {
    use Letter::{Dropped, To};
    Some(match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => To('ا'),
        'ٲ' | 'ٳ' if rules.wavy_hamza => To('ا'),
        'ى' => To('ي'),
        'ی' if rules.persian_letters => To('ي'),
        'ک' if rules.persian_letters => To('ك'),
        'ة' => To('ه'),
        TATWEEL => Dropped,
        c if is_harakah(c) => Dropped,
        '٠'..='٩' if rules.ascii_digits => To(ascii_digit(c, '٠')),
        '۰'..='۹' if rules.ascii_digits => To(ascii_digit(c, '۰')),
        _ => return None,
    })
}

/// Harakat and the other Arabic marks written over or under letters (U+064B–U+065F), and the
/// superscript alef (U+0670).
pub fn is_harakah(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}')
}

fn ascii_digit(c: char, zero: char) -> char {
    char::from(b'0' + (c as u32 - zero as u32) as u8)
}

/// Characters of zero width that every folding drops: the zero-width space, non-joiner and
/// joiner, the left-to-right and right-to-left marks (U+200B–U+200F), the zero-width no-break
/// space (U+FEFF) and the soft hyphen (U+00AD).
fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{FEFF}' | '\u{00AD}')
}

/// A loose form for comparing labels, headlines and names: lower case, Arabic letter variants
/// folded ([`LABEL_RULES`]), tatweel and harakat dropped, `’` read as `'`, every other
/// character that is not a letter or a digit (punctuation, arrows, invisible marks) a space,
/// whitespace collapsed.
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
        match arabic(c, LABEL_RULES) {
            Some(Letter::To(f)) => out.push(f),
            Some(Letter::Dropped) => {}
            None if c == '’' => out.push('\''),
            None if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            None => out.push(' '),
        }
    }
    crate::text::collapse(&out)
}

/// The form dates are parsed in ([`DATE_RULES`]): digits ASCII, Arabic letter variants folded,
/// marks dropped (harakat, tatweel, Latin combining accents, zero-width and bidirectional
/// controls), the Arabic comma a comma, dashes and the minus sign a hyphen, lower case, French
/// accents folded ([`fold_french_accent`]), whitespace runs one space (none at the start).
pub fn fold_date(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.chars() {
        let Some(m) = date_char(c) else { continue };
        if m == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = false;
        if m.is_ascii() {
            out.push(m.to_ascii_lowercase());
        } else {
            out.extend(m.to_lowercase().map(fold_french_accent));
        }
    }
    out
}

/// One character of [`fold_date`] before case: the letter table, then the date's own rules.
fn date_char(c: char) -> Option<char> {
    match arabic(c, DATE_RULES) {
        Some(Letter::To(f)) => return Some(f),
        Some(Letter::Dropped) => return None,
        None => {}
    }
    match c {
        // Combining accents, invisible format marks, bidirectional embeddings and isolates.
        '\u{0300}'..='\u{036F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => None,
        c if is_zero_width(c) => None,
        '،' => Some(','),
        '\u{2010}'..='\u{2015}' | '\u{2212}' => Some('-'),
        c if c.is_whitespace() => Some(' '),
        c => Some(c),
    }
}

/// Accented lower-case Latin vowels and `ç` as their base letters (French month and day names
/// are written against this form: «décembre» is `decembre`); other accented letters stay.
pub fn fold_french_accent(c: char) -> char {
    match c {
        'à' | 'â' | 'ä' | 'á' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'î' | 'ï' | 'í' => 'i',
        'ô' | 'ö' | 'ó' => 'o',
        'ù' | 'û' | 'ü' | 'ú' => 'u',
        'ç' => 'c',
        c => c,
    }
}

/// The search index's folding ([`SEARCH_RULES`]): compatibility forms decomposed (presentation
/// forms, ligatures, full-width letters), every combining mark dropped (harakat, hamza and
/// madda over alef, Latin accents), invisible characters dropped ([`is_search_invisible`]),
/// the letter table applied, lower case. Punctuation and spaces stay as written.
pub fn fold_search(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_search_char(c, |f| out.push(f));
    }
    out
}

/// Folds one character for search, calling `emit` for each character of the result (often
/// none or one).
pub fn fold_search_char(c: char, mut emit: impl FnMut(char)) {
    if c.is_ascii() {
        emit(c.to_ascii_lowercase());
        return;
    }
    decompose_compatible(c, |d| {
        if is_combining_mark(d) || is_search_invisible(d) {
            return;
        }
        match arabic(d, SEARCH_RULES) {
            Some(Letter::To(f)) => emit(f),
            Some(Letter::Dropped) => {}
            None => d
                .to_lowercase()
                .filter(|l| !is_combining_mark(*l))
                .for_each(&mut emit),
        }
    });
}

/// Characters that only shape or join text, which search drops: tatweel, the zero-width
/// characters (`is_zero_width`), the word joiner (U+2060) and the Arabic letter mark (U+061C).
/// (The date folding drops the bidirectional embeddings instead of the last two; each set is
/// what its stored output was made with.)
pub fn is_search_invisible(c: char) -> bool {
    matches!(c, TATWEEL | '\u{2060}' | '\u{061C}') || is_zero_width(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Representative inputs and what each folding makes of them. The search column is what
    /// the FTS5 index of existing archives holds: it never changes.
    const CASES: &[(&str, &str, &str, &str)] = &[
        // (input, fold, fold_date, fold_search)
        (
            "  المقال التالي »",
            "المقال التالي",
            "المقال التالي »",
            "  المقال التالي »",
        ),
        ("إقرأ أيضاً", "اقرا ايضا", "اقرا ايضا", "اقرا ايضا"),
        ("المقـــال", "المقال", "المقال", "المقال"),
        ("الْأَمْنُ الْوَطَنِيُّ", "الامن الوطني", "الامن الوطني", "الامن الوطني"),
        (
            "أمن إدارة آخر ٱلله",
            "امن اداره اخر الله",
            "امن اداره اخر الله",
            "امن اداره اخر الله",
        ),
        ("مُصْطَفَى", "مصطفي", "مصطفي", "مصطفي"),
        ("المدرســـة", "المدرسه", "المدرسه", "المدرسه"),
        ("ٲحمد ٳسم", "ٲحمد ٳسم", "ٲحمد ٳسم", "احمد اسم"),
        ("کتاب یک", "کتاب یک", "كتاب يك", "كتاب يك"),
        ("٢٠٢٦ ۱۹", "٢٠٢٦ ۱۹", "2026 19", "2026 19"),
        ("Élysée À ÇA", "élysée à ça", "elysee a ca", "elysee a ca"),
        ("Niño ñ", "niño ñ", "niño ñ", "nino n"),
        ("ﻻ ﺃ", "ﻻ ﺃ", "ﻻ ﺃ", "لا ا"),
        (
            "20 نونبر، 2026 – 09:30",
            "20 نونبر 2026 09 30",
            "20 نونبر, 2026 - 09:30",
            "20 نونبر، 2026 – 09:30",
        ),
        ("Next Post →", "next post", "next post →", "next post →"),
        ("l’article", "l'article", "l’article", "l’article"),
        (
            "a\u{200b}b\u{2060}c\u{061c}d\u{202b}e\u{ad}f",
            "a b c d e f",
            "ab\u{2060}c\u{61c}def",
            "abcd\u{202b}ef",
        ),
        ("  a \t\n b  ", "a b", "a b ", "  a \t\n b  "),
    ];

    #[test]
    fn each_folding_keeps_its_output() {
        for (input, label, date, search) in CASES {
            assert_eq!(fold(input), *label, "fold {input:?}");
            assert_eq!(fold_date(input), *date, "fold_date {input:?}");
            assert_eq!(fold_search(input), *search, "fold_search {input:?}");
        }
    }

    #[test]
    fn search_folding_is_idempotent() {
        for (input, ..) in CASES {
            let once = fold_search(input);
            assert_eq!(fold_search(&once), once);
        }
    }
}
