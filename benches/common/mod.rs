//! Pages shared by the benchmarks: the public benchmark pages in
//! `../shared/benchmarks/article-extraction` when present, generated pages otherwise.

use std::io::Read;
use std::path::PathBuf;

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
#[allow(dead_code)] // the crawl bench's; not every bench uses it
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
