//! `arshif serve` over loopback against real archives: each route, status codes, JSON,
//! headers, hostile archived strings, takedowns, read-only serving beside a writer.

mod common;

use std::path::Path;
use std::process::Stdio;

use common::*;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

/// A running `arshif serve` and the address it listens on.
struct Server {
    /// Killed when dropped.
    _child: Child,
    addr: String,
}

impl Server {
    async fn start(db: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_arshif"))
            .args([
                "serve",
                "--db",
                db.to_str().unwrap(),
                "--bind",
                "127.0.0.1:0",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .await
            .unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        Server {
            _child: child,
            addr,
        }
    }

    async fn get(&self, target: &str) -> Answer {
        self.request("GET", target, &self.addr).await
    }

    /// One HTTP/1.1 request over a fresh connection, read to its end.
    async fn request(&self, method: &str, target: &str, host: &str) -> Answer {
        let mut socket = tokio::net::TcpStream::connect(&self.addr).await.unwrap();
        let head =
            format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        socket.write_all(head.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        socket.read_to_end(&mut raw).await.unwrap();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Answer {
            status,
            headers,
            body: body.to_string(),
        }
    }
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

fn query(url: &str) -> String {
    url::form_urlencoded::byte_serialize(url.as_bytes()).collect()
}

/// The Arabic fixture site archived, then archived again after its edits.
async fn arabic_archive(dir: &Path) -> (std::path::PathBuf, Vec<String>) {
    let server = serve_site("ar").await;
    let db = dir.join("a.db");
    let first = server.url(&chain("ar")[0]);
    assert_eq!(code(&crawl(&first, &db, timezone("ar"), &[]).await), 0);
    server.set_overlay(Some(fixtures().join("edits/ar")));
    assert_eq!(code(&crawl(&first, &db, timezone("ar"), &[]).await), 0);
    let urls = chain("ar").iter().map(|p| server.url(p)).collect();
    (db, urls)
}

fn digest(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_page_answers_with_its_headers_and_errors_are_pages() {
    let dir = tempfile::tempdir().unwrap();
    let (db, urls) = arabic_archive(dir.path()).await;
    let before = digest(&db);
    let server = Server::start(&db).await;

    let home = server.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("127.0.0.1"), "the site is listed");
    let policy = home.header("content-security-policy").unwrap();
    assert!(policy.contains("default-src 'none'") && !policy.contains("script-src"));
    assert_eq!(home.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(home.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(home.header("cache-control"), Some("no-store"));
    let overview = server.get("/?format=json").await.json();
    assert_eq!(overview["sites"][0]["articles"], urls.len());
    let changed = overview["latest_changes"][0]["url"]
        .as_str()
        .unwrap()
        .to_string();

    let page = server
        .get(&format!("/article?url={}", query(&changed)))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(r#"lang="ar" dir="rtl""#),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("version=1"),
        "the timeline links each version"
    );
    let json = server
        .get(&format!("/article?url={}&format=json", query(&changed)))
        .await
        .json();
    assert_eq!(json["version"], 2, "show's keys");
    assert_eq!(
        json["versions"].as_array().unwrap().len(),
        2,
        "history's keys"
    );
    assert!(json["fetches"].as_array().unwrap().len() >= 2);
    let first = server
        .get(&format!(
            "/article?url={}&version=1&format=json",
            query(&changed)
        ))
        .await
        .json();
    assert_eq!(first["version"], 1);
    assert_ne!(first["body"], json["body"]);

    for (target, status) in [
        ("/article".to_string(), 400),
        (format!("/article?url={}&version=x", query(&changed)), 400),
        (format!("/article?url={}&version=9", query(&changed)), 404),
        (format!("/article?url={}&at=soon", query(&changed)), 400),
        (
            "/article?url=http%3A%2F%2Fnowhere.example%2F".to_string(),
            404,
        ),
        ("/?format=xml".to_string(), 400),
        ("/no/such/page".to_string(), 404),
    ] {
        let answer = server.get(&target).await;
        assert_eq!(answer.status, status, "{target}: {}", answer.body);
        assert!(answer.body.contains("<h1>"), "an error is a page: {target}");
        assert_eq!(answer.header("cache-control"), Some("no-store"));
    }
    let post = server.request("POST", "/", &server.addr).await;
    assert_eq!(
        (post.status, post.header("allow")),
        (405, Some("GET, HEAD"))
    );
    let head = server.request("HEAD", "/", &server.addr).await;
    assert_eq!((head.status, head.body.as_str()), (200, ""));
    let rebound = server.request("GET", "/", "attacker.example").await;
    assert_eq!(rebound.status, 421, "DNS rebinding is refused");
    let localhost = server.addr.replace("127.0.0.1", "localhost");
    assert_eq!(server.request("GET", "/", &localhost).await.status, 200);

    drop(server);
    assert!(digest(&db) == before, "serving never changes the archive");
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_titles_and_bodies_show_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("a")).unwrap();
    let title =
        "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt;";
    let body = [
        "&lt;script&gt;document.title='owned'&lt;/script&gt; The council met on Thursday evening to discuss the budget, which includes new funding.",
        PARAGRAPHS[1],
        PARAGRAPHS[2],
    ];
    std::fs::write(site.join("a/1.html"), article_page(title, &body, None)).unwrap();
    let server = serve_dir(&site).await;
    let db = dir.path().join("h.db");
    let url = server.url("/a/1.html");
    assert_eq!(code(&crawl(&url, &db, "UTC", &[]).await), 0);
    let stored = export(&db).await;
    assert!(
        stored[0]["title"]
            .as_str()
            .unwrap()
            .contains("<script>alert(1)</script>")
    );

    let web = Server::start(&db).await;
    for target in ["/".to_string(), format!("/article?url={}", query(&url))] {
        let page = web.get(&target).await;
        assert_eq!(page.status, 200, "{target}");
        assert!(!page.body.contains("<script"), "{target}: {}", page.body);
        assert!(!page.body.contains("<img src=x"), "{target}");
    }
    let page = web.get(&format!("/article?url={}", query(&url))).await;
    assert!(
        page.body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || page.body.contains("&lt;script&gt;alert(1)")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_takedown_shows_only_its_tombstone_at_once_and_a_writer_is_never_blocked() {
    let dir = tempfile::tempdir().unwrap();
    let (db, urls) = arabic_archive(dir.path()).await;
    let server = Server::start(&db).await;
    let target = &urls[0];
    let before = server
        .get(&format!("/article?url={}&format=json", query(target)))
        .await;
    assert_eq!(before.status, 200);
    let body = before.json()["body"].as_str().unwrap().to_string();

    // The takedown runs while the server serves, and exits as it does without one.
    let out = arshif(args(&[
        "redact",
        target,
        "--db",
        db.to_str().unwrap(),
        "--reason",
        "court order 12/2026",
    ]))
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let page = server.get(&format!("/article?url={}", query(target))).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Taken down") && page.body.contains("court order 12/2026"));
    let phrase: String = body.chars().take(40).collect();
    assert!(
        !page.body.contains(&phrase),
        "no text of a redacted article"
    );
    let json = server
        .get(&format!("/article?url={}&format=json", query(target)))
        .await;
    assert!(!json.body.contains(&phrase));
    assert_eq!(json.json()["redaction_reason"], "court order 12/2026");
    let version = server
        .get(&format!("/article?url={}&version=1", query(target)))
        .await;
    assert_eq!(version.status, 410);
    let home = server.get("/?format=json").await;
    assert!(!home.body.contains(&phrase));
}

#[tokio::test(flavor = "multi_thread")]
async fn new_versions_show_without_a_restart_and_a_newer_schema_answers_503() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 2, false);
    let origin = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    let first = origin.url(&paths[0]);
    assert_eq!(code(&crawl(&first, &db, "UTC", &[]).await), 0);
    let server = Server::start(&db).await;
    let count = |v: serde_json::Value| v["sites"][0]["versions"].as_i64().unwrap();
    assert_eq!(count(server.get("/?format=json").await.json()), 2);

    // A crawl writes while the server serves: it is not blocked, and its version shows.
    let edited = article_page(
        "Council story number 1",
        &[PARAGRAPHS[2], PARAGRAPHS[0]],
        Some(&paths[1]),
    );
    std::fs::write(site.join(&paths[0][1..]), edited).unwrap();
    let (crawled, _) = tokio::join!(crawl(&first, &db, "UTC", &[]), server.get("/"));
    assert_eq!(code(&crawled), 0, "{}", stderr(&crawled));
    assert_eq!(count(server.get("/?format=json").await.json()), 3);

    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let upgraded = server.get("/").await;
    assert_eq!(upgraded.status, 503);
    assert!(upgraded.body.contains("restart"), "{}", upgraded.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_or_foreign_archive_exits_3_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.db");
    let out = arshif(args(&[
        "serve",
        "--db",
        missing.to_str().unwrap(),
        "--bind",
        "127.0.0.1:0",
    ]))
    .await;
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(!missing.exists(), "never created");
    let foreign = dir.path().join("notes.txt");
    std::fs::write(&foreign, "not an archive").unwrap();
    let out = arshif(args(&[
        "serve",
        "--db",
        foreign.to_str().unwrap(),
        "--bind",
        "127.0.0.1:0",
    ]))
    .await;
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&foreign).unwrap(), "not an archive");
}

#[tokio::test(flavor = "multi_thread")]
async fn articles_are_listed_newest_first_a_page_at_a_time_as_list_prints_them() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let paths = write_chain(&site, 55, false);
    let origin = serve_dir(&site).await;
    let db = dir.path().join("a.db");
    let crawled = crawl(&origin.url(&paths[0]), &db, "UTC", &[]).await;
    assert_eq!(code(&crawled), 0, "{}", stderr(&crawled));
    let server = Server::start(&db).await;

    let first = server.get("/articles?format=json").await;
    assert_eq!(first.status, 200);
    let next = first.header("link").expect("a next link").to_string();
    let next = next
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .to_string();
    assert!(next.contains("before="), "{next}");
    let second = server.get(&next).await;
    assert!(second.header("link").is_none(), "the last page");
    let mut listed: Vec<serde_json::Value> = first.json().as_array().unwrap().clone();
    assert_eq!(listed.len(), 50);
    listed.extend(second.json().as_array().unwrap().iter().cloned());

    // The same objects as `arshif list --format json`, newest first.
    let out = arshif(args(&[
        "list",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ]))
    .await;
    let mut cli: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    cli.reverse();
    assert_eq!(listed, cli);

    let html = server.get("/articles").await;
    assert!(html.body.contains(r#"rel="next""#) && html.body.contains("Council story number 55"));
    assert!(
        !html.body.contains("Council story number 5<"),
        "the oldest are on the next page"
    );
    let changed = server.get("/articles?changed=1&format=json").await.json();
    assert!(changed.as_array().unwrap().is_empty());
    assert_eq!(server.get("/articles?before=x").await.status, 400);
    assert_eq!(server.get("/articles?since=later").await.status, 400);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_diff_page_shows_diff_word_by_word_side_by_side_or_inline() {
    let dir = tempfile::tempdir().unwrap();
    let (db, urls) = arabic_archive(dir.path()).await;
    let server = Server::start(&db).await;
    let overview = server.get("/?format=json").await.json();
    let changed = overview["latest_changes"][0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let listed = server.get("/articles?format=json").await.json();
    let single = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["versions"] == 1)
        .map(|a| a["url"].as_str().unwrap().to_string())
        .unwrap();
    assert!(urls.contains(&single));

    let json = server
        .get(&format!("/diff?url={}&format=json", query(&changed)))
        .await
        .json();
    let out = arshif(args(&[
        "diff",
        &changed,
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ]))
    .await;
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json, cli, "the same document as diff --format json");
    assert!(json["chars_added"].as_u64().unwrap() + json["chars_removed"].as_u64().unwrap() > 0);

    let side = server.get(&format!("/diff?url={}", query(&changed))).await;
    assert_eq!(side.status, 200);
    assert!(
        side.body.contains(r#"class="side" lang="ar" dir="rtl""#),
        "{}",
        side.body
    );
    assert!(side.body.contains("<ins>") || side.body.contains("<del>"));
    assert!(side.body.contains("view=inline"), "a link toggles the view");
    assert!(
        side.body.contains("unchanged paragraph"),
        "unchanged paragraphs collapse"
    );
    let inline = server
        .get(&format!("/diff?url={}&view=inline", query(&changed)))
        .await;
    assert!(inline.body.contains(r#"class="inline""#) && inline.body.contains("view=side"));
    // Every inserted or deleted run is whole words: no haraka stands apart from its letter.
    for piece in inline
        .body
        .split("<ins>")
        .skip(1)
        .chain(inline.body.split("<del>").skip(1))
    {
        let first = piece.chars().next().unwrap();
        assert!(
            !('\u{064B}'..='\u{065F}').contains(&first),
            "a mark cut from its letter"
        );
    }

    for (target, status) in [
        (format!("/diff?url={}&from=x", query(&changed)), 400),
        (format!("/diff?url={}&view=split", query(&changed)), 400),
        (format!("/diff?url={}&to=9", query(&changed)), 404),
        (format!("/diff?url={}", query(&single)), 404),
    ] {
        assert_eq!(server.get(&target).await.status, status, "{target}");
    }
    let out = arshif(args(&[
        "redact",
        &changed,
        "--db",
        db.to_str().unwrap(),
        "--reason",
        "test",
    ]))
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        server
            .get(&format!("/diff?url={}", query(&changed)))
            .await
            .status,
        410
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn search_finds_what_the_cli_finds_with_marked_snippets() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = arabic_archive(dir.path()).await;
    let server = Server::start(&db).await;
    // «الامن» without its hamza finds «الأمن».
    let words = "الامن";
    let json = server
        .get(&format!("/search?q={}&format=json", query(words)))
        .await;
    assert_eq!(json.status, 200);
    let out = arshif(args(&[
        "search",
        words,
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ]))
    .await;
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!cli.as_array().unwrap().is_empty());
    assert_eq!(json.json(), cli, "the objects of search --format json");

    let page = server.get(&format!("/search?q={}", query(words))).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<mark>"), "{}", page.body);
    assert!(
        page.body.contains(r#"role="search""#),
        "a form to search again"
    );
    assert_eq!(server.get("/search").await.status, 200, "the empty form");
    assert_eq!(server.get("/search?q=%22%22&format=json").await.status, 400);
    assert_eq!(server.get("/search?q=x&limit=many").await.status, 400);
}

/// The elements of an XML document as (path, text) pairs; panics when it is not well-formed.
fn xml_elements(xml: &str) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let (mut path, mut out, mut text) = (Vec::<String>::new(), Vec::new(), String::new());
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                path.push(e.local_name().as_ref().to_string());
                text.clear();
            }
            Event::Empty(e) => out.push((
                format!("{}/{}", path.join("/"), e.local_name().as_ref()),
                String::new(),
            )),
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => match r.resolve_char_ref().unwrap() {
                Some(c) => text.push(c),
                None => text.push_str(quick_xml::escape::resolve_predefined_entity(&r).unwrap()),
            },
            Event::End(_) => {
                out.push((path.join("/"), std::mem::take(&mut text)));
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(path.is_empty(), "every element closed");
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn the_feed_has_one_entry_per_change_and_captures_are_inert() {
    let dir = tempfile::tempdir().unwrap();
    let (db, urls) = arabic_archive(dir.path()).await;
    let server = Server::start(&db).await;

    let feed = server.get("/feed.atom").await;
    assert_eq!(feed.status, 200);
    assert!(
        feed.header("content-type")
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let elements = xml_elements(&feed.body);
    let has = |path: &str| elements.iter().any(|(p, _)| p == path);
    for required in [
        "feed/id",
        "feed/title",
        "feed/updated",
        "feed/author/name",
        "feed/link",
    ] {
        assert!(has(required), "{required} in {}", feed.body);
    }
    let entries = elements
        .iter()
        .filter(|(p, _)| p == "feed/entry/id")
        .count();
    let changes = server.get("/?format=json").await.json()["latest_changes"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(entries, changes, "one entry per new version");
    assert!(
        feed.body.contains("/diff?url="),
        "entries link to their diff"
    );
    let other = server.get("/feed.atom?site=elsewhere.example").await;
    assert_eq!(
        xml_elements(&other.body)
            .iter()
            .filter(|(p, _)| p == "feed/entry/id")
            .count(),
        0
    );

    let capture = server
        .get(&format!("/capture?url={}", query(&urls[0])))
        .await;
    assert_eq!(capture.status, 200);
    assert!(
        capture
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let policy = capture.header("content-security-policy").unwrap();
    assert!(
        policy.starts_with("sandbox") && policy.contains("default-src 'none'"),
        "{policy}"
    );
    assert!(!policy.contains("allow-scripts"));
    assert_eq!(capture.header("cache-control"), Some("no-store"));
    assert!(capture.body.contains("<html") || capture.body.contains("<HTML"));
    assert_eq!(
        server
            .get(&format!("/capture?url={}&version=7", query(&urls[0])))
            .await
            .status,
        404
    );
    let out = arshif(args(&[
        "redact",
        &urls[0],
        "--db",
        db.to_str().unwrap(),
        "--reason",
        "t",
    ]))
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        server
            .get(&format!("/capture?url={}", query(&urls[0])))
            .await
            .status,
        410
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_feed_escapes_hostile_titles() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("a")).unwrap();
    let title = "A &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; ]]&gt; title";
    let page = |body: &[&str]| article_page(title, body, None);
    std::fs::write(site.join("a/1.html"), page(PARAGRAPHS)).unwrap();
    let origin = serve_dir(&site).await;
    let db = dir.path().join("h.db");
    let url = origin.url("/a/1.html");
    assert_eq!(code(&crawl(&url, &db, "UTC", &[]).await), 0);
    std::fs::write(site.join("a/1.html"), page(&[PARAGRAPHS[2], PARAGRAPHS[0]])).unwrap();
    assert_eq!(code(&crawl(&url, &db, "UTC", &[]).await), 0);
    let server = Server::start(&db).await;
    let feed = server.get("/feed.atom").await;
    let elements = xml_elements(&feed.body);
    let titles: Vec<&String> = elements
        .iter()
        .filter(|(p, _)| p == "feed/entry/title")
        .map(|(_, t)| t)
        .collect();
    assert_eq!(titles.len(), 1, "{}", feed.body);
    assert!(
        titles[0].contains("<b>bold</b> & \"quoted\" ]]>"),
        "{titles:?}"
    );
}
