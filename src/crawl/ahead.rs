//! The next page, requested as soon as its link is found, while the page before it is still
//! being extracted and stored; and what becomes of such a request when the walk does not go
//! there.

use std::sync::Arc;

use tokio_util::sync::{CancellationToken, DropGuard};
use url::Url;

use super::journal::{Journal, rows_of, set_last};
use crate::Result;
use crate::config::MAX_REDIRECTS;
use crate::fetch::retry::RedirectRules;
use crate::fetch::{Attempt, Fetcher, PageFetch, PageResult, Validators, fetch_page};
use crate::model::FetchOutcome;
use crate::politeness::robots_book::ROBOTS_MAX_REDIRECTS;
use crate::politeness::{Cancelled, Gate};
use crate::store::FetchRow;
use crate::urls::Scope;

/// The validators sent with a request and the digest they stand for.
pub(super) type Conditional = Option<(Validators, String)>;

/// The walk's page fetches: its client, gate and shutdown signal, and the one fetch that may
/// be running ahead of the walk.
pub(super) struct Fetches {
    fetcher: Fetcher,
    gate: Arc<Gate>,
    cancel: CancellationToken,
    ahead: Option<Ahead>,
}

impl Fetches {
    pub fn new(fetcher: Fetcher, gate: Arc<Gate>, cancel: CancellationToken) -> Self {
        Fetches {
            fetcher,
            gate,
            cancel,
            ahead: None,
        }
    }

    pub fn gate(&self) -> &Gate {
        &self.gate
    }

    /// Fetches a host's robots.txt (no scope: its redirects may leave the host).
    pub async fn fetch_robots(&self, url: &Url) -> Fetched {
        let rules = RedirectRules {
            scope: None,
            max: ROBOTS_MAX_REDIRECTS,
        };
        fetch_page(&self.fetcher, &self.gate, url, None, rules, &self.cancel).await
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Whether a fetch is running ahead, and for which URL.
    pub fn ahead_for(&self) -> Option<&Url> {
        self.ahead.as_ref().map(|a| &a.url)
    }

    /// The page's answer: the fetch started ahead for it, or a new (conditional) fetch once
    /// any other fetch ahead is settled.
    pub async fn fetch(
        &mut self,
        url: &Url,
        journal: &mut Journal<'_>,
        scope: &Scope,
    ) -> Result<(Conditional, Fetched)> {
        if let Some(ahead) = self.ahead.take_if(|a| a.url == *url) {
            return Ok((ahead.conditional.clone(), ahead.join().await));
        }
        self.settle(journal).await?;
        let conditional = journal.peek(|s| s.validators_for(url.as_str()))?;
        let rules = RedirectRules {
            scope: Some(scope),
            max: MAX_REDIRECTS,
        };
        let validators = conditional.as_ref().map(|(v, _)| v);
        let fetched = fetch_page(
            &self.fetcher,
            &self.gate,
            url,
            validators,
            rules,
            &self.cancel,
        )
        .await;
        Ok((conditional, fetched))
    }

    /// Starts fetching `next` ahead of need.
    pub fn start_ahead(&mut self, next: Url, journal: &Journal<'_>, scope: &Scope) -> Result<()> {
        let conditional = journal.peek(|s| s.validators_for(next.as_str()))?;
        let (fetcher, gate) = (&self.fetcher, &self.gate);
        self.ahead = Some(Ahead::start(
            next,
            conditional,
            fetcher,
            gate,
            scope,
            &self.cancel,
        ));
        Ok(())
    }

    /// Ends a fetch started ahead that the walk did not use, recording what was requested.
    pub async fn settle(&mut self, journal: &mut Journal<'_>) -> Result<()> {
        match self.ahead.take() {
            Some(ahead) => journal.commit_rows(ahead.settle().await),
            None => Ok(()),
        }
    }
}

/// What [`fetch_page`] returns.
pub(super) type Fetched = std::result::Result<PageFetch, (Cancelled, Vec<Attempt>)>;

/// A fetch started ahead of need.
struct Ahead {
    url: Url,
    conditional: Conditional,
    task: tokio::task::JoinHandle<Fetched>,
    /// Cancels the fetch when the walk no longer wants it, or when dropped.
    cancel: DropGuard,
}

impl Ahead {
    /// Starts fetching `url` on a task of its own, under the walk's cancellation.
    fn start(
        url: Url,
        conditional: Conditional,
        fetcher: &Fetcher,
        gate: &Arc<Gate>,
        scope: &Scope,
        cancel: &CancellationToken,
    ) -> Self {
        let token = cancel.child_token();
        let (fetcher, gate, scope) = (fetcher.clone(), gate.clone(), scope.clone());
        let (target, validators, cancel) = (
            url.clone(),
            conditional.as_ref().map(|(v, _)| v.clone()),
            token.clone(),
        );
        let task = tokio::spawn(async move {
            let rules = RedirectRules {
                scope: Some(&scope),
                max: MAX_REDIRECTS,
            };
            fetch_page(
                &fetcher,
                &gate,
                &target,
                validators.as_ref(),
                rules,
                &cancel,
            )
            .await
        });
        Ahead {
            url,
            conditional,
            task,
            cancel: token.drop_guard(),
        }
    }

    /// The fetch's result, once it ends.
    async fn join(self) -> Fetched {
        join(self.task).await
    }

    /// Ends a fetch the walk did not use: cancelled if still going; the rows of whatever was
    /// requested, the last marked `unused`.
    async fn settle(self) -> Vec<FetchRow> {
        drop(self.cancel);
        const WHY: &str = "fetched ahead; the walk ended before this page";
        match join(self.task).await {
            Ok(fetch) => {
                let mut rows = rows_of(&fetch.attempts);
                let why = match fetch.result {
                    PageResult::Response(_) => WHY.to_string(),
                    PageResult::Failed { outcome, error } => format!("{outcome}: {error}; {WHY}"),
                };
                set_last(&mut rows, FetchOutcome::Unused, Some(why));
                rows
            }
            Err((_, attempts)) => {
                // Cancelled: a request cut short is unused; those answered before keep their
                // outcomes.
                let mut rows = rows_of(&attempts);
                if let Some(r) = rows.last_mut()
                    && r.outcome == FetchOutcome::Interrupted
                {
                    r.outcome = FetchOutcome::Unused;
                    r.error = Some(format!("{WHY}; cancelled before the answer was read"));
                }
                rows
            }
        }
    }
}

/// The result of a fetch task; a task that failed to run counts as a network error.
async fn join(task: tokio::task::JoinHandle<Fetched>) -> Fetched {
    task.await.unwrap_or_else(|e| {
        Ok(PageFetch {
            attempts: Vec::new(),
            result: PageResult::Failed {
                outcome: FetchOutcome::NetworkError,
                error: format!("the fetch task failed: {e}"),
            },
        })
    })
}
