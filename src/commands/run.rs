//! `arshif run --config FILE`: every site of a config file, concurrently (at most `--jobs` at
//! once), each host under its own limits, resuming where interrupted runs stopped.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tracing::info;

use super::{Exit, Shutdown};
use crate::cli::RunArgs;
use crate::config::file::{self, LogFormat, Overrides, SitePlan};
use crate::crawl::{self, CrawlSettings, EndReason, Summary};
use crate::fetch::FetchSettings;
use crate::politeness::Gate;
use crate::store::Store;
use crate::store::lock::WriterLock;
use crate::{config, urls};

/// The log format the run asks for: the flag, else the config file's (read leniently: a broken
/// file is reported by [`run`] itself).
pub fn log_format(args: &RunArgs, flag: Option<LogFormat>) -> LogFormat {
    flag.or_else(|| file::read(&args.config).ok().and_then(|c| c.log_format))
        .unwrap_or_default()
}

pub async fn run(args: RunArgs, shutdown: &Shutdown) -> anyhow::Result<Exit> {
    let file = file::read(&args.config)?;
    let base = args
        .config
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let plan = file.resolve(base, &overrides(&args))?;
    let deadline = args.max_duration.map(|d| tokio::time::Instant::now() + d);
    let db = plan.database.clone();
    let _lock = tokio::task::block_in_place(|| WriterLock::acquire(&db, args.wait))?;
    drop(Store::open_writer(&db)?); // migrate once, before the sites open their connections

    let slowest = plan
        .sites
        .iter()
        .map(|s| s.rate)
        .fold(f64::INFINITY, f64::min);
    let gate = Arc::new(Gate::new(slowest));
    for site in &plan.sites {
        for url in &site.start_urls {
            if let Some(host) = urls::host_key(url) {
                gate.limit_host(&host, site.rate);
            }
        }
    }
    let jobs = Arc::new(Semaphore::new(usize::from(args.jobs)));
    let mut tasks = JoinSet::new();
    for site in plan.sites {
        let (db, gate, jobs) = (db.clone(), gate.clone(), jobs.clone());
        let cancel = shutdown.token.clone();
        let resolve = args.resolve.clone();
        tasks.spawn(async move {
            let _permit = jobs.acquire_owned().await;
            let name = site.name.clone();
            let result = crawl_site(&db, site, gate, cancel, deadline, resolve).await;
            (name, result)
        });
    }
    let mut exit = Exit::Success;
    while let Some(joined) = tasks.join_next().await {
        let (name, result) = joined.context("a site's task failed")?;
        let summaries = result.with_context(|| format!("site {name:?}"))?;
        for s in &summaries {
            info!(site = %name, "{}", s.one_line());
            if s.end == EndReason::Interrupted {
                exit = shutdown.exit();
            } else if s.failures() > 0 && exit == Exit::Success {
                exit = Exit::Failures;
            }
        }
    }
    Ok(exit)
}

fn overrides(args: &RunArgs) -> Overrides {
    Overrides {
        database: args.db.clone(),
        user_agent: args.user_agent.clone(),
        contact: args.contact.clone(),
        rate: args.rate,
        connect_timeout: args.connect_timeout,
        timeout: args.timeout,
        log_format: None,
        keep_all_captures: args.keep_all_captures,
        timezone: args.timezone.clone(),
        max_articles: args.max_articles,
        stop_after_known: args.stop_after_known,
    }
}

/// Walks each start URL of one site in turn, on the site's own connection.
async fn crawl_site(
    db: &Path,
    site: SitePlan,
    gate: Arc<Gate>,
    cancel: tokio_util::sync::CancellationToken,
    deadline: Option<tokio::time::Instant>,
    resolve: Vec<(String, std::net::SocketAddr)>,
) -> crate::Result<Vec<Summary>> {
    let mut store = tokio::task::block_in_place(|| Store::open_writer(db))?;
    let mut summaries = Vec::new();
    for start in &site.start_urls {
        if cancel.is_cancelled() {
            break;
        }
        let settings = CrawlSettings {
            start: start.clone(),
            max_articles: site.max_articles,
            rate: site.rate,
            ignore_robots: false,
            allowed_hosts: site.allowed_hosts.clone(),
            timezone: site.timezone,
            keep_all_captures: site.keep_all_captures,
            rules: site.rules.clone(),
            fetch: FetchSettings {
                user_agent: site.user_agent.clone(),
                connect_timeout: site.connect_timeout,
                timeout: site.timeout,
                max_body_bytes: config::MAX_BODY_BYTES,
                resolve: resolve.clone(),
            },
            command: "run".into(),
            site: Some(site.name.clone()),
            stop_after_known: site.stop_after_known,
            resume: true,
            deadline,
        };
        summaries.push(
            crawl::crawl_with_gate(&mut store, &settings, gate.clone(), cancel.clone()).await?,
        );
    }
    Ok(summaries)
}
