//! robots.txt for a walk, behind one call: each host's rules read once per walk (from the
//! archive's 24-hour cache when allowed, else fetched through the gate), their crawl-delay
//! given to the gate, and every fetch of robots.txt handed to the archive as a capture.

use std::collections::HashMap;

use chrono::Utc;
use tracing::{info, warn};
use url::Url;

use super::Gate;
use super::robots::{HostRules, RobotsFetch, robots_url};
use crate::Result;
use crate::model::FetchOutcome;
use crate::time::stored_time;
use crate::urls;

/// The largest robots.txt read (RFC 9309 asks for at least 500 KiB).
const ROBOTS_MAX_BYTES: usize = 500 * 1024;
/// How long a robots.txt answer is kept (RFC 9309 allows up to 24 hours).
const ROBOTS_CACHE_HOURS: i64 = 24;
/// Redirects followed for robots.txt (RFC 9309: at least five).
pub const ROBOTS_MAX_REDIRECTS: usize = 5;

/// How one fetch of robots.txt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RobotsReply {
    /// A final answer and its body.
    Answer { status: u16, body: Vec<u8> },
    /// No usable answer.
    Failed {
        outcome: FetchOutcome,
        error: String,
    },
    /// Shut down while fetching.
    Interrupted,
}

/// What the book needs from the walk: fetching through the gate, and the archive, where
/// answers are kept between runs and every fetch is recorded.
pub(crate) trait RobotsIo {
    /// Fetches `url` through the gate, following at most [`ROBOTS_MAX_REDIRECTS`] redirects;
    /// its requests wait to be recorded by [`RobotsIo::record`].
    fn fetch(&mut self, url: &Url) -> impl Future<Output = Result<RobotsReply>>;
    /// Records the requests of the last fetch, the last one ending in `last` (with the answer
    /// as a capture, when there was one).
    fn record(&mut self, last: FetchOutcome, note: Option<String>) -> Result<()>;
    /// An answer kept since `since`: its status and, for a 2xx, its body.
    fn kept(&mut self, host: &str, since: &str) -> Result<Option<(u16, Option<Vec<u8>>)>>;
    /// Keeps an answer for later runs.
    fn keep(&mut self, host: &str, status: u16, body: Option<&[u8]>) -> Result<()>;
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
    pub(crate) async fn allows(
        &mut self,
        url: &Url,
        gate: &Gate,
        io: &mut impl RobotsIo,
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
            let rules = match self.kept(&host, io)? {
                Some(rules) => rules,
                None => match self.fetch(url, &host, io).await? {
                    Some((rules, failed)) => {
                        failure = failed;
                        rules
                    }
                    None => return Ok(answer(Verdict::Interrupted, None)),
                },
            };
            if let Some(delay) = rules.crawl_delay() {
                gate.slow_down(&host, delay);
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
    fn kept(&self, host: &str, io: &mut impl RobotsIo) -> Result<Option<HostRules>> {
        if !self.cache {
            return Ok(None);
        }
        let since = stored_time(Utc::now() - chrono::Duration::hours(ROBOTS_CACHE_HOURS));
        Ok(io.kept(host, &since)?.map(|(status, body)| {
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
        io: &mut impl RobotsIo,
    ) -> Result<Option<(HostRules, Option<FetchOutcome>)>> {
        let Some(robots) = robots_url(page) else {
            return Ok(Some((
                HostRules::from_fetch(&RobotsFetch::Unavailable(0)),
                None,
            )));
        };
        let reply = io.fetch(&robots).await?;
        if reply == RobotsReply::Interrupted {
            io.record(FetchOutcome::RobotsTxt, None)?;
            return Ok(None);
        }
        let access = access_of(&reply);
        let rules = HostRules::from_fetch(&access);
        info!(site = %self.site, host, rules = %rules.source, "robots.txt");
        if self.cache
            && let Some((status, body)) = keepable(&access, &reply)
        {
            io.keep(host, status, body)?;
        }
        let last = match (&access, &reply) {
            (RobotsFetch::Unreachable(_), RobotsReply::Failed { outcome, .. }) => *outcome,
            (RobotsFetch::Unreachable(_), _) => FetchOutcome::HttpError,
            _ => FetchOutcome::RobotsTxt,
        };
        let failure = (last != FetchOutcome::RobotsTxt).then_some(last);
        if failure.is_some() {
            warn!(site = %self.site, host, "{}", rules.source);
        }
        // The answer is kept as a capture, so that exports can show what the crawl obeyed.
        io.record(last, Some(rules.source.clone()))?;
        Ok(Some((rules, failure)))
    }
}

/// What a robots.txt fetch means under RFC 9309.
fn access_of(reply: &RobotsReply) -> RobotsFetch {
    match reply {
        RobotsReply::Answer { status, body } if (200..300).contains(status) => {
            RobotsFetch::Found(body[..body.len().min(ROBOTS_MAX_BYTES)].to_vec())
        }
        RobotsReply::Answer { status, .. } if *status == 429 || *status >= 500 => {
            RobotsFetch::Unreachable(format!("HTTP {status}"))
        }
        RobotsReply::Answer { status, .. } => RobotsFetch::Unavailable(*status),
        RobotsReply::Failed {
            outcome: FetchOutcome::BadRedirect,
            ..
        } => RobotsFetch::TooManyRedirects,
        RobotsReply::Failed { error, .. } => RobotsFetch::Unreachable(error.clone()),
        RobotsReply::Interrupted => RobotsFetch::Unreachable("interrupted".into()),
    }
}

/// The status and body worth keeping for later runs: a 2xx and its body, or a 4xx.
fn keepable<'a>(access: &'a RobotsFetch, reply: &RobotsReply) -> Option<(u16, Option<&'a [u8]>)> {
    let status = match reply {
        RobotsReply::Answer { status, .. } => Some(*status),
        _ => None,
    };
    match access {
        RobotsFetch::Found(body) => status.map(|s| (s, Some(body.as_slice()))),
        RobotsFetch::Unavailable(s) => Some((*s, None)),
        _ => None,
    }
}
