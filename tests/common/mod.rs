//! Shared helpers for the integration tests: fixture servers on loopback, the real binary, and
//! reading an archive back through `export --format jsonl`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use arshif::fixture_server::{FixtureServer, LoggedRequest};
use serde_json::Value;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The expected extraction of a fixture site.
pub fn expected(site: &str) -> Value {
    serde_json::from_slice(
        &std::fs::read(fixtures().join(format!("expected/{site}.json"))).unwrap(),
    )
    .unwrap()
}

pub fn chain(site: &str) -> Vec<String> {
    expected(site)["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// Time zone of each fixture site's undated-zone dates.
pub fn timezone(site: &str) -> &'static str {
    match site {
        "fr" => "Europe/Paris",
        _ => "Africa/Casablanca",
    }
}

pub async fn serve_site(site: &str) -> FixtureServer {
    FixtureServer::start(fixtures().join("sites").join(site))
        .await
        .unwrap()
}

pub async fn serve_dir(dir: &Path) -> FixtureServer {
    FixtureServer::start(dir.to_path_buf()).await.unwrap()
}

/// Runs the real binary (off the async runtime, so the servers keep answering).
pub async fn arshif(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_arshif"))
            .args(&args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

pub fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// `crawl URL --db DB --rate 50 --timezone TZ` plus extra flags.
pub async fn crawl(url: &str, db: &Path, tz: &str, extra: &[&str]) -> Output {
    let mut a = args(&[
        "crawl",
        url,
        "--db",
        db.to_str().unwrap(),
        "--rate",
        "50",
        "--timezone",
        tz,
    ]);
    a.extend(extra.iter().map(|s| s.to_string()));
    arshif(a).await
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every stored version, via the public export contract.
pub async fn export(db: &Path) -> Vec<Value> {
    let out = arshif(args(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "jsonl",
    ]))
    .await;
    assert_eq!(code(&out), 0, "export failed: {}", stderr(&out));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The path part of a URL.
pub fn path_of(url: &str) -> String {
    let u = url::Url::parse(url).unwrap();
    u.path().to_string()
}

/// Requests for pages (not robots.txt).
pub fn page_requests(log: &[LoggedRequest]) -> Vec<LoggedRequest> {
    log.iter()
        .filter(|r| r.path() != "/robots.txt")
        .cloned()
        .collect()
}

/// Opens the archive with SQLite directly (read-only) for checks the export does not show.
pub fn sql(db: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

/// Asserts that SQLite finds the archive file intact (`PRAGMA integrity_check`), and that
/// what `list` reads from each article (kept by triggers) agrees with its versions and fetches.
pub fn assert_intact(db: &Path) {
    let check: String = sql(db)
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let out_of_step: Vec<String> = sql(db)
        .prepare(
            "SELECT url FROM articles a WHERE
                 version_count != (SELECT count(*) FROM versions WHERE article_id = a.id)
              OR latest_title IS NOT (SELECT title FROM versions WHERE article_id = a.id
                                      ORDER BY version DESC LIMIT 1)
              OR last_change_at IS NOT (SELECT max(fetched_at) FROM versions
                                        WHERE article_id = a.id AND version > 1)
              OR gone_at IS NOT (SELECT CASE WHEN outcome = 'gone' THEN requested_at END
                                 FROM fetches WHERE article_id = a.id
                                 ORDER BY requested_at DESC, id DESC LIMIT 1)",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        out_of_step.is_empty(),
        "listing columns out of step: {out_of_step:?}"
    );
}

/// How many fetch-log rows have this outcome.
pub fn fetches_with_outcome(db: &Path, outcome: &str) -> i64 {
    sql(db)
        .query_row(
            "SELECT count(*) FROM fetches WHERE outcome = ?1",
            [outcome],
            |r| r.get(0),
        )
        .unwrap()
}

/// Minimal article page for generated chains.
pub fn article_page(title: &str, body: &[&str], next: Option<&str>) -> String {
    let paras: String = body.iter().map(|p| format!("<p>{p}</p>")).collect();
    let next = next
        .map(|n| format!(r#"<a href="{n}">Next article</a>"#))
        .unwrap_or_default();
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Test Site</title></head>
<body><header><nav><a href="/">Home</a></nav></header><article><h1>{title}</h1>{paras}</article>
<div class="post-nav">{next}</div><footer>© Test</footer></body></html>"#
    )
}

pub const PARAGRAPHS: &[&str] = &[
    "The regional council met on Thursday evening to discuss the budget, which includes new funding for schools and roads.",
    "Members debated for three hours before voting, and the final tally was seven to two in favour of the proposal.",
    "Residents who attended the meeting said they welcomed the investment, although some worried about rising taxes.",
];

/// Writes a chain of generated pages `/a/1.html` → ... → `/a/n.html` (optionally looping back).
pub fn write_chain(dir: &Path, n: usize, cyclic: bool) -> Vec<String> {
    std::fs::create_dir_all(dir.join("a")).unwrap();
    let paths: Vec<String> = (1..=n).map(|i| format!("/a/{i}.html")).collect();
    for (i, p) in paths.iter().enumerate() {
        let next = if i + 1 < n {
            Some(paths[i + 1].as_str())
        } else if cyclic {
            Some(paths[0].as_str())
        } else {
            None
        };
        let title = format!("Council story number {}", i + 1);
        std::fs::write(dir.join(&p[1..]), article_page(&title, PARAGRAPHS, next)).unwrap();
    }
    std::fs::write(
        dir.join("robots.txt"),
        "User-agent: *\nDisallow: /private/\n",
    )
    .unwrap();
    paths
}

pub const TOLERANCE: Duration = Duration::from_millis(30);

/// Adds the furniture every page of a real site repeats to a chain's pages, varied within the
/// page as real menus and scripts are (so that it does not compress away on its own): what a
/// per-site compression dictionary learns.
pub fn add_furniture(site: &Path, paths: &[String]) {
    let token = |i: u64| format!("{:x}", i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let menu: String = (0..300)
        .map(|i| {
            format!(
                r#"<li><a href="/section/{}.html">{}</a></li>"#,
                token(i),
                token(i + 7)
            )
        })
        .collect();
    let script: String = (1000..1400)
        .map(|i| format!("cfg['{}']={};", token(i), i))
        .collect();
    for (i, p) in paths.iter().enumerate() {
        let file = site.join(&p[1..]);
        let page = std::fs::read_to_string(&file).unwrap().replace(
            "<footer>",
            &format!("<ul class=menu>{menu}</ul><script>{script}</script><footer>Page {i} "),
        );
        std::fs::write(file, page).unwrap();
    }
}

pub mod pg;
