//! The walk's side of robots.txt, for politeness's robots book: fetching it with the walk's
//! client and gate, and recording each fetch (with its answer as a capture) in the journal.

use url::Url;

use super::ahead::{Fetched, Fetches};
use super::journal::Journal;
use crate::Result;
use crate::fetch::PageResult;
use crate::model::FetchOutcome;
use crate::politeness::robots_book::{RobotsIo, RobotsReply};
use crate::store::CaptureWrite;
use crate::time::now_stored;

pub(super) struct WalkRobots<'w, 'a> {
    pub fetches: &'w Fetches,
    pub journal: &'w mut Journal<'a>,
    /// The last fetch, until it is recorded.
    pending: Option<Fetched>,
}

impl<'w, 'a> WalkRobots<'w, 'a> {
    pub fn new(fetches: &'w Fetches, journal: &'w mut Journal<'a>) -> Self {
        WalkRobots {
            fetches,
            journal,
            pending: None,
        }
    }
}

impl RobotsIo for WalkRobots<'_, '_> {
    async fn fetch(&mut self, url: &Url) -> Result<RobotsReply> {
        let fetched = self.fetches.fetch_robots(url).await;
        let reply = match &fetched {
            Err(_) => RobotsReply::Interrupted,
            Ok(f) => match &f.result {
                PageResult::Response(r) => RobotsReply::Answer {
                    status: r.status,
                    body: r.body.clone(),
                },
                PageResult::Failed { outcome, error } => RobotsReply::Failed {
                    outcome: *outcome,
                    error: error.clone(),
                },
            },
        };
        self.pending = Some(fetched);
        Ok(reply)
    }

    fn record(&mut self, last: FetchOutcome, note: Option<String>) -> Result<()> {
        match self.pending.take() {
            None => Ok(()),
            // Cut short by a shutdown: the requests keep their own outcomes.
            Some(Err((_, attempts))) => self.journal.commit_attempts(&attempts, last, note, None),
            Some(Ok(fetch)) => {
                let mut attempts = fetch.attempts;
                if let Some(a) = attempts.last_mut() {
                    a.outcome = last;
                }
                let capture = match fetch.result {
                    PageResult::Response(r) => Some(CaptureWrite {
                        content_type: r.header("content-type").map(str::to_string),
                        digest: r.digest,
                        bytes: r.body,
                    }),
                    PageResult::Failed { .. } => None,
                };
                self.journal.commit_attempts(&attempts, last, note, capture)
            }
        }
    }

    fn kept(&mut self, host: &str, since: &str) -> Result<Option<(u16, Option<Vec<u8>>)>> {
        self.journal.with(|s| s.cached_robots(host, since))
    }

    fn keep(&mut self, host: &str, status: u16, body: Option<&[u8]>) -> Result<()> {
        self.journal
            .with(|s| s.cache_robots(host, &now_stored(), status, body))
    }
}
