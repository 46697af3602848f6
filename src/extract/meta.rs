//! Article metadata: JSON-LD, meta tags, headline, authors, dates, language and canonical URL.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use url::Url;

use super::content::{class_and_id, is_junk};
use super::dates;
use super::text::{self, collapse, fold};

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

macro_rules! selector {
    ($name:ident, $css:expr) => {
        static $name: LazyLock<Selector> = LazyLock::new(|| sel($css));
    };
}

selector!(LD_JSON, r#"script[type="application/ld+json"]"#);
selector!(META, "meta");
selector!(TITLE, "title");
selector!(H1, "h1");
selector!(CANONICAL, r#"link[rel~="canonical"]"#);
selector!(HTML, "html");
selector!(TIME, "time[datetime]");
selector!(ITEMPROP_PUBLISHED, r#"[itemprop="datePublished"]"#);
selector!(ITEMPROP_MODIFIED, r#"[itemprop="dateModified"]"#);
selector!(
    AUTHOR_ELEMENTS,
    r#"[itemprop~="author"], [rel~="author"], [class*="author"], [class*="byline"], [class*="writer"], [class*="auteur"], [class*="kateb"], [id*="author"]"#
);
selector!(
    DATE_ELEMENTS,
    r#"[class*="date"], [class*="time"], [class*="publish"], [class*="posted"], [class*="meta"], [class*="byline"], [id*="date"], [class*="tarikh"], [class*="dateline"]"#
);

/// What structured data (JSON-LD `Article`/`NewsArticle`) says about the page.
#[derive(Debug, Default, Clone)]
pub struct StructuredData {
    pub headline: Option<String>,
    pub date_published: Option<String>,
    pub date_modified: Option<String>,
    pub authors: Vec<String>,
    pub article_body: Option<String>,
    pub language: Option<String>,
}

const ARTICLE_TYPES: &[&str] = &[
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "scholarlyarticle",
    "techarticle",
    "report",
];

/// Reads the first article object found in the page's JSON-LD blocks.
pub fn structured_data(doc: &Html) -> StructuredData {
    for script in doc.select(&LD_JSON) {
        let raw: String = script.text().collect();
        let raw = raw
            .trim()
            .trim_start_matches("<![CDATA[")
            .trim_end_matches("]]>");
        let Ok(value) = serde_json::from_str::<Value>(raw) else {
            continue;
        };
        if let Some(obj) = find_article(&value) {
            return from_article_object(obj);
        }
    }
    StructuredData::default()
}

fn find_article(root: &Value) -> Option<&serde_json::Map<String, Value>> {
    let mut stack = vec![root];
    let mut visited = 0;
    while let Some(v) = stack.pop() {
        visited += 1;
        if visited > 10_000 {
            return None;
        }
        match v {
            Value::Array(items) => stack.extend(items.iter().rev()),
            Value::Object(map) => {
                if has_article_type(map) {
                    return Some(map);
                }
                for key in [
                    "@graph",
                    "mainEntity",
                    "mainEntityOfPage",
                    "itemListElement",
                ] {
                    if let Some(child) = map.get(key) {
                        stack.push(child);
                    }
                }
            }
            _ => {}
        }
    }
    None
}

fn has_article_type(map: &serde_json::Map<String, Value>) -> bool {
    let matches = |s: &str| ARTICLE_TYPES.contains(&s.to_ascii_lowercase().as_str());
    match map.get("@type") {
        Some(Value::String(s)) => matches(s),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).any(matches),
        _ => false,
    }
}

fn from_article_object(map: &serde_json::Map<String, Value>) -> StructuredData {
    let string = |k: &str| map.get(k).and_then(value_text);
    StructuredData {
        headline: string("headline").or_else(|| string("name")),
        date_published: string("datePublished").or_else(|| string("dateCreated")),
        date_modified: string("dateModified"),
        authors: map.get("author").map(person_names).unwrap_or_default(),
        article_body: string("articleBody"),
        language: string("inLanguage"),
    }
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(collapse(&decode_entities(s))).filter(|s| !s.is_empty()),
        Value::Array(a) => a.iter().find_map(value_text),
        Value::Object(o) => o
            .get("name")
            .or_else(|| o.get("@value"))
            .and_then(value_text),
        _ => None,
    }
}

fn person_names(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().flat_map(person_names).collect(),
        Value::Object(o) => {
            let is_org = o
                .get("@type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("organization"));
            if is_org {
                return Vec::new();
            }
            o.get("name").and_then(value_text).into_iter().collect()
        }
        Value::String(s) => vec![collapse(s)],
        _ => Vec::new(),
    }
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// The content of the first `<meta>` whose `name`/`property`/`itemprop` is one of `keys`.
pub fn meta_content(doc: &Html, keys: &[&str]) -> Option<String> {
    // One walk of the document, then the keys in their order of preference.
    let metas: Vec<ElementRef<'_>> = doc.select(&META).collect();
    for key in keys {
        for m in &metas {
            let el = m.value();
            let matches = ["property", "name", "itemprop"]
                .iter()
                .filter_map(|a| el.attr(a))
                .any(|v| v.trim().eq_ignore_ascii_case(key));
            if matches && let Some(c) = el.attr("content").map(collapse).filter(|c| !c.is_empty()) {
                return Some(c);
            }
        }
    }
    None
}

fn element_text(el: ElementRef<'_>) -> String {
    collapse(&el.text().collect::<String>())
}

/// The element's text, or None as soon as it passes `max` bytes (wrappers are not bylines).
fn short_text(el: ElementRef<'_>, max: usize) -> Option<String> {
    let mut out = String::new();
    for t in el.text() {
        out.push_str(t);
        if out.len() > max * 2 {
            return None;
        }
    }
    let c = collapse(&out);
    (c.len() <= max).then_some(c)
}

/// The headline: an `<h1>` that the page's title or `og:title` confirms; else the one `<h1>`
/// of the article; else the structured headline; else a confirmed `<h2>`; else the title without
/// the site name.
pub fn title(doc: &Html, ld: &StructuredData, site_name: Option<&str>) -> Option<String> {
    let og = meta_content(doc, &["og:title", "twitter:title"]);
    let doc_title = doc
        .select(&TITLE)
        .next()
        .map(element_text)
        .filter(|t| !t.is_empty());
    let confirmers: Vec<String> = [og.as_deref(), ld.headline.as_deref(), doc_title.as_deref()]
        .into_iter()
        .flatten()
        .map(|c| fold(c.trim_end_matches(['…', '.'])))
        .filter(|s| !s.is_empty())
        .collect();
    let confirmed = |h: &str| {
        let f = fold(h);
        confirmers.iter().any(|c| {
            *c == f
                || (f.len() >= 10 && c.contains(&f))
                || (c.len() >= 20 && f.starts_with(c.as_str()))
        })
    };
    let site = site_name.map(fold);
    let h1s: Vec<(String, bool)> = doc
        .select(&H1)
        .map(|e| (element_text(e), in_chrome(e) || in_furniture(e)))
        .filter(|(t, _)| t.chars().count() >= 3 && site.as_deref() != Some(fold(t).as_str()))
        .collect();
    // A headline in site chrome (a logo) must match the title exactly to count.
    if let Some((h, _)) = h1s.iter().find(|(h, chrome)| {
        if *chrome {
            confirmers.contains(&fold(h))
        } else {
            confirmed(h)
        }
    }) {
        return Some(h.clone());
    }
    let article_h1s: Vec<&String> = h1s
        .iter()
        .filter(|(_, chrome)| !chrome)
        .map(|(h, _)| h)
        .collect();
    if let [only] = article_h1s.as_slice()
        && only.split_whitespace().count() >= 3
    {
        return Some((*only).clone());
    }
    if let Some(h) = &ld.headline {
        return Some(h.clone());
    }
    static H2: LazyLock<Selector> = LazyLock::new(|| sel("h2"));
    if let Some(h) = doc
        .select(&H2)
        .map(element_text)
        .find(|h| h.split_whitespace().count() >= 3 && confirmed(h))
    {
        return Some(h);
    }
    if let Some(t) = og.as_deref().or(doc_title.as_deref()) {
        return Some(strip_site_name(t, site_name));
    }
    h1s.into_iter().next().map(|(h, _)| h)
}

/// Removes a site name joined to a headline by a separator ("Headline | Site", "Site - Headline").
pub fn strip_site_name(title: &str, site_name: Option<&str>) -> String {
    const SEPARATORS: &[&str] = &[
        " | ", " - ", " – ", " — ", " :: ", " « ", " » ", " · ", " ｜ ",
    ];
    for sep in SEPARATORS {
        if !title.contains(sep) {
            continue;
        }
        let parts: Vec<&str> = title
            .split(sep)
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if parts.len() < 2 {
            continue;
        }
        if let Some(site) = site_name.map(fold) {
            let rest: Vec<&str> = parts.iter().copied().filter(|p| fold(p) != site).collect();
            if rest.len() < parts.len() && !rest.is_empty() {
                return rest.join(sep);
            }
        }
        // Otherwise keep the longest part: a site name is short.
        if let Some(best) = parts.iter().max_by_key(|p| p.chars().count()) {
            return (*best).to_string();
        }
    }
    title.trim().to_string()
}

/// Authors from structured data, meta tags, author markup or a byline, without "By"/"بقلم"/"Par".
pub fn authors(doc: &Html, ld: &StructuredData) -> Vec<String> {
    let from_ld = clean_names(ld.authors.iter().map(String::as_str));
    if !from_ld.is_empty() {
        return from_ld;
    }
    if let Some(m) = meta_content(
        doc,
        &[
            "author",
            "article:author",
            "byl",
            "dc.creator",
            "parsely-author",
            "sailthru.author",
        ],
    ) && !m.starts_with("http")
    {
        let names = clean_names(std::iter::once(m.as_str()));
        if !names.is_empty() {
            return names;
        }
    }
    for el in doc.select(&AUTHOR_ELEMENTS) {
        if in_chrome(el) || in_furniture(el) {
            continue;
        }
        let hints = class_and_id(el.value());
        if [
            "bio", "avatar", "img", "image", "photo", "box", "list", "social", "more",
        ]
        .iter()
        .any(|w| hints.contains(w))
        {
            continue;
        }
        let Some(text) = short_text(el, 200).filter(|t| !t.is_empty() && t.chars().count() <= 100)
        else {
            continue;
        };
        let names = clean_names(std::iter::once(text.as_str()));
        if !names.is_empty() {
            return names;
        }
    }
    byline_authors(doc)
}

/// A short text node that begins with a byline word.
fn byline_authors(doc: &Html) -> Vec<String> {
    static P_LIKE: LazyLock<Selector> = LazyLock::new(|| sel("p, span, div, em, strong, address"));
    for el in doc.select(&P_LIKE) {
        let first_text = el
            .children()
            .find_map(|c| c.value().as_text().filter(|t| !t.trim().is_empty()));
        let own = first_text.map(|t| t.trim()).unwrap_or("");
        if !(starts_with_byline_word(own) || own.is_empty() || own.chars().count() <= 8) {
            continue;
        }
        // Cheap checks first: the text must begin with a byline word and be short.
        let Some(full) = short_text(el, 160).filter(|t| t.chars().count() <= 80) else {
            continue;
        };
        if !starts_with_byline_word(&full) || in_chrome(el) || in_furniture(el) {
            continue;
        }
        let names = clean_names(std::iter::once(full.as_str()));
        if !names.is_empty() {
            return names;
        }
    }
    Vec::new()
}

const BYLINE_WORDS: &[&str] = &[
    "بقلم",
    "كتب",
    "كتبه",
    "كتبت",
    "إعداد",
    "اعداد",
    "تحرير",
    "by",
    "par",
    "written by",
    "auteur",
    "de",
    "reporting by",
    "story by",
];

fn starts_with_byline_word(s: &str) -> bool {
    static WORDS: LazyLock<Vec<String>> = LazyLock::new(|| {
        BYLINE_WORDS
            .iter()
            .filter(|w| **w != "de")
            .map(|w| fold(w))
            .collect()
    });
    if s.trim().is_empty() {
        return false;
    }
    crate::vocab::starts_with_any(&fold(text::prefix(s, 64)), &WORDS)
}

/// Normalises author strings: prefixes dropped, lists split, dates and junk refused, de-duplicated.
pub fn clean_names<'a>(raw: impl Iterator<Item = &'a str>) -> Vec<String> {
    static SPLIT: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"\s*(?:,|،|;|&|\band\b|\bet\b|\|| و )\s*").unwrap());
    let mut out: Vec<String> = Vec::new();
    for r in raw {
        let mut s = collapse(r);
        s = strip_byline_prefix(&s);
        s = strip_byline_tail(&s).to_string();
        for part in SPLIT.split(&s).flat_map(split_attached_and) {
            let name = strip_byline_prefix(part.trim())
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_string();
            if is_plausible_name(&name) && !out.iter().any(|o| fold(o) == fold(&name)) {
                out.push(name);
            }
        }
    }
    out
}

/// Arabic writes "and" attached to the next name: «سعيد الإدريسي وليلى بنعمر» is two authors.
/// Split at a word beginning with و when both sides keep at least two words and the word is not
/// a name that itself begins with و (وليد, وفاء, ...).
fn split_attached_and(part: &str) -> Vec<String> {
    const VAW_NAMES: &[&str] = &[
        "وليد",
        "وفاء",
        "وئام",
        "وداد",
        "وسيم",
        "وجدي",
        "وهيبة",
        "وردة",
        "وائل",
        "وسام",
        "وحيد",
        "وديع",
        "وصال",
        "ولاء",
        "وهبي",
        "وزاني",
        "الوزاني",
        "ورياغلي",
    ];
    let words: Vec<&str> = part.split_whitespace().collect();
    if words.len() >= 4 {
        for i in 2..=words.len() - 2 {
            let w = words[i];
            if let Some(rest) = w.strip_prefix('و')
                && rest.chars().count() >= 2
                && !VAW_NAMES.contains(&w)
            {
                let second = std::iter::once(rest).chain(words[i + 1..].iter().copied());
                return vec![words[..i].join(" "), second.collect::<Vec<_>>().join(" ")];
            }
        }
    }
    vec![part.to_string()]
}

fn strip_byline_prefix(s: &str) -> String {
    let mut s = s
        .trim()
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .to_string();
    loop {
        let lower = s.to_lowercase();
        let mut changed = false;
        for w in BYLINE_WORDS {
            if let Some(rest) = lower.strip_prefix(w)
                && (rest.starts_with([' ', ':', '\u{a0}', '-', '،']) || rest.is_empty())
            {
                let cut = s.len() - rest.len();
                s = s[cut..]
                    .trim_start_matches(|c: char| {
                        c.is_whitespace() || c == ':' || c == '-' || c == '،'
                    })
                    .to_string();
                changed = true;
                break;
            }
        }
        if !changed {
            return s;
        }
    }
}

/// Job titles that follow a name in bylines ("Jane Doe, Staff Reporter").
const JOB_TITLES: &[&str] = &[
    "staff reporter",
    "staff writer",
    "reporter",
    "correspondent",
    "editor",
    "senior editor",
    "contributor",
    "columnist",
    "special correspondent",
    "journaliste",
    "correspondant",
    "correspondante",
    "rédaction",
    "redaction",
    "envoyé spécial",
    "envoyée spéciale",
    "مراسل",
    "مراسلة",
    "صحفي",
    "صحفية",
    "محرر",
    "staff",
    "associated press",
    "afp",
    "reuters",
    "ap",
];

/// Removes what follows a name in a byline: "(avec AFP)", " - الرباط", "| 20 novembre".
fn strip_byline_tail(s: &str) -> &str {
    let mut end = s.len();
    for sep in [" (", "(", " - ", " – ", " — ", " | ", " / "] {
        if let Some(i) = s.find(sep).filter(|i| *i > 0) {
            end = end.min(i);
        }
    }
    s[..end].trim()
}

fn is_plausible_name(name: &str) -> bool {
    if JOB_TITLES.iter().any(|t| fold(t) == fold(name)) {
        return false;
    }
    let chars = name.chars().count();
    let words = name.split_whitespace().count();
    (2..=60).contains(&chars)
        && (1..=6).contains(&words)
        && !name
            .chars()
            .any(|c| c.is_ascii_digit() || ('٠'..='٩').contains(&c))
        && !name.contains("http")
        && !name.contains('@')
}

/// Whether an element sits in comments, related boxes or sidebars, whose names are not bylines.
fn in_furniture(el: ElementRef<'_>) -> bool {
    static FURNITURE: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(crate::vocab::FURNITURE_CLASSES).unwrap());
    std::iter::once(el)
        .chain(el.ancestors().filter_map(ElementRef::wrap))
        .any(|a| FURNITURE.is_match(&class_and_id(a.value())))
}

/// Whether an element sits in site chrome (header, footer, nav, aside) rather than the article.
fn in_chrome(el: ElementRef<'_>) -> bool {
    el.ancestors().filter_map(ElementRef::wrap).any(|a| {
        matches!(a.value().name(), "nav" | "footer" | "aside")
            || (a.value().name() == "header"
                && !a
                    .ancestors()
                    .filter_map(ElementRef::wrap)
                    .any(|b| b.value().name() == "article"))
    })
}

/// The publication date: structured data, meta tags, `time[datetime]`, itemprop, visible dates,
/// relative dates (against `fetched_at`), a date in the URL.
pub fn published_at(
    doc: &Html,
    ld: &StructuredData,
    url: &Url,
    tz: Tz,
    fetched_at: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let machine = |s: &str| dates::parse_machine_date(s, tz);
    ld.date_published
        .as_deref()
        .and_then(machine)
        .or_else(|| {
            meta_content(
                doc,
                &[
                    "article:published_time",
                    "og:published_time",
                    "datePublished",
                    "pubdate",
                    "publishdate",
                    "publish-date",
                    "publish_date",
                    "dc.date.issued",
                    "dcterms.created",
                    "dc.date",
                    "date",
                    "sailthru.date",
                    "parsely-pub-date",
                    "article.published",
                    "cxenseparse:recs:publishtime",
                ],
            )
            .as_deref()
            .and_then(machine)
        })
        .or_else(|| itemprop_date(doc, &ITEMPROP_PUBLISHED, tz))
        .or_else(|| time_element(doc, tz))
        .or_else(|| visible_date(doc, tz, fetched_at))
        .or_else(|| url_date(url, tz))
}

/// The modification date from structured data and meta tags.
pub fn modified_at(doc: &Html, ld: &StructuredData, tz: Tz) -> Option<DateTime<Utc>> {
    let machine = |s: &str| dates::parse_machine_date(s, tz);
    ld.date_modified
        .as_deref()
        .and_then(machine)
        .or_else(|| {
            meta_content(
                doc,
                &[
                    "article:modified_time",
                    "og:updated_time",
                    "dateModified",
                    "last-modified",
                ],
            )
            .as_deref()
            .and_then(machine)
        })
        .or_else(|| itemprop_date(doc, &ITEMPROP_MODIFIED, tz))
}

fn itemprop_date(doc: &Html, selector: &Selector, tz: Tz) -> Option<DateTime<Utc>> {
    doc.select(selector)
        .filter(|el| !in_furniture(*el))
        .find_map(|el| {
            let v = el.value();
            v.attr("content")
                .or_else(|| v.attr("datetime"))
                .and_then(|s| dates::parse_machine_date(s, tz))
                .or_else(|| dates::find_visible_date(&element_text(el), tz))
        })
}

fn time_element(doc: &Html, tz: Tz) -> Option<DateTime<Utc>> {
    let candidates: Vec<ElementRef<'_>> = doc
        .select(&TIME)
        .filter(|t| !in_chrome(*t) && !in_furniture(*t))
        .collect();
    let preferred = candidates.iter().find(|t| {
        let v = t.value();
        v.attr("pubdate").is_some()
            || v.attr("itemprop") == Some("datePublished")
            || v.attr("class").is_some_and(|c| {
                let c = c.to_ascii_lowercase();
                c.contains("publish") || c.contains("pubdate") || c.contains("entry-date")
            })
    });
    preferred
        .into_iter()
        .chain(candidates.iter())
        .find_map(|t| {
            t.value()
                .attr("datetime")
                .and_then(|d| dates::parse_machine_date(d, tz))
        })
}

fn visible_date(doc: &Html, tz: Tz, fetched_at: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    let elements = doc.select(&DATE_ELEMENTS).filter(|e| {
        !e.value()
            .attr("class")
            .is_some_and(|c| c.contains("update"))
    });
    for el in elements {
        let Some(t) = short_text(el, 400).filter(|t| t.chars().count() <= 200) else {
            continue;
        };
        if in_chrome(el) || in_furniture(el) {
            continue;
        }
        if let Some(d) = publication_date_in(&t, tz) {
            return Some(d);
        }
        if let Some(now) = fetched_at
            && let Some(d) = dates::parse_relative_date(&t, now)
        {
            return Some(d);
        }
    }
    // The text just after the headline often carries the dateline.
    let after = text_after_h1(doc, 400);
    publication_date_in(&after, tz)
        .or_else(|| fetched_at.and_then(|now| dates::parse_relative_date(&after, now)))
}

/// Words that introduce the publication date, and those that introduce an update.
const PUBLISHED_MARKERS: &[&str] = &[
    "published",
    "posted",
    "publié",
    "publie",
    "نشر",
    "تاريخ النشر",
    "نُشر",
];
const UPDATED_MARKERS: &[&str] = &[
    "updated",
    "update",
    "mis à jour",
    "mis a jour",
    "modifié",
    "آخر تحديث",
    "تحديث",
    "عدل",
    "تعديل",
];

/// The publication date in a dateline: after a "published" marker when there is one; a text that
/// only announces an update gives none.
fn publication_date_in(text: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let lower = text.to_lowercase();
    if let Some(pos) = PUBLISHED_MARKERS.iter().filter_map(|m| lower.find(m)).min()
        && let Some(d) = lower
            .get(pos..)
            .and_then(|rest| dates::find_visible_date(rest, tz))
    {
        return Some(d);
    }
    if let Some(pos) = UPDATED_MARKERS.iter().filter_map(|m| lower.find(m)).min() {
        // Only what stands before the update marker can be the publication date.
        return lower
            .get(..pos)
            .and_then(|before| dates::find_visible_date(before, tz));
    }
    dates::find_visible_date(text, tz)
}

fn text_after_h1(doc: &Html, max_chars: usize) -> String {
    let Some(h1) = doc.select(&H1).next() else {
        return String::new();
    };
    let mut out = String::new();
    let mut node = Some(*h1);
    // Walk forward in document order from the headline, skipping its own subtree.
    let mut skip_subtree = true;
    while let Some(n) = node {
        let next = if !skip_subtree && n.first_child().is_some() {
            n.first_child()
        } else {
            let mut cur = Some(n);
            let mut found = None;
            while let Some(c) = cur {
                if let Some(s) = c.next_sibling() {
                    found = Some(s);
                    break;
                }
                cur = c.parent();
            }
            found
        };
        skip_subtree = false;
        let Some(nx) = next else { break };
        if let Some(el) = nx.value().as_element()
            && (is_junk(el) && !matches!(el.name(), "header" | "footer"))
            && el.name() != "h1"
        {
            // Skip scripts and the like, but not the article header holding the dateline.
            skip_subtree = true;
        }
        if let Some(t) = nx.value().as_text() {
            out.push_str(t);
            out.push(' ');
            if out.chars().count() > max_chars {
                break;
            }
        }
        node = Some(nx);
    }
    out
}

fn url_date(url: &Url, tz: Tz) -> Option<DateTime<Utc>> {
    static URL_DATE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_]|$)",
        )
        .unwrap()
    });
    let c = URL_DATE.captures(url.path())?;
    dates::parse_machine_date(&format!("{}-{:0>2}-{:0>2}", &c[1], &c[2], &c[3]), tz)
}

/// The declared language: `<html lang>`, `Content-Language`, `og:locale`, or structured data.
pub fn declared_language(doc: &Html, ld: &StructuredData) -> Option<String> {
    doc.select(&HTML)
        .next()
        .and_then(|h| {
            h.value()
                .attr("lang")
                .or_else(|| h.value().attr("xml:lang"))
                .map(str::to_string)
        })
        .or_else(|| {
            meta_content(
                doc,
                &["content-language", "og:locale", "language", "dc.language"],
            )
        })
        .or_else(|| {
            doc.select(&META)
                .find(|m| {
                    m.value()
                        .attr("http-equiv")
                        .is_some_and(|h| h.eq_ignore_ascii_case("content-language"))
                })
                .and_then(|m| m.value().attr("content").map(str::to_string))
        })
        .or_else(|| ld.language.clone())
        .and_then(|l| normalize_language_tag(&l))
}

/// `en_us` -> `en-US`, `AR` -> `ar`; None for junk.
pub fn normalize_language_tag(tag: &str) -> Option<String> {
    let tag = tag
        .trim()
        .split([',', ';'])
        .next()?
        .trim()
        .replace('_', "-");
    let mut parts = tag.split('-');
    let primary = parts.next()?.to_ascii_lowercase();
    if !(2..=3).contains(&primary.len()) || !primary.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    match parts.next() {
        Some(region) if region.len() == 2 && region.chars().all(|c| c.is_ascii_alphabetic()) => {
            Some(format!("{primary}-{}", region.to_ascii_uppercase()))
        }
        _ => Some(primary),
    }
}

/// The language: the declared one unless the body's own language contradicts it.
pub fn language(declared: Option<String>, body: &str, title: Option<&str>) -> Option<String> {
    let sample: String = title
        .into_iter()
        .chain(std::iter::once(body))
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(1200)
        .collect();
    let detected = detect_language(&sample);
    match (declared, detected) {
        (Some(d), Some(det)) => {
            let primary = d.split('-').next().unwrap_or("").to_string();
            if primary == det.0 || !det.1 {
                Some(d)
            } else {
                Some(det.0.to_string())
            }
        }
        (Some(d), None) => Some(d),
        (None, Some(det)) => Some(det.0.to_string()),
        (None, None) => None,
    }
}

/// (ISO 639-1 code, reliable) of the text's language.
fn detect_language(sample: &str) -> Option<(&'static str, bool)> {
    if sample.trim().chars().count() < 20 {
        return None;
    }
    // Script decides Arabic on its own: whatlang may call short Arabic text Persian or Urdu.
    if text::arabic_share(sample) > 0.6 {
        let info = whatlang::detect(sample);
        let code = info
            .as_ref()
            .and_then(|i| iso639_1(i.lang()))
            .filter(|c| matches!(*c, "fa" | "ur"));
        return Some(match code {
            Some(c) if info.as_ref().is_some_and(|i| i.is_reliable()) => (c, true),
            _ => ("ar", true),
        });
    }
    let info = whatlang::detect(sample)?;
    Some((
        iso639_1(info.lang())?,
        info.is_reliable() && info.confidence() > 0.5,
    ))
}

fn iso639_1(lang: whatlang::Lang) -> Option<&'static str> {
    use whatlang::Lang::*;
    Some(match lang {
        Ara => "ar",
        Fra => "fr",
        Eng => "en",
        Spa => "es",
        Deu => "de",
        Ita => "it",
        Por => "pt",
        Nld => "nl",
        Tur => "tr",
        Rus => "ru",
        Pes => "fa",
        Urd => "ur",
        Heb => "he",
        Pol => "pl",
        Ukr => "uk",
        Swe => "sv",
        Dan => "da",
        Fin => "fi",
        Ell => "el",
        Cmn => "zh",
        Jpn => "ja",
        Kor => "ko",
        Hin => "hi",
        Ind => "id",
        Ron => "ro",
        Hun => "hu",
        Ces => "cs",
        Cat => "ca",
        Vie => "vi",
        Tha => "th",
        Nob => "nb",
        Bul => "bg",
        Srp => "sr",
        Hrv => "hr",
        Slk => "sk",
        Slv => "sl",
        Lit => "lt",
        Lav => "lv",
        Est => "et",
        Aze => "az",
        Ben => "bn",
        _ => return None,
    })
}

/// The page's canonical URL, resolved against the base.
pub fn canonical(doc: &Html, base: &Url) -> Option<Url> {
    let href = doc.select(&CANONICAL).next()?.value().attr("href")?.trim();
    if href.is_empty() {
        return None;
    }
    let mut u = base.join(href).ok()?;
    u.set_fragment(None);
    Some(u)
}

/// `og:site_name`, or the structured publisher name.
pub fn site_name(doc: &Html) -> Option<String> {
    meta_content(doc, &["og:site_name", "application-name", "twitter:site"])
        .map(|s| s.trim_start_matches('@').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_names_are_stripped() {
        assert_eq!(
            strip_site_name("Headline of the day | Le Site", None),
            "Headline of the day"
        );
        assert_eq!(
            strip_site_name("Hespress - عنوان الخبر الطويل", Some("Hespress")),
            "عنوان الخبر الطويل"
        );
        assert_eq!(strip_site_name("Plain headline", None), "Plain headline");
    }

    #[test]
    fn author_names_are_cleaned() {
        assert_eq!(
            clean_names(["بقلم: سعيد الإدريسي"].into_iter()),
            vec!["سعيد الإدريسي"]
        );
        assert_eq!(
            clean_names(["By Jane Doe and John Smith"].into_iter()),
            vec!["Jane Doe", "John Smith"]
        );
        assert_eq!(
            clean_names(["Par Jean Dupont"].into_iter()),
            vec!["Jean Dupont"]
        );
        assert!(clean_names(["20 novembre 2026"].into_iter()).is_empty());
        assert_eq!(
            clean_names(["بقلم: سعيد الإدريسي - الرباط"].into_iter()),
            vec!["سعيد الإدريسي"]
        );
        assert_eq!(
            clean_names(["Par Claire Martin (avec AFP)"].into_iter()),
            vec!["Claire Martin"]
        );
        assert_eq!(
            clean_names(["By Jane Doe, Staff Reporter"].into_iter()),
            vec!["Jane Doe"]
        );
    }

    #[test]
    fn headline_rules() {
        let t = |html: &str| {
            title(
                &Html::parse_document(html),
                &StructuredData::default(),
                None,
            )
        };
        // An SEO title does not beat the article's one h1.
        assert_eq!(
            t("<title>Park approved | Courier</title><article><h1>City council approves riverfront park plan</h1></article>").as_deref(),
            Some("City council approves riverfront park plan")
        );
        // A logo h1 in the header loses to a confirmed h2.
        assert_eq!(
            t("<title>City council approves park plan | The Courier</title><header><h1>The Courier</h1></header><article><h2>City council approves park plan</h2></article>").as_deref(),
            Some("City council approves park plan")
        );
        // A truncated title still confirms the full h1.
        assert_eq!(
            t("<title>City council approves riverfront…</title><h1>City council approves riverfront park plan</h1><h1>Other</h1>").as_deref(),
            Some("City council approves riverfront park plan")
        );
    }

    #[test]
    fn update_lines_do_not_give_the_publication_date() {
        let tz = chrono_tz::UTC;
        let d = publication_date_in(
            "Updated Nov 21, 2026 8:00 AM · Published Nov 20, 2026 10:15 AM",
            tz,
        )
        .unwrap();
        assert_eq!(d.to_rfc3339(), "2026-11-20T10:15:00+00:00");
        let d = publication_date_in("نشر في 20 نونبر 2026 - آخر تحديث 21 نونبر 2026", tz).unwrap();
        assert_eq!(d.date_naive().to_string(), "2026-11-20");
        assert_eq!(
            publication_date_in("Mis à jour le 21 novembre 2026", tz),
            None
        );
    }

    #[test]
    fn comment_dates_are_not_the_article_date() {
        let html = r#"<article><h1>Title of the article here</h1><div class="post-info"><span class="date">الخميس 19 نونبر 2026 - 09:30</span></div><p>text</p></article>
            <section id="comments"><li class="comment"><time datetime="2026-11-22T10:15:00+01:00">22 نونبر</time></li></section>"#;
        let doc = Html::parse_document(html);
        let url = Url::parse("http://x.example/a").unwrap();
        let d = published_at(&doc, &StructuredData::default(), &url, chrono_tz::UTC, None).unwrap();
        assert_eq!(d.date_naive().to_string(), "2026-11-19");
    }

    #[test]
    fn language_tags_normalise() {
        assert_eq!(normalize_language_tag("en_us").as_deref(), Some("en-US"));
        assert_eq!(normalize_language_tag("AR").as_deref(), Some("ar"));
        assert_eq!(
            normalize_language_tag("fr-FR,fr;q=0.9").as_deref(),
            Some("fr-FR")
        );
        assert_eq!(normalize_language_tag("??"), None);
    }

    #[test]
    fn arabic_body_overrides_a_wrong_declaration() {
        let body = "يبرز المدير العام للأمن الوطني ولمراقبة التراب الوطني كأحد أبرز المهندسين الفعليين لتحول عميق في السياسة الأمنية المغربية.";
        assert_eq!(
            language(Some("en-US".into()), body, None).as_deref(),
            Some("ar")
        );
        assert_eq!(
            language(Some("ar-MA".into()), body, None).as_deref(),
            Some("ar-MA")
        );
    }

    #[test]
    fn structured_data_is_found_in_graphs() {
        let html = r#"<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage"},{"@type":"NewsArticle","headline":"H","datePublished":"2026-11-20T10:15:00+01:00","author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Organization","name":"Org"}]}]}</script>"#;
        let ld = structured_data(&Html::parse_document(html));
        assert_eq!(ld.headline.as_deref(), Some("H"));
        assert_eq!(ld.authors, vec!["Jane Doe"]);
    }
}
