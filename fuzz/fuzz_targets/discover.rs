//! Arbitrary bytes as an HTML page: next-article and first-article discovery.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use url::Url;

static URL: LazyLock<Url> = LazyLock::new(|| Url::parse("https://news.example/a/1.html").unwrap());

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let doc = arshif::extract::parse(&html);
    let _ = arshif::discover::next_article(&doc, &URL, None);
    let _ = arshif::listing::first_article(&doc, &URL, None);
});
