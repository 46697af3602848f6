//! A next label written outside the link it names: `<span>Next article</span> <a>Title</a>`,
//! within a small container, before any other label, beside a single destination.

use std::sync::LazyLock;

use scraper::{ElementRef, Selector};
use url::Url;

use super::structure::{self, Direction};
use super::{ANCHORS, Accepted, Link, NextLink, Says, Via, Weighing, reading};
use crate::vocab::{self, fold};

impl<'a> Weighing<'a> {
    /// A next label written outside the link, beside a single link.
    pub(super) fn label_nearby(&mut self) -> Option<NextLink> {
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
