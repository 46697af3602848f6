//! Derived tables kept in step with `versions` in the same transaction: the folded full-text
//! index (`search_index`) and the change statistics (`version_changes`).

use rusqlite::{Connection, OptionalExtension, params};

use crate::{diff, search};

/// Indexes one version's folded title and body, and their light stems, under the version's id.
pub(super) fn add_version(
    conn: &Connection,
    version_id: i64,
    title: Option<&str>,
    body: &str,
) -> rusqlite::Result<()> {
    let [title, body, title_stems, body_stems] = indexed_values(title, body);
    conn.prepare_cached(
        "INSERT INTO search_index (rowid, title, body, title_stems, body_stems)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut s| s.execute(params![version_id, title, body, title_stems, body_stems]))?;
    Ok(())
}

/// What the index holds for a version: folded title and body, and their light stems.
pub(super) fn indexed_values(title: Option<&str>, body: &str) -> [String; 4] {
    let (title, body) = (search::fold(title.unwrap_or("")), search::fold(body));
    let (title_stems, body_stems) = (search::stems(&title), search::stems(&body));
    [title, body, title_stems, body_stems]
}

/// Records what a version changed against the article's previous version (nothing for a first).
pub(super) fn record_change(conn: &Connection, version_id: i64) -> rusqlite::Result<()> {
    let pair: Option<(Option<String>, String, Option<String>, String)> = conn
        .prepare_cached(
            "SELECT p.title, p.body, v.title, v.body FROM versions v
             JOIN versions p ON p.article_id = v.article_id
             WHERE v.id = ?1 AND p.version < v.version
             ORDER BY p.version DESC LIMIT 1",
        )
        .and_then(|mut s| {
            s.query_row(params![version_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
        })
        .optional()?;
    let Some((old_title, old_body, new_title, new_body)) = pair else {
        return Ok(());
    };
    let summary = diff::summarize(&diff::words(&old_body, &new_body));
    conn.prepare_cached("INSERT OR REPLACE INTO version_changes (version_id, title_changed, chars_added, chars_removed)
         VALUES (?1, ?2, ?3, ?4)").and_then(|mut s| s.execute(params![
            version_id,
            old_title != new_title,
            summary.chars_added as i64,
            summary.chars_removed as i64
        ]))?;
    Ok(())
}

/// Rebuilds both derived tables from `versions` (migration 2 and `arshif reindex`).
///
/// The change statistics are computed first and the index built after, in a pass of its own:
/// a statement that opens a savepoint (`INSERT OR REPLACE` does) makes FTS5 flush the terms it
/// holds in memory, so interleaving the two wrote one index segment per version and spent a
/// third of the rebuild merging them.
pub(super) fn rebuild(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute_batch(
        "INSERT INTO search_index (search_index) VALUES ('delete-all');
         DELETE FROM version_changes;",
    )?;
    let mut later = conn.prepare("SELECT id FROM versions WHERE version > 1 ORDER BY id")?;
    let mut rows = later.query([])?;
    while let Some(r) = rows.next()? {
        record_change(conn, r.get(0)?)?;
    }
    let mut all = conn.prepare("SELECT id, title, body FROM versions ORDER BY id")?;
    let mut rows = all.query([])?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let title: Option<String> = r.get(1)?;
        let body: String = r.get(2)?;
        add_version(conn, id, title.as_deref(), &body)?;
        n += 1;
    }
    conn.execute_batch("INSERT INTO search_index (search_index) VALUES ('optimize');")?;
    Ok(n)
}

/// Removes one version from both derived tables (a takedown). A contentless FTS5 table forgets
/// a row through its 'delete' command given the values that were indexed, so they are rebuilt
/// from the version the same way [`add_version`] built them.
pub(super) fn remove_version(conn: &Connection, version_id: i64) -> rusqlite::Result<()> {
    let (title, body): (Option<String>, String) = conn
        .prepare_cached("SELECT title, body FROM versions WHERE id = ?1")
        .and_then(|mut s| s.query_row(params![version_id], |r| Ok((r.get(0)?, r.get(1)?))))?;
    let [title, body, title_stems, body_stems] = indexed_values(title.as_deref(), &body);
    conn.prepare_cached(
        "INSERT INTO search_index (search_index, rowid, title, body, title_stems, body_stems)
         VALUES ('delete', ?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut s| s.execute(params![version_id, title, body, title_stems, body_stems]))?;
    conn.prepare_cached("DELETE FROM version_changes WHERE version_id = ?1")
        .and_then(|mut s| s.execute(params![version_id]))?;
    Ok(())
}
