//! The post-navigation corpus: chains built from real themes' and CMSs' templates
//! (`fixtures/navigation/`, written by its `generate.py`) and chains others built independently
//! from themes the discovery was never tuned on (`fixtures/navigation-unseen/`). Each is crawled
//! over loopback by the real binary: the exact chain must be fetched, in order, once each, and
//! nothing else (a trap followed shows as a request outside the chain).

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// Each chain of a corpus: its name, its site folder and its expected chain.
fn corpus(dir: &str) -> Vec<(String, PathBuf, Vec<String>)> {
    let root = fixtures().join(dir);
    let mut out: Vec<(String, PathBuf, Vec<String>)> = std::fs::read_dir(root.join("expected"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let v: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
            let chain = v["chain"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect();
            (name.clone(), root.join("sites").join(&name), chain)
        })
        .collect();
    out.sort();
    out
}

/// Crawls one chain; returns what went wrong, if anything.
async fn walk(name: &str, site: &Path, chain: &[String]) -> Option<String> {
    let server = serve_dir(site).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let out = crawl(&server.url(&chain[0]), &db, "UTC", &[]).await;
    if code(&out) != 0 {
        return Some(format!("{name}: exit {}: {}", code(&out), stderr(&out)));
    }
    let fetched: Vec<String> = page_requests(&server.requests())
        .iter()
        .map(|r| r.target.clone())
        .collect();
    if fetched != chain {
        return Some(format!(
            "{name}: walked {fetched:#?}\n  expected {chain:#?}"
        ));
    }
    let archived = export(&db).await.len();
    (archived != chain.len()).then(|| {
        format!(
            "{name}: {archived} articles archived of {} pages",
            chain.len()
        )
    })
}

async fn walk_all(dir: &str, at_least: usize) {
    let chains = corpus(dir);
    assert!(
        chains.len() >= at_least,
        "{dir}: {} chains, expected at least {at_least}",
        chains.len()
    );
    let mut failures = Vec::new();
    for (name, site, chain) in &chains {
        if let Some(f) = walk(name, site, chain).await {
            failures.push(f);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} chains not walked exactly:\n{}",
        failures.len(),
        chains.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn theme_chains_are_walked_exactly_without_traps() {
    walk_all("navigation", 16).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_log_says_how_each_link_was_found_and_what_was_refused() {
    let (_, site, chain) = corpus("navigation")
        .into_iter()
        .find(|(n, _, _)| n == "drupal-book-en")
        .unwrap();
    let server = serve_dir(&site).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let out = crawl(&server.url(&chain[0]), &db, "UTC", &["-v"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let log = stderr(&out);
    assert!(log.contains("via=rel-next"), "{log}");
    assert!(
        log.contains("next=\"none\"") || log.contains("next=none"),
        "{log}"
    );
    assert!(
        !log.contains("next link refused"),
        "-v leaves refusals to -vv"
    );
    let out = crawl(&server.url(&chain[0]), &db, "UTC", &["-vv"]).await;
    let log = stderr(&out);
    assert!(
        log.contains("next link refused") && log.contains("another page of the same document"),
        "{log}"
    );
}
#[tokio::test(flavor = "multi_thread")]
async fn chains_built_by_others_are_walked_exactly() {
    walk_all("navigation-unseen", 4).await;
}
