//! Extraction speed against the bare HTML parse, on the public benchmark pages when
//! `../shared/benchmarks/article-extraction` is present (generated pages otherwise).
//!
//! `cargo bench --bench extraction` prints, for the same pages in one run: the bare `scraper`
//! parse, arshif's parse (with the depth cap), parse plus extraction, and the cost of each
//! extraction step; medians of several rounds, and the ratio the extraction issue bounds (≤ 2×).

use std::time::{Duration, Instant};

use arshif::config::SiteRules;
use arshif::extract::{self, ExtractOptions, content, meta};
use scraper::Html;
use url::Url;

mod common;

const ROUNDS: usize = 7;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time(rounds: usize, mut f: impl FnMut()) -> Duration {
    median(
        (0..rounds)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let (pages, what) = common::pages(100, 1);
    let bytes: usize = pages.iter().map(String::len).sum();
    let url = Url::parse("https://news.example/article.html").unwrap();
    let rules = SiteRules::default();
    let opts = ExtractOptions {
        timezone: chrono_tz::UTC,
        fetched_at: None,
        rules: &rules,
    };

    let bare = time(ROUNDS, || {
        for p in &pages {
            std::hint::black_box(Html::parse_document(p));
        }
    });
    let capped = time(ROUNDS, || {
        for p in &pages {
            std::hint::black_box(extract::parse(p));
        }
    });
    let full = time(ROUNDS, || {
        for p in &pages {
            std::hint::black_box(extract::extract_html(p, &url, &opts));
        }
    });
    let docs: Vec<Html> = pages.iter().map(|p| extract::parse(p)).collect();
    let step = |f: &dyn Fn(&Html)| time(ROUNDS, || docs.iter().for_each(f));
    let steps: Vec<(&str, Duration)> = vec![
        (
            "body (scorer + render)",
            step(&|d| {
                std::hint::black_box(content::generic_body(d));
            }),
        ),
        (
            "structured data",
            step(&|d| {
                std::hint::black_box(meta::structured_data(d));
            }),
        ),
        (
            "title",
            step(&|d| {
                std::hint::black_box(meta::title(d, &Default::default(), None));
            }),
        ),
        (
            "authors",
            step(&|d| {
                std::hint::black_box(meta::authors(d, &Default::default()));
            }),
        ),
        (
            "published_at",
            step(&|d| {
                std::hint::black_box(meta::published_at(
                    d,
                    &Default::default(),
                    &url,
                    chrono_tz::UTC,
                    None,
                ));
            }),
        ),
        (
            "next link",
            step(&|d| {
                std::hint::black_box(arshif::discover::next_article(d, &url, None));
            }),
        ),
    ];

    let n = pages.len() as f64;
    let per_s = |d: Duration| n / d.as_secs_f64();
    println!(
        "extraction benchmark: {} ({} pages, {:.1} MB), median of {ROUNDS} rounds, one core",
        what,
        pages.len(),
        bytes as f64 / 1e6
    );
    println!(
        "  bare scraper parse       {:>8.1} ms  {:>6.0} pages/s",
        bare.as_secs_f64() * 1e3,
        per_s(bare)
    );
    println!(
        "  arshif parse (prepared) {:>8.1} ms  {:>6.0} pages/s",
        capped.as_secs_f64() * 1e3,
        per_s(capped)
    );
    println!(
        "  parse + extraction       {:>8.1} ms  {:>6.0} pages/s",
        full.as_secs_f64() * 1e3,
        per_s(full)
    );
    println!(
        "  ratio parse+extraction / bare parse: {:.2}x (target <= 2x)",
        full.as_secs_f64() / bare.as_secs_f64()
    );
    for (name, d) in steps {
        println!("    step {name:<24} {:>8.1} ms", d.as_secs_f64() * 1e3);
    }
}
