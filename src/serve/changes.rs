//! The pages of what changed: `/diff` (two versions word by word, side by side or inline) and
//! `/feed.atom` (one entry per new version, linking to its diff).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tracing::error;

use super::{
    Format, Params, Shared, bad_request, html, json_response, live_article, page_error, read, views,
};
use crate::store::VersionPick;
use crate::{Error, urls};

/// `/diff?url=URL&from=N&to=M&view=side|inline`: word-level changes of title and body
/// (default: the last two versions, side by side).
pub(super) async fn diff_page(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let params = Params::of(query);
    let format = match params.format() {
        Ok(f) => f,
        Err(m) => return bad_request(&m),
    };
    let url = match params.url() {
        Ok(u) => u,
        Err(m) => return bad_request(&m),
    };
    let what = "not a version number";
    let (from, to) = match (params.number("from", what), params.number("to", what)) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(m), _) | (_, Err(m)) => return bad_request(&m),
    };
    let side = match params.get("view") {
        None | Some("side") => true,
        Some("inline") => false,
        Some(v) => return bad_request(&format!("view={v} is not known: use side or inline")),
    };
    read(shared, move |store| {
        let (id, key) = match live_article(store, &url)? {
            Ok(found) => found,
            Err(answer) => return Ok(answer),
        };
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

/// How many changes the feed carries.
const FEED_ENTRIES: usize = 50;

/// `/feed.atom?site=HOST`: an Atom 1.0 feed, one entry per new version, linking to its diff.
pub(super) async fn feed(
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
