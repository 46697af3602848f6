//! `arshif serve`: the archive in a browser, read-only. Each request opens the archive
//! read-only for one short read and closes it, so a `run` writing at the same time is never
//! blocked, new versions show at once, and an archive upgraded by a newer arshif answers 503
//! until the server is restarted with it. Every archived string is escaped by the templates;
//! every answer carries a strict Content-Security-Policy and is never cached.

mod capture;
mod changes;
mod pages;
mod search;
pub mod views;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use crate::store::Store;
use crate::{Error, Result, urls};

/// What `arshif serve` serves, and where.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub db: crate::store::Location,
    pub bind: SocketAddr,
    /// Host names (besides the bound address) that requests may name in `Host`.
    pub names: Vec<String>,
}

/// The policy every page is sent with: nothing but this server's own style sheet.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
                           form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

#[derive(Clone)]
struct Shared {
    db: Arc<crate::store::Location>,
    /// `Host` values a request may carry (lower case): DNS rebinding is refused.
    hosts: Arc<Vec<String>>,
}

/// Binds `config.bind` and serves until `cancel`; calls `ready` with the bound address.
pub async fn serve(
    config: ServeConfig,
    cancel: CancellationToken,
    ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|e| Error::InvalidSetting {
            name: "--bind",
            reason: format!("cannot listen on {}: {e}", config.bind),
        })?;
    let addr = listener.local_addr().map_err(|e| Error::InvalidSetting {
        name: "--bind",
        reason: e.to_string(),
    })?;
    if !addr.ip().is_loopback() {
        warn!(
            %addr,
            "serving beyond this machine: arshif serve has no accounts, so anyone who can reach \
             this address can read the archive; put it behind a reverse proxy with authentication"
        );
    }
    let shared = Shared {
        db: Arc::new(config.db.clone()),
        hosts: Arc::new(allowed_hosts(addr, &config.names)),
    };
    let app = axum::Router::new()
        .route("/", get(pages::home))
        .route("/articles", get(pages::articles))
        .route("/article", get(pages::article))
        .route("/diff", get(changes::diff_page))
        .route("/search", get(search::search_page))
        .route("/feed.atom", get(changes::feed))
        .route("/capture", get(capture::capture))
        .route("/static/style.css", get(style))
        .route("/static/icon.svg", get(icon))
        .route("/favicon.ico", get(icon))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), guard))
        .with_state(shared);
    info!(%addr, db = %config.db, "serving");
    ready(addr);
    axum::serve(listener, app)
        .with_graceful_shutdown(cancel.cancelled_owned())
        .await
        .map_err(|source| Error::Io {
            path: config.db.shown(),
            source,
        })
}

/// The `Host` values that name this server: the bound address, `localhost` on loopback, and
/// the configured names, each with and without the port.
fn allowed_hosts(addr: SocketAddr, names: &[String]) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![addr.to_string()];
    if addr.ip().is_loopback() {
        hosts.extend([format!("localhost:{port}"), format!("127.0.0.1:{port}")]);
        hosts.push(format!("[::1]:{port}"));
    }
    for name in names {
        let name = name.trim().to_ascii_lowercase();
        hosts.push(format!("{name}:{port}"));
        hosts.push(name);
    }
    hosts
}

/// Before every handler: only GET and HEAD, only this server's own host names. After it: the
/// headers that keep archived content inert and uncached.
async fn guard(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    let mut response = if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut r = page_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "Only GET and HEAD are served.",
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        r
    } else if !host_is_ours(&request, &shared.hosts) {
        page_error(
            StatusCode::MISDIRECTED_REQUEST,
            "This server does not answer for that host name (start it with --name to add one).",
        )
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_POLICY),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn host_is_ours(request: &Request, hosts: &[String]) -> bool {
    request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| hosts.iter().any(|ours| ours.eq_ignore_ascii_case(h.trim())))
}

/// How a page is asked for: `?format=json`, or HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Html,
    Json,
}

/// A request's query parameters, the last value of each name winning.
struct Params(HashMap<String, String>);

impl Params {
    fn of(query: Option<String>) -> Self {
        Params(
            url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                .into_owned()
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// `url=`: the article's URL, or a URL it was fetched from (required).
    fn url(&self) -> std::result::Result<String, String> {
        self.get("url").map(str::to_string).ok_or_else(|| {
            "url= is required: the article's URL, or a URL it was fetched from".to_string()
        })
    }

    /// `site=`: a host, or host:port.
    fn site(&self) -> std::result::Result<Option<String>, String> {
        let site = self.get("site").map(urls::parse_site).transpose();
        site.map_err(|m| format!("site: {m}"))
    }

    /// `since=`: a time, in the form recorded times are compared in.
    fn since(&self) -> std::result::Result<Option<String>, String> {
        let since = self.get("since").map(crate::config::parse_time).transpose();
        since
            .map(|t| t.map(crate::time::stored_time))
            .map_err(|m| format!("since: {m}"))
    }

    /// A number parameter; `what` says what it is, for the error.
    fn number<T: std::str::FromStr>(
        &self,
        name: &str,
        what: &str,
    ) -> std::result::Result<Option<T>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| format!("{name}={v}: {what}")),
        }
    }

    fn format(&self) -> std::result::Result<Format, String> {
        match self.get("format") {
            None | Some("html") => Ok(Format::Html),
            Some("json") => Ok(Format::Json),
            Some(other) => Err(format!(
                "format={other} is not known: use format=json, or leave it out for HTML"
            )),
        }
    }
}

async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("style.css"),
    )
        .into_response()
}

async fn icon() -> Response {
    (
        [(header::CONTENT_TYPE, "image/svg+xml")],
        include_str!("icon.svg"),
    )
        .into_response()
}

async fn not_found() -> Response {
    page_error(StatusCode::NOT_FOUND, "There is no such page here.")
}

/// The article a URL names: its key (normalised), or a URL it was fetched from.
fn find(store: &Store, url: &str) -> Result<Option<(i64, String)>> {
    let key = urls::parse_user_url(url)
        .ok()
        .map(|u| urls::normalize(&u).to_string());
    for candidate in key.iter().map(String::as_str).chain([url.trim()]) {
        if let Some(found) = store.find_article(candidate)? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// The article `url` names, unless it is not in the archive (404) or taken down (410): the
/// answer for pages that show a redacted article's text in any form.
fn live_article(store: &Store, url: &str) -> Result<std::result::Result<(i64, String), Response>> {
    let Some((id, key)) = find(store, url)? else {
        return Ok(Err(not_in_archive(url)));
    };
    let takedowns = store.redactions(id)?;
    Ok(match takedowns.last().filter(|r| r.action == "redact") {
        Some(t) => Err(page_error(
            StatusCode::GONE,
            &format!("{key} was taken down on {} ({}).", t.at, t.reason),
        )),
        None => Ok((id, key)),
    })
}

fn not_in_archive(url: &str) -> Response {
    page_error(
        StatusCode::NOT_FOUND,
        &format!("{url} is not in the archive."),
    )
}

/// Runs `page` on a read-only connection opened for this request, off the async workers.
async fn read(
    shared: Shared,
    page: impl FnOnce(&Store) -> Result<Response> + Send + 'static,
) -> Response {
    let db = shared.db.clone();
    let answer = tokio::task::spawn_blocking(move || {
        let store = Store::open_reader(&db)?;
        page(&store)
    })
    .await;
    match answer {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => failure(&e),
        Err(e) => {
            error!(error = %e, "a request's task failed");
            page_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal error; see the server's log.",
            )
        }
    }
}

/// The page for an error of the archive.
fn failure(e: &Error) -> Response {
    match e {
        Error::NotInArchive(m) => page_error(StatusCode::NOT_FOUND, m),
        Error::DatabaseTooNew { .. } | Error::DatabaseTooOld { .. } => page_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "The archive was upgraded by another arshif while this server ran: restart \
             `arshif serve` with that arshif.",
        ),
        Error::DatabaseMissing { .. } | Error::NotAnArchive { .. } => page_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "The archive this server was started on is gone or was replaced.",
        ),
        other => {
            error!(error = %other, "a request failed");
            page_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal error; see the server's log.",
            )
        }
    }
}

fn bad_request(message: &str) -> Response {
    page_error(StatusCode::BAD_REQUEST, message)
}

/// An error as a page (never a crash).
fn page_error(status: StatusCode, message: &str) -> Response {
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    let body = views::ErrorPage {
        status: &title,
        message,
    }
    .render()
    .unwrap_or_else(|_| message.to_string());
    let mut response = html(Ok(body));
    *response.status_mut() = status;
    response
}

fn html(rendered: askama::Result<String>) -> Response {
    match rendered {
        Ok(body) => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            Body::from(body),
        )
            .into_response(),
        Err(e) => {
            error!(error = %e, "a page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

fn json_response(value: &serde_json::Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string_pretty(value).unwrap_or_default(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_host_names_are_answered() {
        let addr: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let hosts = allowed_hosts(addr, &["Archive.Example.org".into()]);
        for ok in ["127.0.0.1:8080", "localhost:8080", "archive.example.org"] {
            assert!(hosts.iter().any(|h| h.eq_ignore_ascii_case(ok)), "{ok}");
        }
        assert!(!hosts.iter().any(|h| h == "evil.example:8080"));
    }
}
