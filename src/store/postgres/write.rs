//! PostgreSQL's writes: a page's commit in one transaction (as SQLite's `pages.rs`), the runs
//! table and robots cache, takedowns (rows deleted, then the tables vacuumed), and reindexing.

use postgres::Transaction;

use super::Pg;
use crate::store::dictionary::{DictionaryRows, ZSTD_LEVEL, recompressed_without};
use crate::store::index::indexed_values;
use crate::store::pages::{Committed, PageCommit};
use crate::store::redact::Redaction;
use crate::{Error, Result, diff};

type Got<T> = std::result::Result<T, postgres::Error>;

/// Why a transaction stopped: the driver's error, or arshif's own.
enum Stop {
    Db(postgres::Error),
    Arshif(Error),
}

impl From<postgres::Error> for Stop {
    fn from(e: postgres::Error) -> Self {
        Stop::Db(e)
    }
}

impl Pg {
    /// Runs `f` in one transaction, off the async workers; any error rolls it back.
    fn transaction<T: Send>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>) -> std::result::Result<T, Stop> + Send,
    ) -> Result<T> {
        let mut conn = self.client.borrow_mut();
        let client: &mut postgres::Client = conn.client();
        let outcome = super::outside_runtime(|| {
            let mut tx = client.transaction()?;
            let value = f(&mut tx)?;
            tx.commit()?;
            Ok(value)
        });
        outcome.map_err(|stop| match stop {
            Stop::Db(e) => self.err(e),
            Stop::Arshif(e) => e,
        })
    }

    /// Writes one processed page in a single transaction (see SQLite's `commit_page`).
    pub fn commit_page(&mut self, page: &PageCommit) -> Result<Committed> {
        // A site's dictionary is for its articles' captures.
        let site = page
            .article
            .as_ref()
            .filter(|a| a.version.is_some())
            .map(|a| a.host.clone());
        let compressed = match &page.capture {
            Some(c) if !self.has_capture(&c.digest)? => {
                Some(self.compress_capture(site.as_deref(), &c.bytes)?)
            }
            _ => None,
        };
        let now = crate::time::stored_time(chrono::Utc::now());
        let (committed, stored) = self.transaction(|tx| {
            let mut stored = 0;
            if let (Some(c), Some((compressed, dictionary_id))) = (&page.capture, &compressed) {
                stored = tx.execute(
                    "INSERT INTO captures (digest, compression, raw_bytes, stored_bytes,
                                           content_type, content, created_at, dictionary_id)
                     VALUES ($1, 'zstd', $2, $3, $4, $5, $6, $7) ON CONFLICT (digest) DO NOTHING",
                    &[
                        &c.digest,
                        &(c.bytes.len() as i64),
                        &(compressed.len() as i64),
                        &c.content_type,
                        compressed,
                        &now,
                        dictionary_id,
                    ],
                )?;
            }
            if let (Some(run_id), Some(next)) = (page.run_id, &page.resume_url) {
                tx.execute(
                    "UPDATE runs SET resume_url = $2 WHERE id = $1",
                    &[&run_id, next],
                )?;
            }
            let article_id: Option<i64> = match &page.article {
                Some(a) => Some(
                    tx.query_one(
                        "INSERT INTO articles (url, host, first_seen_at, last_seen_at)
                         VALUES ($1, $2, $3, $3)
                         ON CONFLICT (url) DO UPDATE SET last_seen_at = excluded.last_seen_at
                         RETURNING id",
                        &[&a.url, &a.host, &a.seen_at],
                    )?
                    .try_get(0)?,
                ),
                None => match page.rows.last() {
                    Some(row) => tx
                        .query_opt(
                            "SELECT article_id FROM fetches WHERE url = $1 AND article_id IS NOT NULL
                             ORDER BY id DESC LIMIT 1",
                            &[&row.url],
                        )?
                        .map(|r| r.try_get(0))
                        .transpose()?,
                    None => None,
                },
            };
            let mut last_fetch_id: Option<i64> = None;
            let n = page.rows.len();
            for (i, row) in page.rows.iter().enumerate() {
                let capture = if i + 1 == n {
                    page.capture.as_ref().map(|c| c.digest.as_str())
                } else {
                    None
                };
                let status = row.status.map(i64::from);
                last_fetch_id = Some(
                    tx.query_one(
                        "INSERT INTO fetches (run_id, article_id, url, requested_at, status, outcome,
                                              error, note, headers, bytes, duration_ms, etag,
                                              last_modified, payload_digest, capture_digest,
                                              request_headers)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                         RETURNING id",
                        &[
                            &page.run_id,
                            &article_id,
                            &row.url,
                            &row.requested_at,
                            &status,
                            &row.outcome.as_str(),
                            &row.error,
                            &row.note,
                            &row.headers,
                            &row.bytes,
                            &row.duration_ms,
                            &row.etag,
                            &row.last_modified,
                            &row.payload_digest,
                            &capture,
                            &row.request_headers,
                        ],
                    )?
                    .try_get(0)?,
                );
            }
            let mut version = None;
            if let (Some(article_id), Some(a)) = (article_id, &page.article)
                && let Some(v) = &a.version
            {
                let (Some(fetch_id), Some(capture)) = (last_fetch_id, &page.capture) else {
                    return Err(Stop::Arshif(Error::Internal(
                        "a version was committed without its fetch and capture".into(),
                    )));
                };
                let next: i64 = tx
                    .query_one(
                        "SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE article_id = $1",
                        &[&article_id],
                    )?
                    .try_get(0)?;
                let authors = serde_json::to_string(&v.authors).unwrap_or_else(|_| "[]".into());
                let version_id: i64 = tx
                    .query_one(
                        "INSERT INTO versions (article_id, version, fetch_id, fetched_at, fetched_url,
                                               canonical_url, title, body, published_at, modified_at,
                                               authors, language, content_hash, extractor_version,
                                               site_rules, capture_digest)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                         RETURNING id",
                        &[
                            &article_id,
                            &next,
                            &fetch_id,
                            &v.fetched_at,
                            &v.fetched_url,
                            &v.canonical_url,
                            &v.title,
                            &v.body,
                            &v.published_at,
                            &v.modified_at,
                            &authors,
                            &v.language,
                            &v.content_hash,
                            &v.extractor_version,
                            &v.site_rules,
                            &capture.digest,
                        ],
                    )?
                    .try_get(0)?;
                add_terms(tx, version_id, v.title.as_deref(), &v.body)?;
                record_change(tx, version_id)?;
                version = Some(next);
            }
            Ok((
                Committed {
                    article_id,
                    version,
                },
                stored,
            ))
        })?;
        if let Some(site) = site.filter(|_| stored > 0) {
            self.capture_committed(&site)?;
        }
        Ok(committed)
    }

    fn has_capture(&self, digest: &str) -> Result<bool> {
        self.one(
            "SELECT EXISTS (SELECT 1 FROM captures WHERE digest = $1)",
            &[&digest],
        )?
        .try_get(0)
        .map_err(|e| self.err(e))
    }

    pub fn begin_run(
        &self,
        command: &str,
        start_url: Option<&str>,
        started_at: &str,
        site: Option<&str>,
    ) -> Result<i64> {
        self.one(
            "INSERT INTO runs (command, start_url, started_at, site) VALUES ($1, $2, $3, $4)
             RETURNING id",
            &[&command, &start_url, &started_at, &site],
        )?
        .try_get(0)
        .map_err(|e| self.err(e))
    }

    pub fn set_resume(&self, run_id: i64, url: Option<&str>) -> Result<()> {
        self.exec(
            "UPDATE runs SET resume_url = $2 WHERE id = $1",
            &[&run_id, &url],
        )?;
        Ok(())
    }

    pub fn finish_run(
        &self,
        run_id: i64,
        finished_at: &str,
        status: &str,
        end_reason: &str,
        counts_json: &str,
    ) -> Result<()> {
        self.exec(
            "UPDATE runs SET finished_at = $2, status = $3, end_reason = $4, counts = $5
             WHERE id = $1",
            &[&run_id, &finished_at, &status, &end_reason, &counts_json],
        )?;
        Ok(())
    }

    pub fn cache_robots(
        &self,
        host: &str,
        fetched_at: &str,
        status: u16,
        body: Option<&[u8]>,
    ) -> Result<()> {
        self.exec(
            "INSERT INTO robots_cache (host, fetched_at, status, body) VALUES ($1, $2, $3, $4)
             ON CONFLICT (host) DO UPDATE
             SET fetched_at = excluded.fetched_at, status = excluded.status, body = excluded.body",
            &[&host, &fetched_at, &i64::from(status), &body],
        )?;
        Ok(())
    }

    /// Removes an article's versions, their index entries and the captures no other article
    /// shares, and logs the takedown (see SQLite's `redact`).
    pub fn redact(&mut self, article_id: i64, reason: &str, at: &str) -> Result<Redaction> {
        let entry = self.transaction(|tx| {
            let (url, state) = article_state(tx, article_id)?;
            if let Some(last) = state.filter(|s| s.action == "redact") {
                return Err(Stop::Arshif(Error::NotInArchive(format!(
                    "{url} was already redacted on {}",
                    last.at
                ))));
            }
            let version_ids: Vec<i64> = tx
                .query("SELECT id FROM versions WHERE article_id = $1", &[&article_id])?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Got<_>>()?;
            let digests: Vec<String> = tx
                .query(
                    "SELECT capture_digest FROM versions WHERE article_id = $1
                     UNION SELECT capture_digest FROM fetches
                           WHERE article_id = $1 AND capture_digest IS NOT NULL",
                    &[&article_id],
                )?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Got<_>>()?;
            let mut removable = Vec::new();
            for d in digests {
                let shared: bool = tx
                    .query_one(
                        "SELECT EXISTS (SELECT 1 FROM fetches WHERE capture_digest = $1 AND article_id != $2)
                             OR EXISTS (SELECT 1 FROM versions WHERE capture_digest = $1 AND article_id != $2)",
                        &[&d, &article_id],
                    )?
                    .try_get(0)?;
                if !shared {
                    removable.push(d);
                }
            }
            removable.sort();
            let entry = Redaction {
                url,
                action: "redact".into(),
                at: at.to_string(),
                reason: reason.to_string(),
                versions_removed: version_ids.len() as i64,
                captures_removed: removable.len() as i64,
            };
            log(tx, article_id, &entry)?;
            for id in &version_ids {
                tx.execute("DELETE FROM version_terms WHERE version_id = $1", &[id])?;
                tx.execute("DELETE FROM version_changes WHERE version_id = $1", &[id])?;
            }
            tx.execute("DELETE FROM versions WHERE article_id = $1", &[&article_id])?;
            tx.execute(
                "UPDATE fetches SET capture_digest = NULL, payload_digest = NULL, note = NULL
                 WHERE article_id = $1",
                &[&article_id],
            )?;
            drop_dictionaries_trained_on(tx, &removable)?;
            for d in &removable {
                tx.execute(
                    "UPDATE fetches SET capture_digest = NULL, payload_digest = NULL
                     WHERE capture_digest = $1",
                    &[d],
                )?;
                tx.execute("DELETE FROM captures WHERE digest = $1", &[d])?;
            }
            Ok(entry)
        })?;
        Ok(entry)
    }

    /// Vacuums the tables a takedown touched, so that the server's own files keep no copy of
    /// the removed rows (its WAL archives, replicas and backups are the operator's to purge).
    pub fn purge_free_space(&self) -> Result<()> {
        self.with_client(|c| {
            c.batch_execute(
                "VACUUM versions, version_terms, version_changes, fetches, captures,
                        capture_dictionaries, articles",
            )
        })
    }

    pub fn unredact(&mut self, article_id: i64, reason: &str, at: &str) -> Result<Redaction> {
        self.transaction(|tx| {
            let (url, state) = article_state(tx, article_id)?;
            if state.as_ref().is_none_or(|s| s.action != "redact") {
                return Err(Stop::Arshif(Error::NotInArchive(format!(
                    "{url} is not redacted"
                ))));
            }
            let entry = Redaction::lift(url, at, reason);
            log(tx, article_id, &entry)?;
            Ok(entry)
        })
    }

    /// Rebuilds the search terms and change statistics from the versions, read in article and
    /// version order a batch at a time (each version's change is against the one before it)
    /// and written a batch per statement.
    pub fn reindex(&mut self) -> Result<usize> {
        const REINDEX_BATCH: i64 = 500;
        self.transaction(|tx| {
            tx.batch_execute("DELETE FROM version_terms; DELETE FROM version_changes;")?;
            let mut after = (i64::MIN, i64::MIN);
            let mut previous: Option<(i64, Option<String>, String)> = None;
            let mut n = 0;
            loop {
                let rows = tx.query(
                    "SELECT id, article_id, version, title, body FROM versions
                     WHERE (article_id, version) > ($1, $2)
                     ORDER BY article_id, version LIMIT $3",
                    &[&after.0, &after.1, &REINDEX_BATCH],
                )?;
                let mut terms = (Vec::new(), Vec::new());
                let mut changes = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
                for r in &rows {
                    let (id, article, version): (i64, i64, i64) =
                        (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
                    let (title, body): (Option<String>, String) = (r.try_get(3)?, r.try_get(4)?);
                    if let Some((before, old_title, old_body)) = &previous
                        && *before == article
                    {
                        let summary = diff::summarize(&diff::words(old_body, &body));
                        changes.0.push(id);
                        changes.1.push(i64::from(*old_title != title));
                        changes.2.push(summary.chars_added as i64);
                        changes.3.push(summary.chars_removed as i64);
                    }
                    terms.0.push(id);
                    terms.1.push(super::terms::tsvector(&indexed_values(title.as_deref(), &body)));
                    previous = Some((article, title, body));
                    after = (article, version);
                    n += 1;
                }
                tx.execute(
                    "INSERT INTO version_terms (version_id, terms)
                     SELECT id, t::tsvector FROM unnest($1::bigint[], $2::text[]) AS u(id, t)",
                    &[&terms.0, &terms.1],
                )?;
                tx.execute(
                    "INSERT INTO version_changes (version_id, title_changed, chars_added, chars_removed)
                     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[])",
                    &[&changes.0, &changes.1, &changes.2, &changes.3],
                )?;
                if (rows.len() as i64) < REINDEX_BATCH {
                    return Ok(n);
                }
            }
        })
        .and_then(|n| {
            // Rebuilt tables want fresh statistics for the planner.
            self.with_client(|c| c.batch_execute("ANALYZE version_terms, version_changes"))?;
            Ok(n)
        })
    }
}

impl DictionaryRows for Pg {
    fn dictionaries(&mut self) -> &mut crate::store::dictionary::Dictionaries {
        &mut self.dictionaries
    }

    fn latest_dictionary(&self, host: &str) -> Result<Option<(i64, Vec<u8>)>> {
        let row = self.opt(
            "SELECT id, content FROM capture_dictionaries WHERE host = $1
             ORDER BY id DESC LIMIT 1",
            &[&host],
        )?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .transpose()
            .map_err(|e| self.err(e))
    }

    fn site_captures(&self, host: &str) -> Result<i64> {
        self.one(
            "SELECT count(DISTINCT v.capture_digest) FROM versions v
             JOIN articles a ON a.id = v.article_id WHERE a.host = $1",
            &[&host],
        )?
        .try_get(0)
        .map_err(|e| self.err(e))
    }

    fn training_samples(&self, host: &str, max: i64) -> Result<Vec<(String, Vec<u8>)>> {
        let rows = self.rows(
            "SELECT c.digest, c.content FROM captures c
             WHERE c.dictionary_id IS NULL AND c.compression = 'zstd' AND c.digest IN (
                 SELECT v.capture_digest FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE a.host = $1 ORDER BY v.id DESC LIMIT $2)",
            &[&host, &max],
        )?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Got<_>>()
            .map_err(|e| self.err(e))
    }

    fn insert_dictionary(&self, host: &str, samples_json: &str, dictionary: &[u8]) -> Result<i64> {
        let now = crate::time::stored_time(chrono::Utc::now());
        self.one(
            "INSERT INTO capture_dictionaries (host, trained_at, samples, content)
             VALUES ($1, $2, $3, $4) RETURNING id",
            &[&host, &now, &samples_json, &dictionary],
        )?
        .try_get(0)
        .map_err(|e| self.err(e))
    }

    fn io(&self, source: std::io::Error) -> Error {
        Error::Io {
            path: self.at.to_string().into(),
            source,
        }
    }
}

/// Indexes one version's words and stems (see `terms::tsvector`).
pub(super) fn add_terms(
    tx: &mut Transaction<'_>,
    version_id: i64,
    title: Option<&str>,
    body: &str,
) -> Got<()> {
    let terms = super::terms::tsvector(&indexed_values(title, body));
    tx.execute(
        "INSERT INTO version_terms (version_id, terms) VALUES ($1, $2::text::tsvector)",
        &[&version_id, &terms],
    )?;
    Ok(())
}

/// What a version changed against the article's previous one (see SQLite's `record_change`).
pub(super) fn record_change(tx: &mut Transaction<'_>, version_id: i64) -> Got<()> {
    let Some(r) = tx.query_opt(
        "SELECT p.title, p.body, v.title, v.body FROM versions v
         JOIN versions p ON p.article_id = v.article_id
         WHERE v.id = $1 AND p.version < v.version
         ORDER BY p.version DESC LIMIT 1",
        &[&version_id],
    )?
    else {
        return Ok(());
    };
    let (old_title, old_body, new_title, new_body): (
        Option<String>,
        String,
        Option<String>,
        String,
    ) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
    let summary = diff::summarize(&diff::words(&old_body, &new_body));
    tx.execute(
        "INSERT INTO version_changes (version_id, title_changed, chars_added, chars_removed)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (version_id) DO UPDATE SET title_changed = excluded.title_changed,
             chars_added = excluded.chars_added, chars_removed = excluded.chars_removed",
        &[
            &version_id,
            &i64::from(old_title != new_title),
            &(summary.chars_added as i64),
            &(summary.chars_removed as i64),
        ],
    )?;
    Ok(())
}

fn article_state(tx: &mut Transaction<'_>, article_id: i64) -> Got<(String, Option<Redaction>)> {
    let url: String = tx
        .query_one("SELECT url FROM articles WHERE id = $1", &[&article_id])?
        .try_get(0)?;
    let last = tx
        .query_opt(
            "SELECT url, action, at, reason, versions_removed, captures_removed
             FROM redactions WHERE article_id = $1 ORDER BY id DESC LIMIT 1",
            &[&article_id],
        )?
        .map(|r| super::read::redaction_row(&r))
        .transpose()?;
    Ok((url, last))
}

fn log(tx: &mut Transaction<'_>, article_id: i64, r: &Redaction) -> Got<()> {
    tx.execute(
        "INSERT INTO redactions (article_id, url, action, at, reason, versions_removed,
                                 captures_removed)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &article_id,
            &r.url,
            &r.action,
            &r.at,
            &r.reason,
            &r.versions_removed,
            &r.captures_removed,
        ],
    )?;
    Ok(())
}

/// Drops every dictionary trained on a removed capture, recompressing its captures without it
/// (see SQLite's `drop_dictionaries_trained_on`).
fn drop_dictionaries_trained_on(
    tx: &mut Transaction<'_>,
    removed: &[String],
) -> std::result::Result<(), Stop> {
    let rows = tx.query("SELECT id, samples FROM capture_dictionaries", &[])?;
    let mut ids = Vec::new();
    for r in rows {
        let (id, samples): (i64, String) = (r.try_get(0)?, r.try_get(1)?);
        let trained_on_removed = serde_json::from_str::<Vec<String>>(&samples)
            .map(|s| s.iter().any(|d| removed.contains(d)))
            .unwrap_or(true);
        if trained_on_removed {
            ids.push(id);
        }
    }
    let io = |e: std::io::Error| {
        Stop::Arshif(Error::Internal(format!(
            "a capture could not be recompressed: {e}"
        )))
    };
    for id in &ids {
        let dictionary: Vec<u8> = tx
            .query_one(
                "SELECT content FROM capture_dictionaries WHERE id = $1",
                &[id],
            )?
            .try_get(0)?;
        let captures = tx.query(
            "SELECT digest, content FROM captures WHERE dictionary_id = $1",
            &[id],
        )?;
        let mut compressor = zstd::bulk::Compressor::new(ZSTD_LEVEL).map_err(io)?;
        for r in captures {
            let (digest, content): (String, Vec<u8>) = (r.try_get(0)?, r.try_get(1)?);
            let plain = recompressed_without(&dictionary, &content, &mut compressor).map_err(io)?;
            tx.execute(
                "UPDATE captures SET content = $2, stored_bytes = $3, dictionary_id = NULL
                 WHERE digest = $1",
                &[&digest, &plain, &(plain.len() as i64)],
            )?;
        }
        tx.execute("DELETE FROM capture_dictionaries WHERE id = $1", &[id])?;
    }
    Ok(())
}
