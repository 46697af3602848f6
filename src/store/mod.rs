//! The archive database: the rusqlite connection, PRAGMAs, numbered migrations and all SQL.
//!
//! Versions are append-only (triggers refuse UPDATE and DELETE); each page is committed in one
//! transaction; raw payloads are stored once per digest, zstd-compressed.

mod dictionary;
mod index;
pub mod lock;
mod query;
mod redact;
mod times;
mod writer;

pub use query::{
    ArticleSummary, ExportFilter, ListFilter, RevisitRow, SearchHit, SearchScope, Tombstone,
    VersionPick, WarcFetch, WarcVersion,
};
pub use redact::Redaction;
pub use writer::PageWriter;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use crate::fetch::Validators;
use crate::model::FetchOutcome;
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

use dictionary::ZSTD_LEVEL;

/// An open archive.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Kept between captures: a zstd context is costly to set up for every page.
    compressor: Option<zstd::bulk::Compressor<'static>>,
    /// Per-site dictionaries: the current site's for writing, the last one read.
    dictionaries: dictionary::Dictionaries,
}

/// One fetch-log row.
#[derive(Debug, Clone)]
pub struct FetchRow {
    pub url: String,
    pub requested_at: String,
    pub status: Option<u16>,
    pub outcome: FetchOutcome,
    pub error: Option<String>,
    pub note: Option<String>,
    pub headers: Option<String>,
    pub request_headers: Option<String>,
    pub bytes: Option<i64>,
    pub duration_ms: Option<i64>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub payload_digest: Option<String>,
}

impl FetchRow {
    /// A row with what every row has: the URL, when, and how it ended; nothing else known.
    pub fn new(url: String, requested_at: String, outcome: FetchOutcome) -> Self {
        FetchRow {
            url,
            requested_at,
            status: None,
            outcome,
            error: None,
            note: None,
            headers: None,
            request_headers: None,
            bytes: None,
            duration_ms: None,
            etag: None,
            last_modified: None,
            payload_digest: None,
        }
    }
}

/// A payload to keep.
#[derive(Debug, Clone)]
pub struct CaptureWrite {
    pub digest: String,
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
}

/// A version to append.
#[derive(Debug, Clone)]
pub struct VersionWrite {
    pub fetched_at: String,
    pub fetched_url: String,
    pub canonical_url: Option<String>,
    pub title: Option<String>,
    pub body: String,
    pub published_at: Option<String>,
    pub modified_at: Option<String>,
    pub authors: Vec<String>,
    pub language: Option<String>,
    pub content_hash: String,
    pub extractor_version: String,
    pub site_rules: String,
}

/// The article a page belongs to.
#[derive(Debug, Clone)]
pub struct ArticleWrite {
    pub url: String,
    pub host: String,
    pub seen_at: String,
    pub version: Option<VersionWrite>,
}

/// Everything one processed page writes, committed together.
#[derive(Debug, Clone, Default)]
pub struct PageCommit {
    pub run_id: Option<i64>,
    /// All attempts in order; the last one is the page's final fetch.
    pub rows: Vec<FetchRow>,
    /// Stored when given (and linked from the final fetch row).
    pub capture: Option<CaptureWrite>,
    pub article: Option<ArticleWrite>,
    /// The run's next pending page, written with the page (see [`Store::set_resume`]).
    pub resume_url: Option<String>,
}

/// What a commit wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Committed {
    pub article_id: Option<i64>,
    pub version: Option<i64>,
}

/// The latest version of an article, as needed for the versioning decision.
#[derive(Debug, Clone)]
pub struct LatestVersion {
    pub version: i64,
    pub content_hash: String,
    pub extractor_version: String,
    pub site_rules: String,
    pub capture_digest: String,
    pub fetched_url: String,
    pub fetched_at: String,
    pub published_at: Option<String>,
    pub modified_at: Option<String>,
    pub authors: Vec<String>,
}

/// Counts over the whole archive (`arshif stats`).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ArchiveStats {
    pub articles: i64,
    pub versions: i64,
    pub runs: i64,
    pub fetches: i64,
    pub fetches_by_outcome: std::collections::BTreeMap<String, i64>,
    pub captures: i64,
    pub capture_bytes_raw: i64,
    pub capture_bytes_stored: i64,
    /// Articles under a takedown.
    pub redacted: i64,
}

/// One line of an article's history: a version or a fetch.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryVersion {
    pub version: i64,
    pub fetched_at: String,
    pub title: Option<String>,
    pub content_hash: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryFetch {
    pub requested_at: String,
    pub url: String,
    pub status: Option<i64>,
    pub outcome: String,
    pub error: Option<String>,
    pub note: Option<String>,
}

/// Every version and every fetch of one article (`arshif history`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct History {
    pub url: String,
    pub first_seen_at: String,
    pub last_seen_at: String,
    pub versions: Vec<HistoryVersion>,
    pub fetches: Vec<HistoryFetch>,
    /// Takedowns and their lifting, oldest first.
    pub redactions: Vec<Redaction>,
}

/// One stored version joined with its article, as exports see it.
#[derive(Debug, Clone)]
pub struct VersionRow {
    pub article_url: String,
    pub host: String,
    pub version: i64,
    pub fetched_at: String,
    pub fetched_url: String,
    pub canonical_url: Option<String>,
    pub title: Option<String>,
    pub body: String,
    pub published_at: Option<String>,
    pub modified_at: Option<String>,
    pub authors: Vec<String>,
    pub language: Option<String>,
    pub content_hash: String,
    pub extractor_version: String,
}

impl Store {
    /// Opens (creating if needed) a database for writing, upgrading its schema (which may take
    /// a while: it runs off the async workers, see [`blocking`]).
    /// A database from a newer arshif, or a file that is not an arshif database, is refused
    /// before anything is written.
    pub fn open_writer(path: &Path) -> Result<Self> {
        blocking(|| Self::open_for_writing(path, false))
    }

    /// Opens an existing archive for writing (`reindex`, `redact`): a missing file, an empty one
    /// or any other file is refused untouched, never turned into an archive.
    pub fn open_existing_writer(path: &Path) -> Result<Self> {
        if !path.is_file() {
            return Err(Error::DatabaseMissing {
                path: path.to_path_buf(),
            });
        }
        blocking(|| Self::open_for_writing(path, true))
    }

    fn open_for_writing(path: &Path, must_be_archive: bool) -> Result<Self> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && !parent.is_dir()
        {
            return Err(Error::Database {
                path: path.to_path_buf(),
                message: format!("folder {} does not exist", parent.display()),
            });
        }
        let conn = Connection::open(path).map_err(|e| sqlite(path, e))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            compressor: None,
            dictionaries: Default::default(),
        };
        store.check_identity()?;
        if must_be_archive && store.user_version()? == 0 {
            return Err(Error::NotAnArchive {
                path: path.to_path_buf(),
            });
        }
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// Checks, read-only, that `path` is an arshif archive this build can open (any schema up
    /// to its own).
    pub fn probe(path: &Path) -> Result<()> {
        match Self::open_reader(path) {
            Err(Error::DatabaseTooOld { .. }) => Ok(()),
            other => other.map(drop),
        }
    }

    /// Opens an existing database read-only; never creates or modifies it.
    pub fn open_reader(path: &Path) -> Result<Self> {
        if !path.is_file() {
            return Err(Error::DatabaseMissing {
                path: path.to_path_buf(),
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| sqlite(path, e))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            compressor: None,
            dictionaries: Default::default(),
        };
        store.check_identity()?;
        let version = store.user_version()?;
        if version == 0 {
            return Err(Error::NotAnArchive {
                path: path.to_path_buf(),
            });
        }
        if version < SCHEMA_VERSION {
            return Err(Error::DatabaseTooOld {
                path: path.to_path_buf(),
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn user_version(&self) -> Result<i64> {
        self.conn
            .prepare_cached("PRAGMA user_version")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    /// Refuses files that are not SQLite, SQLite files of other programs, and newer schemas.
    fn check_identity(&self) -> Result<()> {
        let app_id: i32 = self
            .conn
            .prepare_cached("PRAGMA application_id")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::NotADatabase =>
                {
                    Error::NotAnArchive {
                        path: self.path.clone(),
                    }
                }
                e => self.err(e),
            })?;
        let version = self.user_version()?;
        let tables: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM sqlite_schema")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(|e| self.err(e))?;
        if app_id != APPLICATION_ID && (tables > 0 || version > 0) {
            return Err(Error::NotAnArchive {
                path: self.path.clone(),
            });
        }
        if version > SCHEMA_VERSION {
            return Err(Error::DatabaseTooNew {
                path: self.path.clone(),
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        Ok(())
    }

    fn configure(&self) -> Result<()> {
        self.conn
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA foreign_keys = ON;
                 PRAGMA busy_timeout = 5000;",
            )
            .map_err(|e| self.err(e))?;
        // Every hot statement is prepared once per connection (`prepare_cached`).
        self.conn.set_prepared_statement_cache_capacity(64);
        // Test-only: a ceiling on database pages stands in for a full disk.
        if let Some(pages) = std::env::var(TEST_MAX_PAGES)
            .ok()
            .and_then(|v| v.parse::<u32>().ok())
        {
            self.conn
                .execute_batch(&format!("PRAGMA max_page_count = {pages};"))
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    fn migrate(&self) -> Result<()> {
        let current = self.user_version()?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let n = i as i64 + 1;
            let tx =
                rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
                    .map_err(|e| self.err(e))?;
            tx.execute_batch(sql).map_err(|e| self.err(e))?;
            if n == 2 {
                // Search index and change statistics for versions written before they existed.
                index::rebuild(&tx).map_err(|e| self.err(e))?;
            }
            tx.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {n};"
            ))
            .map_err(|e| self.err(e))?;
            tx.commit().map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// A write transaction that takes the write lock at once (IMMEDIATE): a concurrent writer
    /// then waits (`busy_timeout`) instead of failing when its read would need upgrading.
    fn write_tx(&mut self) -> rusqlite::Result<rusqlite::Transaction<'_>> {
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        sqlite(&self.path, e)
    }

    /// Records the start of a run; returns its id.
    pub fn begin_run(
        &self,
        command: &str,
        start_url: Option<&str>,
        started_at: &str,
        site: Option<&str>,
    ) -> Result<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO runs (command, start_url, started_at, site) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| s.execute(params![command, start_url, started_at, site]))
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Where a run would resume: the page it has not processed yet (None once it finished).
    pub fn set_resume(&self, run_id: i64, url: Option<&str>) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE runs SET resume_url = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![run_id, url]))
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The resume point the last run of `start_url` (for `site`) left.
    pub fn resume_url(&self, start_url: &str, site: Option<&str>) -> Result<Option<String>> {
        self.conn
            .prepare_cached(
                "SELECT resume_url FROM runs
                 WHERE start_url = ?1 AND site IS ?2 AND command = 'run'
                 ORDER BY id DESC LIMIT 1",
            )
            .and_then(|mut s| s.query_row(params![start_url, site], |r| r.get(0)))
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.err(e))
    }

    /// The last `n` finished `run` walks of `start_url` for `site`, newest first.
    pub fn last_walks(
        &self,
        start_url: &str,
        site: Option<&str>,
        n: usize,
    ) -> Result<Vec<crate::deadend::Walked>> {
        self.conn
            .prepare_cached(
                "SELECT status, end_reason, resume_url, counts FROM runs
                 WHERE start_url = ?1 AND site IS ?2 AND command = 'run' AND finished_at IS NOT NULL
                 ORDER BY id DESC LIMIT ?3",
            )
            .and_then(|mut s| {
                s.query_map(params![start_url, site, n as i64], |r| {
                    Ok(crate::deadend::Walked {
                        status: r.get(0)?,
                        end_reason: r.get(1)?,
                        resume_url: r.get(2)?,
                        counts: r.get(3)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// A robots.txt answer for `host` fetched since `since` (RFC 3339): (status, body).
    pub fn cached_robots(&self, host: &str, since: &str) -> Result<Option<(u16, Option<Vec<u8>>)>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT status, body FROM robots_cache WHERE host = ?1 AND {}",
                times::at_or_after("fetched_at", "?2")
            ))
            .and_then(|mut s| s.query_row(params![host, since], |r| Ok((r.get(0)?, r.get(1)?))))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Keeps a robots.txt answer for later runs.
    pub fn cache_robots(
        &self,
        host: &str,
        fetched_at: &str,
        status: u16,
        body: Option<&[u8]>,
    ) -> Result<()> {
        self.conn
            .prepare_cached("INSERT OR REPLACE INTO robots_cache (host, fetched_at, status, body) VALUES (?1, ?2, ?3, ?4)").and_then(|mut s| s.execute(params![host, fetched_at, status, body]))
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Records how a run ended.
    pub fn finish_run(
        &self,
        run_id: i64,
        finished_at: &str,
        status: &str,
        end_reason: &str,
        counts_json: &str,
    ) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE runs SET finished_at = ?2, status = ?3, end_reason = ?4, counts = ?5 WHERE id = ?1").and_then(|mut s| s.execute(params![run_id, finished_at, status, end_reason, counts_json]))
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Validators of the latest fetch of `url` whose payload is stored (so that a 304 can be
    /// served from the archive), with that capture's digest.
    pub fn validators_for(&self, url: &str) -> Result<Option<(Validators, String)>> {
        self.conn
            .prepare_cached(
                "SELECT etag, last_modified, capture_digest FROM fetches
                 WHERE url = ?1 AND status = 200 AND capture_digest IS NOT NULL
                   AND (etag IS NOT NULL OR last_modified IS NOT NULL)
                 ORDER BY id DESC LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(params![url], |r| {
                    Ok((
                        Validators {
                            etag: r.get(0)?,
                            last_modified: r.get(1)?,
                        },
                        r.get::<_, String>(2)?,
                    ))
                })
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The article id that a fetch of `fetched_url` with this stored capture belonged to.
    pub fn article_of_capture(&self, url: &str, digest: &str) -> Result<Option<(i64, String)>> {
        self.conn
            .prepare_cached(
                "SELECT a.id, a.url FROM fetches f JOIN articles a ON a.id = f.article_id
                 WHERE f.url = ?1 AND f.capture_digest = ?2 ORDER BY f.id DESC LIMIT 1",
            )
            .and_then(|mut s| s.query_row(params![url, digest], |r| Ok((r.get(0)?, r.get(1)?))))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// A stored payload, decompressed, with its content type.
    pub fn load_capture(&self, digest: &str) -> Result<Option<(Vec<u8>, Option<String>)>> {
        type Row = (String, Vec<u8>, Option<String>, Option<i64>);
        let row: Option<Row> = self
            .conn
            .prepare_cached(
                "SELECT compression, content, content_type, dictionary_id FROM captures
                 WHERE digest = ?1",
            )
            .and_then(|mut s| {
                s.query_row(params![digest], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
            })
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((compression, content, content_type, dictionary_id)) = row else {
            return Ok(None);
        };
        let bytes = match compression.as_str() {
            "zstd" => self.decompress_capture(digest, &content, dictionary_id)?,
            _ => content,
        };
        Ok(Some((bytes, content_type)))
    }

    /// The article stored under `url`, if any.
    pub fn article_id(&self, url: &str) -> Result<Option<i64>> {
        self.conn
            .prepare_cached("SELECT id FROM articles WHERE url = ?1")
            .and_then(|mut s| s.query_row(params![url], |r| r.get(0)))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Whether `fetched_url` was ever fetched as part of article `article_id`.
    pub fn article_was_fetched_from(&self, article_id: i64, fetched_url: &str) -> Result<bool> {
        self.conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM versions WHERE article_id = ?1 AND fetched_url = ?2)
                     OR EXISTS (SELECT 1 FROM fetches WHERE article_id = ?1 AND url = ?2)",
            )
            .and_then(|mut s| s.query_row(params![article_id, fetched_url], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    pub fn latest_version(&self, article_id: i64) -> Result<Option<LatestVersion>> {
        self.conn
            .prepare_cached(
                "SELECT version, content_hash, extractor_version, site_rules, capture_digest,
                        fetched_url, fetched_at, published_at, modified_at, authors
                 FROM versions WHERE article_id = ?1 ORDER BY version DESC LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(params![article_id], |r| {
                    Ok(LatestVersion {
                        version: r.get(0)?,
                        content_hash: r.get(1)?,
                        extractor_version: r.get(2)?,
                        site_rules: r.get(3)?,
                        capture_digest: r.get(4)?,
                        fetched_url: r.get(5)?,
                        fetched_at: r.get(6)?,
                        published_at: r.get(7)?,
                        modified_at: r.get(8)?,
                        authors: query::authors(r, 9)?,
                    })
                })
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Writes one processed page in a single transaction.
    pub fn commit_page(&mut self, page: &PageCommit) -> Result<Committed> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| sqlite(&path, e);
        // Compressed before the write lock is taken; a capture already stored is not redone.
        // A site's dictionary is for its articles' captures.
        let site = page
            .article
            .as_ref()
            .filter(|a| a.version.is_some())
            .map(|a| a.host.clone());
        let compressed = match &page.capture {
            Some(c) if !self.has_capture(&c.digest)? => {
                Some(self.compress_capture(site.as_deref(), &c.bytes)?)
            }
            _ => None,
        };
        let mut stored = 0;
        let tx = self.write_tx().map_err(err)?;
        if let (Some(c), Some((compressed, dictionary_id))) = (&page.capture, compressed) {
            stored = tx.prepare_cached("INSERT OR IGNORE INTO captures (digest, compression, raw_bytes, stored_bytes, content_type, content, created_at, dictionary_id)
                 VALUES (?1, 'zstd', ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?6)").and_then(|mut s| s.execute(params![c.digest, c.bytes.len() as i64, compressed.len() as i64, c.content_type, compressed, dictionary_id]))
            .map_err(err)?;
        }
        if let (Some(run_id), Some(next)) = (page.run_id, &page.resume_url) {
            tx.prepare_cached("UPDATE runs SET resume_url = ?2 WHERE id = ?1")
                .and_then(|mut s| s.execute(params![run_id, next]))
                .map_err(err)?;
        }
        let article_id = match &page.article {
            Some(a) => {
                tx.prepare_cached("INSERT INTO articles (url, host, first_seen_at, last_seen_at) VALUES (?1, ?2, ?3, ?3)
                     ON CONFLICT (url) DO UPDATE SET last_seen_at = excluded.last_seen_at").and_then(|mut s| s.execute(params![a.url, a.host, a.seen_at]))
                .map_err(err)?;
                Some(
                    tx.prepare_cached("SELECT id FROM articles WHERE url = ?1")
                        .and_then(|mut s| s.query_row(params![a.url], |r| r.get::<_, i64>(0)))
                        .map_err(err)?,
                )
            }
            // A page that gave no article (a 404, a failure) still belongs to the article last
            // fetched from its URL, so that history shows "gone on …".
            None => match page.rows.last() {
                Some(row) => tx
                    .prepare_cached(
                        "SELECT article_id FROM fetches WHERE url = ?1 AND article_id IS NOT NULL
                         ORDER BY id DESC LIMIT 1",
                    )
                    .and_then(|mut s| s.query_row(params![row.url], |r| r.get::<_, i64>(0)))
                    .optional()
                    .map_err(err)?,
                None => None,
            },
        };
        let mut last_fetch_id = None;
        let n = page.rows.len();
        for (i, row) in page.rows.iter().enumerate() {
            let capture = if i + 1 == n {
                page.capture.as_ref().map(|c| c.digest.as_str())
            } else {
                None
            };
            tx.prepare_cached("INSERT INTO fetches (run_id, article_id, url, requested_at, status, outcome, error, note, headers,
                                      bytes, duration_ms, etag, last_modified, payload_digest, capture_digest,
                                      request_headers)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)").and_then(|mut s| s.execute(params![
                    page.run_id,
                    article_id,
                    row.url,
                    row.requested_at,
                    row.status,
                    row.outcome.as_str(),
                    row.error,
                    row.note,
                    row.headers,
                    row.bytes,
                    row.duration_ms,
                    row.etag,
                    row.last_modified,
                    row.payload_digest,
                    capture,
                    row.request_headers
                ]))
            .map_err(err)?;
            last_fetch_id = Some(tx.last_insert_rowid());
        }
        let mut version = None;
        if let (Some(article_id), Some(a)) = (article_id, &page.article)
            && let Some(v) = &a.version
        {
            let (Some(fetch_id), Some(capture)) = (last_fetch_id, &page.capture) else {
                return Err(Error::Internal(
                    "a version was committed without its fetch and capture".into(),
                ));
            };
            let next: i64 = tx
                .prepare_cached(
                    "SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE article_id = ?1",
                )
                .and_then(|mut s| s.query_row(params![article_id], |r| r.get(0)))
                .map_err(err)?;
            let authors = serde_json::to_string(&v.authors).unwrap_or_else(|_| "[]".into());
            tx.prepare_cached("INSERT INTO versions (article_id, version, fetch_id, fetched_at, fetched_url, canonical_url, title, body,
                                       published_at, modified_at, authors, language, content_hash,
                                       extractor_version, site_rules, capture_digest)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)").and_then(|mut s| s.execute(params![
                    article_id,
                    next,
                    fetch_id,
                    v.fetched_at,
                    v.fetched_url,
                    v.canonical_url,
                    v.title,
                    v.body,
                    v.published_at,
                    v.modified_at,
                    authors,
                    v.language,
                    v.content_hash,
                    v.extractor_version,
                    v.site_rules,
                    capture.digest
                ]))
            .map_err(err)?;
            let version_id = tx.last_insert_rowid();
            index::add_version(&tx, version_id, v.title.as_deref(), &v.body).map_err(err)?;
            index::record_change(&tx, version_id).map_err(err)?;
            version = Some(next);
        }
        tx.commit().map_err(err)?;
        if let Some(site) = site.filter(|_| stored > 0) {
            self.capture_committed(&site)?;
        }
        Ok(Committed {
            article_id,
            version,
        })
    }

    fn has_capture(&self, digest: &str) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM captures WHERE digest = ?1)")
            .and_then(|mut s| s.query_row(params![digest], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    /// zstd at [`ZSTD_LEVEL`], through the connection's kept context.
    fn compress(&mut self, bytes: &[u8]) -> Result<Vec<u8>> {
        let io = |source| Error::Io {
            path: self.path.clone(),
            source,
        };
        if self.compressor.is_none() {
            self.compressor = Some(zstd::bulk::Compressor::new(ZSTD_LEVEL).map_err(io)?);
        }
        let compressor = self.compressor.as_mut().expect("set above");
        compressor.compress(bytes).map_err(io)
    }

    /// Counts of articles, versions, runs, fetches by outcome, and capture bytes.
    pub fn stats(&self) -> Result<ArchiveStats> {
        let count = |sql: &str| -> Result<i64> {
            self.conn
                .query_row(sql, [], |r| r.get(0))
                .map_err(|e| self.err(e))
        };
        let mut stats = ArchiveStats {
            articles: count("SELECT count(*) FROM articles")?,
            versions: count("SELECT count(*) FROM versions")?,
            runs: count("SELECT count(*) FROM runs")?,
            fetches: count("SELECT count(*) FROM fetches")?,
            captures: count("SELECT count(*) FROM captures")?,
            capture_bytes_raw: count("SELECT coalesce(sum(raw_bytes), 0) FROM captures")?,
            capture_bytes_stored: count("SELECT coalesce(sum(stored_bytes), 0) FROM captures")?,
            redacted: count("SELECT count(*) FROM redacted_articles")?,
            ..Default::default()
        };
        let mut stmt = self
            .conn
            .prepare("SELECT outcome, count(*) FROM fetches GROUP BY outcome ORDER BY outcome")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (outcome, n) = row.map_err(|e| self.err(e))?;
            stats.fetches_by_outcome.insert(outcome, n);
        }
        Ok(stats)
    }

    /// The history of one article, or None when unknown.
    pub fn history(&self, article_id: i64) -> Result<Option<History>> {
        let article: Option<(i64, String, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT id, url, first_seen_at, last_seen_at FROM articles WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row(params![article_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
            })
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((id, url, first_seen_at, last_seen_at)) = article else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT version, fetched_at, title, content_hash FROM versions
                 WHERE article_id = ?1 ORDER BY version",
            )
            .map_err(|e| self.err(e))?;
        let versions = stmt
            .query_map(params![id], |r| {
                Ok(HistoryVersion {
                    version: r.get(0)?,
                    fetched_at: r.get(1)?,
                    title: r.get(2)?,
                    content_hash: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT requested_at, url, status, outcome, error, note FROM fetches
                 WHERE article_id = ?1 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let fetches = stmt
            .query_map(params![id], |r| {
                Ok(HistoryFetch {
                    requested_at: r.get(0)?,
                    url: r.get(1)?,
                    status: r.get(2)?,
                    outcome: r.get(3)?,
                    error: r.get(4)?,
                    note: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        let redactions = self.redactions(id)?;
        Ok(Some(History {
            url,
            first_seen_at,
            last_seen_at,
            versions,
            fetches,
            redactions,
        }))
    }

    /// Runs `PRAGMA integrity_check`; "ok" when sound.
    pub fn integrity_check(&self) -> Result<String> {
        self.conn
            .prepare_cached("PRAGMA integrity_check")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }
}

/// Runs blocking database work (SQLite, the page writer's barrier) without stalling the async
/// runtime's other tasks: on a multi-threaded runtime's worker, the worker's other tasks move
/// to another thread first. Elsewhere it simply runs `f`.
pub fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_db() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        (dir, path)
    }

    #[test]
    fn migrations_apply_once() {
        let (_d, path) = temp_db();
        drop(Store::open_writer(&path).unwrap());
        let s = Store::open_writer(&path).unwrap();
        assert_eq!(s.user_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(s.integrity_check().unwrap(), "ok");
    }

    #[test]
    fn schema_1_archives_upgrade_with_their_index_and_changes_backfilled() {
        let (_d, path) = temp_db();
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(MIGRATIONS[0]).unwrap();
            c.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = 1;
                 INSERT INTO articles VALUES (1, 'http://a/x', 'a:80', 't0', 't1');
                 INSERT INTO captures VALUES ('sha256:00', 'zstd', 1, 1, NULL, x'00', 't0');
                 INSERT INTO fetches (id, article_id, url, requested_at, status, outcome, capture_digest)
                   VALUES (1, 1, 'http://a/x', 't0', 200, 'archived', 'sha256:00'),
                          (2, 1, 'http://a/x', 't1', 200, 'changed', 'sha256:00');
                 INSERT INTO versions (article_id, version, fetch_id, fetched_at, fetched_url, title, body,
                                       authors, content_hash, extractor_version, site_rules, capture_digest)
                   VALUES (1, 1, 1, 't0', 'http://a/x', 'عنوان', 'قال الامين العام', '[]', 'h1', 'e', 'generic', 'sha256:00'),
                          (1, 2, 2, 't1', 'http://a/x', 'عنوان', 'قال الأمين العام للأمم المتحدة', '[]', 'h2', 'e', 'generic', 'sha256:00');"
            ))
            .unwrap();
        }
        assert!(
            matches!(Store::open_reader(&path), Err(Error::DatabaseTooOld { .. })),
            "a reader never upgrades; it says how"
        );
        let s = Store::open_writer(&path).unwrap();
        assert_eq!(s.user_version().unwrap(), SCHEMA_VERSION);
        let hits: i64 = s
            .conn
            .prepare_cached("SELECT count(*) FROM search_index WHERE search_index MATCH 'الامين'")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .unwrap();
        assert_eq!(hits, 2);
        let (added, removed): (i64, i64) = s
            .conn
            .prepare_cached("SELECT chars_added, chars_removed FROM article_changes")
            .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))))
            .unwrap();
        assert!(added > 0 && removed > 0);
    }

    /// How SQLite plans the `list` query for `filter` (EXPLAIN QUERY PLAN's details, joined).
    fn listing_plan(s: &Store, filter: &ListFilter) -> String {
        let sql = format!("EXPLAIN QUERY PLAN {}", query::listing_sql(filter));
        let mut stmt = s.conn.prepare(&sql).unwrap();
        let rows = stmt
            .query_map(params![filter.site, filter.since, filter.changed], |r| {
                r.get::<_, String>(3)
            })
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("; ")
    }

    #[test]
    fn listing_every_change_reads_the_covering_index_and_recent_changes_start_from_them() {
        let (_d, path) = temp_db();
        let s = Store::open_writer(&path).unwrap();
        let mut filter = ListFilter {
            changed: true,
            ..Default::default()
        };
        let plan = listing_plan(&s, &filter);
        assert!(
            plan.contains("COVERING INDEX articles_changed") && !plan.contains("TEMP B-TREE"),
            "{plan}"
        );
        filter.since = Some("2026-11-01T00:00:00Z".into());
        let plan = listing_plan(&s, &filter);
        assert!(plan.contains("versions_changes"), "{plan}");
    }

    #[test]
    fn newer_schema_is_refused_untouched() {
        let (_d, path) = temp_db();
        drop(Store::open_writer(&path).unwrap());
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch("PRAGMA user_version = 99").unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        assert!(matches!(
            Store::open_writer(&path),
            Err(Error::DatabaseTooNew { .. })
        ));
        assert!(matches!(
            Store::open_reader(&path),
            Err(Error::DatabaseTooNew { .. })
        ));
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn foreign_files_are_refused() {
        let (dir, path) = temp_db();
        std::fs::write(&path, b"this is not sqlite at all, just text").unwrap();
        assert!(matches!(
            Store::open_writer(&path),
            Err(Error::NotAnArchive { .. })
        ));
        let other = dir.path().join("other.db");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        assert!(matches!(
            Store::open_writer(&other),
            Err(Error::NotAnArchive { .. })
        ));
    }

    #[test]
    fn readers_never_create() {
        let (_d, path) = temp_db();
        assert!(matches!(
            Store::open_reader(&path),
            Err(Error::DatabaseMissing { .. })
        ));
        assert!(!path.exists());
    }

    #[test]
    fn versions_are_append_only() {
        let (_d, path) = temp_db();
        let mut s = Store::open_writer(&path).unwrap();
        let page = PageCommit {
            run_id: None,
            rows: vec![FetchRow {
                status: Some(200),
                ..FetchRow::new(
                    "http://a/x".into(),
                    "2026-11-20T00:00:00Z".into(),
                    FetchOutcome::Archived,
                )
            }],
            capture: Some(CaptureWrite {
                digest: "sha256:00".into(),
                bytes: b"<p>x</p>".to_vec(),
                content_type: Some("text/html".into()),
            }),
            article: Some(ArticleWrite {
                url: "http://a/x".into(),
                host: "a:80".into(),
                seen_at: "2026-11-20T00:00:00Z".into(),
                version: Some(VersionWrite {
                    fetched_at: "2026-11-20T00:00:00Z".into(),
                    fetched_url: "http://a/x".into(),
                    canonical_url: None,
                    title: Some("t".into()),
                    body: "b".into(),
                    published_at: None,
                    modified_at: None,
                    authors: vec![],
                    language: None,
                    content_hash: "h".into(),
                    extractor_version: "e".into(),
                    site_rules: "generic".into(),
                }),
            }),
            resume_url: None,
        };
        let c = s.commit_page(&page).unwrap();
        assert_eq!(c.version, Some(1));
        assert_eq!(s.load_capture("sha256:00").unwrap().unwrap().0, b"<p>x</p>");
        assert!(
            s.conn
                .prepare_cached("UPDATE versions SET body = 'x'")
                .and_then(|mut s| s.execute([]))
                .is_err()
        );
        assert!(
            s.conn
                .prepare_cached("DELETE FROM versions")
                .and_then(|mut s| s.execute([]))
                .is_err()
        );
        let c2 = s.commit_page(&page).unwrap();
        assert_eq!(c2.version, Some(2));

        // A version without its capture breaks the store's own invariant: a bug (exit 1), not
        // the user's database to fix (exit 3).
        let mut broken = page;
        broken.capture = None;
        let e = s.commit_page(&broken).unwrap_err();
        assert!(matches!(e, Error::Internal(_)) && !e.is_usage(), "{e}");
    }

    #[test]
    fn unreadable_authors_are_an_error_not_an_empty_list() {
        let (_d, path) = temp_db();
        let s = Store::open_writer(&path).unwrap();
        s.conn
            .execute_batch(
                "INSERT INTO articles (id, url, host, first_seen_at, last_seen_at)
                   VALUES (1, 'http://a/x', 'a:80', 't0', 't0');
                 INSERT INTO captures (digest, compression, raw_bytes, stored_bytes, content_type, content, created_at)
                   VALUES ('sha256:00', 'zstd', 1, 1, NULL, x'00', 't0');
                 INSERT INTO fetches (id, article_id, url, requested_at, status, outcome, capture_digest)
                   VALUES (1, 1, 'http://a/x', 't0', 200, 'archived', 'sha256:00');
                 INSERT INTO versions (article_id, version, fetch_id, fetched_at, fetched_url, title,
                                       body, authors, content_hash, extractor_version, site_rules,
                                       capture_digest)
                   VALUES (1, 1, 1, 't0', 'http://a/x', 't', 'b', 'Ahmed, Sara', 'h', 'e', 'generic',
                           'sha256:00');",
            )
            .unwrap();
        assert!(s.latest_version(1).is_err());
        let listed = s.for_each_version(&Default::default(), |_, _| Ok(()));
        assert!(listed.is_err());
    }
}
