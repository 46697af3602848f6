//! What one page gave the walk, and the pure readings of a response before its body is
//! parsed: the end a status puts to a page, and the time it was fetched.

use chrono::{DateTime, Utc};
use scraper::Html;
use tracing::debug;
use url::Url;

use super::journal::rows_of;
use super::summary::EndReason;
use crate::config::SiteRules;
use crate::discover;
use crate::fetch::Attempt;
use crate::model::FetchOutcome;
use crate::store::FetchRow;
use crate::time::now_stored;

/// What processing one page gave.
pub(super) struct PageDone {
    pub outcome: FetchOutcome,
    pub next: Option<Next>,
    /// The URLs this page is known by (fetched, final, article key) for cycle detection.
    pub aliases: Vec<String>,
    /// The article this page belongs to, when known.
    pub key: Option<String>,
    pub end: Option<EndReason>,
    /// Start points a feed or sitemap listed (only read on the walk's first page).
    pub listed: Vec<Url>,
}

impl PageDone {
    /// A page that ends its chain.
    pub fn ended(outcome: FetchOutcome, aliases: Vec<String>, end: EndReason) -> Self {
        PageDone {
            outcome,
            next: None,
            aliases,
            key: None,
            end: Some(end),
            listed: Vec::new(),
        }
    }

    /// A page after which the chain goes on to `next`, if it has one.
    pub fn onward(
        outcome: FetchOutcome,
        next: Option<Next>,
        aliases: Vec<String>,
        key: Option<String>,
    ) -> Self {
        PageDone {
            outcome,
            next,
            aliases,
            key,
            end: None,
            listed: Vec::new(),
        }
    }
}

/// The link a page leads to, and how it was found (`discover::Via`, or `listing`).
pub(super) struct Next {
    pub url: Url,
    pub via: &'static str,
}

/// The page's next-article link, by the site's selector or discovery; the candidates it
/// refused go to the debug log (`-vv`).
pub(super) fn next_link(doc: &Html, url: &Url, rules: &SiteRules) -> Option<Next> {
    let selector = rules.next_selector.as_ref().map(|(_, s)| s);
    let found = discover::next_article(doc, url, selector);
    for r in &found.refused {
        debug!(%url, candidate = %r.url, why = r.why, "next link refused");
    }
    found.next.map(|n| Next {
        url: n.url,
        via: n.via.as_str(),
    })
}

/// The end a final status other than 2xx and 304 puts to a page: its outcome, the error to
/// record, and why the chain stops.
pub(super) fn status_end(
    status: u16,
    url: &Url,
) -> Option<(FetchOutcome, Option<String>, EndReason)> {
    match status {
        200..=299 => None,
        // A 304 answers only a conditional request, whose stored copy was then found missing.
        304 => Some((
            FetchOutcome::HttpError,
            Some("304 without a stored copy".into()),
            EndReason::Failed(url.to_string()),
        )),
        404 | 410 => Some((FetchOutcome::Gone, None, EndReason::Gone(url.to_string()))),
        s => Some((
            FetchOutcome::HttpError,
            Some(format!("HTTP {s}")),
            EndReason::Failed(url.to_string()),
        )),
    }
}

/// The rows of a fetch cut short by a shutdown: what was sent is still recorded.
pub(super) fn interrupted(attempts: &[Attempt]) -> Vec<FetchRow> {
    let mut rows = rows_of(attempts);
    if let Some(r) = rows.last_mut() {
        r.error.get_or_insert_with(|| "interrupted".into());
    }
    rows
}

/// When the page's answer was requested: the last row's time (as recorded) and as a time.
pub(super) fn fetched_at(rows: &[FetchRow]) -> (String, Option<DateTime<Utc>>) {
    let at = rows
        .last()
        .map(|r| r.requested_at.clone())
        .unwrap_or_else(now_stored);
    let time = DateTime::parse_from_rfc3339(&at)
        .ok()
        .map(|d| d.with_timezone(&Utc));
    (at, time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_that_end_a_page() {
        let url = Url::parse("http://news.example/a").unwrap();
        assert!(status_end(200, &url).is_none());
        assert_eq!(status_end(304, &url).unwrap().0, FetchOutcome::HttpError);
        let (outcome, error, end) = status_end(410, &url).unwrap();
        assert_eq!((outcome, error), (FetchOutcome::Gone, None));
        assert_eq!(end, EndReason::Gone(url.to_string()));
        let (outcome, error, _) = status_end(503, &url).unwrap();
        assert_eq!(outcome, FetchOutcome::HttpError);
        assert_eq!(error.as_deref(), Some("HTTP 503"));
    }
}
