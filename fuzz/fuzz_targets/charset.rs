//! Arbitrary bytes as a response body: charset sniffing and decoding (with and without a
//! Content-Type charset), and feed/sitemap link listing.
#![no_main]

use std::sync::LazyLock;

use arshif::fetch::charset::decode_html;
use libfuzzer_sys::fuzz_target;
use url::Url;

static URL: LazyLock<Url> = LazyLock::new(|| Url::parse("https://news.example/a/1.html").unwrap());

fuzz_target!(|data: &[u8]| {
    let _ = decode_html(data, None);
    let _ = decode_html(data, Some("text/html; charset=windows-1256"));
    let _ = arshif::listing::feed_links(data, &URL);
});
