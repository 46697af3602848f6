//! The article body: a content scorer (text and link density, paragraphs, punctuation, class and
//! id hints in English, French and Arabic) picks the main block; a renderer turns it into
//! paragraphs separated by blank lines, leaving page furniture out.
//!
//! One file a subject: `furniture` (what is chrome on this page), `score` (the content
//! scorer), `chunks` (an article in pieces), `standfirst`, `render` (boxes to
//! paragraphs), `clean` (paragraphs that are furniture in words).

mod chunks;
mod clean;
mod furniture;
mod render;
mod score;
mod standfirst;
mod stats;

use std::sync::LazyLock;

use ego_tree::NodeRef;
use scraper::{Html, Node, Selector};

pub use clean::{Cleanup, clean};
pub use furniture::{Furniture, Reading};

use crate::text;
use chunks::linked_headlines;
use render::render;
use score::{best_candidate, collect_stats, with_siblings};
use standfirst::standfirst_before;

/// Shortest paragraph counted as running text when protecting the main wrapper.
const LONG_PARAGRAPH_CHARS: usize = 80;

/// The body chosen and rendered.
#[derive(Debug, Default)]
pub struct BodyText {
    pub paragraphs: Vec<String>,
    /// Headlines that are links around the chosen box (teasers, when there are several).
    pub teasers: usize,
}

/// Below this much text (see [`text::text_weight`]), the strict reading is read again loosely.
const ENOUGH_TEXT: usize = 500;

/// Finds and renders the article body with the generic scorer: the strict reading, and when it
/// finds little, the loose one, kept when it finds an article where the strict one found
/// (almost) nothing.
pub fn generic_body(doc: &Html) -> BodyText {
    let strict = read_body(doc, &Furniture::reading(doc, Reading::Strict));
    let found = weight_of(&strict.paragraphs);
    if found >= ENOUGH_TEXT {
        return strict;
    }
    let loose = read_body(doc, &Furniture::reading(doc, Reading::Loose));
    if prefer_loose(&strict, &loose, found) {
        return loose;
    }
    if found == 0 && weight_of(&loose.paragraphs) == 0 {
        return noscript_body(doc).unwrap_or(strict);
    }
    strict
}

/// The article a page shows readers without scripts: pages drawn by scripts (Blogger's dynamic
/// views) put their text in `<noscript>`, which the parser keeps as raw text. Read only when
/// nothing else on the page is an article; the largest `<noscript>` is parsed on its own.
fn noscript_body(doc: &Html) -> Option<BodyText> {
    static NOSCRIPT: LazyLock<Selector> = LazyLock::new(|| Selector::parse("noscript").unwrap());
    const MIN_NOSCRIPT_BYTES: usize = 500;
    let markup = doc
        .select(&NOSCRIPT)
        .map(|n| n.text().collect::<String>())
        .filter(|t| t.len() >= MIN_NOSCRIPT_BYTES && t.contains('<'))
        .max_by_key(String::len)?;
    let inner = Html::parse_document(&markup);
    let body = read_body(&inner, &Furniture::reading(&inner, Reading::Strict));
    let prose = body
        .paragraphs
        .iter()
        .any(|p| text::text_weight(p) >= LONG_PARAGRAPH_CHARS);
    (prose && weight_of(&body.paragraphs) >= MIN_LOOSE_TEXT).then_some(body)
}

/// Whether the loose reading found the article the strict one missed: twice the text at least,
/// prose rather than a list of teasers, and holding what the strict reading had found.
fn prefer_loose(strict: &BodyText, loose: &BodyText, found: usize) -> bool {
    let more = weight_of(&loose.paragraphs);
    if more < found * 2 || more < MIN_LOOSE_TEXT {
        return false;
    }
    let prose = loose
        .paragraphs
        .iter()
        .filter(|p| text::text_weight(p) >= LONG_PARAGRAPH_CHARS)
        .count();
    // A listing: a linked headline for every few paragraphs.
    if loose.teasers >= MIN_TEASERS && loose.teasers * 3 >= prose {
        return false;
    }
    let kept = strict
        .paragraphs
        .iter()
        .filter(|p| loose.paragraphs.contains(p))
        .count();
    prose >= 1 && kept * 2 >= strict.paragraphs.len()
}

/// The least text a loose reading must find to be taken.
const MIN_LOOSE_TEXT: usize = 150;
/// Headlines that are links, in the chosen box, that make it a listing of teasers.
const MIN_TEASERS: usize = 3;

fn weight_of(paragraphs: &[String]) -> usize {
    paragraphs.iter().map(|p| text::text_weight(p)).sum()
}

/// One reading of the page: the best box, its siblings, rendered.
fn read_body(doc: &Html, furniture: &Furniture) -> BodyText {
    let root = body_root(doc);
    let (order, parents, stats) = collect_stats(root, furniture);
    let Some((top, scores)) = best_candidate(doc, &order, &parents, &stats) else {
        return BodyText::default();
    };
    let nodes = with_siblings(doc, top, &stats, &scores, furniture);
    let mut paragraphs = Vec::new();
    for id in nodes {
        if let Some(node) = doc.tree.get(id) {
            render(node, furniture, &mut paragraphs);
        }
    }
    if let Some(standfirst) = standfirst_before(doc, top) {
        let mut opening = Vec::new();
        render(standfirst, furniture, &mut opening);
        opening.retain(|line| !paragraphs.contains(line));
        opening.append(&mut paragraphs);
        paragraphs = opening;
    }
    // The box around the chosen one: a listing's item sits among its fellow teasers.
    let teasers = doc
        .tree
        .get(top)
        .and_then(|n| n.parent())
        .map_or(0, linked_headlines);
    BodyText {
        paragraphs,
        teasers,
    }
}

/// Renders the elements a site rule selected.
pub fn selected_body(doc: &Html, selector: &Selector) -> BodyText {
    let furniture = Furniture::of(doc);
    let mut paragraphs = Vec::new();
    for el in doc.select(selector) {
        render(*el, &furniture, &mut paragraphs);
    }
    BodyText {
        paragraphs,
        teasers: 0,
    }
}

fn body_root(doc: &Html) -> NodeRef<'_, Node> {
    static BODY: LazyLock<Selector> = LazyLock::new(|| Selector::parse("body").unwrap());
    doc.select(&BODY).next().map_or(doc.tree.root(), |b| *b)
}

#[cfg(test)]
mod tests;
