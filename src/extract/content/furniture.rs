//! What is furniture on one page: the chrome questions of [`crate::vocab`] asked of each
//! element, in the strict or the loose reading, with the page's exceptions: the wrapper that
//! holds most of its running text, words inside a sentence, and ids that are anchors.

use std::collections::HashSet;

use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use scraper::{ElementRef, Html, Node};

use super::LONG_PARAGRAPH_CHARS;
use super::render::own_host;
use crate::text;
use crate::vocab;

/// Junk decisions for one page. An element that holds most of the page's running text is never
/// furniture because of its class name alone (themes name wrappers "content-with-sidebar",
/// "modal-enabled", "elementor-widget"): only its tag, being hidden, or a comment class can
/// exclude it.
pub struct Furniture {
    protected: HashSet<NodeId>,
    reading: Reading,
    /// The page's own host, from its canonical URL: links to it lead to the site's other pages.
    pub(super) host: Option<String>,
}

/// How strictly class names mark furniture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Every chrome name of the vocabulary counts.
    Strict,
    /// Only the names of boxes that are never an article's text count (comments, sharing,
    /// consent, newsletters, advertising, recommendations, pop-ups): the second reading of a page
    /// whose strict reading found little, where a wrapper named `meta`, `caption` or `date` may
    /// hold the article (readability retries the same way).
    Loose,
}

impl Furniture {
    pub fn of(doc: &Html) -> Self {
        Self::reading(doc, Reading::Strict)
    }

    /// The furniture of `doc` in the given reading.
    pub fn reading(doc: &Html, reading: Reading) -> Self {
        let mut protected_candidates: Vec<(NodeId, usize)> = Vec::new();
        let mut stack: Vec<usize> = vec![0];
        for edge in doc.tree.root().traverse() {
            match edge {
                Edge::Open(node) => {
                    if node.value().is_element() {
                        stack.push(0);
                    }
                }
                Edge::Close(node) => {
                    let Some(el) = node.value().as_element() else {
                        continue;
                    };
                    let mut v = stack.pop().unwrap_or(0);
                    if el.name() == "p" {
                        v += long_paragraph_chars(node);
                    } else if matches!(
                        el.name(),
                        "div" | "section" | "td" | "article" | "blockquote"
                    ) {
                        // Text written straight into a box (`<div>text<br>text</div>`, as Blogger
                        // posts are) is running text too.
                        v += direct_text_chars(node);
                    }
                    if v >= LONG_PARAGRAPH_CHARS * 4 {
                        protected_candidates.push((node.id(), v));
                    }
                    if let Some(top) = stack.last_mut() {
                        *top += v;
                    }
                }
            }
        }
        let total = stack.first().copied().unwrap_or(0);
        let protected = protected_candidates
            .into_iter()
            .filter(|(_, v)| v * 2 >= total)
            .map(|(id, _)| id)
            .collect();
        Furniture {
            protected,
            reading,
            host: own_host(doc),
        }
    }

    /// Whether this element and its subtree are furniture.
    pub fn is_junk(&self, node: NodeRef<'_, Node>) -> bool {
        let Some(el) = node.value().as_element() else {
            return false;
        };
        let hints = vocab::component_names(el, !id_is_an_anchor(node));
        let junk = match self.reading {
            Reading::Strict => vocab::is_chrome_named(el, &hints),
            Reading::Loose => vocab::is_certainly_chrome_named(el, &hints),
        };
        if !junk {
            return false;
        }
        if is_words_of_a_sentence(node)
            && !vocab::is_chrome_named(el, "")
            && !vocab::names_advertising(el)
        {
            // Words inside a paragraph are the paragraph's, whatever their names say (a
            // `<span class="dateline">KOBE –</span>` opening the first sentence).
            return false;
        }
        if !self.protected.contains(&node.id()) {
            return true;
        }
        // Protected wrappers are still dropped for their tag, for being hidden, or for comments;
        // an `aside` or `header` that holds most of the page's prose and names itself nothing
        // else is the page's content, whatever the tag says.
        let names = vocab::component_names(el, true);
        let misused_tag =
            matches!(el.name(), "aside" | "header") && !vocab::names_any_chrome(&names);
        (vocab::CHROME_TAGS.contains(&el.name()) && !misused_tag)
            || el.attr("hidden").is_some()
            || vocab::names_comments(&names)
            || vocab::names_overlay(&names)
    }
}

/// The text written directly in a box (its own text nodes, not its children's) when it is long
/// enough to be running text, else 0.
fn direct_text_chars(node: NodeRef<'_, Node>) -> usize {
    let chars: usize = node
        .children()
        .filter_map(|c| c.value().as_text())
        .map(|t| text::text_weight(t))
        .sum();
    if chars >= LONG_PARAGRAPH_CHARS {
        chars
    } else {
        0
    }
}

/// The text length of a `p` that reads as running text (long, few links), else 0.
fn long_paragraph_chars(node: NodeRef<'_, Node>) -> usize {
    let (mut chars, mut link_chars) = (0usize, 0usize);
    for d in node.descendants() {
        if let Some(t) = d.value().as_text() {
            let c = text::text_weight(t);
            chars += c;
            if d.ancestors()
                .take_while(|a| a.id() != node.id())
                .any(|a| a.value().as_element().is_some_and(|e| e.name() == "a"))
            {
                link_chars += c;
            }
        }
    }
    if chars >= LONG_PARAGRAPH_CHARS && link_chars * 10 < chars * 3 {
        chars
    } else {
        0
    }
}

/// Whether an element is a run of words inside a paragraph: an inline element (`span`, `em`,
/// `time`, …) whose nearest block is a `<p>` that also holds text of its own.
fn is_words_of_a_sentence(node: NodeRef<'_, Node>) -> bool {
    const INLINE: &[&str] = &[
        "span", "em", "strong", "b", "i", "u", "small", "time", "abbr", "cite", "font", "mark",
    ];
    if !node
        .value()
        .as_element()
        .is_some_and(|e| INLINE.contains(&e.name()))
    {
        return false;
    }
    let Some(block) = node.ancestors().find(|a| {
        a.value()
            .as_element()
            .is_some_and(|e| !INLINE.contains(&e.name()))
    }) else {
        return false;
    };
    block.value().as_element().is_some_and(|e| e.name() == "p")
        && block
            .children()
            .any(|c| c.value().as_text().is_some_and(|t| !t.trim().is_empty()))
}

/// Whether an element's id is an anchor rather than a component's name: any heading's id (where
/// links to it land), and a section's id made from its own heading (`<div class="section"
/// id="sharing-with-multiple-developers"><h2>Sharing with multiple developers</h2>`, as Sphinx,
/// docutils and Markdown renderers write them).
fn id_is_an_anchor(node: NodeRef<'_, Node>) -> bool {
    let Some(id) = node.value().as_element().and_then(|e| e.attr("id")) else {
        return false;
    };
    let is_heading =
        |e: &ElementRef<'_>| matches!(e.value().name(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
    // A heading's id is where links to it land, whatever it says (`nav_nur_die_folie__1`).
    if ElementRef::wrap(node).is_some_and(|e| is_heading(&e)) {
        return true;
    }
    if !id.contains('-') {
        return false;
    }
    let heading = std::iter::once(node)
        .chain(node.children())
        .chain(node.children().flat_map(|c| c.children()))
        .filter_map(ElementRef::wrap)
        .find(is_heading);
    heading.is_some_and(|h| is_slug_of(id, &h.text().collect::<String>()))
}

/// Whether an id was made from a text (`sharing-with-multiple-developers` from "Sharing with
/// multiple developers", `schwerpunkt-kommunikation-im-fruhjahr` from "Schwerpunkt
/// Kommunikation: Im Frühjahr"): its first words (three at most) are the text's first words,
/// whatever became of the letters slug makers transliterate.
fn is_slug_of(id: &str, text: &str) -> bool {
    const WORDS: usize = 3;
    let words = |s: &str| -> Vec<String> {
        s.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(WORDS)
            .map(str::to_owned)
            .collect()
    };
    let (id_words, text_words) = (words(id), words(text));
    id_words.len() >= 2
        && id_words.len() <= text_words.len()
        && id_words
            .iter()
            .zip(&text_words)
            .all(|(i, t)| same_word_in_ascii(i, t))
}

/// Whether `slug` is `word` as a slug maker writes it: the same word, or for a word with letters
/// outside ASCII, one that begins with the word's ASCII beginning (`fruhjahr`, `fruehjahr` for
/// "frühjahr"). A word that begins outside ASCII (Arabic, "über") matches nothing.
fn same_word_in_ascii(slug: &str, word: &str) -> bool {
    if slug == word {
        return true;
    }
    let ascii_start = &word[..word.find(|c: char| !c.is_ascii()).unwrap_or(word.len())];
    !word.is_ascii() && !ascii_start.is_empty() && slug.starts_with(ascii_start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_made_from_headings_are_slugs() {
        assert!(is_slug_of(
            "fruehjahr-2024-ein-plan",
            "Frühjahr 2024: ein Plan"
        ));
        assert!(!is_slug_of("comments-list", "التعليقات على المقال"));
        assert!(!is_slug_of("summary", "Summary"));
    }
}
