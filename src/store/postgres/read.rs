//! PostgreSQL's read queries, one for each of SQLite's, in the same order with the same
//! results: what the walk reads before a page, the archivist's listings, histories, versions,
//! exports, the web view's overview, and search.

use postgres::Row;

use super::{Pg, terms};
use crate::Result;
use crate::fetch::Validators;
use crate::search::Query;
use crate::store::history::{ArchiveStats, History, HistoryFetch, HistoryVersion, VersionRow};
use crate::store::overview::{Change, Overview, RunRow, SiteCount};
use crate::store::pages::LatestVersion;
use crate::store::query::{
    ArticleSummary, ExportFilter, ListFilter, RevisitRow, Tombstone, VersionPick, WarcFetch,
    WarcVersion,
};
use crate::store::redact::Redaction;
use crate::store::runs::Walked;
use crate::store::searching::{SearchHit, SearchScope};
use crate::store::times;

type Got<T> = std::result::Result<T, postgres::Error>;

/// The columns [`version_row`] reads, from `versions v JOIN articles a`.
const VERSION_COLUMNS: &str =
    "a.url, a.host, v.version, v.fetched_at, v.fetched_url, v.canonical_url, v.title, v.body,
     v.published_at, v.modified_at, v.authors, v.language, v.content_hash, v.extractor_version";

/// SQL true when `host_column` is the site `$n` names (as SQLite's `site_matches`).
fn site_matches(host_column: &str, n: usize) -> String {
    format!(
        "(${n}::text IS NULL OR {host_column} = ${n}::text
          OR substr({host_column}, 1, length(${n}::text) + 1) = ${n}::text || ':')"
    )
}

/// `column >= $n` for a time bound, right for legacy whole-second rows (see `store::times`).
fn since(column: &str, n: usize) -> String {
    times::at_or_after(column, &format!("${n}::text"))
}

impl Pg {
    /// A version's authors, a JSON array: anything else is an error, never an empty list.
    fn authors(&self, json: &str) -> Result<Vec<String>> {
        serde_json::from_str(json).map_err(|e| crate::Error::Database {
            path: self.at.to_string().into(),
            message: format!("a version's authors are not a JSON list: {e}"),
        })
    }

    fn version_row(&self, r: &Row) -> Result<VersionRow> {
        let got = (|| -> Got<_> {
            Ok(VersionRow {
                article_url: r.try_get(0)?,
                host: r.try_get(1)?,
                version: r.try_get(2)?,
                fetched_at: r.try_get(3)?,
                fetched_url: r.try_get(4)?,
                canonical_url: r.try_get(5)?,
                title: r.try_get(6)?,
                body: r.try_get(7)?,
                published_at: r.try_get(8)?,
                modified_at: r.try_get(9)?,
                authors: Vec::new(),
                language: r.try_get(11)?,
                content_hash: r.try_get(12)?,
                extractor_version: r.try_get(13)?,
            })
        })();
        let mut row = got.map_err(|e| self.err(e))?;
        let authors: String = r.try_get(10).map_err(|e| self.err(e))?;
        row.authors = self.authors(&authors)?;
        Ok(row)
    }

    fn map<T>(&self, rows: Vec<Row>, f: impl Fn(&Row) -> Got<T>) -> Result<Vec<T>> {
        rows.iter().map(|r| f(r).map_err(|e| self.err(e))).collect()
    }

    pub fn validators_for(&self, url: &str) -> Result<Option<(Validators, String)>> {
        let row = self.opt(
            "SELECT etag, last_modified, capture_digest FROM fetches
             WHERE url = $1 AND status = 200 AND capture_digest IS NOT NULL
               AND (etag IS NOT NULL OR last_modified IS NOT NULL)
             ORDER BY id DESC LIMIT 1",
            &[&url],
        )?;
        row.map(|r| {
            Ok((
                Validators {
                    etag: r.try_get(0)?,
                    last_modified: r.try_get(1)?,
                },
                r.try_get(2)?,
            ))
        })
        .transpose()
        .map_err(|e| self.err(e))
    }

    pub fn article_of_capture(&self, url: &str, digest: &str) -> Result<Option<(i64, String)>> {
        let row = self.opt(
            "SELECT a.id, a.url FROM fetches f JOIN articles a ON a.id = f.article_id
             WHERE f.url = $1 AND f.capture_digest = $2 ORDER BY f.id DESC LIMIT 1",
            &[&url, &digest],
        )?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .transpose()
            .map_err(|e| self.err(e))
    }

    pub fn load_capture(&self, digest: &str) -> Result<Option<(Vec<u8>, Option<String>)>> {
        let Some(r) = self.opt(
            "SELECT compression, content, content_type, dictionary_id FROM captures
             WHERE digest = $1",
            &[&digest],
        )?
        else {
            return Ok(None);
        };
        type CaptureRow = (String, Vec<u8>, Option<String>, Option<i64>);
        let got = (|| -> Got<CaptureRow> {
            Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))
        })();
        let (compression, content, content_type, dictionary_id) = got.map_err(|e| self.err(e))?;
        let bytes = match compression.as_str() {
            "zstd" => self.decompress_capture(digest, &content, dictionary_id)?,
            _ => content,
        };
        Ok(Some((bytes, content_type)))
    }

    fn decompress_capture(
        &self,
        digest: &str,
        content: &[u8],
        dictionary_id: Option<i64>,
    ) -> Result<Vec<u8>> {
        let unreadable = |e: std::io::Error| crate::Error::Database {
            path: self.at.to_string().into(),
            message: format!("capture {digest} cannot be decompressed: {e}"),
        };
        let dictionary = dictionary_id.map(|id| self.dictionary(id)).transpose()?;
        crate::store::dictionary::decompress(content, dictionary.as_deref().map(Vec::as_slice))
            .map_err(unreadable)
    }

    fn dictionary(&self, id: i64) -> Result<std::sync::Arc<Vec<u8>>> {
        if let Some((kept, bytes)) = &*self.dictionary.borrow()
            && *kept == id
        {
            return Ok(bytes.clone());
        }
        let bytes: Vec<u8> = self
            .one(
                "SELECT content FROM capture_dictionaries WHERE id = $1",
                &[&id],
            )?
            .try_get(0)
            .map_err(|e| self.err(e))?;
        let bytes = std::sync::Arc::new(bytes);
        *self.dictionary.borrow_mut() = Some((id, bytes.clone()));
        Ok(bytes)
    }

    pub fn article_id(&self, url: &str) -> Result<Option<i64>> {
        let row = self.opt("SELECT id FROM articles WHERE url = $1", &[&url])?;
        row.map(|r| r.try_get(0))
            .transpose()
            .map_err(|e| self.err(e))
    }

    pub fn article_was_fetched_from(&self, article_id: i64, fetched_url: &str) -> Result<bool> {
        self.one(
            "SELECT EXISTS (SELECT 1 FROM versions WHERE article_id = $1 AND fetched_url = $2)
                 OR EXISTS (SELECT 1 FROM fetches WHERE article_id = $1 AND url = $2)",
            &[&article_id, &fetched_url],
        )?
        .try_get(0)
        .map_err(|e| self.err(e))
    }

    pub fn latest_version(&self, article_id: i64) -> Result<Option<LatestVersion>> {
        let Some(r) = self.opt(
            "SELECT version, content_hash, extractor_version, site_rules, capture_digest,
                    fetched_url, fetched_at, published_at, modified_at, authors
             FROM versions WHERE article_id = $1 ORDER BY version DESC LIMIT 1",
            &[&article_id],
        )?
        else {
            return Ok(None);
        };
        let got = (|| -> Got<_> {
            Ok(LatestVersion {
                version: r.try_get(0)?,
                content_hash: r.try_get(1)?,
                extractor_version: r.try_get(2)?,
                site_rules: r.try_get(3)?,
                capture_digest: r.try_get(4)?,
                fetched_url: r.try_get(5)?,
                fetched_at: r.try_get(6)?,
                published_at: r.try_get(7)?,
                modified_at: r.try_get(8)?,
                authors: Vec::new(),
            })
        })();
        let mut latest = got.map_err(|e| self.err(e))?;
        let authors: String = r.try_get(9).map_err(|e| self.err(e))?;
        latest.authors = self.authors(&authors)?;
        Ok(Some(latest))
    }

    pub fn stats(&self) -> Result<ArchiveStats> {
        let r = self.one(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM versions),
                    (SELECT count(*) FROM runs), (SELECT count(*) FROM fetches),
                    (SELECT count(*) FROM captures),
                    (SELECT coalesce(sum(raw_bytes), 0)::bigint FROM captures),
                    (SELECT coalesce(sum(stored_bytes), 0)::bigint FROM captures),
                    (SELECT count(*) FROM redacted_articles)",
            &[],
        )?;
        let got = (|| -> Got<_> {
            Ok(ArchiveStats {
                articles: r.try_get(0)?,
                versions: r.try_get(1)?,
                runs: r.try_get(2)?,
                fetches: r.try_get(3)?,
                captures: r.try_get(4)?,
                capture_bytes_raw: r.try_get(5)?,
                capture_bytes_stored: r.try_get(6)?,
                redacted: r.try_get(7)?,
                ..Default::default()
            })
        })();
        let mut stats = got.map_err(|e| self.err(e))?;
        let rows = self.rows(
            "SELECT outcome, count(*) FROM fetches GROUP BY outcome ORDER BY outcome",
            &[],
        )?;
        for (outcome, n) in self.map(rows, |r| Ok((r.try_get(0)?, r.try_get(1)?)))? {
            stats.fetches_by_outcome.insert(outcome, n);
        }
        Ok(stats)
    }

    pub fn history(&self, article_id: i64) -> Result<Option<History>> {
        let Some(r) = self.opt(
            "SELECT id, url, first_seen_at, last_seen_at FROM articles WHERE id = $1",
            &[&article_id],
        )?
        else {
            return Ok(None);
        };
        let got = (|| -> Got<(i64, String, String, String)> {
            Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))
        })();
        let (id, url, first_seen_at, last_seen_at) = got.map_err(|e| self.err(e))?;
        let rows = self.rows(
            "SELECT version, fetched_at, title, content_hash FROM versions
             WHERE article_id = $1 ORDER BY version",
            &[&id],
        )?;
        let versions = self.map(rows, |r| {
            Ok(HistoryVersion {
                version: r.try_get(0)?,
                fetched_at: r.try_get(1)?,
                title: r.try_get(2)?,
                content_hash: r.try_get(3)?,
            })
        })?;
        let rows = self.rows(
            "SELECT requested_at, url, status, outcome, error, note FROM fetches
             WHERE article_id = $1 ORDER BY id",
            &[&id],
        )?;
        let fetches = self.map(rows, |r| {
            Ok(HistoryFetch {
                requested_at: r.try_get(0)?,
                url: r.try_get(1)?,
                status: r.try_get(2)?,
                outcome: r.try_get(3)?,
                error: r.try_get(4)?,
                note: r.try_get(5)?,
            })
        })?;
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

    pub fn changes(&self, site: Option<&str>, limit: usize) -> Result<Vec<Change>> {
        let sql = format!(
            "SELECT a.url, v.version, v.fetched_at, v.title, v.language
             FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE v.version > 1 AND {site}
             ORDER BY v.fetched_at DESC, v.id DESC LIMIT $2",
            site = site_matches("a.host", 1)
        );
        let rows = self.rows(&sql, &[&site, &(limit as i64)])?;
        self.map(rows, |r| {
            Ok(Change {
                url: r.try_get(0)?,
                version: r.try_get(1)?,
                fetched_at: r.try_get(2)?,
                title: r.try_get(3)?,
                language: r.try_get(4)?,
            })
        })
    }

    pub fn version_capture(
        &self,
        article_id: i64,
        version: i64,
    ) -> Result<Option<(Vec<u8>, Option<String>)>> {
        let row = self.opt(
            "SELECT capture_digest FROM versions WHERE article_id = $1 AND version = $2",
            &[&article_id, &version],
        )?;
        match row {
            Some(r) => {
                let digest: String = r.try_get(0).map_err(|e| self.err(e))?;
                self.load_capture(&digest)
            }
            None => Ok(None),
        }
    }

    pub fn overview(&self, limit: usize) -> Result<Overview> {
        let rows = self.rows(
            "SELECT host, count(*), coalesce(sum(version_count), 0)::bigint FROM articles
             GROUP BY host ORDER BY host",
            &[],
        )?;
        let sites = self.map(rows, |r| {
            Ok(SiteCount {
                host: r.try_get(0)?,
                articles: r.try_get(1)?,
                versions: r.try_get(2)?,
            })
        })?;
        let latest_changes = self.changes(None, limit)?;
        let rows = self.rows(
            "SELECT id, command, site, start_url, started_at, finished_at, status, end_reason
             FROM runs ORDER BY id DESC LIMIT $1",
            &[&(limit as i64)],
        )?;
        let last_runs = self.map(rows, |r| {
            Ok(RunRow {
                id: r.try_get(0)?,
                command: r.try_get(1)?,
                site: r.try_get(2)?,
                start_url: r.try_get(3)?,
                started_at: r.try_get(4)?,
                finished_at: r.try_get(5)?,
                status: r.try_get(6)?,
                end_reason: r.try_get(7)?,
            })
        })?;
        Ok(Overview {
            sites,
            latest_changes,
            last_runs,
        })
    }

    pub fn revisit_candidates(
        &self,
        hosts: &[String],
        windows: &[crate::revisit::Window],
    ) -> Result<Vec<RevisitRow>> {
        const COLUMNS: &str = "SELECT a.id, a.url, a.host, a.born_at,
                                      coalesce(a.last_fetched_at, a.last_seen_at)
                               FROM articles a";
        const FILTER: &str = "a.born_at > $2 AND a.born_at <= $3
                              AND (a.last_fetched_at IS NULL OR a.last_fetched_at <= $4)
                              AND EXISTS (SELECT 1 FROM versions WHERE article_id = a.id)";
        let exact = format!("{COLUMNS} WHERE a.host = $1 AND {FILTER}");
        let any_port =
            format!("{COLUMNS} WHERE a.host > $1 || ':' AND a.host < $1 || ';' AND {FILTER}");
        let mut out: Vec<RevisitRow> = Vec::new();
        for host in hosts {
            let sql = if host.contains(':') {
                &exact
            } else {
                &any_port
            };
            for w in windows {
                let until = w.born_until.map_or_else(
                    || "9999-12-31T23:59:59.999Z".to_string(),
                    crate::time::stored_time,
                );
                let after = crate::time::stored_time(w.born_after);
                let by = crate::time::stored_time(w.fetched_by);
                let rows = self.rows(sql, &[host, &after, &until, &by])?;
                out.extend(self.map(rows, |r| {
                    Ok(RevisitRow {
                        article_id: r.try_get(0)?,
                        url: r.try_get(1)?,
                        host: r.try_get(2)?,
                        born_at: r.try_get(3)?,
                        last_fetched_at: r.try_get(4)?,
                    })
                })?);
            }
        }
        out.sort_by_key(|r| r.article_id);
        out.dedup_by_key(|r| r.article_id);
        Ok(out)
    }

    pub fn find_article(&self, url: &str) -> Result<Option<(i64, String)>> {
        let row = self.opt(
            "(SELECT id, url FROM articles WHERE url = $1 LIMIT 1)
             UNION ALL
             (SELECT a.id, a.url FROM versions v JOIN articles a ON a.id = v.article_id
              WHERE v.fetched_url = $1 LIMIT 1)
             UNION ALL
             (SELECT a.id, a.url FROM fetches f JOIN articles a ON a.id = f.article_id
              WHERE f.url = $1 LIMIT 1)
             LIMIT 1",
            &[&url],
        )?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .transpose()
            .map_err(|e| self.err(e))
    }

    pub fn for_each_listed(
        &self,
        filter: &ListFilter,
        mut each: impl FnMut(&ArticleSummary<'_>) -> Result<()>,
    ) -> Result<()> {
        let takedowns = self.latest_takedowns()?;
        let changes = match (filter.changed, &filter.since) {
            (true, Some(_)) => format!(
                "AND a.id IN (SELECT article_id FROM versions WHERE version > 1 AND {})",
                since("fetched_at", 2)
            ),
            (true, None) => "AND a.last_change_at IS NOT NULL".to_string(),
            (false, _) => String::new(),
        };
        let order = match filter.page {
            Some(_) => "AND ($4::bigint IS NULL OR a.id < $4) ORDER BY a.id DESC LIMIT $5",
            None => "ORDER BY a.first_seen_at, a.id",
        };
        let sql = format!(
            "SELECT a.id, a.url, a.host, a.first_seen_at, a.last_seen_at, a.version_count,
                    a.last_change_at, a.latest_title, a.gone_at
             FROM articles a
             WHERE {site}
               AND ($3 OR $2::text IS NULL OR {seen_since})
               AND (NOT $3 OR (a.last_change_at IS NOT NULL
                               AND ($2::text IS NULL OR {changed_since})))
               {changes}
             {order}",
            site = site_matches("a.host", 1),
            seen_since = since("a.last_seen_at", 2),
            changed_since = since("a.last_change_at", 2),
        );
        let handle = |r: &Row| -> Result<()> {
            let got = (|| -> Got<_> {
                Ok((
                    r.try_get::<_, i64>(0)?,
                    r.try_get::<_, String>(1)?,
                    r.try_get::<_, String>(2)?,
                    r.try_get::<_, String>(3)?,
                    r.try_get::<_, String>(4)?,
                    r.try_get::<_, i64>(5)?,
                    r.try_get::<_, Option<String>>(6)?,
                    r.try_get::<_, Option<String>>(7)?,
                    r.try_get::<_, Option<String>>(8)?,
                ))
            })();
            let (id, url, host, first, last, versions, changed, title, gone) =
                got.map_err(|e| self.err(e))?;
            let takedown = takedowns.get(&id);
            each(&ArticleSummary {
                id,
                url: &url,
                host: &host,
                first_seen_at: &first,
                last_seen_at: &last,
                versions,
                last_change_at: changed.as_deref(),
                title: title.as_deref(),
                redacted_at: takedown.map(|(at, _)| at.as_str()),
                redaction_reason: takedown.map(|(_, reason)| reason.as_str()),
                gone_at: gone.as_deref(),
            })
        };
        match filter.page {
            Some(page) => {
                let limit = page.limit as i64;
                let rows = self.rows(
                    &sql,
                    &[
                        &filter.site,
                        &filter.since,
                        &filter.changed,
                        &page.before,
                        &limit,
                    ],
                )?;
                rows.iter().try_for_each(handle)
            }
            None => self.for_each_row(
                &sql,
                &[&filter.site, &filter.since, &filter.changed],
                handle,
            ),
        }
    }

    fn latest_takedowns(&self) -> Result<std::collections::HashMap<i64, (String, String)>> {
        let rows = self.rows(
            "SELECT article_id, at, reason FROM redactions r
             WHERE id = (SELECT max(id) FROM redactions WHERE article_id = r.article_id)
               AND action = 'redact'",
            &[],
        )?;
        Ok(self
            .map(rows, |r| {
                Ok((r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?)))
            })?
            .into_iter()
            .collect())
    }

    pub fn version(&self, article_id: i64, pick: &VersionPick) -> Result<Option<VersionRow>> {
        let select = format!(
            "SELECT {VERSION_COLUMNS} FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE v.article_id = $1"
        );
        let order = "ORDER BY v.version DESC LIMIT 1";
        let row = match pick {
            VersionPick::Latest => self.opt(&format!("{select} {order}"), &[&article_id])?,
            VersionPick::Number(n) => self.opt(
                &format!("{select} AND v.version = $2 {order}"),
                &[&article_id, n],
            )?,
            VersionPick::At(t) => self.opt(
                &format!("{select} AND arshif_fixed_time(v.fetched_at) <= $2 {order}"),
                &[&article_id, t],
            )?,
        };
        row.map(|r| self.version_row(&r)).transpose()
    }

    pub fn version_numbers(&self, article_id: i64) -> Result<Vec<i64>> {
        let rows = self.rows(
            "SELECT version FROM versions WHERE article_id = $1 ORDER BY version",
            &[&article_id],
        )?;
        self.map(rows, |r| r.try_get(0))
    }

    pub fn for_each_version(
        &self,
        filter: &ExportFilter,
        mut f: impl FnMut(i64, VersionRow) -> Result<()>,
    ) -> Result<()> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS}, a.id FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE {site} AND ($2::text IS NULL OR {since})
             ORDER BY a.id, v.version",
            site = site_matches("a.host", 1),
            since = since("v.fetched_at", 2),
        );
        self.for_each_row(&sql, &[&filter.site, &filter.since], |r| {
            let id: i64 = r.try_get(14).map_err(|e| self.err(e))?;
            f(id, self.version_row(r)?)
        })
    }

    pub fn tombstones(&self, filter: &ExportFilter) -> Result<Vec<Tombstone>> {
        let sql = format!(
            "SELECT a.id, a.url, a.host, r.at, r.reason FROM redactions r
             JOIN articles a ON a.id = r.article_id
             WHERE r.action = 'redact'
               AND r.id = (SELECT max(id) FROM redactions WHERE article_id = r.article_id)
               AND {site} AND ($2::text IS NULL OR {since})
             ORDER BY a.id",
            site = site_matches("a.host", 1),
            since = since("r.at", 2),
        );
        let rows = self.rows(&sql, &[&filter.site, &filter.since])?;
        self.map(rows, |r| {
            Ok(Tombstone {
                article_id: r.try_get(0)?,
                url: r.try_get(1)?,
                host: r.try_get(2)?,
                redacted_at: r.try_get(3)?,
                reason: r.try_get(4)?,
            })
        })
    }

    pub fn for_each_warc_fetch(
        &self,
        since_time: Option<&str>,
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
               AND ($1::text IS NULL OR {since})
             ORDER BY f.id",
            since = since("f.requested_at", 1),
        );
        self.for_each_row(&sql, &[&since_time], |r| {
            let got = (|| -> Got<_> {
                let origin: Option<i64> = r.try_get(7)?;
                Ok(WarcFetch {
                    id: r.try_get(0)?,
                    url: r.try_get(1)?,
                    requested_at: r.try_get(2)?,
                    status: r.try_get(3)?,
                    headers: r.try_get(4)?,
                    request_headers: r.try_get(5)?,
                    digest: r.try_get::<_, Option<String>>(6)?.unwrap_or_default(),
                    origin: match origin {
                        Some(id) => (id, r.try_get(8)?, r.try_get(9)?),
                        None => (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?),
                    },
                    redirect: origin.is_none(),
                    article: r.try_get(10)?,
                    outcome: r.try_get(11)?,
                    version: match r.try_get::<_, Option<i64>>(12)? {
                        Some(number) => Some(WarcVersion {
                            number,
                            title: r.try_get(13)?,
                            body: r.try_get(14)?,
                            content_hash: r.try_get(15)?,
                            extractor_version: r.try_get(16)?,
                        }),
                        None => None,
                    },
                })
            })();
            f(got.map_err(|e| self.err(e))?)
        })
    }

    pub fn is_redacted(&self, urls: &[&str]) -> Result<bool> {
        for url in urls {
            let hit: bool = self
                .one(
                    "SELECT EXISTS (
                       SELECT 1 FROM articles a
                       WHERE (a.url = $1 OR a.id IN (SELECT article_id FROM fetches WHERE url = $1))
                         AND (SELECT action FROM redactions WHERE article_id = a.id
                              ORDER BY id DESC LIMIT 1) = 'redact')",
                    &[url],
                )?
                .try_get(0)
                .map_err(|e| self.err(e))?;
            if hit {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub fn redactions(&self, article_id: i64) -> Result<Vec<Redaction>> {
        let rows = self.rows(
            "SELECT url, action, at, reason, versions_removed, captures_removed
             FROM redactions WHERE article_id = $1 ORDER BY id",
            &[&article_id],
        )?;
        self.map(rows, redaction_row)
    }

    pub fn resume_url(&self, start_url: &str, site: Option<&str>) -> Result<Option<String>> {
        let row = self.opt(
            "SELECT resume_url FROM runs
             WHERE start_url = $1 AND site IS NOT DISTINCT FROM $2 AND command = 'run'
             ORDER BY id DESC LIMIT 1",
            &[&start_url, &site],
        )?;
        Ok(row
            .map(|r| r.try_get::<_, Option<String>>(0))
            .transpose()
            .map_err(|e| self.err(e))?
            .flatten())
    }

    pub fn last_walks(&self, start_url: &str, site: Option<&str>, n: usize) -> Result<Vec<Walked>> {
        let rows = self.rows(
            "SELECT status, end_reason, resume_url, counts FROM runs
             WHERE start_url = $1 AND site IS NOT DISTINCT FROM $2 AND command = 'run'
               AND finished_at IS NOT NULL
             ORDER BY id DESC LIMIT $3",
            &[&start_url, &site, &(n as i64)],
        )?;
        self.map(rows, |r| {
            Ok(Walked {
                status: r.try_get(0)?,
                end_reason: r.try_get(1)?,
                resume_url: r.try_get(2)?,
                counts: r.try_get(3)?,
            })
        })
    }

    pub fn cached_robots(
        &self,
        host: &str,
        since_time: &str,
    ) -> Result<Option<(u16, Option<Vec<u8>>)>> {
        let sql = format!(
            "SELECT status, body FROM robots_cache WHERE host = $1 AND {}",
            since("fetched_at", 2)
        );
        let row = self.opt(&sql, &[&host, &since_time])?;
        row.map(|r| {
            let status: i64 = r.try_get(0)?;
            Ok((u16::try_from(status).unwrap_or(0), r.try_get(1)?))
        })
        .transpose()
        .map_err(|e| self.err(e))
    }

    pub fn search(&self, query: &Query, scope: &SearchScope) -> Result<Vec<SearchHit>> {
        let sql = format!(
            "SELECT a.url, v.version, v.fetched_at, v.title, v.body, h.score,
                    v.version = a.version_count
             FROM (SELECT t.version_id AS id,
                          -ts_rank('{{0.125, 0.25, 0.5, 1.0}}', t.terms, q.q)::float8 AS score
                   FROM (SELECT $1::text::tsquery AS q) q
                   JOIN version_terms t ON t.terms @@ q.q
                   JOIN versions v ON v.id = t.version_id
                   JOIN articles a ON a.id = v.article_id
                   WHERE {site}
                     AND ($3::text IS NULL OR {since})
                     AND ($4 OR v.version = a.version_count)
                   ORDER BY score, v.id
                   LIMIT $5) h
             JOIN versions v ON v.id = h.id
             JOIN articles a ON a.id = v.article_id
             ORDER BY h.score, v.id",
            site = site_matches("a.host", 2),
            since = since("v.fetched_at", 3),
        );
        let tsquery = terms::tsquery(query);
        let rows = self.rows(
            &sql,
            &[
                &tsquery,
                &scope.site,
                &scope.since,
                &scope.all_versions,
                &(scope.limit as i64),
            ],
        )?;
        self.map(rows, |r| {
            Ok(SearchHit {
                url: r.try_get(0)?,
                version: r.try_get(1)?,
                fetched_at: r.try_get(2)?,
                title: r.try_get(3)?,
                body: r.try_get(4)?,
                score: r.try_get(5)?,
                latest: r.try_get(6)?,
            })
        })
    }
}

pub(super) fn redaction_row(r: &Row) -> Got<Redaction> {
    Ok(Redaction {
        url: r.try_get(0)?,
        action: r.try_get(1)?,
        at: r.try_get(2)?,
        reason: r.try_get(3)?,
        versions_removed: r.try_get(4)?,
        captures_removed: r.try_get(5)?,
    })
}
