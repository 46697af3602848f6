//! `arshif demo`: serve the bundled fixture sites on 127.0.0.1 and crawl them with the normal
//! code path, twice (the second time with the sites' later state), then show what was archived.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use serde::Deserialize;

use super::{Exit, Shutdown};

use crate::config::settings::{Rate, Settings};
use crate::crawl::{self, CrawlSettings, EndReason};
use crate::fixture_server::FixtureServer;
use crate::store::lock::WriterLock;
use crate::store::{ExportFilter, Store};

#[derive(Debug, Deserialize)]
struct DemoPlan {
    sites: Vec<DemoSite>,
}

#[derive(Debug, Deserialize)]
struct DemoSite {
    name: String,
    host: String,
    start: String,
    timezone: String,
}

pub async fn run(args: crate::cli::DemoArgs, shutdown: &Shutdown) -> anyhow::Result<Exit> {
    // The source tree's fixtures by default; an installed binary finds ./fixtures instead.
    let fixtures = [args.fixtures.clone(), PathBuf::from("fixtures")]
        .into_iter()
        .find(|d| d.join("demo.json").is_file())
        .ok_or_else(|| crate::Error::InvalidSetting {
            name: "--fixtures",
            reason: format!(
                "no demo fixtures at {} or ./fixtures; pass the fixtures folder",
                args.fixtures.display()
            ),
        })?;
    let plan_path = fixtures.join("demo.json");
    let plan: DemoPlan = serde_json::from_slice(
        &std::fs::read(&plan_path)
            .with_context(|| format!("cannot read {}", plan_path.display()))?,
    )
    .with_context(|| format!("{} is not a demo plan", plan_path.display()))?;
    if plan.sites.is_empty() {
        bail!("{} lists no sites", plan_path.display());
    }
    let tmp = tempfile::tempdir().context("cannot create a temporary folder")?;
    let at = (args.db.clone())
        .unwrap_or_else(|| crate::store::Location::File(tmp.path().join("demo.db")));
    let _lock = crate::store::blocking(|| WriterLock::acquire(&at, false))?;
    let mut store = Store::open_writer(&at)?;

    let mut servers = Vec::new();
    for site in &plan.sites {
        let server = FixtureServer::start(fixtures.join("sites").join(&site.name))
            .await
            .with_context(|| format!("cannot serve the {} fixtures", site.name))?;
        servers.push(server);
    }
    let mut failures = 0;
    for (phase, label) in [
        (0, "first visit"),
        (1, "second visit, after the sites changed"),
    ] {
        println!("== {label}");
        for (site, server) in plan.sites.iter().zip(&servers) {
            if phase == 1 {
                let edits = fixtures.join("edits").join(&site.name);
                server.set_overlay(edits.is_dir().then_some(edits));
            }
            let settings = settings_for(site, server.addr, args.rate)?;
            let summary = crawl::crawl(&mut store, &settings, shutdown.token.clone()).await?;
            println!("   {:<3} {}", site.name, summary.one_line());
            failures += summary.failures();
            if summary.end == EndReason::Interrupted {
                return Ok(shutdown.exit());
            }
        }
    }
    print_archive(&store)?;
    match &args.db {
        Some(p) => {
            println!("\narchive kept at {p}");
            println!("see it in a browser: arshif serve --db {p}");
        }
        None => println!(
            "\n(temporary archive; to keep it and see it in a browser: \
             arshif demo --db demo.db, then arshif serve --db demo.db)"
        ),
    }
    Ok(if failures > 0 {
        Exit::Failures
    } else {
        Exit::Success
    })
}

fn settings_for(site: &DemoSite, addr: SocketAddr, rate: f64) -> anyhow::Result<CrawlSettings> {
    let start = crate::urls::parse_user_url(&format!("http://{}{}", site.host, site.start))?;
    let settings = Settings {
        rate: Some(Rate::try_from(rate).map_err(anyhow::Error::msg)?),
        timezone: Some(site.timezone.parse().map_err(anyhow::Error::msg)?),
        resolve: vec![(site.host.clone(), addr)],
        ..Settings::default()
    };
    Ok(CrawlSettings::new(start, settings.resolve(), "demo"))
}

fn print_archive(store: &Store) -> anyhow::Result<()> {
    println!("\n== archive ({})", store.location());
    store.for_each_version(&ExportFilter::default(), |_, v| {
        let title: String = v
            .title
            .as_deref()
            .unwrap_or("(no title)")
            .chars()
            .take(60)
            .collect();
        println!(
            "v{} {:<15} {:<4} {} | {} | {}",
            v.version,
            v.host.split(':').next().unwrap_or(""),
            v.language.as_deref().unwrap_or("-"),
            v.published_at.as_deref().unwrap_or("-"),
            v.authors.join(", "),
            title
        );
        Ok(())
    })?;
    Ok(())
}
