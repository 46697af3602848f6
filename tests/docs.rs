//! `docs/schema.md` and the Datasette metadata against the schema: every column of every view
//! and table, and every fetch outcome, is documented; nothing documented is missing.

use std::collections::BTreeSet;
use std::path::Path;

use arshif::model::FetchOutcome;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The page that documents the database.
fn schema_doc() -> String {
    std::fs::read_to_string(root().join("docs/schema.md")).unwrap()
}

/// The backticked names of a table cell outside parentheses (`` `url`, `host` (`host:port`),
/// since schema 3 `born_at` `` gives url, host, born_at).
fn names_in(cell: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut depth = 0;
    let mut rest = cell;
    while let Some(c) = rest.chars().next() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            '`' => {
                let end = rest[1..].find('`').map_or(rest.len(), |e| e + 1);
                if depth == 0 {
                    out.insert(rest[1..end].to_string());
                }
                rest = &rest[(end + 1).min(rest.len())..];
                continue;
            }
            _ => {}
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The rows of the markdown table whose header starts with `header`: first cell (unquoted) to
/// the row's cells.
fn table(doc: &str, header: &str) -> Vec<(String, Vec<String>)> {
    let mut lines = doc.lines().skip_while(|l| !l.starts_with(header));
    lines.next().expect(header);
    lines
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<String> = l
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect();
            (cells[0].trim_matches('`').to_string(), cells)
        })
        .collect()
}

fn columns(conn: &rusqlite::Connection, name: &str) -> BTreeSet<String> {
    let mut stmt = conn
        .prepare(&format!("SELECT name FROM pragma_table_info('{name}')"))
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn fresh_archive() -> (tempfile::TempDir, rusqlite::Connection) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    drop(arshif::store::Store::open_writer(&db).unwrap());
    let conn = rusqlite::Connection::open(&db).unwrap();
    (dir, conn)
}

#[test]
fn the_views_columns_are_the_documented_ones() {
    let (_dir, conn) = fresh_archive();
    let doc = schema_doc();
    let views = table(&doc, "| view | one row per | columns |");
    assert_eq!(views.len(), 4);
    for (view, cells) in views {
        assert_eq!(names_in(&cells[2]), columns(&conn, &view), "view {view}");
    }
}

#[test]
fn every_table_column_is_documented() {
    let (_dir, conn) = fresh_archive();
    let doc = schema_doc();
    let tables = table(&doc, "| table | one row per | main columns |");
    let names: BTreeSet<String> = tables.iter().map(|(n, _)| n.clone()).collect();
    let mut stmt = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table'
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_index_%'",
        )
        .unwrap();
    let schema_tables: BTreeSet<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(names, schema_tables, "docs/schema.md's table of tables");
    for (name, cells) in tables {
        // `a.b` names a column of another table (`rowid` = `versions.id`).
        let documented: BTreeSet<String> = names_in(&cells[2])
            .into_iter()
            .filter(|c| !c.contains('.'))
            .collect();
        let mut schema = columns(&conn, &name);
        schema.remove("id");
        if name == "search_index" {
            // Documented as `rowid` = `versions.id` and its four folded columns.
            schema.insert("rowid".into());
        }
        let missing: Vec<_> = schema
            .iter()
            .filter(|c| {
                !documented.contains(*c) && !doc.contains(&format!("`{name}` also has `{c}`"))
            })
            .collect();
        assert!(missing.is_empty(), "table {name}: undocumented {missing:?}");
        let stale: Vec<_> = documented.iter().filter(|c| !schema.contains(*c)).collect();
        assert!(
            stale.is_empty(),
            "table {name}: documented but absent {stale:?}"
        );
    }
}

#[test]
fn every_fetch_outcome_is_documented() {
    let all: BTreeSet<String> = FetchOutcome::ALL
        .iter()
        .map(|o| o.as_str().to_string())
        .collect();
    assert_eq!(all.len(), FetchOutcome::ALL.len());
    let doc = schema_doc();
    let listed: Vec<String> = table(&doc, "| outcome | meaning |")
        .into_iter()
        .flat_map(|(_, cells)| names_in(&cells[0]))
        .collect();
    let documented: BTreeSet<String> = listed.iter().cloned().collect();
    assert_eq!(documented, all, "docs/schema.md's outcome table");
    assert_eq!(
        listed.len(),
        documented.len(),
        "an outcome listed twice: {listed:?}"
    );
    let metadata: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("datasette-metadata.json")).unwrap(),
    )
    .unwrap();
    let described =
        metadata["databases"]["archive.db"]["tables"]["fetch_log"]["columns"]["outcome"]
            .as_str()
            .unwrap();
    for o in &all {
        assert!(
            described.split([',', ' ']).any(|w| w == o),
            "the Datasette metadata lacks {o}"
        );
    }
}

#[test]
fn names_in_reads_cells() {
    assert_eq!(
        names_in("`url`, `host` (`host:port`), `version`, `authors` (JSON array), `a`/`b`"),
        ["a", "authors", "b", "host", "url", "version"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
}
