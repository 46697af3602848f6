//! The article body: a content scorer (text and link density, paragraphs, punctuation, class and
//! id hints in English, French and Arabic) picks the main block; a renderer turns it into
//! paragraphs separated by blank lines, leaving page furniture out.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use scraper::{ElementRef, Html, Node, Selector};

use super::fold::fold;
use super::text;
use crate::vocab;

/// Shortest paragraph that counts towards a block's score.
const MIN_PARAGRAPH_CHARS: usize = 25;
/// How many ancestor levels a paragraph's score reaches.
const SCORE_LEVELS: usize = 5;

/// Tags that start and end a paragraph.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "table",
    "tr",
    "dl",
    "dt",
    "dd",
    "figure",
    "address",
    "hr",
    "center",
    "form",
    "fieldset",
    "details",
    "summary",
    "body",
    "caption",
    "tbody",
    "thead",
];

/// Shortest paragraph counted as running text when protecting the main wrapper.
const LONG_PARAGRAPH_CHARS: usize = 80;

/// Junk decisions for one page. An element that holds most of the page's running text is never
/// furniture because of its class name alone (themes name wrappers "content-with-sidebar",
/// "modal-enabled", "elementor-widget"): only its tag, being hidden, or a comment class can
/// exclude it.
pub struct Furniture {
    protected: HashSet<NodeId>,
    reading: Reading,
    /// The page's own host, from its canonical URL: links to it lead to the site's other pages.
    host: Option<String>,
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

/// Text statistics of one element's non-junk subtree.
#[derive(Debug, Clone, Copy, Default)]
struct Stats {
    chars: usize,
    link_chars: usize,
    commas: usize,
    /// Characters of text directly inside the element (not propagated).
    direct_chars: usize,
    direct_commas: usize,
}

impl Stats {
    fn link_density(&self) -> f64 {
        if self.chars == 0 {
            0.0
        } else {
            self.link_chars as f64 / self.chars as f64
        }
    }
}

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

/// The standfirst printed above the article's box, in its header (`<p class="lead">`,
/// `<div class="chapo">`, `<h2 class="epigraph">`): the article's opening sentences, which themes
/// keep beside the headline, outside the body. The nearest box named as one before the chosen
/// box, within a few levels of it, read when it is prose (a sentence or more, few links).
fn standfirst_before(doc: &Html, top: NodeId) -> Option<NodeRef<'_, Node>> {
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
        || matches!(el.name(), "figure" | "figcaption" | "a" | "label")
        || vocab::is_hidden(el)
}

/// Headlines that are links, or links holding a headline: a list of posts or teasers has one each.
static LINKED_HEADLINES: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse("h2 a[href], h3 a[href], h4 a[href], a[href] h2, a[href] h3").unwrap()
});

/// Headings whose text is a link, in a box: the teasers of a listing.
fn linked_headlines(node: NodeRef<'_, Node>) -> usize {
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

/// Pre-order list of the non-junk elements under `root`, their parents, and bottom-up stats.
fn collect_stats(
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

fn best_candidate(
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

/// An article split into chunks by its page builder (`<div class="component">` after
/// `<div class="component">`, inline elements between): when a close ancestor of the chosen box
/// (five levels at most) also holds another chunk that scores at least half as well, reads as
/// prose (few links) and is not part of the chosen box, that ancestor holds the article.
fn with_nearby_chunks(
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
fn common_ancestor_of_rivals(
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

/// The top candidate and the siblings that continue it (readability's sibling rule).
fn with_siblings(
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

/// Appends the paragraphs of `root`'s non-junk subtree.
fn render(root: NodeRef<'_, Node>, furniture: &Furniture, out: &mut Vec<String>) {
    enum Step<'a> {
        Enter(NodeRef<'a, Node>),
        Exit(bool),
    }
    let mut r = Renderer::default();
    let mut stack = vec![Step::Enter(root)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Exit(block) => {
                if block {
                    r.flush(out);
                }
            }
            Step::Enter(node) => match node.value() {
                Node::Text(t) => r.text(t),
                Node::Element(el) => {
                    if node.id() != root.id() && furniture.is_junk(node) {
                        continue;
                    }
                    let name = el.name();
                    if name == "br" {
                        r.line_break(out);
                        continue;
                    }
                    if name == "img" || name == "hr" {
                        r.flush(out);
                        continue;
                    }
                    // The rendered root was chosen for its prose: a link-heavy opening (an
                    // infobox) does not make it a link list.
                    if node.id() != root.id() && is_link_list(node, furniture) {
                        continue;
                    }
                    let block = BLOCK_TAGS.contains(&name);
                    if block {
                        r.flush(out);
                    }
                    stack.push(Step::Exit(block));
                    for child in node.children().rev() {
                        stack.push(Step::Enter(child));
                    }
                }
                _ => {}
            },
        }
    }
    r.flush(out);
}

/// A list or box that is mostly links (related articles, tags, menus), or a short paragraph
/// that is nothing but a link: not article text. Only
/// what would be rendered counts: share buttons inside an article's box are furniture, not a
/// reason to drop the box.
fn is_link_list(node: NodeRef<'_, Node>, furniture: &Furniture) -> bool {
    let Some(el) = ElementRef::wrap(node) else {
        return false;
    };
    let paragraph = el.value().name() == "p";
    if !paragraph
        && !matches!(
            el.value().name(),
            "ul" | "ol" | "div" | "section" | "table" | "dl"
        )
    {
        return false;
    }
    let (mut chars, mut link_chars) = (0usize, 0usize);
    let mut stack = vec![(node, false)];
    while let Some((n, in_link)) = stack.pop() {
        match n.value() {
            Node::Text(t) => {
                let c = text::text_weight(t);
                chars += c;
                if in_link {
                    link_chars += c;
                }
            }
            Node::Element(e) => {
                if n.id() != node.id() && furniture.is_junk(n) {
                    continue;
                }
                let link = in_link || e.name() == "a";
                for c in n.children() {
                    stack.push((c, link));
                }
            }
            _ => {}
        }
        if chars > 4000 {
            break;
        }
    }
    if paragraph {
        // A paragraph that is one link to the site's own pages and no more (a headline under
        // "Read more:") points to another article; a sentence with links in it is text, and so
        // is a link to another site (the piece a post is about, the event it announces).
        return chars > 0
            && link_chars == chars
            && chars <= LINK_PARAGRAPH_CHARS
            && links_within_site(el, furniture.host.as_deref());
    }
    chars > 0 && link_chars * 10 > chars * 6
}

/// Whether every link in `el` leads within the site: relative, or to `host` (or a subdomain of
/// it, or it of them: `www.` aside).
fn links_within_site(el: ElementRef<'_>, host: Option<&str>) -> bool {
    static LINKS: LazyLock<Selector> = LazyLock::new(|| Selector::parse("a[href]").unwrap());
    let mut links = el.select(&LINKS).peekable();
    links.peek().is_some()
        && links.all(|a| {
            let href = a.value().attr("href").unwrap_or("").trim();
            match url::Url::parse(href) {
                Err(_) => !href.starts_with("//"),
                Ok(u) => u
                    .host_str()
                    .zip(host)
                    .is_some_and(|(h, own)| same_site(h, own)),
            }
        })
}

fn same_site(a: &str, b: &str) -> bool {
    let a = a.trim_start_matches("www.");
    let b = b.trim_start_matches("www.");
    a == b || a.ends_with(&format!(".{b}")) || b.ends_with(&format!(".{a}"))
}

/// The page's host, as its canonical URL (or `og:url`) names it.
fn own_host(doc: &Html) -> Option<String> {
    static CANONICAL: LazyLock<Selector> = LazyLock::new(|| {
        Selector::parse(r#"link[rel="canonical"][href], meta[property="og:url"][content]"#).unwrap()
    });
    doc.select(&CANONICAL).find_map(|e| {
        let v = e.value();
        let href = v.attr("href").or_else(|| v.attr("content"))?;
        url::Url::parse(href.trim())
            .ok()?
            .host_str()
            .map(str::to_ascii_lowercase)
    })
}

/// The longest paragraph made only of a link that is taken for a reference to another page.
const LINK_PARAGRAPH_CHARS: usize = 200;

#[derive(Default)]
struct Renderer {
    current: String,
    last_was_break: bool,
}

impl Renderer {
    fn text(&mut self, t: &str) {
        if t.trim().is_empty() {
            if !self.current.is_empty() && !self.current.ends_with([' ', '\n']) {
                self.current.push(' ');
            }
            return;
        }
        if t.starts_with(char::is_whitespace)
            && !self.current.ends_with([' ', '\n'])
            && !self.current.is_empty()
        {
            self.current.push(' ');
        }
        let collapsed = text::collapse(t);
        self.current.push_str(&collapsed);
        if t.ends_with(char::is_whitespace) {
            self.current.push(' ');
        }
        self.last_was_break = false;
    }

    fn line_break(&mut self, out: &mut Vec<String>) {
        if self.last_was_break {
            self.flush(out);
        } else if !self.current.trim().is_empty() {
            let trimmed = self.current.trim_end().len();
            self.current.truncate(trimmed);
            self.current.push('\n');
            self.last_was_break = true;
        }
    }

    fn flush(&mut self, out: &mut Vec<String>) {
        let p: Vec<&str> = self
            .current
            .split('\n')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if !p.is_empty() {
            out.push(p.join("\n"));
        }
        self.current.clear();
        self.last_was_break = false;
    }
}

/// Paragraph filters applied after rendering, with what the page's metadata says.
pub struct Cleanup<'a> {
    pub title: Option<&'a str>,
    pub authors: &'a [String],
}

/// Drops paragraphs that are furniture: read-also lines, next/previous labels, the headline
/// repeated, bylines, share labels.
pub fn clean(paragraphs: Vec<String>, ctx: &Cleanup<'_>) -> Vec<String> {
    let title = ctx.title.map(fold);
    let authors: Vec<String> = ctx.authors.iter().map(|a| fold(a)).collect();
    let mut seen = std::collections::HashSet::new();
    paragraphs
        .into_iter()
        .filter(|p| {
            let f = fold(p);
            if f.is_empty() {
                return false;
            }
            let short = p.chars().count() < 120;
            if vocab::starts_with_any(&f, &vocab::READ_ALSO) && p.chars().count() < 300 {
                return false;
            }
            // "Next article: headline" is navigation; a sentence that starts with the words is not.
            if short
                && !p.trim_end().ends_with(['.', '!', '?', '؟', '…', '。'])
                && (vocab::starts_with_any(&f, &vocab::NEXT)
                    || vocab::starts_with_any(&f, &vocab::RECOMMENDATION)
                    || vocab::starts_with_any(&f, &vocab::PREVIOUS))
            {
                return false;
            }
            if title.as_deref() == Some(f.as_str()) {
                return false;
            }
            if short && (is_byline(&f) || authors.contains(&f)) {
                return false;
            }
            if short && vocab::SHARE_WORDS.iter().any(|w| f == *w) {
                return false;
            }
            // The same paragraph twice (mobile and desktop copies) is kept once.
            seen.insert(f)
        })
        .collect()
}

fn is_byline(folded: &str) -> bool {
    static WORDS: LazyLock<Vec<String>> =
        LazyLock::new(|| vocab::BODY_BYLINE_WORDS.iter().map(|w| fold(w)).collect());
    vocab::starts_with_any(folded, &WORDS) && folded.split(' ').count() <= 8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(html: &str) -> Vec<String> {
        generic_body(&Html::parse_document(html)).paragraphs
    }

    const LONG: &str = "This is a long paragraph of article text, with commas, and enough words to score well in the content scorer of arshif.";

    #[test]
    fn picks_the_article_over_the_sidebar() {
        let html = format!(
            "<body><div class=sidebar><ul><li><a href=/a>Most read one</a></li><li><a href=/b>Most read two</a></li></ul></div>\
             <div class=article-body><p>{LONG}</p><p>{LONG} Second.</p></div><footer>Copyright</footer></body>"
        );
        let b = body(&html);
        assert_eq!(b.len(), 2, "{b:?}");
        assert!(b[0].starts_with("This is"));
    }

    #[test]
    fn a_link_heavy_opening_does_not_hide_the_article() {
        // An infobox of links first, then the prose: the chosen box is rendered whole.
        let links: String = (0..40)
            .map(|i| format!(r#"<a href="/w/{i}">Linked term number {i}</a> "#))
            .collect();
        let html = format!(
            r#"<body><div id="content-text"><table class="infobox"><tr><td>{links}</td></tr></table>
               <p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></div></body>"#
        );
        assert!(body(&html).iter().filter(|p| p.as_str() == LONG).count() == 3);
    }

    #[test]
    fn share_buttons_inside_the_article_do_not_make_it_a_link_list() {
        let shares: String = (0..8)
            .map(|i| format!(r#"<li class="share-item"><a href="/s{i}">Click to share on network number {i}</a></li>"#))
            .collect();
        let html = format!(
            r#"<body><div class="story"><div class="entry-content"><p><a href="/p">Someone</a> said something, and then more was said about it, at length.</p>
               <p>A second short paragraph, with commas, of plain text.</p><div class="sharedaddy"><ul>{shares}</ul></div></div></div></body>"#
        );
        let b = body(&html);
        assert!(b.iter().any(|p| p.starts_with("Someone said")), "{b:?}");
        assert!(!b.iter().any(|p| p.contains("Click to share")), "{b:?}");
    }

    #[test]
    fn text_written_straight_into_a_box_is_running_text() {
        // Blogger posts: text and <br> in a div, the wrappers named after dates.
        let lines = format!("{LONG}<br>{LONG}<br><br>{LONG}<br>{LONG}");
        let html = format!(
            r#"<body><div class="blog-posts"><div class="date-outer"><h2 class="date-header">Monday</h2><div class="date-posts">
               <div class="post-body entry-content">{lines}</div></div></div></div>
               <div class="sidebar"><p>A short note about the author of this blog.</p></div></body>"#
        );
        assert!(body(&html).iter().any(|p| p.contains(LONG)));
    }

    #[test]
    fn an_aside_holding_the_article_is_the_article() {
        let html = format!(
            r#"<body><main><aside class="pa pa-direct-content"><section class="ar-detail">
               <p>{LONG}</p><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></section></aside>
               <aside class="site-sidebar"><p>{LONG}</p></aside></main></body>"#
        );
        assert_eq!(body(&html).len(), 4);
    }

    #[test]
    fn chinese_paragraphs_are_running_text() {
        // Short by character count, long by what they say: the wrapper named with "nav" that
        // holds them is protected.
        let p = "梁振英在接受质询前的发言中说，他从无任何存心隐瞒的意图，但必须承认自己有处理疏忽之处。";
        let html = format!(
            r#"<body><div id="container" class="lang-zh int-nav"><div class="story-body"><p>{p}</p><p>{p}</p><p>{p}</p></div></div></body>"#
        );
        assert_eq!(body(&html).len(), 3);
    }

    #[test]
    fn a_second_reading_finds_an_article_in_a_box_named_like_chrome() {
        let html = format!(
            r#"<body><section id="mainContent"><div class="row" id="titleAndMetas"><h1>Title</h1>
               <div id="articleContent"><p>{LONG}</p><p>{LONG}</p></div></div></section>
               <footer><p>Contact us, imprint and legal notices of this site.</p></footer></body>"#
        );
        assert_eq!(
            generic_body(&Html::parse_document(&html)).paragraphs.len(),
            2
        );
    }

    #[test]
    fn the_second_reading_takes_no_listing_and_no_wall() {
        let text = |ps: &[&str], teasers| BodyText {
            paragraphs: ps.iter().map(|p| p.to_string()).collect(),
            teasers,
        };
        let nothing = text(&[], 0);
        // An article where there was nothing.
        assert!(prefer_loose(&nothing, &text(&[LONG, LONG], 0), 0));
        // Teasers around the box, a linked headline for every paragraph or so: a listing.
        assert!(!prefer_loose(&nothing, &text(&[LONG, LONG, LONG], 4), 0));
        // An article with a few linked headings in it is still an article.
        assert!(prefer_loose(&nothing, &text(&[LONG; 12], 3), 0));
        // Not twice what the strict reading found, or not holding it: the strict one stays.
        let short = text(
            &["A short intro, with a comma, that is the article itself."],
            0,
        );
        assert!(!prefer_loose(&short, &text(&[LONG], 0), 60));
        assert!(!prefer_loose(&short, &text(&[LONG, LONG, LONG], 0), 60));
        // A cookie wall is furniture in both readings.
        let wall = format!(
            r#"<body><div class="cookie-consent-wall"><p>{LONG}</p><p>{LONG}</p></div></body>"#
        );
        assert!(
            generic_body(&Html::parse_document(&wall))
                .paragraphs
                .is_empty()
        );
    }

    #[test]
    fn an_article_in_chunks_is_read_whole() {
        let second = "The second part of the story goes on, with commas, after the advertisement placed by the page builder.";
        let html = format!(
            r#"<body><div class="story"><div class="component"><div class="component-content"><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></div></div>
               <div class="ad-slot">Advertisement</div>
               <div class="component"><div class="component-content"><p>{second}</p><p>{second}</p></div></div></div>
               <div class="sidebar"><p>A short note about the newsletter.</p></div></body>"#
        );
        let b = body(&html);
        assert_eq!(
            b.iter().filter(|p| p.as_str() == second).count(),
            2,
            "{b:?}"
        );
        assert!(!b.iter().any(|p| p.contains("newsletter")), "{b:?}");
    }

    #[test]
    fn an_opening_in_boxes_of_one_paragraph_is_kept() {
        let opening = "Emergency services were called to the restaurant on Sunday evening, after a diner fell ill.";
        let html = format!(
            r#"<body><div id="mainBodyArea"><div class="firstPar"><p>{opening}</p></div>
               <div class="secondPar"><p>{opening}</p></div>
               <div class="body"><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></div></div></body>"#
        );
        let b = body(&html);
        assert_eq!(b.first().map(String::as_str), Some(opening), "{b:?}");
    }

    #[test]
    fn a_page_drawn_by_scripts_is_read_from_its_noscript() {
        let inner = format!(
            r#"<div class="post"><h3>Title</h3><div class="post-body"><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></div></div>"#
        );
        let html = format!(
            r#"<body><div id="app" class="loading"></div><noscript>{inner}</noscript><script>render()</script></body>"#
        );
        assert_eq!(
            generic_body(&Html::parse_document(&html)).paragraphs.len(),
            4
        );
        // A noscript that says only to turn scripts on is no article.
        let html = r#"<body><div id="app"></div><noscript><p>Please enable JavaScript to view this site.</p></noscript></body>"#;
        assert!(
            generic_body(&Html::parse_document(html))
                .paragraphs
                .is_empty()
        );
    }

    #[test]
    fn state_classes_name_no_chrome() {
        for open in [
            r#"<article class="none comments-enabled article">"#,
            r#"<article class="post has-comments f_comments_on">"#,
            // An opinion piece is a commentary, not a comment section.
            r#"<article class="sect sect_article news commentary">"#,
        ] {
            let html = format!("<body>{open}<p>{LONG}</p><p>{LONG}</p></article></body>");
            assert_eq!(body(&html).len(), 2, "{open}");
        }
        // The box holding most of the page's prose is dropped only when it names itself a
        // comment section, not for a word that merely contains "comment".
        let html = format!(
            r#"<body><article class="post hentry commented"><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></article></body>"#
        );
        assert_eq!(body(&html).len(), 4);
        // A comment section is still one, protected or not.
        let comments: String = (0..6)
            .map(|_| format!(r#"<li class="comment"><p>{LONG}</p></li>"#))
            .collect();
        let html = format!(
            r#"<body><article><p>{LONG}</p></article><div id="comments" class="comments-area"><ol>{comments}</ol></div></body>"#
        );
        assert_eq!(body(&html).len(), 1);
    }

    #[test]
    fn japanese_punctuation_counts_as_prose() {
        // Clauses end in 、 and 。; the lists of places are links. A one-line offer in a box
        // named for the article must not outrank them.
        let places: String = (0..12)
            .map(|i| match i % 2 {
                0 => format!(r#"<a href="/topics/{i}">町名{i}</a>、"#),
                _ => format!("村名{i}、"),
            })
            .collect();
        let html = format!(
            r#"<body><div class="ArticleNoteBox"><p>【キャンペーン】有料記事読み放題！今なら月額100円！詳しくはこちら</p></div>
               <main><div class="k1"><p><a href="/t/a">気象庁</a>は13日、午後9時19分ごろ、日向灘で震度5弱の地震があったと発表した。震源の深さは約30キロと推定される。</p>
               <p>各地の震度は次のとおり。</p><p>宮崎県：{places}</p><p>熊本県：{places}</p><p>大分県：{places}</p></div></main></body>"#
        );
        let b = body(&html);
        assert!(b.iter().any(|p| p.starts_with("気象庁は13日")), "{b:?}");
        assert!(!b.iter().any(|p| p.contains("キャンペーン")), "{b:?}");
    }

    #[test]
    fn an_article_in_twin_sections_is_read_whole() {
        // The opening in one section, the rest in its twin after a related-links module: the
        // twin is the article's, whatever its share of the text.
        let rest: String = (0..8).map(|i| format!("<p>{LONG} Part {i}.</p>")).collect();
        let html = format!(
            r#"<body><article id="story"><h1>Headline</h1>
               <div class="story-wrap"><div class="story-body story-body-1"><p>The opening paragraph, with the news in it, told plainly.</p></div></div>
               <aside class="related"><h2><a href="/x">Another story</a></h2></aside>
               <div class="story-wrap"><div class="story-body story-body-2">{rest}</div></div></article></body>"#
        );
        let b = body(&html);
        assert!(b[0].starts_with("The opening paragraph"), "{b:?}");
        assert_eq!(b.len(), 9, "{b:?}");
        // On a blog's front page the twins are posts, each under its linked headline: the
        // article is the one post, not the page.
        let post = |n: usize, paragraphs: usize| {
            let text: String = (0..paragraphs)
                .map(|i| format!("<p>{LONG} Post {n}, {i}.</p>"))
                .collect();
            format!(
                r#"<div class="post"><h2><a href="/p{n}">Post {n}</a></h2><div class="entry-content">{text}</div></div>"#
            )
        };
        let html = format!(
            r#"<body><div id="content">{}{}</div></body>"#,
            post(1, 8),
            post(2, 2)
        );
        let b = body(&html);
        assert!(b.iter().all(|p| p.contains("Post 1")), "{b:?}");
    }

    #[test]
    fn a_dialog_is_never_the_article_however_long() {
        // A paper's abstract in short paragraphs; its disclosures, longer, wait in a modal.
        let disclosures: String = (0..5)
            .map(|i| format!("<p>{LONG} Disclosure {i}.</p>"))
            .collect();
        let html = format!(
            r#"<body><main><article><div class="article__body"><h2>Results:</h2><p>No evidence indicated that vaccination reduced hospitalizations.</p>
               <h2>Conclusion:</h2><p>Current strategies may be less effective than believed.</p></div>
               <div class="ux-modal-container"><div class="modal"><div class="modal__body">{disclosures}</div></div></div></article></main></body>"#
        );
        let b = body(&html);
        assert!(b.iter().any(|p| p.starts_with("No evidence")), "{b:?}");
        assert!(!b.iter().any(|p| p.contains("Disclosure")), "{b:?}");
    }

    #[test]
    fn the_standfirst_in_the_header_opens_the_article() {
        let rest: String = (0..4).map(|i| format!("<p>{LONG} Part {i}.</p>")).collect();
        let html = format!(
            r#"<body><aside class="teasers"><div class="teaser"><a href="/x"><p class="teaser__intro">Another story's opening, in a teaser that links elsewhere and is never this article.</p></a></div></aside>
               <main><article><header class="Post__header"><h1>The headline</h1><div class="Post__lead"><h2>Three sentences open the story. They sit in the header, beside the headline, as themes print them.</h2></div>
               <p class="byline">By Someone</p></header><div class="article-body">{rest}</div></article></main></body>"#
        );
        let b = body(&html);
        assert!(b[0].starts_with("Three sentences open the story"), "{b:?}");
        assert_eq!(b.len(), 5, "{b:?}");
        assert!(!b.iter().any(|p| p.contains("Another story")), "{b:?}");
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

    #[test]
    fn the_boxes_around_a_short_article_are_not_its_rivals() {
        // A short post nested in the post, main and content boxes (each scoring nearly as well
        // for holding it); a sidebar of two long notes beside it.
        let line = "Preparation takes 25 minutes plus 15 minutes of baking and makes four trays of biscuits for the whole family to share over the holidays";
        let html = format!(
            r#"<body><div id="wrapper"><div id="content" class="col-full"><div id="main" class="col-left"><div class="post hentry" id="post-111">
               <h1>Almond biscuits</h1><div class="entry clearfix"><p>{line}</p><p>{line} again</p><p>{line} once more</p></div></div></div>
               <div id="sidebar" class="col-right"><div class="widget widget_text"><div class="textwidget"><p>{LONG} {LONG} A note on licences.</p></div></div>
               <div class="widget widget_text"><div class="textwidget"><p>{LONG} {LONG} A disclaimer on links.</p></div></div></div></div></div></body>"#
        );
        let b = body(&html);
        assert_eq!(b.len(), 3, "{b:?}");
        assert!(b.iter().all(|p| p.starts_with("Preparation")), "{b:?}");
    }

    #[test]
    fn a_paragraph_that_is_a_link_to_the_site_points_elsewhere() {
        let html = format!(
            r#"<html><head><link rel="canonical" href="https://www.example.de/news/a"></head><body><article>
               <p>{LONG}</p><p>{LONG} The <a href="https://www.cnn.com/x">report</a> is worth reading.</p>
               <p><a href="https://www.cnn.com/opinion/generation">The generation we love to dump on</a></p>
               <h3>Mehr lesen:</h3><p><a href="https://www.example.de/news/b">Coach: „Next we win the cup“</a></p>
               <p><a href="/news/c">The federation names its youth teams</a></p></article></body></html>"#
        );
        let b = clean(
            body(&html),
            &Cleanup {
                title: None,
                authors: &[],
            },
        );
        assert_eq!(b.len(), 3, "{b:?}");
        assert!(b[2].starts_with("The generation"), "{b:?}");
    }

    #[test]
    fn a_page_builders_rows_are_one_article() {
        // WPBakery nests each row of text seven levels under the post's content box.
        let row = |text: &str| {
            format!(
                r#"<div class="vc_row wpb_row"><div class="wpb_column vc_col-sm-12"><div class="vc_column-inner"><div class="wpb_wrapper">
                   <div class="wpb_text_column wpb_content_element"><div class="wpb_wrapper">{text}</div></div></div></div></div></div>"#
            )
        };
        let long: String = (0..8)
            .map(|i| format!("<p>{LONG} Row one, {i}.</p>"))
            .collect();
        let html = format!(
            r#"<body><article class="post"><h1>Company cars</h1><div class="entry-content">{}{}{}</div></article>
               <div class="sidebar"><p>{LONG} In the sidebar.</p></div></body>"#,
            row("<p>In this article we set out the main points, and above all the taxes.</p>"),
            row(&long),
            row("<p>Leasing cannot be claimed for tax, the table shows, in most cases.</p>")
        );
        let b = body(&html);
        assert!(b[0].starts_with("In this article"), "{b:?}");
        assert!(b.last().unwrap().starts_with("Leasing cannot"), "{b:?}");
        assert!(!b.iter().any(|p| p.contains("sidebar")), "{b:?}");
    }

    #[test]
    fn a_section_named_after_its_heading_is_text() {
        let html = format!(
            r#"<body><div class="content"><div class="section" id="sharing-with-other-developers">
               <h2>Sharing with other developers</h2><p>{LONG}</p><p>{LONG}</p></div>
               <div class="section" id="summary"><h2>Summary</h2><p>{LONG}</p></div>
               <div id="sharing-buttons"><p>Share this on the networks, it helps us a lot.</p></div></div></body>"#
        );
        let b = body(&html);
        assert_eq!(b.iter().filter(|p| p.as_str() == LONG).count(), 3, "{b:?}");
        assert!(!b.iter().any(|p| p.contains("Share this")), "{b:?}");
        // A heading carrying its own slug ("grundlegende" holds "legend"; "ü" became "u").
        let html = format!(
            r#"<body><div class="entry-content"><p>{LONG}</p>
               <h3 id="im-fruhjahr-grundlegende-techniken">Im Frühjahr: grundlegende Techniken</h3><p>{LONG}</p></div></body>"#
        );
        assert!(body(&html).iter().any(|p| p.starts_with("Im Frühjahr")));
        // A heading's id is an anchor, even one a table of contents names `nav_…`.
        let html = format!(
            r#"<body><div class="entry-content"><p>{LONG}</p><h3 id="nav_only_the_foil__1">Only the foil remains</h3><p>{LONG}</p></div></body>"#
        );
        assert!(body(&html).iter().any(|p| p == "Only the foil remains"));
        assert!(is_slug_of(
            "fruehjahr-2024-ein-plan",
            "Frühjahr 2024: ein Plan"
        ));
        assert!(!is_slug_of("comments-list", "التعليقات على المقال"));
        assert!(!is_slug_of("summary", "Summary"));
    }

    #[test]
    fn captions_legends_and_what_is_never_printed_are_chrome() {
        let html = format!(
            r#"<body><article><p>{LONG}</p><div class="imageBox"><img src="a.jpg"><div class="legend">The photograph shows the meeting of the council, in the spring.</div></div>
               <p>{LONG}</p><div class="noprint"><p>Call our booking line today, at any hour, for the best offers.</p></div></article></body>"#
        );
        let b = body(&html);
        assert_eq!(b, [LONG, LONG]);
        // A box of teasers is chrome; a dateline opening a sentence is the sentence's.
        let html = format!(
            r#"<body><article><p><span class="dateline">KOBE –</span> {LONG}</p><p>{LONG}</p><div class="teasers"><h2>More on this</h2>
               <div class="teasers-item"><h3><a href="/x">Another story</a></h3><p>Its summary, a sentence long, printed under the link.</p></div></div></article></body>"#
        );
        let b = body(&html);
        assert_eq!(b, [format!("KOBE – {LONG}"), LONG.to_string()]);
    }

    #[test]
    fn the_main_landmark_is_never_chrome_by_its_class() {
        // A modifier class naming comments ("comments disabled") on the page's `main`.
        for open in [
            r#"<main class="content av-blog-meta-comments-disabled">"#,
            r#"<div role="main" class="sidebar-left comments-closed">"#,
        ] {
            let close = if open.starts_with("<main") {
                "</main>"
            } else {
                "</div>"
            };
            let html =
                format!("<body>{open}<article><p>{LONG}</p><p>{LONG}</p></article>{close}</body>");
            assert_eq!(body(&html).len(), 2, "{open}");
        }
    }

    #[test]
    fn br_br_separates_paragraphs() {
        let html = format!(
            "<body><div class=content>{LONG}<br><br>{LONG} Two.<br>line<br><br>{LONG} Three.</div></body>"
        );
        let b = body(&html);
        assert_eq!(b.len(), 3, "{b:?}");
        assert!(b[1].ends_with("Two.\nline"));
    }

    #[test]
    fn junk_inside_article_is_dropped() {
        let html = format!(
            "<body><article><h1>Title</h1><div class=share-buttons><a href=#>Share</a></div><p>{LONG}</p>\
             <figure><img src=x><figcaption>A caption</figcaption></figure>\
             <div class=related><a href=/x>Related one</a> <a href=/y>Related two</a></div>\
             <p>{LONG} More.</p><section id=comments><p>{LONG} comment</p></section></article></body>"
        );
        let b = body(&html);
        assert_eq!(b.len(), 2, "{b:?}");
        assert!(
            b.iter()
                .all(|p| !p.contains("caption") && !p.contains("comment"))
        );
    }

    #[test]
    fn cleanup_drops_furniture_lines() {
        let ps = vec![
            "اقرأ أيضا: خبر آخر".to_string(),
            "بقلم: سعيد".to_string(),
            "نص المقال الحقيقي.".to_string(),
            "المقال التالي".to_string(),
            "نص المقال الحقيقي.".to_string(),
        ];
        let out = clean(
            ps,
            &Cleanup {
                title: None,
                authors: &[],
            },
        );
        assert_eq!(out, vec!["نص المقال الحقيقي.".to_string()]);
    }

    #[test]
    fn deep_trees_do_not_overflow() {
        let html = format!(
            "<body>{}<p>{LONG}</p>{}</body>",
            "<div>".repeat(400),
            "</div>".repeat(400)
        );
        assert_eq!(body(&html).len(), 1);
    }
}
