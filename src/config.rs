//! Defaults (named once, used by the flags' help, the library and the README) and the validated
//! settings of one crawl.

use std::time::Duration;

use chrono_tz::Tz;
use scraper::Selector;

use crate::{Error, Result};

/// Requests per second per host.
pub const DEFAULT_RATE: f64 = 1.0;
/// Article pages fetched per crawl (unchanged and 304 pages count).
pub const DEFAULT_MAX_ARTICLES: usize = 100;
/// Database path when `--db` is not given.
pub const DEFAULT_DB: &str = "archive.db";
/// Time to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time for a whole request, body included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts per page, all retries included.
pub const MAX_ATTEMPTS: u32 = 3;
/// Redirects followed per page (each must stay in scope).
pub const MAX_REDIRECTS: usize = 10;
/// Bodies larger than this (after decompression) are refused.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// A `Retry-After` longer than this fails the page instead of waiting.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);
/// First retry backoff after a 5xx, a timeout or a connection error (doubles, with jitter).
pub const RETRY_BASE_DELAY: Duration = Duration::from_millis(500);
/// Ceiling of the per-host backoff.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Where the project lives; part of the User-Agent.
pub const PROJECT_URL: &str = env!("CARGO_PKG_REPOSITORY");
/// The product token robots.txt groups are matched against.
pub const ROBOTS_AGENT: &str = "arshif";

/// The honest default User-Agent: `arshif/<version> (+<project URL>)`, plus the contact if given.
pub fn default_user_agent(contact: Option<&str>) -> String {
    let base = format!("arshif/{} (+{PROJECT_URL})", env!("CARGO_PKG_VERSION"));
    match contact.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => format!("{base} {c}"),
        None => base,
    }
}

/// Parses a rate in requests per second: a positive, finite decimal, no upper cap.
pub fn parse_rate(s: &str) -> Result<f64, String> {
    let r: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number (requests per second, e.g. 0.5)"))?;
    if !r.is_finite() || r <= 0.0 {
        return Err(format!(
            "{s:?} must be a positive number of requests per second"
        ));
    }
    Ok(r)
}

/// Parses an IANA time zone name such as `Africa/Casablanca` or `UTC`.
pub fn parse_timezone(s: &str) -> Result<Tz, String> {
    s.trim().parse::<Tz>().map_err(|_| {
        format!("unknown time zone {s:?} (use an IANA name such as Africa/Casablanca)")
    })
}

/// Per-site extraction and discovery rules, compiled once.
#[derive(Debug, Clone, Default)]
pub struct SiteRules {
    pub next_selector: Option<(String, Selector)>,
    pub title_selector: Option<(String, Selector)>,
    pub body_selector: Option<(String, Selector)>,
}

impl SiteRules {
    pub fn new(next: Option<&str>, title: Option<&str>, body: Option<&str>) -> Result<Self> {
        Ok(SiteRules {
            next_selector: compile("--next-selector", next)?,
            title_selector: compile("--title-selector", title)?,
            body_selector: compile("--body-selector", body)?,
        })
    }

    /// A stable identifier of the rules that affect extraction, stored with each version.
    pub fn extraction_id(&self) -> String {
        let title = self.title_selector.as_ref().map_or("", |(s, _)| s.as_str());
        let body = self.body_selector.as_ref().map_or("", |(s, _)| s.as_str());
        if title.is_empty() && body.is_empty() {
            "generic".to_string()
        } else {
            format!("title={title};body={body}")
        }
    }
}

fn compile(name: &'static str, css: Option<&str>) -> Result<Option<(String, Selector)>> {
    let Some(css) = css.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let sel = Selector::parse(css).map_err(|e| Error::InvalidSelector {
        name,
        selector: css.to_string(),
        reason: e.to_string(),
    })?;
    Ok(Some((css.to_string(), sel)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_must_be_positive_numbers() {
        assert_eq!(parse_rate("0.5"), Ok(0.5));
        assert_eq!(parse_rate("100000"), Ok(100000.0));
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("-1").is_err());
        assert!(parse_rate("NaN").is_err());
        assert!(parse_rate("inf").is_err());
        assert!(parse_rate("fast").is_err());
    }

    #[test]
    fn user_agent_names_the_project_and_contact() {
        let ua = default_user_agent(Some("archivist@example.org"));
        assert!(ua.starts_with("arshif/"));
        assert!(ua.contains(PROJECT_URL));
        assert!(ua.ends_with("archivist@example.org"));
    }

    #[test]
    fn bad_selectors_are_named() {
        let err = SiteRules::new(Some("a[[["), None, None).unwrap_err();
        assert!(err.to_string().contains("--next-selector"));
    }
}
