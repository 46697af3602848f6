//! What a page's JSON-LD says of its article: headline, dates, authors, body, language.

use super::*;

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

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn structured_data_is_found_in_graphs() {
        let html = r#"<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage"},{"@type":"NewsArticle","headline":"H","datePublished":"2026-11-20T10:15:00+01:00","author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Organization","name":"Org"}]}]}</script>"#;
        let ld = structured_data(&Html::parse_document(html));
        assert_eq!(ld.headline.as_deref(), Some("H"));
        assert_eq!(ld.authors, vec!["Jane Doe"]);
    }
}
