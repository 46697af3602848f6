//! Defaults (named once, used by the flags' help, the library and the docs), the one settings
//! type and its layers ([`settings`], read from flags and [`file`]), and the compiled rules of
//! a site.

pub mod file;
pub mod settings;

use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use scraper::Selector;
use serde::Deserialize;

use crate::{Error, Result};

/// Log lines as text for people, or JSON for log shippers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Requests per second per host.
pub const DEFAULT_RATE: f64 = 1.0;
/// Article pages fetched per crawl (unchanged and 304 pages count).
pub const DEFAULT_MAX_ARTICLES: usize = 100;
/// Sites crawled at once by `arshif run`.
pub const DEFAULT_JOBS: u16 = 4;
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

/// Parses a time given on the command line: RFC 3339 (any offset), or `YYYY-MM-DD` with an
/// optional `THH:MM[:SS]`, read as UTC when no zone is given.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    use chrono::Datelike;
    let t = parse_time_any_year(s)?;
    if !(1..=9999).contains(&t.year()) {
        return Err(format!("{s:?} is outside the years 1 to 9999 (in UTC)"));
    }
    Ok(t)
}

fn parse_time_any_year(s: &str) -> Result<DateTime<Utc>, String> {
    let t = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, format) {
            return Ok(n.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d.and_time(NaiveTime::MIN).and_utc());
    }
    Err(format!(
        "{s:?} is not a date: use RFC 3339 (2026-11-20T09:15:00Z) or YYYY-MM-DD"
    ))
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
    fn times_accept_rfc3339_and_plain_dates_as_utc() {
        let t = |s| parse_time(s).map(crate::time::stored_time);
        assert_eq!(t("2026-11-20").unwrap(), "2026-11-20T00:00:00.000Z");
        assert_eq!(t("2026-11-20T10:30").unwrap(), "2026-11-20T10:30:00.000Z");
        assert_eq!(
            t("2026-11-20T10:30:00+01:00").unwrap(),
            "2026-11-20T09:30:00.000Z"
        );
        assert!(t("20/11/2026").is_err());
        assert!(t("2026-13-01").is_err());
        assert!(t("").is_err());
        assert!(t("9999-12-31T23:59:59-05:00").is_err(), "year 10000 in UTC");
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
