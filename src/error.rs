//! The library's error type: each variant carries the URL or path it concerns.

use std::path::PathBuf;

/// Everything that can stop an arshif operation (single page failures are values, see
/// [`crate::model::FetchOutcome`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },

    #[error("invalid setting {name}: {reason}")]
    InvalidSetting { name: &'static str, reason: String },

    #[error("config file {path}: {message}")]
    Config { path: PathBuf, message: String },

    /// A URL, version or time the archive does not hold, or a state it is not in.
    #[error("{0}")]
    NotInArchive(String),

    #[error("invalid CSS selector for {name} {selector:?}: {reason}")]
    InvalidSelector {
        name: &'static str,
        selector: String,
        reason: String,
    },

    #[error("database {path}: {message}")]
    Database { path: PathBuf, message: String },

    #[error(
        "database {path} was written by a newer arshif (schema {found}, this build knows {known}); upgrade arshif"
    )]
    DatabaseTooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    #[error(
        "database {path} was written by an older arshif (schema {found}, this build reads {known}); upgrade it once with `arshif reindex --db {path}`"
    )]
    DatabaseTooOld {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    #[error("{path} is not an arshif database")]
    NotAnArchive { path: PathBuf },

    #[error("database {path} does not exist")]
    DatabaseMissing { path: PathBuf },

    #[error("another arshif process is writing to {path}; try again later or pass --wait")]
    Locked { path: PathBuf },

    #[error("SQLite error on {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error("PostgreSQL error on {at}: {message}")]
    Postgres {
        /// The database, as shown (never with credentials).
        at: String,
        /// The SQLSTATE, when the server sent one.
        code: Option<String>,
        message: String,
    },

    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot build the HTTP client: {0}")]
    HttpClient(String),

    #[error("interrupted")]
    Interrupted,

    /// An invariant of arshif's own broken (a bug, not the user's to fix): exit code 1.
    #[error("internal error: {0}; please report it")]
    Internal(String),
}

impl Error {
    /// Whether this error is the user's to fix (bad input, config or database): exit code 3.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Error::InvalidUrl { .. }
                | Error::InvalidSetting { .. }
                | Error::NotInArchive(_)
                | Error::Config { .. }
                | Error::InvalidSelector { .. }
                | Error::Database { .. }
                | Error::DatabaseTooNew { .. }
                | Error::DatabaseTooOld { .. }
                | Error::NotAnArchive { .. }
                | Error::DatabaseMissing { .. }
        ) || matches!(self, Error::Sqlite { source, .. } if is_not_a_database(source))
    }

    /// Whether the disk is full (exit code 1, with a clear message).
    pub fn is_disk_full(&self) -> bool {
        matches!(self, Error::Sqlite { source: rusqlite::Error::SqliteFailure(e, _), .. }
            if e.code == rusqlite::ErrorCode::DiskFull)
            // disk_full, out_of_memory-less "insufficient resources" class 53100.
            || matches!(self, Error::Postgres { code: Some(c), .. } if c == "53100")
    }
}

fn is_not_a_database(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase)
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
