//! Pages shared by the benchmarks: the public benchmark pages in
//! `../shared/benchmarks/article-extraction` when present, generated pages otherwise; and the
//! run of the binary they time.
#![allow(dead_code)] // each benchmark uses a part of this module

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Instant;

/// The benchmark pages decoded to text, or `generated` made-up pages whose furniture and text
/// are `scale` times the base size; with a description of which.
pub fn pages(generated: usize, scale: usize) -> (Vec<String>, &'static str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/benchmarks/article-extraction/html");
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            let Ok(f) = std::fs::File::open(&p) else {
                continue;
            };
            let mut bytes = Vec::new();
            if flate2::read::GzDecoder::new(f)
                .read_to_end(&mut bytes)
                .is_ok()
            {
                out.push(arshif::fetch::charset::decode_html(&bytes, None).0);
            }
        }
    }
    if !out.is_empty() {
        return (out, "the 181 benchmark pages");
    }
    let para = "<p>The regional council met on Thursday evening to discuss the budget, which includes new funding for schools and roads, and debated it at length.</p>";
    for i in 0..generated {
        out.push(format!(
            "<html><head><title>Story {i} | Site</title></head><body><nav>{}</nav><article><h1>Story {i}</h1>{}</article><aside>{}</aside></body></html>",
            "<a href=/x>menu</a>".repeat(50 * scale),
            para.repeat(20 * scale),
            "<li><a href=/y>most read</a></li>".repeat(30 * scale)
        ));
    }
    (out, "generated pages")
}

/// The article bodies of the benchmark's ground truth, when `../shared` is present.
pub fn ground_truth_bodies() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/benchmarks/article-extraction/ground-truth.json");
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let Ok(serde_json::Value::Object(truth)) = serde_json::from_str(&text) else {
        return Vec::new();
    };
    truth
        .values()
        .filter_map(|v| v["articleBody"].as_str())
        .filter(|b| !b.is_empty())
        .map(str::to_string)
        .collect()
}

/// What one run of the binary took.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    pub wall: f64,
    /// User + system seconds (GNU time, to 10 ms); 0 without it.
    pub cpu: f64,
    pub peak_rss_kb: u64,
}

/// Runs the binary, under GNU time (`/usr/bin/time`) when `with_time`; the wall time is taken
/// around it. A failing command stops the benchmark.
pub fn measure(bin: &str, args: &[&str], with_time: bool) -> (Usage, Output) {
    let started = Instant::now();
    let out = if with_time {
        Command::new("/usr/bin/time")
            .args(["-f", "ARSHIF-TIME %U %S %M", bin])
            .args(args)
            .output()
            .unwrap()
    } else {
        Command::new(bin).args(args).output().unwrap()
    };
    let wall = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{bin} {args:?} failed: {stderr}");
    let timed: Vec<f64> = stderr
        .lines()
        .find_map(|l| l.strip_prefix("ARSHIF-TIME "))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|v| v.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let usage = match timed[..] {
        [user, system, rss] => Usage {
            wall,
            cpu: user + system,
            peak_rss_kb: rss as u64,
        },
        _ => Usage {
            wall,
            ..Default::default()
        },
    };
    (usage, out)
}
