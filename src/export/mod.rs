//! Serializers of stored versions to `impl Write`: JSON Lines and CSV with the same columns,
//! and WARC ([`warc`]).
//!
//! The JSON Lines keys are a public contract: keys may be added, never removed or renamed.

pub mod warc;
mod warc_export;

pub use warc_export::WarcExport;

use std::io::Write;

use serde_json::{Value, json};

use crate::store::{Tombstone, VersionRow};

/// The columns, in order (CSV header and JSON key order).
pub const COLUMNS: &[&str] = &[
    "url",
    "canonical_url",
    "version",
    "fetched_at",
    "title",
    "body",
    "published_at",
    "modified_at",
    "authors",
    "language",
    "content_hash",
    "fetched_url",
    "host",
    "extractor_version",
    "redacted_at",
    "redaction_reason",
];

/// One version as a JSON object.
pub fn to_json(row: &VersionRow) -> Value {
    json!({
        "url": row.article_url,
        "canonical_url": row.canonical_url,
        "version": row.version,
        "fetched_at": row.fetched_at,
        "title": row.title,
        "body": row.body,
        "published_at": row.published_at,
        "modified_at": row.modified_at,
        "authors": row.authors,
        "language": row.language,
        "content_hash": row.content_hash,
        "fetched_url": row.fetched_url,
        "host": row.host,
        "extractor_version": row.extractor_version,
        "redacted_at": null,
        "redaction_reason": null,
    })
}

/// A takedown's tombstone as a record of the same shape: the URL, when and why; no text.
pub fn tombstone_json(t: &Tombstone) -> Value {
    let mut v = serde_json::Map::new();
    for c in COLUMNS {
        v.insert(c.to_string(), Value::Null);
    }
    v.insert("url".into(), t.url.clone().into());
    v.insert("host".into(), t.host.clone().into());
    v.insert("authors".into(), Value::Array(Vec::new()));
    v.insert("redacted_at".into(), t.redacted_at.clone().into());
    v.insert("redaction_reason".into(), t.reason.clone().into());
    Value::Object(v)
}

/// Writes one JSON Lines record.
pub fn write_jsonl(out: &mut impl Write, record: &Value) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, record)?;
    out.write_all(b"\n")
}

/// Writes the CSV header.
pub fn write_csv_header(out: &mut impl Write) -> std::io::Result<()> {
    write!(out, "{}\r\n", COLUMNS.join(","))
}

/// Writes one CSV record (RFC 4180 quoting; `authors` as a JSON array; nulls empty).
pub fn write_csv(out: &mut impl Write, value: &Value) -> std::io::Result<()> {
    let fields: Vec<String> = COLUMNS
        .iter()
        .map(|c| match &value[*c] {
            Value::Null => String::new(),
            Value::String(s) => csv_field(s),
            other => csv_field(&other.to_string()),
        })
        .collect();
    out.write_all(fields.join(",").as_bytes())?;
    out.write_all(b"\r\n")
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> VersionRow {
        VersionRow {
            article_url: "http://a.example/x".into(),
            host: "a.example:80".into(),
            version: 1,
            fetched_at: "2026-11-20T09:15:00.000Z".into(),
            fetched_url: "http://a.example/x".into(),
            canonical_url: None,
            title: Some("عنوان, \"مقتبس\"".into()),
            body: "a\n\nb".into(),
            published_at: None,
            modified_at: None,
            authors: vec!["سعيد".into()],
            language: Some("ar".into()),
            content_hash: "h".into(),
            extractor_version: "e".into(),
        }
    }

    #[test]
    fn jsonl_has_the_contract_keys() {
        let mut out = Vec::new();
        write_jsonl(&mut out, &to_json(&row())).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        for k in [
            "url",
            "canonical_url",
            "version",
            "fetched_at",
            "title",
            "body",
            "published_at",
            "authors",
            "language",
            "content_hash",
        ] {
            assert!(v.get(k).is_some(), "missing {k}");
        }
        assert_eq!(v["authors"][0], "سعيد");
        assert!(out.ends_with(b"\n") && out.iter().filter(|b| **b == b'\n').count() == 1);
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let mut out = Vec::new();
        write_csv(&mut out, &to_json(&row())).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("\"عنوان, \"\"مقتبس\"\"\""));
        assert!(s.contains("\"a\n\nb\""));
        assert!(s.contains("\"[\"\"سعيد\"\"]\""));
    }
}
