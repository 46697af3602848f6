//! Read queries for the archivist's commands: list, show, diff, search, exports (JSON Lines,
//! CSV, WARC) and tombstones. Every filter is a bound parameter.

use rusqlite::types::ValueRef;
use rusqlite::{OptionalExtension, Row, params};

use super::{Lite, VersionRow, times};
use crate::Result;

/// The columns [`version_row`] reads, from `versions v JOIN articles a`.
const VERSION_COLUMNS: &str =
    "a.url, a.host, v.version, v.fetched_at, v.fetched_url, v.canonical_url, v.title, v.body,
     v.published_at, v.modified_at, v.authors, v.language, v.content_hash, v.extractor_version";

/// A version's authors, stored as a JSON array in column `i`: a value that is not one is an
/// error, never an empty list.
pub(super) fn authors(r: &Row<'_>, i: usize) -> rusqlite::Result<Vec<String>> {
    let json: String = r.get(i)?;
    serde_json::from_str(&json).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn version_row(r: &Row<'_>) -> rusqlite::Result<VersionRow> {
    Ok(VersionRow {
        article_url: r.get(0)?,
        host: r.get(1)?,
        version: r.get(2)?,
        fetched_at: r.get(3)?,
        fetched_url: r.get(4)?,
        canonical_url: r.get(5)?,
        title: r.get(6)?,
        body: r.get(7)?,
        published_at: r.get(8)?,
        modified_at: r.get(9)?,
        authors: authors(r, 10)?,
        language: r.get(11)?,
        content_hash: r.get(12)?,
        extractor_version: r.get(13)?,
    })
}

/// Column `i` of a row as text, borrowed (None: NULL). Checked as UTF-8 with SIMD: the
/// standard library's check took a tenth of a long listing's time.
fn text<'r>(r: &'r Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    match r.get_ref(i)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(bytes) => match simdutf8::basic::from_utf8(bytes) {
            Ok(s) => Ok(Some(s)),
            // The standard library's check says where the text goes wrong.
            Err(_) => std::str::from_utf8(bytes)
                .map(Some)
                .map_err(|e| rusqlite::Error::Utf8Error(i, e)),
        },
        other => Err(rusqlite::Error::InvalidColumnType(
            i,
            String::new(),
            other.data_type(),
        )),
    }
}

/// SQL true when `host_column` ("host:port") is the site `?N` names: a bare host matches every
/// port, `host:port` only that one.
pub(super) fn site_matches(host_column: &str, n: usize) -> String {
    format!(
        "(?{n} IS NULL OR {host_column} = ?{n} OR substr({host_column}, 1, length(?{n}) + 1) = ?{n} || ':')"
    )
}

/// The `list` query for `filter` (parameters: ?1 site, ?2 since, ?3 changed only; with a
/// page, ?4 the id to list before and ?5 the page's size).
pub(crate) fn listing_sql(filter: &ListFilter) -> String {
    format!(
        // What a listing shows is kept on each article (schema 6): no article's versions
        // or fetches are read.
        "SELECT a.id, a.url, a.host, a.first_seen_at, a.last_seen_at, a.version_count,
                a.last_change_at, a.latest_title, a.gone_at
         FROM articles a
         WHERE {site}
           AND (?3 OR ?2 IS NULL OR {seen_since})
           AND (NOT ?3 OR (a.last_change_at IS NOT NULL
                           AND (?2 IS NULL OR {changed_since})))
           {changes}
         {order}",
        site = site_matches("a.host", 1),
        // A page lists newest first by id, which is first-seen order (an article's id is
        // given when it is first archived): the primary key's own order, never a sort.
        order = match filter.page {
            Some(_) => "AND (?4 IS NULL OR a.id < ?4) ORDER BY a.id DESC LIMIT ?5",
            None => "ORDER BY a.first_seen_at, a.id",
        },
        seen_since = times::at_or_after("a.last_seen_at", "?2"),
        changed_since = times::at_or_after("a.last_change_at", "?2"),
        changes = match (filter.changed, &filter.since) {
            // Changes since a time: start from those changes (index `versions_changes`),
            // not from every article.
            (true, Some(_)) => format!(
                "AND a.id IN (SELECT article_id FROM versions WHERE version > 1 AND {})",
                times::at_or_after("fetched_at", "?2")
            ),
            // Every changed article: read the partial index `articles_changed` (schema 8),
            // which holds what is listed, in listing order. Written out, not bound, so
            // that the planner can see the index's condition holds.
            (true, None) => "AND a.last_change_at IS NOT NULL".to_string(),
            (false, _) => String::new(),
        },
    )
}

/// Which articles `arshif list` shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// A host, or host:port.
    pub site: Option<String>,
    /// RFC 3339 UTC: articles seen since then (with `changed`: changed since then).
    pub since: Option<String>,
    /// Only articles with more than one version.
    pub changed: bool,
    /// One page, newest first (the web view); None: every article, oldest first.
    pub page: Option<Page>,
}

/// A page of a listing, newest first: the articles archived before `before` (an article id).
#[derive(Debug, Clone, Copy, Default)]
pub struct Page {
    pub before: Option<i64>,
    pub limit: usize,
}

/// One line of `arshif list`, borrowed from the row being read.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ArticleSummary<'a> {
    /// The article's id (not printed): where a page of a listing ends.
    #[serde(skip)]
    pub id: i64,
    pub url: &'a str,
    pub host: &'a str,
    pub title: Option<&'a str>,
    pub versions: i64,
    pub first_seen_at: &'a str,
    pub last_seen_at: &'a str,
    /// When the latest version after the first was fetched (None: never changed).
    pub last_change_at: Option<&'a str>,
    pub redacted_at: Option<&'a str>,
    pub redaction_reason: Option<&'a str>,
    /// When the article's page last answered 404/410, if that is its latest fetch.
    pub gone_at: Option<&'a str>,
}

/// Which version `arshif show` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionPick {
    Latest,
    Number(i64),
    /// The version current at this RFC 3339 UTC time.
    At(String),
}

/// Which versions an export includes.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    pub site: Option<String>,
    /// RFC 3339 UTC: versions (WARC: fetches) from then on.
    pub since: Option<String>,
}

/// An article under a takedown.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Tombstone {
    pub article_id: i64,
    pub url: String,
    pub host: String,
    pub redacted_at: String,
    pub reason: String,
}

/// A fetch that a WARC export writes: a response (with request) for the first fetch that stored
/// a payload, a revisit for later fetches of the same payload.
#[derive(Debug, Clone)]
pub struct WarcFetch {
    pub id: i64,
    pub url: String,
    pub requested_at: String,
    pub status: i64,
    /// JSON array of [name, value] pairs, as stored.
    pub headers: Option<String>,
    pub request_headers: Option<String>,
    /// The stored payload this fetch's bytes are (its own or identical).
    pub digest: String,
    /// The first fetch that stored that payload: (id, url, requested_at).
    pub origin: (i64, String, String),
    /// What the fetch was for: the archived article's key URL, and the outcome.
    pub article: Option<String>,
    pub outcome: String,
    /// The version this fetch made, if it made one.
    pub version: Option<WarcVersion>,
    /// A redirect hop: its status and headers are stored, not its body.
    pub redirect: bool,
}

/// A version as it travels in a WARC export beside the response it was extracted from.
#[derive(Debug, Clone)]
pub struct WarcVersion {
    pub number: i64,
    pub title: Option<String>,
    pub body: String,
    pub content_hash: String,
    pub extractor_version: String,
}

/// An archived article as the revisit planner sees it (times as stored, RFC 3339).
#[derive(Debug, Clone)]
pub struct RevisitRow {
    pub article_id: i64,
    pub url: String,
    pub host: String,
    /// Its latest version's publication time, or its first archiving if earlier or unknown.
    pub born_at: String,
    pub last_fetched_at: String,
}

impl Lite {
    /// Archived articles of the sites `hosts` name (a bare host: any port; `host:port`: that
    /// one), not under a takedown, that lie in one of the planner's `windows`: one index range
    /// per host and window, never a pass over every article.
    pub fn revisit_candidates(
        &self,
        hosts: &[String],
        windows: &[crate::revisit::Window],
    ) -> Result<Vec<RevisitRow>> {
        const COLUMNS: &str = "SELECT a.id, a.url, a.host, a.born_at,
                                      coalesce(a.last_fetched_at, a.last_seen_at)
                               FROM articles a";
        // `born_at` and `last_fetched_at` are fixed-width in every archive (schema 3).
        const FILTER: &str = "a.born_at > ?2 AND a.born_at <= ?3
                              AND (a.last_fetched_at IS NULL OR a.last_fetched_at <= ?4)
                              AND EXISTS (SELECT 1 FROM versions WHERE article_id = a.id)";
        let exact = format!("{COLUMNS} WHERE a.host = ?1 AND {FILTER}");
        let any_port =
            format!("{COLUMNS} WHERE a.host > ?1 || ':' AND a.host < ?1 || ';' AND {FILTER}");
        let mut out: Vec<RevisitRow> = Vec::new();
        for host in hosts {
            let sql = if host.contains(':') {
                &exact
            } else {
                &any_port
            };
            let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
            for w in windows {
                let until = w.born_until.map_or_else(
                    || "9999-12-31T23:59:59.999Z".to_string(),
                    crate::time::stored_time,
                );
                let rows = stmt
                    .query_map(
                        params![
                            host,
                            crate::time::stored_time(w.born_after),
                            until,
                            crate::time::stored_time(w.fetched_by)
                        ],
                        |r| {
                            Ok(RevisitRow {
                                article_id: r.get(0)?,
                                url: r.get(1)?,
                                host: r.get(2)?,
                                born_at: r.get(3)?,
                                last_fetched_at: r.get(4)?,
                            })
                        },
                    )
                    .map_err(|e| self.err(e))?;
                for row in rows {
                    out.push(row.map_err(|e| self.err(e))?);
                }
            }
        }
        // A host named twice (or as host and host:port) gives its articles twice.
        out.sort_by_key(|r| r.article_id);
        out.dedup_by_key(|r| r.article_id);
        Ok(out)
    }

    /// The article stored under `url`: its key, or a URL it was fetched from.
    pub fn find_article(&self, url: &str) -> Result<Option<(i64, String)>> {
        self.conn
            .query_row(
                "SELECT id, url FROM articles WHERE url = ?1
                 UNION ALL
                 SELECT a.id, a.url FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE v.fetched_url = ?1
                 UNION ALL
                 SELECT a.id, a.url FROM fetches f JOIN articles a ON a.id = f.article_id
                 WHERE f.url = ?1
                 LIMIT 1",
                params![url],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Archived articles, oldest first, with counts and takedown state, each handed to `each`
    /// as it is read (a listing of every article is never held whole).
    pub fn for_each_listed(
        &self,
        filter: &ListFilter,
        mut each: impl FnMut(&ArticleSummary<'_>) -> Result<()>,
    ) -> Result<()> {
        let takedowns = self.latest_takedowns()?;
        let sql = listing_sql(filter);
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = match filter.page {
            Some(page) => stmt.query(params![
                filter.site,
                filter.since,
                filter.changed,
                page.before,
                page.limit as i64
            ]),
            None => stmt.query(params![filter.site, filter.since, filter.changed]),
        }
        .map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let summary = (|| {
                let id = r.get::<_, i64>(0)?;
                let takedown = takedowns.get(&id);
                Ok(ArticleSummary {
                    id,
                    url: text(r, 1)?.unwrap_or_default(),
                    host: text(r, 2)?.unwrap_or_default(),
                    first_seen_at: text(r, 3)?.unwrap_or_default(),
                    last_seen_at: text(r, 4)?.unwrap_or_default(),
                    versions: r.get(5)?,
                    last_change_at: text(r, 6)?,
                    title: text(r, 7)?,
                    redacted_at: takedown.map(|(at, _)| at.as_str()),
                    redaction_reason: takedown.map(|(_, reason)| reason.as_str()),
                    gone_at: text(r, 8)?,
                })
            })()
            .map_err(|e: rusqlite::Error| self.err(e))?;
            each(&summary)?;
        }
        Ok(())
    }

    /// The articles whose latest redaction record is a takedown (not a lift): (when, reason)
    /// by article. Takedowns are few, so they are read once rather than joined to every row.
    fn latest_takedowns(&self) -> Result<std::collections::HashMap<i64, (String, String)>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT article_id, at, reason FROM redactions r
                 WHERE id = (SELECT max(id) FROM redactions WHERE article_id = r.article_id)
                   AND action = 'redact'",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// One version of an article; None when there is no such version.
    pub fn version(&self, article_id: i64, pick: &VersionPick) -> Result<Option<VersionRow>> {
        let (condition, value): (&str, rusqlite::types::Value) = match pick {
            VersionPick::Latest => ("1 = 1 OR ?2 IS NULL", rusqlite::types::Value::Null),
            VersionPick::Number(n) => ("v.version = ?2", (*n).into()),
            VersionPick::At(t) => (
                "strftime('%Y-%m-%dT%H:%M:%fZ', v.fetched_at) <= ?2",
                t.clone().into(),
            ),
        };
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE v.article_id = ?1 AND ({condition})
             ORDER BY v.version DESC LIMIT 1"
        );
        self.conn
            .query_row(&sql, params![article_id, value], version_row)
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The version numbers an article has, oldest first.
    pub fn version_numbers(&self, article_id: i64) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT version FROM versions WHERE article_id = ?1 ORDER BY version")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![article_id], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Calls `f` for each stored version that passes `filter`, oldest first per article
    /// (articles in the order they were first archived); `f` also gets the article's id.
    pub fn for_each_version(
        &self,
        filter: &ExportFilter,
        mut f: impl FnMut(i64, VersionRow) -> Result<()>,
    ) -> Result<()> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS}, a.id FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE {site} AND (?2 IS NULL OR {since})
             ORDER BY a.id, v.version",
            site = site_matches("a.host", 1),
            since = times::at_or_after("v.fetched_at", "?2"),
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![filter.site, filter.since], |r| {
                Ok((r.get::<_, i64>(14)?, version_row(r)?))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (id, row) = row.map_err(|e| self.err(e))?;
            f(id, row)?;
        }
        Ok(())
    }

    /// Articles under a takedown that pass `filter` (`since`: redacted since), by article id.
    pub fn tombstones(&self, filter: &ExportFilter) -> Result<Vec<Tombstone>> {
        let sql = format!(
            "SELECT a.id, a.url, a.host, r.at, r.reason FROM redactions r
             JOIN articles a ON a.id = r.article_id
             WHERE r.action = 'redact'
               AND r.id = (SELECT max(id) FROM redactions WHERE article_id = r.article_id)
               AND {site} AND (?2 IS NULL OR {since})
             ORDER BY a.id",
            site = site_matches("a.host", 1),
            since = times::at_or_after("r.at", "?2"),
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![filter.site, filter.since], |r| {
                Ok(Tombstone {
                    article_id: r.get(0)?,
                    url: r.get(1)?,
                    host: r.get(2)?,
                    redacted_at: r.get(3)?,
                    reason: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Calls `f` for each fetch whose payload is stored (its own or an identical one), in the
    /// order of the fetch log. Site filtering is the caller's (fetch rows keep URLs, not hosts).
    pub fn for_each_warc_fetch(
        &self,
        since: Option<&str>,
        mut f: impl FnMut(WarcFetch) -> Result<()>,
    ) -> Result<()> {
        let sql = format!(
                "SELECT f.id, f.url, f.requested_at, f.status, f.headers, f.request_headers,
                        o.capture_digest, o.id, o.url, o.requested_at,
                        a.url, f.outcome,
                        v.version, v.title, v.body, v.content_hash, v.extractor_version
                 FROM fetches f
                 LEFT JOIN fetches o ON o.id = (SELECT min(id) FROM fetches
                                           WHERE capture_digest = coalesce(f.capture_digest, f.payload_digest))
                 LEFT JOIN articles a ON a.id = f.article_id
                 LEFT JOIN versions v ON v.fetch_id = f.id
                 WHERE f.status IS NOT NULL
                   AND (o.id <= f.id OR (o.id IS NULL AND f.outcome = 'redirected'))
                   AND (?1 IS NULL OR {since})
                 ORDER BY f.id",
            since = times::at_or_after("f.requested_at", "?1"),
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![since], |r| {
                Ok(WarcFetch {
                    id: r.get(0)?,
                    url: r.get(1)?,
                    requested_at: r.get(2)?,
                    status: r.get(3)?,
                    headers: r.get(4)?,
                    request_headers: r.get(5)?,
                    digest: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                    origin: match r.get::<_, Option<i64>>(7)? {
                        Some(id) => (id, r.get(8)?, r.get(9)?),
                        // A redirect hop is its own origin: nothing of it was stored.
                        None => (r.get(0)?, r.get(1)?, r.get(2)?),
                    },
                    redirect: r.get::<_, Option<i64>>(7)?.is_none(),
                    article: r.get(10)?,
                    outcome: r.get(11)?,
                    version: match r.get::<_, Option<i64>>(12)? {
                        Some(number) => Some(WarcVersion {
                            number,
                            title: r.get(13)?,
                            body: r.get(14)?,
                            content_hash: r.get(15)?,
                            extractor_version: r.get(16)?,
                        }),
                        None => None,
                    },
                })
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            f(row.map_err(|e| self.err(e))?)?;
        }
        Ok(())
    }

    /// Rebuilds the search index and change statistics from the versions (`arshif reindex`).
    pub fn reindex(&mut self) -> Result<usize> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| super::sqlite(&path, e);
        let tx = self.write_tx().map_err(err)?;
        let n = super::index::rebuild(&tx).map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(n)
    }
}
