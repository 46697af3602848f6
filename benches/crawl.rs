//! The crawl benchmark: a chain of 1,000 realistic article pages served on loopback, crawled by
//! the real binary into a real SQLite file with the rate limit lifted, then crawled again
//! unchanged; and `arshif extract` on the same pages, for the CPU the crawl adds.
//!
//! `cargo bench --bench crawl` uses the public benchmark pages in
//! `../shared/benchmarks/article-extraction` when present (each with a next-article link added),
//! generated pages otherwise. CPU time and peak resident memory come from GNU time
//! (`/usr/bin/time`); without it only wall time is printed. `ARSHIF_BENCH_PAGES` changes the
//! chain's length (default 1000), `ARSHIF_BENCH_ROUNDS` the rounds (default 3; medians shown).
//!
//! Then many sites: `ARSHIF_BENCH_SITES` loopback sites (default 8, 0 to skip), each a chain of
//! pages/sites of the same pages on a server of its own, crawled at once by `arshif run`
//! (`--jobs` = sites) with the rate lifted, for the throughput against the single chain; and
//! again at 20 requests per second per host, for the smallest gap each host saw.
//!
//! The single chain is also crawled into PostgreSQL (a throwaway local cluster with its default
//! durability, when Debian's `postgresql` is installed; `ARSHIF_BENCH_POSTGRES=0` to skip),
//! round by round beside SQLite.
//!
//! Then a per-site zstd dictionary (`ARSHIF_BENCH_DICT=0` to skip): in process on three
//! single-site chains made from benchmark templates, and end to end with arshif crawling one
//! site's chain (`ARSHIF_BENCH_SITE_PAGES`, default 1000), which trains and keeps it.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use arshif::fixture_server::FixtureServer;
use common::Usage;

mod common;
#[path = "../tests/common/pg.rs"]
#[allow(dead_code)]
mod pg;

fn main() {
    let n: usize = env_or("ARSHIF_BENCH_PAGES", 1000);
    let rounds: usize = env_or("ARSHIF_BENCH_ROUNDS", 3);
    let (pages, source) = common::pages(50, 4);
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("c")).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime
        .block_on(FixtureServer::start(site.clone()))
        .unwrap();
    // Absolute next links: some pages carry a <base> pointing at their original site.
    let raw_bytes = write_chain(&site, &pages, n, &server.url(""));
    let start = server.url("/c/0.html");
    let bin = env!("CARGO_BIN_EXE_arshif");
    let time = Path::new("/usr/bin/time").exists();

    println!(
        "crawl benchmark: a chain of {n} pages from {source}, {} of HTML",
        mib(raw_bytes)
    );
    let mut first = Vec::new();
    let mut again = Vec::new();
    let mut db_bytes = 0;
    let mut db_bytes_after_recrawl = 0;
    let cluster = if env_or("ARSHIF_BENCH_POSTGRES", 1) > 0 {
        pg::Cluster::start_durable("the crawl benchmark into PostgreSQL")
    } else {
        None
    };
    let (mut pg_first, mut pg_again) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let db = dir.path().join(format!("round{round}.db"));
        let db = db.to_str().unwrap();
        let crawl = |db: &str| crawl_chain(bin, &start, db, n, time);
        first.push(crawl(db));
        db_bytes = database_bytes(Path::new(db));
        again.push(crawl(db));
        db_bytes_after_recrawl = database_bytes(Path::new(db));
        check_archived(bin, db, n);
        if let Some(cluster) = &cluster {
            let url = cluster.database(&format!("round{round}"));
            pg_first.push(crawl(&url));
            pg_again.push(crawl(&url));
            check_archived(bin, &url, n);
        }
    }
    let files: Vec<String> = (0..n)
        .map(|i| {
            site.join(format!("c/{i}.html"))
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut extract_args = vec!["extract".to_string(), "--format".into(), "jsonl".into()];
    extract_args.extend(files);
    let extract_args: Vec<&str> = extract_args.iter().map(String::as_str).collect();
    let extract: Vec<Usage> = (0..rounds)
        .map(|_| measure(bin, &extract_args, time))
        .collect();

    let (f, a, e) = (median(&first), median(&again), median(&extract));
    println!("medians of {rounds} rounds:");
    report("first crawl", f, n);
    report("unchanged recrawl", a, n);
    report("extract alone", e, n);
    if !pg_first.is_empty() {
        let (pf, pa) = (median(&pg_first), median(&pg_again));
        println!("the same chain into PostgreSQL (throwaway local cluster), same rounds:");
        report("first crawl", pf, n);
        report("unchanged recrawl", pa, n);
        println!(
            "  PostgreSQL / SQLite wall time: first crawl {:.2}x, unchanged recrawl {:.2}x",
            pf.wall / f.wall,
            pa.wall / a.wall
        );
    }
    if time {
        println!(
            "crawl CPU per article: {:.2} ms, extraction alone {:.2} ms: {:.2}x",
            f.cpu * 1000.0 / n as f64,
            e.cpu * 1000.0 / n as f64,
            f.cpu / e.cpu
        );
    }
    println!(
        "database after the first crawl: {} ({:.1}% of the raw HTML); after the recrawl: {} (+{})",
        mib(db_bytes),
        db_bytes as f64 * 100.0 / raw_bytes as f64,
        mib(db_bytes_after_recrawl),
        mib(db_bytes_after_recrawl.saturating_sub(db_bytes)),
    );
    let sites = env_or("ARSHIF_BENCH_SITES", 8);
    if sites > 0 {
        many_sites(&runtime, &pages, n, sites, rounds, time, f);
    }
    if env_or("ARSHIF_BENCH_DICT", 1) > 0 {
        site_dictionary(&runtime, &pages, time);
    }
}

/// Pages of one site trained on: the figure for a per-site zstd dictionary.
const DICT_TRAINING_PAGES: usize = 50;
/// Pages of one site compressed after training.
const DICT_MEASURED_PAGES: usize = 150;
/// zstd's customary dictionary size.
const DICT_BYTES: usize = 112_640;

/// What a zstd dictionary trained per site would save, on single-site chains of similar pages:
/// three of the pages (at the quartiles of size) each serve as one site's template, and each of
/// that site's 200 pages carries another article's text (the benchmark's ground truth) in the
/// template's paragraphs, its own title and its own "most read" links. The dictionary is
/// trained on the first 50 pages; the other 150 are compressed at the captures' level with and
/// without it.
fn site_dictionary(runtime: &tokio::runtime::Runtime, pages: &[String], time: bool) {
    let mut bodies = common::ground_truth_bodies();
    if bodies.is_empty() {
        bodies = (0..DICT_TRAINING_PAGES + DICT_MEASURED_PAGES)
            .map(|i| format!("Generated article {i}.\n\nIts second paragraph, number {i}."))
            .collect();
    }
    let mut by_size: Vec<&String> = pages.iter().collect();
    by_size.sort_by_key(|p| p.len());
    let quartiles = [1, 2, 3].map(|q| by_size[by_size.len() * q / 4]);
    println!(
        "a zstd dictionary per site ({} KiB, trained on {DICT_TRAINING_PAGES} pages, measured on the next {DICT_MEASURED_PAGES}, level 3):",
        DICT_BYTES / 1024
    );
    for (site, template) in quartiles.iter().enumerate() {
        let chain: Vec<Vec<u8>> = (0..DICT_TRAINING_PAGES + DICT_MEASURED_PAGES)
            .map(|i| site_page(template, &bodies, site, i).into_bytes())
            .collect();
        let (training, measured) = chain.split_at(DICT_TRAINING_PAGES);
        let dictionary = zstd::dict::from_samples(training, DICT_BYTES).unwrap();
        let mut plain = zstd::bulk::Compressor::new(3).unwrap();
        let mut with_dict = zstd::bulk::Compressor::with_dictionary(3, &dictionary).unwrap();
        let raw: usize = measured.iter().map(Vec::len).sum();
        let time = |c: &mut zstd::bulk::Compressor| {
            let t0 = Instant::now();
            let bytes: usize = measured.iter().map(|p| c.compress(p).unwrap().len()).sum();
            (
                bytes,
                t0.elapsed().as_secs_f64() * 1000.0 / measured.len() as f64,
            )
        };
        let (plain_bytes, plain_ms) = time(&mut plain);
        let (dict_bytes, dict_ms) = time(&mut with_dict);
        println!(
            "  site {} ({} KiB pages): without {:.1}% of the raw HTML ({plain_ms:.2} ms/page), with {:.1}% ({dict_ms:.2} ms/page), plus the dictionary once",
            site + 1,
            template.len() / 1024,
            plain_bytes as f64 * 100.0 / raw as f64,
            dict_bytes as f64 * 100.0 / raw as f64,
        );
    }
    single_site_crawl(runtime, quartiles[1], &bodies, time);
}

/// The middle site's chain crawled by arshif, which trains and keeps the site's dictionary
/// (`ARSHIF_BENCH_SITE_PAGES`, default 1000).
fn single_site_crawl(
    runtime: &tokio::runtime::Runtime,
    template: &str,
    bodies: &[String],
    time: bool,
) {
    let n = env_or("ARSHIF_BENCH_SITE_PAGES", 1000);
    let chain: Vec<String> = (0..n).map(|i| site_page(template, bodies, 1, i)).collect();
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let server = runtime
        .block_on(FixtureServer::start(site.clone()))
        .unwrap();
    let raw = write_chain(&site, &chain, n, &server.url(""));
    let db = dir.path().join("site.db");
    let bin = env!("CARGO_BIN_EXE_arshif");
    let usage = crawl_chain(bin, &server.url("/c/0.html"), db.to_str().unwrap(), n, time);
    check_archived(bin, db.to_str().unwrap(), n);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (stored, with_dictionary, dictionaries, samples): (i64, i64, i64, i64) = conn
        .query_row(
            "SELECT (SELECT sum(stored_bytes) FROM captures),
                    (SELECT count(*) FROM captures WHERE dictionary_id IS NOT NULL),
                    (SELECT coalesce(sum(length(content)), 0) FROM capture_dictionaries),
                    (SELECT coalesce(sum(json_array_length(samples)), 0) FROM capture_dictionaries)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    drop(conn);
    println!(
        "one site's chain of {n} pages ({}) crawled by arshif, which trains the dictionary after 200 pages:",
        mib(raw)
    );
    report("single site", usage, n);
    println!(
        "  captures {:.1}% of the raw HTML ({with_dictionary} of {n} with the dictionary: {} KiB, trained on {samples} pages); the whole database {:.1}%",
        (stored + dictionaries) as f64 * 100.0 / raw as f64,
        dictionaries / 1024,
        database_bytes(&db) as f64 * 100.0 / raw as f64,
    );
}

/// Page `i` of a site made from `template`: each paragraph holds one of another article's
/// paragraphs, and the title and a list of links are the page's own.
fn site_page(template: &str, bodies: &[String], site: usize, i: usize) -> String {
    let body = &bodies[(i * 7 + site) % bodies.len()];
    let mut paragraphs = body.split("\n\n").cycle();
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("<p") {
        let after = rest.as_bytes().get(open + 2).copied().unwrap_or(b'x');
        if !matches!(after, b'>' | b' ' | b'\t' | b'\n') {
            // <pre>, <path>, <picture>…: not a paragraph.
            out.push_str(&rest[..open + 2]);
            rest = &rest[open + 2..];
            continue;
        }
        let Some(gt) = rest[open..].find('>').map(|g| open + g + 1) else {
            break;
        };
        let Some(close) = rest[gt..].find("</p>").map(|c| gt + c) else {
            break;
        };
        out.push_str(&rest[..gt]);
        out.push_str(paragraphs.next().unwrap_or_default());
        rest = &rest[close..];
    }
    out.push_str(rest);
    let most_read: String = (1..=5)
        .map(|k| {
            let other = &bodies[(i * 13 + k) % bodies.len()];
            let words: String = other
                .split_whitespace()
                .take(8)
                .collect::<Vec<_>>()
                .join(" ");
            format!(
                r#"<li><a href="/story/{}.html">{words}</a></li>"#,
                i * 13 + k
            )
        })
        .collect();
    out.replacen("</title>", &format!(" ({i})</title>"), 1)
        .replacen("</body>", &format!("<ul>{most_read}</ul></body>"), 1)
}

/// `sites` servers, each with a chain of `n / sites` pages, crawled at once by one `arshif run`.
fn many_sites(
    runtime: &tokio::runtime::Runtime,
    pages: &[String],
    n: usize,
    sites: usize,
    rounds: usize,
    time: bool,
    single: Usage,
) {
    let per_site = n / sites;
    let dir = tempfile::tempdir().unwrap();
    let servers: Vec<FixtureServer> = (0..sites)
        .map(|i| {
            let site = dir.path().join(format!("site{i}"));
            let server = runtime
                .block_on(FixtureServer::start(site.clone()))
                .unwrap();
            write_chain(&site, pages, per_site, &server.url(""));
            server
        })
        .collect();
    let bin = env!("CARGO_BIN_EXE_arshif");
    let run = |rate: f64, max: usize, round: usize| {
        let mut config = String::new();
        for (i, server) in servers.iter().enumerate() {
            config.push_str(&format!(
                "[[site]]\nname = \"s{i}\"\nstart_urls = [\"{}\"]\nnext_selector = \"a.arshif-next\"\nrate = {rate}\nmax_articles = {max}\n",
                server.url("/c/0.html")
            ));
        }
        let path = dir.path().join(format!("sites-{rate}-{round}.toml"));
        std::fs::write(&path, config).unwrap();
        let db = dir.path().join(format!("sites-{rate}-{round}.db"));
        for s in &servers {
            s.clear_log();
        }
        let usage = measure(
            bin,
            &[
                "run",
                "--config",
                path.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
                "--jobs",
                &sites.to_string(),
            ],
            time,
        );
        check_archived(bin, db.to_str().unwrap(), max * sites);
        (usage, db)
    };
    let all: Vec<Usage> = (0..rounds).map(|r| run(100000.0, per_site, r).0).collect();
    let u = median(&all);
    println!(
        "{sites} sites at once, {per_site} pages each, rate lifted (medians of {rounds} rounds):"
    );
    report("all sites", u, per_site * sites);
    println!(
        "  throughput against the single chain: {:.2}x",
        (per_site * sites) as f64 / u.wall / (n as f64 / single.wall)
    );
    // Each host's rate limit still holds with every site running: 20 requests/s, 50 ms apart.
    // The fetch log has when the gate let each request go; the servers, when it arrived (later
    // by however long the machine took to send it, so arrival gaps jitter).
    let pages_each = per_site.min(20);
    let (_, db) = run(20.0, pages_each, rounds);
    let interval = Duration::from_millis(50);
    let smallest = smallest_logged_gap(&db);
    let arrivals = servers
        .iter()
        .filter_map(|s| {
            let log = s.requests();
            let span = log.last()?.at - log.first()?.at;
            Some((log.len() - 1) as f64 / span.as_secs_f64())
        })
        .fold(0.0, f64::max);
    println!(
        "  at 20 requests/s per host: smallest gap between two requests to one host in the fetch log {:.1} ms (interval 50 ms); fastest host's average rate at its server {arrivals:.1}/s",
        smallest.as_secs_f64() * 1000.0
    );
    assert!(
        smallest + Duration::from_millis(1) >= interval && arrivals <= 20.5,
        "a host's rate limit was broken: {smallest:?}, {arrivals:.1}/s"
    );
}

fn report(what: &str, u: Usage, n: usize) {
    if u.cpu > 0.0 {
        println!(
            "  {what:<18} {:>7.2} s wall, {:>7.1} articles/s, {:>6.2} s CPU, peak RSS {}",
            u.wall,
            n as f64 / u.wall,
            u.cpu,
            mib(u.peak_rss_kb * 1024)
        );
    } else {
        println!(
            "  {what:<18} {:>7.2} s wall, {:>7.1} articles/s",
            u.wall,
            n as f64 / u.wall
        );
    }
}

/// `arshif crawl` of the `n` pages of a chain from `start`, with the rate limit lifted.
fn crawl_chain(bin: &str, start: &str, db: &str, n: usize, time: bool) -> Usage {
    let n = n.to_string();
    let args = [
        "crawl",
        start,
        "--db",
        db,
        "--rate",
        "100000",
        "--next-selector",
        "a.arshif-next",
        "--max-articles",
        &n,
    ];
    measure(bin, &args, time)
}

fn measure(bin: &str, args: &[&str], with_time: bool) -> Usage {
    common::measure(bin, args, with_time).0
}

fn median(v: &[Usage]) -> Usage {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.wall.total_cmp(&b.wall));
    v[v.len() / 2]
}

/// The smallest gap between two requests to one host, from the fetch log's `requested_at`
/// (taken as the gate lets a request go).
fn smallest_logged_gap(db: &Path) -> Duration {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT url, requested_at FROM fetches ORDER BY id")
        .unwrap();
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut last: std::collections::HashMap<String, chrono::DateTime<chrono::FixedOffset>> =
        Default::default();
    let mut smallest = Duration::MAX;
    for (url, at) in rows {
        let host = url::Url::parse(&url).unwrap().authority().to_string();
        let at = chrono::DateTime::parse_from_rfc3339(&at).unwrap();
        if let Some(before) = last.insert(host, at) {
            smallest = smallest.min((at - before).to_std().unwrap_or_default());
        }
    }
    smallest
}

fn database_bytes(db: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok())
        .map(|m| m.len())
        .sum()
}

fn check_archived(bin: &str, db: &str, n: usize) {
    let out = Command::new(bin)
        .args(["stats", "--db", db, "--format", "json"])
        .output()
        .unwrap();
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        stats["articles"].as_u64(),
        Some(n as u64),
        "the walk covered every page"
    );
}

/// Writes `/c/0.html` … `/c/{n-1}.html`, each a page with a next-article link to the one after;
/// returns the HTML bytes written.
fn write_chain(site: &Path, pages: &[String], n: usize, origin: &str) -> u64 {
    std::fs::create_dir_all(site.join("c")).unwrap();
    std::fs::write(site.join("robots.txt"), "User-agent: *\nAllow: /\n").unwrap();
    let mut total = 0;
    for i in 0..n {
        let page = &pages[i % pages.len()];
        let link = if i + 1 < n {
            format!(
                r#"<p><a class="arshif-next" href="{origin}/c/{}.html">next article</a></p>"#,
                i + 1
            )
        } else {
            String::new()
        };
        // A visible serial in the text, so that repeated pages are distinct articles.
        let marker = format!("<p>Serial {i} of the benchmark chain.</p>{link}");
        let html = match page.rfind("</body>") {
            Some(at) => format!("{}{marker}{}", &page[..at], &page[at..]),
            None => format!("{page}{marker}"),
        };
        total += html.len() as u64;
        std::fs::write(site.join(format!("c/{i}.html")), html).unwrap();
    }
    total
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}
