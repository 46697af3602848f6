//! arshif: crawl a news site's "next article" chain and archive versioned snapshots in SQLite
//! (or PostgreSQL).
//!
//! The pure core (`extract`, `discover`, `fold`, `vocab`, `diff`, `crawl::decide`,
//! `politeness::robots` matching, `model`) is synchronous and free of I/O; `fetch`, `store` and
//! `export` touch the outside world; `crawl` walks a chain. ARCHITECTURE.md draws a page's path.

pub mod cli;
pub mod commands;
/// Defaults, the one settings type (flags, the config file's top level and `[[site]]` tables).
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
/// Pure: the one Arabic folding (one letter table, with options for labels, dates and search).
pub mod fold;
/// Pure start-point discovery: feeds, sitemaps and the first article of a section page.
pub mod listing;
/// Where an archive lives: a SQLite file or a PostgreSQL URL (credentials never shown).
pub mod location;
/// Articles, fetch outcomes and content hashes.
pub mod model;
/// Per-host rate limits, backoff and robots.txt: the only code that waits for politeness.
pub mod politeness;
/// Pure revisit planning: intervals by article age, and what is due at a given time.
pub mod revisit;
/// Pure search normalisation (Arabic-aware folding), FTS5 queries and snippets.
pub mod search;
/// The read-only web view: routes, escaped templates, JSON twins of each page.
pub mod serve;
/// SQLite: migrations and all SQL, by subject (runs, pages, history, queries, search index).
pub mod store;
/// SURT keys of CDXJ lines, as pywb's indexer writes them.
pub mod surt;
/// Pure text helpers: whitespace, Unicode composition, prefixes, script shares.
pub mod text;
/// Times as arshif writes them (one fixed-width recorded form; page dates in RFC 3339).
pub mod time;
/// URL normalisation and crawl scope.
pub mod urls;
/// The one vocabulary: labels, trap and byline words, page-chrome names and their questions.
pub mod vocab;

pub use error::{Error, Result};
