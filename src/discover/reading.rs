//! How a link reads: its text as a browser renders it, and the labels it carries in attributes.
//!
//! Blocks, `<br>`, table cells and list items break lines, so `<span>المقال التالي</span>
//! <h4>Title</h4>` reads as two lines, not «المقال التاليTitle»; text a theme hides for the eye
//! (`screen-reader-text`) is a line of its own, as it is announced apart. Each text node is
//! also kept as a piece: a label printed in its own element (`<span>Next</span> Title`) stands
//! as words even where no line breaks.

use ego_tree::NodeRef;
use scraper::node::Element;
use scraper::{ElementRef, Node};

use crate::vocab::{self, fold};

/// The most text read from one link: labels are short and come first.
const MAX_TEXT_BYTES: usize = 600;

/// Elements that render as blocks (and so break a line) inside a link.
const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// Attributes that carry a label: the accessible name, the tooltip, and the attributes themes
/// show with CSS `content: attr(…)` (Jekyll Chirpy's `prompt`) or tooltip scripts.
const LABEL_ATTRIBUTES: &[&str] = &[
    "aria-label",
    "title",
    "prompt",
    "data-label",
    "data-title",
    "data-text",
    "data-tooltip",
    "data-original-title",
];

/// What a link says, folded.
#[derive(Debug, Default, Clone)]
pub struct Reading {
    /// Rendered lines, in order.
    pub lines: Vec<String>,
    /// Text nodes, when there are several (one text node is its line).
    pub pieces: Vec<String>,
    /// Labels in attributes: the link's and its children's `aria-label` and `title`, images'
    /// `alt`.
    pub attrs: Vec<String>,
}

impl Reading {
    /// Every string the link says, lines first.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.lines
            .iter()
            .chain(&self.pieces)
            .chain(&self.attrs)
            .map(String::as_str)
    }
}

/// Reads a link.
pub fn read(a: ElementRef<'_>) -> Reading {
    let mut r = Reader::default();
    r.attrs_of(a.value());
    r.children(*a, 0);
    r.end_line();
    // One text node is its line: pieces are folded only when there are several.
    if r.raw_pieces.len() > 1 {
        r.out.pieces = r
            .raw_pieces
            .iter()
            .map(|p| fold(p))
            .filter(|p| !p.is_empty())
            .collect();
    }
    r.out
}

/// Reads an element that is not a link (a label beside one): its lines only.
pub fn lines_of(el: ElementRef<'_>) -> Vec<String> {
    let mut r = Reader::default();
    r.children(*el, 0);
    r.end_line();
    r.out.lines
}

#[derive(Default)]
struct Reader<'a> {
    out: Reading,
    line: String,
    bytes: usize,
    raw_pieces: Vec<&'a str>,
}

impl<'a> Reader<'a> {
    fn children(&mut self, node: NodeRef<'a, Node>, depth: usize) {
        if depth > 12 {
            return;
        }
        for child in node.children() {
            if self.bytes > MAX_TEXT_BYTES {
                return;
            }
            match child.value() {
                Node::Text(t) => self.text(t),
                Node::Element(e) => self.element(child, e, depth),
                _ => {}
            }
        }
    }

    fn text(&mut self, t: &'a str) {
        if t.trim().is_empty() {
            self.line.push(' ');
            return;
        }
        self.bytes += t.len();
        self.line.push_str(t);
        self.raw_pieces.push(t);
    }

    fn element(&mut self, node: NodeRef<'a, Node>, e: &Element, depth: usize) {
        let name = e.name();
        if matches!(name, "script" | "style" | "template" | "noscript")
            || e.attr("hidden").is_some()
        {
            return;
        }
        self.attrs_of(e);
        match name {
            "img" => {
                if let Some(alt) = e.attr("alt") {
                    self.push_attr(alt);
                }
                return;
            }
            // An icon's name is in its `aria-label` or `<title>`, read above or here.
            "svg" => {
                if let Some(title) = node
                    .children()
                    .filter_map(ElementRef::wrap)
                    .find(|c| c.value().name() == "title")
                {
                    let t: String = title.text().collect();
                    self.push_attr(&t);
                }
                return;
            }
            _ => {}
        }
        let apart = BLOCK_ELEMENTS.contains(&name) || is_visually_hidden(e);
        if apart {
            self.end_line();
        }
        self.children(node, depth + 1);
        if apart {
            self.end_line();
        }
    }

    fn attrs_of(&mut self, e: &Element) {
        for name in LABEL_ATTRIBUTES {
            if let Some(v) = e.attr(name) {
                self.push_attr(v);
            }
        }
    }

    fn push_attr(&mut self, v: &str) {
        let f = fold(crate::text::prefix(v, 200));
        if !f.is_empty() {
            self.out.attrs.push(f);
        }
    }

    fn end_line(&mut self) {
        if !self.line.trim().is_empty() {
            let f = fold(&self.line);
            if !f.is_empty() {
                self.out.lines.push(f);
            }
        }
        self.line.clear();
    }
}

/// Text hidden for the eye but read aloud: WordPress `screen-reader-text`, Bootstrap `sr-only`.
pub fn is_visually_hidden(e: &Element) -> bool {
    e.attr("class").is_some_and(vocab::names_visually_hidden)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::{Html, Selector};

    fn reading(html: &str) -> Reading {
        let doc = Html::parse_fragment(html);
        let a = doc.select(&Selector::parse("a").unwrap()).next().unwrap();
        read(a)
    }

    #[test]
    fn blocks_and_breaks_separate_lines() {
        let r = reading(r#"<a href="/n"><span>المقال التالي</span><h4>عنوان الخبر</h4></a>"#);
        assert_eq!(r.lines, vec!["المقال التالي", "عنوان الخبر"]);
        let r = reading(r#"<a href="/n">Article suivant<br>Le titre</a>"#);
        assert_eq!(r.lines, vec!["article suivant", "le titre"]);
    }

    #[test]
    fn screen_reader_text_stands_apart() {
        let r = reading(
            r#"<a href="/n"><span class="screen-reader-text">Next Post</span><span aria-hidden="true" class="nav-subtitle">Next</span> <span class="nav-title">A title</span></a>"#,
        );
        assert_eq!(r.lines[0], "next post");
        assert!(r.pieces.contains(&"next".to_string()));
    }

    #[test]
    fn attributes_and_images_and_icons() {
        let r = reading(
            r#"<a href="/n" title="Headline"><i aria-label="Next article"></i><img alt="المقال التالي"><svg><title>Continue</title></svg>→</a>"#,
        );
        assert_eq!(
            r.attrs,
            vec!["headline", "next article", "المقال التالي", "continue"]
        );
        assert!(r.lines.is_empty());
    }

    #[test]
    fn hidden_and_script_text_is_skipped() {
        let r = reading(r#"<a href="/n"><span hidden>Next</span><script>x</script>Title</a>"#);
        assert_eq!(r.lines, vec!["title"]);
    }
}
