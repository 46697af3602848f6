//! Extraction, as a pure function: golden fixtures, the public benchmark pages (when present),
//! and pathological input that must return without blowing up.

mod common;

use std::io::Read;

use arshif::config::SiteRules;
use arshif::extract::{self, ExtractOptions};
use arshif::fetch::charset::decode_html;
use common::*;
use url::Url;

fn extract_file(path: &std::path::Path, url: &str, tz: chrono_tz::Tz) -> arshif::model::Article {
    let rules = SiteRules::default();
    let opts = ExtractOptions {
        timezone: tz,
        fetched_at: None,
        rules: &rules,
    };
    let (html, _) = decode_html(&std::fs::read(path).unwrap(), Some("text/html"));
    extract::extract_html(&html, &Url::parse(url).unwrap(), &opts)
}

#[test]
fn golden_fixtures_every_site_and_edit() {
    for (site, expected_file, dir) in [
        ("ar", "expected/ar.json", "sites/ar"),
        ("fr", "expected/fr.json", "sites/fr"),
        ("en", "expected/en.json", "sites/en"),
        ("ar", "expected/edited/ar.json", "edits/ar"),
        ("fr", "expected/edited/fr.json", "edits/fr"),
    ] {
        let exp: serde_json::Value =
            serde_json::from_slice(&std::fs::read(fixtures().join(expected_file)).unwrap())
                .unwrap();
        let tz: chrono_tz::Tz = timezone(site).parse().unwrap();
        for (path, e) in exp["articles"].as_object().unwrap() {
            let file = fixtures().join(dir).join(&path[1..]);
            if !file.exists() {
                continue;
            }
            let a = extract_file(&file, &format!("http://{site}.arshif.test{path}"), tz);
            assert_eq!(
                a.title.as_deref(),
                e["title"].as_str(),
                "{expected_file} {path}"
            );
            assert_eq!(
                a.body,
                e["body"].as_str().unwrap(),
                "{expected_file} {path}"
            );
            let authors: Vec<&str> = e["authors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(a.authors, authors, "{expected_file} {path}");
            let published = a
                .published_at
                .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            assert_eq!(
                published.as_deref(),
                e["published_at"].as_str(),
                "{expected_file} {path}"
            );
            assert!(
                a.language
                    .as_deref()
                    .unwrap()
                    .starts_with(e["language"].as_str().unwrap()),
                "{path}"
            );
            assert!(a.is_found());
        }
    }
}

#[test]
fn every_benchmark_page_extracts_when_present() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/benchmarks/article-extraction/html");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("benchmark pages not present; skipped");
        return;
    };
    let rules = SiteRules::default();
    let opts = ExtractOptions {
        timezone: chrono_tz::UTC,
        fetched_at: None,
        rules: &rules,
    };
    let url = Url::parse("https://news.example/a.html").unwrap();
    let mut pages = 0;
    let mut with_body = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_end(&mut bytes)
            .unwrap();
        let (html, _) = decode_html(&bytes, None);
        let a = extract::extract_html(&html, &url, &opts);
        pages += 1;
        with_body += usize::from(a.is_found());
    }
    assert_eq!(pages, 181);
    assert!(
        with_body >= 175,
        "only {with_body} of {pages} pages gave an article"
    );
}

const PARA: &str =
    "The council met on Thursday to discuss the budget, which funds schools and roads. ";

fn opts_extract(html: &str) -> arshif::model::Article {
    let rules = SiteRules::default();
    let opts = ExtractOptions {
        timezone: chrono_tz::UTC,
        fetched_at: None,
        rules: &rules,
    };
    extract::extract_html(html, &Url::parse("http://x.example/a").unwrap(), &opts)
}

#[test]
fn hundred_thousand_nested_divs_return() {
    let html = format!(
        "<html><body>{}<p>{}</p>{}</body></html>",
        "<div>".repeat(100_000),
        PARA.repeat(3),
        "</div>".repeat(100_000)
    );
    let a = opts_extract(&html);
    assert!(a.body.contains("council met"));
}

#[test]
fn a_huge_paragraph_and_many_links_return() {
    let html = format!(
        "<html><body><article><h1>Big page here</h1><p>{}</p></article></body></html>",
        PARA.repeat(20_000)
    );
    assert!(opts_extract(&html).body.len() > 1_000_000);
    let html = format!(
        "<html><body><p>{}</p>{}</body></html>",
        PARA.repeat(3),
        "<a href=\"/x\">link</a> ".repeat(100_000)
    );
    assert!(opts_extract(&html).body.contains("council met"));
}

#[test]
fn empty_and_bodiless_pages_return_no_article() {
    for html in [
        "",
        "<html></html>",
        "<html><head><title>x</title></head></html>",
        "\u{feff}",
        "<<<>>>",
    ] {
        assert!(!opts_extract(html).is_found(), "{html:?}");
    }
}
