//! The retry decision (which failures are worth another attempt) and the bounded loop that
//! fetches one page through the politeness gate, following redirects that stay in scope.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;
use url::Url;

use super::{AttemptError, Fetcher, RawResponse, Validators, elapsed_ms};
use crate::config::{MAX_ATTEMPTS, MAX_RETRY_AFTER};
use crate::model::FetchOutcome;
use crate::politeness::{Cancelled, Gate};
use crate::urls::{self, Scope};

/// One HTTP attempt, as the fetch log records it.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub url: Url,
    pub requested_at: DateTime<Utc>,
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    pub request_headers: Vec<(String, String)>,
    pub bytes: Option<i64>,
    pub duration_ms: i64,
    /// Filled in by the caller for the final attempt; `Retried`/`Redirected` for the others.
    pub outcome: FetchOutcome,
    pub error: Option<String>,
}

/// How a page fetch ended.
#[derive(Debug)]
pub enum PageResult {
    /// A final answer (2xx, 304, 4xx, or 5xx after the budget): the caller classifies it.
    Response(RawResponse),
    /// No usable answer: timeout, size limit, bad redirect, network failure, long Retry-After.
    Failed {
        outcome: FetchOutcome,
        error: String,
    },
}

/// Every attempt of one page, and how it ended. The last attempt's outcome is the caller's to set
/// when the result is a response.
#[derive(Debug)]
pub struct PageFetch {
    pub attempts: Vec<Attempt>,
    pub result: PageResult,
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// A final answer.
    No,
    /// Worth another attempt after the given wait (None: the doubling backoff).
    After(Option<Duration>),
    /// The server asked for a wait longer than we accept.
    TooLong(Duration),
}

/// The retry decision for a status: 408, 429 and 5xx retry; 429 and 503 honour Retry-After.
pub fn retry_for_status(status: u16, retry_after: Option<&str>, now: DateTime<Utc>) -> Retry {
    let retryable = status == 408 || status == 429 || (500..600).contains(&status);
    if !retryable {
        return Retry::No;
    }
    let wait = if status == 429 || status == 503 {
        retry_after.and_then(|v| parse_retry_after(v, now))
    } else {
        None
    };
    match wait {
        Some(d) if d > MAX_RETRY_AFTER => Retry::TooLong(d),
        other => Retry::After(other),
    }
}

/// `Retry-After`: delay-seconds or an HTTP date.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when: DateTime<Utc> = httpdate::parse_http_date(v).ok()?.into();
    Some((when - now).to_std().unwrap_or(Duration::ZERO))
}

/// How a redirect is judged.
pub struct RedirectRules<'a> {
    /// Where redirects may lead (None: any http/https URL, as for robots.txt).
    pub scope: Option<&'a Scope>,
    pub max: usize,
}

/// Fetches one page: gate, send, classify, retry within the budget, follow redirects.
/// Returns `Err(Cancelled)` only when shut down; every other end is a [`PageFetch`].
pub async fn fetch_page(
    fetcher: &Fetcher,
    gate: &Gate,
    start: &Url,
    validators: Option<&Validators>,
    redirects: RedirectRules<'_>,
    cancel: &CancellationToken,
) -> Result<PageFetch, (Cancelled, Vec<Attempt>)> {
    let mut attempts: Vec<Attempt> = Vec::new();
    let mut url = start.clone();
    let mut failures = 0u32;
    let mut hops = 0usize;
    let mut visited: Vec<Url> = Vec::new();
    loop {
        let Some(host) = urls::host_key(&url) else {
            return Ok(failed(
                attempts,
                FetchOutcome::BadRedirect,
                format!("no host in {url}"),
            ));
        };
        if let Err(c) = gate.acquire(&host, cancel).await {
            return Err((c, attempts));
        }
        let requested_at = Utc::now();
        let t0 = Instant::now();
        let conditional = if url == *start { validators } else { None };
        let sent = tokio::select! {
            r = fetcher.send(&url, conditional) => Some(r),
            _ = cancel.cancelled() => None,
        };
        let mut attempt = Attempt {
            url: url.clone(),
            requested_at,
            status: None,
            headers: Vec::new(),
            request_headers: Vec::new(),
            bytes: None,
            duration_ms: elapsed_ms(t0),
            outcome: FetchOutcome::Retried,
            error: None,
        };
        let Some(sent) = sent else {
            // The request may have reached the server: it is logged, without an answer.
            attempt.outcome = FetchOutcome::Interrupted;
            attempt.error = Some("cancelled before the answer was read".into());
            attempts.push(attempt);
            return Err((Cancelled, attempts));
        };
        let resp = match sent {
            Ok(resp) => resp,
            Err(err) => {
                let (outcome, msg, retryable) = match err {
                    // A request that used its whole time budget (a trickling or stalled server)
                    // is not tried again: that would cost minutes per page. A quick timeout
                    // (connecting) is.
                    AttemptError::Timeout(m) => {
                        let quick = t0.elapsed() < fetcher.timeout() / 2;
                        (FetchOutcome::Timeout, m, quick)
                    }
                    AttemptError::Network(m) => (FetchOutcome::NetworkError, m, true),
                    AttemptError::TooLarge(m) => (FetchOutcome::TooLarge, m, false),
                    AttemptError::Blocked(m) => (FetchOutcome::BlockedAddress, m, false),
                };
                failures += 1;
                attempt.error = Some(msg.clone());
                if retryable && failures < MAX_ATTEMPTS {
                    gate.back_off(&host, None);
                    attempts.push(attempt);
                    continue;
                }
                if retryable {
                    gate.back_off(&host, None);
                }
                attempt.outcome = outcome;
                attempts.push(attempt);
                return Ok(failed(attempts, outcome, msg));
            }
        };
        attempt.status = Some(resp.status);
        attempt.headers = resp.headers.clone();
        attempt.request_headers = resp.request_headers.clone();
        attempt.bytes = Some(resp.body.len() as i64);

        if (300..400).contains(&resp.status) && resp.status != 304 {
            let Some(location) = resp.header("location") else {
                // A redirect without a target is a final answer of its own.
                attempts.push(attempt);
                return Ok(PageFetch {
                    attempts,
                    result: PageResult::Response(resp),
                });
            };
            match judge_redirect(&url, location, &redirects, hops) {
                Ok(target) if visited.contains(&urls::normalize(&target)) => {
                    let why = format!("redirect loop through {target}");
                    attempt.outcome = FetchOutcome::BadRedirect;
                    attempt.error = Some(why.clone());
                    attempts.push(attempt);
                    return Ok(failed(attempts, FetchOutcome::BadRedirect, why));
                }
                Ok(target) => {
                    visited.push(urls::normalize(&url));
                    gate.succeeded(&host);
                    attempt.outcome = FetchOutcome::Redirected;
                    attempts.push(attempt);
                    hops += 1;
                    url = target;
                    continue;
                }
                Err(why) => {
                    attempt.outcome = FetchOutcome::BadRedirect;
                    attempt.error = Some(why.clone());
                    attempts.push(attempt);
                    return Ok(failed(attempts, FetchOutcome::BadRedirect, why));
                }
            }
        }

        match retry_for_status(resp.status, resp.header("retry-after"), Utc::now()) {
            Retry::No => {
                gate.succeeded(&host);
                attempts.push(attempt);
                return Ok(PageFetch {
                    attempts,
                    result: PageResult::Response(resp),
                });
            }
            Retry::TooLong(d) => {
                let msg = format!(
                    "HTTP {}: Retry-After of {}s exceeds the {}s limit",
                    resp.status,
                    d.as_secs(),
                    MAX_RETRY_AFTER.as_secs()
                );
                gate.back_off(&host, Some(MAX_RETRY_AFTER));
                attempt.outcome = FetchOutcome::HttpError;
                attempt.error = Some(msg.clone());
                attempts.push(attempt);
                return Ok(failed(attempts, FetchOutcome::HttpError, msg));
            }
            Retry::After(wait) => {
                failures += 1;
                gate.back_off(&host, wait);
                if failures < MAX_ATTEMPTS {
                    attempt.error = Some(format!("HTTP {}: retrying", resp.status));
                    attempts.push(attempt);
                    continue;
                }
                attempts.push(attempt);
                return Ok(PageFetch {
                    attempts,
                    result: PageResult::Response(resp),
                });
            }
        }
    }
}

fn failed(attempts: Vec<Attempt>, outcome: FetchOutcome, error: String) -> PageFetch {
    PageFetch {
        attempts,
        result: PageResult::Failed { outcome, error },
    }
}

/// Resolves a `Location` and checks it: http(s) only, in scope, within the hop limit.
fn judge_redirect(
    from: &Url,
    location: &str,
    rules: &RedirectRules<'_>,
    hops: usize,
) -> Result<Url, String> {
    let target = from
        .join(location.trim())
        .map_err(|e| format!("redirect to an invalid URL {location:?}: {e}"))?;
    if !urls::is_fetchable_scheme(&target) {
        return Err(format!(
            "redirect to a non-HTTP URL refused: {}",
            target.scheme()
        ));
    }
    if hops >= rules.max {
        return Err(format!("more than {} redirects", rules.max));
    }
    if let Some(scope) = rules.scope
        && !scope.allows(&target)
    {
        return Err(format!("redirect out of scope refused: {target}"));
    }
    let mut a = urls::normalize(&target);
    let mut b = urls::normalize(from);
    a.set_fragment(None);
    b.set_fragment(None);
    if a == b {
        return Err(format!("redirect loop at {target}"));
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z")
            .unwrap()
            .into()
    }

    #[test]
    fn status_classification() {
        assert_eq!(retry_for_status(200, None, now()), Retry::No);
        assert_eq!(retry_for_status(404, None, now()), Retry::No);
        assert_eq!(retry_for_status(500, None, now()), Retry::After(None));
        assert_eq!(retry_for_status(408, None, now()), Retry::After(None));
        assert_eq!(
            retry_for_status(429, Some("2"), now()),
            Retry::After(Some(Duration::from_secs(2)))
        );
        assert_eq!(
            retry_for_status(503, Some("600"), now()),
            Retry::TooLong(Duration::from_secs(600))
        );
    }

    #[test]
    fn retry_after_http_date() {
        let d = parse_retry_after("Fri, 20 Nov 2026 10:00:30 GMT", now()).unwrap();
        assert_eq!(d, Duration::from_secs(30));
        assert_eq!(
            parse_retry_after("Fri, 20 Nov 2026 09:00:00 GMT", now()),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now()), None);
    }

    #[test]
    fn redirects_are_judged() {
        let from = Url::parse("http://a.example/x").unwrap();
        let scope = Scope::new(&from, &[]);
        let rules = RedirectRules {
            scope: Some(&scope),
            max: 10,
        };
        assert!(judge_redirect(&from, "/y", &rules, 0).is_ok());
        assert!(judge_redirect(&from, "http://b.example/y", &rules, 0).is_err());
        assert!(judge_redirect(&from, "file:///etc/passwd", &rules, 0).is_err());
        assert!(judge_redirect(&from, "javascript:alert(1)", &rules, 0).is_err());
        assert!(judge_redirect(&from, "/y", &rules, 10).is_err());
        assert!(judge_redirect(&from, "/x#frag", &rules, 0).is_err());
    }
}
