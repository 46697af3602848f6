//! PostgreSQL, the shared engine: connecting (TLS with rustls), its own numbered migrations
//! from a baseline equal to SQLite's schema, the advisory lock that keeps one writer at a
//! time, and its SQL by subject (`read.rs`, `write.rs`, the search terms in `terms.rs`).
//!
//! The driver is `postgres`, tokio-postgres's blocking client: like SQLite, every call here runs
//! off the async workers (see [`super::outside_runtime`]).

mod read;
mod terms;
mod tls;
mod write;

use std::cell::RefCell;

use postgres::types::ToSql;
use postgres::{Client, Row};

use super::outside_runtime;
use crate::location::PgTarget;
use crate::{Error, Result};

/// Numbered migrations of the PostgreSQL schema; `arshif_schema` records those applied.
const MIGRATIONS: &[&str] = &[include_str!("0001_baseline.sql")];

/// The PostgreSQL schema version this build writes.
pub const PG_SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The advisory lock every writer holds: (arshif's application id, 1).
const LOCK_KEY: (i32, i32) = (super::APPLICATION_ID, 1);

/// Rows read per round trip when a listing or an export is streamed.
const BATCH: i64 = 500;

/// A connection that closes off the async workers too (the driver's close blocks).
pub(crate) struct Conn(Option<Client>);

impl Conn {
    fn client(&mut self) -> &mut Client {
        self.0.as_mut().expect("present until dropped")
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(client) = self.0.take() {
            outside_runtime(move || drop(client));
        }
    }
}

/// An open PostgreSQL archive.
pub(crate) struct Pg {
    client: RefCell<Conn>,
    at: PgTarget,
    /// The last dictionary read: (id, bytes).
    dictionary: RefCell<Option<(i64, std::sync::Arc<Vec<u8>>)>>,
    /// The writing connection's site dictionary, as for SQLite.
    dictionaries: super::dictionary::Dictionaries,
}

/// Opens a connection: one clear line (exit 3) when the server cannot be reached or refuses.
pub(crate) fn connect(at: &PgTarget) -> Result<Conn> {
    static WARNED: std::sync::Once = std::sync::Once::new();
    if at.has_password() {
        // Once per process, though a command opens several connections.
        WARNED.call_once(|| {
            tracing::warn!(
                db = %at,
                "the database URL holds a password, which other users can see in `ps` and in \
                 crontabs: put it in ~/.pgpass or PGPASSWORD instead"
            );
        });
    }
    let resolved = at.resolve()?;
    let unreachable = |e: postgres::Error| Error::Database {
        path: at.to_string().into(),
        message: format!("cannot connect: {}", describe(&e)),
    };
    let tls =
        match resolved.tls {
            crate::location::TlsMode::Disable => None,
            mode => Some(tls::connector(mode, resolved.root_cert.as_deref()).map_err(
                |message| Error::Database {
                    path: at.to_string().into(),
                    message,
                },
            )?),
        };
    let config = &resolved.config;
    let mut client = outside_runtime(|| match tls {
        None => config.connect(postgres::NoTls),
        Some(tls) => config.connect(tls),
    })
    .map_err(unreachable)?;
    // Times are compared and formatted in UTC, as SQLite does.
    outside_runtime(|| client.batch_execute("SET TIME ZONE 'UTC'")).map_err(unreachable)?;
    Ok(Conn(Some(client)))
}

/// A driver error in one line: the server's own message when it sent one.
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => {
            let mut s = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(inner) = source {
                s.push_str(": ");
                s.push_str(&inner.to_string());
                source = inner.source();
            }
            s
        }
    }
}

impl Pg {
    /// Opens an archive for writing (the caller holds the writer lock), creating its schema in
    /// an empty database and upgrading an older one.
    pub fn open_writer(at: &PgTarget, must_be_archive: bool) -> Result<Self> {
        let pg = Pg::with_schema(at, must_be_archive)?;
        pg.check_not_copying()?;
        Ok(pg)
    }

    /// A connection to an archive whose schema is this build's: created in an empty database
    /// (unless it `must_be_archive`), upgraded from an older one; anything else is refused.
    fn with_schema(at: &PgTarget, must_be_archive: bool) -> Result<Self> {
        let pg = Pg::new(at)?;
        let version = pg.schema_version()?;
        if version.is_none() && (must_be_archive || pg.has_other_tables()?) {
            return Err(Error::NotAnArchive {
                path: at.to_string().into(),
            });
        }
        let version = version.unwrap_or(0);
        pg.check_version(version)?;
        pg.migrate(version)?;
        Ok(pg)
    }

    /// Opens an archive for reading; never creates or changes anything.
    pub fn open_reader(at: &PgTarget) -> Result<Self> {
        let pg = Pg::new(at)?;
        let Some(version) = pg.schema_version()? else {
            return Err(Error::NotAnArchive {
                path: at.to_string().into(),
            });
        };
        pg.check_version(version)?;
        if version < PG_SCHEMA_VERSION {
            return Err(Error::DatabaseTooOld {
                path: at.to_string().into(),
                found: version,
                known: PG_SCHEMA_VERSION,
            });
        }
        pg.check_not_copying()?;
        Ok(pg)
    }

    /// Opens the target of `arshif copy`, its schema created; the copy checks and marks it.
    pub fn open_copy_target(at: &PgTarget) -> Result<Self> {
        Pg::with_schema(at, false)
    }

    /// Marks a copy into this archive begun: nothing else opens it until it is finished.
    pub fn mark_copy(&self, source: &str) -> Result<()> {
        let now = crate::time::stored_time(chrono::Utc::now());
        self.exec(
            "INSERT INTO arshif_copy (source, started_at) VALUES ($1, $2)",
            &[&source, &now],
        )?;
        Ok(())
    }

    fn new(at: &PgTarget) -> Result<Self> {
        Ok(Pg {
            client: RefCell::new(connect(at)?),
            at: at.clone(),
            dictionary: RefCell::new(None),
            dictionaries: Default::default(),
        })
    }

    /// The last migration applied, None when the database has no arshif schema.
    fn schema_version(&self) -> Result<Option<i64>> {
        let exists: bool = self
            .one("SELECT to_regclass('arshif_schema') IS NOT NULL", &[])?
            .try_get(0)
            .map_err(|e| self.err(e))?;
        if !exists {
            return Ok(None);
        }
        let row = self.one("SELECT max(version) FROM arshif_schema", &[])?;
        Ok(Some(
            row.try_get::<_, Option<i64>>(0)
                .map_err(|e| self.err(e))?
                .unwrap_or(0),
        ))
    }

    fn check_version(&self, found: i64) -> Result<()> {
        if found > PG_SCHEMA_VERSION {
            return Err(Error::DatabaseTooNew {
                path: self.at.to_string().into(),
                found,
                known: PG_SCHEMA_VERSION,
            });
        }
        Ok(())
    }

    fn has_other_tables(&self) -> Result<bool> {
        self.one(
            "SELECT EXISTS (SELECT 1 FROM information_schema.tables
                            WHERE table_schema = current_schema())",
            &[],
        )?
        .try_get(0)
        .map_err(|e| self.err(e))
    }

    pub(in crate::store) fn copying(&self) -> Result<bool> {
        self.one("SELECT EXISTS (SELECT 1 FROM arshif_copy)", &[])?
            .try_get(0)
            .map_err(|e| self.err(e))
    }

    pub(in crate::store) fn is_empty(&self) -> Result<bool> {
        self.one(
            "SELECT NOT EXISTS (SELECT 1 FROM runs) AND NOT EXISTS (SELECT 1 FROM articles)
                AND NOT EXISTS (SELECT 1 FROM captures) AND NOT EXISTS (SELECT 1 FROM fetches)",
            &[],
        )?
        .try_get(0)
        .map_err(|e| self.err(e))
    }

    fn check_not_copying(&self) -> Result<()> {
        if self.copying()? {
            return Err(Error::Database {
                path: self.at.to_string().into(),
                message: "an `arshif copy` into it has not finished; run it again with --resume"
                    .into(),
            });
        }
        Ok(())
    }

    /// Marks a copy into this archive finished: readers and writers may open it.
    pub fn finish_copy(&self) -> Result<()> {
        self.exec("DELETE FROM arshif_copy", &[])?;
        Ok(())
    }

    fn migrate(&self, current: i64) -> Result<()> {
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let n = i as i64 + 1;
            let now = crate::time::stored_time(chrono::Utc::now());
            self.with_client(|c| {
                let mut tx = c.transaction()?;
                tx.batch_execute(
                    "CREATE TABLE IF NOT EXISTS arshif_schema (
                         version     BIGINT PRIMARY KEY,
                         applied_at  TEXT NOT NULL
                     )",
                )?;
                tx.batch_execute(sql)?;
                tx.execute(
                    "INSERT INTO arshif_schema (version, applied_at) VALUES ($1, $2)",
                    &[&n, &now],
                )?;
                tx.commit()
            })?;
        }
        Ok(())
    }

    /// Runs `f` on the connection, off the async workers.
    pub(in crate::store) fn with_client<T: Send>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, postgres::Error> + Send,
    ) -> Result<T> {
        let mut conn = self.client.borrow_mut();
        let client: &mut Client = conn.client();
        outside_runtime(|| f(client)).map_err(|e| self.err(e))
    }

    pub(in crate::store) fn rows(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>> {
        self.with_client(|c| c.query(sql, params))
    }

    pub(in crate::store) fn opt(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>> {
        self.with_client(|c| c.query_opt(sql, params))
    }

    pub(in crate::store) fn one(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Row> {
        self.with_client(|c| c.query_one(sql, params))
    }

    pub(in crate::store) fn exec(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        self.with_client(|c| c.execute(sql, params))
    }

    /// Each row of `sql` handed to `each` in turn, read `BATCH` at a time from a cursor in one
    /// consistent snapshot (never held whole).
    fn for_each_row(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        mut each: impl FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        let result = self
            .with_client(|c| {
                c.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
                c.execute(
                    &format!("DECLARE arshif_rows NO SCROLL CURSOR FOR {sql}"),
                    params,
                )
                .map(drop)
            })
            .and_then(|()| {
                loop {
                    let batch = self.rows(&format!("FETCH {BATCH} FROM arshif_rows"), &[])?;
                    for row in &batch {
                        each(row)?;
                    }
                    if (batch.len() as i64) < BATCH {
                        return Ok(());
                    }
                }
            });
        // A read-only transaction: ending it either way loses nothing; a failed one is rolled
        // back so that the connection can be used again.
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let ended = self.with_client(|c| c.batch_execute(end));
        result.and(ended)
    }

    pub(in crate::store) fn err(&self, e: postgres::Error) -> Error {
        pg_error(&self.at, e)
    }
}

/// A driver error as arshif reports it: a lost or refused connection is the user's to fix
/// (exit 3); anything else is a database error.
pub(crate) fn pg_error(at: &PgTarget, e: postgres::Error) -> Error {
    if e.is_closed() {
        return Error::Database {
            path: at.to_string().into(),
            message: format!("connection lost: {}", describe(&e)),
        };
    }
    Error::Postgres {
        at: at.to_string(),
        code: e.code().map(|c| c.code().to_string()),
        message: describe(&e),
    }
}

/// The advisory lock of one archive, held on a connection of its own until dropped.
pub struct AdvisoryLock {
    _conn: Conn,
}

impl AdvisoryLock {
    /// Takes the lock, failing at once (`Error::Locked`) when another session holds it, or
    /// waiting for it when asked.
    pub fn acquire(at: &PgTarget, wait: bool) -> Result<Self> {
        let mut conn = connect(at)?;
        let client = conn.client();
        let err = |e| pg_error(at, e);
        let taken: bool = outside_runtime(|| {
            client
                .query_one(
                    "SELECT pg_try_advisory_lock($1, $2)",
                    &[&LOCK_KEY.0, &LOCK_KEY.1],
                )
                .and_then(|r| r.try_get(0))
        })
        .map_err(err)?;
        if !taken {
            if !wait {
                return Err(Error::Locked {
                    path: at.to_string().into(),
                });
            }
            tracing::info!(db = %at, "waiting for the other arshif process writing this archive to finish");
            let since = std::time::Instant::now();
            outside_runtime(|| {
                client.execute(
                    "SELECT pg_advisory_lock($1, $2)",
                    &[&LOCK_KEY.0, &LOCK_KEY.1],
                )
            })
            .map_err(err)?;
            tracing::info!(
                db = %at,
                waited_ms = since.elapsed().as_millis() as u64,
                "the archive is free: going on"
            );
        }
        Ok(AdvisoryLock { _conn: conn })
    }
}
