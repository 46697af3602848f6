//! `arshif crawl URL`: validate the flags, take the writer lock, open the archive, walk the chain.

use std::time::Duration;

use anyhow::Context;

use super::{Exit, Shutdown};
use crate::cli::{CrawlArgs, FetchArgs};
use crate::config::{self, SiteRules};
use crate::crawl::{self, CrawlSettings, EndReason};
use crate::fetch::FetchSettings;
use crate::store::Store;
use crate::store::lock::WriterLock;
use crate::urls;

/// The fetch settings the flags describe.
pub fn fetch_settings(args: &FetchArgs) -> FetchSettings {
    FetchSettings {
        user_agent: args
            .user_agent
            .clone()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| config::default_user_agent(args.contact.as_deref())),
        connect_timeout: Duration::from_secs_f64(args.connect_timeout),
        timeout: Duration::from_secs_f64(args.timeout),
        max_body_bytes: config::MAX_BODY_BYTES,
        resolve: args.resolve.iter().map(|(h, a)| (h.clone(), *a)).collect(),
    }
}

pub async fn run(args: CrawlArgs, shutdown: &Shutdown) -> anyhow::Result<Exit> {
    let start = urls::parse_user_url(&args.url)?;
    let rules = SiteRules::new(
        args.next_selector.as_deref(),
        args.rules.title_selector.as_deref(),
        args.rules.body_selector.as_deref(),
    )?;
    let settings = CrawlSettings {
        max_articles: args.max_articles,
        ignore_robots: args.fetch.ignore_robots,
        allowed_hosts: args.allow_host.clone(),
        timezone: args.rules.timezone,
        keep_all_captures: args.keep_all_captures,
        rules,
        fetch: fetch_settings(&args.fetch),
        progress: super::progress_bar("crawl", None),
        ..CrawlSettings::new(start, args.fetch.rate, "crawl")
    };
    let _lock = tokio::task::block_in_place(|| WriterLock::acquire(&args.db, args.wait))?;
    let mut store = Store::open_writer(&args.db)?;
    let summary = crawl::crawl(&mut store, &settings, shutdown.token.clone())
        .await
        .with_context(|| format!("crawling {}", settings.start))?;
    if let Some(bar) = &settings.progress {
        bar.finish_and_clear();
    }
    summary.log(&settings.site_label());
    Ok(if summary.end == EndReason::Interrupted {
        shutdown.exit()
    } else if summary.failures() > 0 {
        Exit::Failures
    } else {
        Exit::Success
    })
}
