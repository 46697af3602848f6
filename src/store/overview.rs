//! The archive at a glance, for the web view's first page: its sites, its latest changes, its
//! last runs.

use rusqlite::params;

use super::Store;
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

impl Store {
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
        let latest_changes = self
            .conn
            .prepare_cached(
                "SELECT a.url, v.version, v.fetched_at, v.title, v.language
                 FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE v.version > 1 ORDER BY v.fetched_at DESC, v.id DESC LIMIT ?1",
            )
            .and_then(|mut s| {
                s.query_map(params![limit as i64], |r| {
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
            .map_err(err)?;
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
