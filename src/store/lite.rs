//! SQLite, the embedded engine: opening a file, its PRAGMAs and numbered migrations. Its SQL is
//! in the store's files by subject (runs, pages, history, queries, search index, dictionaries,
//! takedowns), each an `impl Lite`.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::{APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, TEST_MAX_PAGES, blocking, index, sqlite};
use crate::{Error, Result};

/// An open SQLite archive.
pub(crate) struct Lite {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
    /// Kept between captures: a zstd context is costly to set up for every page.

    /// Per-site dictionaries: the current site's for writing, the last one read.
    pub(super) dictionaries: super::dictionary::Dictionaries,
}

impl Lite {
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
        let store = Lite {
            conn,
            path: path.to_path_buf(),
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
        let store = Lite {
            conn,
            path: path.to_path_buf(),
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

    pub(super) fn user_version(&self) -> Result<i64> {
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
    pub(super) fn write_tx(&mut self) -> rusqlite::Result<rusqlite::Transaction<'_>> {
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
    }

    pub(super) fn err(&self, e: rusqlite::Error) -> Error {
        sqlite(&self.path, e)
    }
}

/// A temporary folder and the path of an archive in it, for the store's unit tests.
#[cfg(test)]
pub(super) fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    (dir, path)
}

#[cfg(test)]
mod tests {
    use super::super::{ListFilter, query};
    use super::*;
    use rusqlite::params;

    #[test]
    fn migrations_apply_once() {
        let (_d, path) = temp_db();
        drop(Lite::open_writer(&path).unwrap());
        let s = Lite::open_writer(&path).unwrap();
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
            matches!(Lite::open_reader(&path), Err(Error::DatabaseTooOld { .. })),
            "a reader never upgrades; it says how"
        );
        let s = Lite::open_writer(&path).unwrap();
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
    fn listing_plan(s: &Lite, filter: &ListFilter) -> String {
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
        let s = Lite::open_writer(&path).unwrap();
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
        drop(Lite::open_writer(&path).unwrap());
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch("PRAGMA user_version = 99").unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        assert!(matches!(
            Lite::open_writer(&path),
            Err(Error::DatabaseTooNew { .. })
        ));
        assert!(matches!(
            Lite::open_reader(&path),
            Err(Error::DatabaseTooNew { .. })
        ));
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn foreign_files_are_refused() {
        let (dir, path) = temp_db();
        std::fs::write(&path, b"this is not sqlite at all, just text").unwrap();
        assert!(matches!(
            Lite::open_writer(&path),
            Err(Error::NotAnArchive { .. })
        ));
        let other = dir.path().join("other.db");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        assert!(matches!(
            Lite::open_writer(&other),
            Err(Error::NotAnArchive { .. })
        ));
    }

    #[test]
    fn readers_never_create() {
        let (_d, path) = temp_db();
        assert!(matches!(
            Lite::open_reader(&path),
            Err(Error::DatabaseMissing { .. })
        ));
        assert!(!path.exists());
    }
}
