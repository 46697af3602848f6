//! Rendering the chosen boxes into paragraphs: blocks and line breaks, furniture and link lists
//! left out, whitespace collapsed.

use std::sync::LazyLock;

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node, Selector};

use super::Furniture;
use crate::text;

/// Tags that start and end a paragraph.
pub(super) const BLOCK_TAGS: &[&str] = &[
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

/// Appends the paragraphs of `root`'s non-junk subtree.
pub(super) fn render(root: NodeRef<'_, Node>, furniture: &Furniture, out: &mut Vec<String>) {
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
pub(super) fn own_host(doc: &Html) -> Option<String> {
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
