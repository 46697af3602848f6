//! The crawl: from a start URL (or the pages due for a revisit), each page through one
//! pipeline, fetch -> decode -> parse -> discover + extract -> decide -> write, committed as
//! soon as it is processed.
//!
//! - [`walk`]: the loop over pages and chains, and the order of the stages;
//! - [`ahead`]: the next page fetched while the last one is extracted and stored;
//! - [`archive`]: an article's identity, the version decision and its commit;
//! - [`decide`]: the version decision itself, pure;
//! - [`journal`]: the walk's one way to the archive;
//! - [`robots_io`]: robots.txt fetched and recorded for politeness's robots book;
//! - [`page`], [`settings`], [`state`], [`summary`]: what a page gave, what a walk needs, what
//!   it has seen, what it did.

// A result of the walk or of the archive is used or handed on, never dropped with `let _`.
#![deny(clippy::let_underscore_must_use)]

mod ahead;
mod archive;
pub mod decide;
mod journal;
mod page;
mod robots_io;
mod settings;
mod state;
mod summary;
mod walk;

use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use url::Url;

pub use settings::CrawlSettings;
pub use summary::{EndReason, Summary};

use crate::Result;
use crate::politeness::Gate;
use crate::store::Store;
use crate::urls;
use walk::Walk;

/// Crawls the chain from `settings.start`. Page failures are counted, not returned as errors;
/// `Err` means the database failed.
pub async fn crawl(
    store: &mut Store,
    settings: &CrawlSettings,
    cancel: CancellationToken,
) -> Result<Summary> {
    let gate = Arc::new(Gate::new(settings.site.rate));
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
        resume_point(store, &configured, settings.site_name.as_deref())?
            .unwrap_or(configured.clone())
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
    let url = crate::store::blocking(|| store.resume_url(start.as_str(), site))?;
    Ok(url.and_then(|u| Url::parse(&u).ok()))
}
