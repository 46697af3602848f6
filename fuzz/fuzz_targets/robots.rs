//! Arbitrary bytes as a robots.txt body: build the rules, query a few URLs and the crawl delay.
#![no_main]

use std::sync::LazyLock;

use arshif::politeness::robots::{HostRules, RobotsFetch};
use libfuzzer_sys::fuzz_target;
use url::Url;

static URLS: LazyLock<Vec<Url>> = LazyLock::new(|| {
    [
        "https://news.example/",
        "https://news.example/a/1.html",
        "https://news.example/search?q=%D8%A7&page=2",
        "https://news.example/%D8%B1%D9%8A%D8%A7%D8%B6%D8%A9/article-1.html",
        "https://news.example/wp-admin/admin-ajax.php",
        "https://news.example/robots.txt",
    ]
    .iter()
    .map(|u| Url::parse(u).unwrap())
    .collect()
});

fuzz_target!(|data: &[u8]| {
    let rules = HostRules::from_fetch(&RobotsFetch::Found(data.to_vec()));
    for url in URLS.iter() {
        let _ = rules.allows(url);
    }
    let _ = rules.crawl_delay();
});
