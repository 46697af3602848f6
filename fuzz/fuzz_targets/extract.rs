//! Arbitrary bytes as an HTML page: parse, extract the article, find the next link.
#![no_main]

use std::sync::LazyLock;

use arshif::config::SiteRules;
use arshif::extract::{self, ExtractOptions};
use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use url::Url;

static URL: LazyLock<Url> = LazyLock::new(|| Url::parse("https://news.example/a/1.html").unwrap());
static RULES: LazyLock<SiteRules> = LazyLock::new(SiteRules::default);

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let doc = extract::parse(&html);
    let opts = ExtractOptions {
        timezone: chrono_tz::Africa::Casablanca,
        // Fixed, so that relative dates («منذ 3 ساعات») are exercised deterministically.
        fetched_at: Some(Utc.with_ymd_and_hms(2026, 11, 20, 9, 15, 0).unwrap()),
        rules: &RULES,
    };
    let _ = extract::extract(&doc, &URL, &opts);
    let _ = arshif::discover::next_article(&doc, &URL, None);
});
