//! Caps element nesting before the HTML tree is built: html5ever's tree builder is quadratic in
//! depth (100,000 nested `<div>`s take over a minute), browsers cap around 512, so do we.
//!
//! A light tag scanner counts open elements; tags that would nest deeper than the cap are dropped
//! (with their matching end tags) and their text kept. The same pass empties `<script>` and
//! `<style>` bodies (JSON-LD excepted) and inline `<svg>` drawings, which extraction never reads and which are often half a
//! page's bytes: the tree builder then has less to tokenize.

use std::borrow::Cow;
use std::collections::HashMap;

/// Deepest element nesting kept.
pub const MAX_DEPTH: usize = 512;

/// Elements whose content is raw text: their bodies are skipped, not scanned for tags.
const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
];

/// Elements that never have children.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "frame",
];

/// Elements whose end tag is optional: they are closed implicitly, so they do not count.
const IMPLIED_END: &[&str] = &[
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot",
    "colgroup", "rb", "rt", "rp", "rtc", "html", "head", "body",
];

/// One tag found by the scanner.
struct Tag<'a> {
    start: usize,
    end: usize,
    name: Cow<'a, str>,
    closing: bool,
    self_closing: bool,
}

/// Returns the HTML with nesting capped at `max_depth`, borrowing it when nothing is dropped.
pub fn prepare_for_parse(html: &str, max_depth: usize) -> Cow<'_, str> {
    let mut depth = 0usize;
    let mut dropped: HashMap<String, usize> = HashMap::new();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut pos = 0;
    while let Some(tag) = next_tag(html, pos) {
        pos = tag.end;
        let name = tag.name.as_ref();
        if tag.closing {
            if let Some(n) = dropped.get_mut(name).filter(|n| **n > 0) {
                *n -= 1;
                cuts.push((tag.start, tag.end));
            } else if counts(name) {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if RAW_TEXT.contains(&name) {
            let close = skip_raw_text(html, pos, name);
            let droppable = matches!(name, "script" | "style")
                && !html[tag.start..tag.end]
                    .to_ascii_lowercase()
                    .contains("ld+json");
            if droppable && close > pos {
                cuts.push((pos, close));
            }
            pos = close;
            continue;
        }
        if tag.self_closing || !counts(name) {
            continue;
        }
        if name == "svg" {
            // Inline icons: paths and shapes, never text worth archiving.
            let close = skip_raw_text(html, pos, "svg");
            if close > pos {
                cuts.push((pos, close));
            }
            pos = close;
        }
        if depth >= max_depth {
            *dropped.entry(name.to_string()).or_default() += 1;
            cuts.push((tag.start, tag.end));
        } else {
            depth += 1;
        }
    }
    if cuts.is_empty() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    for (s, e) in cuts {
        out.push_str(&html[last..s]);
        last = e;
    }
    out.push_str(&html[last..]);
    Cow::Owned(out)
}

fn counts(name: &str) -> bool {
    !VOID.contains(&name) && !IMPLIED_END.contains(&name)
}

/// Finds the next start or end tag at or after `from`, skipping comments and doctypes.
fn next_tag(html: &str, from: usize) -> Option<Tag<'_>> {
    let bytes = html.as_bytes();
    let mut i = from;
    loop {
        i += memchr_lt(&bytes[i.min(bytes.len())..])?;
        let rest = &bytes[i..];
        if rest.starts_with(b"<!--") {
            i = match find(bytes, i + 4, b"-->") {
                Some(e) => e + 3,
                None => return None,
            };
            continue;
        }
        if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            i = find(bytes, i + 2, b">")? + 1;
            continue;
        }
        let closing = rest.get(1) == Some(&b'/');
        let name_start = i + 1 + usize::from(closing);
        if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        let mut j = name_start;
        while j < bytes.len()
            && !bytes[j].is_ascii_whitespace()
            && bytes[j] != b'>'
            && bytes[j] != b'/'
        {
            j += 1;
        }
        let raw_name = &html[name_start..j];
        let name = if raw_name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(raw_name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(raw_name)
        };
        let end = tag_end(bytes, j)?;
        let self_closing = end >= 2 && bytes[end - 2] == b'/';
        return Some(Tag {
            start: i,
            end,
            name,
            closing,
            self_closing,
        });
    }
}

/// The index just past the `>` that ends a tag whose attributes start at `from`, honouring quotes.
fn tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (k, &b) in bytes.iter().enumerate().skip(from) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return Some(k + 1),
            None => {}
        }
    }
    None
}

fn skip_raw_text(html: &str, from: usize, name: &str) -> usize {
    let lower_needle = format!("</{name}");
    let bytes = html.as_bytes();
    let mut i = from;
    while let Some(off) = find(bytes, i, b"</") {
        let cand = &bytes[off..(off + lower_needle.len()).min(bytes.len())];
        if cand.eq_ignore_ascii_case(lower_needle.as_bytes()) {
            return off;
        }
        i = off + 2;
    }
    html.len()
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(b'<', bytes)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= bytes.len() {
        return None;
    }
    memchr::memmem::find(&bytes[from..], needle).map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_pages_are_untouched() {
        let html = "<html><body><div><p>a<p>b</div><br/><img src=x></body></html>";
        assert!(matches!(prepare_for_parse(html, 4), Cow::Borrowed(_)));
        let html = "<div><script></script></div>";
        assert!(matches!(prepare_for_parse(html, 4), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_nesting_is_cut_and_text_kept() {
        let html = format!("{}text{}", "<div>".repeat(1000), "</div>".repeat(1000));
        let capped = prepare_for_parse(&html, 10);
        assert_eq!(capped.matches("<div>").count(), 10);
        assert_eq!(capped.matches("</div>").count(), 10);
        assert!(capped.contains("text"));
    }

    #[test]
    fn scripts_and_comments_are_skipped() {
        let html = "<div><script>if (a<b) { x = '<div>'; }</script><!-- <div><div> --></div>";
        assert_eq!(
            prepare_for_parse(html, 1),
            "<div><script></script><!-- <div><div> --></div>"
        );
    }

    #[test]
    fn svg_bodies_are_dropped() {
        let html = r#"<p>a<svg viewBox="0 0 1 1"><path d="M0 0"/><g><circle/></g></svg>b</p>"#;
        assert_eq!(
            prepare_for_parse(html, 5),
            r#"<p>a<svg viewBox="0 0 1 1"></svg>b</p>"#
        );
    }

    #[test]
    fn json_ld_is_kept() {
        let html = r#"<script type="application/ld+json">{"a":1}</script><style>p{}</style>"#;
        assert_eq!(
            prepare_for_parse(html, 5),
            r#"<script type="application/ld+json">{"a":1}</script><style></style>"#
        );
    }

    #[test]
    fn quoted_gt_does_not_end_a_tag() {
        let html = r#"<div title="a>b"><div>x</div></div>"#;
        let capped = prepare_for_parse(html, 1);
        assert_eq!(capped, r#"<div title="a>b">x</div>"#);
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for html in [
            "<",
            "<div",
            "<!--",
            "</",
            "<div title='x",
            "<script>abc",
            "<a\u{600}>",
        ] {
            let _ = prepare_for_parse(html, 1);
        }
    }
}
