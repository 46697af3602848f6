//! Article metadata: the helpers and selectors the finders share, the canonical URL and the
//! site name; each subject in its own file: structured data (`jsonld`), the headline (`title`),
//! authors (`authors`), the publication dates (`published`), the language (`language`).

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use url::Url;

use super::dates;
use crate::fold::fold;
use crate::text::{self, collapse};
use crate::vocab::{self, class_and_id, is_chrome};

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

macro_rules! selector {
    ($name:ident, $css:expr) => {
        static $name: LazyLock<Selector> = LazyLock::new(|| sel($css));
    };
}

selector!(LD_JSON, r#"script[type="application/ld+json"]"#);
selector!(META, "meta");
selector!(TITLE, "title");
selector!(H1, "h1");
selector!(CANONICAL, r#"link[rel~="canonical"]"#);
selector!(HTML, "html");
selector!(TIME, "time[datetime]");
selector!(ITEMPROP_PUBLISHED, r#"[itemprop="datePublished"]"#);
selector!(ITEMPROP_MODIFIED, r#"[itemprop="dateModified"]"#);
selector!(AUTHOR_ELEMENTS, vocab::AUTHOR_ELEMENTS_CSS);
selector!(DATE_ELEMENTS, vocab::DATE_ELEMENTS_CSS);

mod authors;
mod jsonld;
mod language;
mod published;
mod title;

pub use authors::{authors, clean_names};
pub use jsonld::{StructuredData, structured_data};
pub use language::{declared_language, language, normalize_language_tag};
pub use published::{modified_at, published_at};
pub use title::{strip_site_name, title};

/// The content of the first `<meta>` whose `name`/`property`/`itemprop` is one of `keys`.
pub fn meta_content(doc: &Html, keys: &[&str]) -> Option<String> {
    // One walk of the document, then the keys in their order of preference.
    let metas: Vec<ElementRef<'_>> = doc.select(&META).collect();
    for key in keys {
        for m in &metas {
            let el = m.value();
            let matches = ["property", "name", "itemprop"]
                .iter()
                .filter_map(|a| el.attr(a))
                .any(|v| v.trim().eq_ignore_ascii_case(key));
            if matches && let Some(c) = el.attr("content").map(collapse).filter(|c| !c.is_empty()) {
                return Some(c);
            }
        }
    }
    None
}

fn element_text(el: ElementRef<'_>) -> String {
    collapse(&el.text().collect::<String>())
}

/// The element's text, or None as soon as it passes `max` bytes (wrappers are not bylines).
fn short_text(el: ElementRef<'_>, max: usize) -> Option<String> {
    let mut out = String::new();
    for t in el.text() {
        out.push_str(t);
        if out.len() > max * 2 {
            return None;
        }
    }
    let c = collapse(&out);
    (c.len() <= max).then_some(c)
}

/// The page's canonical URL, resolved against the base.
pub fn canonical(doc: &Html, base: &Url) -> Option<Url> {
    let href = doc.select(&CANONICAL).next()?.value().attr("href")?.trim();
    if href.is_empty() {
        return None;
    }
    let mut u = base.join(href).ok()?;
    u.set_fragment(None);
    Some(u)
}

/// `og:site_name`, or the structured publisher name.
pub fn site_name(doc: &Html) -> Option<String> {
    meta_content(doc, &["og:site_name", "application-name", "twitter:site"])
        .map(|s| s.trim_start_matches('@').to_string())
}

/// Whether an element sits in comments, related boxes or sidebars, whose names are not bylines.
fn in_furniture(el: ElementRef<'_>) -> bool {
    std::iter::once(el)
        .chain(el.ancestors().filter_map(ElementRef::wrap))
        .any(|a| vocab::names_furniture(&class_and_id(a.value())))
}

/// Whether an element sits in site chrome ([`vocab::SITE_CHROME_TAGS`]: nav, header, footer,
/// aside) rather than the article; a header inside an `article` is the article's own.
fn in_chrome(el: ElementRef<'_>) -> bool {
    el.ancestors().filter_map(ElementRef::wrap).any(|a| {
        let name = a.value().name();
        vocab::SITE_CHROME_TAGS.contains(&name)
            && (name != "header"
                || !a
                    .ancestors()
                    .filter_map(ElementRef::wrap)
                    .any(|b| b.value().name() == "article"))
    })
}
