//! The writer lock: for SQLite an OS file lock beside the database, for PostgreSQL an advisory
//! lock held on a connection of its own; either is released when the process dies.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Held while a command writes to the database.
pub struct WriterLock {
    _held: Held,
}

/// What is held: dropping it releases the lock.
#[allow(dead_code)]
enum Held {
    File(File),
    Advisory(Box<super::postgres::AdvisoryLock>),
}

/// The lock file of a database: `<db>.lock`.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".lock");
    PathBuf::from(p)
}

impl WriterLock {
    /// Takes the archive's writer lock, failing at once (`Error::Locked`, exit 4) when another
    /// process holds it, or waiting for it when asked. Readers never take it.
    pub fn acquire(at: &super::Location, wait: bool) -> Result<Self> {
        match at {
            super::Location::File(db) => Self::acquire_file(db, wait),
            super::Location::Postgres(t) => Ok(WriterLock {
                _held: Held::Advisory(Box::new(super::blocking(|| {
                    super::postgres::AdvisoryLock::acquire(t, wait)
                })?)),
            }),
        }
    }

    fn acquire_file(db: &Path, wait: bool) -> Result<Self> {
        let path = lock_path(db);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::Database {
                path: db.to_path_buf(),
                message: format!("cannot create lock file {}: {e}", path.display()),
            })?;
        if wait {
            // Say so when the wait begins (and how it ends), then block.
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    tracing::info!(
                        db = %db.display(),
                        "waiting for the other arshif process writing this archive to finish"
                    );
                    let since = std::time::Instant::now();
                    file.lock().map_err(|e| Error::Io {
                        path: path.clone(),
                        source: e,
                    })?;
                    tracing::info!(
                        db = %db.display(),
                        waited_ms = since.elapsed().as_millis() as u64,
                        "the archive is free: going on"
                    );
                }
                Err(TryLockError::Error(e)) => {
                    return Err(Error::Io { path, source: e });
                }
            }
        } else {
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::Locked {
                        path: db.to_path_buf(),
                    });
                }
                Err(TryLockError::Error(e)) => {
                    return Err(Error::Io { path, source: e });
                }
            }
        }
        Ok(WriterLock {
            _held: Held::File(file),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_writer_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        let db = crate::store::Location::File(db);
        let first = WriterLock::acquire(&db, false).unwrap();
        assert!(matches!(
            WriterLock::acquire(&db, false),
            Err(Error::Locked { .. })
        ));
        drop(first);
        assert!(WriterLock::acquire(&db, false).is_ok());
    }
}
