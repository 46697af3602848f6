//! `arshif extract FILE...`: the extractor on saved pages, one JSON object per file.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use url::Url;

use super::Exit;
use crate::cli::{ExtractArgs, ExtractFormat};
use crate::config::MAX_BODY_BYTES;
use crate::extract::{self, ExtractOptions};
use crate::fetch::charset::decode_html;
use crate::model::Article;

pub fn run(args: ExtractArgs) -> anyhow::Result<Exit> {
    let page_url = match &args.url {
        Some(u) => Some(crate::urls::parse_user_url(u)?),
        None => None,
    };
    let fetched_at = match &args.fetched_at {
        Some(t) => Some(
            DateTime::parse_from_rfc3339(t.trim())
                .map(|d| d.with_timezone(&Utc))
                .map_err(|e| crate::Error::InvalidSetting {
                    name: "--fetched-at",
                    reason: format!("{t:?} is not an RFC 3339 time: {e}"),
                })?,
        ),
        None => None,
    };
    let site = args.rules.settings();
    let opts = ExtractOptions {
        timezone: site.timezone,
        fetched_at,
        rules: &site.rules,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut all_read = true;
    let mut array = Vec::new();
    for file in &args.files {
        let record = match read_limited(file) {
            Ok(bytes) => {
                let url = page_url.clone().unwrap_or_else(|| file_url(file));
                let (html, _) = decode_html(&bytes, None);
                let article = extract::extract_html(&html, &url, &opts);
                record(file, args.url.as_deref(), &article)
            }
            Err(e) => {
                all_read = false;
                json!({ "file": file.display().to_string(), "error": e })
            }
        };
        match args.format {
            ExtractFormat::Jsonl => {
                serde_json::to_writer(&mut out, &record)?;
                out.write_all(b"\n")?;
            }
            ExtractFormat::Json => array.push(record),
            ExtractFormat::Text => write_text(&mut out, &record)?,
        }
    }
    if args.format == ExtractFormat::Json {
        serde_json::to_writer_pretty(&mut out, &array)?;
        out.write_all(b"\n")?;
    }
    out.flush().context("writing the output")?;
    Ok(if all_read {
        Exit::Success
    } else {
        Exit::Failures
    })
}

/// Reads a file, refusing one larger than the crawler's body limit.
fn read_limited(path: &Path) -> Result<Vec<u8>, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_BODY_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() > MAX_BODY_BYTES {
        return Err(format!(
            "{} is larger than the {} byte limit",
            path.display(),
            MAX_BODY_BYTES
        ));
    }
    Ok(bytes)
}

fn file_url(path: &Path) -> Url {
    std::path::absolute(path)
        .ok()
        .and_then(|p| Url::from_file_path(p).ok())
        .unwrap_or_else(|| Url::parse("file:///").unwrap())
}

fn record(file: &Path, url: Option<&str>, a: &Article) -> Value {
    let time = |t: Option<DateTime<Utc>>| t.map(crate::time::rfc3339);
    json!({
        "file": file.display().to_string(),
        "url": url,
        "canonical_url": a.canonical_url,
        "title": a.title,
        "body": a.body,
        "published_at": time(a.published_at),
        "modified_at": time(a.modified_at),
        "authors": a.authors,
        "language": a.language,
    })
}

fn write_text(out: &mut impl Write, record: &Value) -> std::io::Result<()> {
    let s = |k: &str| record[k].as_str().unwrap_or("").to_string();
    if let Some(e) = record["error"].as_str() {
        return writeln!(out, "== {}\nerror: {e}\n", s("file"));
    }
    writeln!(out, "== {}\n# {}\n\n{}\n", s("file"), s("title"), s("body"))
}
