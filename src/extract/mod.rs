//! Extraction: a pure function from HTML and its URL to an [`Article`] (title, body, dates,
//! authors, language, canonical URL). No I/O, no clock: the fetch time is passed in.

pub mod content;
pub mod dates;
pub mod depth;
pub mod meta;

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use scraper::{Html, Selector};
use url::Url;

use crate::config::SiteRules;
use crate::model::Article;
use crate::text;

/// Bumped whenever the extractor's output can change, so that the crawler re-extracts an old
/// capture before comparing it with a new one (no false versions after an upgrade).
pub const EXTRACTOR_VERSION: &str = "arshif-extract/4";

/// What extraction needs besides the page.
#[derive(Debug, Clone)]
pub struct ExtractOptions<'a> {
    /// Zone for dates written without one.
    pub timezone: Tz,
    /// When the page was fetched: the anchor for relative dates («منذ يومين»).
    pub fetched_at: Option<DateTime<Utc>>,
    pub rules: &'a SiteRules,
}

/// Parses HTML into a tree, nesting capped at [`depth::MAX_DEPTH`].
pub fn parse(html: &str) -> Html {
    Html::parse_document(&depth::prepare_for_parse(html, depth::MAX_DEPTH))
}

/// The URL relative links resolve against: `<base href>` if valid, else the page URL.
pub fn base_url(doc: &Html, page: &Url) -> Url {
    static BASE: LazyLock<Selector> = LazyLock::new(|| Selector::parse("base[href]").unwrap());
    doc.select(&BASE)
        .next()
        .and_then(|b| b.value().attr("href"))
        .and_then(|h| page.join(h.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or_else(|| page.clone())
}

/// Extracts the article from an already parsed page.
pub fn extract(doc: &Html, url: &Url, opts: &ExtractOptions<'_>) -> Article {
    let ld = meta::structured_data(doc);
    let site = meta::site_name(doc);
    let title = match &opts.rules.title_selector {
        Some((_, sel)) => doc
            .select(sel)
            .next()
            .map(|e| text::collapse(&e.text().collect::<String>()))
            .filter(|t| !t.is_empty())
            .or_else(|| meta::title(doc, &ld, site.as_deref())),
        None => meta::title(doc, &ld, site.as_deref()),
    };
    let authors = meta::authors(doc, &ld);
    let raw = match &opts.rules.body_selector {
        Some((_, sel)) => content::selected_body(doc, sel),
        None => content::generic_body(doc),
    };
    let mut paragraphs = content::clean(
        raw.paragraphs,
        &content::Cleanup {
            title: title.as_deref(),
            authors: &authors,
        },
    );
    if opts.rules.body_selector.is_none() {
        paragraphs = prefer_structured_body(paragraphs, ld.article_body.as_deref());
    }
    let body = text::nfc(&paragraphs.join("\n\n")).into_owned();
    let title = title.map(|t| text::nfc(&t).into_owned());
    let authors: Vec<String> = authors.iter().map(|a| text::nfc(a).into_owned()).collect();
    let declared = meta::declared_language(doc, &ld);
    let language = meta::language(declared, &body, title.as_deref());
    let base = base_url(doc, url);
    Article {
        published_at: meta::published_at(doc, &ld, url, opts.timezone, opts.fetched_at),
        modified_at: meta::modified_at(doc, &ld, opts.timezone),
        canonical_url: meta::canonical(doc, &base).map(|u| u.to_string()),
        title,
        body,
        authors,
        language,
    }
}

/// Uses the JSON-LD `articleBody` when the page's own text holds less than a third of it: the
/// publisher declares the article's text there, and a page drawn by scripts, or showing a
/// teaser, holds only a part of it in its markup.
fn prefer_structured_body(paragraphs: Vec<String>, structured: Option<&str>) -> Vec<String> {
    let dom_chars: usize = paragraphs.iter().map(|p| p.chars().count()).sum();
    match structured {
        Some(s) if s.chars().count() > 200 && s.chars().count() > dom_chars * 3 => s
            .split("\n\n")
            .flat_map(|p| p.split('\n'))
            .map(text::collapse)
            .filter(|p| !p.is_empty())
            .collect(),
        _ => paragraphs,
    }
}

/// Parses and extracts in one step.
pub fn extract_html(html: &str, url: &Url, opts: &ExtractOptions<'_>) -> Article {
    extract(&parse(html), url, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracted_text_is_composed_unicode() {
        // Bengali য় written as one code point (U+09DF) and Arabic أ as alef and hamza above.
        let para = "কুষ্টি\u{9df}া জেলার দৌলতপুর উপজেলায় আজ সকালে এই ঘটনা ঘটে, পুলিশ জানায়। ";
        let arabic =
            "\u{627}\u{654}علن الوزير عن القرار الجديد في مؤتمر صحفي عقده صباح اليوم بالعاصمة. ";
        let html = format!(
            "<html><head><title>\u{627}\u{654}خبار</title></head><body><article><p>{}</p><p>{}</p></article></body></html>",
            para.repeat(3),
            arabic.repeat(3)
        );
        let doc = parse(&html);
        let url = Url::parse("https://example.com/a").unwrap();
        let rules = crate::config::SiteRules::default();
        let opts = ExtractOptions {
            rules: &rules,
            timezone: chrono_tz::UTC,
            fetched_at: None,
        };
        let article = extract(&doc, &url, &opts);
        assert!(article.body.contains("কুষ্টিয\u{9bc}া"), "{}", article.body);
        assert!(article.body.contains("\u{623}علن"), "{}", article.body);
        assert!(!article.body.contains('\u{9df}'));
        assert_eq!(article.title.as_deref(), Some("\u{623}خبار"));
    }

    #[test]
    fn the_declared_article_body_stands_in_for_a_page_that_shows_a_part() {
        let full = "Tras seis derrotas consecutivas, el equipo volvió a puntuar en su lucha por la salvación. "
            .repeat(8);
        let teaser =
            vec!["Tras seis derrotas consecutivas, el equipo volvió a puntuar.".to_string()];
        let got = prefer_structured_body(teaser.clone(), Some(&full));
        assert_eq!(got, vec![text::collapse(&full)]);
        // The page's own text, when it holds a fair part of it, stays.
        let page: Vec<String> = vec![full[..full.len() / 2].to_string()];
        assert_eq!(prefer_structured_body(page.clone(), Some(&full)), page);
        // A short declaration never replaces anything.
        assert_eq!(
            prefer_structured_body(teaser.clone(), Some("Short.")),
            teaser
        );
    }
}
