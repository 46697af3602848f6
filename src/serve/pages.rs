//! The pages of what the archive holds: `/` (sites, latest changes, runs), `/articles` (newest
//! first, by keyset pages) and `/article` (a version's text, its timeline, its takedowns).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::{
    Format, Params, Shared, bad_request, find, html, json_response, page_error, read, views,
};
use crate::store::{ListFilter, Page, Store, VersionPick};
use crate::{Result, export};

/// How many latest changes and runs `/` lists.
const OVERVIEW_ROWS: usize = 20;

/// `/`: the sites, the latest changes, the last runs.
pub(super) async fn home(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Response {
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
pub(super) async fn articles(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let params = Params::of(query);
    let format = match params.format() {
        Ok(f) => f,
        Err(m) => return bad_request(&m),
    };
    let (site, since) = match (params.site(), params.since()) {
        (Ok(site), Ok(since)) => (site, since),
        (Err(m), _) | (_, Err(m)) => return bad_request(&m),
    };
    let before = match params.number::<i64>("before", "the position a page ends at: a number") {
        Ok(b) => b,
        Err(m) => return bad_request(&m),
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
pub(super) async fn article(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let params = Params::of(query);
    let format = match params.format() {
        Ok(f) => f,
        Err(m) => return bad_request(&m),
    };
    let url = match params.url() {
        Ok(u) => u,
        Err(m) => return bad_request(&m),
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
