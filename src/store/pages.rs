//! A fetched page's commit: its fetch-log rows, its capture (stored once per digest), its
//! article and version, in one transaction; and the reads the walk needs before it (the
//! validators of a URL, an article's latest version, a stored capture).

use rusqlite::{OptionalExtension, params};

use super::dictionary::DictionaryRows;
use super::{Lite, index, query, sqlite};
use crate::fetch::Validators;
use crate::model::FetchOutcome;
use crate::{Error, Result};

/// One fetch-log row.
#[derive(Debug, Clone)]
pub struct FetchRow {
    pub url: String,
    pub requested_at: String,
    pub status: Option<u16>,
    pub outcome: FetchOutcome,
    pub error: Option<String>,
    pub note: Option<String>,
    pub headers: Option<String>,
    pub request_headers: Option<String>,
    pub bytes: Option<i64>,
    pub duration_ms: Option<i64>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub payload_digest: Option<String>,
}

impl FetchRow {
    /// A row with what every row has: the URL, when, and how it ended; nothing else known.
    pub fn new(url: String, requested_at: String, outcome: FetchOutcome) -> Self {
        FetchRow {
            url,
            requested_at,
            status: None,
            outcome,
            error: None,
            note: None,
            headers: None,
            request_headers: None,
            bytes: None,
            duration_ms: None,
            etag: None,
            last_modified: None,
            payload_digest: None,
        }
    }
}

/// A payload to keep.
#[derive(Debug, Clone)]
pub struct CaptureWrite {
    pub digest: String,
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
}

/// A version to append.
#[derive(Debug, Clone)]
pub struct VersionWrite {
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
    pub site_rules: String,
}

/// The article a page belongs to.
#[derive(Debug, Clone)]
pub struct ArticleWrite {
    pub url: String,
    pub host: String,
    pub seen_at: String,
    pub version: Option<VersionWrite>,
}

/// Everything one processed page writes, committed together.
#[derive(Debug, Clone, Default)]
pub struct PageCommit {
    pub run_id: Option<i64>,
    /// All attempts in order; the last one is the page's final fetch.
    pub rows: Vec<FetchRow>,
    /// Stored when given (and linked from the final fetch row).
    pub capture: Option<CaptureWrite>,
    pub article: Option<ArticleWrite>,
    /// The run's next pending page, written with the page (see [`Store::set_resume`]).
    pub resume_url: Option<String>,
}

/// What a commit wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Committed {
    pub article_id: Option<i64>,
    pub version: Option<i64>,
}

/// The latest version of an article, as needed for the versioning decision.
#[derive(Debug, Clone)]
pub struct LatestVersion {
    pub version: i64,
    pub content_hash: String,
    pub extractor_version: String,
    pub site_rules: String,
    pub capture_digest: String,
    pub fetched_url: String,
    pub fetched_at: String,
    pub published_at: Option<String>,
    pub modified_at: Option<String>,
    pub authors: Vec<String>,
}

impl Lite {
    /// Validators of the latest fetch of `url` whose payload is stored (so that a 304 can be
    /// served from the archive), with that capture's digest.
    pub fn validators_for(&self, url: &str) -> Result<Option<(Validators, String)>> {
        self.conn
            .prepare_cached(
                "SELECT etag, last_modified, capture_digest FROM fetches
                 WHERE url = ?1 AND status = 200 AND capture_digest IS NOT NULL
                   AND (etag IS NOT NULL OR last_modified IS NOT NULL)
                 ORDER BY id DESC LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(params![url], |r| {
                    Ok((
                        Validators {
                            etag: r.get(0)?,
                            last_modified: r.get(1)?,
                        },
                        r.get::<_, String>(2)?,
                    ))
                })
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The article id that a fetch of `fetched_url` with this stored capture belonged to.
    pub fn article_of_capture(&self, url: &str, digest: &str) -> Result<Option<(i64, String)>> {
        self.conn
            .prepare_cached(
                "SELECT a.id, a.url FROM fetches f JOIN articles a ON a.id = f.article_id
                 WHERE f.url = ?1 AND f.capture_digest = ?2 ORDER BY f.id DESC LIMIT 1",
            )
            .and_then(|mut s| s.query_row(params![url, digest], |r| Ok((r.get(0)?, r.get(1)?))))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// A stored payload, decompressed, with its content type.
    pub fn load_capture(&self, digest: &str) -> Result<Option<(Vec<u8>, Option<String>)>> {
        type Row = (String, Vec<u8>, Option<String>, Option<i64>);
        let row: Option<Row> = self
            .conn
            .prepare_cached(
                "SELECT compression, content, content_type, dictionary_id FROM captures
                 WHERE digest = ?1",
            )
            .and_then(|mut s| {
                s.query_row(params![digest], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
            })
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((compression, content, content_type, dictionary_id)) = row else {
            return Ok(None);
        };
        let bytes = match compression.as_str() {
            "zstd" => self.decompress_capture(digest, &content, dictionary_id)?,
            _ => content,
        };
        Ok(Some((bytes, content_type)))
    }

    /// The article stored under `url`, if any.
    pub fn article_id(&self, url: &str) -> Result<Option<i64>> {
        self.conn
            .prepare_cached("SELECT id FROM articles WHERE url = ?1")
            .and_then(|mut s| s.query_row(params![url], |r| r.get(0)))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Whether `fetched_url` was ever fetched as part of article `article_id`.
    pub fn article_was_fetched_from(&self, article_id: i64, fetched_url: &str) -> Result<bool> {
        self.conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM versions WHERE article_id = ?1 AND fetched_url = ?2)
                     OR EXISTS (SELECT 1 FROM fetches WHERE article_id = ?1 AND url = ?2)",
            )
            .and_then(|mut s| s.query_row(params![article_id, fetched_url], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    pub fn latest_version(&self, article_id: i64) -> Result<Option<LatestVersion>> {
        self.conn
            .prepare_cached(
                "SELECT version, content_hash, extractor_version, site_rules, capture_digest,
                        fetched_url, fetched_at, published_at, modified_at, authors
                 FROM versions WHERE article_id = ?1 ORDER BY version DESC LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(params![article_id], |r| {
                    Ok(LatestVersion {
                        version: r.get(0)?,
                        content_hash: r.get(1)?,
                        extractor_version: r.get(2)?,
                        site_rules: r.get(3)?,
                        capture_digest: r.get(4)?,
                        fetched_url: r.get(5)?,
                        fetched_at: r.get(6)?,
                        published_at: r.get(7)?,
                        modified_at: r.get(8)?,
                        authors: query::authors(r, 9)?,
                    })
                })
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Writes one processed page in a single transaction.
    pub fn commit_page(&mut self, page: &PageCommit) -> Result<Committed> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| sqlite(&path, e);
        // Compressed before the write lock is taken; a capture already stored is not redone.
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
        let mut stored = 0;
        let tx = self.write_tx().map_err(err)?;
        if let (Some(c), Some((compressed, dictionary_id))) = (&page.capture, compressed) {
            stored = tx.prepare_cached("INSERT OR IGNORE INTO captures (digest, compression, raw_bytes, stored_bytes, content_type, content, created_at, dictionary_id)
                 VALUES (?1, 'zstd', ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?6)").and_then(|mut s| s.execute(params![c.digest, c.bytes.len() as i64, compressed.len() as i64, c.content_type, compressed, dictionary_id]))
            .map_err(err)?;
        }
        if let (Some(run_id), Some(next)) = (page.run_id, &page.resume_url) {
            tx.prepare_cached("UPDATE runs SET resume_url = ?2 WHERE id = ?1")
                .and_then(|mut s| s.execute(params![run_id, next]))
                .map_err(err)?;
        }
        let article_id = match &page.article {
            Some(a) => {
                tx.prepare_cached("INSERT INTO articles (url, host, first_seen_at, last_seen_at) VALUES (?1, ?2, ?3, ?3)
                     ON CONFLICT (url) DO UPDATE SET last_seen_at = excluded.last_seen_at").and_then(|mut s| s.execute(params![a.url, a.host, a.seen_at]))
                .map_err(err)?;
                Some(
                    tx.prepare_cached("SELECT id FROM articles WHERE url = ?1")
                        .and_then(|mut s| s.query_row(params![a.url], |r| r.get::<_, i64>(0)))
                        .map_err(err)?,
                )
            }
            // A page that gave no article (a 404, a failure) still belongs to the article last
            // fetched from its URL, so that history shows "gone on …".
            None => match page.rows.last() {
                Some(row) => tx
                    .prepare_cached(
                        "SELECT article_id FROM fetches WHERE url = ?1 AND article_id IS NOT NULL
                         ORDER BY id DESC LIMIT 1",
                    )
                    .and_then(|mut s| s.query_row(params![row.url], |r| r.get::<_, i64>(0)))
                    .optional()
                    .map_err(err)?,
                None => None,
            },
        };
        let mut last_fetch_id = None;
        let n = page.rows.len();
        for (i, row) in page.rows.iter().enumerate() {
            let capture = if i + 1 == n {
                page.capture.as_ref().map(|c| c.digest.as_str())
            } else {
                None
            };
            tx.prepare_cached("INSERT INTO fetches (run_id, article_id, url, requested_at, status, outcome, error, note, headers,
                                      bytes, duration_ms, etag, last_modified, payload_digest, capture_digest,
                                      request_headers)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)").and_then(|mut s| s.execute(params![
                    page.run_id,
                    article_id,
                    row.url,
                    row.requested_at,
                    row.status,
                    row.outcome.as_str(),
                    row.error,
                    row.note,
                    row.headers,
                    row.bytes,
                    row.duration_ms,
                    row.etag,
                    row.last_modified,
                    row.payload_digest,
                    capture,
                    row.request_headers
                ]))
            .map_err(err)?;
            last_fetch_id = Some(tx.last_insert_rowid());
        }
        let mut version = None;
        if let (Some(article_id), Some(a)) = (article_id, &page.article)
            && let Some(v) = &a.version
        {
            let (Some(fetch_id), Some(capture)) = (last_fetch_id, &page.capture) else {
                return Err(Error::Internal(
                    "a version was committed without its fetch and capture".into(),
                ));
            };
            let next: i64 = tx
                .prepare_cached(
                    "SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE article_id = ?1",
                )
                .and_then(|mut s| s.query_row(params![article_id], |r| r.get(0)))
                .map_err(err)?;
            let authors = serde_json::to_string(&v.authors).unwrap_or_else(|_| "[]".into());
            tx.prepare_cached("INSERT INTO versions (article_id, version, fetch_id, fetched_at, fetched_url, canonical_url, title, body,
                                       published_at, modified_at, authors, language, content_hash,
                                       extractor_version, site_rules, capture_digest)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)").and_then(|mut s| s.execute(params![
                    article_id,
                    next,
                    fetch_id,
                    v.fetched_at,
                    v.fetched_url,
                    v.canonical_url,
                    v.title,
                    v.body,
                    v.published_at,
                    v.modified_at,
                    authors,
                    v.language,
                    v.content_hash,
                    v.extractor_version,
                    v.site_rules,
                    capture.digest
                ]))
            .map_err(err)?;
            let version_id = tx.last_insert_rowid();
            index::add_version(&tx, version_id, v.title.as_deref(), &v.body).map_err(err)?;
            index::record_change(&tx, version_id).map_err(err)?;
            version = Some(next);
        }
        tx.commit().map_err(err)?;
        if let Some(site) = site.filter(|_| stored > 0) {
            self.capture_committed(&site)?;
        }
        Ok(Committed {
            article_id,
            version,
        })
    }

    fn has_capture(&self, digest: &str) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM captures WHERE digest = ?1)")
            .and_then(|mut s| s.query_row(params![digest], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::super::lite::temp_db;
    use super::*;

    #[test]
    fn versions_are_append_only() {
        let (_d, path) = temp_db();
        let mut s = Lite::open_writer(&path).unwrap();
        let page = PageCommit {
            run_id: None,
            rows: vec![FetchRow {
                status: Some(200),
                ..FetchRow::new(
                    "http://a/x".into(),
                    "2026-11-20T00:00:00Z".into(),
                    FetchOutcome::Archived,
                )
            }],
            capture: Some(CaptureWrite {
                digest: "sha256:00".into(),
                bytes: b"<p>x</p>".to_vec(),
                content_type: Some("text/html".into()),
            }),
            article: Some(ArticleWrite {
                url: "http://a/x".into(),
                host: "a:80".into(),
                seen_at: "2026-11-20T00:00:00Z".into(),
                version: Some(VersionWrite {
                    fetched_at: "2026-11-20T00:00:00Z".into(),
                    fetched_url: "http://a/x".into(),
                    canonical_url: None,
                    title: Some("t".into()),
                    body: "b".into(),
                    published_at: None,
                    modified_at: None,
                    authors: vec![],
                    language: None,
                    content_hash: "h".into(),
                    extractor_version: "e".into(),
                    site_rules: "generic".into(),
                }),
            }),
            resume_url: None,
        };
        let c = s.commit_page(&page).unwrap();
        assert_eq!(c.version, Some(1));
        assert_eq!(s.load_capture("sha256:00").unwrap().unwrap().0, b"<p>x</p>");
        assert!(
            s.conn
                .prepare_cached("UPDATE versions SET body = 'x'")
                .and_then(|mut s| s.execute([]))
                .is_err()
        );
        assert!(
            s.conn
                .prepare_cached("DELETE FROM versions")
                .and_then(|mut s| s.execute([]))
                .is_err()
        );
        let c2 = s.commit_page(&page).unwrap();
        assert_eq!(c2.version, Some(2));

        // A version without its capture breaks the store's own invariant: a bug (exit 1), not
        // the user's database to fix (exit 3).
        let mut broken = page;
        broken.capture = None;
        let e = s.commit_page(&broken).unwrap_err();
        assert!(matches!(e, Error::Internal(_)) && !e.is_usage(), "{e}");
    }

    #[test]
    fn unreadable_authors_are_an_error_not_an_empty_list() {
        let (_d, path) = temp_db();
        let s = Lite::open_writer(&path).unwrap();
        s.conn
            .execute_batch(
                "INSERT INTO articles (id, url, host, first_seen_at, last_seen_at)
                   VALUES (1, 'http://a/x', 'a:80', 't0', 't0');
                 INSERT INTO captures (digest, compression, raw_bytes, stored_bytes, content_type, content, created_at)
                   VALUES ('sha256:00', 'zstd', 1, 1, NULL, x'00', 't0');
                 INSERT INTO fetches (id, article_id, url, requested_at, status, outcome, capture_digest)
                   VALUES (1, 1, 'http://a/x', 't0', 200, 'archived', 'sha256:00');
                 INSERT INTO versions (article_id, version, fetch_id, fetched_at, fetched_url, title,
                                       body, authors, content_hash, extractor_version, site_rules,
                                       capture_digest)
                   VALUES (1, 1, 1, 't0', 'http://a/x', 't', 'b', 'Ahmed, Sara', 'h', 'e', 'generic',
                           'sha256:00');",
            )
            .unwrap();
        assert!(s.latest_version(1).is_err());
        let listed = s.for_each_version(&Default::default(), |_, _| Ok(()));
        assert!(listed.is_err());
    }
}
