//! What a link's place on the page says: a post navigation around it, the direction its markup
//! gives it (`rel`, class words), teaser boxes, and numbered pagers.
//!
//! Class names alone are never proof: themes cross them (a real next link in `.previous-posts`).
//! They are weighed only beside other evidence: a named post navigation, `rel`, or a pair in which
//! the other link is recognisably the previous one.

use std::collections::HashSet;
use std::sync::LazyLock;

use ego_tree::NodeId;
use scraper::node::Element;
use scraper::{ElementRef, Html, Selector};

use crate::vocab::{self, class_and_id, fold};

/// Which way a link points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Next,
    Previous,
}

/// `rel="next"` or `rel="prev"` on the element.
pub fn rel_direction(e: &Element) -> Option<Direction> {
    let rel = e.attr("rel")?;
    let mut dir = None;
    for t in rel.split_ascii_whitespace() {
        if t.eq_ignore_ascii_case("next") {
            dir = Some(Direction::Next);
        } else if t.eq_ignore_ascii_case("prev") || t.eq_ignore_ascii_case("previous") {
            return Some(Direction::Previous);
        }
    }
    dir
}

/// The direction class words give an element: `nav-next`, `next-post`, `blog-pager-newer-link`
/// (next); `nav-previous`, `prev-post`, `older` (previous). A class naming both (`prev-next`)
/// names a container, not a side.
fn class_direction(e: &Element) -> Option<Direction> {
    let (mut next, mut prev) = (false, false);
    for word in e
        .attr("class")
        .unwrap_or("")
        .split(|c: char| c.is_ascii_whitespace() || c == '-' || c == '_')
    {
        let w = word.to_ascii_lowercase();
        next |= vocab::NEXT_SIDE_CLASS_WORDS.contains(&w.as_str());
        prev |= vocab::PREVIOUS_SIDE_CLASS_WORDS.contains(&w.as_str());
    }
    match (next, prev) {
        (true, false) => Some(Direction::Next),
        (false, true) => Some(Direction::Previous),
        _ => None,
    }
}

/// The direction class words give a link: its own, else its nearest ancestor's within three
/// levels (`<div class="nav-next"><span class="next"><a>`).
pub fn link_class_direction(a: ElementRef<'_>) -> Option<Direction> {
    std::iter::once(a)
        .chain(a.ancestors().filter_map(ElementRef::wrap).take(3))
        .find_map(|e| class_direction(e.value()))
}

/// The page's post navigations: each `nav`, `role="navigation"` element or element with an
/// `aria-label` whose name says post navigation (WordPress `aria-label="Posts"` and
/// `<h2 class="screen-reader-text">Post navigation</h2>`; Twenty Twenty `aria-label="Post"`;
/// Drupal's book navigation). Found once per page.
pub fn post_navigations(doc: &Html) -> HashSet<NodeId> {
    static NAVS: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse(r#"nav, [role="navigation"], [aria-label]"#).unwrap());
    doc.select(&NAVS)
        .filter(|e| is_named_post_navigation(*e, doc))
        .map(|e| e.id())
        .collect()
}

/// The post navigation holding a link, within six levels (see [`post_navigations`]).
pub fn named_post_navigation<'a>(
    a: ElementRef<'a>,
    navs: &HashSet<NodeId>,
) -> Option<ElementRef<'a>> {
    if navs.is_empty() {
        return None;
    }
    a.ancestors()
        .filter_map(ElementRef::wrap)
        .take(6)
        .take_while(|e| !matches!(e.value().name(), "body" | "html" | "main"))
        .find(|e| navs.contains(&e.id()))
}

fn is_named_post_navigation(el: ElementRef<'_>, doc: &Html) -> bool {
    let e = el.value();
    let navigation = e.name() == "nav" || e.attr("role") == Some("navigation");
    if !navigation && e.attr("aria-label").is_none() {
        return false;
    }
    let says = |s: &str| {
        let f = fold(s);
        vocab::is_any(&f, &vocab::POST_NAVIGATION)
            || vocab::POST_NAVIGATION_PREFIXES
                .iter()
                .any(|p| f.starts_with(p))
    };
    if e.attr("aria-label").is_some_and(says) {
        return true;
    }
    if let Some(id) = e.attr("aria-labelledby")
        && let Ok(sel) = Selector::parse(&format!("[id=\"{}\"]", id.replace('"', "")))
        && doc
            .select(&sel)
            .next()
            .is_some_and(|h| says(&h.text().collect::<String>()))
    {
        return true;
    }
    navigation
        && el
            .children()
            .filter_map(ElementRef::wrap)
            .take(3)
            .find(|c| matches!(c.value().name(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6"))
            .is_some_and(|h| says(&h.text().collect::<String>()))
}

/// The elements right beside a link or its wrappers (two levels up): the previous and next
/// element siblings of each.
pub fn beside(a: ElementRef<'_>) -> impl Iterator<Item = ElementRef<'_>> {
    std::iter::once(a)
        .chain(a.ancestors().filter_map(ElementRef::wrap).take(2))
        .take_while(|e| !matches!(e.value().name(), "body" | "main" | "article"))
        .flat_map(|e| {
            let before = e.prev_siblings().find_map(ElementRef::wrap);
            let after = e.next_siblings().find_map(ElementRef::wrap);
            before.into_iter().chain(after)
        })
}

/// The date a link shows (`<time datetime>` inside it), as `YYYY-MM-DD HH:MM` for comparing;
/// None when there is none or it is not an ISO date.
pub fn date_in(a: ElementRef<'_>) -> Option<String> {
    static TIME: LazyLock<Selector> = LazyLock::new(|| Selector::parse("time[datetime]").unwrap());
    let d = a.select(&TIME).next()?.value().attr("datetime")?.trim();
    let b = d.as_bytes();
    let iso_day = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    if !iso_day {
        return None;
    }
    let time = d
        .get(11..16)
        .filter(|t| t.as_bytes()[2] == b':')
        .unwrap_or("00:00");
    Some(format!("{} {time}", &d[..10]))
}

/// The links of a container, in document order.
pub fn links_in(container: ElementRef<'_>) -> impl Iterator<Item = ElementRef<'_>> {
    static LINKS: LazyLock<Selector> = LazyLock::new(|| Selector::parse("a").unwrap());
    container.select(&LINKS)
}

/// The boxes that hold the page's headline (each `h1`; without one, the `article` or `main`
/// element): never a teaser box, whatever their class says (`<body class="right-sidebar">`,
/// `<div class="has-sidebar">`). The `body` is always among them.
pub fn headline_boxes(doc: &Html) -> HashSet<NodeId> {
    static H1: LazyLock<Selector> = LazyLock::new(|| Selector::parse("h1").unwrap());
    static MAIN: LazyLock<Selector> = LazyLock::new(|| {
        Selector::parse(r#"article, main, [role="main"], [itemprop="articleBody"]"#).unwrap()
    });
    let mut boxes = HashSet::new();
    let mut mark = |el: ElementRef<'_>| {
        for a in el.ancestors() {
            if !boxes.insert(a.id()) {
                break;
            }
        }
    };
    let mut any = false;
    for h in doc.select(&H1) {
        mark(h);
        any = true;
    }
    if !any && let Some(m) = doc.select(&MAIN).next() {
        mark(m);
    }
    boxes
}

/// Inside a teaser box: a sidebar, widget, related or most-read list, promotion (or an `aside`),
/// that does not hold the page's headline. Its links lead to other articles. The nearest box
/// decides: a post navigation inside a widget wrapper (Elementor's `elementor-widget` around
/// its `elementor-post-navigation`) is a post navigation.
pub fn in_teaser_box(el: ElementRef<'_>, headline_boxes: &HashSet<NodeId>) -> bool {
    for a in el
        .ancestors()
        .filter_map(ElementRef::wrap)
        .take_while(|a| !headline_boxes.contains(&a.id()))
    {
        if is_post_navigation_box(a.value()) {
            return false;
        }
        if a.value().name() == "aside" || vocab::names_teaser_box(&class_and_id(a.value())) {
            return true;
        }
    }
    false
}

/// A box whose own markup says post navigation: a `nav` (or `role="navigation"`) whose
/// `aria-label` is a post-navigation name, or class words naming a navigation of posts
/// (`post-navigation`, `nav-single`, `mh-post-nav`) or both sides (`td-post-next-prev`,
/// `prev-next-post-nav`).
pub fn is_post_navigation_box(e: &Element) -> bool {
    if (e.name() == "nav" || e.attr("role") == Some("navigation") || e.attr("aria-label").is_some())
        && e.attr("aria-label")
            .is_some_and(|l| vocab::is_any(&fold(l), &vocab::POST_NAVIGATION))
    {
        return true;
    }
    let (mut nav, mut post, mut next, mut prev) = (false, false, false, false);
    for word in e
        .attr("class")
        .unwrap_or("")
        .split(|c: char| c.is_ascii_whitespace() || c == '-' || c == '_')
    {
        let w = word.to_ascii_lowercase();
        let w = w.as_str();
        nav |= vocab::NAVIGATION_CLASS_WORDS.contains(&w);
        post |= vocab::POSTS_CLASS_WORDS.contains(&w);
        let both = vocab::BOTH_SIDES_CLASS_WORDS.contains(&w);
        next |= both || vocab::PAIR_NEXT_CLASS_WORDS.contains(&w);
        prev |= both || vocab::PAIR_PREVIOUS_CLASS_WORDS.contains(&w);
    }
    (nav && post) || (next && prev)
}

/// Inside a numbered pager: the link's list or box (three levels at most) also holds links whose
/// text is a page number, as listing pagination, `wp_link_pages` and Drupal's pager print them.
/// Article navigation never numbers its links.
pub fn in_numbered_pager(a: ElementRef<'_>) -> bool {
    a.ancestors()
        .filter_map(ElementRef::wrap)
        .take(3)
        .take_while(|e| !matches!(e.value().name(), "html" | "body" | "main" | "article"))
        .any(|e| {
            // A box of many links is a page region (an article with footnotes), not a pager.
            let mut numbered = false;
            for (i, l) in links_in(e).enumerate() {
                if i >= MAX_PAGER_LINKS {
                    return false;
                }
                numbered |= is_page_number_text(l);
            }
            numbered
        })
}

/// The most links a pager holds: first, previous, a window of numbers, next, last.
const MAX_PAGER_LINKS: usize = 24;

fn is_page_number_text(l: ElementRef<'_>) -> bool {
    let t: String = l.text().collect();
    let t = t.trim();
    !t.is_empty() && t.len() <= 8 && t.chars().all(char::is_numeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first<'a>(doc: &'a Html, css: &str) -> ElementRef<'a> {
        doc.select(&Selector::parse(css).unwrap()).next().unwrap()
    }

    #[test]
    fn directions_from_markup() {
        let doc = Html::parse_fragment(
            r#"<div class="nav-next"><span class="next"><a id="n" href="/n">x</a></span></div>
               <div class="td-post-next-prev"><a id="c" href="/c">y</a></div>
               <a id="p" class="blog-pager-older-link" rel="prev" href="/p">z</a>"#,
        );
        assert_eq!(
            link_class_direction(first(&doc, "#n")),
            Some(Direction::Next)
        );
        assert_eq!(link_class_direction(first(&doc, "#c")), None);
        assert_eq!(
            link_class_direction(first(&doc, "#p")),
            Some(Direction::Previous)
        );
        assert_eq!(
            rel_direction(first(&doc, "#p").value()),
            Some(Direction::Previous)
        );
    }

    #[test]
    fn post_navigation_by_name() {
        let doc = Html::parse_document(
            r#"<nav class="navigation post-navigation" aria-label="المقالات"><h2 class="screen-reader-text">تصفّح المقالات</h2>
               <div class="nav-links"><div class="nav-next"><a id="a" href="/n">x</a></div></div></nav>
               <nav aria-labelledby="bk"><h2 id="bk">Book traversal links for Chapter 1</h2><a id="b" href="/b">y</a></nav>
               <nav aria-label="Menu"><a id="m" href="/m">z</a></nav>"#,
        );
        let navs = post_navigations(&doc);
        assert!(named_post_navigation(first(&doc, "#a"), &navs).is_some());
        assert!(named_post_navigation(first(&doc, "#b"), &navs).is_some());
        assert!(named_post_navigation(first(&doc, "#m"), &navs).is_none());
    }

    #[test]
    fn teaser_boxes_but_not_the_page_around_the_headline() {
        let doc = Html::parse_document(
            r#"<body class="single right-sidebar"><div id="primary" class="has-sidebar"><h1>T</h1>
               <nav><a id="nav" href="/n">x</a></nav></div>
               <div class="widget-area"><a id="w" href="/w">y</a></div></body>"#,
        );
        let boxes = headline_boxes(&doc);
        assert!(!in_teaser_box(first(&doc, "#nav"), &boxes));
        assert!(in_teaser_box(first(&doc, "#w"), &boxes));
        // Without an h1, the article's box stands for it; the body is never a teaser box.
        let doc = Html::parse_document(
            r#"<body class="right-sidebar"><div class="site has-sidebar"><article><h2>T</h2></article>
               <a id="nav" href="/n">x</a></div><div class="widget"><a id="w" href="/w">y</a></div></body>"#,
        );
        let boxes = headline_boxes(&doc);
        assert!(!in_teaser_box(first(&doc, "#nav"), &boxes));
        assert!(in_teaser_box(first(&doc, "#w"), &boxes));
    }

    #[test]
    fn the_nearest_box_decides() {
        let doc = Html::parse_document(
            r#"<h1>T</h1><div class="elementor-widget elementor-widget-post-navigation"><div class="elementor-post-navigation">
               <div class="elementor-post-navigation__next"><a id="e" href="/n" rel="next">x</a></div></div></div>
               <section class="widget widget_recent_entries"><nav aria-label="Recent Posts"><a id="r" href="/r">y</a></nav></section>"#,
        );
        let boxes = headline_boxes(&doc);
        assert!(!in_teaser_box(first(&doc, "#e"), &boxes));
        assert!(in_teaser_box(first(&doc, "#r"), &boxes));
    }

    #[test]
    fn numbered_pagers() {
        let doc = Html::parse_fragment(
            r#"<div class="nav-links"><a href="/page/1/">1</a><span>2</span><a id="x" href="/page/3/">Next</a></div>
               <nav class="pagination"><a id="y" href="/a/">Next</a></nav>"#,
        );
        assert!(in_numbered_pager(first(&doc, "#x")));
        assert!(!in_numbered_pager(first(&doc, "#y")));
    }
}
