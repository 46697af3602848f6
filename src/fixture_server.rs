//! A small static HTTP server on 127.0.0.1 serving a fixtures folder, for `arshif demo` and the
//! tests: ETags with 304s, an optional overlay folder (a site's later state), queued faults, and
//! a log of every request with its arrival time.
//!
//! A request with a query string is served from the file `<path's file>@<query>` when there is
//! one (`/?p=12` from `index.html@p=12`, `/index.php?id=4` from `index.php@id=4`), else from the
//! path's file: CMS permalinks that differ only in their query are distinct pages.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::Response;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// One request the server received.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    pub at: Instant,
    /// Path and query.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub status: u16,
}

impl LoggedRequest {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A canned answer served (once) before the real file.
#[derive(Debug, Clone)]
pub struct Fault {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Debug)]
struct ServerState {
    root: PathBuf,
    overlay: Mutex<Option<PathBuf>>,
    log: Mutex<Vec<LoggedRequest>>,
    faults: Mutex<HashMap<String, VecDeque<Fault>>>,
    /// Extra headers per path (e.g. a Content-Type with a charset).
    headers: Mutex<HashMap<String, Vec<(String, String)>>>,
    /// Whether answers carry an ETag (and If-None-Match gets 304s).
    etags: std::sync::atomic::AtomicBool,
}

/// A running fixture server; stops when dropped.
#[derive(Debug)]
pub struct FixtureServer {
    pub addr: SocketAddr,
    state: Arc<ServerState>,
    _stop: oneshot::Sender<()>,
}

impl FixtureServer {
    /// Serves `root` on 127.0.0.1 at a free port.
    pub async fn start(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let state = Arc::new(ServerState {
            root: root.into(),
            overlay: Mutex::new(None),
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(HashMap::new()),
            headers: Mutex::new(HashMap::new()),
            etags: std::sync::atomic::AtomicBool::new(true),
        });
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let app = Router::new().fallback(serve).with_state(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(FixtureServer {
            addr,
            state,
            _stop: stop,
        })
    }

    /// `http://127.0.0.1:PORT/path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Serves files from `dir` in preference to the root (None: the root alone).
    pub fn set_overlay(&self, dir: Option<PathBuf>) {
        *self.state.overlay.lock().unwrap() = dir;
    }

    /// Queues a canned answer for `path`, served before the file.
    pub fn push_fault(&self, path: &str, fault: Fault) {
        self.state
            .faults
            .lock()
            .unwrap()
            .entry(path.to_string())
            .or_default()
            .push_back(fault);
    }

    /// Adds a header to every answer for `path` (replacing one of the same name).
    pub fn set_header(&self, path: &str, name: &str, value: &str) {
        self.state
            .headers
            .lock()
            .unwrap()
            .entry(path.to_string())
            .or_default()
            .push((name.to_string(), value.to_string()));
    }

    /// Turns ETags (and so 304 answers) on or off.
    pub fn set_etags(&self, on: bool) {
        self.state
            .etags
            .store(on, std::sync::atomic::Ordering::SeqCst);
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.state.log.lock().unwrap().clone()
    }

    pub fn clear_log(&self) {
        self.state.log.lock().unwrap().clear();
    }
}

async fn serve(State(state): State<Arc<ServerState>>, req: Request<Body>) -> Response {
    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_string(), |p| p.as_str().to_string());
    let path = req.uri().path().to_string();
    let response = answer(&state, &path, req.uri().query(), req.headers());
    state.log.lock().unwrap().push(LoggedRequest {
        at: Instant::now(),
        target,
        headers: req
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        status: response.status().as_u16(),
    });
    response
}

fn answer(state: &ServerState, path: &str, query: Option<&str>, request: &HeaderMap) -> Response {
    let fault = state
        .faults
        .lock()
        .unwrap()
        .get_mut(path)
        .and_then(VecDeque::pop_front);
    if let Some(f) = fault {
        let mut resp = Response::new(Body::from(f.body));
        *resp.status_mut() =
            StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        for (k, v) in f.headers {
            if let (Ok(k), Ok(v)) = (header::HeaderName::try_from(k), HeaderValue::try_from(v)) {
                resp.headers_mut().insert(k, v);
            }
        }
        return resp;
    }
    let Some(bytes) = read_file(state, path, query) else {
        return status(StatusCode::NOT_FOUND, "not found");
    };
    let etag = format!("\"{}\"", &crate::model::hex(&Sha256::digest(&bytes))[..16]);
    let etags = state.etags.load(std::sync::atomic::Ordering::SeqCst);
    let mut resp = if etags
        && request
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        Response::new(Body::from(bytes))
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    if etags && let Ok(v) = HeaderValue::try_from(etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(extra) = state.headers.lock().unwrap().get(path) {
        for (k, v) in extra {
            if let (Ok(k), Ok(v)) = (
                header::HeaderName::try_from(k.as_str()),
                HeaderValue::try_from(v.as_str()),
            ) {
                h.insert(k, v);
            }
        }
    }
    resp
}

fn status(code: StatusCode, text: &'static str) -> Response {
    let mut r = Response::new(Body::from(text));
    *r.status_mut() = code;
    r
}

/// The file for a URL path and query, from the overlay first; never outside the served folders.
fn read_file(state: &ServerState, path: &str, query: Option<&str>) -> Option<Vec<u8>> {
    let mut decoded = percent_decode(path)?;
    if decoded.ends_with('/') {
        // A folder is served by its index page, as web servers do.
        decoded.push_str("index.html");
    }
    // The query as sent, then percent-decoded (`id=45%3Aslug` is `id=45:slug`).
    let with_query: Vec<String> = query
        .filter(|q| !q.is_empty())
        .into_iter()
        .flat_map(|q| [Some(q.to_string()), percent_decode(q)])
        .flatten()
        .filter(|q| !q.contains('/'))
        .map(|q| format!("{decoded}@{q}"))
        .collect();
    let overlay = state.overlay.lock().unwrap().clone();
    with_query
        .iter()
        .chain(std::iter::once(&decoded))
        .filter_map(|name| {
            let rel = Path::new(name.trim_start_matches('/'));
            let safe = !rel.as_os_str().is_empty()
                && rel.components().all(|c| matches!(c, Component::Normal(_)));
            safe.then_some(rel)
        })
        .flat_map(|rel| {
            overlay
                .iter()
                .chain(std::iter::once(&state.root))
                .map(move |dir| dir.join(rel))
        })
        .find(|p| p.is_file())
        .and_then(|p| std::fs::read(p).ok())
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &str) -> &'static str {
    if path.ends_with('/') {
        return "text/html";
    }
    match Path::new(path).extension().and_then(|e| e.to_str()) {
        // Pages of CMSs: `index.php`, and permalinks without an extension (`/node/67`).
        Some("html") | Some("htm") | Some("php") | None => "text/html",
        Some("txt") => "text/plain; charset=utf-8",
        Some("xml") => "application/xml",
        Some("json") => "application/json",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}
