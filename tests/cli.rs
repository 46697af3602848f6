//! The command line: exit codes, bad input, signals, `extract` and `export` formats.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_exit_3_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let d = db.to_str().unwrap();
    for bad in [
        args(&["crawl", "not a url", "--db", d]),
        args(&["crawl", "ftp://example.org/a", "--db", d]),
        args(&["crawl", "http://127.0.0.1:9/a", "--db", d, "--rate", "0"]),
        args(&["crawl", "http://127.0.0.1:9/a", "--db", d, "--rate", "-1"]),
        args(&[
            "crawl",
            "http://127.0.0.1:9/a",
            "--db",
            d,
            "--next-selector",
            "a[[[",
        ]),
        args(&[
            "crawl",
            "http://127.0.0.1:9/a",
            "--db",
            d,
            "--timezone",
            "Mars/Olympus",
        ]),
        args(&["crawl"]),
        args(&["frobnicate"]),
        args(&["export", "--db", d]),
        args(&["export", "--db", d, "--format", "xml"]),
    ] {
        let out = arshif(bad.clone()).await;
        assert_eq!(code(&out), 3, "{bad:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty());
        assert!(!db.exists(), "{bad:?} created the database");
    }
    let missing = dir.path().join("no/such/folder/a.db");
    let out = arshif(args(&[
        "crawl",
        "http://127.0.0.1:9/a",
        "--db",
        missing.to_str().unwrap(),
    ]))
    .await;
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_eq!(
        stderr(&out).trim().lines().count(),
        1,
        "one line: {}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn help_and_version_exit_0() {
    assert_eq!(code(&arshif(args(&["--help"])).await), 0);
    let v = arshif(args(&["--version"])).await;
    assert_eq!(code(&v), 0);
    assert!(String::from_utf8_lossy(&v.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[tokio::test(flavor = "multi_thread")]
async fn foreign_and_newer_databases_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "not a database").unwrap();
    for cmd in [
        &["export", "--db"][..],
        &["crawl", "http://127.0.0.1:9/a", "--db"][..],
    ] {
        let mut a = args(cmd);
        a.push(text.to_str().unwrap().into());
        assert_eq!(code(&arshif(a).await), 3);
    }
    assert_eq!(std::fs::read_to_string(&text).unwrap(), "not a database");

    let site = dir.path().join("site");
    let paths = write_chain(&site, 1, false);
    let server = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    assert_eq!(
        code(&crawl(&server.url(&paths[0]), &db, "UTC", &[]).await),
        0
    );
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("PRAGMA user_version = 999")
        .unwrap();
    let before = std::fs::read(&db).unwrap();
    let out = crawl(&server.url(&paths[0]), &db, "UTC", &[]).await;
    assert_eq!(code(&out), 3);
    assert!(stderr(&out).contains("newer"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "a newer database is never modified"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_writer_exits_4() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let _held = arshif::store::lock::WriterLock::acquire(&db.clone().into(), false).unwrap();
    let out = crawl("http://127.0.0.1:9/a", &db, "UTC", &[]).await;
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(stderr(&out).contains("another arshif process"));
}

#[tokio::test(flavor = "multi_thread")]
async fn json_logs_hold_fatal_errors_sites_and_counts() {
    let every_line_json = |out: &std::process::Output| -> Vec<serde_json::Value> {
        let err = stderr(out);
        assert!(!err.trim().is_empty());
        err.lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
            .collect()
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    // Exit 4: another writer.
    {
        let _held = arshif::store::lock::WriterLock::acquire(&db.clone().into(), false).unwrap();
        let out = crawl(
            "http://127.0.0.1:9/a",
            &db,
            "UTC",
            &["--log-format", "json"],
        )
        .await;
        assert_eq!(code(&out), 4);
        let lines = every_line_json(&out);
        assert_eq!(lines.last().unwrap()["level"], "ERROR");
        assert_eq!(lines.last().unwrap()["fields"]["exit_code"], 4);
    }
    // Exit 3: a usage error caught by the parser, and one caught later.
    let out = arshif(args(&[
        "--log-format",
        "json",
        "crawl",
        "--rate",
        "0",
        "http://x.example/",
    ]))
    .await;
    assert_eq!(code(&out), 3);
    assert_eq!(every_line_json(&out)[0]["fields"]["exit_code"], 3);
    let out = arshif(args(&[
        "--log-format",
        "json",
        "list",
        "--db",
        "/nonexistent/a.db",
    ]))
    .await;
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_eq!(every_line_json(&out)[0]["fields"]["exit_code"], 3);
    // A crawl: every page line names its site; the summary carries its counts as fields.
    let site = dir.path().join("site");
    let paths = write_chain(&site, 2, false);
    let server = serve_dir(&site).await;
    let out = crawl(
        &server.url(&paths[0]),
        &db,
        "UTC",
        &["-v", "--log-format", "json"],
    )
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines = every_line_json(&out);
    let pages: Vec<_> = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "page")
        .collect();
    assert_eq!(pages.len(), 2);
    let host = server.url("").trim_start_matches("http://").to_string();
    for l in &lines {
        let f = &l["fields"];
        if f.get("url").is_some() || f.get("host").is_some() {
            assert_eq!(
                f["site"],
                host.as_str(),
                "every line about a page names its site: {l}"
            );
        }
    }
    assert!(
        pages.iter().all(|l| l["fields"]["site"] == host.as_str()),
        "{lines:?}"
    );
    let summary = lines
        .iter()
        .find(|l| l["fields"]["new_articles"].is_u64())
        .unwrap();
    assert_eq!(summary["fields"]["new_articles"], 2);
    assert_eq!(summary["fields"]["failed"], 0);
    assert_eq!(summary["fields"]["site"], host.as_str());
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_says_it_is_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let held = arshif::store::lock::WriterLock::acquire(&db.clone().into(), false).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_arshif"))
        .args(["-v", "crawl", "http://127.0.0.1:9/a", "--wait", "--db"])
        .arg(&db)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    drop(held);
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("waiting for the other arshif process"),
        "{err}"
    );
    assert!(err.contains("the archive is free"), "{err}");
}

/// Starts a slow crawl, waits for its third page request, sends `signal`, and returns the exit
/// code and how long the process took to stop after the signal.
async fn interrupted_crawl(signal: &str) -> (i32, Duration, std::path::PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 5, false);
    let server = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_arshif"))
        .args([
            "crawl",
            &server.url(&paths[0]),
            "--db",
            db.to_str().unwrap(),
            "--rate",
            "0.5",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    // The third page's request means the second page was read, its next link found and its
    // commit handed to the writer: the two are what a graceful stop must keep.
    while page_requests(&server.requests()).len() < 3 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sent = Instant::now();
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = tokio::task::spawn_blocking(move || child.wait().unwrap().code().unwrap_or(-1))
        .await
        .unwrap();
    (code, sent.elapsed(), db, dir)
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_and_sigint_stop_quickly_keeping_what_was_done() {
    for (signal, want) in [("-TERM", 143), ("-INT", 130)] {
        let (code, took, db, _dir) = interrupted_crawl(signal).await;
        assert_eq!(code, want, "{signal}");
        assert!(took < Duration::from_secs(3), "{signal}: took {took:?}");
        let rows = export(&db).await;
        assert!(
            rows.len() >= 2,
            "pages processed before the signal are committed"
        );
        let status: String = sql(&db)
            .query_row(
                "SELECT status FROM runs ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(status, "interrupted");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_reads_saved_pages_in_any_charset() {
    let exp = expected("ar");
    let chain = chain("ar");
    let files: Vec<String> = chain
        .iter()
        .map(|p| {
            fixtures()
                .join("sites/ar")
                .join(&p[1..])
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let mut a = args(&["extract", "--timezone", "Africa/Casablanca"]);
    a.extend(files.iter().cloned());
    a.push("/no/such/file.html".into());
    let out = arshif(a).await;
    assert_eq!(code(&out), 2, "a file that cannot be read is reported");
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), files.len() + 1);
    for (path, rec) in chain.iter().zip(&lines) {
        let e = &exp["articles"][path];
        assert_eq!(rec["title"], e["title"], "{path}");
        assert_eq!(rec["body"], e["body"], "{path}");
        for key in [
            "file",
            "url",
            "canonical_url",
            "published_at",
            "modified_at",
            "authors",
            "language",
        ] {
            assert!(rec.get(key).is_some(), "{key} missing");
        }
    }
    assert!(
        lines.last().unwrap()["error"]
            .as_str()
            .unwrap()
            .contains("/no/such/file.html")
    );

    let all_good = arshif(args(&["extract", "--format", "text", &files[0]])).await;
    assert_eq!(code(&all_good), 0);
    assert!(
        String::from_utf8_lossy(&all_good.stdout)
            .contains(exp["articles"][&chain[0]]["title"].as_str().unwrap())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn export_csv_has_the_same_columns() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 2, false);
    let server = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    assert_eq!(
        code(&crawl(&server.url(&paths[0]), &db, "UTC", &[]).await),
        0
    );
    let csv_path = dir.path().join("out.csv");
    let out = arshif(args(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "csv",
        "--output",
        csv_path.to_str().unwrap(),
    ]))
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("url,canonical_url,version,fetched_at,title,body,published_at"));
    assert!(csv.contains("Council story number 2"));
}

#[tokio::test(flavor = "multi_thread")]
async fn stats_and_history_read_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 2, false);
    let server = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    let d = db.to_str().unwrap();
    assert_eq!(
        code(&crawl(&server.url(&paths[0]), &db, "UTC", &[]).await),
        0
    );
    let edited = article_page(
        "Council story number 1",
        &[PARAGRAPHS[0], PARAGRAPHS[2]],
        Some(&paths[1]),
    );
    std::fs::write(site.join(&paths[0][1..]), edited).unwrap();
    assert_eq!(
        code(&crawl(&server.url(&paths[0]), &db, "UTC", &[]).await),
        0
    );

    let out = arshif(args(&["stats", "--db", d, "--format", "json"])).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["articles"], 2);
    assert_eq!(stats["versions"], 3);
    assert_eq!(stats["fetches_by_outcome"]["changed"], 1);
    assert!(stats["capture_bytes_stored"].as_i64().unwrap() > 0);

    let out = arshif(args(&[
        "history",
        &server.url(&paths[0]),
        "--db",
        d,
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let history: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(history["versions"].as_array().unwrap().len(), 2);
    let outcomes: Vec<&str> = history["fetches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, vec!["archived", "changed"]);

    let unknown = arshif(args(&["history", "http://nowhere.example/x", "--db", d])).await;
    assert_eq!(code(&unknown), 3);
    let missing = dir.path().join("missing.db");
    assert_eq!(
        code(&arshif(args(&["stats", "--db", missing.to_str().unwrap()])).await),
        3
    );
    assert!(!missing.exists(), "read commands never create a database");
}

#[test]
fn warc_exports_at_source_date_epoch_are_identical() {
    let db = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("archive.db.example");
    let export = |dir: &std::path::Path, epoch: Option<&str>| {
        let out = dir.join("a.warc.gz");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_arshif"));
        cmd.args(["export", "--format", "warc", "--db"])
            .arg(&db)
            .arg("--output")
            .arg(&out);
        cmd.env_remove("SOURCE_DATE_EPOCH");
        if let Some(epoch) = epoch {
            cmd.env("SOURCE_DATE_EPOCH", epoch);
        }
        assert!(cmd.status().unwrap().success());
        std::fs::read(out).unwrap()
    };
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let first = export(a.path(), Some("1764979200"));
    assert!(first == export(b.path(), Some("1764979200")));
    let mut text = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::MultiGzDecoder::new(first.as_slice()),
        &mut text,
    )
    .unwrap();
    let text = String::from_utf8_lossy(&text);
    let warcinfo_date = text.lines().find(|l| l.starts_with("WARC-Date: ")).unwrap();
    assert!(
        warcinfo_date.starts_with("WARC-Date: 2025-12-06T00:00:00"),
        "{warcinfo_date}"
    );
    // Without it, the export is dated when it is made.
    assert!(first != export(c.path(), None));
}
