//! Searching the archive: versions matching a folded FTS5 expression, best first, read from the
//! index `index.rs` keeps.

use rusqlite::params;

use super::query::site_matches;
use super::{Lite, times};
use crate::Result;

/// What `arshif search` looks through.
#[derive(Debug, Clone)]
pub struct SearchScope {
    pub site: Option<String>,
    pub since: Option<String>,
    pub all_versions: bool,
    pub limit: usize,
}

/// One matching version.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub url: String,
    pub version: i64,
    pub latest: bool,
    pub fetched_at: String,
    pub title: Option<String>,
    pub body: String,
    /// bm25 (lower is better).
    pub score: f64,
}

impl SearchHit {
    /// The hit as a result: its snippet (original spelling) with the query's words marked.
    pub fn found(&self, query: &crate::search::Query) -> crate::search::Found {
        let snippet = crate::search::snippet(&self.body, query, crate::search::SNIPPET_WORDS);
        crate::search::Found {
            url: self.url.clone(),
            version: self.version,
            latest: self.latest,
            fetched_at: self.fetched_at.clone(),
            title: self.title.clone(),
            snippet: snippet.text,
            highlights: snippet.highlights,
            score: self.score,
        }
    }
}

impl Lite {
    /// Versions matching a folded FTS5 expression, best first.
    pub fn search(&self, fts_query: &str, scope: &SearchScope) -> Result<Vec<SearchHit>> {
        // Every match is scored and filtered without reading its title or body (an article's
        // latest version is numbered `version_count`, schema 6; each version's article, number
        // and time come from the index `versions_search`, schema 7, not from its table row);
        // only the hits shown are read.
        let sql = format!(
            "SELECT a.url, v.version, v.fetched_at, v.title, v.body, h.score,
                    v.version = a.version_count
             FROM (SELECT s.rowid AS id, bm25(search_index, 4.0, 1.0, 2.0, 0.5) AS score
                   FROM search_index s
                   JOIN versions v INDEXED BY versions_search ON v.id = s.rowid
                   JOIN articles a ON a.id = v.article_id
                   WHERE search_index MATCH ?1
                     AND {site}
                     AND (?3 IS NULL OR {since})
                     AND (?4 OR v.version = a.version_count)
                   ORDER BY score, v.id
                   LIMIT ?5) h
             JOIN versions v ON v.id = h.id
             JOIN articles a ON a.id = v.article_id
             ORDER BY h.score, v.id",
            site = site_matches("a.host", 2),
            since = times::at_or_after("v.fetched_at", "?3"),
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(
                params![
                    fts_query,
                    scope.site,
                    scope.since,
                    scope.all_versions,
                    scope.limit as i64
                ],
                |r| {
                    Ok(SearchHit {
                        url: r.get(0)?,
                        version: r.get(1)?,
                        fetched_at: r.get(2)?,
                        title: r.get(3)?,
                        body: r.get(4)?,
                        score: r.get(5)?,
                        latest: r.get(6)?,
                    })
                },
            )
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }
}
