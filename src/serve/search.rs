//! `/search`: the CLI's Arabic-aware search, with marked snippets and a link to more results.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::{Format, Params, Shared, bad_request, html, json_response, read, views};

/// How many results `/search` shows at first, and at most.
const SEARCH_ROWS: usize = 20;
const SEARCH_MAX_ROWS: usize = 320;

/// `/search?q=QUERY&site=HOST&all_versions=1&limit=N`: the same Arabic-aware search as
/// `arshif search`, with highlighted snippets and a link to more results.
pub(super) async fn search_page(
    State(shared): State<Shared>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::of(query);
    let format = match params.format() {
        Ok(f) => f,
        Err(m) => return bad_request(&m),
    };
    let q = params.get("q").unwrap_or("").trim().to_string();
    let (site, since) = match (params.site(), params.since()) {
        (Ok(site), Ok(since)) => (site, since),
        (Err(m), _) | (_, Err(m)) => return bad_request(&m),
    };
    let limit = match params.number::<usize>("limit", "a number of results") {
        Ok(l) => l.unwrap_or(SEARCH_ROWS).clamp(1, SEARCH_MAX_ROWS),
        Err(m) => return bad_request(&m),
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
                query,
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
