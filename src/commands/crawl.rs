//! `arshif crawl URL`: validate the flags, take the writer lock, open the archive, walk the chain.

use anyhow::Context;

use super::{Exit, Shutdown};
use crate::cli::CrawlArgs;
use crate::config::DEFAULT_DB;
use crate::crawl::{self, CrawlSettings, EndReason};
use crate::store::Store;
use crate::store::lock::WriterLock;
use crate::urls;

pub async fn run(args: CrawlArgs, shutdown: &Shutdown) -> anyhow::Result<Exit> {
    let start = urls::parse_user_url(&args.url)?;
    let db = (args.settings.database.clone())
        .unwrap_or_else(|| crate::store::Location::File(DEFAULT_DB.into()));
    let settings = CrawlSettings {
        ignore_robots: args.ignore_robots,
        progress: super::progress_bar("crawl", None),
        ..CrawlSettings::new(start, args.settings.resolve(), "crawl")
    };
    let _lock = crate::store::blocking(|| WriterLock::acquire(&db, args.wait))?;
    let mut store = Store::open_writer(&db)?;
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
