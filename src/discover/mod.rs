//! Next-article discovery, pure: a parsed page and its URL give the link to follow, if any, how it
//! was found, and the candidates refused on the way (for the `-vv` log).
//!
//! Links are read as they render (`reading`) and weighed in this order; the first step that
//! finds a link wins:
//! 1. the user's `--next-selector`;
//! 2. **label**: a link that says it leads to the next or newer article: a line of its text, its
//!    screen-reader text, `aria-label`, `title` (or another label attribute) or an image's `alt`
//!    is, or begins with, a label of [`vocab::NEXT_LABELS`] or [`vocab::NEWER_LABELS`];
//! 3. **label-nearby**: such a label written beside a single link (`<span>Next article</span>
//!    <a>Title</a>`), within a small container and before any other label;
//! 4. **rel-next** and **structure**: `rel="next"` on the link; in a post navigation (a `nav`
//!    named "Post navigation", «تصفح المقالات», …), the link its classes mark as next or the one
//!    beside a recognisable previous link; a pair of links whose classes say next and previous;
//!    the newer of two dated links alone in their box;
//! 5. **word**: a bare "Next", «التالي», «Suivant» or "Next page" as the link's own text, with a
//!    headline, a post navigation, `rel="next"` or a recognisable previous link beside it;
//! 6. **rel-next** on a `<link>` in the head.
//!
//! Every step but the first refuses: the page itself and its other pages (page parameters,
//! continuation pages `/slug/2/`, comment pages), listing pages, links in numbered pagers, links
//! that say previous, older, "read also" or listing pagination, and links in teaser boxes
//! (sidebars, widgets, related and most-read lists). A link with evidence both ways is refused:
//! not following beats following a trap.

mod paging;
mod reading;
mod structure;

use std::collections::HashSet;
use std::sync::LazyLock;

use ego_tree::NodeId;
use scraper::{ElementRef, Html, Selector};
use url::Url;

pub use paging::{Paging, paging};
pub use reading::Reading;
use structure::Direction;

use crate::extract::base_url;
use crate::vocab::{self, fold};

static ANCHORS: LazyLock<Selector> = LazyLock::new(|| Selector::parse("a[href]").unwrap());
static LINK_REL_NEXT: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse(r#"link[href][rel~="next" i]"#).unwrap());

/// How a next link was found (for the log and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Selector,
    Label,
    LabelNearby,
    RelNext,
    Structure,
    Word,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Selector => "selector",
            Via::Label => "label",
            Via::LabelNearby => "label-nearby",
            Via::RelNext => "rel-next",
            Via::Structure => "structure",
            Via::Word => "word",
        }
    }
}

impl std::fmt::Display for Via {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The next-article link found on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextLink {
    pub url: Url,
    pub via: Via,
}

/// A candidate that was not followed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub url: String,
    pub why: &'static str,
}

/// What discovery found on a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovery {
    pub next: Option<NextLink>,
    /// Candidates with some evidence of being the next link that lost or were refused, in the
    /// order they were weighed (at most [`MAX_REFUSED`]).
    pub refused: Vec<Refused>,
}

/// The most refused candidates a page reports.
pub const MAX_REFUSED: usize = 16;

/// Finds the next-article link of `doc`, fetched from `page`.
pub fn next_article(doc: &Html, page: &Url, selector: Option<&Selector>) -> Discovery {
    let mut weigh = Weighing::new(doc, page);
    let next = match selector {
        Some(sel) => weigh.by_selector(sel),
        None => weigh.find(),
    };
    Discovery {
        next,
        refused: weigh.refused,
    }
}

/// What a link says, by its reading.
#[derive(Debug, Clone, Copy, Default)]
struct Says {
    /// A full next or newer label.
    next: bool,
    /// A bare word: "Next", «التالي», "Next page".
    word: bool,
    /// Besides its label, a headline: a line, piece or attribute of two words or more that is
    /// no label ("Next" + "Budget vote approved").
    headline: bool,
    previous: bool,
    /// Up to a parent, a table of contents or the home page.
    up: bool,
    read_also: bool,
    /// Listing or comment pagination: "Older posts", "Newer comments".
    paging: bool,
}

impl Says {
    fn of(reading: &Reading) -> Says {
        let mut says = Says::default();
        for s in reading.all() {
            if !vocab::may_be_label(s) {
                says.headline |= s.contains(' ');
                continue;
            }
            if vocab::starts_with_any(s, &vocab::PREVIOUS)
                || vocab::is_any(s, &vocab::PREVIOUS_WORD)
            {
                says.previous = true;
            } else if vocab::starts_with_any(s, &vocab::NEXT)
                || vocab::starts_with_any(s, &vocab::RECOMMENDATION)
            {
                says.next = true;
            } else if vocab::is_any(s, &vocab::NEXT_WORD) {
                says.word = true;
            } else if s.contains(' ') {
                says.headline = true;
            }
            says.up |= vocab::is_any(s, &vocab::UP);
            says.read_also |= vocab::starts_with_any(s, &vocab::READ_ALSO);
            says.paging |= vocab::starts_with_any(s, &vocab::PAGING);
        }
        says
    }
}

/// One link of the page, read once.
struct Link<'a> {
    el: ElementRef<'a>,
    says: Says,
}

/// A link that passed every refusal, with how strongly its place supports it.
struct Accepted {
    url: Url,
    /// Lower is stronger: 0 for a link in a post navigation or with `rel="next"`.
    rank: u8,
    via: Via,
}

/// The state of one page's weighing.
struct Weighing<'a> {
    doc: &'a Html,
    page: &'a Url,
    base: Url,
    headline_boxes: HashSet<NodeId>,
    post_navs: HashSet<NodeId>,
    refused: Vec<Refused>,
}

impl<'a> Weighing<'a> {
    fn new(doc: &'a Html, page: &'a Url) -> Self {
        Weighing {
            doc,
            page,
            base: base_url(doc, page),
            headline_boxes: structure::headline_boxes(doc),
            post_navs: structure::post_navigations(doc),
            refused: Vec::new(),
        }
    }

    fn find(&mut self) -> Option<NextLink> {
        let links: Vec<Link<'a>> = self
            .doc
            .select(&ANCHORS)
            .map(|el| Link {
                el,
                says: Says::of(&reading::read(el)),
            })
            .collect();
        let labelled: Vec<&Link<'a>> = links.iter().filter(|l| l.says.next).collect();
        if let Some(n) = self.best(&labelled, Via::Label) {
            return Some(n);
        }
        if let Some(n) = self.label_nearby() {
            return Some(n);
        }
        if let Some(n) = self.by_structure(&links) {
            return Some(n);
        }
        let words: Vec<&Link<'a>> = links.iter().filter(|l| l.says.word).collect();
        if let Some(n) = self.best(&words, Via::Word) {
            return Some(n);
        }
        self.link_rel_next()
    }

    /// The user's selector: the first element it matches that is (or holds) a followable link.
    fn by_selector(&mut self, sel: &Selector) -> Option<NextLink> {
        let own_page = |u: &Url| {
            matches!(
                paging(u, self.page),
                Some(Paging::SamePage | Paging::PageOfDocument)
            )
        };
        self.doc
            .select(sel)
            .find_map(|el| {
                if matches!(el.value().name(), "a" | "link") {
                    self.resolve(el).filter(|u| !own_page(u))
                } else {
                    el.select(&ANCHORS)
                        .find_map(|a| self.resolve(a).filter(|u| !own_page(u)))
                }
            })
            .map(|url| NextLink {
                url,
                via: Via::Selector,
            })
    }

    /// The strongest accepted candidate, the first in document order among equals; the others
    /// are reported as losing.
    fn best(&mut self, candidates: &[&Link<'a>], via: Via) -> Option<NextLink> {
        let mut accepted: Vec<Accepted> = Vec::new();
        for link in candidates {
            let Some(url) = self.accept(link, via) else {
                continue;
            };
            let rank = u8::from(!self.supported(link.el));
            accepted.push(Accepted { url, rank, via });
        }
        self.choose(accepted)
    }

    /// Picks the strongest of the accepted links; the others are logged as losing.
    fn choose(&mut self, accepted: Vec<Accepted>) -> Option<NextLink> {
        let best = accepted
            .iter()
            .enumerate()
            .min_by_key(|(i, a)| (a.rank, *i))
            .map(|(i, _)| i)?;
        for (i, a) in accepted.iter().enumerate() {
            if i != best && a.url != accepted[best].url {
                self.refuse(&a.url, "another candidate came first");
            }
        }
        let a = &accepted[best];
        Some(NextLink {
            url: a.url.clone(),
            via: a.via,
        })
    }

    /// The link's URL when nothing refuses it.
    fn accept(&mut self, link: &Link<'a>, via: Via) -> Option<Url> {
        let url = self.resolve(link.el)?;
        let why = self.refusal(link, &url, via);
        match why {
            Some(why) => {
                self.refuse(&url, why);
                None
            }
            None => Some(url),
        }
    }

    /// Why a candidate is not followed, if it is not.
    fn refusal(&self, link: &Link<'a>, url: &Url, via: Via) -> Option<&'static str> {
        if let Some(p) = paging(url, self.page) {
            return Some(p.describe());
        }
        let says = link.says;
        let rel = structure::rel_direction(link.el.value());
        if says.previous || rel == Some(Direction::Previous) {
            return Some("the link says previous or older");
        }
        if says.up {
            return Some("the link says up or home");
        }
        if says.read_also {
            return Some("the link says read also or related");
        }
        if says.paging {
            return Some("the link says listing or comment pagination");
        }
        if via == Via::Word && rel != Some(Direction::Next) {
            if paging::ends_in_page_number(url) {
                return Some("a bare word to a numbered page");
            }
            if !says.headline
                && structure::named_post_navigation(link.el, &self.post_navs).is_none()
                && !self.paired_with_previous(link.el)
            {
                return Some("a bare word with no headline and no previous link beside it");
            }
        }
        if structure::in_numbered_pager(link.el) {
            return Some("in a numbered pager");
        }
        if structure::in_teaser_box(link.el, &self.headline_boxes) {
            return Some("in a sidebar, widget or related box");
        }
        None
    }

    /// Whether a link's place supports it: `rel="next"`, or inside a post navigation.
    fn supported(&self, a: ElementRef<'a>) -> bool {
        structure::rel_direction(a.value()) == Some(Direction::Next)
            || structure::named_post_navigation(a, &self.post_navs).is_some()
    }

    /// A next label written outside the link, beside a single link.
    fn label_nearby(&mut self) -> Option<NextLink> {
        static LABELS: LazyLock<Selector> = LazyLock::new(|| {
            Selector::parse(
                "span, div, p, li, strong, b, em, h2, h3, h4, h5, h6, small, label, i, td, dt, header",
            )
            .unwrap()
        });
        let mut accepted = Vec::new();
        for el in self.doc.select(&LABELS) {
            let raw = direct_text(el);
            if raw.trim().is_empty() || raw.len() > 160 {
                continue;
            }
            let own = fold(&raw);
            // A bare word beside a link needs its place to agree: a post navigation, or a box
            // whose classes say next (`<div class="next-post"><span>التالي</span><a>…`).
            let placed = || {
                structure::named_post_navigation(el, &self.post_navs).is_some()
                    || structure::link_class_direction(el) == Some(Direction::Next)
            };
            let says_next = vocab::is_any(&own, &vocab::NEXT)
                || (vocab::is_any(&own, &vocab::NEXT_WORD) && placed());
            if !says_next
                || el
                    .ancestors()
                    .filter_map(ElementRef::wrap)
                    .any(|a| a.value().name() == "a")
            {
                continue;
            }
            let Some(a) = self.single_link_after(el) else {
                continue;
            };
            // The label beside the link is the link's; its own words can still refuse it.
            let mut says = Says::of(&reading::read(a));
            says.next = true;
            let link = Link { el: a, says };
            if structure::in_teaser_box(el, &self.headline_boxes) {
                if let Some(u) = self.resolve(a) {
                    self.refuse(&u, "labelled in a sidebar, widget or related box");
                }
                continue;
            }
            if let Some(url) = self.accept(&link, Via::LabelNearby) {
                accepted.push(Accepted {
                    url,
                    rank: u8::from(!self.supported(a)),
                    via: Via::LabelNearby,
                });
            }
        }
        self.choose(accepted)
    }

    /// The link after `label` in its container (the label's own children, then its following
    /// siblings, up to three ancestors), stopping at another label; None when that place holds
    /// links to several articles ("Read next" above a list of cards).
    fn single_link_after(&self, label: ElementRef<'a>) -> Option<ElementRef<'a>> {
        if let Some(a) = label.select(&ANCHORS).next() {
            return self.only_target(label).then_some(a);
        }
        let mut node = *label;
        for _ in 0..3 {
            let mut sib = node.next_sibling();
            while let Some(s) = sib {
                if let Some(el) = ElementRef::wrap(s) {
                    if el.value().name() == "a" {
                        return el.value().attr("href").is_some().then_some(el);
                    }
                    if is_label_text(el) {
                        return None;
                    }
                    if let Some(a) = el.select(&ANCHORS).next() {
                        return self.only_target(el).then_some(a);
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

    /// Whether every link in `el` leads to one place.
    fn only_target(&self, el: ElementRef<'a>) -> bool {
        let mut first: Option<Url> = None;
        for a in el.select(&ANCHORS) {
            if let Some(u) = self.resolve(a) {
                match &first {
                    None => first = Some(u),
                    Some(f) if *f != u => return false,
                    Some(_) => {}
                }
            }
        }
        true
    }

    /// `rel="next"` on a link, and the post navigation's other evidence.
    fn by_structure(&mut self, links: &[Link<'a>]) -> Option<NextLink> {
        let mut accepted = Vec::new();
        for link in links {
            let Some((rank, via)) = self.structural_next(link) else {
                continue;
            };
            if let Some(url) = self.accept(link, via) {
                accepted.push(Accepted { url, rank, via });
            }
        }
        self.choose(accepted)
    }

    /// How the page's structure marks a link as the next one, with its strength.
    fn structural_next(&self, link: &Link<'a>) -> Option<(u8, Via)> {
        let a = link.el;
        let named = structure::named_post_navigation(a, &self.post_navs);
        if structure::rel_direction(a.value()) == Some(Direction::Next) {
            return Some((u8::from(named.is_none()), Via::RelNext));
        }
        let by_class = structure::link_class_direction(a);
        if by_class == Some(Direction::Previous) {
            return None;
        }
        if let Some(nav) = named {
            if by_class == Some(Direction::Next) {
                return Some((2, Via::Structure));
            }
            if self.beside_a_previous_link(a, nav) {
                return Some((3, Via::Structure));
            }
            return None;
        }
        if by_class == Some(Direction::Next) && self.paired_with_previous(a) {
            return Some((4, Via::Structure));
        }
        if by_class.is_none() && self.newer_of_a_dated_pair(a) {
            return Some((5, Via::Structure));
        }
        None
    }

    /// In a post navigation of two destinations, the other one is recognisably previous.
    fn beside_a_previous_link(&self, a: ElementRef<'a>, nav: ElementRef<'a>) -> bool {
        let Some(own) = self.resolve(a) else {
            return false;
        };
        let mut others = structure::links_in(nav)
            .filter_map(|o| self.resolve(o).filter(|u| *u != own).map(|u| (o, u)));
        let Some((other, other_url)) = others.next() else {
            return false;
        };
        others.all(|(_, u)| u == other_url) && is_previous(other)
    }

    /// A pair of previous/next links: within four levels, a small box holds this link and another
    /// that is recognisably the previous one (a disabled `href="#"` counts), or such a link
    /// stands right beside it or its wrapper (Enfold prints its two links bare at the foot of
    /// the page's wrapper).
    fn paired_with_previous(&self, a: ElementRef<'a>) -> bool {
        for container in a.ancestors().filter_map(ElementRef::wrap).take(4) {
            if matches!(container.value().name(), "body" | "main" | "article") {
                break;
            }
            let links: Vec<ElementRef<'a>> = structure::links_in(container).take(9).collect();
            if links.len() > 8 {
                break;
            }
            if links.iter().any(|o| o.id() != a.id() && is_previous(*o)) {
                let targets: HashSet<Url> = links.iter().filter_map(|l| self.resolve(*l)).collect();
                return targets.len() <= 4;
            }
        }
        structure::beside(a).any(|sib| {
            if sib.value().name() == "a" {
                return is_previous(sib);
            }
            let links: Vec<ElementRef<'a>> = structure::links_in(sib).take(3).collect();
            links.len() <= 2 && links.into_iter().any(is_previous)
        })
    }

    /// The newer of two dated links that are alone in their box: adjacent-post navigation that
    /// shows each side's headline and date and no words (Hugo's Blowfish and Congo), where the
    /// newer side is the next article.
    fn newer_of_a_dated_pair(&self, a: ElementRef<'a>) -> bool {
        let Some(own) = structure::date_in(a) else {
            return false;
        };
        let Some(own_url) = self.resolve(a) else {
            return false;
        };
        for container in a.ancestors().filter_map(ElementRef::wrap).take(4) {
            if matches!(container.value().name(), "body" | "main" | "article") {
                return false;
            }
            let links: Vec<ElementRef<'a>> = structure::links_in(container).take(5).collect();
            let others: Vec<ElementRef<'a>> = links
                .iter()
                .copied()
                .filter(|l| self.resolve(*l).is_some_and(|u| u != own_url))
                .collect();
            if others.is_empty() {
                continue;
            }
            let other_urls: HashSet<Url> = others.iter().filter_map(|l| self.resolve(*l)).collect();
            // Exactly one other destination, every link of the box dated.
            return links.len() <= 4
                && other_urls.len() == 1
                && links.iter().all(|l| structure::date_in(*l).is_some())
                && others
                    .iter()
                    .filter_map(|l| structure::date_in(*l))
                    .all(|d| d < own);
        }
        false
    }

    /// `<link rel="next">` in the head: the last resort, refused when it is pagination.
    fn link_rel_next(&mut self) -> Option<NextLink> {
        let urls: Vec<Url> = self
            .doc
            .select(&LINK_REL_NEXT)
            .filter_map(|l| self.resolve(l))
            .collect();
        for url in urls {
            match paging(&url, self.page) {
                Some(p) => self.refuse(&url, p.describe()),
                None => {
                    return Some(NextLink {
                        url,
                        via: Via::RelNext,
                    });
                }
            }
        }
        None
    }

    /// A link's absolute http(s) URL without its fragment; None for `#…`, `javascript:` and
    /// other schemes.
    fn resolve(&self, el: ElementRef<'_>) -> Option<Url> {
        let href = el.value().attr("href")?.trim();
        if href.is_empty() || href.starts_with('#') {
            return None;
        }
        let mut u = self.base.join(href).ok()?;
        u.set_fragment(None);
        matches!(u.scheme(), "http" | "https").then_some(u)
    }

    fn refuse(&mut self, url: &Url, why: &'static str) {
        if self.refused.len() < MAX_REFUSED && !self.refused.iter().any(|r| r.url == url.as_str()) {
            self.refused.push(Refused {
                url: url.to_string(),
                why,
            });
        }
    }
}

/// Whether a link is recognisably the previous one: by its words, `rel` or classes.
fn is_previous(a: ElementRef<'_>) -> bool {
    structure::rel_direction(a.value()) == Some(Direction::Previous)
        || Says::of(&reading::read(a)).previous
        || structure::link_class_direction(a) == Some(Direction::Previous)
}

/// Whether an element's own text is a navigation label (next or previous): where the text that
/// belongs to a label beside a link ends.
fn is_label_text(el: ElementRef<'_>) -> bool {
    reading::lines_of(el).iter().take(2).any(|l| {
        vocab::starts_with_any(l, &vocab::PREVIOUS)
            || vocab::is_any(l, &vocab::PREVIOUS_WORD)
            || vocab::is_any(l, &vocab::NEXT)
    })
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

#[cfg(test)]
mod tests;
