//! The article's language: what the page declares, checked against what its text is.

use super::*;

/// The declared language: `<html lang>`, `Content-Language`, `og:locale`, or structured data.
pub fn declared_language(doc: &Html, ld: &StructuredData) -> Option<String> {
    doc.select(&HTML)
        .next()
        .and_then(|h| {
            h.value()
                .attr("lang")
                .or_else(|| h.value().attr("xml:lang"))
                .map(str::to_string)
        })
        .or_else(|| {
            meta_content(
                doc,
                &["content-language", "og:locale", "language", "dc.language"],
            )
        })
        .or_else(|| {
            doc.select(&META)
                .find(|m| {
                    m.value()
                        .attr("http-equiv")
                        .is_some_and(|h| h.eq_ignore_ascii_case("content-language"))
                })
                .and_then(|m| m.value().attr("content").map(str::to_string))
        })
        .or_else(|| ld.language.clone())
        .and_then(|l| normalize_language_tag(&l))
}

/// `en_us` -> `en-US`, `AR` -> `ar`; None for junk.
pub fn normalize_language_tag(tag: &str) -> Option<String> {
    let tag = tag
        .trim()
        .split([',', ';'])
        .next()?
        .trim()
        .replace('_', "-");
    let mut parts = tag.split('-');
    let primary = parts.next()?.to_ascii_lowercase();
    if !(2..=3).contains(&primary.len()) || !primary.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    match parts.next() {
        Some(region) if region.len() == 2 && region.chars().all(|c| c.is_ascii_alphabetic()) => {
            Some(format!("{primary}-{}", region.to_ascii_uppercase()))
        }
        _ => Some(primary),
    }
}

/// The language: the declared one unless the body's own language contradicts it.
pub fn language(declared: Option<String>, body: &str, title: Option<&str>) -> Option<String> {
    let sample: String = title
        .into_iter()
        .chain(std::iter::once(body))
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(1200)
        .collect();
    let detected = detect_language(&sample);
    match (declared, detected) {
        (Some(d), Some(det)) => {
            let primary = d.split('-').next().unwrap_or("").to_string();
            if primary == det.0 || !det.1 {
                Some(d)
            } else {
                Some(det.0.to_string())
            }
        }
        (Some(d), None) => Some(d),
        (None, Some(det)) => Some(det.0.to_string()),
        (None, None) => None,
    }
}

/// (ISO 639-1 code, reliable) of the text's language.
fn detect_language(sample: &str) -> Option<(&'static str, bool)> {
    if sample.trim().chars().count() < 20 {
        return None;
    }
    // Script decides Arabic on its own: whatlang may call short Arabic text Persian or Urdu.
    if text::arabic_share(sample) > 0.6 {
        let info = whatlang::detect(sample);
        let code = info
            .as_ref()
            .and_then(|i| iso639_1(i.lang()))
            .filter(|c| matches!(*c, "fa" | "ur"));
        return Some(match code {
            Some(c) if info.as_ref().is_some_and(|i| i.is_reliable()) => (c, true),
            _ => ("ar", true),
        });
    }
    let info = whatlang::detect(sample)?;
    Some((
        iso639_1(info.lang())?,
        info.is_reliable() && info.confidence() > 0.5,
    ))
}

fn iso639_1(lang: whatlang::Lang) -> Option<&'static str> {
    use whatlang::Lang::*;
    Some(match lang {
        Ara => "ar",
        Fra => "fr",
        Eng => "en",
        Spa => "es",
        Deu => "de",
        Ita => "it",
        Por => "pt",
        Nld => "nl",
        Tur => "tr",
        Rus => "ru",
        Pes => "fa",
        Urd => "ur",
        Heb => "he",
        Pol => "pl",
        Ukr => "uk",
        Swe => "sv",
        Dan => "da",
        Fin => "fi",
        Ell => "el",
        Cmn => "zh",
        Jpn => "ja",
        Kor => "ko",
        Hin => "hi",
        Ind => "id",
        Ron => "ro",
        Hun => "hu",
        Ces => "cs",
        Cat => "ca",
        Vie => "vi",
        Tha => "th",
        Nob => "nb",
        Bul => "bg",
        Srp => "sr",
        Hrv => "hr",
        Slk => "sk",
        Slv => "sl",
        Lit => "lt",
        Lav => "lv",
        Est => "et",
        Aze => "az",
        Ben => "bn",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn language_tags_normalise() {
        assert_eq!(normalize_language_tag("en_us").as_deref(), Some("en-US"));
        assert_eq!(normalize_language_tag("AR").as_deref(), Some("ar"));
        assert_eq!(
            normalize_language_tag("fr-FR,fr;q=0.9").as_deref(),
            Some("fr-FR")
        );
        assert_eq!(normalize_language_tag("??"), None);
    }

    #[test]
    fn arabic_body_overrides_a_wrong_declaration() {
        let body = "يبرز المدير العام للأمن الوطني ولمراقبة التراب الوطني كأحد أبرز المهندسين الفعليين لتحول عميق في السياسة الأمنية المغربية.";
        assert_eq!(
            language(Some("en-US".into()), body, None).as_deref(),
            Some("ar")
        );
        assert_eq!(
            language(Some("ar-MA".into()), body, None).as_deref(),
            Some("ar-MA")
        );
    }
}
