//! How a walk ended and what it did: the end reason, the counts by outcome, the one-line summary.

use std::collections::BTreeMap;

use tracing::info;

use crate::model::FetchOutcome;

/// Why a walk stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndReason {
    NoNextLink,
    MaxArticles,
    OffSite(String),
    Cycle(String),
    RobotsDisallowed(String),
    Gone(String),
    NotHtml(String),
    Failed(String),
    Interrupted,
    /// `stop_after_known` consecutive pages were already archived and unchanged.
    KnownStreak(usize),
    /// `--max-duration` was reached before the chain ended.
    TimeUp,
    /// Every due revisit was made.
    RevisitsDone,
    /// A feed or sitemap gave start points (internal: the walk goes on with them).
    Listed,
}

impl EndReason {
    /// Whether the whole walk stops here, rather than only one chain of a feed's start points.
    pub(super) fn ends_walk(&self) -> bool {
        matches!(
            self,
            EndReason::Interrupted
                | EndReason::TimeUp
                | EndReason::MaxArticles
                | EndReason::KnownStreak(_)
        )
    }

    /// The run's status in the `runs` table, when it ended here and pages failed or not.
    pub(super) fn run_status(&self, pages_failed: bool) -> &'static str {
        match (self, pages_failed) {
            (EndReason::Interrupted, _) => "interrupted",
            (_, true) => "failed",
            _ => "complete",
        }
    }

    /// Whether the next run should start where this one stopped (its chain was not finished).
    pub(super) fn leaves_pending(&self) -> bool {
        matches!(self, EndReason::Interrupted | EndReason::TimeUp)
    }
}

impl std::fmt::Display for EndReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EndReason::NoNextLink => write!(f, "no next-article link"),
            EndReason::MaxArticles => write!(f, "--max-articles reached"),
            EndReason::OffSite(u) => write!(f, "next link leaves the site: {u}"),
            EndReason::Cycle(u) => write!(f, "next link already visited in this run: {u}"),
            EndReason::RobotsDisallowed(u) => write!(f, "robots.txt disallows {u}"),
            EndReason::Gone(u) => write!(f, "page gone (404/410): {u}"),
            EndReason::NotHtml(u) => write!(f, "not an HTML page: {u}"),
            EndReason::Failed(u) => write!(f, "fetch failed: {u}"),
            EndReason::Interrupted => write!(f, "interrupted"),
            EndReason::KnownStreak(n) => {
                write!(
                    f,
                    "{n} articles in a row were already archived and unchanged"
                )
            }
            EndReason::TimeUp => write!(f, "--max-duration reached"),
            EndReason::RevisitsDone => write!(f, "every due revisit made"),
            EndReason::Listed => write!(f, "the listed articles were walked"),
        }
    }
}

/// The walk's counts by outcome, as they grow.
#[derive(Debug, Default)]
pub(super) struct Tally(BTreeMap<&'static str, usize>);

impl Tally {
    pub fn add(&mut self, outcome: FetchOutcome) {
        *self.0.entry(outcome.as_str()).or_default() += 1;
    }

    /// Whether any page finally failed.
    pub fn any_failed(&self) -> bool {
        self.0.keys().any(|k| FetchOutcome::is_failure_name(k))
    }

    /// The counts as the `runs` table keeps them.
    pub fn json(&self) -> String {
        serde_json::to_string(&self.0).expect("counts serialize")
    }

    /// The summary of a walk that ended with these counts.
    pub fn summary(self, run_id: i64, pages: usize, end: EndReason) -> Summary {
        Summary {
            run_id,
            pages,
            outcomes: self.0,
            end,
        }
    }
}

/// What a crawl did.
#[derive(Debug, Clone)]
pub struct Summary {
    pub run_id: i64,
    pub pages: usize,
    pub outcomes: BTreeMap<&'static str, usize>,
    pub end: EndReason,
}

impl Summary {
    pub fn count(&self, outcome: FetchOutcome) -> usize {
        self.outcomes.get(outcome.as_str()).copied().unwrap_or(0)
    }

    /// Pages that finally failed (exit code 2).
    pub fn failures(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|(k, _)| FetchOutcome::is_failure_name(k))
            .map(|(_, v)| v)
            .sum()
    }

    /// Logs the summary at info: the sentence, and each count as a field (for JSON logs).
    pub fn log(&self, site: &str) {
        info!(
            site,
            pages = self.pages,
            new_articles = self.count(FetchOutcome::Archived),
            new_versions = self.count(FetchOutcome::Changed),
            unchanged = self.count(FetchOutcome::Unchanged),
            not_modified = self.count(FetchOutcome::NotModified),
            removed = self.count(FetchOutcome::Gone),
            without_article = self.count(FetchOutcome::NoArticle),
            failed = self.failures(),
            stopped = %self.end,
            "{}",
            self.one_line()
        );
    }

    pub fn one_line(&self) -> String {
        format!(
            "{} pages: {} new articles, {} new versions, {} unchanged, {} not modified, {} removed, {} without article, {} failed; stopped: {}",
            self.pages,
            self.count(FetchOutcome::Archived),
            self.count(FetchOutcome::Changed),
            self.count(FetchOutcome::Unchanged),
            self.count(FetchOutcome::NotModified),
            self.count(FetchOutcome::Gone),
            self.count(FetchOutcome::NoArticle),
            self.failures(),
            self.end
        )
    }
}
