//! A real browser through every page type of `arshif serve`: headless Chromium, driven over
//! WebDriver by ChromeDriver (Debian's `chromium` and `chromium-driver`), on a copy of
//! `archive.db.example`. Each page loads without console errors; the Arabic diff is
//! right-to-left with visible marks; the view toggle works; a screenshot of each page is
//! written to `target/screenshots/` (or `$ARSHIF_SCREENSHOTS`).
//!
//! Without the browser the check prints `SKIPPED: …` and passes, except under `ARSHIF_CI=1`
//! (set by `.ci/run`), where a missing browser fails it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One WebDriver call: `method path` with an optional JSON body; the answer's `value`.
fn call(port: u16, method: &str, path: &str, body: Option<Value>) -> Value {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        socket,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // Read the head, then exactly the body it announces (the driver may keep the connection).
    let mut reader = BufReader::new(socket);
    let (mut length, mut chunked) = (None, false);
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        }
        chunked |= lower.starts_with("transfer-encoding:") && lower.contains("chunked");
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).unwrap();
            let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if size == 0 {
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).unwrap();
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        body.resize(length.unwrap_or(0), 0);
        reader.read_exact(&mut body).unwrap();
    }
    let json = String::from_utf8_lossy(&body);
    let raw = &json;
    let answer: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {raw}"));
    answer["value"].clone()
}

/// A free port on loopback.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The browser's console messages at level SEVERE since the last call.
fn console_errors(port: u16, session: &str) -> Vec<String> {
    let log = call(
        port,
        "POST",
        &format!("/session/{session}/se/log"),
        Some(json!({"type": "browser"})),
    );
    log.as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn element(port: u16, session: &str, using: &str, value: &str) -> Option<String> {
    let found = call(
        port,
        "POST",
        &format!("/session/{session}/element"),
        Some(json!({"using": using, "value": value})),
    );
    found
        .as_object()
        .and_then(|o| o.values().next())
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn screenshot(port: u16, session: &str, dir: &Path, name: &str) {
    let png = call(port, "GET", &format!("/session/{session}/screenshot"), None);
    let bytes = data_encoding::BASE64
        .decode(png.as_str().unwrap().as_bytes())
        .unwrap();
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG for {name}");
    std::fs::write(dir.join(format!("{name}.png")), bytes).unwrap();
}

fn browser_or_skip() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        let why = format!(
            "{CHROMIUM} or {CHROMEDRIVER} is missing (Debian: apt-get install chromium chromium-driver)"
        );
        assert!(
            std::env::var_os("ARSHIF_CI").is_none(),
            "the browser check must run in CI: {why}"
        );
        println!("SKIPPED: the browser check: {why}");
    }
    present
}

#[test]
fn every_page_type_renders_in_chromium() {
    if !browser_or_skip() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let db = work.path().join("archive.db");
    std::fs::copy(root.join("archive.db.example"), &db).unwrap();
    let shots: PathBuf = std::env::var_os("ARSHIF_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/screenshots"));
    std::fs::create_dir_all(&shots).unwrap();

    let mut server = Command::new(env!("CARGO_BIN_EXE_arshif"))
        .args([
            "serve",
            "--db",
            db.to_str().unwrap(),
            "--bind",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _server = Running(server);
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches('/')
        .to_string();

    let port = free_port();
    let driver = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _driver = Running(driver);
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        std::thread::park_timeout(Duration::from_millis(50));
    }
    let profile = work.path().join("profile");
    let session = call(
        port,
        "POST",
        "/session",
        Some(json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync",
                         "--window-size=1100,1400",
                         format!("--user-data-dir={}", profile.display())]
            }
        }}})),
    );
    let session = session["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {session}"))
        .to_string();
    let go = |path: &str| {
        call(
            port,
            "POST",
            &format!("/session/{session}/url"),
            Some(json!({"url": format!("{base}{path}")})),
        );
    };

    let arabic = "http://ar.arshif.test/societe/alerte-meteo-pluies-orageuses-neige-1188.html";
    let q = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let pages = [
        ("home", "/".to_string()),
        ("articles", "/articles".to_string()),
        ("article", format!("/article?url={}", q(arabic))),
        ("diff-arabic", format!("/diff?url={}", q(arabic))),
        ("search", format!("/search?q={}", q("الامن"))),
        ("not-found", "/no/such/page".to_string()),
    ];
    for (name, path) in &pages {
        go(path);
        let errors = console_errors(port, &session);
        let expected_404 = *name == "not-found";
        let errors: Vec<_> = errors
            .into_iter()
            .filter(|e| !(expected_404 && e.contains("404")))
            .collect();
        assert!(errors.is_empty(), "{name}: console errors {errors:?}");
        assert!(
            element(port, &session, "css selector", "main h1").is_some(),
            "{name} rendered"
        );
        screenshot(port, &session, &shots, name);
    }

    // The Arabic diff: right to left, its marks visible, its toggle working.
    go(&format!("/diff?url={}", q(arabic)));
    let side = element(port, &session, "css selector", ".side").expect("the side-by-side view");
    let dir = call(
        port,
        "GET",
        &format!("/session/{session}/element/{side}/attribute/dir"),
        None,
    );
    assert_eq!(dir, "rtl");
    let mark = element(port, &session, "css selector", ".side ins, .side del").expect("a mark");
    let shown = call(
        port,
        "GET",
        &format!("/session/{session}/element/{mark}/displayed"),
        None,
    );
    assert_eq!(shown, true, "the diff's marks are visible");
    let rect = call(
        port,
        "GET",
        &format!("/session/{session}/element/{mark}/rect"),
        None,
    );
    assert!(rect["width"].as_f64().unwrap() > 0.0);
    let toggle = element(port, &session, "link text", "Show the changes inline").expect("a toggle");
    call(
        port,
        "POST",
        &format!("/session/{session}/element/{toggle}/click"),
        Some(json!({})),
    );
    let now = call(port, "GET", &format!("/session/{session}/url"), None);
    assert!(now.as_str().unwrap().contains("view=inline"), "{now}");
    assert!(
        element(port, &session, "css selector", ".inline").is_some(),
        "the inline view"
    );
    screenshot(port, &session, &shots, "diff-inline");
    assert!(console_errors(port, &session).is_empty());

    // On a phone: text wraps, nothing scrolls sideways (tables may, inside their own box).
    call(
        port,
        "POST",
        &format!("/session/{session}/window/rect"),
        Some(json!({"width": 400, "height": 900})),
    );
    for (name, path) in [
        ("phone-diff-arabic", &pages[3].1),
        ("phone-article", &pages[2].1),
    ] {
        go(path);
        let widths = call(
            port,
            "POST",
            &format!("/session/{session}/execute/sync"),
            Some(json!({
                "script": "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
                "args": []
            })),
        );
        let (scroll, client) = (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap());
        assert!(
            scroll <= client,
            "{name}: {scroll} px wide in a {client} px window"
        );
        screenshot(port, &session, &shots, name);
    }

    // The capture: shown, sandboxed (its requests are refused, and say so; nothing else fails).
    go(&format!("/capture?url={}", q(arabic)));
    screenshot(port, &session, &shots, "capture");
    let unexpected: Vec<_> = console_errors(port, &session)
        .into_iter()
        .filter(|e| {
            !e.contains("Content Security Policy")
                && !e.contains("ERR_BLOCKED")
                && !e.contains("sandboxed")
        })
        .collect();
    assert!(unexpected.is_empty(), "capture: {unexpected:?}");

    call(port, "DELETE", &format!("/session/{session}"), None);
    let _ = std::io::stdout().flush();
}
