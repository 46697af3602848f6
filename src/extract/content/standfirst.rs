//! The standfirst: the opening sentences a theme prints in the article's header, above the box
//! the scorer chose, in a box named as one ([`crate::vocab::STANDFIRST_WORDS`]).

use std::collections::HashSet;
use std::sync::LazyLock;

use ego_tree::{NodeId, NodeRef};
use scraper::{ElementRef, Html, Node, Selector};

use crate::text;
use crate::vocab;

/// The standfirst printed above the article's box, in its header (`<p class="lead">`,
/// `<div class="chapo">`, `<h2 class="epigraph">`): the article's opening sentences, which themes
/// keep beside the headline, outside the body. The nearest box named as one before the chosen
/// box, within a few levels of it, read when it is prose (a sentence or more, few links).
pub(super) fn standfirst_before(doc: &Html, top: NodeId) -> Option<NodeRef<'_, Node>> {
    const LEVELS: usize = 4;
    const MIN_CHARS: usize = 60;
    const MAX_CHARS: usize = 1500;
    let top_node = doc.tree.get(top)?;
    let holds_top: HashSet<NodeId> = top_node.ancestors().map(|a| a.id()).collect();
    let mut container = top_node.parent()?;
    for _ in 0..LEVELS {
        let el = container.value().as_element()?;
        if matches!(el.name(), "body" | "html") {
            return None;
        }
        let mut found = None;
        for node in container.descendants() {
            if node.id() == top {
                break;
            }
            let Some(el) = node.value().as_element() else {
                continue;
            };
            if el.name() == "h1" || !names_standfirst(el) || holds_top.contains(&node.id()) {
                continue;
            }
            let hidden = node
                .ancestors()
                .take_while(|a| a.id() != container.id())
                .chain([node])
                .any(|a| a.value().as_element().is_some_and(is_hidden_or_chrome_tag));
            let Some(el_ref) = ElementRef::wrap(node) else {
                continue;
            };
            let text: String = el_ref.text().collect();
            let chars = text::text_weight(&text);
            static ANCHORS: LazyLock<Selector> = LazyLock::new(|| Selector::parse("a").unwrap());
            let link_chars: usize = el_ref
                .select(&ANCHORS)
                .map(|a| text::text_weight(&a.text().collect::<String>()))
                .sum();
            if !hidden && (MIN_CHARS..=MAX_CHARS).contains(&chars) && link_chars * 10 < chars * 3 {
                found = Some(node);
            }
        }
        if found.is_some() {
            return found;
        }
        container = container.parent()?;
    }
    None
}

/// Whether an element names itself the article's standfirst ([`vocab::STANDFIRST_WORDS`]), its
/// names split into words at `-`, `_` and lower-to-upper case changes (`Post__lead`,
/// `articleIntro`, `article--sub-headline`).
fn names_standfirst(el: &scraper::node::Element) -> bool {
    let is_word = |w: &str| vocab::STANDFIRST_WORDS.contains(&w);
    el.attr("class")
        .into_iter()
        .chain(el.attr("id"))
        .map(split_name_words)
        .any(|words| {
            // A word, or two written apart (`article--sub-headline`).
            words.iter().any(|w| is_word(w)) || words.windows(2).any(|pair| is_word(&pair.concat()))
        })
}

/// The words of a class or id: split at whitespace, `-`, `_` and where lower case meets upper.
fn split_name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_lowercase();
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Elements whose text no reader sees as the article's: hidden ones and those whose tag is
/// never article text (scripts, forms, navigation, asides, footers, figures, links).
fn is_hidden_or_chrome_tag(el: &scraper::node::Element) -> bool {
    // `header` is not among them: the standfirst sits in the article's header.
    (vocab::CHROME_TAGS.contains(&el.name()) && el.name() != "header")
        || vocab::NEVER_STANDFIRST_TAGS.contains(&el.name())
        || vocab::is_hidden(el)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standfirst_boxes_by_their_names() {
        assert_eq!(
            split_name_words("articleIntro Post__lead chapo_block"),
            ["article", "intro", "post", "lead", "chapo", "block"]
        );
        let names = |class: &str| {
            let doc = Html::parse_fragment(&format!(r#"<h2 class="{class}"></h2>"#));
            let h = doc.select(&Selector::parse("h2").unwrap()).next().unwrap();
            names_standfirst(h.value())
        };
        assert!(names("article--sub-headline primus"));
        assert!(!names("leaderboard ad-slot"));
        assert!(!names("headline"));
    }
}
