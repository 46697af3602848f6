//! robots.txt for a walk, behind one call: each host's rules read once per walk (from the
//! archive's 24-hour cache when allowed, else fetched through the gate), their crawl-delay
//! given to the gate, and every fetch of robots.txt handed to the archive as a capture.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
use url::Url;

use super::Gate;
use super::robots::{HostRules, RobotsFetch, robots_url};
use crate::Result;
use crate::fetch::retry::RedirectRules;
use crate::fetch::{Attempt, Fetcher, PageResult, RawResponse, fetch_page};
use crate::model::FetchOutcome;
use crate::time::stored_time;
use crate::urls;

/// The largest robots.txt read (RFC 9309 asks for at least 500 KiB).
const ROBOTS_MAX_BYTES: usize = 500 * 1024;
/// How long a robots.txt answer is kept (RFC 9309 allows up to 24 hours).
const ROBOTS_CACHE_HOURS: i64 = 24;
/// Redirects followed for robots.txt (RFC 9309: at least five).
const ROBOTS_MAX_REDIRECTS: usize = 5;

/// Where robots.txt answers are kept and recorded (the walk's journal).
pub trait RobotsArchive {
    /// An answer kept since `since`: its status and, for a 2xx, its body.
    fn kept_robots(&mut self, host: &str, since: &str) -> Result<Option<(u16, Option<Vec<u8>>)>>;
    /// Keeps an answer for later runs.
    fn keep_robots(&mut self, host: &str, status: u16, body: Option<&[u8]>) -> Result<()>;
    /// Records the requests made for robots.txt, the last ending in `last`, with the answer
    /// as a capture when there was one.
    fn record_robots(
        &mut self,
        attempts: &[Attempt],
        last: FetchOutcome,
        note: Option<String>,
        answer: Option<RawResponse>,
    ) -> Result<()>;
}

/// How a walk reaches the web: its client, its gate and its shutdown signal.
pub struct Net<'a> {
    pub fetcher: &'a Fetcher,
    pub gate: &'a Arc<Gate>,
    pub cancel: &'a CancellationToken,
}

/// What robots.txt says of one URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Disallowed,
    /// Shut down while robots.txt was being fetched.
    Interrupted,
}

/// The answer to [`RobotsBook::allows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub verdict: Verdict,
    /// robots.txt could not be read just now (a failure worth exit 2: a cron job must not go
    /// quiet because a site's robots.txt is down): how its fetch ended.
    pub failure: Option<FetchOutcome>,
}

/// The walk's robots.txt rules, one per host.
pub struct RobotsBook {
    hosts: HashMap<String, HostRules>,
    ignore: bool,
    /// Answers kept by earlier runs are used, and new ones kept (`arshif run`).
    cache: bool,
    /// The site the log lines are about.
    site: String,
}

impl RobotsBook {
    pub fn new(ignore: bool, cache: bool, site: String) -> Self {
        RobotsBook {
            hosts: HashMap::new(),
            ignore,
            cache,
            site,
        }
    }

    /// Whether rules already read allow `url`, without fetching any.
    pub fn known_to_allow(&self, url: &Url) -> bool {
        self.ignore
            || urls::host_key(url)
                .and_then(|h| self.hosts.get(&h))
                .is_some_and(|r| r.allows(url))
    }

    /// Whether robots.txt allows `url`, reading the host's rules on first need.
    pub async fn allows(
        &mut self,
        url: &Url,
        net: &Net<'_>,
        archive: &mut impl RobotsArchive,
    ) -> Result<Answer> {
        let answer = |verdict, failure| Answer { verdict, failure };
        if self.ignore {
            return Ok(answer(Verdict::Allowed, None));
        }
        let Some(host) = urls::host_key(url) else {
            return Ok(answer(Verdict::Disallowed, None));
        };
        let mut failure = None;
        if !self.hosts.contains_key(&host) {
            let rules = match self.kept(&host, archive)? {
                Some(rules) => rules,
                None => match self.fetch(url, &host, net, archive).await? {
                    Some((rules, failed)) => {
                        failure = failed;
                        rules
                    }
                    None => return Ok(answer(Verdict::Interrupted, None)),
                },
            };
            if let Some(delay) = rules.crawl_delay() {
                net.gate.slow_down(&host, delay);
            }
            self.hosts.insert(host.clone(), rules);
        }
        let verdict = if self.hosts[&host].allows(url) {
            Verdict::Allowed
        } else {
            Verdict::Disallowed
        };
        Ok(answer(verdict, failure))
    }

    /// A robots.txt answer kept by an earlier run, when the book may use one.
    fn kept(&self, host: &str, archive: &mut impl RobotsArchive) -> Result<Option<HostRules>> {
        if !self.cache {
            return Ok(None);
        }
        let since = stored_time(Utc::now() - chrono::Duration::hours(ROBOTS_CACHE_HOURS));
        Ok(archive.kept_robots(host, &since)?.map(|(status, body)| {
            let fetch = match body {
                Some(b) if (200..300).contains(&status) => RobotsFetch::Found(b),
                _ => RobotsFetch::Unavailable(status),
            };
            let rules = HostRules::from_fetch(&fetch);
            info!(site = %self.site, host, rules = %rules.source, "robots.txt (kept from an earlier run)");
            rules
        }))
    }

    /// Fetches the host's robots.txt: its rules and, when it could not be read, how that
    /// fetch ended. `None` when interrupted.
    async fn fetch(
        &self,
        page: &Url,
        host: &str,
        net: &Net<'_>,
        archive: &mut impl RobotsArchive,
    ) -> Result<Option<(HostRules, Option<FetchOutcome>)>> {
        let Some(robots) = robots_url(page) else {
            return Ok(Some((
                HostRules::from_fetch(&RobotsFetch::Unavailable(0)),
                None,
            )));
        };
        let rules = RedirectRules {
            scope: None,
            max: ROBOTS_MAX_REDIRECTS,
        };
        let fetched =
            match fetch_page(net.fetcher, net.gate, &robots, None, rules, net.cancel).await {
                Ok(f) => f,
                Err((_, attempts)) => {
                    archive.record_robots(&attempts, FetchOutcome::RobotsTxt, None, None)?;
                    return Ok(None);
                }
            };
        let access = access_of(&fetched.result);
        let rules = HostRules::from_fetch(&access);
        info!(site = %self.site, host, rules = %rules.source, "robots.txt");
        if self.cache
            && let Some((status, body)) = keepable(&access, &fetched.result)
        {
            archive.keep_robots(host, status, body)?;
        }
        let last = match (&access, &fetched.result) {
            (RobotsFetch::Unreachable(_), PageResult::Failed { outcome, .. }) => *outcome,
            (RobotsFetch::Unreachable(_), _) => FetchOutcome::HttpError,
            _ => FetchOutcome::RobotsTxt,
        };
        let failure = (last != FetchOutcome::RobotsTxt).then_some(last);
        if failure.is_some() {
            warn!(site = %self.site, host, "{}", rules.source);
        }
        let mut attempts = fetched.attempts;
        if let Some(a) = attempts.last_mut() {
            a.outcome = last;
        }
        // The answer is kept as a capture, so that exports can show what the crawl obeyed.
        let answer = match fetched.result {
            PageResult::Response(r) => Some(r),
            PageResult::Failed { .. } => None,
        };
        archive.record_robots(&attempts, last, Some(rules.source.clone()), answer)?;
        Ok(Some((rules, failure)))
    }
}

/// What a robots.txt fetch means under RFC 9309.
fn access_of(result: &PageResult) -> RobotsFetch {
    match result {
        PageResult::Response(r) if (200..300).contains(&r.status) => {
            RobotsFetch::Found(r.body[..r.body.len().min(ROBOTS_MAX_BYTES)].to_vec())
        }
        PageResult::Response(r) if r.status == 429 || r.status >= 500 => {
            RobotsFetch::Unreachable(format!("HTTP {}", r.status))
        }
        PageResult::Response(r) => RobotsFetch::Unavailable(r.status),
        PageResult::Failed {
            outcome: FetchOutcome::BadRedirect,
            ..
        } => RobotsFetch::TooManyRedirects,
        PageResult::Failed { error, .. } => RobotsFetch::Unreachable(error.clone()),
    }
}

/// The status and body worth keeping for later runs: a 2xx and its body, or a 4xx.
fn keepable<'a>(access: &'a RobotsFetch, result: &PageResult) -> Option<(u16, Option<&'a [u8]>)> {
    let status = match result {
        PageResult::Response(r) => Some(r.status),
        PageResult::Failed { .. } => None,
    };
    match access {
        RobotsFetch::Found(body) => status.map(|s| (s, Some(body.as_slice()))),
        RobotsFetch::Unavailable(s) => Some((*s, None)),
        _ => None,
    }
}
