//! `/capture`: an archived page as captured, for reading and never executing.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{Params, Shared, bad_request, live_article, page_error, read};

/// The policy an archived page is sent with: a sandbox (no script, no form, no plugin, its own
/// origin) that may request nothing at all, not even from this server; its own inline styles
/// and data: images are all it may use.
const CAPTURE_POLICY: &str = "sandbox; default-src 'none'; style-src 'unsafe-inline'; \
                              img-src data:; font-src data:; base-uri 'none'; \
                              form-action 'none'; frame-ancestors 'self'";

/// `/capture?url=URL&version=N` (default: the latest): the HTML a version was made from, as
/// captured, for reading and never executing: its stored content type, a sandboxing policy,
/// refresh and prefetch hints made inert.
pub(super) async fn capture(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let params = Params::of(query);
    let url = match params.url() {
        Ok(u) => u,
        Err(m) => return bad_request(&m),
    };
    let version = match params.number::<i64>("version", "not a version number") {
        Ok(v) => v,
        Err(m) => return bad_request(&m),
    };
    read(shared, move |store| {
        let (id, key) = match live_article(store, &url)? {
            Ok(found) => found,
            Err(answer) => return Ok(answer),
        };
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
}
