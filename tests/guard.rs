//! The address guard, proven with `--resolve`: public-looking names mapped to loopback
//! addresses. The crawl may use the addresses its start host resolved to, and no other
//! loopback, private, link-local or metadata address, whatever the name.

mod common;

use arshif::fixture_server::Fault;
use common::*;

/// A two-page chain on `news.example`, whose second page links to `target`.
async fn chain_linking_to(
    target: &str,
) -> (tempfile::TempDir, arshif::fixture_server::FixtureServer) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("a")).unwrap();
    std::fs::write(
        site.join("a/1.html"),
        article_page("Council story number 1", PARAGRAPHS, Some("/a/2.html")),
    )
    .unwrap();
    std::fs::write(
        site.join("a/2.html"),
        article_page("Council story number 2", PARAGRAPHS, Some(target)),
    )
    .unwrap();
    std::fs::write(site.join("robots.txt"), "User-agent: *\nAllow: /\n").unwrap();
    let server = serve_dir(&site).await;
    (dir, server)
}

#[tokio::test(flavor = "multi_thread")]
async fn links_to_other_private_addresses_are_refused_on_the_resolved_address() {
    for (target, resolve, allow) in [
        // A name that resolves to another loopback address.
        (
            "http://internal.example:8080/secret",
            Some("internal.example:8080:127.0.0.2"),
            "internal.example:8080",
        ),
        // The cloud metadata endpoint, as an address.
        (
            "http://169.254.169.254/latest/meta-data/",
            None,
            "169.254.169.254",
        ),
        // A private network address.
        ("http://10.0.0.7/admin", None, "10.0.0.7"),
    ] {
        let (dir, server) = chain_linking_to(target).await;
        let port = server.addr.port();
        let start = format!("http://news.example:{port}/a/1.html");
        let db = dir.path().join("a.db");
        let mut extra = vec![
            "--resolve".to_string(),
            format!("news.example:{port}:127.0.0.1"),
            "--allow-host".to_string(),
            allow.to_string(),
        ];
        if let Some(r) = resolve {
            extra.push("--resolve".into());
            extra.push(r.into());
        }
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let out = crawl(&start, &db, "UTC", &extra).await;
        // The start host's own address is allowed: both pages are archived.
        assert_eq!(export(&db).await.len(), 2, "{target}: {}", stderr(&out));
        assert_eq!(
            code(&out),
            2,
            "{target}: a refused destination is a failure"
        );
        assert_eq!(fetches_with_outcome(&db, "blocked_address"), 1, "{target}");
        let error: String = sql(&db)
            .query_row(
                "SELECT error FROM fetches WHERE outcome = 'blocked_address'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(error.contains("refused to connect"), "{error}");
        assert_eq!(
            sql(&db)
                .query_row(
                    "SELECT count(*) FROM fetches WHERE url LIKE ?1",
                    [format!("{target}%")],
                    |r| r.get::<_, i64>(0)
                )
                .unwrap(),
            1,
            "{target}: refused once, never retried"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn redirects_to_private_addresses_are_refused() {
    let (dir, server) = chain_linking_to("/a/3.html").await;
    server.push_fault(
        "/a/3.html",
        Fault {
            status: 302,
            headers: vec![("location".into(), "http://metadata.example/latest/".into())],
            body: Vec::new(),
        },
    );
    let port = server.addr.port();
    let db = dir.path().join("a.db");
    let out = crawl(
        &format!("http://news.example:{port}/a/1.html"),
        &db,
        "UTC",
        &[
            "--resolve",
            &format!("news.example:{port}:127.0.0.1"),
            "--resolve",
            "metadata.example:80:169.254.169.254",
            "--allow-host",
            "metadata.example",
        ],
    )
    .await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(fetches_with_outcome(&db, "blocked_address"), 1);
    assert_eq!(export(&db).await.len(), 2);
}
