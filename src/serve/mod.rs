//! `arshif serve`: the archive in a browser, read-only. Each request opens the archive
//! read-only for one short read and closes it, so a `run` writing at the same time is never
//! blocked, new versions show at once, and an archive upgraded by a newer arshif answers 503
//! until the server is restarted with it. Every archived string is escaped by the templates;
//! every answer carries a strict Content-Security-Policy and is never cached.

pub mod views;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use askama::Template;
use axum::body::Body;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use crate::store::{ListFilter, Page, Store, VersionPick};
use crate::{Error, Result, export, urls};

/// What `arshif serve` serves, and where.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub db: PathBuf,
    pub bind: SocketAddr,
    /// Host names (besides the bound address) that requests may name in `Host`.
    pub names: Vec<String>,
}

/// The policy an archived page is sent with: a sandbox (no script, no form, no plugin, its own
/// origin) that may request nothing at all, not even from this server; its own inline styles
/// and data: images are all it may use.
const CAPTURE_POLICY: &str = "sandbox; default-src 'none'; style-src 'unsafe-inline'; \
                              img-src data:; font-src data:; base-uri 'none'; \
                              form-action 'none'; frame-ancestors 'self'";

/// The policy every page is sent with: nothing but this server's own style sheet.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
                           form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// How many latest changes and runs `/` lists.
const OVERVIEW_ROWS: usize = 20;

#[derive(Clone)]
struct Shared {
    db: Arc<PathBuf>,
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
        .route("/", get(home))
        .route("/articles", get(articles))
        .route("/article", get(article))
        .route("/diff", get(diff_page))
        .route("/search", get(search_page))
        .route("/feed.atom", get(feed))
        .route("/capture", get(capture))
        .route("/static/style.css", get(style))
        .route("/static/icon.svg", get(icon))
        .route("/favicon.ico", get(icon))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), guard))
        .with_state(shared);
    info!(%addr, db = %config.db.display(), "serving");
    ready(addr);
    axum::serve(listener, app)
        .with_graceful_shutdown(cancel.cancelled_owned())
        .await
        .map_err(|source| Error::Io {
            path: config.db.clone(),
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

/// `/`: the sites, the latest changes, the last runs.
async fn home(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let params = Params::of(query);
    let format = match params.format() {
        Ok(f) => f,
        Err(m) => return bad_request(&m),
    };
    read(shared, move |store| {
        let overview = store.overview(OVERVIEW_ROWS)?;
        Ok(match format {
            Format::Json => json_response(&serde_json::to_value(&overview).unwrap_or_default()),
            Format::Html => html(
                views::Home {
                    overview: &overview,
                }
                .render(),
            ),
        })
    })
    .await
}

/// How many articles a page of `/articles` lists.
const PAGE_ROWS: usize = 50;

/// `/articles?site=HOST&changed=1&since=DATE&before=ID`: the articles, newest first, a page at a
/// time by keyset (`before`), never by offset.
async fn articles(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let params = Params::of(query);
    let format = match params.format() {
        Ok(f) => f,
        Err(m) => return bad_request(&m),
    };
    let site = match params.get("site").map(urls::parse_site).transpose() {
        Ok(s) => s,
        Err(m) => return bad_request(&format!("site: {m}")),
    };
    let since = match params
        .get("since")
        .map(crate::config::parse_time)
        .transpose()
    {
        Ok(t) => t.map(crate::time::stored_time),
        Err(m) => return bad_request(&format!("since: {m}")),
    };
    let before = match params.get("before").map(str::parse::<i64>).transpose() {
        Ok(b) => b,
        Err(_) => return bad_request("before= is the position a page ends at: a number"),
    };
    let changed = matches!(params.get("changed"), Some("1" | "true" | "yes"));
    let filter = ListFilter {
        site,
        since,
        changed,
        page: Some(Page {
            before,
            limit: PAGE_ROWS,
        }),
    };
    read(shared, move |store| {
        let (mut rows, mut json, mut last) = (Vec::new(), Vec::new(), None);
        store.for_each_listed(&filter, |a| {
            last = Some(a.id);
            match format {
                Format::Json => json.push(serde_json::to_value(a).unwrap_or_default()),
                Format::Html => rows.push(views::Listed::of(a)),
            }
            Ok(())
        })?;
        let count = rows.len().max(json.len());
        let next = last.filter(|_| count == PAGE_ROWS).map(|id| {
            let mut link = url::form_urlencoded::Serializer::new(String::new());
            if let Some(s) = &filter.site {
                link.append_pair("site", s);
            }
            if filter.changed {
                link.append_pair("changed", "1");
            }
            if let Some(t) = &filter.since {
                link.append_pair("since", t);
            }
            if format == Format::Json {
                link.append_pair("format", "json");
            }
            link.append_pair("before", &id.to_string());
            format!("/articles?{}", link.finish())
        });
        let mut response = match format {
            Format::Json => json_response(&serde_json::Value::Array(json)),
            Format::Html => html(
                views::Articles {
                    rows: &rows,
                    site: filter.site.as_deref(),
                    changed: filter.changed,
                    since: filter.since.as_deref(),
                    next: next.clone(),
                }
                .render(),
            ),
        };
        if let Some(n) = next
            && let Ok(v) = HeaderValue::from_str(&format!("<{n}>; rel=\"next\""))
        {
            response.headers_mut().insert(header::LINK, v);
        }
        Ok(response)
    })
    .await
}

/// `/article?url=URL[&version=N|&at=TIME]`: the text as it stood, its metadata, its versions,
/// fetches and takedowns; a redacted article's tombstone only.
async fn article(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let params = Params::of(query);
    let format = match params.format() {
        Ok(f) => f,
        Err(m) => return bad_request(&m),
    };
    let Some(url) = params.get("url").map(str::to_string) else {
        return bad_request("url= is required: the article's URL, or a URL it was fetched from");
    };
    let pick = match (params.get("version"), params.get("at")) {
        (Some(v), _) => match v.parse::<i64>() {
            Ok(n) if n > 0 => Some(VersionPick::Number(n)),
            _ => return bad_request(&format!("version={v} is not a version number")),
        },
        (None, Some(t)) => match crate::config::parse_time(t) {
            Ok(t) => Some(VersionPick::At(crate::time::stored_time(t))),
            Err(e) => return bad_request(&format!("at={t}: {e}")),
        },
        (None, None) => None,
    };
    read(shared, move |store| article_page(store, &url, pick, format)).await
}

fn article_page(
    store: &Store,
    url: &str,
    pick: Option<VersionPick>,
    format: Format,
) -> Result<Response> {
    let Some((id, key)) = find(store, url)? else {
        return Ok(page_error(
            StatusCode::NOT_FOUND,
            &format!("{url} is not in the archive."),
        ));
    };
    let Some(mut history) = store.history(id)? else {
        return Ok(page_error(
            StatusCode::NOT_FOUND,
            &format!("{url} is not in the archive."),
        ));
    };
    let tombstone = history
        .redactions
        .last()
        .filter(|r| r.action == "redact")
        .cloned();
    if let Some(t) = &tombstone {
        if pick.is_some() {
            return Ok(page_error(
                StatusCode::GONE,
                &format!("{key} was taken down on {} ({}).", t.at, t.reason),
            ));
        }
        // Only the tombstone: nothing of the article but its URL and the takedowns.
        history.versions.clear();
        history.fetches.clear();
        return Ok(match format {
            Format::Json => json_response(&serde_json::json!({
                "url": history.url,
                "redacted_at": t.at,
                "redaction_reason": t.reason,
                "redactions": history.redactions,
            })),
            Format::Html => html(
                views::ArticlePage {
                    url: &key,
                    shown: None,
                    paragraphs: Vec::new(),
                    history: &history,
                    tombstone: Some(t),
                }
                .render(),
            ),
        });
    }
    let pick = pick.unwrap_or(VersionPick::Latest);
    let Some(version) = store.version(id, &pick)? else {
        let message = match pick {
            VersionPick::Number(n) => format!(
                "{key} has no version {n} (it has 1 to {}).",
                history.versions.len()
            ),
            _ => format!("{key} had not been archived yet at that time."),
        };
        return Ok(page_error(StatusCode::NOT_FOUND, &message));
    };
    Ok(match format {
        Format::Json => {
            // `show`'s keys and `history`'s together.
            let mut record = export::to_json(&version);
            let history = serde_json::to_value(&history).unwrap_or_default();
            if let (Some(r), Some(h)) = (record.as_object_mut(), history.as_object()) {
                for (k, v) in h {
                    r.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            json_response(&record)
        }
        Format::Html => html(
            views::ArticlePage {
                url: &key,
                paragraphs: version
                    .body
                    .split("\n\n")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .collect(),
                shown: Some(&version),
                history: &history,
                tombstone: None,
            }
            .render(),
        ),
    })
}

/// `/diff?url=URL&from=N&to=M&view=side|inline`: word-level changes of title and body
/// (default: the last two versions, side by side).
async fn diff_page(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let params = Params::of(query);
    let format = match params.format() {
        Ok(f) => f,
        Err(m) => return bad_request(&m),
    };
    let Some(url) = params.get("url").map(str::to_string) else {
        return bad_request("url= is required: the article's URL, or a URL it was fetched from");
    };
    let number = |name: &str| match params.get(name) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("{name}={v} is not a version number")),
    };
    let (from, to) = match (number("from"), number("to")) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(m), _) | (_, Err(m)) => return bad_request(&m),
    };
    let side = match params.get("view") {
        None | Some("side") => true,
        Some("inline") => false,
        Some(v) => return bad_request(&format!("view={v} is not known: use side or inline")),
    };
    read(shared, move |store| {
        let Some((id, key)) = find(store, &url)? else {
            return Ok(page_error(
                StatusCode::NOT_FOUND,
                &format!("{url} is not in the archive."),
            ));
        };
        if let Some(t) = store
            .redactions(id)?
            .last()
            .filter(|r| r.action == "redact")
        {
            return Ok(page_error(
                StatusCode::GONE,
                &format!("{key} was taken down on {} ({}).", t.at, t.reason),
            ));
        }
        let known = store.version_numbers(id)?;
        let (from, to) = match crate::diff::pick_pair(&known, from, to) {
            Ok(pair) => pair,
            Err(reason) => {
                return Ok(page_error(
                    StatusCode::NOT_FOUND,
                    &format!("{key}: {reason}"),
                ));
            }
        };
        let load = |n| {
            store
                .version(id, &VersionPick::Number(n))?
                .ok_or_else(|| Error::NotInArchive(format!("{key} has no version {n}")))
        };
        let (old, new) = (load(from)?, load(to)?);
        let comparison = crate::diff::Comparison::of(&key, old.side(), new.side());
        if format == Format::Json {
            return Ok(json_response(
                &serde_json::to_value(&comparison).unwrap_or_default(),
            ));
        }
        let mut toggle = url::form_urlencoded::Serializer::new(String::new());
        toggle
            .append_pair("url", &key)
            .append_pair("from", &from.to_string())
            .append_pair("to", &to.to_string())
            .append_pair("view", if side { "inline" } else { "side" });
        Ok(html(
            views::DiffPage {
                c: &comparison,
                language: &new.language,
                side,
                toggle: format!("/diff?{}", toggle.finish()),
                title: comparison.title.iter().map(views::Piece::of).collect(),
                rows: views::diff_rows(&comparison.body),
            }
            .render(),
        ))
    })
    .await
}

/// How many results `/search` shows at first, and at most.
const SEARCH_ROWS: usize = 20;
const SEARCH_MAX_ROWS: usize = 320;

/// `/search?q=QUERY&site=HOST&all_versions=1&limit=N`: the same Arabic-aware search as
/// `arshif search`, with highlighted snippets and a link to more results.
async fn search_page(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let params = Params::of(query);
    let format = match params.format() {
        Ok(f) => f,
        Err(m) => return bad_request(&m),
    };
    let q = params.get("q").unwrap_or("").trim().to_string();
    let site = match params.get("site").map(urls::parse_site).transpose() {
        Ok(s) => s,
        Err(m) => return bad_request(&format!("site: {m}")),
    };
    let since = match params
        .get("since")
        .map(crate::config::parse_time)
        .transpose()
    {
        Ok(t) => t.map(crate::time::stored_time),
        Err(m) => return bad_request(&format!("since: {m}")),
    };
    let limit = match params.get("limit").map(str::parse::<usize>).transpose() {
        Ok(l) => l.unwrap_or(SEARCH_ROWS).clamp(1, SEARCH_MAX_ROWS),
        Err(_) => return bad_request("limit= is a number of results"),
    };
    let all_versions = matches!(
        params.get("all_versions"),
        Some("1" | "true" | "yes" | "on")
    );
    let parsed = crate::search::Query::parse(&q);
    if parsed.is_none() && (format == Format::Json || !q.is_empty()) {
        return bad_request(&format!("{q:?} has no words to search for"));
    }
    read(shared, move |store| {
        let hits = match &parsed {
            Some(query) => store.search(
                &query.to_fts5(),
                &crate::store::SearchScope {
                    site: site.clone(),
                    since,
                    all_versions,
                    limit,
                },
            )?,
            None => Vec::new(),
        };
        let found: Vec<_> = match &parsed {
            Some(query) => hits.iter().map(|h| h.found(query)).collect(),
            None => Vec::new(),
        };
        if format == Format::Json {
            return Ok(json_response(
                &serde_json::to_value(&found).unwrap_or_default(),
            ));
        }
        let results = match &parsed {
            Some(query) => found
                .iter()
                .map(|f| views::SearchResult {
                    url: f.url.clone(),
                    version: f.version,
                    latest: f.latest,
                    fetched_at: f.fetched_at.clone(),
                    title: crate::search::highlight(
                        f.title.as_deref().unwrap_or("(no title)"),
                        query,
                    )
                    .pieces(),
                    snippet: crate::search::Snippet {
                        text: f.snippet.clone(),
                        highlights: f.highlights.clone(),
                    }
                    .pieces(),
                })
                .collect(),
            None => Vec::new(),
        };
        let more = (found.len() == limit && limit < SEARCH_MAX_ROWS).then(|| {
            let mut link = url::form_urlencoded::Serializer::new(String::new());
            link.append_pair("q", &q);
            if let Some(s) = &site {
                link.append_pair("site", s);
            }
            if all_versions {
                link.append_pair("all_versions", "1");
            }
            link.append_pair("limit", &(limit * 2).min(SEARCH_MAX_ROWS).to_string());
            format!("/search?{}", link.finish())
        });
        Ok(html(
            views::SearchPage {
                q: &q,
                site: site.as_deref(),
                all_versions,
                results,
                more,
            }
            .render(),
        ))
    })
    .await
}

/// How many changes the feed carries.
const FEED_ENTRIES: usize = 50;

/// `/feed.atom?site=HOST`: an Atom 1.0 feed, one entry per new version, linking to its diff.
async fn feed(
    State(shared): State<Shared>,
    headers: axum::http::HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::of(query);
    let site = match params.get("site").map(urls::parse_site).transpose() {
        Ok(s) => s,
        Err(m) => return bad_request(&format!("site: {m}")),
    };
    // The guard has checked that the host is one of ours.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_string();
    let base = format!("http://{host}");
    read(shared, move |store| {
        let changes = store.changes(site.as_deref(), FEED_ENTRIES)?;
        let entries = changes
            .iter()
            .map(|c| {
                let mut link = url::form_urlencoded::Serializer::new(String::new());
                link.append_pair("url", &c.url)
                    .append_pair("to", &c.version.to_string());
                views::FeedEntry {
                    title: c.title.clone().unwrap_or_else(|| c.url.clone()),
                    id: views::urn(&format!("arshif change {} {}", c.url, c.version)),
                    updated: c.fetched_at.clone(),
                    link: format!("{base}/diff?{}", link.finish()),
                    url: c.url.clone(),
                    version: c.version,
                }
            })
            .collect::<Vec<_>>();
        let mut self_link = format!("{base}/feed.atom");
        if let Some(s) = &site {
            let q: String = url::form_urlencoded::byte_serialize(s.as_bytes()).collect();
            self_link.push_str(&format!("?site={q}"));
        }
        let rendered = views::Feed {
            site: site.as_deref(),
            id: views::urn(&format!("arshif feed {}", site.as_deref().unwrap_or(""))),
            updated: entries
                .first()
                .map_or_else(crate::time::now_stored, |e| e.updated.clone()),
            self_link,
            base: base.clone(),
            entries,
        }
        .render();
        Ok(match rendered {
            Ok(xml) => (
                [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
                xml,
            )
                .into_response(),
            Err(e) => {
                error!(error = %e, "the feed failed to render");
                page_error(StatusCode::INTERNAL_SERVER_ERROR, "Internal error.")
            }
        })
    })
    .await
}

/// `/capture?url=URL&version=N` (default: the latest): the HTML a version was made from, as
/// captured, for reading and never executing: its stored content type, a sandboxing policy,
/// refresh and prefetch hints made inert.
async fn capture(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let params = Params::of(query);
    let Some(url) = params.get("url").map(str::to_string) else {
        return bad_request("url= is required: the article's URL, or a URL it was fetched from");
    };
    let version = match params.get("version").map(str::parse::<i64>).transpose() {
        Ok(v) => v,
        Err(_) => return bad_request("version= is a version number"),
    };
    read(shared, move |store| {
        let Some((id, key)) = find(store, &url)? else {
            return Ok(page_error(
                StatusCode::NOT_FOUND,
                &format!("{url} is not in the archive."),
            ));
        };
        if let Some(t) = store
            .redactions(id)?
            .last()
            .filter(|r| r.action == "redact")
        {
            return Ok(page_error(
                StatusCode::GONE,
                &format!("{key} was taken down on {} ({}).", t.at, t.reason),
            ));
        }
        let version = match version {
            Some(v) => v,
            None => match store.version_numbers(id)?.last() {
                Some(v) => *v,
                None => {
                    return Ok(page_error(
                        StatusCode::NOT_FOUND,
                        &format!("{key} has no stored version."),
                    ));
                }
            },
        };
        let Some((bytes, content_type)) = store.version_capture(id, version)? else {
            return Ok(page_error(
                StatusCode::NOT_FOUND,
                &format!("{key} has no version {version}."),
            ));
        };
        let content_type = content_type.unwrap_or_else(|| "text/html".to_string());
        let mut response = ([(header::CONTENT_TYPE, content_type)], inert(&bytes)).into_response();
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CAPTURE_POLICY),
        );
        Ok(response)
    })
    .await
}

/// An archived page with the instructions that act before any policy can stop them made inert:
/// `<meta http-equiv="refresh">` (the page would navigate itself) and resource hints
/// (`dns-prefetch`, `preconnect`, `prefetch`, `preload`, `prerender`, `modulepreload`), whose
/// names are prefixed `data-inert-`. The rest is the captured bytes, in their own charset.
pub fn inert(html: &[u8]) -> Vec<u8> {
    use std::sync::LazyLock;
    static REFRESH: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
        regex::bytes::Regex::new(r#"(?i)\bhttp-equiv(\s*=\s*["']?\s*refresh)"#).unwrap()
    });
    static HINTS: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
        regex::bytes::Regex::new(
            r#"(?i)\brel(\s*=\s*["']?[^"'>]*\b(?:dns-prefetch|preconnect|prefetch|preload|prerender|modulepreload)\b)"#,
        )
        .unwrap()
    });
    let html = REFRESH.replace_all(html, &b"data-inert-http-equiv$1"[..]);
    HINTS
        .replace_all(&html, &b"data-inert-rel$1"[..])
        .into_owned()
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
    fn refresh_and_resource_hints_are_made_inert() {
        let page = br#"<meta HTTP-EQUIV="Refresh" content="0;url=http://evil.example/">
<link rel="dns-prefetch" href="//tracker.example"><link rel='preconnect stylesheet' href="x">
<link rel="stylesheet" href="a.css"><meta http-equiv="content-type" content="text/html">"#;
        let out = String::from_utf8(inert(page)).unwrap();
        assert!(out.contains(r#"data-inert-http-equiv="Refresh""#), "{out}");
        assert!(out.contains(r#"data-inert-rel="dns-prefetch""#), "{out}");
        assert!(
            out.contains("data-inert-rel='preconnect stylesheet'"),
            "{out}"
        );
        assert!(
            out.contains(r#"<link rel="stylesheet" href="a.css">"#),
            "{out}"
        );
        assert!(out.contains(r#"<meta http-equiv="content-type""#), "{out}");
    }

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
