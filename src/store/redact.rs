//! Takedowns: `redact` removes an article's text and captures and leaves a tombstone; it is the
//! one exception to append-only, logged in `redactions` (itself append-only). `unredact` lifts
//! the tombstone so the article may be archived again; what was removed stays removed.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Lite, index, sqlite};
use crate::{Error, Result};

/// One entry of the takedown log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Redaction {
    pub url: String,
    pub action: String,
    pub at: String,
    pub reason: String,
    pub versions_removed: i64,
    pub captures_removed: i64,
}

impl Redaction {
    /// The record of a takedown lifted.
    pub(super) fn lift(url: String, at: &str, reason: &str) -> Self {
        Redaction {
            url,
            action: "unredact".into(),
            at: at.to_string(),
            reason: reason.to_string(),
            versions_removed: 0,
            captures_removed: 0,
        }
    }
}

impl Lite {
    /// Removes every version, search entry, change record and capture of one article (captures
    /// another article shares are kept), blanks the notes and digests of its fetches, and logs
    /// the takedown. Freed pages are overwritten (`secure_delete`) and the WAL is truncated, so
    /// the text does not linger in the file.
    pub fn redact(&mut self, article_id: i64, reason: &str, at: &str) -> Result<Redaction> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| sqlite(&path, e);
        self.conn
            .execute_batch("PRAGMA secure_delete = ON;")
            .map_err(err)?;
        let tx = self.write_tx().map_err(err)?;
        let (url, state) = article_state(&tx, article_id).map_err(err)?;
        if let Some(last) = state.filter(|s| s.action == "redact") {
            return Err(Error::NotInArchive(format!(
                "{url} was already redacted on {}",
                last.at
            )));
        }
        let version_ids: Vec<i64> = column(
            &tx,
            "SELECT id FROM versions WHERE article_id = ?1",
            article_id,
        )
        .map_err(err)?;
        let digests: Vec<String> = column(
            &tx,
            "SELECT capture_digest FROM versions WHERE article_id = ?1
             UNION SELECT capture_digest FROM fetches
                   WHERE article_id = ?1 AND capture_digest IS NOT NULL",
            article_id,
        )
        .map_err(err)?;
        let mut removable = Vec::new();
        for d in digests {
            let shared: bool = tx
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM fetches WHERE capture_digest = ?1 AND article_id != ?2)
                         OR EXISTS (SELECT 1 FROM versions WHERE capture_digest = ?1 AND article_id != ?2)",
                    params![d, article_id],
                    |r| r.get(0),
                )
                .map_err(err)?;
            if !shared {
                removable.push(d);
            }
        }
        let entry = Redaction {
            url: url.clone(),
            action: "redact".into(),
            at: at.to_string(),
            reason: reason.to_string(),
            versions_removed: version_ids.len() as i64,
            captures_removed: removable.len() as i64,
        };
        log(&tx, article_id, &entry).map_err(err)?;
        for id in &version_ids {
            index::remove_version(&tx, *id).map_err(err)?;
        }
        tx.execute(
            "DELETE FROM versions WHERE article_id = ?1",
            params![article_id],
        )
        .map_err(err)?;
        tx.execute(
            "UPDATE fetches SET capture_digest = NULL, payload_digest = NULL, note = NULL
             WHERE article_id = ?1",
            params![article_id],
        )
        .map_err(err)?;
        // A dictionary trained on a removed capture may hold fragments of it.
        super::dictionary::drop_dictionaries_trained_on(&tx, &path, &removable)?;
        for d in &removable {
            tx.execute(
                "UPDATE fetches SET capture_digest = NULL, payload_digest = NULL WHERE capture_digest = ?1",
                params![d],
            )
            .map_err(err)?;
            tx.execute("DELETE FROM captures WHERE digest = ?1", params![d])
                .map_err(err)?;
        }
        tx.execute_batch("INSERT INTO search_index (search_index) VALUES ('optimize');")
            .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(entry)
    }

    /// Rewrites the file so that no removed text survives in free space, unused parts of pages
    /// or the WAL (`VACUUM`, then a truncating checkpoint). Err when another connection holds
    /// the database open in a transaction: the removal is committed, but old pages may linger
    /// until this is run again.
    pub fn purge_free_space(&self) -> Result<()> {
        let err = |e: rusqlite::Error| sqlite(&self.path, e);
        self.conn.execute_batch("VACUUM;").map_err(err)?;
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
            .map_err(err)?;
        if busy != 0 {
            return Err(Error::Database {
                path: self.path.clone(),
                message: "another process is reading the archive, so old pages stay in the \
                          write-ahead log until it stops"
                    .into(),
            });
        }
        Ok(())
    }

    /// Lifts a takedown: the article may be archived again (from version 1 of what it says then).
    pub fn unredact(&mut self, article_id: i64, reason: &str, at: &str) -> Result<Redaction> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| sqlite(&path, e);
        let tx = self.write_tx().map_err(err)?;
        let (url, state) = article_state(&tx, article_id).map_err(err)?;
        if state.as_ref().is_none_or(|s| s.action != "redact") {
            return Err(Error::NotInArchive(format!("{url} is not redacted")));
        }
        let entry = Redaction::lift(url, at, reason);
        log(&tx, article_id, &entry).map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(entry)
    }

    /// Whether any of `urls` (article keys or fetched URLs) belongs to an article under a takedown.
    pub fn is_redacted(&self, urls: &[&str]) -> Result<bool> {
        for url in urls {
            let hit: bool = self
                .conn
                .prepare_cached(
                    "SELECT EXISTS (
                       SELECT 1 FROM articles a
                       WHERE (a.url = ?1 OR a.id IN (SELECT article_id FROM fetches WHERE url = ?1))
                         AND (SELECT action FROM redactions WHERE article_id = a.id
                              ORDER BY id DESC LIMIT 1) = 'redact')",
                )
                .and_then(|mut s| s.query_row(params![url], |r| r.get(0)))
                .map_err(|e| self.err(e))?;
            if hit {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The takedown log of one article, oldest first.
    pub fn redactions(&self, article_id: i64) -> Result<Vec<Redaction>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT url, action, at, reason, versions_removed, captures_removed
                 FROM redactions WHERE article_id = ?1 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![article_id], redaction_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }
}

fn redaction_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Redaction> {
    Ok(Redaction {
        url: r.get(0)?,
        action: r.get(1)?,
        at: r.get(2)?,
        reason: r.get(3)?,
        versions_removed: r.get(4)?,
        captures_removed: r.get(5)?,
    })
}

/// The article's key and its latest takedown log entry.
fn article_state(
    conn: &Connection,
    article_id: i64,
) -> rusqlite::Result<(String, Option<Redaction>)> {
    let url: String = conn.query_row(
        "SELECT url FROM articles WHERE id = ?1",
        params![article_id],
        |r| r.get(0),
    )?;
    let last = conn
        .query_row(
            "SELECT url, action, at, reason, versions_removed, captures_removed
             FROM redactions WHERE article_id = ?1 ORDER BY id DESC LIMIT 1",
            params![article_id],
            redaction_row,
        )
        .optional()?;
    Ok((url, last))
}

fn log(conn: &Connection, article_id: i64, r: &Redaction) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO redactions (article_id, url, action, at, reason, versions_removed, captures_removed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            article_id,
            r.url,
            r.action,
            r.at,
            r.reason,
            r.versions_removed,
            r.captures_removed
        ],
    )?;
    Ok(())
}

fn column<T: rusqlite::types::FromSql>(
    conn: &Connection,
    sql: &str,
    id: i64,
) -> rusqlite::Result<Vec<T>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(params![id], |r| r.get(0))?;
    rows.collect()
}
