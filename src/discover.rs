//! Next-article discovery, pure: a parsed page and its URL give the link to follow, if any.
//!
//! Order: the user's `--next-selector`; anchors whose visible text is, or begins with, a
//! next-article label; a label standing next to a single link; then `rel=next`. Traps are refused:
//! "read also" and previous-article links, pagination of the same page, and links to the page
//! itself. CSS class names are never trusted: themes cross them.

use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::extract::base_url;
use crate::extract::text::{self, NEXT_LABELS, PREVIOUS_LABELS, READ_ALSO_LABELS, fold};

static ANCHORS: LazyLock<Selector> = LazyLock::new(|| Selector::parse("a[href]").unwrap());
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

    for a in doc.select(&ANCHORS) {
        if is_rel_prev(a) {
            continue;
        }
        if anchor_is_labelled_next(a)
            && let Some(url) = resolve(a)
        {
            return Some(NextLink {
                url,
                via: Via::Label,
            });
        }
    }

    if let Some(url) = label_beside_link(doc, &resolve) {
        return Some(NextLink {
            url,
            via: Via::LabelNearby,
        });
    }

    doc.select(&REL_NEXT)
        .filter(|el| !is_pagination(el, page, &base))
        .find_map(resolve)
        .map(|url| NextLink {
            url,
            via: Via::RelNext,
        })
}

/// The anchor's visible text (or, for icon links, its `aria-label`/`title`) begins with a
/// next-article label, and does not begin with a previous or read-also label.
fn anchor_is_labelled_next(a: ElementRef<'_>) -> bool {
    let visible = fold(&a.text().collect::<String>());
    let label_attr = a
        .value()
        .attr("aria-label")
        .or_else(|| a.value().attr("title"))
        .map(fold)
        .unwrap_or_default();
    [visible, label_attr].iter().any(|t| {
        !t.is_empty()
            && text::starts_with_any(t, NEXT_LABELS)
            && !text::starts_with_any(t, PREVIOUS_LABELS)
            && !text::starts_with_any(t, READ_ALSO_LABELS)
    })
}

fn is_rel_prev(a: ElementRef<'_>) -> bool {
    a.value().attr("rel").is_some_and(|r| {
        r.split_whitespace()
            .any(|t| t.eq_ignore_ascii_case("prev") || t.eq_ignore_ascii_case("previous"))
    })
}

/// A non-link element whose whole text is a next label (`<span>المقال التالي</span>`), inside a
/// small container holding exactly one link target: that link is the next article.
fn label_beside_link(doc: &Html, resolve: &impl Fn(ElementRef<'_>) -> Option<Url>) -> Option<Url> {
    static LABELS: LazyLock<Selector> = LazyLock::new(|| {
        Selector::parse("span, div, p, strong, b, em, h2, h3, h4, h5, h6, small, label, i").unwrap()
    });
    for el in doc.select(&LABELS) {
        if el
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| a.value().name() == "a")
        {
            continue;
        }
        let own = fold(&el.text().collect::<String>());
        if own.is_empty() || own.len() > 60 || !NEXT_LABELS.iter().any(|l| own == fold(l)) {
            continue;
        }
        // Up to three levels up, the first container that holds links decides.
        for container in el.ancestors().filter_map(ElementRef::wrap).take(3) {
            let targets: Vec<Url> = container.select(&ANCHORS).filter_map(resolve).collect();
            if targets.is_empty() {
                continue;
            }
            let first = targets[0].clone();
            if targets.iter().all(|t| *t == first) {
                return Some(first);
            }
            break;
        }
    }
    None
}

/// `rel=next` to the same path with another query (`?page=2`, `?cpage=2`): pagination.
fn is_pagination(el: &ElementRef<'_>, page: &Url, base: &Url) -> bool {
    let Some(href) = el.value().attr("href") else {
        return true;
    };
    match base.join(href.trim()) {
        Ok(u) => u.path() == page.path() && u.host_str() == page.host_str(),
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
