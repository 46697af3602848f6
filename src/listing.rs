//! Pure start-point discovery for `arshif run`: the articles an RSS or Atom feed or a (news)
//! sitemap lists, and the first article of a section or home page.

use std::sync::LazyLock;

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::extract::base_url;
use crate::vocab::{self, class_and_id};

/// The most start points one feed or sitemap gives.
pub const MAX_LISTED: usize = 1000;

/// Whether a response is a feed or a sitemap rather than a page.
pub fn is_feed(content_type: Option<&str>, body: &[u8]) -> bool {
    let mime = content_type
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime.ends_with("+xml") && mime != "application/xhtml+xml" || mime.ends_with("/xml") {
        return true;
    }
    let head = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with("<?xml") && !head.contains("<html")
        || head.starts_with("<rss")
        || head.starts_with("<feed")
        || head.starts_with("<urlset")
}

/// The article URLs a feed (RSS 2.0, RSS 1.0, Atom) or a sitemap lists, in order, without
/// duplicates; None when the document is none of these. A sitemap index lists sitemaps, not
/// articles, and gives an empty list.
pub fn feed_links(body: &[u8], base: &Url) -> Option<Vec<Url>> {
    let mut reader = Reader::from_reader(body);
    reader.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut root: Option<String> = None;
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut out: Vec<Url> = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                let name = open_element(&e, &path, &mut root, &mut out, base);
                path.push(name);
                text.clear();
            }
            Ok(Event::Empty(e)) => {
                open_element(&e, &path, &mut root, &mut out, base);
            }
            Ok(Event::Text(t)) => text.push_str(&t.xml10_content()),
            Ok(Event::CData(t)) => text.push_str(&t),
            Ok(Event::GeneralRef(r)) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else if let Some(s) = resolve_predefined_entity(&r) {
                    text.push_str(s);
                }
            }
            Ok(Event::End(_)) => {
                let name = path.pop().unwrap_or_default();
                let parent = path.last().map(String::as_str).unwrap_or("");
                let listed = match root.as_deref() {
                    Some("rss" | "rdf") => name == "link" && parent == "item",
                    Some("urlset") => name == "loc" && parent == "url",
                    _ => false,
                };
                if listed && !text.trim().is_empty() {
                    push_link(&mut out, base, &text);
                }
                text.clear();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(_) => return None,
        }
        buf.clear();
    }
    match root.as_deref() {
        Some("rss" | "rdf" | "feed" | "urlset") => Some(out),
        Some("sitemapindex") => Some(Vec::new()),
        _ => None,
    }
}

/// Notes the document's root and takes an Atom entry's link; returns the element's name.
fn open_element(
    e: &quick_xml::events::BytesStart<'_>,
    path: &[String],
    root: &mut Option<String>,
    out: &mut Vec<Url>,
    base: &Url,
) -> String {
    let name = local(e.local_name().as_ref());
    root.get_or_insert_with(|| name.clone());
    if name == "link"
        && in_entry(path)
        && let Some(href) = atom_href(e)
    {
        push_link(out, base, &href);
    }
    name
}

/// Adds a listed link (absolute, http or https, once, at most [`MAX_LISTED`]).
fn push_link(out: &mut Vec<Url>, base: &Url, href: &str) {
    if out.len() >= MAX_LISTED {
        return;
    }
    if let Ok(mut u) = base.join(href.trim()) {
        u.set_fragment(None);
        if matches!(u.scheme(), "http" | "https") && !out.contains(&u) {
            out.push(u);
        }
    }
}

fn local(name: &str) -> String {
    name.to_ascii_lowercase()
}

fn in_entry(path: &[String]) -> bool {
    path.last().is_some_and(|p| p == "entry")
}

/// An Atom entry's link to the article: `rel="alternate"` or no `rel`.
fn atom_href(e: &quick_xml::events::BytesStart<'_>) -> Option<String> {
    let attr = |name: &str| {
        e.try_get_attribute(name).ok().flatten().and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
    };
    let rel = attr("rel");
    if rel.as_deref().is_some_and(|r| r != "alternate") {
        return None;
    }
    attr("href")
}

static LISTING_LINKS: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse("h1 a[href], h2 a[href], h3 a[href], h4 a[href], article a[href]").unwrap()
});
static ANY_LINK: LazyLock<Selector> = LazyLock::new(|| Selector::parse("a[href]").unwrap());

/// The first article of a section or home page's main listing: the selector's first link when
/// given, else the first in-site link in a headline or an `article` element outside navigation,
/// else the first in-site link that looks like an article (a path with a dash, a digit or a
/// file name).
pub fn first_article(doc: &Html, page: &Url, selector: Option<&Selector>) -> Option<Url> {
    let base = base_url(doc, page);
    let resolve = |el: ElementRef<'_>| -> Option<Url> {
        let href = el.value().attr("href")?.trim();
        let mut u = base.join(href).ok()?;
        u.set_fragment(None);
        let same_site = u.host_str() == page.host_str() && u.port() == page.port();
        (same_site
            && matches!(u.scheme(), "http" | "https")
            && u.path() != page.path()
            && u.path() != "/")
            .then_some(u)
    };
    if let Some(sel) = selector {
        return doc.select(sel).find_map(|el| {
            if el.value().name() == "a" {
                resolve(el)
            } else {
                el.select(&ANY_LINK).find_map(resolve)
            }
        });
    }
    doc.select(&LISTING_LINKS)
        .filter(|el| !in_furniture(*el))
        .filter_map(resolve)
        .find(looks_like_article)
        .or_else(|| {
            doc.select(&ANY_LINK)
                .filter(|el| !in_furniture(*el))
                .filter_map(resolve)
                .find(looks_like_article)
        })
}

fn looks_like_article(u: &Url) -> bool {
    let last = u
        .path_segments()
        .and_then(|mut s| s.rfind(|p| !p.is_empty()))
        .unwrap_or("");
    last.contains('-') || last.chars().any(|c| c.is_ascii_digit()) || last.contains('.')
}

/// Inside navigation, header, footer or aside ([`vocab::SITE_CHROME_TAGS`]), or a box named as a
/// site menu ([`vocab::names_site_menu`]).
fn in_furniture(el: ElementRef<'_>) -> bool {
    el.ancestors().filter_map(ElementRef::wrap).any(|a| {
        vocab::SITE_CHROME_TAGS.contains(&a.value().name())
            || vocab::names_site_menu(&class_and_id(a.value()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://news.example/feeds/all.xml").unwrap()
    }

    #[test]
    fn rss_items_in_order() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
            <link>https://news.example/</link>
            <item><title>A</title><link>https://news.example/a-1.html</link></item>
            <item><title>B</title><link><![CDATA[/b-2.html?x=1&y=2]]></link></item>
            <item><title>C</title><link>https://news.example/c-3.html?p=1&amp;q=2</link></item>
            </channel></rss>"#;
        let links: Vec<String> = feed_links(rss, &base())
            .unwrap()
            .iter()
            .map(|u| u.to_string())
            .collect();
        assert_eq!(
            links,
            vec![
                "https://news.example/a-1.html",
                "https://news.example/b-2.html?x=1&y=2",
                "https://news.example/c-3.html?p=1&q=2"
            ]
        );
    }

    #[test]
    fn atom_alternate_links() {
        let atom = br#"<feed xmlns="http://www.w3.org/2005/Atom"><link href="https://news.example/"/>
            <entry><link rel="self" href="https://news.example/x.atom"/><link href="https://news.example/a-1.html"/></entry>
            <entry><link rel="alternate" type="text/html" href="/b-2.html"/></entry></feed>"#;
        let links = feed_links(atom, &base()).unwrap();
        assert_eq!(links.len(), 2);
        assert_eq!(links[1].as_str(), "https://news.example/b-2.html");
    }

    #[test]
    fn news_sitemaps_and_indexes() {
        let sitemap = br#"<?xml version="1.0" encoding="UTF-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
            <url><loc>https://news.example/a-1.html</loc><news:news><news:title>A</news:title></news:news></url>
            <url><loc>https://news.example/b-2.html</loc></url></urlset>"#;
        assert_eq!(feed_links(sitemap, &base()).unwrap().len(), 2);
        let index = br#"<sitemapindex><sitemap><loc>https://news.example/s1.xml</loc></sitemap></sitemapindex>"#;
        assert_eq!(feed_links(index, &base()), Some(vec![]));
        assert_eq!(feed_links(b"<html><body>x</body></html>", &base()), None);
        assert_eq!(feed_links(b"not xml at all <<<", &base()), None);
    }

    #[test]
    fn feeds_are_told_from_pages() {
        assert!(is_feed(Some("application/rss+xml"), b""));
        assert!(is_feed(Some("text/xml; charset=utf-8"), b""));
        assert!(is_feed(
            None,
            b"\xef\xbb\xbf<?xml version=\"1.0\"?><urlset>"
        ));
        assert!(!is_feed(Some("text/html"), b"<!DOCTYPE html><html>"));
        assert!(!is_feed(
            Some("application/xhtml+xml"),
            b"<?xml version=\"1.0\"?><html>"
        ));
    }

    #[test]
    fn first_article_of_a_section_page() {
        let html = r#"<html><body><header><nav><a href="/politique/">Politique</a>
            <h2><a href="/menu-item-1.html">Menu</a></h2></nav></header>
            <main><h1>Politique</h1><div class="list">
            <article><h2><a href="/politique/first-story-120.html">First</a></h2></article>
            <article><h2><a href="/politique/second-story-119.html">Second</a></h2></article>
            </div></main><aside><h3><a href="/popular-1.html">Popular</a></h3></aside></body></html>"#;
        let doc = Html::parse_document(html);
        let page = Url::parse("https://news.example/politique/").unwrap();
        assert_eq!(
            first_article(&doc, &page, None).unwrap().path(),
            "/politique/first-story-120.html"
        );
        let sel = Selector::parse("article:nth-of-type(2) h2 a").unwrap();
        assert_eq!(
            first_article(&doc, &page, Some(&sel)).unwrap().path(),
            "/politique/second-story-119.html"
        );
    }
}
