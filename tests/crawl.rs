//! The crawler end to end: the real binary against fixture sites served on 127.0.0.1.

mod common;

use std::time::Duration;

use arshif::fixture_server::Fault;
use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn whole_chain_is_archived_with_metadata_for_every_site() {
    for site in ["ar", "fr", "en"] {
        let server = serve_site(site).await;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        let chain = chain(site);
        let out = crawl(&server.url(&chain[0]), &db, timezone(site), &[]).await;
        assert_eq!(code(&out), 0, "{site}: {}", stderr(&out));
        assert!(
            out.stdout.is_empty() && out.stderr.is_empty(),
            "cron wants silence on success"
        );
        let rows = export(&db).await;
        let got: Vec<String> = rows
            .iter()
            .map(|r| path_of(r["url"].as_str().unwrap()))
            .collect();
        assert_eq!(got, chain, "{site}: the chain, in order, once each");
        let exp = expected(site);
        for r in &rows {
            let path = path_of(r["url"].as_str().unwrap());
            let e = &exp["articles"][&path];
            assert_eq!(r["version"], 1);
            assert_eq!(r["title"], e["title"], "{path}");
            assert_eq!(r["body"], e["body"], "{path}");
            assert_eq!(r["authors"], e["authors"], "{path}");
            let published = r["published_at"].as_str().map(|s| s.replace(".000Z", "Z"));
            assert_eq!(published.as_deref(), e["published_at"].as_str(), "{path}");
            let lang = r["language"].as_str().unwrap();
            assert!(
                lang.starts_with(e["language"].as_str().unwrap()),
                "{path}: {lang}"
            );
            assert!(r["fetched_at"].as_str().unwrap().ends_with('Z'));
        }
        // Traps: no read-also, previous-article, sidebar or pagination page was ever requested.
        for req in page_requests(&server.requests()) {
            assert!(
                chain.contains(&req.path().to_string()),
                "{site}: followed a trap: {}",
                req.target
            );
            assert!(
                !req.target.contains('?'),
                "{site}: followed pagination: {}",
                req.target
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn user_agent_is_honest_and_robots_fetched_once() {
    let server = serve_site("en").await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let chain = chain("en");
    let out = crawl(
        &server.url(&chain[0]),
        &db,
        "UTC",
        &["--contact", "archive@example.org"],
    )
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let log = server.requests();
    assert_eq!(log.iter().filter(|r| r.path() == "/robots.txt").count(), 1);
    assert_eq!(log[0].path(), "/robots.txt", "robots.txt comes first");
    for r in &log {
        let ua = r.header("user-agent").unwrap();
        assert!(
            ua.starts_with("arshif/") && ua.ends_with("archive@example.org"),
            "{ua}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn robots_txt_is_obeyed() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 4, false);
    std::fs::write(
        site.join("robots.txt"),
        format!("User-agent: *\nDisallow: {}\n", paths[2]),
    )
    .unwrap();
    let server = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    let out = crawl(&server.url(&paths[0]), &db, "UTC", &[]).await;
    assert_eq!(
        code(&out),
        0,
        "a robots stop is a clean end: {}",
        stderr(&out)
    );
    assert_eq!(export(&db).await.len(), 2);
    assert!(!server.requests().iter().any(|r| r.path() == paths[2]));
    let skipped: i64 = fetches_with_outcome(&db, "robots_disallowed");
    assert_eq!(skipped, 1, "the disallowed page is recorded");

    // --ignore-robots walks on.
    let db2 = dir.path().join("b.db");
    let out = crawl(&server.url(&paths[0]), &db2, "UTC", &["--ignore-robots"]).await;
    assert_eq!(code(&out), 0);
    assert_eq!(export(&db2).await.len(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limit_holds_between_requests() {
    /// Requests per second asked for.
    const RATE: f64 = 8.0;
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 5, false);
    let server = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    let out = arshif(args(&[
        "crawl",
        &server.url(&paths[0]),
        "--db",
        db.to_str().unwrap(),
        "--rate",
        "8",
    ]))
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let log = server.requests();
    assert_eq!(log.len(), 6, "robots.txt and five pages");
    let interval = Duration::from_secs_f64(1.0 / RATE);
    for pair in log.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap + TOLERANCE >= interval,
            "gap {gap:?} under the {interval:?} interval"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_is_honoured_on_429_and_503() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 3, false);
    let server = serve_dir(&site).await;
    for status in [503, 429] {
        server.push_fault(
            &paths[1],
            Fault {
                status,
                headers: vec![("Retry-After".into(), "1".into())],
                body: b"busy".to_vec(),
            },
        );
    }
    let db = dir.path().join("a.db");
    let out = crawl(&server.url(&paths[0]), &db, "UTC", &[]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        export(&db).await.len(),
        3,
        "the page is archived after the retries"
    );
    let hits: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path() == paths[1])
        .collect();
    assert_eq!(
        hits.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![503, 429, 200]
    );
    for pair in hits.windows(2) {
        assert!(
            pair[1].at - pair[0].at + TOLERANCE >= Duration::from_secs(1),
            "Retry-After not waited"
        );
    }
    let retried: i64 = fetches_with_outcome(&db, "retried");
    assert_eq!(retried, 2, "every attempt is recorded");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_that_keeps_failing_exits_2_and_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 3, false);
    let server = serve_dir(&site).await;
    for _ in 0..3 {
        server.push_fault(
            &paths[1],
            Fault {
                status: 500,
                headers: vec![],
                body: b"oops".to_vec(),
            },
        );
    }
    let db = dir.path().join("a.db");
    let out = crawl(&server.url(&paths[0]), &db, "UTC", &[]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(
        server
            .requests()
            .iter()
            .filter(|r| r.path() == paths[1])
            .count(),
        3,
        "three attempts in all"
    );
    assert_eq!(export(&db).await.len(), 1);
    let failed: i64 = sql(&db)
        .query_row(
            "SELECT count(*) FROM fetches WHERE outcome = 'http_error' AND status = 500",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(failed, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cycle_ends_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 3, true);
    let server = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    let out = crawl(&server.url(&paths[0]), &db, "UTC", &[]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(export(&db).await.len(), 3);
    assert_eq!(page_requests(&server.requests()).len(), 3, "each page once");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_fetched_ahead_past_an_article_cycle_is_logged_unused_not_archived() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 4, false);
    // Page 3 repeats page 2 under another URL (its canonical names page 2): the walk ends there
    // with a cycle, after page 4 was already requested ahead. A footer of 5,000 tag links makes
    // page 3 slow to extract, so the request for page 4 is sent (at 50 requests/s) before the cycle is known.
    let tags: String = (0..5000)
        .map(|i| format!(r#"<li><a href="/tag/{i}.html">tag {i}</a></li>"#))
        .collect();
    let repeat = article_page("Council story number 2", PARAGRAPHS, Some(&paths[3]))
        .replace(
            "</head>",
            &format!(r#"<link rel="canonical" href="{}"></head>"#, paths[1]),
        )
        .replace("</footer>", &format!("<ul>{tags}</ul></footer>"));
    std::fs::write(site.join("a/3.html"), repeat).unwrap();
    let server = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    let out = crawl(&server.url(&paths[0]), &db, "UTC", &[]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let urls: Vec<String> = export(&db)
        .await
        .iter()
        .map(|r| path_of(r["url"].as_str().unwrap()))
        .collect();
    assert_eq!(urls, paths[..2], "page 4 is never archived");
    let fourth: Vec<(String, Option<String>)> = sql(&db)
        .prepare("SELECT outcome, error FROM fetches WHERE url LIKE '%/a/4.html'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let requested = page_requests(&server.requests())
        .iter()
        .filter(|r| r.path() == paths[3])
        .count();
    assert_eq!(fourth.len(), requested, "every request is in the fetch log");
    assert_eq!(requested, 1, "page 4 was fetched ahead once: {fourth:?}");
    assert_eq!(fourth[0].0, "unused");
    assert!(fourth[0].1.as_deref().unwrap().contains("fetched ahead"));
    let end: String = sql(&db)
        .query_row("SELECT end_reason FROM runs", [], |r| r.get(0))
        .unwrap();
    assert!(end.contains("already visited"), "{end}");
}

#[tokio::test(flavor = "multi_thread")]
async fn dead_ends_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 3, false);
    // The last page's next link points at a page that does not exist (404).
    std::fs::write(
        site.join("a/3.html"),
        article_page(
            "Council story number 3",
            PARAGRAPHS,
            Some("/a/missing.html"),
        ),
    )
    .unwrap();
    // The second page's off-site twin: its next link leaves the host.
    let server = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    let out = crawl(&server.url(&paths[0]), &db, "UTC", &[]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(export(&db).await.len(), 3);

    std::fs::write(
        site.join("a/3.html"),
        article_page(
            "Council story number 3",
            PARAGRAPHS,
            Some("http://127.0.0.2:9/x.html"),
        ),
    )
    .unwrap();
    let db2 = dir.path().join("b.db");
    let out = crawl(&server.url(&paths[0]), &db2, "UTC", &[]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let off: i64 = fetches_with_outcome(&db2, "off_site");
    assert_eq!(off, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn redirect_out_of_scope_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 3, false);
    let server = serve_dir(&site).await;
    server.push_fault(
        &paths[1],
        Fault {
            status: 301,
            headers: vec![("Location".into(), "http://127.0.0.2:9/elsewhere".into())],
            body: vec![],
        },
    );
    let db = dir.path().join("a.db");
    let out = crawl(&server.url(&paths[0]), &db, "UTC", &[]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let bad: i64 = fetches_with_outcome(&db, "bad_redirect");
    assert_eq!(bad, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_makes_one_version_and_furniture_none() {
    let server = serve_site("ar").await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let chain = chain("ar");
    let tz = timezone("ar");
    assert_eq!(code(&crawl(&server.url(&chain[0]), &db, tz, &[]).await), 0);

    // Unchanged recrawl: conditional requests, 304s, no version.
    server.clear_log();
    assert_eq!(code(&crawl(&server.url(&chain[0]), &db, tz, &[]).await), 0);
    assert_eq!(export(&db).await.len(), chain.len());
    let pages = page_requests(&server.requests());
    assert_eq!(pages.len(), chain.len(), "a recrawl walks the whole chain");
    assert!(
        pages
            .iter()
            .all(|r| r.header("if-none-match").is_some() && r.status == 304)
    );

    // The edited state: one real edit, one furniture-only change.
    server.set_overlay(Some(fixtures().join("edits/ar")));
    assert_eq!(code(&crawl(&server.url(&chain[0]), &db, tz, &[]).await), 0);
    let rows = export(&db).await;
    let edits = &expected("ar")["edits"];
    for path in &chain {
        let versions = rows
            .iter()
            .filter(|r| path_of(r["url"].as_str().unwrap()) == *path)
            .count();
        let want = if edits[path] == "new_version" { 2 } else { 1 };
        assert_eq!(versions, want, "{path}");
    }
    let edited = serde_json::from_slice::<serde_json::Value>(
        &std::fs::read(fixtures().join("expected/edited/ar.json")).unwrap(),
    )
    .unwrap();
    let v2 = rows.iter().find(|r| r["version"] == 2).unwrap();
    let path = path_of(v2["url"].as_str().unwrap());
    assert_eq!(v2["body"], edited["articles"][&path]["body"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rule_change_on_unchanged_pages_adds_no_version() {
    let server = serve_site("ar").await;
    server.set_etags(false);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let chain = chain("ar");
    let tz = timezone("ar");
    assert_eq!(code(&crawl(&server.url(&chain[0]), &db, tz, &[]).await), 0);
    // The same pages, now read with a site rule whose output differs from the generic one.
    let out = crawl(
        &server.url(&chain[0]),
        &db,
        tz,
        &["--body-selector", ".entry-content > p:first-of-type"],
    )
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        export(&db).await.len(),
        chain.len(),
        "no false versions after a rule change"
    );
    let unchanged: i64 = fetches_with_outcome(&db, "unchanged");
    assert_eq!(unchanged, chain.len() as i64);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_extractor_upgrade_on_unchanged_pages_adds_no_version() {
    let server = serve_site("ar").await;
    server.set_etags(false);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let chain = chain("ar");
    let tz = timezone("ar");
    assert_eq!(code(&crawl(&server.url(&chain[0]), &db, tz, &[]).await), 0);
    // As an older extractor would have left them: other text, another hash, its own version.
    // (Versions are append-only; the test lifts the guard to forge the past.)
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER versions_append_only_update;
         UPDATE versions SET extractor_version = 'arshif-extract/0',
                             body = substr(body, 1, 40),
                             content_hash = 'sha256:' || hex(randomblob(32));
         CREATE TRIGGER versions_append_only_update BEFORE UPDATE ON versions
         BEGIN SELECT RAISE(ABORT, 'versions are append-only'); END;",
    )
    .unwrap();
    drop(conn);
    let out = crawl(&server.url(&chain[0]), &db, tz, &[]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        export(&db).await.len(),
        chain.len(),
        "no false versions after an extractor upgrade"
    );
    assert_eq!(fetches_with_outcome(&db, "unchanged"), chain.len() as i64);
}

#[tokio::test(flavor = "multi_thread")]
async fn charset_from_the_header_decodes_arabic() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("a")).unwrap();
    let title = "الأمن الوطني يفكك شبكة إجرامية بمدينة طنجة";
    let para = "أعلنت المديرية العامة للأمن الوطني، اليوم الخميس، عن تفكيك شبكة إجرامية تنشط في مدينة طنجة، وحجز كميات من المخدرات.";
    let html = format!(
        "<html lang=\"ar\"><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{para}</p><p>{para}</p></article></body></html>"
    );
    std::fs::write(
        site.join("a/1.html"),
        encoding_rs::WINDOWS_1256.encode(&html).0,
    )
    .unwrap();
    let server = serve_dir(&site).await;
    server.set_header(
        "/a/1.html",
        "Content-Type",
        "text/html; charset=windows-1256",
    );
    let db = dir.path().join("a.db");
    let out = crawl(&server.url("/a/1.html"), &db, "UTC", &[]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = export(&db).await;
    assert_eq!(rows[0]["title"], title);
    assert!(rows[0]["body"].as_str().unwrap().starts_with(para));
    assert_eq!(rows[0]["language"], "ar");
}

#[tokio::test(flavor = "multi_thread")]
async fn max_articles_bounds_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 5, false);
    let server = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    let out = crawl(&server.url(&paths[0]), &db, "UTC", &["--max-articles", "2"]).await;
    assert_eq!(code(&out), 0);
    assert_eq!(export(&db).await.len(), 2);
    assert_eq!(page_requests(&server.requests()).len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_author_or_date_change_alone_is_noted_not_versioned() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("a")).unwrap();
    let page = |author: &str, date: &str| {
        format!(
            r#"<html lang="en"><head><title>Council votes on the budget | Site</title>
            <meta property="article:published_time" content="{date}"></head><body><article>
            <h1>Council votes on the budget</h1><p class="byline">By {author}</p>
            <p>{}</p><p>{}</p></article></body></html>"#,
            PARAGRAPHS[0], PARAGRAPHS[1]
        )
    };
    std::fs::write(
        site.join("a/1.html"),
        page("Jane Doe", "2026-11-20T10:00:00Z"),
    )
    .unwrap();
    let server = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    assert_eq!(
        code(&crawl(&server.url("/a/1.html"), &db, "UTC", &[]).await),
        0
    );
    std::fs::write(
        site.join("a/1.html"),
        page("John Smith", "2026-11-21T10:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        code(&crawl(&server.url("/a/1.html"), &db, "UTC", &[]).await),
        0
    );
    assert_eq!(
        export(&db).await.len(),
        1,
        "metadata alone is not a new version"
    );
    let note: String = sql(&db)
        .query_row(
            "SELECT note FROM fetches WHERE outcome = 'unchanged'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        note.contains("John Smith") && note.contains("published_at"),
        "{note}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_robots_txt_forbids_the_host_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 2, false);
    let server = serve_dir(&site).await;
    for _ in 0..3 {
        server.push_fault(
            "/robots.txt",
            Fault {
                status: 503,
                headers: vec![],
                body: b"down".to_vec(),
            },
        );
    }
    let db = dir.path().join("a.db");
    let out = crawl(&server.url(&paths[0]), &db, "UTC", &[]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        page_requests(&server.requests()).is_empty(),
        "no page is fetched without robots.txt"
    );
    assert!(export(&db).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn resolve_gives_a_name_to_a_loopback_server() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 2, false);
    let server = serve_dir(&site).await;
    let port = server.addr.port();
    let db = dir.path().join("a.db");
    let url = format!("http://news.example:{port}{}", paths[0]);
    let resolve = format!("news.example:{port}:127.0.0.1");
    let out = crawl(&url, &db, "UTC", &["--resolve", &resolve]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = export(&db).await;
    assert_eq!(rows.len(), 2);
    assert!(
        rows[0]["url"]
            .as_str()
            .unwrap()
            .starts_with("http://news.example:")
    );
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.header("host").unwrap().starts_with("news.example"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_two_step_redirect_loop_is_named_and_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 3, false);
    let server = serve_dir(&site).await;
    let to = |target: &str| Fault {
        status: 302,
        headers: vec![("Location".into(), target.into())],
        body: vec![],
    };
    server.push_fault(&paths[1], to("/loop.html"));
    server.push_fault("/loop.html", to(&paths[1]));
    let db = dir.path().join("a.db");
    let out = crawl(&server.url(&paths[0]), &db, "UTC", &[]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let error: String = sql(&db)
        .query_row(
            "SELECT error FROM fetches WHERE outcome = 'bad_redirect'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(error.contains("loop"), "{error}");
    assert!(server.requests().len() <= 5, "the loop is cut at once");
}

#[tokio::test(flavor = "multi_thread")]
async fn redirects_to_other_schemes_and_long_chains_are_refused() {
    let to = |target: &str| Fault {
        status: 302,
        headers: vec![("Location".into(), target.into())],
        body: vec![],
    };
    for (target, reason) in [
        ("file:///etc/passwd", "non-HTTP"),
        ("ftp://127.0.0.1/a.html", "non-HTTP"),
        ("data:text/html,<h1>x</h1>", "non-HTTP"),
        ("javascript:alert(1)", "non-HTTP"),
        ("/hop/0.html", "more than 10 redirects"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        let paths = write_chain(&site, 3, false);
        let server = serve_dir(&site).await;
        server.push_fault(&paths[1], to(target));
        // A chain of distinct hops, longer than the limit.
        for i in 0..20 {
            server.push_fault(
                &format!("/hop/{i}.html"),
                to(&format!("/hop/{}.html", i + 1)),
            );
        }
        let db = dir.path().join("a.db");
        let out = crawl(&server.url(&paths[0]), &db, "UTC", &[]).await;
        assert_eq!(code(&out), 2, "{target}: {}", stderr(&out));
        let error: String = sql(&db)
            .query_row(
                "SELECT error FROM fetches WHERE outcome = 'bad_redirect'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(error.contains(reason), "{target}: {error}");
        assert_eq!(export(&db).await.len(), 1, "{target}: the first page only");
        let hops = server
            .requests()
            .iter()
            .filter(|r| r.path().starts_with("/hop/"))
            .count();
        assert!(hops <= 10, "{target}: {hops} hops followed");
    }
}
