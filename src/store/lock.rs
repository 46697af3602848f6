//! The writer lock: an OS file lock beside the database, released when the process dies.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Held while a command writes to the database.
#[derive(Debug)]
pub struct WriterLock {
    _file: File,
    pub path: PathBuf,
}

/// The lock file of a database: `<db>.lock`.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".lock");
    PathBuf::from(p)
}

impl WriterLock {
    /// Takes the lock, failing at once when another process holds it (or waiting, if asked).
    pub fn acquire(db: &Path, wait: bool) -> Result<Self> {
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
        Ok(WriterLock { _file: file, path })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_writer_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        let first = WriterLock::acquire(&db, false).unwrap();
        assert!(matches!(
            WriterLock::acquire(&db, false),
            Err(Error::Locked { .. })
        ));
        drop(first);
        assert!(WriterLock::acquire(&db, false).is_ok());
    }
}
