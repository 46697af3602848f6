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

/// A WARC export's records, decompressed, with the one line that names the export's own time
/// (the warcinfo record's date) left out.
fn warc_records(db: &str, dir: &Path) -> String {
    let out = dir.join("export.warc.gz");
    ok(&[
        "export",
        "--format",
        "warc",
        "--db",
        db,
        "--output",
        out.to_str().unwrap(),
    ]);
    let mut text = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::MultiGzDecoder::new(std::fs::File::open(&out).unwrap()),
        &mut text,
    )
    .unwrap();
    let text = String::from_utf8_lossy(&text).into_owned();
    let warcinfo_date = text
        .lines()
        .find(|l| l.starts_with("WARC-Date: "))
        .unwrap()
        .to_string();
    text.replacen(&warcinfo_date, "", 1)
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
    let warc = warc_records(&example(), d1.path());
    assert!(warc.contains("WARC-Type: response"));
    assert_eq!(warc, warc_records(&url, d2.path()), "WARC from PostgreSQL");
    assert_eq!(warc, warc_records(back, d3.path()), "WARC copied back");

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
    // Reindexing rebuilds the same search index.
    ok(&["reindex", "--db", &url]);
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
            assert!(said.contains("postgres://127.0.0.1:1/archive"), "{said}");
        }
    }
}
