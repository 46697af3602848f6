//! The archive on PostgreSQL: `arshif copy` both ways with identical exports, every reader's
//! output the same as on SQLite, a crawl written into PostgreSQL, the advisory writer lock,
//! takedowns, an interrupted copy resumed, and credentials never printed. Each test starts a
//! throwaway cluster (see `common/pg.rs`).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::pg::Cluster;

fn arshif(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_arshif"))
        .args(args)
        .env("ARSHIF_LOG", "arshif=warn")
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = arshif(args);
    assert!(
        out.status.success(),
        "arshif {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("archive.db.example")
        .to_str()
        .unwrap()
        .to_string()
}

/// A WARC export and its CDXJ index, made at a fixed `SOURCE_DATE_EPOCH`: their bytes.
fn warc_records(db: &str, dir: &Path) -> (Vec<u8>, String) {
    let out = dir.join("export.warc.gz");
    let cdx = dir.join("export.cdxj");
    let made = Command::new(env!("CARGO_BIN_EXE_arshif"))
        .args(["export", "--format", "warc", "--db", db, "--output"])
        .arg(&out)
        .arg("--cdx")
        .arg(&cdx)
        .env("SOURCE_DATE_EPOCH", "1764979200")
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let index = std::fs::read_to_string(&cdx).unwrap();
    assert!(index.lines().count() > 1, "{index}");
    (std::fs::read(&out).unwrap(), index)
}

/// A WARC export's records as text.
fn warc_text(gz: &[u8]) -> String {
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(gz), &mut text).unwrap();
    String::from_utf8_lossy(&text).into_owned()
}

/// Every reader's output on `db`, for the articles of the example archive.
fn readings(db: &str) -> Vec<(String, String)> {
    let url = "http://ar.arshif.test/societe/alerte-meteo-pluies-orageuses-neige-1188.html";
    let commands: Vec<Vec<&str>> = vec![
        vec!["stats"],
        vec!["stats", "--format", "json"],
        vec!["list"],
        vec!["list", "--changed"],
        vec!["list", "--format", "json"],
        vec!["list", "--site", "fr.arshif.test"],
        vec!["history", url],
        vec!["history", url, "--format", "json"],
        vec!["show", url],
        vec!["show", url, "--version", "1"],
        vec!["diff", url],
        vec!["search", "أمطار"],
        vec!["search", "الأمن الوطني"],
        vec!["search", "festival"],
        vec!["export", "--format", "jsonl"],
        vec!["export", "--format", "csv"],
    ];
    commands
        .into_iter()
        .map(|mut c| {
            c.extend(["--db", db]);
            let out = arshif(&c);
            (
                c[..c.len() - 2].join(" "),
                format!(
                    "{}\n{}\nexit {:?}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr),
                    out.status.code()
                ),
            )
        })
        .collect()
}

fn assert_same(a: &[(String, String)], b: &[(String, String)]) {
    for ((command, x), (_, y)) in a.iter().zip(b) {
        assert_eq!(x, y, "`arshif {command}` differs between the engines");
    }
}

#[test]
fn the_example_archive_moves_to_postgres_and_back_with_identical_exports() {
    let Some(pg) = Cluster::start("copy round trip") else {
        return;
    };
    let url = pg.database("archive");
    let dir = tempfile::tempdir().unwrap();
    let back = dir.path().join("back.db");
    let back = back.to_str().unwrap();
    let said = ok(&["copy", "--from", &example(), "--to", &url]);
    assert!(
        said.contains("16 versions") && said.contains("17 captures"),
        "{said}"
    );
    ok(&["copy", "--from", &url, "--to", back]);

    let sqlite = readings(&example());
    assert_same(&sqlite, &readings(&url));
    assert_same(&sqlite, &readings(back));
    let (d1, d2, d3) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    // Byte for byte: the gzip members, and so every CDXJ offset, too.
    let warc = warc_records(&example(), d1.path());
    assert!(warc_text(&warc.0).contains("WARC-Type: response"));
    assert!(
        warc == warc_records(&url, d2.path()),
        "WARC from PostgreSQL"
    );
    assert!(warc == warc_records(back, d3.path()), "WARC copied back");

    // A target that holds an archive is refused, untouched; so is a missing source.
    let again = arshif(&["copy", "--from", &example(), "--to", &url]);
    assert_eq!(again.status.code(), Some(3));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("already holds an archive") && err.lines().count() == 1,
        "{err}"
    );
    assert_same(&sqlite, &readings(&url));
    // Versions stay append-only on PostgreSQL too.
    let refused = std::panic::catch_unwind(|| pg.psql("archive", "UPDATE versions SET body = 'x'"));
    assert!(refused.is_err(), "an UPDATE of versions was allowed");
}

#[test]
fn a_crawl_into_postgres_archives_what_sqlite_does() {
    let Some(pg) = Cluster::start("crawl into PostgreSQL") else {
        return;
    };
    let url = pg.database("crawled");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("crawled.db");
    let file = file.to_str().unwrap();
    let fixtures = common::fixtures();
    let fixtures = fixtures.to_str().unwrap();
    ok(&["demo", "--db", &url, "--fixtures", fixtures, "--rate", "50"]);
    ok(&["demo", "--db", file, "--fixtures", fixtures, "--rate", "50"]);
    // Times differ from run to run; everything else is the same.
    let times = regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z").unwrap();
    let same_but_times = |args: &[&str]| {
        let mut on_pg = args.to_vec();
        on_pg.extend(["--db", &url]);
        let mut on_file = args.to_vec();
        on_file.extend(["--db", file]);
        let (a, b) = (ok(&on_pg), ok(&on_file));
        assert!(!a.trim().is_empty(), "{args:?} printed nothing");
        assert_eq!(
            times.replace_all(&a, "T"),
            times.replace_all(&b, "T"),
            "arshif {args:?}"
        );
    };
    same_but_times(&["stats"]);
    same_but_times(&["list"]);
    same_but_times(&["list", "--changed"]);
    same_but_times(&["export", "--format", "jsonl"]);
    same_but_times(&["search", "beurre"]);
    // A takedown: rows deleted, the tables vacuumed, and the operator told about backups.
    let article = "http://fr.arshif.test/economie/boulanger-prix-beurre-4411.html";
    let listed = ok(&["list", "--db", &url]);
    let article = listed
        .lines()
        .find(|l| l.starts_with("http://fr.arshif.test/"))
        .unwrap_or(article)
        .to_string();
    let versions = |db: &str| -> i64 {
        let stats: serde_json::Value =
            serde_json::from_str(&ok(&["stats", "--format", "json", "--db", db])).unwrap();
        stats["versions"].as_i64().unwrap()
    };
    let before = versions(&url);
    let said = ok(&["redact", &article, "--reason", "court order", "--db", &url]);
    assert!(
        said.contains("WAL archives, replicas and backups"),
        "{said}"
    );
    assert!(versions(&url) < before);
    assert_ne!(
        arshif(&["show", &article, "--db", &url]).status.code(),
        Some(0)
    );
    ok(&["redact", &article, "--reason", "court order", "--db", file]);
    same_but_times(&["export", "--format", "jsonl"]);
    same_but_times(&["stats"]);
    // Reindexing rebuilds the same search index and change statistics.
    let changes_sql = "SELECT url || ' ' || version || ' ' || title_changed || ' ' || chars_added
                              || ' ' || chars_removed FROM article_changes ORDER BY url, version";
    let on_pg = || pg.psql("crawled", changes_sql);
    let before = on_pg();
    assert!(before.lines().count() >= 2, "{before}");
    ok(&["reindex", "--db", &url]);
    assert_eq!(on_pg(), before);
    ok(&["reindex", "--db", file]);
    let on_file: Vec<String> = common::sql(Path::new(file))
        .prepare(changes_sql)
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(before.lines().collect::<Vec<_>>(), on_file);
    same_but_times(&["search", "beurre"]);
}

#[test]
fn a_second_writer_exits_4_or_waits() {
    let Some(pg) = Cluster::start("writer lock") else {
        return;
    };
    let url = pg.database("locked");
    ok(&["copy", "--from", &example(), "--to", &url]);
    let at: arshif::store::Location = url.parse().unwrap();
    let held = arshif::store::lock::WriterLock::acquire(&at, false).unwrap();
    let second = arshif(&["reindex", "--db", &url]);
    assert_eq!(second.status.code(), Some(4), "{second:?}");
    // Readers never take the lock.
    ok(&["list", "--db", &url]);
    // A waiting writer says so, then goes on once the lock is free.
    let mut waiting = Command::new(env!("CARGO_BIN_EXE_arshif"))
        .args(["-v", "reindex", "--wait", "--db", &url])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines =
        std::io::BufRead::lines(std::io::BufReader::new(waiting.stderr.take().unwrap()));
    let said_waiting = lines
        .by_ref()
        .map(Result::unwrap)
        .any(|l| l.contains("waiting for the other arshif process"));
    assert!(said_waiting);
    drop(held);
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert!(
        rest.iter().any(|l| l.contains("the archive is free")),
        "{rest:?}"
    );
    let done = waiting.wait().unwrap();
    assert!(done.success(), "{done:?}");
}

#[test]
fn an_interrupted_copy_is_refused_until_resumed() {
    let Some(pg) = Cluster::start("resumed copy") else {
        return;
    };
    let url = pg.database("partial");
    let stopped = Command::new(env!("CARGO_BIN_EXE_arshif"))
        .args(["copy", "--from", &example(), "--to", &url])
        .env("ARSHIF_TEST_COPY_STOP_AFTER", "3")
        .output()
        .unwrap();
    assert!(!stopped.status.success());
    // Half an archive is never read as a whole one.
    let reading = arshif(&["list", "--db", &url]);
    assert_eq!(reading.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&reading.stderr).contains("--resume"));
    let again = arshif(&["copy", "--from", &example(), "--to", &url]);
    assert_eq!(again.status.code(), Some(3));
    ok(&["copy", "--from", &example(), "--to", &url, "--resume"]);
    assert_same(&readings(&example()), &readings(&url));

    // The same into a SQLite file: the copy is written beside it until complete.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.db");
    let file = file.to_str().unwrap();
    let stopped = Command::new(env!("CARGO_BIN_EXE_arshif"))
        .args(["copy", "--from", &url, "--to", file])
        .env("ARSHIF_TEST_COPY_STOP_AFTER", "4")
        .output()
        .unwrap();
    assert!(!stopped.status.success());
    assert!(!Path::new(file).exists());
    ok(&["copy", "--from", &url, "--to", file, "--resume"]);
    assert_same(&readings(&example()), &readings(file));
}

#[test]
fn a_newer_postgres_schema_is_refused() {
    let Some(pg) = Cluster::start("newer schema") else {
        return;
    };
    let url = pg.database("newer");
    ok(&["copy", "--from", &example(), "--to", &url]);
    pg.psql("newer", "INSERT INTO arshif_schema VALUES (99, 'later')");
    for args in [vec!["list"], vec!["reindex"]] {
        let mut args = args;
        args.extend(["--db", &url]);
        let out = arshif(&args);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("newer arshif"));
    }
}

#[test]
fn credentials_are_never_printed() {
    // Nothing listens on port 1: the connection fails, in one line, exit 3.
    for db in [
        "postgres://archivist:s3cret-pw@127.0.0.1:1/archive",
        "postgres://archivist@127.0.0.1:1/archive?password=s3cret-pw",
    ] {
        for args in [
            vec!["list", "--db", db],
            vec!["reindex", "--db", db],
            vec!["copy", "--from", db, "--to", "/nonexistent/x.db"],
        ] {
            let out = arshif(&args);
            let err = String::from_utf8_lossy(&out.stderr);
            let said = format!("{}{err}", String::from_utf8_lossy(&out.stdout));
            assert_eq!(out.status.code(), Some(3), "{args:?}: {said}");
            assert!(!said.contains("s3cret"), "{said}");
            assert!(said.contains("cannot connect"), "{said}");
            assert_eq!(said.matches("holds a password").count(), 1, "{said}");
            assert!(said.contains("postgres://127.0.0.1:1/archive"), "{said}");
        }
    }
    // A URL that does not parse is a usage error that does not quote the password either.
    let out = arshif(&[
        "list",
        "--db",
        "postgres://archivist:s3cret-pw@[bad/archive",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(!err.contains("s3cret") && err.lines().count() == 1, "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_from_a_config_into_postgres_survives_kill_9() {
    let Some(pg) = Cluster::start("kill -9 during a run into PostgreSQL") else {
        return;
    };
    let url = pg.database("killed");
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = common::write_chain(&site, 80, false);
    let server = common::serve_dir(&site).await;
    let config = dir.path().join("arshif.toml");
    std::fs::write(
        &config,
        format!(
            "database = \"{url}\"\nrate = 100000\n[[site]]\nname = \"s\"\nstart_urls = [\"{}\"]\nmax_articles = 1000\n",
            server.url(&paths[0])
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap().to_string();
    for _ in 0..3 {
        let before = common::page_requests(&server.requests()).len();
        let mut child = Command::new(env!("CARGO_BIN_EXE_arshif"))
            .args(["run", "--config", &config])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Let it work a random while (at least one page), then kill it without warning.
        let wait_pages = before + 1 + fastrand::usize(0..15);
        let limit = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while common::page_requests(&server.requests()).len() < wait_pages
            && std::time::Instant::now() < limit
        {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        let killed = Command::new("kill")
            .args(["-KILL", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        tokio::task::spawn_blocking(move || child.wait())
            .await
            .unwrap()
            .unwrap();
    }
    // The killed runs' locks went with their connections: this run finishes the chain, and
    // the revisit planner reads the archive on PostgreSQL.
    let config_for_run = config.clone();
    let out = tokio::task::spawn_blocking(move || arshif(&["run", "--config", &config_for_run]))
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config_for_revisit = config.clone();
    let out =
        tokio::task::spawn_blocking(move || arshif(&["revisit", "--config", &config_for_revisit]))
            .await
            .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported = tokio::task::spawn_blocking({
        let url = url.clone();
        move || ok(&["export", "--format", "jsonl", "--db", &url])
    })
    .await
    .unwrap();
    let rows: Vec<serde_json::Value> = exported
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 80, "every article, once");
    assert!(rows.iter().all(|r| r["version"] == 1), "one version each");
    let mut urls: Vec<&str> = rows.iter().map(|r| r["url"].as_str().unwrap()).collect();
    urls.sort();
    urls.dedup();
    assert_eq!(urls.len(), 80);
    let runs = pg.psql(
        "killed",
        "SELECT count(*) FROM runs WHERE status = 'running'",
    );
    assert!(
        runs.trim().parse::<i64>().unwrap() >= 1,
        "the killed runs stay recorded"
    );
}

/// `arshif serve` on `db`, its answers to `targets` (status line and body).
fn served(db: &str, targets: &[String]) -> Vec<String> {
    use std::io::{BufRead, Read, Write};
    let mut child = Command::new(env!("CARGO_BIN_EXE_arshif"))
        .args(["serve", "--db", db, "--bind", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    assert!(!line.contains("s3cret"));
    let answers = targets
        .iter()
        .map(|target| {
            let mut socket = std::net::TcpStream::connect(&addr).unwrap();
            write!(
                socket,
                "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            let mut answer = String::new();
            socket.read_to_string(&mut answer).unwrap();
            let status = answer.lines().next().unwrap_or_default().to_string();
            let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
            // Absolute links name the server's own address, which differs run to run.
            format!("{status}\n{}", body.replace(&addr, "HOST"))
        })
        .collect();
    child.kill().unwrap();
    child.wait().unwrap();
    answers
}

#[test]
fn the_web_view_serves_postgres_as_it_serves_sqlite() {
    let Some(pg) = Cluster::start("serve on PostgreSQL") else {
        return;
    };
    let url = pg.database("served");
    ok(&["copy", "--from", &example(), "--to", &url]);
    let article = "http://ar.arshif.test/societe/alerte-meteo-pluies-orageuses-neige-1188.html";
    let q = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let targets: Vec<String> = vec![
        "/articles?format=json".into(),
        "/articles".into(),
        "/articles?changed=1&format=json".into(),
        format!("/article?url={}&format=json", q(article)),
        format!("/article?url={}", q(article)),
        format!("/diff?url={}&format=json", q(article)),
        format!("/capture?url={}&version=1", q(article)),
        "/feed.atom".into(),
        format!("/search?q={}", q("أمطار")),
    ];
    let (lite, on_pg) = (served(&example(), &targets), served(&url, &targets));
    for ((target, a), b) in targets.iter().zip(&lite).zip(&on_pg) {
        assert!(a.starts_with("HTTP/1.1 200"), "{target}: {a}");
        assert_eq!(a, b, "{target}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_trains_site_dictionaries_and_a_takedown_drops_them() {
    let Some(pg) = Cluster::start("dictionaries on PostgreSQL") else {
        return;
    };
    let url = pg.database("dict");
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let n = 210;
    let paths = common::write_chain(&site, n, false);
    common::add_furniture(&site, &paths);
    let server = common::serve_dir(&site).await;
    let first = server.url(&paths[0]);
    let crawl_url = url.clone();
    let out = tokio::task::spawn_blocking(move || {
        arshif(&[
            "crawl",
            &first,
            "--db",
            &crawl_url,
            "--rate",
            "1000",
            "--max-articles",
            "1000",
        ])
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let count = |sql: &str| pg.psql("dict", sql).trim().parse::<f64>().unwrap();
    assert_eq!(count("SELECT count(*) FROM capture_dictionaries"), 1.0);
    let with = count("SELECT avg(stored_bytes) FROM captures WHERE dictionary_id IS NOT NULL");
    let without = count("SELECT avg(stored_bytes) FROM captures WHERE dictionary_id IS NULL");
    assert!(with * 2.0 < without, "{with} bytes with, {without} without");

    // Every capture reads back as served: through the WARC export, and through a copy to SQLite.
    let served = |path: &str| std::fs::read(site.join(&path[1..])).unwrap();
    let warc = |db: &str, d: &Path| warc_text(&warc_records(db, d).0);
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let on_pg = warc(&url, d1.path());
    for p in [&paths[0], &paths[n - 1]] {
        let page = String::from_utf8_lossy(&served(p)).into_owned();
        assert!(on_pg.contains(&page), "{p} is in the WARC as served");
    }
    let file = dir.path().join("copy.db");
    ok(&["copy", "--from", &url, "--to", file.to_str().unwrap()]);
    assert_eq!(on_pg, warc(file.to_str().unwrap(), d2.path()));

    // A takedown of a page the dictionary was trained on drops it; every capture left is
    // recompressed without it and still reads back.
    let sample = pg.psql(
        "dict",
        "SELECT v.fetched_url FROM versions v WHERE v.capture_digest =
             (SELECT (samples::json)->>0 FROM capture_dictionaries)",
    );
    ok(&[
        "redact",
        sample.trim(),
        "--reason",
        "takedown",
        "--db",
        &url,
    ]);
    assert_eq!(
        count(
            "SELECT (SELECT count(*) FROM capture_dictionaries)
                  + (SELECT count(*) FROM captures WHERE dictionary_id IS NOT NULL)"
        ),
        0.0
    );
    let d3 = tempfile::tempdir().unwrap();
    let after = warc(&url, d3.path());
    let last = String::from_utf8_lossy(&served(&paths[n - 1])).into_owned();
    assert!(after.contains(&last), "the last page still reads back");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_extractor_upgrade_on_postgres_re_extracts_like_with_like() {
    let Some(pg) = Cluster::start("re-extraction on PostgreSQL") else {
        return;
    };
    let url = pg.database("upgrade");
    let server = common::serve_site("ar").await;
    server.set_etags(false);
    let chain = common::chain("ar");
    let start = server.url(&chain[0]);
    let crawl = {
        let (url, start) = (url.clone(), start.clone());
        move || {
            arshif(&[
                "crawl",
                &start,
                "--db",
                &url,
                "--rate",
                "50",
                "--timezone",
                common::timezone("ar"),
            ])
        }
    };
    let out = tokio::task::spawn_blocking(crawl.clone()).await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // As an older extractor would have left them: other text, another hash, its own version.
    // (Versions are append-only; the test lifts the guard to forge the past.)
    pg.psql(
        "upgrade",
        "ALTER TABLE versions DISABLE TRIGGER versions_append_only_update;
         UPDATE versions SET extractor_version = 'arshif-extract/0',
                             body = substr(body, 1, 40),
                             content_hash = 'sha256:' || md5(random()::text);
         ALTER TABLE versions ENABLE TRIGGER versions_append_only_update;",
    );
    let out = tokio::task::spawn_blocking(crawl).await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let versions = pg.psql("upgrade", "SELECT count(*) FROM versions");
    assert_eq!(
        versions.trim(),
        chain.len().to_string(),
        "no false versions"
    );
    let unchanged = pg.psql(
        "upgrade",
        "SELECT count(*) FROM fetches WHERE outcome = 'unchanged'",
    );
    assert_eq!(unchanged.trim(), chain.len().to_string());
}

/// The issue's whole path: the example archive moved to PostgreSQL with `arshif copy`, the
/// bundled fixture sites crawled into it by `arshif run` from a config naming it, and every
/// archivist command reading the result as it reads the same done on SQLite.
#[tokio::test(flavor = "multi_thread")]
async fn the_fixture_sites_run_into_a_copied_archive_as_into_sqlite() {
    let Some(pg) = Cluster::start("run into a copied archive") else {
        return;
    };
    let url = pg.database("moved");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.db");
    let file = file.to_str().unwrap().to_string();
    ok(&["copy", "--from", &example(), "--to", &url]);
    ok(&["copy", "--from", &example(), "--to", &file]);
    let mut sites = String::new();
    let mut servers = Vec::new();
    for site in ["ar", "fr", "en"] {
        let server = common::serve_site(site).await;
        sites.push_str(&format!(
            "[[site]]\nname = \"{site}\"\nstart_urls = [\"{}\"]\ntimezone = \"{}\"\n",
            server.url(&common::chain(site)[0]),
            common::timezone(site)
        ));
        servers.push(server);
    }
    for db in [&url, &file] {
        let config = dir.path().join("arshif.toml");
        std::fs::write(&config, format!("database = \"{db}\"\nrate = 50\n{sites}")).unwrap();
        let config = config.to_str().unwrap().to_string();
        // One site at a time: articles are numbered in the order they are first archived.
        let out = tokio::task::spawn_blocking(move || {
            arshif(&["run", "--config", &config, "--jobs", "1"])
        })
        .await
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Times differ run to run, and so does the order in which `run` takes the sites (so the
    // new articles' ids): each output is compared as its lines, times left out.
    let times = regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z").unwrap();
    let lines = |text: &str| {
        let text = times.replace_all(text, "T");
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        lines.sort();
        lines
    };
    let (on_pg, on_file) = (readings(&url), readings(&file));
    for ((command, a), (_, b)) in on_pg.iter().zip(&on_file) {
        assert_eq!(
            lines(a),
            lines(b),
            "`arshif {command}` differs between the engines"
        );
    }
    let listed = ok(&["list", "--db", &url]);
    let crawled = servers
        .iter()
        .filter(|s| listed.contains(&s.url("/")))
        .count();
    assert_eq!(crawled, 3, "every fixture site is in the archive: {listed}");
    assert!(
        listed.contains("http://ar.arshif.test/"),
        "the copied articles stay"
    );
}
