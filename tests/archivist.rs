//! The archivist's side, on a real archive of the Arabic fixture site with one real edit:
//! list, show, diff, search (with and without hamza and harakat), WARC read back with its
//! digests checked, takedowns, and bad input.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};

use arshif::fixture_server::FixtureServer;
use common::*;
use data_encoding::BASE32;
use serde_json::Value;
use sha1::{Digest, Sha1};

/// The edited article of the Arabic fixtures: version 1 says «اعلنت», version 2 «أعلنت» and
/// gains a sentence.
const EDITED: &str = "/societe/alerte-meteo-pluies-orageuses-neige-1188.html";
const ADDED_SENTENCE: &str = "بمرتفعات إفران وميدلت";

struct Archive {
    _dir: tempfile::TempDir,
    db: PathBuf,
    server: FixtureServer,
    chain: Vec<String>,
}

impl Archive {
    fn d(&self) -> &str {
        self.db.to_str().unwrap()
    }

    fn edited(&self) -> String {
        self.server.url(EDITED)
    }

    async fn run(&self, list: &[&str]) -> std::process::Output {
        let mut a = args(list);
        a.push("--db".into());
        a.push(self.d().into());
        arshif(a).await
    }

    async fn json(&self, list: &[&str]) -> Value {
        let mut l = list.to_vec();
        l.extend(["--format", "json"]);
        let out = self.run(&l).await;
        assert_eq!(code(&out), 0, "{list:?}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    async fn crawl(&self) {
        let out = crawl(
            &self.server.url(&self.chain[0]),
            &self.db,
            timezone("ar"),
            &[],
        )
        .await;
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
}

/// Crawls the Arabic chain, then again after the edits (and once more unchanged, for 304s).
async fn archive() -> Archive {
    let dir = tempfile::tempdir().unwrap();
    let a = Archive {
        db: dir.path().join("a.db"),
        _dir: dir,
        server: serve_site("ar").await,
        chain: chain("ar"),
    };
    a.crawl().await;
    a.server.set_overlay(Some(fixtures().join("edits/ar")));
    a.crawl().await;
    a.crawl().await;
    a
}

#[tokio::test(flavor = "multi_thread")]
async fn list_shows_counts_changes_and_filters() {
    let a = archive().await;
    let all = a.json(&["list"]).await;
    assert_eq!(all.as_array().unwrap().len(), a.chain.len());
    let changed = a.json(&["list", "--changed"]).await;
    let changed = changed.as_array().unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(path_of(changed[0]["url"].as_str().unwrap()), EDITED);
    assert_eq!(changed[0]["versions"], 2);
    assert!(changed[0]["last_change_at"].is_string());
    // Changes since a time: the edit counts from just before it, not from just after.
    let at = changed[0]["last_change_at"].as_str().unwrap().to_string();
    let since = chrono::DateTime::parse_from_rfc3339(&at).unwrap() - chrono::Duration::seconds(1);
    let since = since.to_rfc3339();
    let recent = a.json(&["list", "--changed", "--since", &since]).await;
    assert_eq!(recent.as_array().unwrap().len(), 1);
    let later = chrono::DateTime::parse_from_rfc3339(&at).unwrap() + chrono::Duration::seconds(2);
    let none = a
        .json(&["list", "--changed", "--since", &later.to_rfc3339()])
        .await;
    assert_eq!(none.as_array().unwrap().len(), 0);

    let host = url::Url::parse(&a.edited()).unwrap();
    let site = format!("{}:{}", host.host_str().unwrap(), host.port().unwrap());
    assert_eq!(
        a.json(&["list", "--site", &site])
            .await
            .as_array()
            .unwrap()
            .len(),
        a.chain.len()
    );
    assert!(
        a.json(&["list", "--site", "elsewhere.example"])
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        a.json(&["list", "--since", "2999-01-01"])
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        a.json(&["list", "--since", "2000-01-01T00:00:00+01:00"])
            .await
            .as_array()
            .unwrap()
            .len(),
        a.chain.len()
    );
    let text = a.run(&["list"]).await;
    assert!(String::from_utf8_lossy(&text.stdout).contains("2 versions"));
}

/// Archives written by earlier builds hold whole seconds as `…:00Z`, which sorts after every
/// fraction of its second: a bound with a fraction must still leave such a row out.
#[tokio::test(flavor = "multi_thread")]
async fn since_with_a_fraction_reads_whole_second_rows_as_their_time() {
    let a = archive().await;
    let db = rusqlite::Connection::open(&a.db).unwrap();
    let ids: Vec<i64> = db
        .prepare("SELECT id FROM articles ORDER BY id LIMIT 2")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (id, seen) in ids
        .iter()
        .zip(["2999-01-01T00:00:00Z", "2999-01-01T00:00:00.600Z"])
    {
        db.execute(
            "UPDATE articles SET last_seen_at = ?1 WHERE id = ?2",
            (seen, id),
        )
        .unwrap();
    }
    drop(db);
    let listed = a.json(&["list", "--since", "2999-01-01T00:00:00.5Z"]).await;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["last_seen_at"], "2999-01-01T00:00:00.600Z");
}

#[tokio::test(flavor = "multi_thread")]
async fn show_gives_the_text_of_each_version_and_at_a_time() {
    let a = archive().await;
    let url = a.edited();
    let v1 = a.json(&["show", &url, "--version", "1"]).await;
    let v2 = a.json(&["show", &url]).await;
    assert_eq!(v2["version"], 2);
    assert!(v1["body"].as_str().unwrap().starts_with("اعلنت"));
    assert!(v2["body"].as_str().unwrap().starts_with("أعلنت"));
    assert!(!v1["body"].as_str().unwrap().contains(ADDED_SENTENCE));

    // At the moment version 1 was fetched, and just before version 2, version 1 stood.
    let at = v1["fetched_at"].as_str().unwrap();
    assert_eq!(a.json(&["show", &url, "--at", at]).await["version"], 1);
    assert_eq!(
        a.json(&["show", &url, "--at", "2999-01-01"]).await["version"],
        2
    );

    let text = a.run(&["show", &url, "--version", "2"]).await;
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains(ADDED_SENTENCE) && text.contains("نشرة إنذارية"));

    for bad in [
        vec!["show", url.as_str(), "--version", "9"],
        vec!["show", url.as_str(), "--at", "2000-01-01"],
        vec!["show", url.as_str(), "--at", "yesterday"],
        vec!["show", "http://nowhere.example/x"],
        vec!["show", "not a url"],
    ] {
        let out = a.run(&bad).await;
        assert_eq!(code(&out), 3, "{bad:?}: {}", stderr(&out));
        assert_eq!(
            stderr(&out).trim().lines().count(),
            1,
            "{bad:?}: {}",
            stderr(&out)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn diff_works_word_by_word_on_arabic() {
    let a = archive().await;
    let url = a.edited();
    let d = a.json(&["diff", &url]).await;
    assert_eq!(
        (d["from"]["version"].as_i64(), d["to"]["version"].as_i64()),
        (Some(1), Some(2))
    );
    let ops = |op: &str| -> Vec<String> {
        d["body"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["op"] == op)
            .map(|c| c["text"].as_str().unwrap().to_string())
            .collect()
    };
    // The hamza edit is one whole word replaced, never a lone combining mark or a byte.
    assert_eq!(ops("delete"), vec!["اعلنت".to_string()]);
    assert_eq!(ops("insert")[0], "أعلنت");
    assert!(ops("insert")[1].contains(ADDED_SENTENCE));
    assert_eq!(d["title_changed"], false);

    // Piped: plain markers; forced colour: escapes.
    let plain = String::from_utf8(a.run(&["diff", &url]).await.stdout).unwrap();
    assert!(plain.contains("[-اعلنت-]{+أعلنت+}"), "{plain}");
    assert!(!plain.contains('\x1b'));
    let color =
        String::from_utf8(a.run(&["diff", &url, "--color", "always"]).await.stdout).unwrap();
    assert!(color.contains("\x1b[32;4mأعلنت\x1b[0m"));

    // Only one version: nothing to compare is a usage error.
    let other = a.server.url(&a.chain[0]);
    assert_eq!(code(&a.run(&["diff", &other]).await), 3);
    assert_eq!(code(&a.run(&["diff", &url, "--from", "7"]).await), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn search_ignores_hamza_and_harakat_both_ways() {
    let a = archive().await;
    let urls = |v: &Value| -> Vec<(String, i64)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    path_of(h["url"].as_str().unwrap()),
                    h["version"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    // Without hamza, the latest version (written with it) is found, quoted as written.
    let hits = a.json(&["search", "اعلنت"]).await;
    assert_eq!(urls(&hits), vec![(EDITED.to_string(), 2)]);
    let snippet = hits[0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("أعلنت"), "{snippet}");
    // With hamza, every version is found (version 1 was written without it).
    let hits = a.json(&["search", "أعلنت", "--all-versions"]).await;
    assert_eq!(
        urls(&hits)
            .into_iter()
            .map(|(_, v)| v)
            .collect::<std::collections::BTreeSet<_>>(),
        [1, 2].into()
    );
    // Harakat in the text («يُبقي»), none in the query; and the reverse.
    let hits = a.json(&["search", "يبقي سعر"]).await;
    assert_eq!(hits.as_array().unwrap().len(), 1, "{hits:#}");
    assert!(hits[0]["title"].as_str().unwrap().contains("يُبقي"));
    // («يبقى» elsewhere matches too: alef maqsura folds to ya.)
    let hits = a.json(&["search", "يُبْقِي"]).await;
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .any(|h| h["title"].as_str().unwrap().contains("يُبقي")),
        "{hits:#}"
    );
    // Ta marbuta and alef maqsura fold too; a phrase must be adjacent.
    assert_eq!(
        a.json(&["search", "نشره انذاريه"])
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        a.json(&["search", "\"انذاريه نشره\""])
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Words added by the edit are only in version 2; filters apply.
    assert_eq!(
        urls(&a.json(&["search", "ميدلت", "--all-versions"]).await),
        vec![(EDITED.to_string(), 2)]
    );
    assert!(
        a.json(&["search", "ميدلت", "--site", "elsewhere.example"])
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        a.json(&["search", "ميدلت", "--since", "2999-01-01"])
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );

    let text = String::from_utf8(a.run(&["search", "ميدلت"]).await.stdout).unwrap();
    // The whole word is marked, its conjunction included, as written.
    assert!(text.contains("[وميدلت]"), "{text}");
    for bad in [&["search", ""][..], &["search", " ، - "][..]] {
        let out = a.run(bad).await;
        assert_eq!(code(&out), 3, "{}", stderr(&out));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_index_is_in_sync_and_readable_with_raw_sql() {
    let a = archive().await;
    let conn = sql(&a.db);
    let count = |q: &str| -> i64 { conn.query_row(q, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        count("SELECT count(*) FROM search_index"),
        count("SELECT count(*) FROM versions")
    );
    // Raw SQL users fold their query the way the README says: «اعلنت» for «أعلنت».
    let folded = arshif::search::fold("أعلنت");
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM search_index WHERE search_index MATCH ?1",
            [&folded],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 2);
    // The views answer the common questions.
    let (url, added): (String, i64) = conn
        .query_row("SELECT url, chars_added FROM article_changes", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(path_of(&url), EDITED);
    assert!(
        added
            >= ADDED_SENTENCE
                .chars()
                .filter(|c| !c.is_whitespace())
                .count() as i64
    );
    assert_eq!(
        count("SELECT count(*) FROM latest_versions"),
        a.chain.len() as i64
    );
    assert!(count("SELECT count(*) FROM fetch_log WHERE outcome = 'not_modified'") > 0);
    drop(conn);

    assert_eq!(code(&a.run(&["reindex"]).await), 0);
    let conn = sql(&a.db);
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM search_index WHERE search_index MATCH ?1",
            [&folded],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 2, "reindex rebuilds the same index");
    assert_intact(&a.db);
}

/// Reads every record of a gzip-per-record WARC with the `warc` crate: (headers by their
/// canonical names, body).
fn read_warc(path: &Path) -> Vec<(std::collections::HashMap<String, String>, Vec<u8>)> {
    let reader = warc::WarcReader::from_path_gzip(path).unwrap();
    reader
        .iter_raw_records()
        .map(|r| {
            let (header, body) = r.expect("a well-formed record");
            let headers = header
                .headers
                .iter()
                .map(|(k, v)| {
                    (
                        canonical(&k.to_string()),
                        String::from_utf8_lossy(v).into_owned(),
                    )
                })
                .collect();
            (headers, body)
        })
        .collect()
}

/// `warc-refers-to-date` -> `WARC-Refers-To-Date`.
fn canonical(name: &str) -> String {
    name.split('-')
        .map(|p| match p.to_ascii_lowercase().as_str() {
            "warc" => "WARC".to_string(),
            "id" => "ID".to_string(),
            "uri" => "URI".to_string(),
            w => {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn sha1_b32(bytes: &[u8]) -> String {
    format!("sha1:{}", BASE32.encode(&Sha1::digest(bytes)))
}

#[tokio::test(flavor = "multi_thread")]
async fn warc_export_reads_back_with_valid_digests() {
    let a = archive().await;
    let dir = tempfile::tempdir().unwrap();
    let warc_path = dir.path().join("a.warc.gz");
    let cdx_path = dir.path().join("a.cdxj");
    let out = a
        .run(&[
            "export",
            "--format",
            "warc",
            "--output",
            warc_path.to_str().unwrap(),
            "--cdx",
            cdx_path.to_str().unwrap(),
        ])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let records = read_warc(&warc_path);
    let kind = |h: &std::collections::HashMap<String, String>| h["WARC-Type"].clone();
    assert_eq!(kind(&records[0].0), "warcinfo");

    let captures: i64 = sql(&a.db)
        .query_row("SELECT count(*) FROM captures", [], |r| r.get(0))
        .unwrap();
    let not_modified = fetches_with_outcome(&a.db, "not_modified");
    let count = |k: &str| records.iter().filter(|(h, _)| kind(h) == k).count() as i64;
    assert_eq!(count("response"), captures);
    assert_eq!(count("request"), captures);
    assert!(count("revisit") >= not_modified && not_modified > 0);

    let mut response_ids = std::collections::HashSet::new();
    let mut revisit_ids = std::collections::HashSet::new();
    let mut server_said = 0;
    let mut capture_ids = std::collections::HashSet::new();
    let mut robots = 0;
    let mut tied = std::collections::HashSet::new();
    let mut texts = Vec::new();
    for (h, body) in &records {
        assert_eq!(
            h["WARC-Block-Digest"],
            sha1_b32(body),
            "block digest of {h:?}"
        );
        assert_eq!(h["Content-Length"].parse::<usize>().unwrap(), body.len());
        match kind(h).as_str() {
            "response" => {
                let split = body.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                let (head, payload) = body.split_at(split);
                assert_eq!(h["WARC-Payload-Digest"], sha1_b32(payload));
                let head = String::from_utf8_lossy(head);
                assert!(head.starts_with("HTTP/1.1 200 OK\r\n"));
                assert!(head.contains(&format!("Content-Length: {}\r\n", payload.len())));
                assert!(!head.to_ascii_lowercase().contains("\r\ncontent-encoding:"));
                response_ids.insert(h["WARC-Record-ID"].clone());
                if h["WARC-Target-URI"].ends_with("/robots.txt") {
                    // What the crawl obeyed, kept: it belongs to no article.
                    robots += 1;
                } else {
                    capture_ids.insert(h["WARC-Record-ID"].clone());
                }
            }
            "request" => {
                assert!(String::from_utf8_lossy(body).starts_with("GET /"));
                assert!(String::from_utf8_lossy(body).contains("User-Agent: arshif/"));
                assert!(response_ids.contains(&h["WARC-Concurrent-To"]));
            }
            "revisit" => {
                assert!(h["WARC-Profile"].contains("/revisit/"));
                assert!(
                    response_ids.contains(&h["WARC-Refers-To"]),
                    "refers to a written response"
                );
                assert!(h.contains_key("WARC-Refers-To-Date"));
                if !h["WARC-Target-URI"].ends_with("/robots.txt") {
                    capture_ids.insert(h["WARC-Record-ID"].clone());
                }
                if h["WARC-Profile"].ends_with("/server-not-modified") {
                    // Empty, so that replay serves the response it refers to (pywb serves a
                    // revisit's own HTTP head when it has one: a blank 304).
                    assert!(body.is_empty(), "{h:?}");
                    assert!(h.contains_key("WARC-Payload-Digest"));
                    revisit_ids.insert(h["WARC-Record-ID"].clone());
                }
            }
            "metadata" if String::from_utf8_lossy(body).starts_with("http-status: ") => {
                // What the server said, beside the empty revisit.
                assert!(revisit_ids.contains(&h["WARC-Concurrent-To"]), "{h:?}");
                assert!(
                    String::from_utf8_lossy(body).starts_with("http-status: 304 Not Modified\r\n")
                );
                server_said += 1;
            }
            "metadata" if String::from_utf8_lossy(body).starts_with("arshif-article: ") => {
                // The article and version a capture belongs to, and the text it gave, beside it.
                assert!(capture_ids.contains(&h["WARC-Concurrent-To"]), "{h:?}");
                assert_eq!(h["Content-Type"], "application/warc-fields");
                tied.insert(h["WARC-Concurrent-To"].clone());
                let text = String::from_utf8(body.clone()).unwrap();
                if text.contains("arshif-version: ") {
                    let body_lines: Vec<&str> = text
                        .split("\r\n")
                        .filter_map(|l| l.strip_prefix("arshif-body: "))
                        .collect();
                    texts.push(body_lines.join("\n"));
                }
            }
            _ => {}
        }
    }
    assert_eq!(server_said, revisit_ids.len());
    assert!(server_said as i64 >= not_modified);
    // Every version travels as text beside the response it was extracted from.
    let versions: i64 = sql(&a.db)
        .query_row("SELECT count(*) FROM versions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(texts.len() as i64, versions);
    let bodies: Vec<String> = sql(&a.db)
        .prepare("SELECT body FROM versions")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for b in &bodies {
        assert!(texts.contains(b), "{b}");
    }
    // Every response and revisit of an article is tied to it; robots.txt answers are there.
    assert_eq!(tied, capture_ids);
    assert!(robots > 0);
    // The edited article has two different payloads: two responses.
    let edited = a.edited();
    let responses_of_edited = records
        .iter()
        .filter(|(h, _)| kind(h) == "response" && h["WARC-Target-URI"] == edited)
        .count();
    assert_eq!(responses_of_edited, 2);

    // CDXJ: sorted, and each offset starts the record it names.
    let cdx = std::fs::read_to_string(&cdx_path).unwrap();
    let lines: Vec<&str> = cdx.lines().collect();
    assert_eq!(lines.len() as i64, count("response") + count("revisit"));
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
    // Key and timestamp (to the millisecond) name one record each, even for fetches of one URL
    // in the same second.
    let keys: std::collections::HashSet<(&str, &str)> = lines
        .iter()
        .map(|l| {
            let mut parts = l.splitn(3, ' ');
            (parts.next().unwrap(), parts.next().unwrap())
        })
        .collect();
    assert_eq!(keys.len(), lines.len());
    assert!(keys.iter().all(|(_, ts)| ts.len() == 17));
    let bytes = std::fs::read(&warc_path).unwrap();
    for line in lines {
        let json: Value = serde_json::from_str(line.splitn(3, ' ').nth(2).unwrap()).unwrap();
        let offset: usize = json["offset"].as_str().unwrap().parse().unwrap();
        let length: usize = json["length"].as_str().unwrap().parse().unwrap();
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(&bytes[offset..offset + length])
            .read_to_end(&mut raw)
            .unwrap();
        let text = String::from_utf8_lossy(&raw);
        assert!(text.starts_with("WARC/1.1\r\n"));
        assert!(text.contains(&format!(
            "WARC-Target-URI: {}\r\n",
            json["url"].as_str().unwrap()
        )));
    }
}

/// Distinctive pieces of every paragraph of every version of an article (first six words).
async fn phrases_of(a: &Archive, url: &str) -> Vec<String> {
    let mut out = Vec::new();
    for v in ["1", "2"] {
        let version = a.json(&["show", url, "--version", v]).await;
        for p in version["body"].as_str().unwrap().split("\n\n") {
            let words: Vec<&str> = p.split_whitespace().take(6).collect();
            if words.len() == 6 {
                out.push(words.join(" "));
            }
        }
    }
    out
}

fn lingering(db: &Path, phrases: &[String]) -> Vec<String> {
    let bytes = std::fs::read(db).unwrap();
    phrases
        .iter()
        .filter(|p| bytes.windows(p.len()).any(|w| w == p.as_bytes()))
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn redact_removes_the_text_keeps_a_tombstone_and_is_never_rearchived() {
    let a = archive().await;
    let url = a.edited();
    let phrases = phrases_of(&a, &url).await;
    assert!(phrases.len() >= 8);
    assert!(!lingering(&a.db, &phrases).is_empty(), "the check can fail");
    let out = a
        .run(&["redact", &url, "--reason", "court order\n2026/117"])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        lingering(&a.db, &phrases),
        Vec::<String>::new(),
        "the text lingers in the file"
    );
    let before = std::fs::read(&a.db).unwrap();
    let runs_before: i64 = sql(&a.db)
        .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        code(&a.run(&["redact", &url, "--reason", "again"]).await),
        3,
        "already redacted"
    );
    assert_eq!(
        std::fs::read(&a.db).unwrap(),
        before,
        "a refused redact writes nothing"
    );
    let runs_after: i64 = sql(&a.db)
        .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs_before, runs_after);

    // Exports show a tombstone in place of the versions.
    let rows = export(&a.db).await;
    let of_edited: Vec<&Value> = rows.iter().filter(|r| r["url"] == url).collect();
    assert_eq!(of_edited.len(), 1);
    assert_eq!(
        of_edited[0]["redaction_reason"], "court order 2026/117",
        "one line"
    );
    assert!(of_edited[0]["body"].is_null() && of_edited[0]["redacted_at"].is_string());
    assert_eq!(
        rows.len(),
        a.chain.len(),
        "the other articles are untouched"
    );
    let listed = a.json(&["list"]).await;
    let entry = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["url"] == url)
        .unwrap()
        .clone();
    assert_eq!(entry["versions"], 0);
    assert!(entry["redacted_at"].is_string());
    let text = a.run(&["list"]).await;
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(&format!("{url}\n  REDACTED ")) && text.contains(": court order 2026/117\n"),
        "{text}"
    );
    let history = a.json(&["history", &url]).await;
    assert_eq!(history["redactions"][0]["action"], "redact");
    assert!(
        a.json(&["search", "ميدلت", "--all-versions"])
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(code(&a.run(&["show", &url]).await), 3);

    let conn = sql(&a.db);
    let digests: i64 = conn
        .query_row(
            "SELECT count(*) FROM fetches f JOIN articles a ON a.id = f.article_id
             WHERE a.url = ?1 AND (f.capture_digest IS NOT NULL OR f.payload_digest IS NOT NULL)",
            [&url],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(digests, 0);
    drop(conn);

    // A later crawl walks through the page (the chain goes on) but keeps nothing of it.
    let versions_before = export(&a.db).await.len();
    a.crawl().await;
    assert_eq!(export(&a.db).await.len(), versions_before);
    assert_eq!(fetches_with_outcome(&a.db, "redacted"), 1);
    let last_of_chain = a.server.url(a.chain.last().unwrap());
    let seen: i64 = sql(&a.db)
        .query_row(
            "SELECT count(*) FROM fetches WHERE url = ?1",
            [&last_of_chain],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(seen, 4, "the chain was walked past the redacted article");
    assert_intact(&a.db);

    // Unredact: archived again from what the page says now.
    assert_eq!(
        code(&a.run(&["unredact", &url, "--reason", "order lifted"]).await),
        0
    );
    a.crawl().await;
    let again = a.json(&["show", &url]).await;
    assert!(again["body"].as_str().unwrap().contains(ADDED_SENTENCE));
    let history = a.json(&["history", &url]).await;
    assert_eq!(history["redactions"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn diff_keeps_harakat_with_their_letters() {
    // A page first published with full vowel marks, later stripped of them (and one word
    // changed): the diff replaces whole words, and search finds both versions either way.
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("a")).unwrap();
    let page = |body: &[&str]| {
        article_page("خبرٌ عاجلٌ من الرباط", body, None).replace("lang=\"en\"", "lang=\"ar\"")
    };
    let vowelled = [
        "كَتَبَ الطَّالِبُ الدَّرْسَ فِي المَدْرَسَةِ صَبَاحَ اليَوْمِ، ثُمَّ عَادَ إِلَى بَيْتِهِ مَسَاءً.",
        "وَقَالَ المُعَلِّمُ إِنَّ النَّتَائِجَ سَتُعْلَنُ غَداً فِي قَاعَةِ الاجْتِمَاعَاتِ الكُبْرَى.",
    ];
    let bare = [
        "كتب الطالب الدرس في المدرسة صباح اليوم، ثم عاد إلى بيته مساء.",
        "وقال المعلم إن النتائج ستعلن بعد غد في قاعة الاجتماعات الكبرى.",
    ];
    std::fs::write(site.join("a/1.html"), page(&vowelled)).unwrap();
    let server = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    let d = db.to_str().unwrap();
    let url = server.url("/a/1.html");
    assert_eq!(code(&crawl(&url, &db, "UTC", &[]).await), 0);
    std::fs::write(site.join("a/1.html"), page(&bare)).unwrap();
    assert_eq!(code(&crawl(&url, &db, "UTC", &[]).await), 0);

    let out = arshif(args(&["diff", &url, "--db", d, "--format", "json"])).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let diff: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ops: Vec<(String, String)> = diff["body"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["op"] != "equal")
        .map(|c| {
            (
                c["op"].as_str().unwrap().to_string(),
                c["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (_, text) in &ops {
        // No run of changed text starts with a combining mark: marks stay with their letters.
        let first = text.chars().next().unwrap();
        assert!(
            !('\u{064B}'..='\u{0652}').contains(&first),
            "a lone haraka in {ops:?}"
        );
    }
    assert!(ops.contains(&("delete".into(), "كَتَبَ".into())), "{ops:?}");
    assert!(
        ops.iter()
            .any(|(op, t)| op == "insert" && t.contains("بعد")),
        "{ops:?}"
    );

    // Search without harakat finds the vowelled version, with harakat the bare one.
    for (query, want) in [("الطالب الدرس", 1), ("الطَّالِبُ", 2)] {
        let out = arshif(args(&[
            "search",
            query,
            "--all-versions",
            "--db",
            d,
            "--format",
            "json",
        ]))
        .await;
        let hits: Value = serde_json::from_slice(&out.stdout).unwrap();
        let versions: Vec<i64> = hits
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["version"].as_i64().unwrap())
            .collect();
        assert!(versions.contains(&want), "{query}: {versions:?}");
        assert_eq!(versions.len(), 2, "{query}: both versions match");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_filter_by_site_and_date() {
    let a = archive().await;
    let count = |out: std::process::Output| {
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        String::from_utf8(out.stdout).unwrap().lines().count()
    };
    let host = url::Url::parse(&a.edited())
        .unwrap()
        .host_str()
        .unwrap()
        .to_string();
    let all = count(a.run(&["export"]).await);
    assert_eq!(all, a.chain.len() + 1);
    assert_eq!(count(a.run(&["export", "--site", &host]).await), all);
    assert_eq!(
        count(a.run(&["export", "--site", "elsewhere.example"]).await),
        0
    );
    assert_eq!(count(a.run(&["export", "--since", "2999-01-01"]).await), 0);
    // Since the moment version 2 was fetched: only version 2.
    let v2 = a.json(&["show", &a.edited()]).await;
    let since = v2["fetched_at"].as_str().unwrap();
    let out = a.run(&["export", "--since", since]).await;
    let rows: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["version"], 2);
    let csv = count(
        a.run(&["export", "--format", "csv", "--site", "elsewhere.example"])
            .await,
    );
    assert_eq!(csv, 1, "the header only");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_holding_the_file_delays_the_erasure_and_says_so() {
    let a = archive().await;
    let url = a.edited();
    let phrases = phrases_of(&a, &url).await;
    let reader = sql(&a.db);
    reader.execute_batch("BEGIN").unwrap();
    let _: i64 = reader
        .query_row("SELECT count(*) FROM versions", [], |r| r.get(0))
        .unwrap();
    let out = a.run(&["redact", &url, "--reason", "takedown"]).await;
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains("reindex"), "{}", stderr(&out));
    assert!(
        a.json(&["list"])
            .await
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["url"] == url && r["redacted_at"].is_string())
    );
    drop(reader);
    assert_eq!(code(&a.run(&["reindex"]).await), 0);
    assert_eq!(lingering(&a.db, &phrases), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn export_files_follow_links_and_devices() {
    let a = archive().await;
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.jsonl");
    let link = dir.path().join("link.jsonl");
    std::fs::write(&real, "").unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    assert_eq!(
        code(&a.run(&["export", "-o", link.to_str().unwrap()]).await),
        0
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link stays"
    );
    assert_eq!(
        std::fs::read_to_string(&real).unwrap().lines().count(),
        a.chain.len() + 1
    );
    let out = a.run(&["export", "-o", "/dev/stdout"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        a.chain.len() + 1
    );
    assert!(
        std::fs::symlink_metadata("/dev/stdout")
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let same = dir.path().join("same.warc.gz");
    let s = same.to_str().unwrap();
    assert_eq!(
        code(
            &a.run(&["export", "--format", "warc", "-o", s, "--cdx", s])
                .await
        ),
        3
    );
    let missing = dir.path().join("no/such/dir/x.jsonl");
    assert_eq!(
        code(&a.run(&["export", "-o", missing.to_str().unwrap()]).await),
        3
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn read_commands_refuse_bad_databases_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "not a database").unwrap();
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, "").unwrap();
    let u = "http://127.0.0.1:9/a";
    for db in [&missing, &text, &empty] {
        let d = db.to_str().unwrap();
        for cmd in [
            vec!["list", "--db", d],
            vec!["show", u, "--db", d],
            vec!["diff", u, "--db", d],
            vec!["search", "word", "--db", d],
            vec!["history", u, "--db", d],
            vec!["export", "--format", "warc", "--db", d],
            vec!["reindex", "--db", d],
            vec!["redact", u, "--reason", "x", "--db", d],
        ] {
            let out = arshif(args(&cmd)).await;
            assert_eq!(code(&out), 3, "{cmd:?}: {}", stderr(&out));
            assert_eq!(
                stderr(&out).trim().lines().count(),
                1,
                "{cmd:?}: {}",
                stderr(&out)
            );
        }
    }
    assert!(
        !missing.exists(),
        "nothing creates a database it was asked to read"
    );
    assert_eq!(std::fs::read_to_string(&text).unwrap(), "not a database");
    assert_eq!(
        std::fs::read(&empty).unwrap().len(),
        0,
        "an empty file stays empty"
    );
    let out = arshif(args(&[
        "export",
        "--format",
        "jsonl",
        "--cdx",
        "x.cdxj",
        "--output",
        "y",
        "--db",
        text.to_str().unwrap(),
    ]))
    .await;
    assert_eq!(code(&out), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_example_archive_opens_with_this_build() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("example.db");
    std::fs::copy(fixtures().join("../archive.db.example"), &db).unwrap();
    let d = db.to_str().unwrap();
    let out = arshif(args(&["list", "--db", d, "--changed", "--format", "json"])).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let changed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        changed.as_array().unwrap().iter().any(|a| a["url"]
            .as_str()
            .unwrap()
            .starts_with("http://ar.")
            && a["versions"] == 2),
        "an Arabic article with two versions"
    );
    let out = arshif(args(&["search", "الامن الوطني", "--db", d])).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let tombstones: i64 = sql(&db)
        .query_row("SELECT count(*) FROM redacted_articles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tombstones, 1);
}

/// Every stored capture, decompressed the way the README tells an archivist to (with the
/// dictionary it names, if any): (fetched URL path, bytes, whether a dictionary was used).
fn captures_by_hand(db: &Path) -> Vec<(String, Vec<u8>, bool)> {
    let conn = sql(db);
    let mut stmt = conn
        .prepare(
            "SELECT v.fetched_url, c.content, d.content FROM versions v
             JOIN captures c ON c.digest = v.capture_digest
             LEFT JOIN capture_dictionaries d ON d.id = c.dictionary_id",
        )
        .unwrap();
    stmt.query_map([], |r| {
        let (url, content, dict): (String, Vec<u8>, Option<Vec<u8>>) =
            (r.get(0)?, r.get(1)?, r.get(2)?);
        let mut raw = Vec::new();
        match &dict {
            Some(d) => zstd::stream::read::Decoder::with_dictionary(content.as_slice(), d)
                .unwrap()
                .read_to_end(&mut raw)
                .unwrap(),
            None => zstd::stream::read::Decoder::new(content.as_slice())
                .unwrap()
                .read_to_end(&mut raw)
                .unwrap(),
        };
        Ok((path_of(&url), raw, dict.is_some()))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_dictionary_shrinks_later_captures_and_a_takedown_drops_it() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let n = 210;
    let paths = write_chain(&site, n, false);
    add_furniture(&site, &paths);
    let db = dir.path().join("a.db");
    let server = crawl_whole_chain(&site, &paths[0], n, &db).await;

    let dictionaries: i64 = sql(&db)
        .query_row("SELECT count(*) FROM capture_dictionaries", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(dictionaries, 1, "one dictionary for the site");
    let (with, without): (f64, f64) = sql(&db)
        .query_row(
            "SELECT avg(CASE WHEN dictionary_id IS NOT NULL THEN stored_bytes END),
                    avg(CASE WHEN dictionary_id IS NULL THEN stored_bytes END) FROM captures",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(with * 2.0 < without, "{with} bytes with, {without} without");
    let served = |path: &str| std::fs::read(site.join(&path[1..])).unwrap();
    let by_hand = captures_by_hand(&db);
    assert_eq!(by_hand.len(), n);
    assert!(by_hand.iter().filter(|c| c.2).count() >= n - 200);
    for (path, bytes, _) in &by_hand {
        assert!(bytes == &served(path), "{path} reads back as served");
    }
    // arshif reads them back too: the WARC export holds each page as served.
    let warc = dir.path().join("a.warc.gz");
    let out = arshif(args(&[
        "export",
        "--format",
        "warc",
        "--output",
        warc.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]))
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let last = served(&paths[n - 1]);
    assert!(
        read_warc(&warc)
            .iter()
            .any(|(_, body)| body.windows(last.len()).any(|w| w == last)),
        "the last page, compressed with the dictionary, is in the WARC"
    );

    // A takedown of a page the dictionary was not trained on keeps it.
    let redact = |path: &str| {
        arshif(args(&[
            "redact",
            &server.url(path),
            "--reason",
            "takedown",
            "--db",
            db.to_str().unwrap(),
        ]))
    };
    let out = redact(&paths[n - 1]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let kept: i64 = sql(&db)
        .query_row("SELECT count(*) FROM capture_dictionaries", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(kept, 1);
    // A takedown of a page it was trained on drops it; every capture left is recompressed
    // without it and still reads back as served.
    let sample: String = sql(&db)
        .query_row(
            "SELECT v.fetched_url FROM versions v WHERE v.capture_digest =
                 (SELECT json_extract(samples, '$[0]') FROM capture_dictionaries)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let out = redact(&path_of(&sample)).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let left: i64 = sql(&db)
        .query_row(
            "SELECT (SELECT count(*) FROM capture_dictionaries)
                  + (SELECT count(*) FROM captures WHERE dictionary_id IS NOT NULL)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
    let by_hand = captures_by_hand(&db);
    assert_eq!(by_hand.len(), n - 2);
    for (path, bytes, _) in &by_hand {
        assert!(bytes == &served(path), "{path} reads back as served");
    }
    assert_intact(&db);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dictionary_that_does_not_pay_is_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let n = 210;
    let paths = write_chain(&site, n, false);
    // Pages that share nothing but a few hundred bytes of template: each carries 20 KB of its
    // own incompressible text.
    for (i, p) in paths.iter().enumerate() {
        let file = site.join(&p[1..]);
        let own: String = (0..1200u64)
            .map(|k| {
                format!(
                    "{:x} ",
                    (i as u64 * 100_000 + k).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                )
            })
            .collect();
        let page = std::fs::read_to_string(&file)
            .unwrap()
            .replace("<footer>", &format!("<div class=noise>{own}</div><footer>"));
        std::fs::write(file, page).unwrap();
    }
    let db = dir.path().join("a.db");
    crawl_whole_chain(&site, &paths[0], n, &db).await;
    let (dictionaries, with): (i64, i64) = sql(&db)
        .query_row(
            "SELECT (SELECT count(*) FROM capture_dictionaries),
                    (SELECT count(*) FROM captures WHERE dictionary_id IS NOT NULL)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((dictionaries, with), (0, 0));
    assert_eq!(captures_by_hand(&db).len(), n);
}

/// Serves `site` and crawls its chain from `first` at 1,000 requests per second (a site
/// dictionary needs 200 pages); all `n` pages must be archived.
async fn crawl_whole_chain(site: &Path, first: &str, n: usize, db: &Path) -> FixtureServer {
    let server = serve_dir(site).await;
    let out = arshif(args(&[
        "crawl",
        &server.url(first),
        "--db",
        db.to_str().unwrap(),
        "--rate",
        "1000",
        "--max-articles",
        "1000",
    ]))
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(export(db).await.len(), n);
    server
}
