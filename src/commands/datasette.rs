//! `arshif datasette-metadata`: Datasette metadata for an archive of any name (descriptions of
//! every table, view and column, full-text search on `versions`, canned queries).

use std::io::Write;
use std::path::Path;

use super::Exit;
use crate::cli::DatasetteArgs;
use crate::store::Store;

/// The metadata, with the database entry under `{database}`: see `datasette_metadata`.
const TEMPLATE: &str = include_str!("datasette-template.json");

pub fn run(args: DatasetteArgs) -> anyhow::Result<Exit> {
    // Only for an arshif archive this build can read (exit 3 otherwise, as every reader).
    drop(Store::open_reader(&args.archive.db)?);
    // Datasette reads SQLite files; a PostgreSQL archive is read with SQL clients instead.
    let Some(file) = args.archive.db.file() else {
        return Err(crate::Error::InvalidSetting {
            name: "--db",
            reason: "Datasette reads SQLite files: copy the archive to one with `arshif copy`"
                .into(),
        }
        .into());
    };
    let json = serde_json::to_string_pretty(&datasette_metadata(file))?;
    match &args.output {
        Some(path) => std::fs::write(path, format!("{json}\n")).map_err(|e| crate::Error::Io {
            path: path.clone(),
            source: e,
        })?,
        None => writeln!(std::io::stdout().lock(), "{json}")?,
    }
    Ok(Exit::Success)
}

/// Datasette's name for the database file at `db`: the file name without its last extension
/// (`demo.db` → `demo`, `archive.db.example` → `archive.db`).
pub fn database_name(db: &Path) -> String {
    db.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "archive".to_string())
}

/// The metadata document for the archive at `db`.
pub fn datasette_metadata(db: &Path) -> serde_json::Value {
    let mut template: serde_json::Value =
        serde_json::from_str(TEMPLATE).expect("the bundled template is JSON");
    let database = template
        .as_object_mut()
        .and_then(|t| t.remove("database"))
        .unwrap_or_default();
    let mut databases = serde_json::Map::new();
    databases.insert(database_name(db), database);
    template["databases"] = serde_json::Value::Object(databases);
    template
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_is_named_as_datasette_names_it() {
        assert_eq!(database_name(Path::new("/x/demo.db")), "demo");
        assert_eq!(database_name(Path::new("archive.db.example")), "archive.db");
        let m = datasette_metadata(Path::new("/srv/news.sqlite"));
        let db = &m["databases"]["news"];
        assert!(db["tables"]["latest_versions"]["description"].is_string());
        assert_eq!(db["tables"]["versions"]["fts_table"], "search_index");
        for q in ["changes_since", "article_versions", "search"] {
            assert!(db["queries"][q]["sql"].is_string(), "{q}");
        }
    }

    #[test]
    fn the_committed_metadata_is_the_commands() {
        // `datasette-metadata.json` is what the command writes for `archive.db.example`:
        // regenerate it with `arshif datasette-metadata --db archive.db.example -o
        // datasette-metadata.json`.
        let committed: serde_json::Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/datasette-metadata.json"
        )))
        .unwrap();
        assert_eq!(
            committed,
            datasette_metadata(Path::new("archive.db.example"))
        );
    }
}
