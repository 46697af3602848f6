//! The `runs` table (each command that writes, how it ended, where its chain was left) and the
//! robots.txt answers kept between runs.

use rusqlite::{OptionalExtension, params};

use super::{Lite, times};
use crate::Result;

/// A finished walk, as the `runs` table keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walked {
    pub status: String,
    pub end_reason: Option<String>,
    pub resume_url: Option<String>,
    /// The JSON object of outcome counts.
    pub counts: Option<String>,
}

impl Lite {
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
    pub fn last_walks(&self, start_url: &str, site: Option<&str>, n: usize) -> Result<Vec<Walked>> {
        self.conn
            .prepare_cached(
                "SELECT status, end_reason, resume_url, counts FROM runs
                 WHERE start_url = ?1 AND site IS ?2 AND command = 'run' AND finished_at IS NOT NULL
                 ORDER BY id DESC LIMIT ?3",
            )
            .and_then(|mut s| {
                s.query_map(params![start_url, site, n as i64], |r| {
                    Ok(Walked {
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
}
