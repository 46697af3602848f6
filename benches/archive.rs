//! The archive benchmark: issue 7's query, planner and start-up targets, measured with the real
//! binary on generated archives that follow the real schema.
//!
//! Two archives are built. The query archive holds 100,000 versions of 40,000 articles from
//! eight Arabic, French and English sites, with the fetch log that the default revisit schedule
//! leaves (every revisit a fetch row: 304s, unchanged 200s, changes, a few 404s), one run per
//! site and day, a capture per version, and the search index and change statistics that
//! `arshif reindex` builds. The planner archive holds 1,000,000 articles of twenty sites over a
//! year, one short version each, with three fetches each and its search index.
//!
//! The schema comes from the binary itself (`arshif revisit` on an empty file creates it); the
//! rows are inserted with rusqlite in one transaction, in time order as a crawler would have
//! written them. Texts are sentences of the fixtures' Arabic, French and English articles and of
//! the public extraction benchmark's ground truth (`../shared`), recombined.
//!
//! Then each command runs `ARSHIF_BENCH_ROUNDS` times (default 7) and the medians are printed
//! with issue 7's targets. Wall time is measured around the process (so it includes start-up);
//! CPU time (user + system) comes from GNU time (`/usr/bin/time`) when present.
//!
//! When Debian's `postgresql` is installed (`ARSHIF_BENCH_POSTGRES=0` to skip), the query
//! archive is also copied into a throwaway PostgreSQL cluster and the queries run on both
//! engines, alternating, for medians side by side.
//!
//! `ARSHIF_BENCH_VERSIONS`, `ARSHIF_BENCH_ARTICLES` and `ARSHIF_BENCH_PLANNER_ARTICLES` change the
//! sizes. `ARSHIF_BENCH_DIR=DIR` keeps the archives in DIR and reuses them on the next run
//! (delete DIR after changing the generator).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use arshif::config::file;
use arshif::store::Store;
use chrono::{DateTime, Utc};
use common::Usage;
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

mod common;
#[path = "../tests/common/pg.rs"]
#[allow(dead_code)]
mod pg;

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// The default revisit schedule (`arshif::revisit::DEFAULT_SCHEDULE`), in seconds.
const SCHEDULE: &[(i64, i64)] = &[
    (6 * HOUR, 30 * MINUTE),
    (2 * DAY, 3 * HOUR),
    (14 * DAY, DAY),
    (60 * DAY, 7 * DAY),
];
/// The newest article of both archives is this old, so that nothing is due for the first hour
/// after generation (every article was last fetched less than half its interval ago).
const NEWEST_AGE: i64 = 6 * HOUR;
/// A word planted in a few bodies, for the rare-word search.
const RARE_WORD: &str = "زرياب";
/// How many articles carry it.
const RARE_ARTICLES: usize = 12;

/// One site of a generated archive.
struct Site {
    name: String,
    lang: usize,
}

/// Which language's sentences a site writes in.
const LANGS: [&str; 3] = ["ar", "fr", "en"];

fn main() {
    let rounds = env_or("ARSHIF_BENCH_ROUNDS", 7);
    let n_versions = env_or("ARSHIF_BENCH_VERSIONS", 100_000);
    let n_articles = env_or("ARSHIF_BENCH_ARTICLES", 40_000);
    let n_planner = env_or("ARSHIF_BENCH_PLANNER_ARTICLES", 1_000_000);
    let bin = env!("CARGO_BIN_EXE_arshif");
    let time = Path::new("/usr/bin/time").exists();
    let temp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("ARSHIF_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    let pools = sentence_pools();
    println!(
        "archive benchmark: sentences ar {}, fr {}, en {}; {rounds} rounds, medians; CPU {}",
        pools[0].len(),
        pools[1].len(),
        pools[2].len(),
        if time {
            "from GNU time"
        } else {
            "not measured (no /usr/bin/time)"
        }
    );

    // The query archive.
    let sites: Vec<Site> = [
        "hespress", "alyaoum", "febrayer", "lematin", "medias24", "leseco",
    ]
    .iter()
    .enumerate()
    .map(|(i, n)| Site {
        name: n.to_string(),
        lang: if i < 3 { 0 } else { 1 },
    })
    .chain(["moroccoworld", "northafricapost"].iter().map(|n| Site {
        name: n.to_string(),
        lang: 2,
    }))
    .collect();
    let db = dir.join("queries.db");
    let config = write_config(&dir, "queries.toml", &db, &sites);
    let picks_file = dir.join("queries.picks");
    if !db.exists() || !picks_file.exists() {
        let started = Instant::now();
        create_schema(bin, &config, &db);
        let picks = generate_queries_db(&db, &sites, &pools, n_articles, n_versions);
        let generated = started.elapsed();
        let reindex = measure(bin, &["reindex", "--db", path(&db)], time);
        println!(
            "query archive generated in {:.1} s; `arshif reindex` (search index and change \
             statistics of {n_versions} versions) took {:.1} s wall, {:.1} s CPU",
            generated.as_secs_f64(),
            reindex.wall,
            reindex.cpu
        );
        std::fs::write(&picks_file, picks.join("\n")).unwrap();
    }
    let picks: Vec<String> = std::fs::read_to_string(&picks_file)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let (typical, busiest, short_link, since) = (&picks[0], &picks[1], &picks[2], &picks[3]);
    println!(
        "query archive: {}, {}",
        describe(&db),
        mib(database_bytes(&db))
    );
    let warm = measure(bin, &["revisit", "--config", path(&config)], time);
    println!(
        "  first writer open (migrations, anything due): {:.0} ms wall",
        warm.wall * 1000.0
    );

    let queries: Vec<(&str, Vec<&str>)> = vec![
        ("history (typical article)", vec!["history", typical]),
        ("history (most edited article)", vec!["history", busiest]),
        (
            "history (by a fetched-from URL)",
            vec!["history", short_link],
        ),
        ("search (common word «المغرب»)", vec!["search", "المغرب"]),
        ("search (rare word «زرياب»)", vec!["search", RARE_WORD]),
        (
            "search (common, --all-versions)",
            vec!["search", "المغرب", "--all-versions"],
        ),
        ("list --changed", vec!["list", "--changed"]),
        (
            "list --changed --since (a day)",
            vec!["list", "--changed", "--since", since],
        ),
    ];
    let on = |db: &str, args: &[&str]| {
        let mut all = vec![args[0], "--db", db];
        all.extend(&args[1..]);
        all.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let mut results = Vec::new();
    for (label, args) in &queries {
        let all = on(path(&db), args);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let u = repeat(rounds, || measure(bin, &all, time));
        results.push((label.to_string(), u, Target::Wall(0.050)));
    }
    if env_or("ARSHIF_BENCH_POSTGRES", 1) > 0 {
        postgres_beside_sqlite(bin, &db, &queries, [typical, busiest], rounds, time);
    }

    // The web view on the query archive: each route's 95th percentile over loopback.
    let cli_search = results
        .iter()
        .find(|(l, _, _)| l.starts_with("search (common"))
        .map_or(0.0, |(_, u, _)| u.wall);
    for (label, p95, target) in serve_routes(bin, path(&db), typical, busiest, rounds.max(20)) {
        let target = if label.contains("search") {
            cli_search + 0.020
        } else {
            target
        };
        let u = Usage {
            wall: p95,
            ..Default::default()
        };
        results.push((label, u, Target::Wall(target)));
    }

    // The planner archive.
    let planner_sites: Vec<Site> = (0..20)
        .map(|i| Site {
            name: format!("site{i:02}"),
            lang: i % 3,
        })
        .collect();
    let planner_db = dir.join("planner.db");
    let planner_config = write_config(&dir, "planner.toml", &planner_db, &planner_sites);
    if !planner_db.exists() {
        let started = Instant::now();
        create_schema(bin, &planner_config, &planner_db);
        generate_planner_db(&planner_db, &planner_sites, &pools, n_planner);
        println!(
            "planner archive generated in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    println!(
        "planner archive: {}, {}",
        describe(&planner_db),
        mib(database_bytes(&planner_db))
    );
    let warm = measure(bin, &["revisit", "--config", path(&planner_config)], time);
    println!(
        "  first writer open (migrations, anything due): {:.0} ms wall",
        warm.wall * 1000.0
    );
    // In process: the planner the command runs (`due_urls`, per site), with the clock an hour
    // ahead so that some articles are due; a reader connection, so nothing is written.
    let plan = file::resolve(
        file::read(&planner_config).unwrap(),
        &Default::default(),
        &dir,
    )
    .unwrap();
    let ahead = Utc::now() + chrono::Duration::hours(3);
    let mut due = 0;
    let planner = repeat(rounds, || {
        let started = Instant::now();
        let store = Store::open_reader(&planner_db.clone().into()).unwrap();
        due = plan
            .sites
            .iter()
            .map(|site| {
                arshif::commands::run::due_urls(&store, site, ahead)
                    .unwrap()
                    .len()
            })
            .sum();
        Usage {
            wall: started.elapsed().as_secs_f64(),
            ..Default::default()
        }
    });
    results.push((
        format!("planner in process, 20 sites, 3 h ahead ({due} due of {n_planner})"),
        planner,
        Target::Wall(1.0),
    ));
    if let Some(u) = nothing_due(bin, &planner_config, &planner_db, "planner", rounds, time) {
        results.push((
            "`arshif revisit`, 1M articles, nothing due".into(),
            u,
            Target::Wall(1.0),
        ));
        if time {
            results.push((
                "`arshif revisit`, 1M articles, nothing due (CPU)".into(),
                u,
                Target::Cpu(0.050),
            ));
        }
    }

    // Start-up.
    let u = nothing_due(bin, &config, &db, "query", rounds, time);
    if time {
        if let Some(u) = u {
            results.push((
                "`arshif revisit`, 40k articles, nothing due (CPU)".into(),
                u,
                Target::Cpu(0.050),
            ));
        }
        let u = repeat(rounds, || measure(bin, &["--version"], time));
        results.push(("`arshif --version` (CPU)".into(), u, Target::Cpu(0.050)));
    }

    println!("\n{:<58} {:>9} {:>9}  target", "", "wall", "CPU");
    let mut failed = 0;
    for (label, u, target) in &results {
        let (value, limit, what) = match target {
            Target::Wall(l) => (u.wall, *l, "wall"),
            Target::Cpu(l) => (u.cpu, *l, "CPU"),
        };
        let pass = value < limit;
        failed += usize::from(!pass);
        println!(
            "{label:<58} {:>7.1}ms {:>7.1}ms  {what} < {:.0} ms: {}",
            u.wall * 1000.0,
            u.cpu * 1000.0,
            limit * 1000.0,
            if pass { "PASS" } else { "FAIL" }
        );
    }
    println!(
        "{} of {} targets met",
        results.len() - failed,
        results.len()
    );
}

/// The query archive copied into PostgreSQL (a throwaway local cluster) with `arshif copy`, and
/// each query run on both engines, alternating round by round; medians side by side.
fn postgres_beside_sqlite(
    bin: &str,
    db: &Path,
    queries: &[(&str, Vec<&str>)],
    [typical, busiest]: [&str; 2],
    rounds: usize,
    time: bool,
) {
    let Some(cluster) = pg::Cluster::start_durable("the archive benchmark on PostgreSQL") else {
        return;
    };
    let url = cluster.database("queries");
    let copy = measure(bin, &["copy", "--from", path(db), "--to", &url], time);
    println!(
        "\nPostgreSQL: `arshif copy` of the query archive took {:.1} s wall, {:.1} s CPU",
        copy.wall, copy.cpu
    );
    println!(
        "{:<40} {:>10} {:>12} {:>7}",
        "", "SQLite", "PostgreSQL", "ratio"
    );
    for (label, args) in queries {
        let (mut lite, mut pg) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            for (at, into) in [(path(db), &mut lite), (url.as_str(), &mut pg)] {
                let mut all = vec![args[0], "--db", at];
                all.extend(&args[1..]);
                into.push(measure(bin, &all, time).wall);
            }
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let (l, p) = (median(&mut lite), median(&mut pg));
        println!(
            "{label:<40} {:>8.1}ms {:>10.1}ms {:>6.2}x",
            l * 1000.0,
            p * 1000.0,
            p / l
        );
    }
    // The web view: each route's p95 on both (a PostgreSQL request opens its own connection).
    let n = rounds.max(20);
    let lite = serve_routes(bin, path(db), typical, busiest, n);
    let pg = serve_routes(bin, &url, typical, busiest, n);
    println!(
        "{:<40} {:>10} {:>12} {:>7}",
        "serve, p95", "SQLite", "PostgreSQL", "ratio"
    );
    for ((label, l, _), (_, p, _)) in lite.iter().zip(&pg) {
        println!(
            "{label:<40} {:>8.1}ms {:>10.1}ms {:>6.2}x",
            l * 1000.0,
            p * 1000.0,
            p / l
        );
    }
}

/// `arshif serve` on `db`: for each route, the 95th percentile of `n` requests' time over
/// loopback (request sent to answer read), and the route's target (100 ms; search's is set by
/// the caller from the CLI's own time).
fn serve_routes(
    bin: &str,
    db: &str,
    typical: &str,
    busiest: &str,
    n: usize,
) -> Vec<(String, f64, f64)> {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut child = std::process::Command::new(bin)
        .args(["serve", "--db", db, "--bind", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_string();
    let get = |target: &str| -> (u16, f64) {
        let started = Instant::now();
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let status = String::from_utf8_lossy(&raw[..raw.len().min(12)])
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        (status, started.elapsed().as_secs_f64())
    };
    let q = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let routes = [
        ("/ (sites, latest changes, runs)", "/".to_string()),
        ("/articles (first page)", "/articles".to_string()),
        (
            "/articles (a page deep in the archive)",
            "/articles?before=20000".to_string(),
        ),
        ("/articles?changed=1", "/articles?changed=1".to_string()),
        ("/article (typical)", format!("/article?url={}", q(typical))),
        (
            "/article (most edited)",
            format!("/article?url={}", q(busiest)),
        ),
        (
            "/diff (most edited, last two)",
            format!("/diff?url={}", q(busiest)),
        ),
        (
            "/search «المغرب» (CLI + 20 ms)",
            format!("/search?q={}", q("المغرب")),
        ),
        (
            "/search «زرياب» (CLI + 20 ms)",
            format!("/search?q={}", q(RARE_WORD)),
        ),
        ("/feed.atom", "/feed.atom".to_string()),
        ("/capture (typical)", format!("/capture?url={}", q(typical))),
    ];
    let rss = |pid: u32| -> f64 {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            })
            .map_or(0.0, |kb| kb / 1024.0)
    };
    let mut out = Vec::new();
    let mut rss_after_first = 0.0;
    for (i, (label, target)) in routes.iter().enumerate() {
        let mut times: Vec<f64> = (0..n)
            .map(|_| {
                let (status, t) = get(target);
                assert!(status == 200, "{target}: {status}");
                t
            })
            .collect();
        if i == 0 {
            rss_after_first = rss(child.id());
        }
        times.sort_by(f64::total_cmp);
        let p95 = times[((times.len() as f64 * 0.95).ceil() as usize).clamp(1, times.len()) - 1];
        out.push((format!("serve p95 {label}"), p95, 0.100));
    }
    println!(
        "  serve: resident memory {rss_after_first:.1} MiB after the first route's {n} requests, \
         {:.1} MiB after all {} routes'",
        rss(child.id()),
        routes.len()
    );
    let _ = child.kill();
    let _ = child.wait();
    out
}

#[derive(Debug, Clone, Copy)]
enum Target {
    Wall(f64),
    Cpu(f64),
}

fn repeat(rounds: usize, mut f: impl FnMut() -> Usage) -> Usage {
    let mut v: Vec<Usage> = (0..rounds.max(1)).map(|_| f()).collect();
    let mid = v.len() / 2;
    let wall = {
        v.sort_by(|a, b| a.wall.total_cmp(&b.wall));
        v[mid].wall
    };
    v.sort_by(|a, b| a.cpu.total_cmp(&b.cpu));
    Usage {
        wall,
        cpu: v[mid].cpu,
        ..Default::default()
    }
}

/// `arshif revisit` with nothing due, `rounds` times. None when the archive had something due:
/// a kept archive ages, and a day after it was generated articles fall due and the revisits
/// fetch them (and fail: the sites are not real).
fn nothing_due(
    bin: &str,
    config: &Path,
    db: &Path,
    name: &str,
    rounds: usize,
    time: bool,
) -> Option<Usage> {
    let runs_before = count(db, "SELECT count(*) FROM runs");
    let u = repeat(rounds, || {
        measure(bin, &["revisit", "--config", path(config)], time)
    });
    if count(db, "SELECT count(*) FROM runs") == runs_before {
        return Some(u);
    }
    println!(
        "  the kept {name} archive has articles due (it was generated too long ago): \
         `arshif revisit` with nothing due not measured; delete it to regenerate"
    );
    None
}

/// [`common::measure`]; a search must find something.
fn measure(bin: &str, args: &[&str], with_time: bool) -> Usage {
    let (usage, out) = common::measure(bin, args, with_time);
    assert!(
        args[0] != "search" || !String::from_utf8_lossy(&out.stdout).starts_with("no matches"),
        "{args:?} found something"
    );
    usage
}

/// A config with one `[[site]]` per site, for `arshif revisit`.
fn write_config(dir: &Path, name: &str, db: &Path, sites: &[Site]) -> PathBuf {
    let mut text = format!("database = {:?}\n", path(db));
    for s in sites {
        text.push_str(&format!(
            "\n[[site]]\nname = {:?}\nstart_urls = [\"https://www.{}.test/\"]\n",
            s.name, s.name
        ));
    }
    let config = dir.join(name);
    std::fs::write(&config, text).unwrap();
    config
}

/// Lets the binary create an empty archive with its own schema.
fn create_schema(bin: &str, config: &Path, db: &Path) {
    let _ = std::fs::remove_file(db);
    measure(bin, &["revisit", "--config", path(config)], false);
    assert!(db.exists());
}

/// Sentences of the fixtures' articles (Arabic, French, English) and of the extraction
/// benchmark's ground truth (English), by language.
fn sentence_pools() -> [Vec<String>; 3] {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut pools: [Vec<String>; 3] = Default::default();
    let mut add = |lang: usize, text: &str| {
        for para in text.split('\n') {
            let mut start = 0;
            for (i, c) in para.char_indices() {
                if matches!(c, '.' | '!' | '?' | '؟') {
                    let s = para[start..=i].trim();
                    if s.chars().count() > 30 {
                        pools[lang].push(s.to_string());
                    }
                    start = i + c.len_utf8();
                }
            }
        }
    };
    for (lang, name) in LANGS.iter().enumerate() {
        let text =
            std::fs::read_to_string(root.join(format!("fixtures/expected/{name}.json"))).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        for a in json["articles"].as_object().unwrap().values() {
            add(lang, a["body"].as_str().unwrap_or(""));
            add(lang, a["title"].as_str().unwrap_or(""));
        }
    }
    if let Ok(seed) =
        std::fs::read_to_string(root.join("../shared/fixtures-source/seed-article.txt"))
    {
        add(0, &seed);
    }
    if let Ok(text) = std::fs::read_to_string(
        root.join("../shared/benchmarks/article-extraction/ground-truth.json"),
    ) {
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        for a in json.as_object().unwrap().values() {
            add(2, a["articleBody"].as_str().unwrap_or(""));
        }
    }
    for p in &mut pools {
        p.retain(|s| !s.contains(RARE_WORD));
        assert!(!p.is_empty());
    }
    pools
}

/// Text made of sentences of one language.
struct Writer<'a> {
    rng: fastrand::Rng,
    pools: &'a [Vec<String>; 3],
}

impl Writer<'_> {
    fn sentence(&mut self, lang: usize) -> &str {
        let pool = &self.pools[lang];
        &pool[self.rng.usize(..pool.len())]
    }

    fn paragraph(&mut self, lang: usize) -> String {
        let n = self.rng.usize(2..5);
        (0..n)
            .map(|_| self.sentence(lang).to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn title(&mut self, lang: usize) -> String {
        let s = self.sentence(lang);
        s.split_whitespace().take(10).collect::<Vec<_>>().join(" ")
    }

    /// A body of `paragraphs` paragraphs (about 3 KB at 8).
    fn body(&mut self, lang: usize, paragraphs: usize) -> String {
        (0..paragraphs)
            .map(|_| self.paragraph(lang))
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// The next version of a body: an update appended, a paragraph rewritten, or a word fixed.
    fn edit(&mut self, lang: usize, body: &str) -> String {
        let mut paras: Vec<String> = body.split("\n\n").map(String::from).collect();
        match self.rng.u8(..10) {
            0..5 => paras.push(self.paragraph(lang)),
            5..8 => {
                let i = self.rng.usize(..paras.len());
                paras[i] = self.paragraph(lang);
            }
            _ => {
                let i = self.rng.usize(..paras.len());
                let mut words: Vec<&str> = paras[i].split(' ').collect();
                let j = self.rng.usize(..words.len());
                let replacement = self
                    .sentence(lang)
                    .split(' ')
                    .next()
                    .unwrap_or("")
                    .to_string();
                words[j] = &replacement;
                paras[i] = words.join(" ");
            }
        }
        paras.join("\n\n")
    }
}

/// What happened at one fetch of an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Archived,
    Changed,
    NotModified,
    Unchanged,
    Gone,
}

/// One fetch of the generated history.
struct Event {
    at: i64,
    article: usize,
    kind: Kind,
}

/// One generated article.
struct ArticlePlan {
    site: usize,
    url: String,
    /// The URL it is fetched from (a short link for some: not its key).
    fetched_url: String,
    first_seen: i64,
    published: Option<i64>,
    /// Fetch times, oldest first: the archiving, then the revisits.
    fetches: Vec<i64>,
    /// Indexes into `fetches` that made a new version (the first is 0).
    changes: Vec<usize>,
    gone: bool,
}

/// The fetch times the default schedule gives an article born at `born` and first fetched at
/// `first`, up to `now`; the last one less than half an interval before `now`.
fn schedule_fetches(rng: &mut fastrand::Rng, born: i64, first: i64, now: i64) -> Vec<i64> {
    let interval = |t: i64| {
        let age = t - born;
        SCHEDULE.iter().find(|(u, _)| age < *u).map(|(_, e)| *e)
    };
    let mut out = vec![first];
    let mut t = first;
    while let Some(every) = interval(t) {
        let next = t + every + rng.i64(0..120);
        if next > now {
            break;
        }
        out.push(next);
        t = next;
    }
    if let Some(every) = interval(now)
        && now - t > every / 2
    {
        out.push(now - rng.i64(60..every / 2));
    }
    out
}

fn iso(t: i64) -> String {
    let d = DateTime::<Utc>::from_timestamp(t, 0).unwrap();
    d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn sha256(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(bytes))
}

/// Statements for the generated rows, following the schema.
struct Inserter<'c> {
    run: rusqlite::CachedStatement<'c>,
    article: rusqlite::CachedStatement<'c>,
    fetch: rusqlite::CachedStatement<'c>,
    capture: rusqlite::CachedStatement<'c>,
    version: rusqlite::CachedStatement<'c>,
    robots: rusqlite::CachedStatement<'c>,
}

impl<'c> Inserter<'c> {
    fn new(c: &'c Connection) -> Self {
        Inserter {
            run: c.prepare_cached(
                "INSERT INTO runs (command, start_url, started_at, finished_at, status, end_reason, counts, site)
                 VALUES ('run', ?1, ?2, ?3, 'complete', 'every due revisit made', '{}', ?4)",
            ).unwrap(),
            article: c.prepare_cached(
                "INSERT INTO articles (id, url, host, first_seen_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            ).unwrap(),
            fetch: c.prepare_cached(
                "INSERT INTO fetches (run_id, article_id, url, requested_at, status, outcome, headers, bytes,
                                      duration_ms, etag, last_modified, payload_digest, capture_digest, request_headers)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            ).unwrap(),
            capture: c.prepare_cached(
                "INSERT OR IGNORE INTO captures (digest, compression, raw_bytes, stored_bytes, content_type, content, created_at)
                 VALUES (?1, 'zstd', ?2, ?3, 'text/html; charset=utf-8', ?4, ?5)",
            ).unwrap(),
            version: c.prepare_cached(&format!(
                "INSERT INTO versions (article_id, version, fetch_id, fetched_at, fetched_url, canonical_url, title, body,
                                       published_at, modified_at, authors, language, content_hash, extractor_version,
                                       site_rules, capture_digest)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, '{}', 'generic', ?14)",
                arshif::extract::EXTRACTOR_VERSION
            )).unwrap(),
            robots: c.prepare_cached(
                "INSERT OR REPLACE INTO robots_cache (host, fetched_at, status, body) VALUES (?1, ?2, 200, ?3)",
            ).unwrap(),
        }
    }

    /// One run per site and day, numbered `site * days + day + 1`.
    fn runs(&mut self, sites: &[Site], start: i64, days: i64) {
        for s in sites {
            for d in 0..days {
                let t = start + d * DAY;
                self.run
                    .execute(params![
                        format!("https://www.{}.test/", s.name),
                        iso(t),
                        iso(t + DAY - 1),
                        s.name
                    ])
                    .unwrap();
            }
        }
    }

    /// Fresh robots.txt answers that forbid everything: a revisit that finds something due
    /// records a skip and sends no request.
    fn robots(&mut self, sites: &[Site], now: i64) {
        for s in sites {
            self.robots
                .execute(params![
                    format!("www.{}.test:443", s.name),
                    iso(now),
                    b"User-agent: *\nDisallow: /\n".as_slice()
                ])
                .unwrap();
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn fetch(
        &mut self,
        run: i64,
        article: i64,
        url: &str,
        at: i64,
        kind: Kind,
        rng: &mut fastrand::Rng,
        payload: Option<&str>,
        stored: bool,
    ) {
        let (status, outcome) = match kind {
            Kind::Archived => (200, "archived"),
            Kind::Changed => (200, "changed"),
            Kind::Unchanged => (200, "unchanged"),
            Kind::NotModified => (304, "not_modified"),
            Kind::Gone => (404, "gone"),
        };
        let etag = format!("\"{:016x}\"", rng.u64(..));
        let headers = serde_json::json!([
            ["content-type", "text/html; charset=UTF-8"],
            ["server", "nginx"],
            ["etag", etag],
            [
                "last-modified",
                httpdate::fmt_http_date(std::time::UNIX_EPOCH + Duration::from_secs(at as u64))
            ],
            ["cache-control", "max-age=300, public"],
            [
                "date",
                httpdate::fmt_http_date(std::time::UNIX_EPOCH + Duration::from_secs(at as u64))
            ],
        ])
        .to_string();
        let request_headers = r#"[["User-Agent","arshif/0.1.0 (+https://github.com/arshif/arshif)"],["Accept","text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"],["If-None-Match","\"0\""]]"#;
        let bytes = (status == 200).then(|| rng.i64(60_000..180_000));
        self.fetch
            .execute(params![
                run,
                article,
                url,
                iso(at),
                status,
                outcome,
                headers,
                bytes,
                rng.i64(40..900),
                (status != 404).then_some(&etag),
                (status != 404).then(|| httpdate::fmt_http_date(
                    std::time::UNIX_EPOCH + Duration::from_secs(at as u64)
                )),
                payload,
                payload.filter(|_| stored),
                request_headers,
            ])
            .unwrap();
    }
}

/// Builds the query archive; returns the URLs and times the queries use: a typical article,
/// the most edited one, a short link some article was fetched from, and the time a day ago.
fn generate_queries_db(
    db: &Path,
    sites: &[Site],
    pools: &[Vec<String>; 3],
    n_articles: usize,
    n_versions: usize,
) -> Vec<String> {
    assert!(n_versions >= n_articles);
    let mut rng = fastrand::Rng::with_seed(7);
    let now = Utc::now().timestamp();
    let newest = now - NEWEST_AGE;
    let span = 120 * DAY;
    let start = newest - span;
    let sections = [
        "politique",
        "societe",
        "economie",
        "sport",
        "culture",
        "monde",
    ];
    let mut plans: Vec<ArticlePlan> = (0..n_articles)
        .map(|i| {
            let site = i % sites.len();
            let name = &sites[site].name;
            let first_seen = start + (span * i as i64) / n_articles as i64 + rng.i64(0..600);
            let published = (rng.u8(..10) != 0).then(|| first_seen - rng.i64(0..3 * HOUR));
            let born = published.unwrap_or(first_seen).min(first_seen);
            let url = format!(
                "https://www.{name}.test/{}/{}-{}.html",
                sections[rng.usize(..sections.len())],
                ["article", "news", "story"][sites[site].lang],
                i + 1
            );
            let fetched_url = if rng.u8(..10) == 0 {
                format!("https://www.{name}.test/?p={}", i + 1)
            } else {
                url.clone()
            };
            ArticlePlan {
                site,
                url,
                fetched_url,
                first_seen,
                published,
                fetches: schedule_fetches(&mut rng, born, first_seen, now),
                changes: vec![0],
                gone: rng.u16(..100) == 0,
            }
        })
        .collect();
    // The versions after the first: most articles never change, a few change a lot (live
    // pages); changes happen in the first days.
    let mut extra = n_versions - n_articles;
    let mut busiest = 0;
    while extra > 0 {
        let r = rng.f64();
        let i = ((r * r * r) * n_articles as f64) as usize;
        let a = &mut plans[i.min(n_articles - 1)];
        let candidates = a.fetches.len().min(30);
        if a.changes.len() >= candidates || a.changes.len() >= 25 {
            continue;
        }
        let at = rng.usize(1..candidates);
        if a.changes.contains(&at) {
            continue;
        }
        a.changes.push(at);
        a.changes.sort();
        extra -= 1;
        if a.changes.len() > plans[busiest].changes.len() {
            busiest = i.min(n_articles - 1);
        }
    }
    let mut events: Vec<Event> = Vec::new();
    for (i, a) in plans.iter().enumerate() {
        let last = a.fetches.len() - 1;
        for (j, &at) in a.fetches.iter().enumerate() {
            let kind = if j == 0 {
                Kind::Archived
            } else if a.changes.contains(&j) {
                Kind::Changed
            } else if a.gone && j == last {
                Kind::Gone
            } else if rng.u8(..10) < 7 {
                Kind::NotModified
            } else {
                Kind::Unchanged
            };
            events.push(Event {
                at,
                article: i,
                kind,
            });
        }
    }
    events.sort_by_key(|e| (e.at, e.article));
    let rare: Vec<usize> = (0..n_articles)
        .step_by(n_articles / (4 * RARE_ARTICLES) + 1)
        .filter(|&i| sites[plans[i].site].lang == 0)
        .take(RARE_ARTICLES)
        .collect();

    let mut conn = Connection::open(db).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")
        .unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut ins = Inserter::new(&tx);
        let days = span / DAY + 2;
        ins.runs(sites, start, days);
        ins.robots(sites, now);
        for (i, a) in plans.iter().enumerate() {
            let last_seen = a.fetches.last().copied().unwrap_or(a.first_seen);
            ins.article
                .execute(params![
                    i as i64 + 1,
                    a.url,
                    format!("www.{}.test:443", sites[a.site].name),
                    iso(a.first_seen),
                    iso(last_seen)
                ])
                .unwrap();
        }
        let mut writer = Writer {
            rng: fastrand::Rng::with_seed(11),
            pools,
        };
        let mut current: HashMap<usize, (String, String, String, i64)> = HashMap::new();
        for e in &events {
            let a = &plans[e.article];
            let site = &sites[a.site];
            let run = a.site as i64 * (span / DAY + 2) + (e.at - start) / DAY + 1;
            let article_id = e.article as i64 + 1;
            let new_version = matches!(e.kind, Kind::Archived | Kind::Changed);
            if !new_version {
                let digest = current.get(&e.article).map(|c| c.2.clone());
                let payload = (e.kind == Kind::Unchanged).then_some(()).and(digest);
                ins.fetch(
                    run,
                    article_id,
                    &a.fetched_url,
                    e.at,
                    e.kind,
                    &mut rng,
                    payload.as_deref(),
                    false,
                );
                continue;
            }
            let (title, body, number) = match current.get(&e.article) {
                None => {
                    let paragraphs = 6 + writer.rng.usize(..5);
                    let mut body = writer.body(site.lang, paragraphs);
                    if rare.contains(&e.article) {
                        body.push_str(&format!("\n\nقال {RARE_WORD} إن الموسيقى الأندلسية باقية."));
                    }
                    (writer.title(site.lang), body, 1)
                }
                Some((title, body, _, n)) => {
                    let title = if writer.rng.u8(..5) == 0 {
                        writer.title(site.lang)
                    } else {
                        title.clone()
                    };
                    (title, writer.edit(site.lang, body), n + 1)
                }
            };
            let html = format!(
                "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
                 <body><article><h1>{title}</h1><p>{}</p></article></body></html>",
                LANGS[site.lang],
                body.replace("\n\n", "</p><p>")
            );
            let digest = format!("sha256:{}", sha256(html.as_bytes()));
            let compressed = zstd::bulk::compress(html.as_bytes(), 3).unwrap();
            ins.capture
                .execute(params![
                    digest,
                    html.len() as i64,
                    compressed.len() as i64,
                    compressed,
                    iso(e.at)
                ])
                .unwrap();
            ins.fetch(
                run,
                article_id,
                &a.fetched_url,
                e.at,
                e.kind,
                &mut rng,
                Some(&digest),
                true,
            );
            let fetch_id = tx.last_insert_rowid();
            let authors = serde_json::json!([format!(
                "{} {}",
                ["سعيد", "Claire", "John"][site.lang],
                writer.rng.u16(..500)
            )])
            .to_string();
            ins.version
                .execute(params![
                    article_id,
                    number,
                    fetch_id,
                    iso(e.at),
                    a.fetched_url,
                    a.url,
                    title,
                    body,
                    a.published.map(iso),
                    (number > 1).then(|| iso(e.at - 60)),
                    authors,
                    LANGS[site.lang],
                    sha256(format!("{title}\n{body}").as_bytes()),
                    digest,
                ])
                .unwrap();
            current.insert(e.article, (title, body, digest, number));
        }
    }
    tx.commit().unwrap();
    drop(conn);
    let typical = plans
        .iter()
        .enumerate()
        .find(|(i, a)| {
            *i > n_articles / 3
                && a.changes.len() == 2
                && a.fetched_url == a.url
                && a.fetches.len() > 30
        })
        .map(|(_, a)| a.url.clone())
        .unwrap();
    let short_link = plans
        .iter()
        .find(|a| a.fetched_url != a.url && a.fetches.len() > 30)
        .map(|a| a.fetched_url.clone())
        .unwrap();
    vec![
        typical,
        plans[busiest].url.clone(),
        short_link,
        iso(now - DAY),
    ]
}

/// Builds the planner archive: `n` articles of twenty sites over a year, one short version
/// each, three fetches each (the archiving, a revisit, the latest revisit), and the search
/// index for those versions (built the way `src/store/index.rs` builds it).
fn generate_planner_db(db: &Path, sites: &[Site], pools: &[Vec<String>; 3], n: usize) {
    let mut rng = fastrand::Rng::with_seed(5);
    let now = Utc::now().timestamp();
    let newest = now - NEWEST_AGE;
    let span = 365 * DAY;
    let start = newest - span;
    let mut writer = Writer {
        rng: fastrand::Rng::with_seed(3),
        pools,
    };
    let mut events: Vec<(i64, u32, u8)> = Vec::with_capacity(3 * n);
    let mut born_of = Vec::with_capacity(n);
    for i in 0..n {
        let first_seen = start + (span * i as i64) / n as i64 + rng.i64(0..60);
        let published = (rng.u8(..10) != 0).then(|| first_seen - rng.i64(0..3 * HOUR));
        let born = published.unwrap_or(first_seen).min(first_seen);
        let fetches = schedule_fetches(&mut rng, born, first_seen, now);
        events.push((first_seen, i as u32, 0));
        if fetches.len() > 2 {
            events.push((fetches[fetches.len() / 2], i as u32, 1));
        }
        if fetches.len() > 1 {
            events.push((*fetches.last().unwrap(), i as u32, 2));
        }
        born_of.push((first_seen, published, *fetches.last().unwrap()));
    }
    events.sort_unstable();
    let mut conn = Connection::open(db).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")
        .unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut ins = Inserter::new(&tx);
        let days = span / DAY + 2;
        ins.runs(sites, start, days);
        ins.robots(sites, now);
        for (i, (first_seen, _, last)) in born_of.iter().enumerate() {
            let site = &sites[i % sites.len()].name;
            ins.article
                .execute(params![
                    i as i64 + 1,
                    format!("https://www.{site}.test/news/story-{}.html", i + 1),
                    format!("www.{site}.test:443"),
                    iso(*first_seen),
                    iso(*last)
                ])
                .unwrap();
        }
        let mut index = tx
            .prepare_cached(
                "INSERT INTO search_index (rowid, title, body, title_stems, body_stems)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .unwrap();
        let mut digest_of: Vec<Option<String>> = vec![None; n];
        for (at, i, step) in events {
            let i = i as usize;
            let site_index = i % sites.len();
            let site = &sites[site_index];
            let url = format!("https://www.{}.test/news/story-{}.html", site.name, i + 1);
            let run = site_index as i64 * (span / DAY + 2) + (at - start) / DAY + 1;
            let article_id = i as i64 + 1;
            if step > 0 {
                let kind = if rng.bool() {
                    Kind::NotModified
                } else {
                    Kind::Unchanged
                };
                let payload = digest_of[i].clone().filter(|_| kind == Kind::Unchanged);
                ins.fetch(
                    run,
                    article_id,
                    &url,
                    at,
                    kind,
                    &mut rng,
                    payload.as_deref(),
                    false,
                );
                continue;
            }
            let title = writer.title(site.lang);
            let body = writer.paragraph(site.lang);
            let html = format!("<html><title>{title}</title><p>{body}</p></html>");
            let digest = format!("sha256:{}", sha256(html.as_bytes()));
            let compressed = zstd::bulk::compress(html.as_bytes(), 3).unwrap();
            ins.capture
                .execute(params![
                    digest,
                    html.len() as i64,
                    compressed.len() as i64,
                    compressed,
                    iso(at)
                ])
                .unwrap();
            ins.fetch(
                run,
                article_id,
                &url,
                at,
                Kind::Archived,
                &mut rng,
                Some(&digest),
                true,
            );
            let fetch_id = tx.last_insert_rowid();
            ins.version
                .execute(params![
                    article_id,
                    1,
                    fetch_id,
                    iso(at),
                    url,
                    url,
                    title,
                    body,
                    born_of[i].1.map(iso),
                    None::<String>,
                    "[]",
                    LANGS[site.lang],
                    sha256(format!("{title}\n{body}").as_bytes()),
                    digest,
                ])
                .unwrap();
            let version_id = tx.last_insert_rowid();
            let (t, b) = (arshif::search::fold(&title), arshif::search::fold(&body));
            index
                .execute(params![
                    version_id,
                    t,
                    b,
                    arshif::search::stems(&t),
                    arshif::search::stems(&b)
                ])
                .unwrap();
            digest_of[i] = Some(digest);
        }
    }
    tx.execute_batch("INSERT INTO search_index (search_index) VALUES ('optimize');")
        .unwrap();
    tx.commit().unwrap();
}

fn count(db: &Path, sql: &str) -> i64 {
    Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

fn describe(db: &Path) -> String {
    let c = Connection::open(db).unwrap();
    let n = |t: &str| -> i64 {
        c.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .unwrap()
    };
    format!(
        "{} articles, {} versions, {} fetches, {} runs",
        n("articles"),
        n("versions"),
        n("fetches"),
        n("runs")
    )
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn database_bytes(db: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok())
        .map(|m| m.len())
        .sum()
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
