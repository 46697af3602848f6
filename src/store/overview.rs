//! The archive at a glance, for the web view: its sites, its latest changes (also its feed),
//! its last runs, and the capture a version was made from.

use rusqlite::{OptionalExtension, params};

use super::Lite;
use crate::Result;

/// One site: its articles and stored versions.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteCount {
    pub host: String,
    pub articles: i64,
    pub versions: i64,
}

/// A version after an article's first: a change.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Change {
    pub url: String,
    pub version: i64,
    pub fetched_at: String,
    pub title: Option<String>,
    pub language: Option<String>,
}

/// One run of a writing command.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunRow {
    pub id: i64,
    pub command: String,
    pub site: Option<String>,
    pub start_url: Option<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: String,
    pub end_reason: Option<String>,
}

/// What `/` shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Overview {
    pub sites: Vec<SiteCount>,
    pub latest_changes: Vec<Change>,
    pub last_runs: Vec<RunRow>,
}

impl Lite {
    /// The `limit` latest changes (versions after an article's first), newest first, of one
    /// site (a host: any port; `host:port`: that one) or of all (index `versions_changes`).
    pub fn changes(&self, site: Option<&str>, limit: usize) -> Result<Vec<Change>> {
        let sql = format!(
            "SELECT a.url, v.version, v.fetched_at, v.title, v.language
             FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE v.version > 1 AND {site}
             ORDER BY v.fetched_at DESC, v.id DESC LIMIT ?2",
            site = super::query::site_matches("a.host", 1)
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_map(params![site, limit as i64], |r| {
                    Ok(Change {
                        url: r.get(0)?,
                        version: r.get(1)?,
                        fetched_at: r.get(2)?,
                        title: r.get(3)?,
                        language: r.get(4)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// The capture a version was made from: its bytes and stored content type.
    pub fn version_capture(
        &self,
        article_id: i64,
        version: i64,
    ) -> Result<Option<(Vec<u8>, Option<String>)>> {
        let digest: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT capture_digest FROM versions WHERE article_id = ?1 AND version = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![article_id, version], |r| r.get(0))
                    .optional()
            })
            .map_err(|e| self.err(e))?;
        match digest {
            Some(d) => self.load_capture(&d),
            None => Ok(None),
        }
    }

    /// The sites with their counts, the `limit` latest changes (index `versions_changes`) and
    /// the `limit` last runs.
    pub fn overview(&self, limit: usize) -> Result<Overview> {
        let err = |e| self.err(e);
        let sites = self
            .conn
            .prepare_cached(
                "SELECT host, count(*), coalesce(sum(version_count), 0) FROM articles
                 GROUP BY host ORDER BY host",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok(SiteCount {
                        host: r.get(0)?,
                        articles: r.get(1)?,
                        versions: r.get(2)?,
                    })
                })?
                .collect()
            })
            .map_err(err)?;
        let latest_changes = self.changes(None, limit)?;
        let last_runs = self
            .conn
            .prepare_cached(
                "SELECT id, command, site, start_url, started_at, finished_at, status, end_reason
                 FROM runs ORDER BY id DESC LIMIT ?1",
            )
            .and_then(|mut s| {
                s.query_map(params![limit as i64], |r| {
                    Ok(RunRow {
                        id: r.get(0)?,
                        command: r.get(1)?,
                        site: r.get(2)?,
                        start_url: r.get(3)?,
                        started_at: r.get(4)?,
                        finished_at: r.get(5)?,
                        status: r.get(6)?,
                        end_reason: r.get(7)?,
                    })
                })?
                .collect()
            })
            .map_err(err)?;
        Ok(Overview {
            sites,
            latest_changes,
            last_runs,
        })
    }
}
