//! Next-article discovery, pure: a parsed page and its URL give the link to follow, if any, how it
//! was found, and the candidates refused on the way (for the `-vv` log).
//!
//! Links are read as they render (`reading`) and weighed in this order; the first step that
//! finds a link wins:
//! 1. the user's `--next-selector`;
//! 2. **label**: a link that says it leads to the next or newer article: a line of its text, its
//!    screen-reader text, `aria-label`, `title` (or another label attribute) or an image's `alt`
//!    is, or begins with, a label of [`vocab::NEXT_LABELS`] or [`vocab::NEWER_LABELS`];
//! 3. **label-nearby** (`nearby`): such a label written beside a single link (`<span>Next
//!    article</span> <a>Title</a>`), within a small container and before any other label;
//! 4. **rel-next** and **structure** (`pairs`, reading `structure`): `rel="next"` on the link;
//!    in a post navigation (a `nav` named "Post navigation", «تصفح المقالات», …), the link its
//!    classes mark as next or the one beside a recognisable previous link; a pair of links whose
//!    classes say next and previous; the newer of two dated links alone in their box;
//! 5. **word**: a bare "Next", «التالي», «Suivant» or "Next page" as the link's own text, with a
//!    headline, a post navigation, `rel="next"` or a recognisable previous link beside it;
//! 6. **rel-next** on a `<link>` in the head.
//!
//! Every step but the first refuses: the page itself and its other pages (page parameters,
//! continuation pages `/slug/2/`, comment pages), listing pages, links in numbered pagers, links
//! that say previous, older, "read also" or listing pagination, and links in teaser boxes
//! (sidebars, widgets, related and most-read lists). A link with evidence both ways is refused:
//! not following beats following a trap.

mod nearby;
mod paging;
mod pairs;
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
use crate::vocab;

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

#[cfg(test)]
mod tests;
