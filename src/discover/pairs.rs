//! Links whose place marks them as the next one: `rel="next"`, a side of a named post
//! navigation, one of a previous/next pair, or the newer of two dated links alone in a box.

use std::collections::HashSet;

use scraper::ElementRef;
use url::Url;

use super::structure::{self, Direction};
use super::{Accepted, Link, NextLink, Says, Via, Weighing, reading};

impl<'a> Weighing<'a> {
    /// `rel="next"` on a link, and the post navigation's other evidence.
    pub(super) fn by_structure(&mut self, links: &[Link<'a>]) -> Option<NextLink> {
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
    pub(super) fn paired_with_previous(&self, a: ElementRef<'a>) -> bool {
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
}

/// Whether a link is recognisably the previous one: by its words, `rel` or classes.
pub(super) fn is_previous(a: ElementRef<'_>) -> bool {
    structure::rel_direction(a.value()) == Some(Direction::Previous)
        || Says::of(&reading::read(a)).previous
        || structure::link_class_direction(a) == Some(Direction::Previous)
}
