//! The archive database, on one of two engines behind one interface ([`Store`]): SQLite (a file,
//! `lite.rs`, its SQL in this module's files by subject: runs, pages, history, queries, search
//! index, dictionaries, takedowns) or PostgreSQL (a `postgres://` URL, `postgres/`). All SQL is
//! in this module; `copy.rs` moves an archive between the two.
//!
//! Versions are append-only (triggers refuse UPDATE and DELETE); each page is committed in one
//! transaction; raw payloads are stored once per digest, zstd-compressed.

// A result of the walk or of the archive is used or handed on, never dropped with `let _`.
#![deny(clippy::let_underscore_must_use)]

mod copy;
mod dictionary;
mod history;
mod index;
mod lite;
pub mod lock;
mod overview;
mod pages;
mod postgres;
mod query;
mod redact;
mod runs;
mod searching;
mod times;
mod writer;

pub use history::{ArchiveStats, History, HistoryFetch, HistoryVersion, VersionRow};
pub use overview::{Change, Overview, RunRow, SiteCount};
pub use pages::{
    ArticleWrite, CaptureWrite, Committed, FetchRow, LatestVersion, PageCommit, VersionWrite,
};
pub use query::{
    ArticleSummary, ExportFilter, ListFilter, Page, RevisitRow, Tombstone, VersionPick, WarcFetch,
    WarcVersion,
};
pub use redact::Redaction;
pub use runs::Walked;
pub use searching::{SearchHit, SearchScope};
pub use writer::PageWriter;

pub use crate::location::Location;
pub use copy::copy;
pub use postgres::PG_SCHEMA_VERSION;

use std::path::Path;

use lite::Lite;
use postgres::Pg;

use crate::fetch::Validators;
use crate::search::Query;
use crate::{Error, Result};

/// Identifies an arshif database (`PRAGMA application_id`): "arsh".
pub const APPLICATION_ID: i32 = 0x6172_7368;

/// Numbered migrations, embedded in the binary; `PRAGMA user_version` is the last one applied.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_archivist.sql"),
    include_str!("migrations/0003_planner.sql"),
    include_str!("migrations/0004_changes.sql"),
    include_str!("migrations/0005_dictionaries.sql"),
    include_str!("migrations/0006_list.sql"),
    include_str!("migrations/0007_search.sql"),
    include_str!("migrations/0008_list_changed.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Environment variable (tests only) that caps the database's pages, to simulate a full disk.
pub const TEST_MAX_PAGES: &str = "ARSHIF_TEST_MAX_PAGES";

/// Runs blocking database work (SQLite, the page writer's barrier) without stalling the async
/// runtime's other tasks: on a multi-threaded runtime's worker, the worker's other tasks move
/// to another thread first. Elsewhere it simply runs `f`.
pub fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            #[allow(clippy::disallowed_methods)] // the one place that may
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

fn sqlite(path: &Path, e: rusqlite::Error) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::CannotOpen
                || f.code == rusqlite::ErrorCode::ReadOnly =>
        {
            Error::Database {
                path: path.to_path_buf(),
                message: format!("cannot open: {e}"),
            }
        }
        _ => Error::Sqlite {
            path: path.to_path_buf(),
            source: e,
        },
    }
}

/// Runs `f` where no async runtime is entered on the thread, as the PostgreSQL driver's
/// blocking client needs: on a multi-threaded runtime's thread, through `block_in_place`
/// (which leaves the runtime); on a current-thread runtime's, on a scoped thread of its own.
pub(crate) fn outside_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            #[allow(clippy::disallowed_methods)] // leaves the runtime for the driver's own
            tokio::task::block_in_place(f)
        }
        Ok(_) => std::thread::scope(|s| match s.spawn(f).join() {
            Ok(v) => v,
            Err(panic) => std::panic::resume_unwind(panic),
        }),
        Err(_) => f(),
    }
}

/// An open archive, on either engine.
pub struct Store {
    engine: Engine,
    at: Location,
}

// One per open archive: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
enum Engine {
    Lite(Lite),
    Pg(Pg),
}

/// The same call on whichever engine holds the archive.
macro_rules! on_engine {
    ($self:ident, $s:ident => $e:expr) => {
        match &$self.engine {
            Engine::Lite($s) => $e,
            Engine::Pg($s) => $e,
        }
    };
    (mut $self:ident, $s:ident => $e:expr) => {
        match &mut $self.engine {
            Engine::Lite($s) => $e,
            Engine::Pg($s) => $e,
        }
    };
}

impl Store {
    /// Opens (creating if needed) an archive for writing, upgrading its schema (off the async
    /// workers). A newer schema, or something that is not an arshif archive, is refused before
    /// anything is written. The caller holds the writer lock.
    pub fn open_writer(at: &Location) -> Result<Self> {
        let engine = match at {
            Location::File(path) => Engine::Lite(Lite::open_writer(path)?),
            Location::Postgres(t) => Engine::Pg(blocking(|| Pg::open_writer(t, false))?),
        };
        Ok(Store {
            engine,
            at: at.clone(),
        })
    }

    /// Opens an existing archive for writing (`reindex`, `redact`): nothing else is ever turned
    /// into an archive.
    pub fn open_existing_writer(at: &Location) -> Result<Self> {
        let engine = match at {
            Location::File(path) => Engine::Lite(Lite::open_existing_writer(path)?),
            Location::Postgres(t) => Engine::Pg(blocking(|| Pg::open_writer(t, true))?),
        };
        Ok(Store {
            engine,
            at: at.clone(),
        })
    }

    /// Checks, read-only, that `at` is an archive this build can open (any schema up to its own).
    pub fn probe(at: &Location) -> Result<()> {
        match Self::open_reader(at) {
            Err(Error::DatabaseTooOld { .. }) => Ok(()),
            other => other.map(drop),
        }
    }

    /// Opens an existing archive read-only; never creates or modifies it.
    pub fn open_reader(at: &Location) -> Result<Self> {
        let engine = match at {
            Location::File(path) => Engine::Lite(Lite::open_reader(path)?),
            Location::Postgres(t) => Engine::Pg(Pg::open_reader(t)?),
        };
        Ok(Store {
            engine,
            at: at.clone(),
        })
    }

    /// Where the archive is.
    pub fn location(&self) -> &Location {
        &self.at
    }

    /// The engine's name, as `stats` and the docs say it.
    pub fn engine(&self) -> &'static str {
        match self.engine {
            Engine::Lite(_) => "sqlite",
            Engine::Pg(_) => "postgresql",
        }
    }

    pub fn stats(&self) -> Result<ArchiveStats> {
        on_engine!(self, s => s.stats())
    }

    pub fn history(&self, article_id: i64) -> Result<Option<History>> {
        on_engine!(self, s => s.history(article_id))
    }

    pub fn changes(&self, site: Option<&str>, limit: usize) -> Result<Vec<Change>> {
        on_engine!(self, s => s.changes(site, limit))
    }

    pub fn version_capture(
        &self,
        article_id: i64,
        version: i64,
    ) -> Result<Option<(Vec<u8>, Option<String>)>> {
        on_engine!(self, s => s.version_capture(article_id, version))
    }

    pub fn overview(&self, limit: usize) -> Result<Overview> {
        on_engine!(self, s => s.overview(limit))
    }

    /// Validators of the latest fetch of `url` whose payload is stored, with its digest.
    pub fn validators_for(&self, url: &str) -> Result<Option<(Validators, String)>> {
        on_engine!(self, s => s.validators_for(url))
    }

    pub fn article_of_capture(&self, url: &str, digest: &str) -> Result<Option<(i64, String)>> {
        on_engine!(self, s => s.article_of_capture(url, digest))
    }

    /// A stored payload, decompressed, with its content type.
    pub fn load_capture(&self, digest: &str) -> Result<Option<(Vec<u8>, Option<String>)>> {
        on_engine!(self, s => s.load_capture(digest))
    }

    pub fn article_id(&self, url: &str) -> Result<Option<i64>> {
        on_engine!(self, s => s.article_id(url))
    }

    pub fn article_was_fetched_from(&self, article_id: i64, fetched_url: &str) -> Result<bool> {
        on_engine!(self, s => s.article_was_fetched_from(article_id, fetched_url))
    }

    pub fn latest_version(&self, article_id: i64) -> Result<Option<LatestVersion>> {
        on_engine!(self, s => s.latest_version(article_id))
    }

    /// Writes one processed page in a single transaction.
    pub fn commit_page(&mut self, page: &PageCommit) -> Result<Committed> {
        on_engine!(mut self, s => s.commit_page(page))
    }

    pub fn revisit_candidates(
        &self,
        hosts: &[String],
        windows: &[crate::revisit::Window],
    ) -> Result<Vec<RevisitRow>> {
        on_engine!(self, s => s.revisit_candidates(hosts, windows))
    }

    pub fn find_article(&self, url: &str) -> Result<Option<(i64, String)>> {
        on_engine!(self, s => s.find_article(url))
    }

    pub fn for_each_listed(
        &self,
        filter: &ListFilter,
        each: impl FnMut(&ArticleSummary<'_>) -> Result<()>,
    ) -> Result<()> {
        on_engine!(self, s => s.for_each_listed(filter, each))
    }

    pub fn version(&self, article_id: i64, pick: &VersionPick) -> Result<Option<VersionRow>> {
        on_engine!(self, s => s.version(article_id, pick))
    }

    pub fn version_numbers(&self, article_id: i64) -> Result<Vec<i64>> {
        on_engine!(self, s => s.version_numbers(article_id))
    }

    pub fn for_each_version(
        &self,
        filter: &ExportFilter,
        f: impl FnMut(i64, VersionRow) -> Result<()>,
    ) -> Result<()> {
        on_engine!(self, s => s.for_each_version(filter, f))
    }

    pub fn tombstones(&self, filter: &ExportFilter) -> Result<Vec<Tombstone>> {
        on_engine!(self, s => s.tombstones(filter))
    }

    pub fn for_each_warc_fetch(
        &self,
        since: Option<&str>,
        f: impl FnMut(WarcFetch) -> Result<()>,
    ) -> Result<()> {
        on_engine!(self, s => s.for_each_warc_fetch(since, f))
    }

    /// Rebuilds the search index and change statistics from the versions.
    pub fn reindex(&mut self) -> Result<usize> {
        on_engine!(mut self, s => s.reindex())
    }

    /// Removes an article's text and captures, leaving a tombstone.
    pub fn redact(&mut self, article_id: i64, reason: &str, at: &str) -> Result<Redaction> {
        on_engine!(mut self, s => s.redact(article_id, reason, at))
    }

    /// Leaves no removed text in the engine's free space (SQLite: VACUUM and a WAL checkpoint;
    /// PostgreSQL: VACUUM of the tables a takedown touches).
    pub fn purge_free_space(&self) -> Result<()> {
        on_engine!(self, s => s.purge_free_space())
    }

    pub fn unredact(&mut self, article_id: i64, reason: &str, at: &str) -> Result<Redaction> {
        on_engine!(mut self, s => s.unredact(article_id, reason, at))
    }

    pub fn is_redacted(&self, urls: &[&str]) -> Result<bool> {
        on_engine!(self, s => s.is_redacted(urls))
    }

    pub fn redactions(&self, article_id: i64) -> Result<Vec<Redaction>> {
        on_engine!(self, s => s.redactions(article_id))
    }

    pub fn begin_run(
        &self,
        command: &str,
        start_url: Option<&str>,
        started_at: &str,
        site: Option<&str>,
    ) -> Result<i64> {
        on_engine!(self, s => s.begin_run(command, start_url, started_at, site))
    }

    pub fn set_resume(&self, run_id: i64, url: Option<&str>) -> Result<()> {
        on_engine!(self, s => s.set_resume(run_id, url))
    }

    pub fn resume_url(&self, start_url: &str, site: Option<&str>) -> Result<Option<String>> {
        on_engine!(self, s => s.resume_url(start_url, site))
    }

    pub fn last_walks(&self, start_url: &str, site: Option<&str>, n: usize) -> Result<Vec<Walked>> {
        on_engine!(self, s => s.last_walks(start_url, site, n))
    }

    pub fn finish_run(
        &self,
        run_id: i64,
        finished_at: &str,
        status: &str,
        end_reason: &str,
        counts_json: &str,
    ) -> Result<()> {
        on_engine!(self, s => s.finish_run(run_id, finished_at, status, end_reason, counts_json))
    }

    pub fn cached_robots(&self, host: &str, since: &str) -> Result<Option<(u16, Option<Vec<u8>>)>> {
        on_engine!(self, s => s.cached_robots(host, since))
    }

    pub fn cache_robots(
        &self,
        host: &str,
        fetched_at: &str,
        status: u16,
        body: Option<&[u8]>,
    ) -> Result<()> {
        on_engine!(self, s => s.cache_robots(host, fetched_at, status, body))
    }

    /// Versions matching a parsed query, best first.
    pub fn search(&self, query: &Query, scope: &SearchScope) -> Result<Vec<SearchHit>> {
        match &self.engine {
            Engine::Lite(s) => s.search(&query.to_fts5(), scope),
            Engine::Pg(s) => s.search(query, scope),
        }
    }
}
