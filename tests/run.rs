//! `arshif run --config FILE`, as cron runs it: config files, concurrent sites with their own
//! limits, stop_after_known, resuming interrupted and killed runs, chain ends, --max-duration.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use arshif::fixture_server::FixtureServer;
use common::*;

/// Writes a config file; returns its path.
fn write_config(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("arshif.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn site_table(name: &str, start: &str, extra: &str) -> String {
    format!("[[site]]\nname = \"{name}\"\nstart_urls = [\"{start}\"]\n{extra}\n")
}

async fn run(config: &Path, extra: &[&str]) -> std::process::Output {
    let mut a = args(&["run", "--config", config.to_str().unwrap()]);
    a.extend(extra.iter().map(|s| s.to_string()));
    arshif(a).await
}

struct Chain {
    dir: tempfile::TempDir,
    site: PathBuf,
    paths: Vec<String>,
    server: FixtureServer,
}

async fn chain_site(n: usize) -> Chain {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, n, false);
    let server = serve_dir(&site).await;
    Chain {
        dir,
        site,
        paths,
        server,
    }
}

fn runs(db: &Path) -> Vec<(String, Option<String>, String, Option<String>)> {
    let conn = sql(db);
    let mut stmt = conn
        .prepare("SELECT command, site, status, end_reason FROM runs ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_relative_database_lives_beside_the_config() {
    let c = chain_site(3).await;
    let conf_dir = c.dir.path().join("etc");
    std::fs::create_dir_all(&conf_dir).unwrap();
    let config = write_config(
        &conf_dir,
        &format!(
            "database = \"data.db\"\nrate = 50\n{}",
            site_table("local", &c.server.url(&c.paths[0]), "")
        ),
    );
    // Run from another folder: the database still goes beside the config.
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_arshif"))
            .args(["run", "--config", config.to_str().unwrap()])
            .current_dir("/")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "quiet on success"
    );
    let db = conf_dir.join("data.db");
    assert_eq!(export(&db).await.len(), 3);
    let r = runs(&db);
    assert_eq!(r[0].0, "run");
    assert_eq!(r[0].1.as_deref(), Some("local"));
    assert_eq!(r[0].2, "complete");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_config_files_exit_3_naming_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    for (text, want) in [
        (
            "rate = 1\nspeed = 2\n[[site]]\nname = \"a\"\nstart_urls = [\"http://a.example/\"]\n",
            "line 2",
        ),
        (
            "rate = \"fast\"\n[[site]]\nname = \"a\"\nstart_urls = [\"http://a.example/\"]\n",
            "line 1: rate",
        ),
        (
            "[[site]]\nname = \"a\"\nstart_urls = [\"not a url\"]\n",
            "start_urls",
        ),
        (
            "[[site]]\nname = \"a\"\nstart_urls = [\"http://a.example/\"]\nrate = 0\n",
            "rate",
        ),
        ("rate = 1\n", "[[site]]"),
    ] {
        let config = write_config(dir.path(), text);
        let out = run(
            &config,
            &["--db", dir.path().join("a.db").to_str().unwrap()],
        )
        .await;
        assert_eq!(code(&out), 3, "{text}: {}", stderr(&out));
        assert!(stderr(&out).contains(want), "{text}: {}", stderr(&out));
        assert_eq!(stderr(&out).trim().lines().count(), 1);
        assert!(!dir.path().join("a.db").exists());
    }
    // Configs that cannot be read: missing, a folder, not UTF-8.
    let folder = dir.path().join("folder.toml");
    std::fs::create_dir(&folder).unwrap();
    let binary = dir.path().join("binary.toml");
    std::fs::write(&binary, b"rate = 1\n\xff\xfe\x00\n").unwrap();
    for config in [dir.path().join("missing.toml"), folder, binary] {
        let out = run(&config, &[]).await;
        assert_eq!(code(&out), 3, "{config:?}: {}", stderr(&out));
        assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
        assert!(stderr(&out).contains("config"), "{}", stderr(&out));
    }
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["arshif.toml", "binary.toml", "folder.toml"],
        "nothing but the configs written"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sites_run_concurrently_each_under_its_own_rate() {
    let a = chain_site(4).await;
    let b = chain_site(4).await;
    let dir = tempfile::tempdir().unwrap();
    // Site a at 4 requests per second, site b at 2: both hosts are 127.0.0.1, but on two ports,
    // so two hosts with two limits.
    let config = write_config(
        dir.path(),
        &format!(
            "{}{}",
            site_table("a", &a.server.url(&a.paths[0]), "rate = 4"),
            site_table("b", &b.server.url(&b.paths[0]), "rate = 2"),
        ),
    );
    let db = dir.path().join("a.db");
    let out = run(&config, &["--db", db.to_str().unwrap()]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(export(&db).await.len(), 8);
    for (server, interval) in [(&a.server, 250), (&b.server, 500)] {
        let log = server.requests();
        for pair in log.windows(2) {
            assert!(
                pair[1].at - pair[0].at + TOLERANCE >= Duration::from_millis(interval),
                "requests {interval} ms apart at least"
            );
        }
    }
    // Concurrent: b's first request comes before a's last.
    let (la, lb) = (a.server.requests(), b.server.requests());
    assert!(
        lb.first().unwrap().at < la.last().unwrap().at,
        "the sites ran one after the other"
    );
    let r = runs(&db);
    assert_eq!(r.len(), 2, "one run row per site: {r:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn stop_after_known_makes_a_rerun_cheap() {
    let c = chain_site(8).await;
    let config = write_config(
        c.dir.path(),
        &format!(
            "rate = 50\n{}",
            site_table("s", &c.server.url(&c.paths[0]), "stop_after_known = 2")
        ),
    );
    assert_eq!(code(&run(&config, &[]).await), 0);
    assert_eq!(page_requests(&c.server.requests()).len(), 8);
    // The chain ended with no next link: the next run looks at its last article only.
    c.server.clear_log();
    assert_eq!(code(&run(&config, &[]).await), 0);
    let pages = page_requests(&c.server.requests());
    assert_eq!(pages.len(), 1, "only the chain's last article: {pages:?}");
    assert_eq!(pages[0].path(), c.paths[7]);
    // A new article appears after the last one: the next run follows the new link.
    let last = article_page("Council story number 8", PARAGRAPHS, Some("/a/9.html"));
    std::fs::write(c.site.join("a/8.html"), last).unwrap();
    std::fs::write(
        c.site.join("a/9.html"),
        article_page("A brand new story", PARAGRAPHS, None),
    )
    .unwrap();
    c.server.clear_log();
    assert_eq!(code(&run(&config, &[]).await), 0);
    let paths: Vec<String> = page_requests(&c.server.requests())
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert_eq!(
        paths,
        vec!["/a/8.html".to_string(), "/a/9.html".to_string()]
    );
    assert_eq!(
        export(&c.dir.path().join("archive.db")).await.len(),
        9,
        "the new article; the old one only gained a link outside its text"
    );

    // From the start again (a new config key: the same start URL), stop_after_known ends the
    // walk after two known articles.
    let db = c.dir.path().join("archive.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE runs SET resume_url = NULL", [])
        .unwrap();
    drop(conn);
    c.server.clear_log();
    assert_eq!(code(&run(&config, &[]).await), 0);
    assert_eq!(page_requests(&c.server.requests()).len(), 2);
    let r = runs(&db);
    assert!(
        r.last()
            .unwrap()
            .3
            .as_deref()
            .unwrap()
            .contains("already archived"),
        "{r:?}"
    );
}

/// Starts `arshif run` as a child process.
fn spawn_run(config: &Path, extra: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_arshif"))
        .args(["run", "--config", config.to_str().unwrap()])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_for_pages(server: &FixtureServer, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while page_requests(&server.requests()).len() < n && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn stop(child: std::process::Child, signal: &str) -> i32 {
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut child = child;
    tokio::task::spawn_blocking(move || child.wait().unwrap().code().unwrap_or(-1))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_or_killed_run_resumes_without_refetching() {
    for signal in ["-TERM", "-KILL"] {
        let c = chain_site(8).await;
        let config = write_config(
            c.dir.path(),
            &format!(
                "rate = 4\n{}",
                site_table("s", &c.server.url(&c.paths[0]), "")
            ),
        );
        let child = spawn_run(&config, &[]);
        wait_for_pages(&c.server, 3).await;
        let code_first = stop(child, signal).await;
        if signal == "-TERM" {
            assert_eq!(code_first, 143);
        }
        let db = c.dir.path().join("archive.db");
        let archived_before: Vec<String> = export(&db)
            .await
            .iter()
            .map(|r| path_of(r["url"].as_str().unwrap()))
            .collect();
        assert!(!archived_before.is_empty());
        c.server.clear_log();
        let out = run(&config, &[]).await;
        assert_eq!(code(&out), 0, "{signal}: {}", stderr(&out));
        let refetched: Vec<String> = page_requests(&c.server.requests())
            .iter()
            .map(|r| r.path().to_string())
            .filter(|p| archived_before.contains(p))
            .collect();
        assert!(
            refetched.is_empty(),
            "{signal}: archived pages fetched again: {refetched:?}"
        );
        let rows = export(&db).await;
        assert_eq!(rows.len(), 8, "{signal}: every article once");
        assert_intact(&db);
        let statuses: Vec<String> = runs(&db).into_iter().map(|r| r.2).collect();
        let first = if signal == "-TERM" {
            "interrupted"
        } else {
            "running"
        };
        assert_eq!(
            statuses,
            vec![first.to_string(), "complete".to_string()],
            "{signal}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn max_duration_stops_starting_pages_and_the_next_run_goes_on() {
    let c = chain_site(6).await;
    let config = write_config(
        c.dir.path(),
        &format!(
            "rate = 2\n{}",
            site_table("s", &c.server.url(&c.paths[0]), "")
        ),
    );
    let started = Instant::now();
    let out = run(&config, &["--max-duration", "1s"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(5));
    let db = c.dir.path().join("archive.db");
    let first = export(&db).await.len();
    assert!(
        (1..6).contains(&first),
        "{first} pages in one second at 2 per second"
    );
    assert!(runs(&db)[0].3.as_deref().unwrap().contains("max-duration"));
    assert_eq!(code(&run(&config, &[]).await), 0);
    assert_eq!(export(&db).await.len(), 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn json_logs_for_log_shippers() {
    let c = chain_site(2).await;
    let config = write_config(
        c.dir.path(),
        &format!(
            "rate = 50\nlog_format = \"json\"\n{}",
            site_table("s", &c.server.url(&c.paths[0]), "")
        ),
    );
    let out = run(&config, &["-v"]).await;
    assert_eq!(code(&out), 0);
    let err = stderr(&out);
    assert!(!err.is_empty());
    for line in err.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert!(v["timestamp"].is_string() && v["level"].is_string());
    }
    assert!(err.contains("new articles"), "a summary per site: {err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn revisits_follow_the_schedule_and_record_removals() {
    let c = chain_site(3).await;
    let site = site_table(
        "s",
        &c.server.url(&c.paths[0]),
        "[site.revisit]\nschedule = [{ until = \"60d\", every = \"1s\" }]",
    );
    let config = write_config(c.dir.path(), &format!("rate = 50\n{site}"));
    let db = c.dir.path().join("archive.db");
    // Nothing is due right after archiving.
    assert_eq!(code(&run(&config, &[]).await), 0);
    c.server.clear_log();
    assert_eq!(
        code(&arshif(args(&["revisit", "--config", config.to_str().unwrap()])).await),
        0
    );
    assert!(
        c.server.requests().is_empty(),
        "nothing due and robots.txt kept from the first run: no request at all"
    );

    // A second later everything is due: conditional requests, no new version.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let out = arshif(args(&["revisit", "--config", config.to_str().unwrap()])).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let pages = page_requests(&c.server.requests());
    assert_eq!(pages.len(), 3);
    assert!(
        pages.iter().all(|r| r.status == 304),
        "conditional revisits"
    );
    assert_eq!(export(&db).await.len(), 3);

    // An edit is a new version; a removal is recorded against the article, not as a failure.
    let edited = article_page(
        "Council story number 1",
        &[PARAGRAPHS[0], PARAGRAPHS[2]],
        Some(&c.paths[1]),
    );
    std::fs::write(c.site.join(&c.paths[0][1..]), edited).unwrap();
    std::fs::remove_file(c.site.join(&c.paths[2][1..])).unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let out = arshif(args(&["revisit", "--config", config.to_str().unwrap()])).await;
    assert_eq!(
        code(&out),
        0,
        "a removed article is not an error: {}",
        stderr(&out)
    );
    assert_eq!(export(&db).await.len(), 4);
    let history = arshif(args(&[
        "history",
        &c.server.url(&c.paths[2]),
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ]))
    .await;
    let history: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap();
    let outcomes: Vec<&str> = history["fetches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes.last(), Some(&"gone"), "{outcomes:?}");
    let listed = arshif(args(&[
        "list",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ]))
    .await;
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let gone: Vec<&serde_json::Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["gone_at"].is_string())
        .collect();
    assert_eq!(gone.len(), 1, "list shows the removal");
    assert_intact(&db);
    let commands: Vec<String> = runs(&db).into_iter().map(|r| r.0).collect();
    assert!(commands.contains(&"revisit".to_string()));

    // An article whose first archived time cannot be read is left out, and the log says so.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE articles SET born_at = born_at || ' (edited)' WHERE url = ?1",
        [c.server.url(&c.paths[1])],
    )
    .unwrap();
    drop(conn);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    c.server.clear_log();
    let out = arshif(args(&["revisit", "--config", config.to_str().unwrap()])).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not revisited: its first archived time is unreadable"),
        "{}",
        stderr(&out)
    );
    let revisited = page_requests(&c.server.requests());
    assert!(
        revisited.iter().all(|r| r.target != c.paths[1]),
        "{revisited:?}"
    );
}

/// A site with three unlinked articles, a feed, a sitemap and a section page listing them.
fn listed_site(dir: &Path) -> Vec<String> {
    std::fs::create_dir_all(dir.join("news")).unwrap();
    let paths: Vec<String> = (1..=3).map(|i| format!("/news/story-{i}.html")).collect();
    for (i, p) in paths.iter().enumerate() {
        let title = format!("Listed story number {}", i + 1);
        std::fs::write(dir.join(&p[1..]), article_page(&title, PARAGRAPHS, None)).unwrap();
    }
    let items: String = paths
        .iter()
        .map(|p| format!("<item><title>x</title><link>{p}</link></item>"))
        .collect();
    std::fs::write(
        dir.join("feed.xml"),
        format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>{items}</channel></rss>"),
    )
    .unwrap();
    let urls: String = paths
        .iter()
        .map(|p| format!("<url><loc>{p}</loc></url>"))
        .collect();
    std::fs::write(
        dir.join("sitemap.xml"),
        format!("<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{urls}</urlset>"),
    )
    .unwrap();
    // The section page lists the newest first; its first story links on to the others.
    let chained = article_page("Listed story number 3", PARAGRAPHS, Some(&paths[1]));
    std::fs::write(dir.join(&paths[2][1..]), chained).unwrap();
    let chained = article_page("Listed story number 2", PARAGRAPHS, Some(&paths[0]));
    std::fs::write(dir.join(&paths[1][1..]), chained).unwrap();
    let list: String = paths
        .iter()
        .rev()
        .map(|p| format!("<article><h2><a href=\"{p}\">Story</a></h2></article>"))
        .collect();
    std::fs::write(
        dir.join("news/index.html"),
        format!("<html><body><nav><a href=\"/about-us.html\">About</a></nav><main><h1>News</h1>{list}</main></body></html>"),
    )
    .unwrap();
    paths
}

#[tokio::test(flavor = "multi_thread")]
async fn feeds_sitemaps_and_section_pages_are_start_points() {
    for start in ["/feed.xml", "/sitemap.xml", "/news/"] {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        let paths = listed_site(&site);
        let server = serve_dir(&site).await;
        let config = write_config(
            dir.path(),
            &format!(
                "rate = 50\n{}",
                site_table("s", &server.url(start), "stop_after_known = 1")
            ),
        );
        let out = run(&config, &[]).await;
        assert_eq!(code(&out), 0, "{start}: {}", stderr(&out));
        let db = dir.path().join("archive.db");
        let mut archived: Vec<String> = export(&db)
            .await
            .iter()
            .map(|r| path_of(r["url"].as_str().unwrap()))
            .collect();
        archived.sort();
        assert_eq!(archived, paths, "{start}");
        assert_eq!(fetches_with_outcome(&db, "listing"), 1, "{start}");
        // The next run reads the start again (never resumes past it) and, everything being
        // known, stops after one known article.
        server.clear_log();
        assert_eq!(code(&run(&config, &[]).await), 0);
        let pages: Vec<String> = page_requests(&server.requests())
            .iter()
            .map(|r| r.path().to_string())
            .collect();
        assert_eq!(pages.len(), 2, "{start}: {pages:?}");
        assert_eq!(pages[0], start);
    }
}

/// A chain whose next link no rule recognises: an arrow, no words, no `rel`, no structure.
fn unrecognised_chain(site: &Path) -> Vec<String> {
    let paths = write_chain(site, 3, false);
    for p in &paths {
        let file = site.join(&p[1..]);
        let html = std::fs::read_to_string(&file)
            .unwrap()
            .replace(">Next article</a>", r#" class="go">→</a>"#);
        std::fs::write(file, html).unwrap();
    }
    paths
}

#[tokio::test(flavor = "multi_thread")]
async fn a_walk_that_never_leaves_its_first_article_is_reported_on_the_third_run() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = unrecognised_chain(&site);
    let server = serve_dir(&site).await;
    let healthy = chain_site(2).await;
    let db = dir.path().join("a.db");
    let config = write_config(
        dir.path(),
        &format!(
            "database = \"{}\"\nrate = 50\n{}{}",
            db.display(),
            site_table("arrows", &server.url(&paths[0]), ""),
            site_table("healthy", &healthy.server.url(&healthy.paths[0]), "")
        ),
    );
    for n in 1..=4 {
        let out = run(&config, &[]).await;
        assert_eq!(code(&out), 0, "run {n}: {}", stderr(&out));
        let err = stderr(&out);
        if n < 3 {
            assert!(err.is_empty(), "run {n}: quiet before the third: {err}");
        } else {
            assert_eq!(err.lines().count(), 1, "run {n}: one line: {err}");
            assert!(
                err.contains("WARN")
                    && err.contains("arrows")
                    && err.contains("next_selector")
                    && !err.contains("healthy"),
                "run {n}: {err}"
            );
        }
    }
    // With the selector the site needs, the chain is walked and the warning stops.
    let config = write_config(
        dir.path(),
        &format!(
            "database = \"{}\"\nrate = 50\n{}",
            db.display(),
            site_table("arrows", &server.url(&paths[0]), "next_selector = \"a.go\"")
        ),
    );
    let out = run(&config, &[]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert_eq!(
        export(&db).await.len(),
        3 + 2,
        "the whole chain, and the healthy site's"
    );
}
