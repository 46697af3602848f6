//! arshif: crawl a news site's "next article" chain and archive versioned snapshots in SQLite.
//!
//! The pure core (`extract`, `discover`, `politeness::robots` matching, `model`) is synchronous and
//! free of I/O; `fetch`, `store` and `export` touch the outside world; `crawl` walks a chain.

pub mod cli;
pub mod commands;
/// Defaults and validated settings shared by the flags, the library and the help text.
pub mod config;
/// The crawl: each page through fetch, decode, parse, discover and extract, decide, write.
pub mod crawl;
/// Pure: whether a site's walks keep ending at their first article.
pub mod deadend;
/// Pure word-level comparison of two versions.
pub mod diff;
/// Pure next-article link discovery.
pub mod discover;
/// The library's error type.
pub mod error;
/// Serializers of stored versions (JSON Lines, CSV) and of stored exchanges (WARC).
pub mod export;
/// Pure extraction: HTML + URL -> article.
pub mod extract;
/// HTTP: the only `reqwest::Client`, size limits, charset decoding, the retry loop.
pub mod fetch;
/// A static file server over loopback, for `demo` and tests.
pub mod fixture_server;
/// Pure start-point discovery: feeds, sitemaps and the first article of a section page.
pub mod listing;
/// Articles, fetch outcomes and content hashes.
pub mod model;
/// Per-host rate limits, backoff and robots.txt: the only code that waits for politeness.
pub mod politeness;
/// Pure revisit planning: intervals by article age, and what is due at a given time.
pub mod revisit;
/// Pure search normalisation (Arabic-aware folding), FTS5 queries and snippets.
pub mod search;
/// SQLite: migrations, all SQL and the versioning records.
pub mod store;
/// SURT keys of CDXJ lines, as pywb's indexer writes them.
pub mod surt;
/// Times as arshif writes them (RFC 3339 records, the stored form for comparisons).
pub mod time;
/// URL normalisation and crawl scope.
pub mod urls;
/// The one vocabulary: labels, trap and byline words, page-chrome names and their questions.
pub mod vocab;

pub use error::{Error, Result};
