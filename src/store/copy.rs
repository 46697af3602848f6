//! `arshif copy`: a whole archive from one engine to the other (or the same), table by table
//! in key order, ids kept, so that the copy's exports are byte for byte the source's. Derived
//! data (search index, change statistics) is rebuilt in the target; the articles' kept
//! listing columns are set from the source last. An interrupted copy resumes where its last
//! committed batch ended.

use std::path::{Path, PathBuf};

use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use rusqlite::types::{ToSqlOutput, ValueRef};

use super::lite::Lite;
use super::postgres::Pg;
use crate::location::Location;
use crate::{Error, Result};

/// Rows moved per transaction.
const BATCH: usize = 500;

/// Environment variable (tests only): stop a copy after this many batches.
pub const TEST_STOP_AFTER: &str = "ARSHIF_TEST_COPY_STOP_AFTER";

/// One table as copied: its columns (the key first) in both engines' common names.
struct Table {
    name: &'static str,
    columns: &'static [&'static str],
}

/// In an order that satisfies every foreign key.
const TABLES: &[Table] = &[
    Table {
        name: "runs",
        columns: &[
            "id",
            "command",
            "start_url",
            "started_at",
            "finished_at",
            "status",
            "end_reason",
            "counts",
            "site",
            "resume_url",
        ],
    },
    Table {
        name: "capture_dictionaries",
        columns: &["id", "host", "trained_at", "samples", "content"],
    },
    Table {
        name: "captures",
        columns: &[
            "digest",
            "compression",
            "raw_bytes",
            "stored_bytes",
            "content_type",
            "content",
            "created_at",
            "dictionary_id",
        ],
    },
    Table {
        name: "articles",
        columns: &[
            "id",
            "url",
            "host",
            "first_seen_at",
            "last_seen_at",
            "born_at",
            "last_fetched_at",
            "version_count",
            "latest_title",
            "last_change_at",
            "gone_at",
        ],
    },
    Table {
        name: "fetches",
        columns: &[
            "id",
            "run_id",
            "article_id",
            "url",
            "requested_at",
            "status",
            "outcome",
            "error",
            "note",
            "headers",
            "bytes",
            "duration_ms",
            "etag",
            "last_modified",
            "payload_digest",
            "capture_digest",
            "request_headers",
        ],
    },
    Table {
        name: "versions",
        columns: &[
            "id",
            "article_id",
            "version",
            "fetch_id",
            "fetched_at",
            "fetched_url",
            "canonical_url",
            "title",
            "body",
            "published_at",
            "modified_at",
            "authors",
            "language",
            "content_hash",
            "extractor_version",
            "site_rules",
            "capture_digest",
        ],
    },
    Table {
        name: "redactions",
        columns: &[
            "id",
            "article_id",
            "url",
            "action",
            "at",
            "reason",
            "versions_removed",
            "captures_removed",
        ],
    },
    Table {
        name: "robots_cache",
        columns: &["host", "fetched_at", "status", "body"],
    },
];

/// The articles' columns that triggers keep, set from the source once everything is in.
const KEPT_ARTICLE_COLUMNS: &[&str] = &[
    "id",
    "born_at",
    "last_fetched_at",
    "version_count",
    "latest_title",
    "last_change_at",
    "gone_at",
];

/// One value of a row being copied.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl rusqlite::ToSql for Cell {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Cell::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Cell::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Cell::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Cell::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Cell::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

impl ToSql for Cell {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Cell::Null => Ok(IsNull::Yes),
            Cell::Int(i) => i.to_sql(ty, out),
            Cell::Real(f) => f.to_sql(ty, out),
            Cell::Text(s) => s.as_str().to_sql(ty, out),
            Cell::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::INT8 | Type::FLOAT8 | Type::TEXT | Type::VARCHAR | Type::BYTEA
        )
    }

    to_sql_checked!();
}

/// One end of a copy.
// Two per copy: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
enum End {
    Lite(Lite),
    Pg(Pg),
}

/// What a copy did, per table.
#[derive(Debug, Default)]
pub struct Copied {
    pub rows: Vec<(&'static str, u64)>,
}

/// Refuses a target that holds an archive already (or, without `resume`, a copy begun).
fn check_target(shown: &str, copying: bool, empty: bool, resume: bool) -> Result<()> {
    match (copying, resume) {
        (true, false) => Err(Error::Database {
            path: shown.into(),
            message: "a copy into it was interrupted: pass --resume to finish it".into(),
        }),
        (false, _) if !empty => Err(Error::Database {
            path: shown.into(),
            message: "it already holds an archive; copy into an empty database or a new file"
                .into(),
        }),
        (false, true) => Err(Error::Database {
            path: shown.into(),
            message: "no interrupted copy to resume; run without --resume".into(),
        }),
        _ => Ok(()),
    }
}

/// The file a copy into SQLite writes until it is complete.
fn partial_path(target: &Path) -> PathBuf {
    let mut p = target.as_os_str().to_owned();
    p.push(".partial");
    PathBuf::from(p)
}

/// Copies the archive at `from` into `to` (under the caller's writer lock of `to`; `from` is
/// read in one snapshot), calling `progress(table, rows so far)` as batches commit.
pub fn copy(
    from: &Location,
    to: &Location,
    resume: bool,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<Copied> {
    if from == to {
        return Err(Error::InvalidSetting {
            name: "--to",
            reason: "the target is the source".into(),
        });
    }
    let source = match from {
        Location::File(p) => End::Lite(Lite::open_reader(p)?),
        Location::Postgres(t) => End::Pg(Pg::open_reader(t)?),
    };
    // The source is read in one snapshot: a crawl writing to it meanwhile is not copied half.
    source.begin_snapshot()?;
    let mut target = open_target(from, to, resume)?;
    let copied = copy_tables(&source, &mut target, progress)?;
    progress("the articles' listing columns and the search index", 0);
    copy_kept_columns(&source, &mut target)?;
    finish(target, to)?;
    Ok(copied)
}

/// Every table, in key order from where the target's rows end, a batch per transaction.
fn copy_tables(
    source: &End,
    target: &mut End,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<Copied> {
    // Test-only: stop after this many batches, as a killed copy would.
    let stop_after = std::env::var(TEST_STOP_AFTER)
        .ok()
        .and_then(|v| v.parse::<usize>().ok());
    let mut batches = 0;
    let mut copied = Copied::default();
    for table in TABLES {
        let mut after = target.last_key(table)?;
        let mut n = target.count(table)?;
        loop {
            let rows = source.read(table, table.columns, after.as_ref())?;
            if rows.is_empty() {
                break;
            }
            target.insert(table, &rows)?;
            batches += 1;
            if stop_after == Some(batches) {
                return Err(Error::Interrupted);
            }
            n += rows.len() as u64;
            progress(table.name, n);
            after = rows.last().map(|r| r[0].clone());
            if rows.len() < BATCH {
                break;
            }
        }
        copied.rows.push((table.name, n));
    }
    Ok(copied)
}

/// The articles' columns that triggers kept as the copy's rows went in, set to the source's.
fn copy_kept_columns(source: &End, target: &mut End) -> Result<()> {
    let articles = TABLES
        .iter()
        .find(|t| t.name == "articles")
        .expect("listed");
    let mut after = None;
    loop {
        let rows = source.read(articles, KEPT_ARTICLE_COLUMNS, after.as_ref())?;
        if rows.is_empty() {
            return Ok(());
        }
        target.set_kept_columns(&rows)?;
        after = rows.last().map(|r| r[0].clone());
        if rows.len() < BATCH {
            return Ok(());
        }
    }
}

/// Rebuilds what is derived from the versions, then lets the copy be opened: a SQLite copy is
/// renamed into place, a PostgreSQL one unmarked.
fn finish(mut target: End, to: &Location) -> Result<()> {
    match &mut target {
        End::Lite(l) => {
            l.reindex()?;
            drop(target);
            if let Location::File(path) = to {
                std::fs::rename(partial_path(path), path).map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
            }
            Ok(())
        }
        End::Pg(p) => {
            p.reindex()?;
            p.after_copy()
        }
    }
}

fn open_target(from: &Location, to: &Location, resume: bool) -> Result<End> {
    match to {
        Location::File(path) => {
            let partial = partial_path(path);
            let shown = path.display().to_string();
            let exists = path.exists() && std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
            if exists {
                return Err(Error::Database {
                    path: path.clone(),
                    message: "it already exists; copy into a new file".into(),
                });
            }
            check_target(&shown, partial.exists(), true, resume)?;
            Ok(End::Lite(Lite::open_writer(&partial)?))
        }
        Location::Postgres(t) => {
            let pg = Pg::open_copy_target(t)?;
            let copying = pg.copying()?;
            check_target(&t.to_string(), copying, pg.is_empty()?, resume)?;
            if !copying {
                pg.mark_copy(&from.to_string())?;
            }
            Ok(End::Pg(pg))
        }
    }
}

impl End {
    /// Starts the read transaction every later read of this end sees.
    fn begin_snapshot(&self) -> Result<()> {
        match self {
            End::Lite(l) => l.conn.execute_batch("BEGIN").map_err(|e| l.err(e)),
            End::Pg(p) => p.with_client(|c| {
                c.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            }),
        }
    }

    /// Up to `BATCH` rows of `columns` (the key first) after the key `after`, in key order.
    fn read(
        &self,
        table: &Table,
        columns: &[&str],
        after: Option<&Cell>,
    ) -> Result<Vec<Vec<Cell>>> {
        let key = columns[0];
        let list = columns.join(", ");
        // Before the first row: a key below every stored one (text keys are never empty), so
        // that each batch is one range of the key's index.
        let after = after.cloned().unwrap_or(match table.name {
            "captures" | "robots_cache" => Cell::Text(String::new()),
            _ => Cell::Int(i64::MIN),
        });
        match self {
            End::Lite(l) => {
                let sql = format!(
                    "SELECT {list} FROM {t} WHERE {key} > ?1 ORDER BY {key} LIMIT ?2",
                    t = table.name
                );
                let mut stmt = l.conn.prepare_cached(&sql).map_err(|e| l.err(e))?;
                let rows = stmt
                    .query_map(rusqlite::params![after, BATCH as i64], |r| {
                        (0..columns.len())
                            .map(|i| {
                                Ok(match r.get_ref(i)? {
                                    ValueRef::Null => Cell::Null,
                                    ValueRef::Integer(n) => Cell::Int(n),
                                    ValueRef::Real(f) => Cell::Real(f),
                                    ValueRef::Text(t) => {
                                        Cell::Text(String::from_utf8_lossy(t).into_owned())
                                    }
                                    ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
                                })
                            })
                            .collect::<rusqlite::Result<Vec<_>>>()
                    })
                    .map_err(|e| l.err(e))?;
                rows.collect::<rusqlite::Result<Vec<_>>>()
                    .map_err(|e| l.err(e))
            }
            End::Pg(p) => {
                let sql = format!(
                    "SELECT {list} FROM {t} WHERE {key} > $1 ORDER BY {key} LIMIT $2",
                    t = table.name
                );
                p.copy_rows(&sql, &[&after, &(BATCH as i64)])
            }
        }
    }

    fn last_key(&self, table: &Table) -> Result<Option<Cell>> {
        let key = table.columns[0];
        let sql = format!("SELECT max({key}) FROM {}", table.name);
        match self {
            End::Lite(l) => l
                .conn
                .query_row(&sql, [], |r| {
                    Ok(match r.get_ref(0)? {
                        ValueRef::Integer(n) => Some(Cell::Int(n)),
                        ValueRef::Text(t) => Some(Cell::Text(String::from_utf8_lossy(t).into())),
                        _ => None,
                    })
                })
                .map_err(|e| l.err(e)),
            End::Pg(p) => Ok(p
                .copy_rows(&sql, &[])?
                .pop()
                .and_then(|mut r| r.pop())
                .filter(|c| *c != Cell::Null)),
        }
    }

    fn count(&self, table: &Table) -> Result<u64> {
        let sql = format!("SELECT count(*) FROM {}", table.name);
        let n = match self {
            End::Lite(l) => l
                .conn
                .query_row(&sql, [], |r| r.get::<_, i64>(0))
                .map_err(|e| l.err(e))?,
            End::Pg(p) => match p.copy_rows(&sql, &[])?.first().and_then(|r| r.first()) {
                Some(Cell::Int(n)) => *n,
                _ => 0,
            },
        };
        Ok(n as u64)
    }

    fn insert(&mut self, table: &Table, rows: &[Vec<Cell>]) -> Result<()> {
        let list = table.columns.join(", ");
        match self {
            End::Lite(l) => {
                let marks: Vec<String> =
                    (1..=table.columns.len()).map(|i| format!("?{i}")).collect();
                let sql = format!(
                    "INSERT INTO {} ({list}) VALUES ({})",
                    table.name,
                    marks.join(", ")
                );
                l.write_rows(&sql, rows)
            }
            // PostgreSQL's binary COPY: one stream per batch, not a statement per row.
            End::Pg(p) => p.copy_in(table.name, &list, rows),
        }
    }

    fn set_kept_columns(&mut self, rows: &[Vec<Cell>]) -> Result<()> {
        let sets = |mark: &dyn Fn(usize) -> String| {
            KEPT_ARTICLE_COLUMNS[1..]
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c} = {}", mark(i + 2)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            End::Lite(l) => {
                let sql = format!(
                    "UPDATE articles SET {} WHERE id = ?1",
                    sets(&|i| format!("?{i}"))
                );
                l.write_rows(&sql, rows)
            }
            End::Pg(p) => {
                let sql = format!(
                    "UPDATE articles SET {} WHERE id = $1",
                    sets(&|i| format!("${i}"))
                );
                p.write_rows(&sql, rows)
            }
        }
    }
}

impl Lite {
    /// Runs `sql` once per row, in one transaction.
    fn write_rows(&mut self, sql: &str, rows: &[Vec<Cell>]) -> Result<()> {
        let path = self.path.clone();
        let err = |e| super::sqlite(&path, e);
        let tx = self.write_tx().map_err(err)?;
        {
            let mut stmt = tx.prepare_cached(sql).map_err(err)?;
            for row in rows {
                stmt.execute(rusqlite::params_from_iter(row.iter()))
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }
}

impl Pg {
    fn copy_rows(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Vec<Cell>>> {
        let rows = self.rows(sql, params)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut cells = Vec::with_capacity(r.len());
            for (i, c) in r.columns().iter().enumerate() {
                let got = match *c.type_() {
                    Type::INT8 => r.try_get::<_, Option<i64>>(i).map(|v| v.map(Cell::Int)),
                    Type::INT4 => r
                        .try_get::<_, Option<i32>>(i)
                        .map(|v| v.map(|n| Cell::Int(n.into()))),
                    Type::FLOAT8 => r.try_get::<_, Option<f64>>(i).map(|v| v.map(Cell::Real)),
                    Type::BYTEA => r
                        .try_get::<_, Option<Vec<u8>>>(i)
                        .map(|v| v.map(Cell::Blob)),
                    _ => r.try_get::<_, Option<String>>(i).map(|v| v.map(Cell::Text)),
                };
                cells.push(got.map_err(|e| self.err(e))?.unwrap_or(Cell::Null));
            }
            out.push(cells);
        }
        Ok(out)
    }

    fn write_rows(&self, sql: &str, rows: &[Vec<Cell>]) -> Result<()> {
        self.with_client(|c| {
            let mut tx = c.transaction()?;
            let stmt = tx.prepare(sql)?;
            for row in rows {
                let params: Vec<&(dyn ToSql + Sync)> =
                    row.iter().map(|c| c as &(dyn ToSql + Sync)).collect();
                tx.execute(&stmt, &params)?;
            }
            tx.commit()
        })
    }

    /// Rows streamed into `table` with binary COPY, in one transaction.
    fn copy_in(&self, table: &str, columns: &str, rows: &[Vec<Cell>]) -> Result<()> {
        self.with_client(|c| {
            let mut tx = c.transaction()?;
            let types: Vec<Type> = tx
                .prepare(&format!("SELECT {columns} FROM {table} LIMIT 0"))?
                .columns()
                .iter()
                .map(|c| c.type_().clone())
                .collect();
            let sink = tx.copy_in(&format!("COPY {table} ({columns}) FROM STDIN BINARY"))?;
            let mut writer = postgres::binary_copy::BinaryCopyInWriter::new(sink, &types);
            for row in rows {
                let values: Vec<&(dyn ToSql + Sync)> =
                    row.iter().map(|c| c as &(dyn ToSql + Sync)).collect();
                writer.write(&values)?;
            }
            writer.finish()?;
            tx.commit()
        })
    }

    /// Identity counters continue after the copied ids, the planner learns the tables' new
    /// contents (without statistics it would scan the search table for a rare word); the copy
    /// is marked finished.
    fn after_copy(&self) -> Result<()> {
        for table in [
            "runs",
            "capture_dictionaries",
            "articles",
            "fetches",
            "versions",
            "redactions",
        ] {
            self.rows(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                                   (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                ),
                &[],
            )?;
        }
        self.with_client(|c| c.batch_execute("ANALYZE"))?;
        self.finish_copy()
    }
}
