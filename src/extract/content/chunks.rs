//! An article in pieces: chunks and twin sections a page builder writes side by side, gathered
//! under the ancestor that holds them, and told from a listing by its linked headlines.

use std::collections::HashMap;
use std::sync::LazyLock;

use ego_tree::{NodeId, NodeRef};
use scraper::{ElementRef, Html, Node, Selector};

use super::stats::Stats;

/// Headlines that are links, or links holding a headline: a list of posts or teasers has one each.
static LINKED_HEADLINES: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse("h2 a[href], h3 a[href], h4 a[href], a[href] h2, a[href] h3").unwrap()
});

/// Headings whose text is a link, in a box: the teasers of a listing.
pub(super) fn linked_headlines(node: NodeRef<'_, Node>) -> usize {
    ElementRef::wrap(node).map_or(0, |el| el.select(&LINKED_HEADLINES).count())
}

/// [`linked_headlines`] outside page furniture: those among the kept elements (`kept` maps each
/// kept element to its parent).
fn kept_linked_headlines(doc: &Html, id: NodeId, kept: &HashMap<NodeId, NodeId>) -> usize {
    doc.tree.get(id).and_then(ElementRef::wrap).map_or(0, |el| {
        el.select(&LINKED_HEADLINES)
            .filter(|h| kept.contains_key(&h.id()))
            .count()
    })
}

/// An article split into chunks by its page builder (`<div class="component">` after
/// `<div class="component">`, inline elements between): when a close ancestor of the chosen box
/// (five levels at most) also holds another chunk that scores at least half as well, reads as
/// prose (few links) and is not part of the chosen box, that ancestor holds the article.
pub(super) fn with_nearby_chunks(
    doc: &Html,
    top: NodeId,
    scores: &HashMap<NodeId, f64>,
    parents: &HashMap<NodeId, NodeId>,
    stats: &HashMap<NodeId, Stats>,
) -> NodeId {
    const LEVELS: usize = 5;
    // Page builders nest each section deeper (row, column, inner column, wrapper, text column):
    // twins are looked for further up.
    const TWIN_LEVELS: usize = 8;
    const RIVAL_SHARE: f64 = 0.5;
    const PROSE_LINK_DENSITY: f64 = 0.3;
    let best = scores.get(&top).copied().unwrap_or(0.0);
    if best <= 0.0 {
        return top;
    }
    let is_within = |node: NodeId, ancestor: NodeId| {
        let mut cur = Some(node);
        while let Some(c) = cur {
            if c == ancestor {
                return true;
            }
            cur = parents.get(&c).copied();
        }
        false
    };
    let mut chosen = top;
    let mut ancestor = parents.get(&top).copied();
    for level in 0..TWIN_LEVELS {
        let Some(a) = ancestor else { break };
        if !parents.contains_key(&a) {
            // The page root itself.
            break;
        }
        let prose = |id: &NodeId| {
            stats
                .get(id)
                .is_some_and(|s| s.link_density() < PROSE_LINK_DENSITY)
        };
        // Twins of the chosen box count whatever their score, unless the ancestor is a list
        // of posts, each under its own linked headline (a blog's front page).
        let twins_count = || kept_linked_headlines(doc, a, parents) < 2;
        let rival = scores.iter().any(|(id, sc)| {
            let rivals = (level < LEVELS && *sc >= best * RIVAL_SHARE)
                || (*sc > 0.0
                    && is_twin(doc, *id, top)
                    && (level < LEVELS || same_article(doc, *id, top))
                    && twins_count());
            rivals
                && !is_within(*id, chosen)
                && !is_within(chosen, *id)
                && is_within(*id, a)
                && prose(id)
        });
        if rival && prose(&a) {
            chosen = a;
        }
        ancestor = parents.get(&a).copied();
    }
    chosen
}

/// Whether two boxes are made by the same template: the same tag with the same class names
/// (`<div class="story-body story-body-1">` and `… story-body-2`: digits aside). A page builder
/// that splits an article into sections writes each the same way.
fn is_twin(doc: &Html, a: NodeId, b: NodeId) -> bool {
    let element = |id| doc.tree.get(id).and_then(|n| n.value().as_element());
    let (Some(a), Some(b)) = (element(a), element(b)) else {
        return false;
    };
    let family = |e: &scraper::node::Element| {
        e.attr("class")
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect::<String>()
    };
    let fa = family(a);
    a.name() == b.name() && !fa.trim().is_empty() && fa == family(b)
}

/// Whether two boxes sit in the same `<article>` element, or neither in one: a page that prints
/// several articles whole (a live list of stories) puts each in its own.
fn same_article(doc: &Html, a: NodeId, b: NodeId) -> bool {
    let article_of = |id| {
        doc.tree.get(id).and_then(|n| {
            n.ancestors()
                .find(|x| {
                    x.value()
                        .as_element()
                        .is_some_and(|e| e.name() == "article")
                })
                .map(|x| x.id())
        })
    };
    article_of(a) == article_of(b)
}

/// Articles split into chunks (`<div class="chunk">` after `<div class="chunk">`, ads between)
/// give several candidates of nearly the same score. When at least three rivals scoring 75% of
/// the best share one of its ancestors, that ancestor holds the article (readability's rule).
pub(super) fn common_ancestor_of_rivals(
    top: NodeId,
    scores: &HashMap<NodeId, f64>,
    parents: &HashMap<NodeId, NodeId>,
) -> NodeId {
    const MIN_RIVALS: usize = 3;
    let best = scores.get(&top).copied().unwrap_or(0.0);
    if best <= 0.0 {
        return top;
    }
    let holds_top = |id: NodeId| {
        let mut cur = parents.get(&top).copied();
        while let Some(a) = cur {
            if a == id {
                return true;
            }
            cur = parents.get(&a).copied();
        }
        false
    };
    // Rivals are other chunks: not the boxes around the top candidate, which score well for
    // holding it.
    let mut rivals: Vec<(NodeId, f64)> = scores
        .iter()
        .filter(|(id, sc)| **id != top && **sc >= best * 0.75 && !holds_top(**id))
        .map(|(id, sc)| (*id, *sc))
        .collect();
    rivals.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    rivals.truncate(5);
    if rivals.len() < MIN_RIVALS {
        return top;
    }
    let ancestors_of = |id: NodeId| {
        let mut out = Vec::new();
        let mut cur = parents.get(&id).copied();
        while let Some(a) = cur {
            out.push(a);
            cur = parents.get(&a).copied();
        }
        out
    };
    let rival_ancestors: Vec<Vec<NodeId>> =
        rivals.iter().map(|(id, _)| ancestors_of(*id)).collect();
    // Walk up from the top candidate; the first ancestor shared by enough rivals wins, unless it
    // is the page root itself.
    let top_ancestors = ancestors_of(top);
    let root = top_ancestors.last().copied();
    for a in top_ancestors {
        if Some(a) == root {
            break;
        }
        let sharing = rival_ancestors
            .iter()
            .filter(|list| list.contains(&a))
            .count();
        if sharing >= MIN_RIVALS {
            return a;
        }
    }
    top
}
