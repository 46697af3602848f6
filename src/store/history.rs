//! What the archive holds, read whole: its counts, one article's history, its integrity.

use rusqlite::{OptionalExtension, params};

use super::{Lite, Redaction};
use crate::Result;

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

impl VersionRow {
    /// This version as one side of a comparison.
    pub fn side(&self) -> crate::diff::Side<'_> {
        crate::diff::Side {
            version: self.version,
            fetched_at: &self.fetched_at,
            title: self.title.as_deref().unwrap_or(""),
            body: &self.body,
        }
    }
}

impl Lite {
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

    /// Runs `PRAGMA integrity_check`; "ok" when sound (the store's own tests).
    #[cfg(test)]
    pub fn integrity_check(&self) -> Result<String> {
        self.conn
            .prepare_cached("PRAGMA integrity_check")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }
}
