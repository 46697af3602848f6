//! The content scorer: text statistics of each box, what its paragraphs, tag and names earn it,
//! the best candidate, and the siblings that continue it (readability's rules).

use std::collections::HashMap;

use ego_tree::{NodeId, NodeRef};
use scraper::{ElementRef, Html, Node};

use super::Furniture;
use super::chunks::{common_ancestor_of_rivals, with_nearby_chunks};
use super::render::BLOCK_TAGS;
use super::stats::Stats;
use crate::text;
use crate::vocab;

/// Shortest paragraph that counts towards a block's score.
const MIN_PARAGRAPH_CHARS: usize = 25;
/// How many ancestor levels a paragraph's score reaches.
const SCORE_LEVELS: usize = 5;

/// Pre-order list of the non-junk elements under `root`, their parents, and bottom-up stats.
pub(super) fn collect_stats(
    root: NodeRef<'_, Node>,
    furniture: &Furniture,
) -> (Vec<NodeId>, HashMap<NodeId, NodeId>, HashMap<NodeId, Stats>) {
    let mut order = Vec::new();
    let mut parents = HashMap::new();
    let mut own: HashMap<NodeId, Stats> = HashMap::new();
    // (node, inside a link)
    let mut stack: Vec<(NodeRef<'_, Node>, bool)> = vec![(root, false)];
    while let Some((node, in_link)) = stack.pop() {
        match node.value() {
            Node::Element(el) => {
                if node.id() != root.id() && furniture.is_junk(node) {
                    continue;
                }
                order.push(node.id());
                let link = in_link || el.name() == "a";
                for child in node.children().rev() {
                    if child.value().is_element() {
                        parents.insert(child.id(), node.id());
                    }
                    stack.push((child, link));
                }
            }
            Node::Text(t) => {
                let Some(parent) = node.parent() else {
                    continue;
                };
                let chars = text::text_weight(t);
                let commas = t.chars().filter(|&c| is_clause_mark(c)).count();
                let s = own.entry(parent.id()).or_default();
                s.chars += chars;
                s.commas += commas;
                s.direct_chars += chars;
                s.direct_commas += commas;
                if in_link {
                    s.link_chars += chars;
                }
            }
            _ => {}
        }
    }
    let mut stats = own;
    for &id in order.iter().rev() {
        let s = stats.get(&id).copied().unwrap_or_default();
        if let Some(&p) = parents.get(&id) {
            let ps = stats.entry(p).or_default();
            ps.chars += s.chars;
            ps.link_chars += s.link_chars;
            ps.commas += s.commas;
        }
    }
    (order, parents, stats)
}

/// Punctuation that ends a clause or a sentence, in the scripts articles are written in: prose
/// has many, menus and lists of links few. Chinese and Japanese write `，` `、` `。`.
fn is_clause_mark(c: char) -> bool {
    matches!(
        c,
        ',' | '.' | '،' | '؛' | '，' | '、' | '。' | '．' | '﹐' | '︐' | '︑'
    )
}

fn tag_weight(name: &str) -> f64 {
    match name {
        "article" => 10.0,
        "main" | "div" | "section" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    }
}

/// What a box's names add to what its paragraphs earned. A name that promises the article
/// (`article-body`, `entry-content`) counts in full once the box holds a few sentences
/// ([`NAMED_BOX_CHARS`]), less below, so a one-line box named for the article
/// (`ArticleNoteBox`, a paywall offer) never outranks the prose beside it. Names of chrome
/// count in full.
fn names_weight(class_weight: f64, chars: usize) -> f64 {
    if class_weight > 0.0 {
        class_weight * (chars as f64 / NAMED_BOX_CHARS as f64).min(1.0)
    } else {
        class_weight
    }
}

/// Text (in [`text::text_weight`] units) a box needs before its article-like name counts in full.
const NAMED_BOX_CHARS: usize = 400;

fn class_weight(el: &scraper::node::Element) -> f64 {
    let hints = vocab::component_names(el, true);
    if hints.is_empty() {
        return 0.0;
    }
    let mut w = 0.0;
    if vocab::names_article(&hints) {
        w += 25.0;
    }
    if vocab::names_any_chrome(&hints) {
        w -= 25.0;
    }
    if el.attr("itemprop") == Some("articleBody") {
        w += 50.0;
    }
    w
}

fn is_paragraph_like(node: NodeRef<'_, Node>) -> bool {
    let Some(el) = node.value().as_element() else {
        return false;
    };
    match el.name() {
        "p" | "pre" | "td" | "blockquote" => true,
        // A div holding text directly (no block children) reads as a paragraph.
        "div" | "section" => !node.children().any(|c| {
            c.value()
                .as_element()
                .is_some_and(|e| BLOCK_TAGS.contains(&e.name()))
        }),
        _ => false,
    }
}

fn is_text_container(node: NodeRef<'_, Node>) -> bool {
    node.value().as_element().is_some_and(|e| {
        matches!(
            e.name(),
            "div" | "section" | "article" | "main" | "td" | "font" | "center"
        )
    })
}

pub(super) fn best_candidate(
    doc: &Html,
    order: &[NodeId],
    parents: &HashMap<NodeId, NodeId>,
    stats: &HashMap<NodeId, Stats>,
) -> Option<(NodeId, HashMap<NodeId, f64>)> {
    // What each box's paragraphs earn it; its tag and names are added once at the end.
    let mut content: HashMap<NodeId, f64> = HashMap::new();
    for &id in order {
        let Some(node) = doc.tree.get(id) else {
            continue;
        };
        let s = stats.get(&id).copied().unwrap_or_default();
        // A paragraph credits its parent first; text written straight into a container
        // (`<div>text<br>text</div>` beside block children) credits the container itself.
        let (chars, commas, link_density, first) = if is_paragraph_like(node) {
            (
                s.chars,
                s.commas,
                s.link_density(),
                parents.get(&id).copied(),
            )
        } else if is_text_container(node) {
            (s.direct_chars, s.direct_commas, 0.0, Some(id))
        } else {
            continue;
        };
        if chars < MIN_PARAGRAPH_CHARS {
            continue;
        }
        let mut score = 1.0 + commas.min(20) as f64 + (chars as f64 / 100.0).min(3.0);
        score *= 1.0 - link_density;
        let mut ancestor = first;
        for level in 0..SCORE_LEVELS {
            let Some(a) = ancestor else { break };
            let divider = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f64 * 3.0,
            };
            *content.entry(a).or_default() += score / divider;
            ancestor = parents.get(&a).copied();
        }
    }
    let chars_of = |id: NodeId| stats.get(&id).map_or(0, |s| s.chars);
    let scores: HashMap<NodeId, f64> = content
        .into_iter()
        .map(|(id, earned)| {
            let named = doc
                .tree
                .get(id)
                .and_then(|n| n.value().as_element())
                .map_or(0.0, |e| {
                    tag_weight(e.name()) + names_weight(class_weight(e), chars_of(id))
                });
            let ld = stats.get(&id).map_or(0.0, Stats::link_density);
            (id, (earned + named) * (1.0 - ld))
        })
        .collect();
    let top = scores
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(id, _)| *id)?;
    let top = common_ancestor_of_rivals(top, &scores, parents);
    let top = with_nearby_chunks(doc, top, &scores, parents, stats);
    Some((top, scores))
}

/// The top candidate and the siblings that continue it (readability's sibling rule).
pub(super) fn with_siblings(
    doc: &Html,
    top: NodeId,
    stats: &HashMap<NodeId, Stats>,
    scores: &HashMap<NodeId, f64>,
    furniture: &Furniture,
) -> Vec<NodeId> {
    let top_score = scores.get(&top).copied().unwrap_or(0.0);
    let threshold = (top_score * 0.2).max(10.0);
    let Some(top_node) = doc.tree.get(top) else {
        return vec![top];
    };
    let Some(parent) = top_node.parent() else {
        return vec![top];
    };
    let top_chars = stats.get(&top).map_or(0, |s| s.chars);
    let mut out = Vec::new();
    for sib in parent.children() {
        if sib.id() == top {
            out.push(top);
            continue;
        }
        let Some(el) = sib.value().as_element() else {
            continue;
        };
        if furniture.is_junk(sib) {
            continue;
        }
        let s = stats.get(&sib.id()).copied().unwrap_or_default();
        let same_class = el.attr("class").is_some()
            && el.attr("class") == top_node.value().as_element().and_then(|e| e.attr("class"));
        let ld = s.link_density();
        let bonus = if same_class { top_score * 0.2 } else { 0.0 };
        let keep = if scores
            .get(&sib.id())
            .is_some_and(|sc| sc + bonus >= threshold)
        {
            true
        } else if el.name() == "p" || wraps_paragraphs_only(sib) {
            (s.chars > 80 && ld < 0.25) || (s.chars > 0 && ld == 0.0 && ends_sentence(sib))
        } else {
            same_class && s.chars * 3 > top_chars && ld < 0.25
        };
        if keep {
            out.push(sib.id());
        }
    }
    out
}

/// A box that only wraps a paragraph or two (`<div class="firstPar"><p>…</p></div>`): a
/// paragraph, for the sibling rule.
fn wraps_paragraphs_only(node: NodeRef<'_, Node>) -> bool {
    let Some(el) = node.value().as_element() else {
        return false;
    };
    if !matches!(el.name(), "div" | "section") {
        return false;
    }
    let mut paragraphs = 0;
    for c in node.children() {
        match c.value() {
            Node::Element(e) if e.name() == "p" => paragraphs += 1,
            Node::Element(_) => return false,
            Node::Text(t) if !t.trim().is_empty() => return false,
            _ => {}
        }
    }
    (1..=2).contains(&paragraphs)
}

fn ends_sentence(node: NodeRef<'_, Node>) -> bool {
    let Some(el) = ElementRef::wrap(node) else {
        return false;
    };
    let t: String = el.text().collect();
    t.trim_end()
        .ends_with(['.', '!', '?', '؟', '。', '»', '"', ':'])
}
