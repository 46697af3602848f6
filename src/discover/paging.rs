//! Pure URL relations that make a link pagination rather than another article: the page itself,
//! another page of the same document (a page parameter, a continuation `/slug/2/`, comment
//! pages), or a page of a listing (`/page/2/`, `?page=1`, `?start=10`).
//!
//! Pagination is the same document with a page parameter, not any URL with a query string:
//! `/?p=124`, `index.php?option=com_content&view=article&id=45` and `/node/67` are ordinary
//! permalinks (WordPress without pretty permalinks, Joomla, Drupal).

use url::Url;

/// How a link is pagination, when it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// The page itself (perhaps with tracking parameters).
    SamePage,
    /// The same document with a page parameter: `?page=2`, `?cpage=2`, `?replytocom=7`.
    PageOfDocument,
    /// A continuation page of the same article: WordPress `wp_link_pages` (`/slug/2/`).
    Continuation,
    /// A page of comments: WordPress `comment-page-2`.
    CommentPage,
    /// A page of a listing: `/page/2/`, `?page=1` or `?start=10` on another path.
    ListingPage,
}

impl Paging {
    pub fn describe(self) -> &'static str {
        match self {
            Paging::SamePage => "the page itself",
            Paging::PageOfDocument => "another page of the same document",
            Paging::Continuation => "a continuation page of the same article",
            Paging::CommentPage => "a page of comments",
            Paging::ListingPage => "a page of a listing",
        }
    }
}

/// Query keys that choose a page of a document or listing (WordPress `paged`, `page`, `cpage`,
/// `replytocom`; Drupal `page`; Joomla `start`, `limitstart`; Blogger `updated-max`,
/// `showComment`; common `pg`, `offset`).
const PAGE_KEYS: &[&str] = &[
    "page",
    "paged",
    "cpage",
    "pg",
    "pagenum",
    "pageno",
    "page_no",
    "start",
    "limitstart",
    "offset",
    "comment-page",
    "replytocom",
    "updated-max",
    "max-results",
    "showcomment",
];

/// Query keys that never choose a document: tracking and presentation.
fn is_tracking_key(k: &str) -> bool {
    k.starts_with("utm_") || matches!(k, "fbclid" | "gclid" | "amp" | "output" | "m")
}

/// `p` chooses a page only where it does not name the document itself: WordPress's plain
/// permalinks are `/?p=123`, so a page that carries `p` is identified by it.
fn is_page_key(k: &str, page_has_p: bool) -> bool {
    // WordPress's query loop block pages with `query-<id>-page`.
    PAGE_KEYS.contains(&k)
        || k.ends_with("-page")
        || k.ends_with("_page")
        || (k == "p" && !page_has_p)
}

/// How `link` (without a fragment) is pagination relative to `page`, if it is.
pub fn paging(link: &Url, page: &Url) -> Option<Paging> {
    let same_origin = link.host_str() == page.host_str()
        && link.port_or_known_default() == page.port_or_known_default();
    let page_has_p = query_pairs(page).any(|(k, _)| k == "p");
    if same_origin && link.path() == page.path() {
        let identity = |u: &Url| {
            let mut v: Vec<(String, String)> = query_pairs(u)
                .filter(|(k, _)| !is_page_key(k, page_has_p) && !is_tracking_key(k))
                .collect();
            v.sort();
            v
        };
        if identity(link) == identity(page) {
            let paged = query_pairs(link).any(|(k, _)| is_page_key(&k, page_has_p));
            return Some(if paged {
                Paging::PageOfDocument
            } else {
                Paging::SamePage
            });
        }
        return None;
    }
    let segs = segments(link);
    if segs.iter().any(|s| s.starts_with("comment-page-")) {
        return Some(Paging::CommentPage);
    }
    if same_origin && is_continuation(&segs, &segments(page)) {
        return Some(Paging::Continuation);
    }
    if segs
        .windows(2)
        .any(|w| w[0].eq_ignore_ascii_case("page") && is_page_number(w[1]))
    {
        return Some(Paging::ListingPage);
    }
    if query_pairs(link)
        .any(|(k, v)| is_page_key(&k, true) && k != "replytocom" && is_listing_value(&v))
    {
        return Some(Paging::ListingPage);
    }
    None
}

/// Whether the last segment of the link's path is a small page number: `/news/2`, `/list/3/`.
/// Said of a link that only a bare word ("Next", «التالي») recommends, whose listing pages are
/// numbered this way.
pub fn ends_in_page_number(link: &Url) -> bool {
    segments(link).last().is_some_and(|s| is_page_number(s))
}

/// `/slug/2/` from `/slug/`, or `/slug/3/` and `/slug/` from `/slug/2/`: a page number added to,
/// changed on or removed from an article's own path. The base must be a slug, so that `/node/67`
/// to `/node/68` stays two articles.
fn is_continuation(link: &[&str], page: &[&str]) -> bool {
    let split = |s: &[&str]| -> Option<usize> {
        let (last, base) = s.split_last()?;
        (is_page_number(last) && base.last().is_some_and(|b| is_slug(b))).then_some(base.len())
    };
    let link_base = split(link).map(|n| &link[..n]).unwrap_or(link);
    let page_base = split(page).map(|n| &page[..n]).unwrap_or(page);
    let either_numbered = split(link).is_some() || split(page).is_some();
    either_numbered && link_base == page_base && link != page
}

/// A path segment that names an article: letters with dashes or underscores, or a file name.
fn is_slug(s: &str) -> bool {
    s.chars().any(char::is_alphabetic) && (s.contains(['-', '_', '.']) || s.chars().count() >= 12)
}

/// A small page number: 1 to 999.
fn is_page_number(s: &str) -> bool {
    (1..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) && !s.starts_with('0')
}

/// A query value of listing pagination: a number, or Blogger's `updated-max` date.
fn is_listing_value(v: &str) -> bool {
    !v.is_empty()
        && (v.bytes().all(|b| b.is_ascii_digit()) || v.starts_with(|c: char| c.is_ascii_digit()))
}

fn segments(u: &Url) -> Vec<&str> {
    u.path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default()
}

fn query_pairs(u: &Url) -> impl Iterator<Item = (String, String)> + '_ {
    u.query_pairs()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(link: &str, page: &str) -> Option<Paging> {
        let page = Url::parse(page).unwrap();
        paging(&page.join(link).unwrap(), &page)
    }

    #[test]
    fn cms_permalinks_are_articles() {
        assert_eq!(rel("/?p=124", "http://h/?p=123"), None);
        let joomla = "http://h/index.php?option=com_content&view=article&id=45:slug&catid=8";
        assert_eq!(
            rel(
                "/index.php?option=com_content&view=article&id=46:other&catid=8",
                joomla
            ),
            None
        );
        assert_eq!(rel("/node/68", "http://h/node/67"), None);
        assert_eq!(rel("/story.php?id=12", "http://h/story.php?id=11"), None);
        assert_eq!(
            rel("/2026/11/21/next-story/", "http://h/2026/11/20/a-story/"),
            None
        );
    }

    #[test]
    fn pages_of_the_same_document() {
        let page = "http://h/2026/11/20/a-story/";
        assert_eq!(rel("?cpage=2#comments", page), Some(Paging::PageOfDocument));
        assert_eq!(rel("?replytocom=7", page), Some(Paging::PageOfDocument));
        assert_eq!(rel("?utm_source=x", page), Some(Paging::SamePage));
        assert_eq!(rel("2/", page), Some(Paging::Continuation));
        assert_eq!(
            rel("/2026/11/20/a-story/3/", "http://h/2026/11/20/a-story/2/"),
            Some(Paging::Continuation)
        );
        assert_eq!(
            rel("/2026/11/20/a-story/", "http://h/2026/11/20/a-story/2/"),
            Some(Paging::Continuation)
        );
        assert_eq!(rel("comment-page-2/", page), Some(Paging::CommentPage));
        assert_eq!(
            rel("/?p=123&page=2", "http://h/?p=123"),
            Some(Paging::PageOfDocument)
        );
        // Without `p` in the page's own URL, `?p=2` is a page parameter.
        assert_eq!(rel("?p=2", page), Some(Paging::PageOfDocument));
    }

    #[test]
    fn listing_pages() {
        let page = "http://h/2026/11/20/a-story/";
        assert_eq!(
            rel("/category/news/page/2/", page),
            Some(Paging::ListingPage)
        );
        assert_eq!(rel("/news?page=1", page), Some(Paging::ListingPage));
        assert_eq!(rel("/blog?start=10", page), Some(Paging::ListingPage));
        assert_eq!(
            rel("/search?updated-max=2026-11-19T09:31:00%2B01:00", page),
            Some(Paging::ListingPage)
        );
        assert!(ends_in_page_number(
            &Url::parse("http://h/list/2/").unwrap()
        ));
        assert!(!ends_in_page_number(
            &Url::parse("http://h/node/1234").unwrap()
        ));
    }
}
