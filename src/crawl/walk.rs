//! The walk: a loop over pages, each taken through one pipeline (fetch -> decode -> parse ->
//! discover + extract -> decide -> write), within the scope, the page limit and robots.txt,
//! ending cleanly on cycles, dead ends and shutdown.

use std::collections::VecDeque;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
use url::Url;

use super::ahead::Fetches;
use super::archive::{self, Found};
use super::journal::{Journal, rows_of};
use super::page::{self, Next, PageDone};
use super::robots_io::WalkRobots;
use super::settings::CrawlSettings;
use super::state::WalkState;
use super::summary::{EndReason, Summary, Tally};
use crate::Result;
use crate::fetch::charset::decode_html;
use crate::fetch::{FetchSettings, Fetcher, PageResult, RawResponse};
use crate::model::{Article, FetchOutcome};
use crate::politeness::Gate;
use crate::politeness::robots_book::{RobotsBook, Verdict};
use crate::store::{CaptureWrite, FetchRow};
use crate::urls::{self, Scope};
use crate::{extract, listing};

/// The walker's state.
pub(super) struct Walk<'a> {
    journal: Journal<'a>,
    /// Following chains (not revisiting): each archived page records the pending next one.
    chain_walk: bool,
    settings: &'a CrawlSettings,
    fetches: Fetches,
    scope: Scope,
    robots: RobotsBook,
    outcomes: Tally,
    /// Whether the page being processed is the walk's start (a listing may stand there).
    at_start: bool,
    /// The walk started from a feed, sitemap or section page: it starts there again next time.
    from_listing: bool,
    /// What the chains of this walk have seen so far.
    state: WalkState,
}

impl<'a> Walk<'a> {
    /// Records the run's start and sets up the walk.
    pub fn begin(
        store: &'a mut crate::store::Store,
        settings: &'a CrawlSettings,
        gate: Arc<Gate>,
        cancel: CancellationToken,
        start_url: &str,
    ) -> Result<Self> {
        let fetcher = Fetcher::new(
            &FetchSettings::of(&settings.site),
            settings.start.host_str(),
        )?;
        let (command, site) = (&settings.command, settings.site_name.as_deref());
        let (ignore, cache) = (settings.ignore_robots, settings.robots_cache);
        Ok(Walk {
            journal: Journal::begin(store, command, start_url, site)?,
            chain_walk: false,
            settings,
            fetches: Fetches::new(fetcher, gate, cancel),
            scope: Scope::new(&settings.start, &settings.site.allowed_hosts),
            robots: RobotsBook::new(ignore, cache, settings.site_label()),
            outcomes: Tally::default(),
            at_start: false,
            from_listing: false,
            state: WalkState::default(),
        })
    }

    /// Writes the page in flight and records how the run ended.
    pub fn finish(mut self, result: Result<(usize, EndReason)>) -> Result<Summary> {
        let counts = self.outcomes.json();
        // The page in flight is written first; its failure is the walk's.
        let result = result.and_then(|r| self.journal.with(|_| Ok(r)));
        let (pages, end) = match result {
            Ok(v) => v,
            Err(e) => {
                self.journal.finish_failed(&e, &counts);
                return Err(e);
            }
        };
        let status = end.run_status(self.outcomes.any_failed());
        if !end.leaves_pending() && (end != EndReason::NoNextLink || self.from_listing) {
            // A finished walk: the next run starts from the configured start again.
            self.journal.set_pending(None)?;
        }
        self.journal.finish(status, &end.to_string(), &counts)?;
        Ok(self.outcomes.summary(self.journal.run_id(), pages, end))
    }

    /// Counts a page's outcome and moves the progress bar on, if there is one.
    fn count(&mut self, url: &Url, outcome: FetchOutcome) {
        self.outcomes.add(outcome);
        if let Some(bar) = &self.settings.progress {
            bar.inc(1);
            bar.set_message(format!("{outcome} {url}"));
        }
    }

    /// Why no further page may start, after `pages` pages.
    fn stop_before_page(&self, pages: usize) -> Option<EndReason> {
        let cancelled = self.fetches.is_cancelled();
        self.state.stop_before_page(pages, self.settings, cancelled)
    }

    /// Fetches each URL once, in order, without following next links.
    pub async fn revisit(&mut self, due: &[Url]) -> Result<(usize, EndReason)> {
        let mut pages = 0;
        for url in due {
            if let Some(end) = self.stop_before_page(pages) {
                return Ok((pages, end));
            }
            match self.robots_allow(url).await? {
                Some(EndReason::RobotsDisallowed(_)) => continue,
                Some(end) => return Ok((pages, end)),
                None => {}
            }
            let Some(done) = self.page(url).await? else {
                return Ok((pages, EndReason::Interrupted));
            };
            pages += 1;
            self.count(url, done.outcome);
        }
        Ok((pages, EndReason::RevisitsDone))
    }

    /// Walks from `start`; when the start is a feed or sitemap, from each article it lists in
    /// turn. The seen sets, the page count and the known streak span the whole walk.
    pub async fn run(&mut self, start: Url) -> Result<(usize, EndReason)> {
        self.chain_walk = true;
        let mut queue = VecDeque::from([start]);
        let mut first = true;
        let mut end = EndReason::NoNextLink;
        while let Some(start) = queue.pop_front() {
            if self.state.seen.contains(start.as_str()) {
                continue;
            }
            let (chain_end, listed) = self.chain(start, first).await?;
            self.fetches.settle(&mut self.journal).await?;
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
            self.journal.set_pending(Some(url.as_str()))?;
            if let Some(end) = self.may_fetch(&url).await? {
                return Ok((end, Vec::new()));
            }
            self.state.seen.insert(url.to_string());
            self.at_start = at_start;
            let page = self.page(&url).await;
            self.at_start = false;
            let Some(done) = page? else {
                return Ok((EndReason::Interrupted, Vec::new()));
            };
            if done.outcome != FetchOutcome::Listing {
                self.state.pages += 1;
            }
            self.count(&url, done.outcome);
            self.state.seen.extend(done.aliases);
            if let Some(end) = done.end {
                return Ok((end, Vec::new()));
            }
            if !done.listed.is_empty() {
                return Ok((EndReason::Listed, done.listed));
            }
            if let Some(end) = self.state.after_page(done.outcome, done.key, self.settings) {
                return Ok((end, Vec::new()));
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

    /// Why the chain may not go on to `url`: a stop before the page, the scope, robots.txt.
    async fn may_fetch(&mut self, url: &Url) -> Result<Option<EndReason>> {
        // A page fetched ahead was started before the deadline: it is processed.
        let fetched_ahead = self.fetches.ahead_for() == Some(url);
        match self.stop_before_page(self.state.pages) {
            Some(EndReason::TimeUp) if fetched_ahead => {}
            Some(end) => return Ok(Some(end)),
            None => {}
        }
        if !self.scope.allows(url) {
            self.record_skip(url, FetchOutcome::OffSite, "link leaves the crawl scope")?;
            return Ok(Some(EndReason::OffSite(url.to_string())));
        }
        self.robots_allow(url).await
    }

    /// Why robots.txt keeps the walk from `url` (a disallowed URL is recorded as skipped); a
    /// robots.txt that could not be read counts as a failure.
    async fn robots_allow(&mut self, url: &Url) -> Result<Option<EndReason>> {
        let mut io = WalkRobots::new(&self.fetches, &mut self.journal);
        let gate = self.fetches.gate();
        let answer = self.robots.allows(url, gate, &mut io).await?;
        if let Some(failure) = answer.failure {
            self.outcomes.add(failure);
        }
        Ok(match answer.verdict {
            Verdict::Allowed => None,
            Verdict::Disallowed => {
                let why = "disallowed by robots.txt";
                self.record_skip(url, FetchOutcome::RobotsDisallowed, why)?;
                Some(EndReason::RobotsDisallowed(url.to_string()))
            }
            Verdict::Interrupted => Some(EndReason::Interrupted),
        })
    }

    fn record_skip(&mut self, url: &Url, outcome: FetchOutcome, why: &str) -> Result<()> {
        info!(site = %self.settings.site_label(), %url, outcome = %outcome, "{why}");
        self.journal.record_skip(url, outcome, why)
    }

    /// Stage one, fetch: the page's answer (or the fetch started ahead), then the rest of the
    /// pipeline. `None` when interrupted.
    async fn page(&mut self, url: &Url) -> Result<Option<PageDone>> {
        let fetches = &mut self.fetches;
        let (conditional, fetched) = fetches.fetch(url, &mut self.journal, &self.scope).await?;
        let fetched = match fetched {
            Ok(f) => f,
            Err((_, attempts)) => {
                // Interrupted mid-page: what was sent is still recorded.
                self.journal.commit_rows(page::interrupted(&attempts))?;
                return Ok(None);
            }
        };
        let rows = rows_of(&fetched.attempts);
        let done = match fetched.result {
            PageResult::Failed { outcome, error } => {
                warn!(site = %self.settings.site_label(), %url, outcome = %outcome, "{error}");
                self.journal.commit_last(rows, outcome, Some(error), None)?;
                PageDone::ended(outcome, Vec::new(), EndReason::Failed(url.to_string()))
            }
            PageResult::Response(resp) => {
                self.response(url, resp, rows, conditional.map(|(_, d)| d))?
            }
        };
        let next = done.next.as_ref().map_or("none", |n| n.url.as_str());
        let via = done.next.as_ref().map_or("none", |n| n.via);
        info!(site = %self.settings.site_label(), %url, outcome = %done.outcome, next, via = %via, "page");
        Ok(Some(done))
    }

    /// The stages after an answer: its status, then decode -> parse -> discover + extract ->
    /// decide -> write.
    fn response(
        &mut self,
        url: &Url,
        resp: RawResponse,
        mut rows: Vec<FetchRow>,
        stored_digest: Option<String>,
    ) -> Result<PageDone> {
        let final_url = urls::normalize(&resp.url);
        let mut aliases = vec![final_url.to_string()];
        if resp.status == 304
            && let Some(digest) = stored_digest
        {
            return self.not_modified(url, rows, &digest);
        }
        if let Some((outcome, error, reason)) = page::status_end(resp.status, url) {
            return self.end_page(rows, (outcome, error), reason, &final_url);
        }
        if let Some(r) = rows.last_mut() {
            r.payload_digest = Some(resp.digest.clone());
        }
        if self.at_start
            && listing::is_feed(resp.header("content-type"), &resp.body)
            && let Some(listed) = listing::feed_links(&resp.body, &final_url)
        {
            // A feed or sitemap as the start: each article it lists is a start point.
            let note = format!("{} articles listed", listed.len());
            let mut done = PageDone::onward(FetchOutcome::Listing, None, aliases, None);
            done.listed = listed;
            return self.listing_page(rows, note, done);
        }
        if !resp.is_html() {
            let error = resp
                .header("content-type")
                .map(|c| format!("content type {c}"));
            let reason = EndReason::NotHtml(url.to_string());
            return self.end_page(rows, (FetchOutcome::NotHtml, error), reason, &final_url);
        }
        let (fetched_at, fetched_time) = page::fetched_at(&rows);
        let capture = CaptureWrite {
            content_type: resp.header("content-type").map(str::to_string),
            digest: resp.digest,
            bytes: resp.body,
        };
        let (html, _) = decode_html(&capture.bytes, capture.content_type.as_deref());
        let (article, next, first_listed) = self.analyse(&html, &final_url, fetched_time)?;

        // A section or home page as the start: its first listed article starts the chain.
        let listing_start = self.at_start
            && (self.settings.site.first_article_selector.is_some()
                || (!article.is_found() && next.is_none()));
        if listing_start && let Some(first) = first_listed {
            let note = format!("first article: {first}");
            let next = Some(Next {
                url: first,
                via: "listing",
            });
            let done = PageDone::onward(FetchOutcome::Listing, next, aliases, None);
            return self.listing_page(rows, note, done);
        }
        let resume_url = (next.as_ref())
            .filter(|_| self.chain_walk && article.is_found())
            .map(|n| urls::normalize(&n.url).to_string());
        let found = Found {
            article,
            url: final_url,
            fetched_at,
            rows,
            capture,
            resume_url,
        };
        let archived = archive::archive(&mut self.journal, self.settings, &self.scope, found)?;
        aliases.extend(archived.key.clone());
        Ok(PageDone::onward(
            archived.outcome,
            next,
            aliases,
            archived.key,
        ))
    }

    /// Records a feed, sitemap or section page standing at the walk's start.
    fn listing_page(
        &mut self,
        rows: Vec<FetchRow>,
        note: String,
        done: PageDone,
    ) -> Result<PageDone> {
        self.from_listing = true;
        let outcome = FetchOutcome::Listing;
        self.journal.commit_last(rows, outcome, None, Some(note))?;
        Ok(done)
    }

    /// Records a page that ends its chain, its last row ending in `last` (outcome, error).
    fn end_page(
        &mut self,
        rows: Vec<FetchRow>,
        last: (FetchOutcome, Option<String>),
        end: EndReason,
        final_url: &Url,
    ) -> Result<PageDone> {
        self.journal.commit_last(rows, last.0, last.1, None)?;
        Ok(PageDone::ended(last.0, vec![final_url.to_string()], end))
    }

    /// A 304: the stored copy gives the next link; the article is seen, nothing else changes.
    fn not_modified(&mut self, url: &Url, rows: Vec<FetchRow>, digest: &str) -> Result<PageDone> {
        let (stored, key) = archive::seen_again(&mut self.journal, url, rows, digest)?;
        let next = stored.and_then(|html| {
            page::next_link(&extract::parse(&html), url, &self.settings.site.rules)
        });
        self.look_ahead(next.as_ref().map(|n| &n.url), url)?;
        let aliases = std::iter::once(url.to_string())
            .chain(key.clone())
            .collect();
        Ok(PageDone::onward(
            FetchOutcome::NotModified,
            next,
            aliases,
            key,
        ))
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
        let next = page::next_link(&doc, url, &self.settings.site.rules);
        self.look_ahead(next.as_ref().map(|n| &n.url), url)?;
        let options = archive::extract_options(self.settings, fetched_at);
        let article = extract::extract(&doc, url, &options);
        let selector = self
            .settings
            .site
            .first_article_selector
            .as_ref()
            .map(|(_, s)| s);
        let first = (self.at_start)
            .then(|| listing::first_article(&doc, url, selector))
            .flatten()
            .filter(|u| self.scope.allows(u));
        Ok((article, next, first))
    }

    /// Starts fetching `next` now, while the page at `here` is extracted and stored, when the
    /// walk is sure to go there: following a chain, past its first page, in scope, allowed by
    /// robots.txt rules already read, with nothing else fetched ahead, and sure by the walk's
    /// state. The only ends decided after extraction, an article-key cycle and a shutdown,
    /// leave it unused (settled by [`Fetches::settle`]).
    fn look_ahead(&mut self, next: Option<&Url>, here: &Url) -> Result<()> {
        let Some(next) = next.map(urls::normalize) else {
            return Ok(());
        };
        let cancelled = self.fetches.is_cancelled();
        let sure = self.chain_walk
            && !self.at_start
            && self.fetches.ahead_for().is_none()
            && self.scope.allows(&next)
            && self.robots.known_to_allow(&next)
            && self
                .state
                .sure_to_reach(&next, here, self.settings, cancelled);
        if sure {
            self.fetches.start_ahead(next, &self.journal, &self.scope)?;
        }
        Ok(())
    }
}
