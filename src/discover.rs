//! Next-article discovery, pure: a parsed page and its URL give the link to follow, if any.
//!
//! Order: the user's `--next-selector`; anchors whose visible text is, or begins with, a
//! next-article label; a label standing next to a single link; then `rel=next`. Traps are refused:
//! "read also" and previous-article links, pagination of the same page, and links to the page
//! itself. CSS class names are never trusted: themes cross them.

use std::borrow::Cow;
use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::extract::base_url;
use crate::extract::content::class_and_id;
use crate::extract::text::{self, fold};

static ANCHORS: LazyLock<Selector> = LazyLock::new(|| Selector::parse("a[href]").unwrap());
static IMAGES: LazyLock<Selector> = LazyLock::new(|| Selector::parse("img[alt]").unwrap());
static REL_NEXT: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse(r#"a[href][rel~="next"], link[href][rel~="next"]"#).unwrap());

/// How a next link was found (for the log and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Selector,
    Label,
    LabelNearby,
    RelNext,
}

/// The next-article link found on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextLink {
    pub url: Url,
    pub via: Via,
}

/// Finds the next-article link of `doc`, fetched from `page`.
pub fn next_article(doc: &Html, page: &Url, selector: Option<&Selector>) -> Option<NextLink> {
    let base = base_url(doc, page);
    let resolve = |el: ElementRef<'_>| -> Option<Url> {
        let href = el.value().attr("href")?.trim();
        if href.is_empty() || href.starts_with('#') {
            return None;
        }
        let mut u = base.join(href).ok()?;
        u.set_fragment(None);
        (matches!(u.scheme(), "http" | "https") && !same_document(&u, page)).then_some(u)
    };

    if let Some(sel) = selector {
        return doc
            .select(sel)
            .find_map(|el| {
                if el.value().name() == "a" || el.value().name() == "link" {
                    resolve(el)
                } else {
                    el.select(&ANCHORS).find_map(resolve)
                }
            })
            .map(|url| NextLink {
                url,
                via: Via::Selector,
            });
    }

    // Each link's text, folded once for the two readings below.
    let anchors: Vec<(ElementRef<'_>, String)> = doc
        .select(&ANCHORS)
        .map(|a| (a, fold(&anchor_text_start(a))))
        .collect();

    // Labelled links; those in sidebars and widgets only when nothing else is labelled.
    let labelled: Vec<(ElementRef<'_>, Url)> = anchors
        .iter()
        .filter(|(a, text)| !is_rel_prev(*a) && anchor_is_labelled_next(*a, text))
        .filter_map(|(a, _)| resolve(*a).map(|u| (*a, u)))
        .collect();
    if let Some((_, url)) = labelled
        .iter()
        .find(|(a, _)| !in_sidebar(*a))
        .or_else(|| labelled.first())
    {
        return Some(NextLink {
            url: url.clone(),
            via: Via::Label,
        });
    }

    // "Next" alone is pagination's word; "Next" followed by a headline is article navigation.
    if let Some(url) = anchors
        .iter()
        // The cheap test first: `in_sidebar` reads every ancestor's class.
        .filter(|(a, text)| word_then_headline(text) && !is_rel_prev(*a) && !in_sidebar(*a))
        .find_map(|(a, _)| resolve(*a))
    {
        return Some(NextLink {
            url,
            via: Via::Label,
        });
    }

    if let Some(url) = label_beside_link(doc, &resolve) {
        return Some(NextLink {
            url,
            via: Via::LabelNearby,
        });
    }

    doc.select(&REL_NEXT)
        .filter(|el| !is_pagination(el, page, &base) && !in_sidebar(*el))
        .find_map(resolve)
        .map(|url| NextLink {
            url,
            via: Via::RelNext,
        })
}

/// The anchor's visible text (`text`: its beginning, folded; with the `alt` of its images, or,
/// for icon links, its `aria-label`/`title`) begins with a next-article label, and does not
/// begin with a previous or read-also label.
fn anchor_is_labelled_next(a: ElementRef<'_>, text: &str) -> bool {
    let mut alts = a.select(&IMAGES).peekable();
    let visible = if alts.peek().is_none() {
        Cow::Borrowed(text)
    } else {
        let mut with_alts = anchor_text_start(a);
        for img in alts {
            with_alts.push(' ');
            with_alts.push_str(img.value().attr("alt").unwrap_or(""));
        }
        Cow::Owned(fold(&with_alts))
    };
    let label_attr = a
        .value()
        .attr("aria-label")
        .or_else(|| a.value().attr("title"))
        .map(fold)
        .unwrap_or_default();
    [visible.as_ref(), label_attr.as_str()].iter().any(|t| {
        !t.is_empty()
            && text::starts_with_any(t, &text::NEXT)
            && !text::starts_with_any(t, &text::PREVIOUS)
            && !text::starts_with_any(t, &text::READ_ALSO)
    })
}

/// The beginning of a link's text: labels are short prefixes, so long links are cut.
fn anchor_text_start(a: ElementRef<'_>) -> String {
    const MAX: usize = 200;
    let mut text = String::new();
    for t in a.text() {
        text.push_str(t);
        if text.len() > MAX {
            return text::prefix(&text, MAX).to_string();
        }
    }
    text
}

/// Words that mean "next" on their own, in article navigation when a headline follows.
const NEXT_WORDS: &[&str] = &["next", "suivant", "التالي", "الموالي"];

/// `text`: the beginning of a link's text, folded.
fn word_then_headline(t: &str) -> bool {
    NEXT_WORDS.iter().any(|w| {
        t.strip_prefix(w)
            .is_some_and(|rest| rest.starts_with(' ') && rest.split_whitespace().count() >= 3)
    })
}

fn is_rel_prev(a: ElementRef<'_>) -> bool {
    a.value().attr("rel").is_some_and(|r| {
        r.split_whitespace()
            .any(|t| t.eq_ignore_ascii_case("prev") || t.eq_ignore_ascii_case("previous"))
    })
}

/// A next label written outside the link: `<span>المقال التالي</span><a href>…</a>` or
/// `<li>Article suivant : <a href>…</a></li>`. The link is the first one after the label inside
/// a small container (three levels at most), before any other label.
fn label_beside_link(doc: &Html, resolve: &impl Fn(ElementRef<'_>) -> Option<Url>) -> Option<Url> {
    static LABELS: LazyLock<Selector> = LazyLock::new(|| {
        Selector::parse(
            "span, div, p, li, strong, b, em, h2, h3, h4, h5, h6, small, label, i, td, dt",
        )
        .unwrap()
    });
    let mut candidates = Vec::new();
    for el in doc.select(&LABELS) {
        let raw = direct_text(el);
        if raw.trim().is_empty() || raw.len() > 160 {
            continue;
        }
        let own = fold(&raw);
        if !text::NEXT.contains(&own) {
            continue;
        }
        if el
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| a.value().name() == "a")
        {
            continue;
        }
        if let Some(url) = link_after(el, resolve) {
            candidates.push((el, url));
        }
    }
    candidates
        .iter()
        .find(|(el, _)| !in_sidebar(*el))
        .or_else(|| candidates.first())
        .map(|(_, u)| u.clone())
}

/// The text directly inside an element (its text children), cheap on wrappers:
/// `<li>Article suivant : <a>…</a></li>` gives "Article suivant : ".
fn direct_text(el: ElementRef<'_>) -> String {
    let mut out = String::new();
    for t in el.children().filter_map(|c| c.value().as_text()) {
        if out.len() + t.len() > 400 {
            // Far longer than any label: not one.
            return String::new();
        }
        out.push_str(t);
    }
    out
}

/// The first link after `label` in document order within its container (the label's element
/// itself, then up to three ancestors), stopping at another label such as «المقال السابق».
fn link_after(
    label: ElementRef<'_>,
    resolve: &impl Fn(ElementRef<'_>) -> Option<Url>,
) -> Option<Url> {
    if let Some(u) = label.select(&ANCHORS).find_map(resolve) {
        return Some(u);
    }
    let mut node = *label;
    for _ in 0..3 {
        let mut sib = node.next_sibling();
        while let Some(s) = sib {
            if let Some(el) = ElementRef::wrap(s) {
                let text = fold(&el.text().collect::<String>());
                if el.value().name() != "a" && text::starts_with_any(&text, &text::PREVIOUS) {
                    return None;
                }
                if el.value().name() == "a" {
                    return resolve(el);
                }
                if let Some(u) = el.select(&ANCHORS).find_map(resolve) {
                    return Some(u);
                }
            }
            sib = s.next_sibling();
        }
        node = node.parent()?;
        if node
            .value()
            .as_element()
            .is_some_and(|e| matches!(e.name(), "body" | "html" | "article" | "main"))
        {
            return None;
        }
    }
    None
}

/// Sidebars, widgets and "most read" boxes: their labelled links are teasers, not the chain.
fn in_sidebar(el: ElementRef<'_>) -> bool {
    static SIDEBAR: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"sidebar|widget|related|most|popular|recommend|trending|teaser|promo")
            .unwrap()
    });
    el.ancestors().filter_map(ElementRef::wrap).any(|a| {
        let v = a.value();
        v.name() == "aside" || SIDEBAR.is_match(&class_and_id(v))
    })
}

/// `rel=next` to the same path with another query (`?page=2`, `?cpage=2`): pagination.
fn is_pagination(el: &ElementRef<'_>, page: &Url, base: &Url) -> bool {
    let Some(href) = el.value().attr("href") else {
        return true;
    };
    static PAGE_PATH: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"(?i)/(page|p|pg|seite|pagina)/?\d+/?$").unwrap());
    let in_pager = el.ancestors().filter_map(ElementRef::wrap).any(|a| {
        a.value().attr("class").is_some_and(|c| {
            c.contains("pagination") || c.contains("pager") || c.contains("page-numbers")
        })
    }) || el
        .value()
        .attr("class")
        .is_some_and(|c| c.contains("page-numbers"));
    match base.join(href.trim()) {
        Ok(u) => {
            in_pager
                || PAGE_PATH.is_match(u.path())
                || (u.path() == page.path() && u.host_str() == page.host_str())
                || u.query().is_some_and(is_pagination_query)
        }
        Err(_) => true,
    }
}

/// The same page: same scheme, host, port and path; a different query counts as the same
/// document only when it is pagination-like.
fn same_document(a: &Url, page: &Url) -> bool {
    a.host_str() == page.host_str()
        && a.port_or_known_default() == page.port_or_known_default()
        && a.path() == page.path()
        && (a.query() == page.query() || a.query().is_some_and(is_pagination_query))
}

fn is_pagination_query(q: &str) -> bool {
    q.split('&').any(|kv| {
        let k = kv.split('=').next().unwrap_or("").to_ascii_lowercase();
        matches!(
            k.as_str(),
            "page"
                | "cpage"
                | "p"
                | "pg"
                | "comment-page"
                | "replytocom"
                | "start"
                | "offset"
                | "paged"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next(html: &str) -> Option<String> {
        let page = Url::parse("http://news.example/a/current-1.html").unwrap();
        next_article(&Html::parse_document(html), &page, None).map(|n| n.url.to_string())
    }

    #[test]
    fn label_link_is_followed() {
        assert_eq!(
            next(r#"<a href="/b/next-2.html">المقال التالي »</a>"#).as_deref(),
            Some("http://news.example/b/next-2.html")
        );
    }

    #[test]
    fn headline_inside_the_link_is_fine() {
        let html = r#"<a class="next-post" href="n.html"><span>المقال التالي</span> <strong>عنوان</strong></a>"#;
        assert_eq!(next(html).as_deref(), Some("http://news.example/a/n.html"));
    }

    #[test]
    fn traps_are_refused() {
        let html = r#"<p>انظر المقال التالي في العدد القادم</p>
            <a href="/also.html">اقرأ أيضا: المقال التالي</a>
            <a href="/prev.html" rel="prev">المقال السابق</a>
            <a href="?cpage=2#comments" rel="next">Next</a>
            <div class="previous-posts"><a href="/real-next.html">Next article</a></div>"#;
        assert_eq!(
            next(html).as_deref(),
            Some("http://news.example/real-next.html")
        );
    }

    #[test]
    fn pagination_alone_gives_nothing() {
        assert_eq!(next(r#"<a href="?page=2" rel="next">Next ›</a>"#), None);
        assert_eq!(
            next(r#"<link rel="next" href="/a/current-1.html?page=2">"#),
            None
        );
    }

    #[test]
    fn base_href_is_honoured_and_fragments_dropped() {
        let html = r#"<head><base href="http://news.example/x/"></head><a href="n.html#top">Article suivant</a>"#;
        assert_eq!(next(html).as_deref(), Some("http://news.example/x/n.html"));
    }

    #[test]
    fn rel_next_is_the_last_resort() {
        assert_eq!(
            next(r#"<a href="/z.html" rel="next">›</a>"#).as_deref(),
            Some("http://news.example/z.html")
        );
    }

    #[test]
    fn label_beside_a_single_link() {
        let html = r#"<div class="nav"><span>الخبر التالي</span><a href="/n.html">عنوان الخبر</a></div>
            <aside><h3>المقال التالي</h3><a href="/x.html">x</a><a href="/y.html">y</a></aside>"#;
        assert_eq!(next(html).as_deref(), Some("http://news.example/n.html"));
    }

    #[test]
    fn label_as_plain_text_before_the_link() {
        let html = r#"<ul><li>المقال التالي: <a href="/n2.html">عنوان</a></li></ul>"#;
        assert_eq!(next(html).as_deref(), Some("http://news.example/n2.html"));
        let html = r#"<p class="suite">Article suivant : <a href="/n2.html">Titre</a></p>"#;
        assert_eq!(next(html).as_deref(), Some("http://news.example/n2.html"));
    }

    #[test]
    fn previous_and_next_labels_in_one_box() {
        let html = r#"<div><span>المقال السابق</span><a href="/prev.html">x</a><span>المقال التالي</span><a href="/n2.html">y</a></div>"#;
        assert_eq!(next(html).as_deref(), Some("http://news.example/n2.html"));
    }

    #[test]
    fn sidebar_teasers_lose_to_the_navigation() {
        let html = r#"<aside class="widget"><h3><a href="/trap.html">المقال التالي</a></h3></aside><nav><a href="/n2.html">المقال التالي</a></nav>"#;
        assert_eq!(next(html).as_deref(), Some("http://news.example/n2.html"));
    }

    #[test]
    fn listing_pagination_is_not_a_next_article() {
        let html = r#"<div class="pagination"><a class="next page-numbers" href="/news/page/2/" rel="next">التالي »</a></div>"#;
        assert_eq!(next(html), None);
    }

    #[test]
    fn more_wordings() {
        for label in [
            "Up next: Port authority unveils plan",
            "Read next",
            "À lire ensuite",
            "Lire l'article suivant",
            "Newer post »",
        ] {
            let html = format!(r#"<a href="/n2.html">{label}</a>"#);
            assert_eq!(
                next(&html).as_deref(),
                Some("http://news.example/n2.html"),
                "{label}"
            );
        }
        let html = r#"<a href="/n2.html"><img src="next.png" alt="المقال التالي"></a>"#;
        assert_eq!(next(html).as_deref(), Some("http://news.example/n2.html"));
    }

    #[test]
    fn next_word_with_a_headline() {
        let html = r#"<div class="nav-next"><a href="/n2.html"><span class="meta-nav">Next</span> Port authority unveils terminal plan</a></div>"#;
        assert_eq!(next(html).as_deref(), Some("http://news.example/n2.html"));
        assert_eq!(next(r#"<a href="/list/2/">Next »</a>"#), None);
    }

    #[test]
    fn user_selector_wins() {
        let page = Url::parse("http://news.example/a").unwrap();
        let sel = Selector::parse(".go").unwrap();
        let doc = Html::parse_document(
            r#"<a href="/label">Next article</a><div class="go"><a href="/sel">x</a></div>"#,
        );
        let n = next_article(&doc, &page, Some(&sel)).unwrap();
        assert_eq!(n.url.path(), "/sel");
        assert_eq!(n.via, Via::Selector);
    }
}
