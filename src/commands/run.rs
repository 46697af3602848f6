//! `arshif run --config FILE`: every site of a config file, concurrently (at most `--jobs` at
//! once), each host under its own limits, resuming where interrupted runs stopped.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tracing::warn;

use super::{Exit, Shutdown};
use crate::cli::RunArgs;
use crate::config::LogFormat;
use crate::config::file::{self, SitePlan};
use crate::crawl::{self, CrawlSettings, EndReason, Summary};
use crate::politeness::Gate;
use crate::store::Store;
use crate::store::lock::WriterLock;
use crate::{deadend, revisit, urls};
use chrono::{DateTime, Utc};

/// The log format the run asks for: the flag, else the config file's (read leniently: a broken
/// file is reported by [`run`] itself).
pub fn log_format(args: &RunArgs, flag: Option<LogFormat>) -> LogFormat {
    flag.or_else(|| file::read(&args.config).ok().and_then(|c| c.log_format))
        .unwrap_or_default()
}

/// What a run does for each site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Steps {
    /// `arshif run`: walk the start URLs, then make the revisits that are due.
    CrawlAndRevisit,
    /// `arshif revisit`: only the revisits.
    RevisitOnly,
}

pub async fn run(args: RunArgs, shutdown: &Shutdown, steps: Steps) -> anyhow::Result<Exit> {
    let file = file::read(&args.config)?;
    let base = args
        .config
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let plan = file::resolve(file, &args.settings, base)?;
    let deadline = args.max_duration.map(|d| tokio::time::Instant::now() + d);
    let db = plan.database.clone();
    let _lock = crate::store::blocking(|| WriterLock::acquire(&db, args.wait))?;
    // Migrate once, before the sites open their connections.
    let store = Store::open_writer(&db)?;

    let slowest = plan
        .sites
        .iter()
        .map(|s| s.settings.rate)
        .fold(f64::INFINITY, f64::min);
    let gate = Arc::new(Gate::new(slowest));
    for site in &plan.sites {
        for url in &site.start_urls {
            if let Some(host) = urls::host_key(url) {
                gate.limit_host(&host, site.settings.rate);
            }
        }
    }
    let jobs = Arc::new(Semaphore::new(usize::from(args.jobs)));
    let bars = indicatif::MultiProgress::new();
    let mut tasks = JoinSet::new();
    let shared = RunShared {
        db: db.clone(),
        gate,
        cancel: shutdown.token.clone(),
        deadline,
        steps,
        bars,
    };
    let work = crate::store::blocking(|| planned_work(&store, plan.sites, steps))?;
    drop(store);
    for (site, due) in work {
        let (jobs, run) = (jobs.clone(), shared.clone());
        tasks.spawn(async move {
            let _permit = jobs.acquire_owned().await;
            let name = site.name.clone();
            let result = crawl_site(site, due, run).await;
            (name, result)
        });
    }
    let mut exit = Exit::Success;
    while let Some(joined) = tasks.join_next().await {
        let (name, result) = joined.context("a site's task failed")?;
        let summaries = result.with_context(|| format!("site {name:?}"))?;
        for s in &summaries {
            s.log(&name);
            if s.end == EndReason::Interrupted {
                exit = shutdown.exit();
            } else if s.failures() > 0 && exit == Exit::Success {
                exit = Exit::Failures;
            }
        }
    }
    Ok(exit)
}

/// The sites a run has work for, each with its revisits when they are known before it starts:
/// `arshif revisit` plans every site on the run's first connection, so that a cron run with
/// nothing due opens no other and starts no site's task. (`arshif run` plans each site's
/// revisits after its walk, which may have just fetched them.)
fn planned_work(
    store: &Store,
    sites: Vec<SitePlan>,
    steps: Steps,
) -> anyhow::Result<Vec<(SitePlan, Option<Vec<url::Url>>)>> {
    if steps == Steps::CrawlAndRevisit {
        return Ok(sites.into_iter().map(|site| (site, None)).collect());
    }
    let now = chrono::Utc::now();
    let mut work = Vec::new();
    for site in sites {
        let due = due_urls(store, &site, now).with_context(|| format!("site {:?}", site.name))?;
        if !due.is_empty() {
            work.push((site, Some(due)));
        }
    }
    Ok(work)
}

/// What every site's task of one run shares.
#[derive(Clone)]
struct RunShared {
    db: crate::store::Location,
    gate: Arc<Gate>,
    cancel: tokio_util::sync::CancellationToken,
    deadline: Option<tokio::time::Instant>,
    steps: Steps,
    bars: indicatif::MultiProgress,
}

/// Walks each start URL of one site in turn, then revisits what is due (`due`, else planned
/// after the walks), on the site's own connection.
async fn crawl_site(
    site: SitePlan,
    due: Option<Vec<url::Url>>,
    run: RunShared,
) -> crate::Result<Vec<Summary>> {
    let RunShared {
        db,
        gate,
        cancel,
        deadline,
        steps,
        bars,
    } = run;
    let mut store = Store::open_writer(&db)?;
    let mut summaries = Vec::new();
    let progress = super::progress_bar(&site.name, Some(&bars));
    let settings_for = |start: &url::Url, command: &str| CrawlSettings {
        site_name: Some(site.name.clone()),
        resume: true,
        deadline,
        robots_cache: true,
        progress: progress.clone(),
        ..CrawlSettings::new(start.clone(), site.settings.clone(), command)
    };
    if steps == Steps::CrawlAndRevisit {
        for start in &site.start_urls {
            if cancel.is_cancelled() {
                return Ok(summaries);
            }
            let settings = settings_for(start, "run");
            let summary =
                crawl::crawl_with_gate(&mut store, &settings, gate.clone(), cancel.clone()).await?;
            if summary.end == EndReason::NoNextLink && summary.pages == 1 {
                warn_if_stuck(&store, &site, start)?;
            }
            summaries.push(summary);
        }
    }
    if cancel.is_cancelled() {
        return Ok(summaries);
    }
    let due = match due {
        Some(due) => due,
        None => due_urls(&store, &site, chrono::Utc::now())?,
    };
    if !due.is_empty() {
        let mut settings = settings_for(&site.start_urls[0], "revisit");
        settings.site.max_articles = usize::MAX;
        summaries.push(
            crawl::revisit_with_gate(&mut store, &settings, &due, gate.clone(), cancel.clone())
                .await?,
        );
    }
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    Ok(summaries)
}

/// Warns, once a run, when the site's walks from `start` have ended at their first article
/// with no next-article link [`deadend::DEAD_END_RUNS`] times in a row. The exit code stays 0.
fn warn_if_stuck(store: &Store, site: &SitePlan, start: &url::Url) -> crate::Result<()> {
    let walks = crate::store::blocking(|| {
        store.last_walks(start.as_str(), Some(&site.name), deadend::DEAD_END_RUNS)
    })?;
    if deadend::stuck_at_start(start.as_str(), &walks) {
        warn!(
            site = %site.name,
            start = %start,
            "the last {} runs ended at the first article with no next-article link; if the site has one, \
             set next_selector for this site (--next-selector with crawl) to the CSS selector of that link",
            deadend::DEAD_END_RUNS
        );
    }
    Ok(())
}

/// The site's archived articles due for a revisit at `now`, most overdue first: the revisit
/// planner (public for the archive benchmark).
pub fn due_urls(
    store: &Store,
    site: &SitePlan,
    now: DateTime<Utc>,
) -> crate::Result<Vec<url::Url>> {
    let hosts: Vec<String> = site
        .start_urls
        .iter()
        .filter_map(urls::host_key)
        .chain(site.settings.allowed_hosts.iter().cloned())
        .collect();
    let parse = |t: &str| {
        DateTime::parse_from_rfc3339(t)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    };
    let candidates = store
        .revisit_candidates(&hosts, &site.revisit.windows(now))?
        .into_iter()
        .filter_map(|r| {
            let Some(born) = parse(&r.born_at) else {
                // Not a time arshif writes: the archive was edited by hand or damaged.
                tracing::warn!(
                    url = %r.url,
                    born_at = %r.born_at,
                    "not revisited: its first archived time is unreadable"
                );
                return None;
            };
            Some(revisit::Candidate {
                article_id: r.article_id,
                url: r.url,
                born,
                last_fetched: parse(&r.last_fetched_at).unwrap_or(born),
            })
        });
    Ok(revisit::due(candidates, &site.revisit, now)
        .into_iter()
        .filter_map(|d| url::Url::parse(&d.url).ok())
        .collect())
}
