//! Hostile servers: a good article whose next link leads into a server that misbehaves. The
//! chain must end cleanly: the good page archived once, the failure recorded, exit code 2.

mod common;

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the server answers `/bad.html`.
#[derive(Clone)]
enum Misbehaviour {
    /// Headers, then one byte every 200 ms, for ever.
    Trickle,
    /// Accepts, reads the request, never answers.
    Silent,
    /// 12 MiB with no Content-Length, ended by closing the connection.
    HugeUnlabelled,
    /// Content-Length 200 MiB, then as much of it as the client will take.
    HugeLabelled,
    /// A small body in this Content-Encoding that inflates past the size limit.
    Bomb(&'static str, Arc<Vec<u8>>),
    /// Content-Length 100000, then 2000 bytes and a closed connection.
    Truncated,
    /// Headers that are not HTTP.
    Malformed,
    /// Half the body, then a TCP reset.
    Reset,
    /// Raw bytes as the whole answer (status line and headers included).
    Raw(Arc<Vec<u8>>),
}

fn good_page() -> String {
    article_page("Council story number 1", PARAGRAPHS, Some("/bad.html"))
}

async fn serve(mut sock: TcpStream, how: Misbehaviour) {
    let mut buf = vec![0u8; 4096];
    let n = sock.read(&mut buf).await.unwrap_or(0);
    let request = String::from_utf8_lossy(&buf[..n]).to_string();
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
    let simple = |status: &str, ctype: &str, body: &[u8]| {
        let mut r = format!("HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
        r.extend_from_slice(body);
        r
    };
    match path.as_str() {
        "/robots.txt" => {
            let _ = sock
                .write_all(&simple(
                    "200 OK",
                    "text/plain",
                    b"User-agent: *\nAllow: /\n",
                ))
                .await;
        }
        "/good.html" => {
            let _ = sock
                .write_all(&simple(
                    "200 OK",
                    "text/html; charset=utf-8",
                    good_page().as_bytes(),
                ))
                .await;
        }
        "/bad.html" => {
            match how {
                Misbehaviour::Trickle => {
                    let _ = sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>").await;
                    for _ in 0..100 {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        if sock.write_all(b"a").await.is_err() {
                            break;
                        }
                    }
                }
                Misbehaviour::Silent => tokio::time::sleep(Duration::from_secs(20)).await,
                Misbehaviour::HugeUnlabelled => {
                    let _ = sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n").await;
                    let chunk = vec![b'a'; 64 * 1024];
                    for _ in 0..(12 * 16) {
                        if sock.write_all(&chunk).await.is_err() {
                            break;
                        }
                    }
                }
                Misbehaviour::HugeLabelled => {
                    let _ = sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 209715200\r\nConnection: close\r\n\r\n").await;
                    let chunk = vec![b'a'; 64 * 1024];
                    for _ in 0..(200 * 16) {
                        if sock.write_all(&chunk).await.is_err() {
                            break;
                        }
                    }
                }
                Misbehaviour::Bomb(encoding, bytes) => {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: {encoding}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        bytes.len()
                    );
                    let _ = sock.write_all(head.as_bytes()).await;
                    let _ = sock.write_all(&bytes).await;
                }
                Misbehaviour::Truncated => {
                    let _ = sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n").await;
                    let _ = sock.write_all(&[b'a'; 2000]).await;
                }
                Misbehaviour::Malformed => {
                    let _ = sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Type text/html\r\n: :\r\n\x00\x01 garbage\r\n\r\n<html>").await;
                }
                Misbehaviour::Raw(bytes) => {
                    let _ = sock.write_all(&bytes).await;
                }
                Misbehaviour::Reset => {
                    let _ = sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n").await;
                    let _ = sock.write_all(&[b'a'; 50_000]).await;
                    // Linger 0: closing sends a reset, not a clean end.
                    let _ = sock.set_zero_linger();
                    drop(sock);
                    return;
                }
            }
        }
        _ => {
            let _ = sock
                .write_all(&simple("404 Not Found", "text/html", b"not found"))
                .await;
        }
    }
    let _ = sock.shutdown().await;
}

async fn start(how: Misbehaviour) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        // Bounded: a handful of connections is all one crawl makes.
        for _ in 0..32 {
            let Ok((sock, _)) = listener.accept().await else {
                break;
            };
            tokio::spawn(serve(sock, how.clone()));
        }
    });
    format!("http://{addr}/good.html")
}

async fn crawl_into(how: Misbehaviour, extra: &[&str]) -> (i32, String, String) {
    let url = start(how).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let out = crawl(&url, &db, "UTC", extra).await;
    let rows = export(&db).await;
    assert_eq!(rows.len(), 1, "the good page, once");
    let conn = sql(&db);
    let (outcome, error): (String, String) = conn
        .query_row(
            "SELECT outcome, coalesce(error, '') FROM fetches WHERE url LIKE '%/bad.html' ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_intact(&db);
    (code(&out), outcome, error)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trickling_server_is_cut_by_the_timeout() {
    let (code, outcome, _) = crawl_into(Misbehaviour::Trickle, &["--timeout", "2"]).await;
    assert_eq!((code, outcome.as_str()), (2, "timeout"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_answers_is_cut_by_the_timeout() {
    let (code, outcome, _) = crawl_into(Misbehaviour::Silent, &["--timeout", "1"]).await;
    assert_eq!((code, outcome.as_str()), (2, "timeout"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_body_without_length_is_refused_at_the_limit() {
    let (code, outcome, error) = crawl_into(Misbehaviour::HugeUnlabelled, &[]).await;
    assert_eq!((code, outcome.as_str()), (2, "too_large"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_body_with_length_is_refused_before_it_is_read() {
    let (code, outcome, error) = crawl_into(Misbehaviour::HugeLabelled, &[]).await;
    assert_eq!((code, outcome.as_str()), (2, "too_large"), "{error}");
    assert!(error.contains("Content-Length 209715200"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gzip_bomb_stops_at_the_limit() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..64 {
        gz.write_all(&zeros).unwrap();
    }
    let bomb = gz.finish().unwrap();
    assert!(
        bomb.len() < 1024 * 1024,
        "64 MiB of zeros compress to {} bytes",
        bomb.len()
    );
    let (code, outcome, error) = crawl_into(Misbehaviour::Bomb("gzip", Arc::new(bomb)), &[]).await;
    assert_eq!((code, outcome.as_str()), (2, "too_large"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_brotli_bomb_stops_at_the_limit() {
    let mut bomb = Vec::new();
    {
        let mut br = brotli::CompressorWriter::new(&mut bomb, 64 * 1024, 5, 22);
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..64 {
            br.write_all(&zeros).unwrap();
        }
    }
    assert!(
        bomb.len() < 1024 * 1024,
        "64 MiB of zeros compress to {} bytes",
        bomb.len()
    );
    let (code, outcome, error) = crawl_into(Misbehaviour::Bomb("br", Arc::new(bomb)), &[]).await;
    assert_eq!((code, outcome.as_str()), (2, "too_large"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn truncated_reset_and_malformed_answers_are_network_errors() {
    for how in [
        Misbehaviour::Truncated,
        Misbehaviour::Reset,
        Misbehaviour::Malformed,
    ] {
        let (code, outcome, error) = crawl_into(how, &[]).await;
        assert_eq!((code, outcome.as_str()), (2, "network_error"), "{error}");
        assert!(!error.is_empty());
    }
}

/// Crawls into an answer that is odd but not an attack; returns the exit code, the outcome of
/// `/bad.html` and how many versions were stored.
async fn crawl_odd(answer: Vec<u8>) -> (i32, String, usize) {
    let url = start(Misbehaviour::Raw(Arc::new(answer))).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let out = crawl(&url, &db, "UTC", &[]).await;
    let rows = export(&db).await;
    let conn = sql(&db);
    let outcome: String = conn
        .query_row(
            "SELECT outcome FROM fetches WHERE url LIKE '%/bad.html' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_intact(&db);
    (code(&out), outcome, rows.len())
}

fn page_answer(head: &str, body: &[u8]) -> Vec<u8> {
    let mut r = head.as_bytes().to_vec();
    r.extend_from_slice(body);
    r
}

#[tokio::test(flavor = "multi_thread")]
async fn odd_but_honest_answers_end_cleanly() {
    let article = article_page("Council story number 2", PARAGRAPHS, None);
    // HTTP/1.0 without a length, ended by closing: a normal page.
    let (code, outcome, versions) = crawl_odd(page_answer(
        "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n",
        article.as_bytes(),
    ))
    .await;
    assert_eq!((code, outcome.as_str(), versions), (0, "archived", 2));
    // Invalid UTF-8 under a UTF-8 label: archived, the bad bytes replaced.
    let mut broken = article.clone().into_bytes();
    let at = broken.len() / 2;
    broken.splice(at..at, [0xff, 0xfe, 0xc3]);
    let (code, outcome, versions) = crawl_odd(page_answer(
        &format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n", broken.len()),
        &broken,
    ))
    .await;
    assert_eq!((code, outcome.as_str(), versions), (0, "archived", 2));
    // A charset that does not exist: detected instead.
    let (code, outcome, versions) = crawl_odd(page_answer(
        &format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=x-no-such-charset\r\nContent-Length: {}\r\n\r\n", article.len()),
        article.as_bytes(),
    ))
    .await;
    assert_eq!((code, outcome.as_str(), versions), (0, "archived", 2));
    // A PNG labelled as HTML, and an empty 200: no article, nothing stored, not a failure.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    for body in [&png[..], b""] {
        let (code, outcome, versions) = crawl_odd(page_answer(
            &format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n",
                body.len()
            ),
            body,
        ))
        .await;
        assert_eq!((code, outcome.as_str(), versions), (0, "no_article", 1));
    }
}

/// Writes `/a/1.html`, whose next link leads to `/x.html` holding `page`, into a fresh site.
fn site_leading_to(page: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("a")).unwrap();
    std::fs::write(
        site.join("a/1.html"),
        good_page().replace("/bad.html", "/x.html"),
    )
    .unwrap();
    std::fs::write(site.join("x.html"), page).unwrap();
    std::fs::write(site.join("robots.txt"), "User-agent: *\nAllow: /\n").unwrap();
    (dir, site)
}

#[tokio::test(flavor = "multi_thread")]
async fn walls_store_no_version_but_breaking_news_is_kept() {
    let wall = |title: &str, text: &str| {
        format!(
            r#"<!DOCTYPE html><html><head><title>{title}</title></head><body><header><a href="/">Home</a></header><main><h1>{title}</h1><p>{text}</p></main></body></html>"#
        )
    };
    let walls = [
        wall(
            "Sign in",
            "Please log in to continue reading this article. Subscribers get unlimited access.",
        ),
        wall(
            "429 Too Many Requests",
            "You have sent too many requests in a given amount of time. Please try again later.",
        ),
        wall(
            "تسجيل الدخول",
            "يرجى تسجيل الدخول لمواصلة قراءة هذا المقال على موقعنا.",
        ),
    ];
    for page in &walls {
        let (dir, site) = site_leading_to(page);
        let server = serve_dir(&site).await;
        let db = dir.path().join("a.db");
        let out = crawl(&server.url("/a/1.html"), &db, "UTC", &[]).await;
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(export(&db).await.len(), 1, "the wall is not an article");
        assert_eq!(fetches_with_outcome(&db, "no_article"), 1);
    }
    // A two-line «عاجل» is news, however short.
    let breaking = r#"<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>عاجل</title></head><body><header><a href="/">الرئيسية</a></header><article><h1>عاجل</h1><p>عاجل: زلزال بقوة 5 درجات يضرب إقليم الحوز دون تسجيل خسائر.</p><p>التفاصيل لاحقا.</p></article></body></html>"#;
    let (dir, site) = site_leading_to(breaking);
    let server = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    let out = crawl(&server.url("/a/1.html"), &db, "UTC", &[]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = export(&db).await;
    assert_eq!(rows.len(), 2);
    assert!(rows[1]["body"].as_str().unwrap().contains("زلزال"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_known_article_behind_a_wall_keeps_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 2, false);
    let server = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    let out = crawl(&server.url(&paths[0]), &db, "UTC", &[]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The article now answers 200 with a login wall in its place.
    std::fs::write(
        site.join(&paths[1][1..]),
        r#"<html><head><title>Subscribe</title></head><body><main><p>Subscribe to continue reading: this content is for members only.</p></main></body></html>"#,
    )
    .unwrap();
    let out = crawl(&server.url(&paths[0]), &db, "UTC", &[]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = export(&db).await;
    assert_eq!(rows.len(), 2, "no version made of the wall");
    assert!(rows.iter().all(|r| r["version"] == 1));
    assert_eq!(fetches_with_outcome(&db, "no_article"), 1);
}

/// Runs the binary, sampling its peak resident memory (`VmHWM`) until it exits.
async fn run_measuring_memory(args: Vec<String>) -> (std::process::Output, u64) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_arshif"))
        .args(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id().unwrap());
    let mut peak_kib = 0u64;
    while child.try_wait().unwrap().is_none() {
        if let Ok(text) = std::fs::read_to_string(&status)
            && let Some(kib) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_kib = peak_kib.max(kib);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    (child.wait_with_output().await.unwrap(), peak_kib * 1024)
}

/// An article page with `extra` markup after the article and a next link after that.
fn heavy_page(title: &str, extra: &str, next: Option<&str>) -> String {
    let next = next
        .map(|n| format!(r#"<a href="{n}">Next article</a>"#))
        .unwrap_or_default();
    let paras: String = PARAGRAPHS.iter().map(|p| format!("<p>{p}</p>")).collect();
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Test Site</title></head>
<body><article><h1>{title}</h1>{paras}</article>{extra}<div class="post-nav">{next}</div></body></html>"#
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn deep_nesting_a_huge_paragraph_and_many_links_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("a")).unwrap();
    std::fs::write(site.join("robots.txt"), "User-agent: *\nAllow: /\n").unwrap();
    let nested = format!(
        "{}deep{}",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    // 9 MB of text in one paragraph, in words so that every layer has work to do.
    let sentence = "The council voted again on the budget for roads and schools. ";
    let huge = format!("<p>{}</p>", sentence.repeat(9_000_000 / sentence.len()));
    let links: String = (0..100_000)
        .map(|i| format!(r#"<a href="/links/{i}.html">Related story {i}</a> "#))
        .collect();
    let pages = [
        ("/a/1.html", "Deeply nested story", nested.as_str()),
        ("/a/2.html", "Endless paragraph story", huge.as_str()),
        ("/a/3.html", "Story with many links", links.as_str()),
        ("/a/4.html", "Last story", ""),
    ];
    for (i, (path, title, extra)) in pages.iter().enumerate() {
        let next = pages.get(i + 1).map(|p| p.0);
        std::fs::write(site.join(&path[1..]), heavy_page(title, extra, next)).unwrap();
    }
    let server = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    let mut a = args(&["crawl", &server.url("/a/1.html"), "--db"]);
    a.extend([
        db.to_str().unwrap().to_string(),
        "--rate".into(),
        "50".into(),
    ]);
    let (out, peak) = run_measuring_memory(a).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = export(&db).await;
    let titles: Vec<&str> = rows.iter().map(|r| r["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "Deeply nested story",
            "Endless paragraph story",
            "Story with many links",
            "Last story"
        ]
    );
    assert!(
        rows[1]["body"].as_str().unwrap().len() > 8_000_000,
        "the long paragraph is archived whole"
    );
    let fetched = server.requests().len();
    assert!(
        fetched <= 5,
        "only the chain is fetched, not its links: {fetched}"
    );
    assert_intact(&db);
    // Several copies of a 9 MB page are expected; hundreds of megabytes would mean a blow-up.
    assert!(peak < 400 << 20, "peak resident memory {} MiB", peak >> 20);
    eprintln!("peak resident memory: {} MiB", peak >> 20);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_may_read_smaller_pages_than_the_default() {
    let server = serve_site("ar").await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let first = server.url(&chain("ar")[0]);
    let out = crawl(&first, &db, "UTC", &["--max-page-bytes", "2000"]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let outcome: String = sql(&db)
        .query_row(
            "SELECT outcome FROM fetches WHERE url = ?1 ORDER BY id DESC LIMIT 1",
            [&first],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(outcome, "too_large");
}
