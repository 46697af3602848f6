//! Crashes and full disks: `kill -9` at random moments during a 200-article crawl, and a disk
//! that fills up mid-run. Nothing committed is lost, nothing is archived twice, and SQLite's
//! own checks pass.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn checks(db: &Path) {
    let conn = sql(db);
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let fk_problems: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk_problems, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn five_kill_9s_lose_nothing_and_duplicate_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 200, false);
    let server = serve_dir(&site).await;
    let config = dir.path().join("arshif.toml");
    std::fs::write(
        &config,
        format!(
            "rate = 100000\n[[site]]\nname = \"s\"\nstart_urls = [\"{}\"]\nmax_articles = 1000\n",
            server.url(&paths[0])
        ),
    )
    .unwrap();
    let db = dir.path().join("archive.db");
    let mut kills = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    while kills < 5 && Instant::now() < deadline {
        let before = page_requests(&server.requests()).len();
        let mut child = Command::new(env!("CARGO_BIN_EXE_arshif"))
            .args(["run", "--config", config.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Let it work a random while (at least one page), then kill it without warning.
        let wait_pages = before + 1 + fastrand::usize(0..25);
        let limit = Instant::now() + Duration::from_secs(20);
        while page_requests(&server.requests()).len() < wait_pages && Instant::now() < limit {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        tokio::time::sleep(Duration::from_millis(fastrand::u64(0..15))).await;
        let killed = Command::new("kill")
            .args(["-KILL", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let _ = tokio::task::spawn_blocking(move || child.wait())
            .await
            .unwrap();
        kills += 1;
        if db.exists() {
            checks(&db);
        }
    }
    assert_eq!(kills, 5);
    let out = arshif(args(&["run", "--config", config.to_str().unwrap()])).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    checks(&db);
    let rows = export(&db).await;
    assert_eq!(rows.len(), 200, "every article, once");
    assert!(rows.iter().all(|r| r["version"] == 1), "one version each");
    let mut urls: Vec<&str> = rows.iter().map(|r| r["url"].as_str().unwrap()).collect();
    urls.sort_unstable();
    urls.dedup();
    assert_eq!(urls.len(), 200);
    // Each page was fetched with a 200 about once: a killed run's resumption refetches at most
    // the three pages in hand when it was killed (one being written, the next being extracted,
    // the one after it being fetched ahead).
    let full = page_requests(&server.requests())
        .iter()
        .filter(|r| r.status == 200)
        .count();
    assert!(
        full <= 200 + 3 * 5,
        "{full} full downloads for 200 pages and 5 kills"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_stops_with_exit_1_and_a_consistent_database() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 40, false);
    let server = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    // A first page, to learn the size of an almost empty archive.
    let one = crawl(&server.url(&paths[0]), &db, "UTC", &["--max-articles", "1"]).await;
    assert_eq!(code(&one), 0);
    let pages: i64 = sql(&db)
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    let out = tokio::task::spawn_blocking({
        let (url, db) = (server.url(&paths[0]), db.clone());
        move || {
            Command::new(env!("CARGO_BIN_EXE_arshif"))
                .args([
                    "crawl",
                    &url,
                    "--db",
                    db.to_str().unwrap(),
                    "--rate",
                    "1000",
                ])
                .env(arshif::store::TEST_MAX_PAGES, (pages + 4).to_string())
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("disk is full"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    checks(&db);
    let kept = export(&db).await.len();
    assert!((1..40).contains(&kept), "{kept} articles kept");
    // With room again, the crawl finishes the chain.
    let again = crawl(&server.url(&paths[0]), &db, "UTC", &[]).await;
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert_eq!(export(&db).await.len(), 40);
    checks(&db);
}
