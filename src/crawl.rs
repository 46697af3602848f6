//! The walk: from the start URL, follow next-article links page by page within the scope, the
//! page limit and robots.txt, ending cleanly on cycles, dead ends and shutdown. Each page is
//! committed as soon as it is processed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};
use url::Url;

use crate::config::{MAX_REDIRECTS, SiteRules};
use crate::decide;
use crate::discover;
use crate::extract::{self, EXTRACTOR_VERSION, ExtractOptions};
use crate::fetch::charset::decode_html;
use crate::fetch::retry::RedirectRules;
use crate::fetch::{
    Attempt, FetchSettings, Fetcher, PageFetch, PageResult, RawResponse, Validators, fetch_page,
};
use crate::model::{Article, ContentHash, FetchOutcome};
use crate::politeness::robots::{HostRules, RobotsFetch, robots_url};
use crate::politeness::{Cancelled, Gate};
use crate::store::{
    ArticleWrite, CaptureWrite, FetchRow, PageCommit, PageWriter, Store, VersionWrite,
};
use crate::time::{now_rfc3339, rfc3339, stored_time};
use crate::urls::{self, Scope};
use crate::{Error, Result};

/// The largest robots.txt read (RFC 9309 asks for at least 500 KiB).
const ROBOTS_MAX_BYTES: usize = 500 * 1024;
/// How long a robots.txt answer is kept (RFC 9309 allows up to 24 hours).
const ROBOTS_CACHE_HOURS: i64 = 24;
/// Redirects followed for robots.txt (RFC 9309: at least five).
const ROBOTS_MAX_REDIRECTS: usize = 5;

/// Everything one crawl needs.
#[derive(Debug, Clone)]
pub struct CrawlSettings {
    pub start: Url,
    pub max_articles: usize,
    pub rate: f64,
    pub ignore_robots: bool,
    pub allowed_hosts: Vec<String>,
    pub timezone: Tz,
    pub keep_all_captures: bool,
    pub rules: SiteRules,
    pub fetch: FetchSettings,
    /// Recorded in the `runs` table.
    pub command: String,
    /// The config file's site name (`arshif run`), recorded in the `runs` table.
    pub site: Option<String>,
    /// End the walk after this many consecutive pages already archived and unchanged (0: off).
    pub stop_after_known: usize,
    /// Start where the last run of this start URL left off (`arshif run`): at its pending page
    /// when it was interrupted or killed, at its last article when its chain had ended.
    pub resume: bool,
    /// Start no new page after this moment (`--max-duration`).
    pub deadline: Option<tokio::time::Instant>,
    /// Use robots.txt answers kept in the database for up to 24 hours (`arshif run`).
    pub robots_cache: bool,
    /// On a section or home page used as the start: the link to its first article.
    pub first_article_selector: Option<(String, scraper::Selector)>,
    /// A progress bar to advance with each page (only on a terminal).
    pub progress: Option<indicatif::ProgressBar>,
}

impl CrawlSettings {
    /// Settings for one start URL with every optional behaviour off.
    /// The site a log line is about: the config's site name, else the start URL's host (and
    /// port).
    pub fn site_label(&self) -> String {
        match &self.site {
            Some(name) => name.clone(),
            None => {
                let host = self.start.host_str().unwrap_or_default();
                match self.start.port() {
                    Some(port) => format!("{host}:{port}"),
                    None => host.to_string(),
                }
            }
        }
    }

    pub fn new(start: Url, rate: f64, command: &str) -> Self {
        CrawlSettings {
            start,
            max_articles: crate::config::DEFAULT_MAX_ARTICLES,
            rate,
            ignore_robots: false,
            allowed_hosts: Vec::new(),
            timezone: chrono_tz::UTC,
            keep_all_captures: false,
            rules: SiteRules::default(),
            fetch: FetchSettings::default(),
            command: command.to_string(),
            site: None,
            stop_after_known: 0,
            resume: false,
            deadline: None,
            robots_cache: false,
            first_article_selector: None,
            progress: None,
        }
    }
}

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
    fn ends_walk(&self) -> bool {
        matches!(
            self,
            EndReason::Interrupted
                | EndReason::TimeUp
                | EndReason::MaxArticles
                | EndReason::KnownStreak(_)
        )
    }

    /// Whether the next run should start where this one stopped (its chain was not finished).
    fn leaves_pending(&self) -> bool {
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

/// The walker's state.
struct Walk<'a> {
    /// The walk's connection: reads, and every write but archived pages. Reached through
    /// [`Walk::db`], which first waits for the page in flight.
    store: &'a mut Store,
    /// Commits archived pages on its own thread while the walk goes on to the next page.
    writer: PageWriter,
    /// What `runs.resume_url` holds, or will once the page in flight is written.
    resume_written: Option<String>,
    /// Following chains (not revisiting): each archived page records the pending next one.
    chain_walk: bool,
    settings: &'a CrawlSettings,
    fetcher: Fetcher,
    gate: Arc<Gate>,
    scope: Scope,
    robots: HashMap<String, HostRules>,
    run_id: i64,
    cancel: CancellationToken,
    outcomes: BTreeMap<&'static str, usize>,
    /// Whether the page being processed is the walk's start (a listing may stand there).
    at_start: bool,
    /// The walk started from a feed, sitemap or section page: it starts there again next time.
    from_listing: bool,
    /// What the chains of this walk have seen so far.
    state: WalkState,
    /// The next page, requested as soon as its link was found, while the page before it is
    /// still being extracted and stored.
    ahead: Option<Ahead>,
}

/// A fetch started ahead of need (see [`Walk::look_ahead`]).
struct Ahead {
    url: Url,
    /// The validators sent with it and the digest they stand for.
    conditional: Option<(Validators, String)>,
    task: tokio::task::JoinHandle<Fetched>,
    /// Cancels the fetch when the walk no longer wants it, or when dropped.
    cancel: tokio_util::sync::DropGuard,
}

/// What [`fetch_page`] returns.
type Fetched = std::result::Result<PageFetch, (Cancelled, Vec<Attempt>)>;

/// What a walk has seen so far, across the chains of its start points.
#[derive(Debug, Default)]
struct WalkState {
    seen: HashSet<String>,
    seen_articles: HashSet<String>,
    pages: usize,
    known_streak: usize,
}

/// What processing one page gave.
struct PageDone {
    outcome: FetchOutcome,
    next: Option<Next>,
    /// The URLs this page is known by (fetched, final, article key) for cycle detection.
    aliases: Vec<String>,
    /// The article this page belongs to, when known.
    key: Option<String>,
    end: Option<EndReason>,
    /// Start points a feed or sitemap listed (only read on the walk's first page).
    listed: Vec<Url>,
}

/// The link a page leads to, and how it was found (`discover::Via`, or `listing`).
struct Next {
    url: Url,
    via: &'static str,
}

/// Crawls the chain from `settings.start`. Page failures are counted, not returned as errors;
/// `Err` means the database failed.
pub async fn crawl(
    store: &mut Store,
    settings: &CrawlSettings,
    cancel: CancellationToken,
) -> Result<Summary> {
    let gate = Arc::new(Gate::new(settings.rate));
    crawl_with_gate(store, settings, gate, cancel).await
}

/// [`crawl`] through a gate shared with other walks (`arshif run` crawls sites concurrently;
/// a host shared by two sites still gets one limit).
pub async fn crawl_with_gate(
    store: &mut Store,
    settings: &CrawlSettings,
    gate: Arc<Gate>,
    cancel: CancellationToken,
) -> Result<Summary> {
    let configured = urls::normalize(&settings.start);
    let start = if settings.resume {
        resume_point(store, &configured, settings.site.as_deref())?.unwrap_or(configured.clone())
    } else {
        configured.clone()
    };
    let mut walk = Walk::begin(store, settings, gate, cancel, configured.as_str())?;
    let result = walk.run(start).await;
    walk.finish(result)
}

/// Fetches archived articles again (conditionally), most overdue first, without following
/// their next links: a new version only on a real change, a 404/410 recorded as gone.
pub async fn revisit_with_gate(
    store: &mut Store,
    settings: &CrawlSettings,
    due: &[Url],
    gate: Arc<Gate>,
    cancel: CancellationToken,
) -> Result<Summary> {
    let mut walk = Walk::begin(store, settings, gate, cancel, settings.start.as_str())?;
    let result = walk.revisit(due).await;
    walk.finish(result)
}

/// Where the last run of this start URL left off: the page it had not yet processed (when it
/// was interrupted, ran out of time, or was killed), or its last article (when its chain ended,
/// to see whether a next link has appeared since).
fn resume_point(store: &Store, start: &Url, site: Option<&str>) -> Result<Option<Url>> {
    Ok(store
        .resume_url(start.as_str(), site)?
        .and_then(|u| Url::parse(&u).ok()))
}

impl<'a> Walk<'a> {
    /// Records the run's start and sets up the walk.
    fn begin(
        store: &'a mut Store,
        settings: &'a CrawlSettings,
        gate: Arc<Gate>,
        cancel: CancellationToken,
        start_url: &str,
    ) -> Result<Self> {
        let fetcher = Fetcher::new(&settings.fetch, settings.start.host_str())?;
        let run_id = store.begin_run(
            &settings.command,
            Some(start_url),
            &now_rfc3339(),
            settings.site.as_deref(),
        )?;
        let writer = PageWriter::open(store.path())?;
        Ok(Walk {
            store,
            writer,
            resume_written: None,
            chain_walk: false,
            settings,
            fetcher,
            gate,
            scope: Scope::new(&settings.start, &settings.allowed_hosts),
            robots: HashMap::new(),
            run_id,
            cancel,
            outcomes: BTreeMap::new(),
            at_start: false,
            from_listing: false,
            state: WalkState::default(),
            ahead: None,
        })
    }

    /// Records how the run ended.
    fn finish(mut self, result: Result<(usize, EndReason)>) -> Result<Summary> {
        let run_id = self.run_id;
        // The page in flight is written first; its failure is the walk's.
        let written = self.writer.wait();
        let result = result.and_then(|r| written.map(|_| r));
        let (pages, end) = match result {
            Ok(v) => v,
            Err(e) => {
                let counts = serde_json::to_string(&self.outcomes).unwrap_or_default();
                let _ = self.store.finish_run(
                    run_id,
                    &now_rfc3339(),
                    "failed",
                    &e.to_string(),
                    &counts,
                );
                return Err(e);
            }
        };
        let failed = self
            .outcomes
            .keys()
            .any(|k| FetchOutcome::is_failure_name(k));
        let status = match (&end, failed) {
            (EndReason::Interrupted, _) => "interrupted",
            (_, true) => "failed",
            _ => "complete",
        };
        if !end.leaves_pending() && (end != EndReason::NoNextLink || self.from_listing) {
            // A finished walk: the next run starts from the configured start again.
            self.db()?.set_resume(run_id, None)?;
        }
        let counts = serde_json::to_string(&self.outcomes).unwrap_or_default();
        self.db()?
            .finish_run(run_id, &now_rfc3339(), status, &end.to_string(), &counts)?;
        Ok(Summary {
            run_id,
            pages,
            outcomes: std::mem::take(&mut self.outcomes),
            end,
        })
    }

    /// Moves the progress bar on, if there is one.
    fn advance(&self, url: &Url, outcome: FetchOutcome) {
        if let Some(bar) = &self.settings.progress {
            bar.inc(1);
            bar.set_message(format!("{outcome} {url}"));
        }
    }

    /// Why no further page may start, after `pages` pages: a signal, `--max-duration`, or the
    /// page limit.
    fn stop_before_page(&self, pages: usize) -> Option<EndReason> {
        if self.cancel.is_cancelled() {
            Some(EndReason::Interrupted)
        } else if self
            .settings
            .deadline
            .is_some_and(|d| tokio::time::Instant::now() >= d)
        {
            Some(EndReason::TimeUp)
        } else if pages >= self.settings.max_articles {
            Some(EndReason::MaxArticles)
        } else {
            None
        }
    }

    /// Fetches each URL once, in order, as [`revisit_with_gate`] describes.
    async fn revisit(&mut self, due: &[Url]) -> Result<(usize, EndReason)> {
        let mut pages = 0;
        for url in due {
            if let Some(end) = self.stop_before_page(pages) {
                return Ok((pages, end));
            }
            match self.robots_allow(url).await? {
                Some(true) => {}
                Some(false) => {
                    self.record_skip(
                        url,
                        FetchOutcome::RobotsDisallowed,
                        "disallowed by robots.txt",
                    )?;
                    continue;
                }
                None => return Ok((pages, EndReason::Interrupted)),
            }
            let Some(done) = self.page(url).await? else {
                return Ok((pages, EndReason::Interrupted));
            };
            pages += 1;
            *self.outcomes.entry(done.outcome.as_str()).or_default() += 1;
            self.advance(url, done.outcome);
        }
        Ok((pages, EndReason::RevisitsDone))
    }

    /// Walks from `start`; when the start is a feed or sitemap, from each article it lists in
    /// turn. The seen sets, the page count and the known streak span the whole walk.
    async fn run(&mut self, start: Url) -> Result<(usize, EndReason)> {
        self.chain_walk = true;
        let mut queue = std::collections::VecDeque::from([start]);
        let mut first = true;
        let mut end = EndReason::NoNextLink;
        while let Some(start) = queue.pop_front() {
            if self.state.seen.contains(start.as_str()) {
                continue;
            }
            let (chain_end, listed) = self.chain(start, first).await?;
            self.settle_ahead().await?;
            first = false;
            queue.extend(listed);
            end = chain_end;
            if end.ends_walk() {
                break;
            }
        }
        Ok((self.state.pages, end))
    }

    /// Follows one chain of next-article links.
    async fn chain(&mut self, start: Url, walk_start: bool) -> Result<(EndReason, Vec<Url>)> {
        let mut url = start;
        let mut at_start = walk_start;
        loop {
            if self.resume_written.as_deref() != Some(url.as_str()) {
                let run_id = self.run_id;
                self.db()?.set_resume(run_id, Some(url.as_str()))?;
                self.resume_written = Some(url.to_string());
            }
            // A page fetched ahead was started before the deadline: it is processed.
            let fetched_ahead = self.ahead.as_ref().is_some_and(|a| a.url == url);
            match self.stop_before_page(self.state.pages) {
                Some(EndReason::TimeUp) if fetched_ahead => {}
                Some(end) => return Ok((end, Vec::new())),
                None => {}
            }
            if !self.scope.allows(&url) {
                self.record_skip(&url, FetchOutcome::OffSite, "link leaves the crawl scope")?;
                return Ok((EndReason::OffSite(url.to_string()), Vec::new()));
            }
            match self.robots_allow(&url).await? {
                Some(true) => {}
                Some(false) => {
                    self.record_skip(
                        &url,
                        FetchOutcome::RobotsDisallowed,
                        "disallowed by robots.txt",
                    )?;
                    return Ok((EndReason::RobotsDisallowed(url.to_string()), Vec::new()));
                }
                None => return Ok((EndReason::Interrupted, Vec::new())),
            }
            self.state.seen.insert(url.to_string());
            self.at_start = at_start;
            let page = self.page(&url).await;
            self.at_start = false;
            let Some(done) = page? else {
                return Ok((EndReason::Interrupted, Vec::new()));
            };
            let listing = done.outcome == FetchOutcome::Listing;
            if !listing {
                self.state.pages += 1;
            }
            *self.outcomes.entry(done.outcome.as_str()).or_default() += 1;
            self.advance(&url, done.outcome);
            self.state.seen.extend(done.aliases);
            if let Some(end) = done.end {
                return Ok((end, Vec::new()));
            }
            if !done.listed.is_empty() {
                return Ok((EndReason::Listed, done.listed));
            }
            self.state.known_streak = match done.outcome {
                FetchOutcome::Unchanged | FetchOutcome::NotModified => self.state.known_streak + 1,
                FetchOutcome::Listing => self.state.known_streak,
                _ => 0,
            };
            let wanted = self.settings.stop_after_known;
            if wanted > 0 && self.state.known_streak >= wanted {
                return Ok((EndReason::KnownStreak(self.state.known_streak), Vec::new()));
            }
            // The same article again under another URL (cache-busting queries): a cycle.
            if let Some(key) = done.key
                && !self.state.seen_articles.insert(key.clone())
            {
                return Ok((EndReason::Cycle(key), Vec::new()));
            }
            let Some(Next { url: next, .. }) = done.next else {
                // The chain's end: the next run looks here again for a new next link.
                return Ok((EndReason::NoNextLink, Vec::new()));
            };
            let next = urls::normalize(&next);
            if self.state.seen.contains(next.as_str()) {
                return Ok((EndReason::Cycle(next.to_string()), Vec::new()));
            }
            url = next;
            at_start = false;
        }
    }

    /// Whether robots.txt allows `url`, fetching the host's rules once per run.
    /// `None` when interrupted.
    async fn robots_allow(&mut self, url: &Url) -> Result<Option<bool>> {
        if self.settings.ignore_robots {
            return Ok(Some(true));
        }
        let Some(host) = urls::host_key(url) else {
            return Ok(Some(false));
        };
        if !self.robots.contains_key(&host) {
            let rules = match self.cached_robots(&host)? {
                Some(rules) => rules,
                None => match self.fetch_robots(url, &host).await? {
                    Some(rules) => rules,
                    None => return Ok(None),
                },
            };
            if let Some(delay) = rules.crawl_delay() {
                self.gate.slow_down(&host, delay);
            }
            self.robots.insert(host.clone(), rules);
        }
        Ok(Some(self.robots[&host].allows(url)))
    }

    /// A robots.txt answer kept by an earlier run, when the settings allow it.
    fn cached_robots(&mut self, host: &str) -> Result<Option<HostRules>> {
        if !self.settings.robots_cache {
            return Ok(None);
        }
        let since = stored_time(Utc::now() - chrono::Duration::hours(ROBOTS_CACHE_HOURS));
        let cached = blocking(|| self.db()?.cached_robots(host, &since))?;
        Ok(cached.map(|(status, body)| {
            let fetch = match body {
                Some(b) if (200..300).contains(&status) => RobotsFetch::Found(b),
                _ => RobotsFetch::Unavailable(status),
            };
            let rules = HostRules::from_fetch(&fetch);
            info!(
                site = %self.settings.site_label(),
                host,
                rules = %rules.source,
                "robots.txt (kept from an earlier run)"
            );
            rules
        }))
    }

    async fn fetch_robots(&mut self, page: &Url, host: &str) -> Result<Option<HostRules>> {
        let Some(robots) = robots_url(page) else {
            return Ok(Some(HostRules::from_fetch(&RobotsFetch::Unavailable(0))));
        };
        let fetched = fetch_page(
            &self.fetcher,
            &self.gate,
            &robots,
            None,
            RedirectRules {
                scope: None,
                max: ROBOTS_MAX_REDIRECTS,
            },
            &self.cancel,
        )
        .await;
        let fetched = match fetched {
            Ok(f) => f,
            Err((_, attempts)) => {
                self.commit_attempts(attempts, FetchOutcome::RobotsTxt, None)?;
                return Ok(None);
            }
        };
        let access = match &fetched.result {
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
        };
        let rules = HostRules::from_fetch(&access);
        info!(site = %self.settings.site_label(), host, rules = %rules.source, "robots.txt");
        if self.settings.robots_cache {
            let status = match &fetched.result {
                PageResult::Response(r) => Some(r.status),
                PageResult::Failed { .. } => None,
            };
            let kept = match &access {
                RobotsFetch::Found(body) => status.map(|s| (s, Some(body.as_slice()))),
                RobotsFetch::Unavailable(s) => Some((*s, None)),
                _ => None,
            };
            if let Some((status, body)) = kept {
                blocking(|| self.db()?.cache_robots(host, &now_rfc3339(), status, body))?;
            }
        }
        // An unreachable robots.txt forbids the host (RFC 9309) and is a failure worth exit 2:
        // a cron job must not go quiet because a site's robots.txt is down.
        let last = match (&access, &fetched.result) {
            (RobotsFetch::Unreachable(_), PageResult::Failed { outcome, .. }) => *outcome,
            (RobotsFetch::Unreachable(_), _) => FetchOutcome::HttpError,
            _ => FetchOutcome::RobotsTxt,
        };
        if last != FetchOutcome::RobotsTxt {
            warn!(site = %self.settings.site_label(), host, "{}", rules.source);
            *self.outcomes.entry(last.as_str()).or_default() += 1;
        }
        let mut attempts = fetched.attempts;
        if let Some(a) = attempts.last_mut() {
            a.outcome = last;
        }
        // The answer is kept as a capture, so that exports can show what the crawl obeyed.
        let capture = match fetched.result {
            PageResult::Response(r) => Some(CaptureWrite {
                content_type: r.header("content-type").map(str::to_string),
                digest: r.digest,
                bytes: r.body,
            }),
            PageResult::Failed { .. } => None,
        };
        self.commit_attempts_with(attempts, last, Some(rules.source.clone()), capture)?;
        Ok(Some(rules))
    }

    fn commit_attempts(
        &mut self,
        attempts: Vec<Attempt>,
        last: FetchOutcome,
        note: Option<String>,
    ) -> Result<()> {
        self.commit_attempts_with(attempts, last, note, None)
    }

    /// Records the attempts at one URL; the last one's payload is stored when `capture` is
    /// given.
    fn commit_attempts_with(
        &mut self,
        attempts: Vec<Attempt>,
        last: FetchOutcome,
        note: Option<String>,
        capture: Option<CaptureWrite>,
    ) -> Result<()> {
        if attempts.is_empty() {
            return Ok(());
        }
        let mut rows: Vec<FetchRow> = attempts.iter().map(row_of).collect();
        if let Some(r) = rows.last_mut() {
            if matches!(r.outcome, FetchOutcome::Retried | FetchOutcome::Redirected) {
                r.outcome = last;
            }
            r.note = note;
            r.payload_digest = capture.as_ref().map(|c| c.digest.clone());
        }
        self.commit_fetches(rows, capture)
    }

    fn record_skip(&mut self, url: &Url, outcome: FetchOutcome, why: &str) -> Result<()> {
        info!(site = %self.settings.site_label(), %url, outcome = %outcome, "{why}");
        let row = FetchRow {
            error: Some(why.to_string()),
            ..FetchRow::new(url.to_string(), now_rfc3339(), outcome)
        };
        self.commit_rows(vec![row])
    }

    /// Fetches and processes one page (or takes it from the fetch started ahead). `None` when
    /// interrupted.
    async fn page(&mut self, url: &Url) -> Result<Option<PageDone>> {
        let (conditional, fetched) = match self.ahead.take() {
            Some(ahead) if ahead.url == *url => (ahead.conditional, join_ahead(ahead.task).await),
            other => {
                self.ahead = other;
                self.settle_ahead().await?;
                // Read without waiting for the page in flight: that page never wrote rows for
                // this URL (the walk never fetches a URL it has seen), and at worst a request
                // goes unconditional.
                let conditional = blocking(|| self.store.validators_for(url.as_str()))?;
                let fetched = fetch_page(
                    &self.fetcher,
                    &self.gate,
                    url,
                    conditional.as_ref().map(|(v, _)| v),
                    RedirectRules {
                        scope: Some(&self.scope),
                        max: MAX_REDIRECTS,
                    },
                    &self.cancel,
                )
                .await;
                (conditional, fetched)
            }
        };
        let fetched = match fetched {
            Ok(f) => f,
            Err((_, attempts)) => {
                // Interrupted mid-page: what was sent is still recorded.
                let mut rows: Vec<FetchRow> = attempts.iter().map(row_of).collect();
                if let Some(r) = rows.last_mut() {
                    r.error.get_or_insert_with(|| "interrupted".into());
                }
                self.commit_rows(rows)?;
                return Ok(None);
            }
        };
        let mut rows: Vec<FetchRow> = fetched.attempts.iter().map(row_of).collect();
        let done = match fetched.result {
            PageResult::Failed { outcome, error } => {
                warn!(site = %self.settings.site_label(), %url, outcome = %outcome, "{error}");
                set_last(&mut rows, outcome, Some(error));
                self.commit_rows(rows)?;
                PageDone {
                    outcome,
                    next: None,
                    aliases: Vec::new(),
                    key: None,
                    end: Some(EndReason::Failed(url.to_string())),
                    listed: Vec::new(),
                }
            }
            PageResult::Response(resp) => {
                self.response(url, resp, rows, conditional.map(|(_, d)| d))?
            }
        };
        let next = done.next.as_ref().map_or("none", |n| n.url.as_str());
        let via = done.next.as_ref().map_or("none", |n| n.via);
        info!(
            site = %self.settings.site_label(),
            %url,
            outcome = %done.outcome,
            next,
            via = %via,
            "page"
        );
        Ok(Some(done))
    }

    fn response(
        &mut self,
        url: &Url,
        resp: RawResponse,
        mut rows: Vec<FetchRow>,
        stored_digest: Option<String>,
    ) -> Result<PageDone> {
        let final_url = urls::normalize(&resp.url);
        let mut aliases = vec![final_url.to_string()];
        let ended = |outcome, end| PageDone {
            outcome,
            next: None,
            aliases: vec![final_url.to_string()],
            key: None,
            end: Some(end),
            listed: Vec::new(),
        };
        match resp.status {
            304 => {
                let Some(digest) = stored_digest else {
                    set_last(
                        &mut rows,
                        FetchOutcome::HttpError,
                        Some("304 without a stored copy".into()),
                    );
                    self.commit_rows(rows)?;
                    return Ok(ended(
                        FetchOutcome::HttpError,
                        EndReason::Failed(url.to_string()),
                    ));
                };
                return self.not_modified(url, rows, &digest);
            }
            404 | 410 => {
                set_last(&mut rows, FetchOutcome::Gone, None);
                self.commit_rows(rows)?;
                return Ok(ended(FetchOutcome::Gone, EndReason::Gone(url.to_string())));
            }
            s if !(200..300).contains(&s) => {
                set_last(
                    &mut rows,
                    FetchOutcome::HttpError,
                    Some(format!("HTTP {s}")),
                );
                self.commit_rows(rows)?;
                return Ok(ended(
                    FetchOutcome::HttpError,
                    EndReason::Failed(url.to_string()),
                ));
            }
            _ => {}
        }
        let digest = resp.digest.clone();
        if let Some(r) = rows.last_mut() {
            r.payload_digest = Some(digest.clone());
        }
        if self.at_start
            && crate::listing::is_feed(resp.header("content-type"), &resp.body)
            && let Some(listed) = crate::listing::feed_links(&resp.body, &final_url)
        {
            // A feed or sitemap as the start: each article it lists is a start point.
            set_last(
                &mut rows,
                FetchOutcome::Listing,
                Some(format!("{} articles listed", listed.len())),
            );
            if let Some(r) = rows.last_mut() {
                r.note = r.error.take();
            }
            self.commit_rows(rows)?;
            self.from_listing = true;
            return Ok(PageDone {
                outcome: FetchOutcome::Listing,
                next: None,
                aliases,
                key: None,
                end: None,
                listed,
            });
        }
        if !resp.is_html() {
            set_last(
                &mut rows,
                FetchOutcome::NotHtml,
                resp.header("content-type")
                    .map(|c| format!("content type {c}")),
            );
            self.commit_rows(rows)?;
            return Ok(ended(
                FetchOutcome::NotHtml,
                EndReason::NotHtml(url.to_string()),
            ));
        }
        let fetched_at = rows
            .last()
            .map(|r| r.requested_at.clone())
            .unwrap_or_else(now_rfc3339);
        let fetched_time = DateTime::parse_from_rfc3339(&fetched_at)
            .ok()
            .map(|d| d.with_timezone(&Utc));
        let content_type = resp.header("content-type").map(str::to_string);
        let (html, _) = decode_html(&resp.body, content_type.as_deref());
        let (article, next, first_listed) = self.analyse(&html, &final_url, fetched_time)?;

        // A section or home page as the start: its first listed article starts the chain.
        let listing_start = self.at_start
            && (self.settings.first_article_selector.is_some()
                || (!article.is_found() && next.is_none()));
        if listing_start && let Some(first) = first_listed {
            set_last(&mut rows, FetchOutcome::Listing, None);
            if let Some(r) = rows.last_mut() {
                r.note = Some(format!("first article: {first}"));
            }
            self.commit_rows(rows)?;
            self.from_listing = true;
            return Ok(PageDone {
                outcome: FetchOutcome::Listing,
                next: Some(Next {
                    url: first,
                    via: "listing",
                }),
                aliases,
                key: None,
                end: None,
                listed: Vec::new(),
            });
        }

        if !article.is_found() {
            set_last(
                &mut rows,
                FetchOutcome::NoArticle,
                Some("no article found on the page".into()),
            );
            let keep = self.settings.keep_all_captures;
            let capture = keep.then_some(CaptureWrite {
                digest,
                bytes: resp.body,
                content_type,
            });
            self.commit_fetches(rows, capture)?;
            return Ok(PageDone {
                outcome: FetchOutcome::NoArticle,
                next,
                aliases,
                key: None,
                end: None,
                listed: Vec::new(),
            });
        }

        let hash = article.content_hash();
        let (key, canonical) = self.article_key(&article, &final_url, &hash)?;
        aliases.push(key.clone());
        if blocking(|| self.db()?.is_redacted(&[&key, final_url.as_str()]))? {
            // A takedown: keep nothing of the page, not even its digest; the chain goes on.
            set_last(
                &mut rows,
                FetchOutcome::Redacted,
                Some("the article is under a takedown (arshif redact)".into()),
            );
            if let Some(r) = rows.last_mut() {
                r.payload_digest = None;
            }
            self.commit_rows(rows)?;
            return Ok(PageDone {
                outcome: FetchOutcome::Redacted,
                next,
                aliases,
                key: Some(key),
                end: None,
                listed: Vec::new(),
            });
        }
        let article_id = blocking(|| self.db()?.article_id(&key))?;
        let latest = match article_id {
            Some(id) => blocking(|| self.db()?.latest_version(id))?,
            None => None,
        };
        let rules_id = self.settings.rules.extraction_id();
        // Like with like: an upgrade or a new rule re-reads the stored capture.
        let outcome = decide::decide(latest.as_ref(), &hash, EXTRACTOR_VERSION, &rules_id, |l| {
            self.reextract(l)
        })?;
        let new_version = matches!(outcome, FetchOutcome::Archived | FetchOutcome::Changed);
        set_last(&mut rows, outcome, None);
        if outcome == FetchOutcome::Unchanged
            && let Some(l) = &latest
        {
            let note = decide::metadata_changes(l, &article);
            if let Some(r) = rows.last_mut() {
                r.note = note;
            }
        }
        let keep_capture = new_version || article_id.is_none() || self.settings.keep_all_captures;
        let version = new_version.then(|| VersionWrite {
            fetched_at: fetched_at.clone(),
            fetched_url: final_url.to_string(),
            canonical_url: canonical,
            title: article.title,
            body: article.body,
            published_at: article.published_at.map(rfc3339),
            modified_at: article.modified_at.map(rfc3339),
            authors: article.authors,
            language: article.language,
            content_hash: hash.0.clone(),
            extractor_version: EXTRACTOR_VERSION.to_string(),
            site_rules: rules_id.clone(),
        });
        // The chain's pending page is recorded with this one, in the same transaction.
        let resume_url = match &next {
            Some(n) if self.chain_walk => Some(urls::normalize(&n.url).to_string()),
            _ => None,
        };
        if resume_url.is_some() {
            self.resume_written.clone_from(&resume_url);
        }
        let page = PageCommit {
            run_id: Some(self.run_id),
            rows,
            capture: keep_capture.then_some(CaptureWrite {
                digest,
                bytes: resp.body,
                content_type,
            }),
            article: Some(ArticleWrite {
                url: key.clone(),
                host: urls::host_key(&final_url).unwrap_or_default(),
                seen_at: fetched_at,
                version,
            }),
            resume_url,
        };
        // Written on the writer's thread while the walk fetches the next page.
        blocking(|| self.writer.submit(page))?;
        Ok(PageDone {
            outcome,
            next,
            aliases,
            key: Some(key),
            end: None,
            listed: Vec::new(),
        })
    }

    /// A 304: the stored copy gives the next link; the article is seen, nothing else changes.
    fn not_modified(
        &mut self,
        url: &Url,
        mut rows: Vec<FetchRow>,
        digest: &str,
    ) -> Result<PageDone> {
        set_last(&mut rows, FetchOutcome::NotModified, None);
        let stored = blocking(|| self.db()?.load_capture(digest))?;
        let owner = blocking(|| self.db()?.article_of_capture(url.as_str(), digest))?;
        let next = match &stored {
            Some((bytes, content_type)) => {
                let (html, _) = decode_html(bytes, content_type.as_deref());
                self.next_link(&extract::parse(&html), url)
            }
            None => None,
        };
        self.look_ahead(next.as_ref().map(|n| &n.url), url)?;
        if let Some(r) = rows.last_mut() {
            r.payload_digest = Some(digest.to_string());
        }
        let seen_at = rows
            .last()
            .map(|r| r.requested_at.clone())
            .unwrap_or_else(now_rfc3339);
        let mut aliases = vec![url.to_string()];
        let owner_key = owner.as_ref().map(|(_, k)| k.clone());
        let article = owner.map(|(_, key)| {
            aliases.push(key.clone());
            ArticleWrite {
                host: urls::host_key(url).unwrap_or_default(),
                url: key,
                seen_at,
                version: None,
            }
        });
        let run_id = self.run_id;
        blocking(|| {
            self.db()?.commit_page(&PageCommit {
                run_id: Some(run_id),
                rows,
                article,
                ..Default::default()
            })
        })?;
        Ok(PageDone {
            outcome: FetchOutcome::NotModified,
            next,
            aliases,
            key: owner_key,
            end: None,
            listed: Vec::new(),
        })
    }

    /// Parses once; discovers the next link, starts fetching it, and extracts the article from
    /// the same tree meanwhile.
    fn analyse(
        &mut self,
        html: &str,
        url: &Url,
        fetched_at: Option<DateTime<Utc>>,
    ) -> Result<(Article, Option<Next>, Option<Url>)> {
        let doc = extract::parse(html);
        let next = self.next_link(&doc, url);
        self.look_ahead(next.as_ref().map(|n| &n.url), url)?;
        let article = extract::extract(&doc, url, &self.extract_options(fetched_at));
        let first = if self.at_start {
            let sel = self
                .settings
                .first_article_selector
                .as_ref()
                .map(|(_, s)| s);
            crate::listing::first_article(&doc, url, sel).filter(|u| self.scope.allows(u))
        } else {
            None
        };
        Ok((article, next, first))
    }

    /// The page's next-article link, by the site's selector or discovery; the candidates it
    /// refused go to the debug log (`-vv`).
    fn next_link(&self, doc: &scraper::Html, url: &Url) -> Option<Next> {
        let sel = self.settings.rules.next_selector.as_ref().map(|(_, s)| s);
        let found = discover::next_article(doc, url, sel);
        for r in &found.refused {
            debug!(%url, candidate = %r.url, why = r.why, "next link refused");
        }
        found.next.map(|n| Next {
            url: n.url,
            via: n.via.as_str(),
        })
    }

    /// Starts fetching `next` now, while the page at `here` is extracted and stored, when the
    /// walk is sure to go there: following a chain, past its first page, under the page limit
    /// and the known streak, in scope, allowed by robots.txt rules already read, and not seen.
    /// The only ends decided after extraction, an article-key cycle and a shutdown, leave it
    /// unused (see [`Walk::settle_ahead`]).
    fn look_ahead(&mut self, next: Option<&Url>, here: &Url) -> Result<()> {
        let Some(next) = next.map(urls::normalize) else {
            return Ok(());
        };
        let state = &self.state;
        let wanted = self.settings.stop_after_known;
        let sure = self.chain_walk
            && !self.at_start
            && self.ahead.is_none()
            && state.pages + 1 < self.settings.max_articles
            && (wanted == 0 || state.known_streak + 1 < wanted)
            && next != *here
            && !state.seen.contains(next.as_str())
            && self.scope.allows(&next)
            && self.robots_known_to_allow(&next)
            && self.stop_before_page(state.pages).is_none();
        if !sure {
            return Ok(());
        }
        let conditional = blocking(|| self.store.validators_for(next.as_str()))?;
        let token = self.cancel.child_token();
        let (fetcher, gate, scope) = (self.fetcher.clone(), self.gate.clone(), self.scope.clone());
        let (url, validators, cancel) = (
            next.clone(),
            conditional.as_ref().map(|(v, _)| v.clone()),
            token.clone(),
        );
        let task = tokio::spawn(async move {
            let rules = RedirectRules {
                scope: Some(&scope),
                max: MAX_REDIRECTS,
            };
            fetch_page(&fetcher, &gate, &url, validators.as_ref(), rules, &cancel).await
        });
        self.ahead = Some(Ahead {
            url: next,
            conditional,
            task,
            cancel: token.drop_guard(),
        });
        Ok(())
    }

    /// Whether robots.txt rules already read allow `url` (without fetching any).
    fn robots_known_to_allow(&self, url: &Url) -> bool {
        self.settings.ignore_robots
            || urls::host_key(url)
                .and_then(|h| self.robots.get(&h))
                .is_some_and(|r| r.allows(url))
    }

    /// Ends a fetch started ahead that the walk did not use: cancelled if still going, and
    /// whatever was requested recorded as `unused`.
    async fn settle_ahead(&mut self) -> Result<()> {
        let Some(ahead) = self.ahead.take() else {
            return Ok(());
        };
        drop(ahead.cancel);
        const WHY: &str = "fetched ahead; the walk ended before this page";
        let rows = match join_ahead(ahead.task).await {
            Ok(fetch) => {
                let mut rows: Vec<FetchRow> = fetch.attempts.iter().map(row_of).collect();
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
                let mut rows: Vec<FetchRow> = attempts.iter().map(row_of).collect();
                if let Some(r) = rows.last_mut()
                    && r.outcome == FetchOutcome::Interrupted
                {
                    r.outcome = FetchOutcome::Unused;
                    r.error = Some(format!("{WHY}; cancelled before the answer was read"));
                }
                rows
            }
        };
        self.commit_rows(rows)
    }

    fn extract_options(&self, fetched_at: Option<DateTime<Utc>>) -> ExtractOptions<'_> {
        ExtractOptions {
            timezone: self.settings.timezone,
            fetched_at,
            rules: &self.settings.rules,
        }
    }

    /// Re-extracts a stored version's capture with the current extractor and rules.
    fn reextract(&mut self, latest: &crate::store::LatestVersion) -> Result<Option<ContentHash>> {
        let Some((bytes, content_type)) =
            blocking(|| self.db()?.load_capture(&latest.capture_digest))?
        else {
            return Ok(None);
        };
        let (html, _) = decode_html(&bytes, content_type.as_deref());
        let url = Url::parse(&latest.fetched_url).map_err(|e| Error::InvalidUrl {
            url: latest.fetched_url.clone(),
            reason: e.to_string(),
        })?;
        let fetched = DateTime::parse_from_rfc3339(&latest.fetched_at)
            .ok()
            .map(|d| d.with_timezone(&Utc));
        let article = extract::extract_html(&html, &url, &self.extract_options(fetched));
        Ok(Some(article.content_hash()))
    }

    /// The article's key: its canonical URL when that is in scope, not the site root, and not
    /// claimed by different content; otherwise the normalised fetched URL. Also returns the
    /// canonical URL when it was trusted (None when the page declared none or it was refused).
    fn article_key(
        &mut self,
        article: &Article,
        fetched: &Url,
        hash: &ContentHash,
    ) -> Result<(String, Option<String>)> {
        let fallback = (fetched.to_string(), None);
        let Some(canonical) = article
            .canonical_url
            .as_deref()
            .and_then(|c| Url::parse(c).ok())
        else {
            return Ok(fallback);
        };
        let canonical = urls::normalize(&canonical);
        if !self.scope.allows(&canonical) || urls::is_site_root(&canonical) {
            return Ok(fallback);
        }
        let key = canonical.to_string();
        let trusted = (key.clone(), Some(key.clone()));
        if canonical == *fetched {
            return Ok(trusted);
        }
        let Some(id) = blocking(|| self.db()?.article_id(&key))? else {
            return Ok(trusted);
        };
        if blocking(|| self.db()?.article_was_fetched_from(id, fetched.as_str()))? {
            return Ok(trusted);
        }
        let same_content =
            blocking(|| self.db()?.latest_version(id))?.is_some_and(|l| l.content_hash == hash.0);
        Ok(if same_content { trusted } else { fallback })
    }

    /// The walk's connection, once the page in flight is written: every read and write after
    /// it sees the pages before it.
    fn db(&mut self) -> Result<&mut Store> {
        self.writer.wait()?;
        Ok(&mut *self.store)
    }

    /// Commits fetch rows that belong to no article (failures, skips, robots.txt).
    fn commit_rows(&mut self, rows: Vec<FetchRow>) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        self.commit_fetches(rows, None)
    }

    /// Records fetch rows, and the last one's payload when `capture` is given, in one
    /// transaction, with no article.
    fn commit_fetches(&mut self, rows: Vec<FetchRow>, capture: Option<CaptureWrite>) -> Result<()> {
        let run_id = self.run_id;
        blocking(|| {
            self.db()?.commit_page(&PageCommit {
                run_id: Some(run_id),
                rows,
                capture,
                ..Default::default()
            })
        })?;
        Ok(())
    }
}

fn set_last(rows: &mut [FetchRow], outcome: FetchOutcome, error: Option<String>) {
    if let Some(r) = rows.last_mut() {
        r.outcome = outcome;
        if error.is_some() {
            r.error = error;
        }
    }
}

/// The result of a fetch started ahead; a task that failed to run counts as a network error.
async fn join_ahead(task: tokio::task::JoinHandle<Fetched>) -> Fetched {
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

fn row_of(a: &Attempt) -> FetchRow {
    let header = |name: &str| {
        a.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    FetchRow {
        url: a.url.to_string(),
        requested_at: rfc3339(a.requested_at),
        status: a.status,
        outcome: a.outcome,
        error: a.error.clone(),
        note: None,
        headers: (!a.headers.is_empty())
            .then(|| serde_json::to_string(&a.headers).unwrap_or_default()),
        request_headers: (!a.request_headers.is_empty())
            .then(|| serde_json::to_string(&a.request_headers).unwrap_or_default()),
        bytes: a.bytes,
        duration_ms: Some(a.duration_ms),
        etag: header("etag"),
        last_modified: header("last-modified"),
        payload_digest: None,
    }
}

/// Runs blocking database work without stalling the async runtime's other tasks.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}
