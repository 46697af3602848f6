//! `arshif export`: stored versions as JSON Lines or CSV, on stdout or into a file.

use std::io::{BufWriter, Write};

use anyhow::Context;

use super::Exit;
use crate::cli::{ExportArgs, ExportFormat};
use crate::export;
use crate::store::Store;

pub fn run(args: ExportArgs) -> anyhow::Result<Exit> {
    let store = Store::open_reader(&args.db)?;
    match &args.output {
        Some(path) => {
            // Written beside the target and renamed, so a failed export never leaves half a file.
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            let tmp = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("cannot write in {}", dir.display()))?;
            let mut out = BufWriter::new(tmp);
            write_all(&store, args.format, &mut out)?;
            let tmp = out.into_inner().map_err(|e| e.into_error())?;
            tmp.persist(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            write_all(&store, args.format, &mut out)?;
            out.flush()?;
        }
    }
    Ok(Exit::Success)
}

fn write_all(store: &Store, format: ExportFormat, out: &mut impl Write) -> anyhow::Result<()> {
    if format == ExportFormat::Csv {
        export::write_csv_header(out)?;
    }
    store.for_each_version(|row| {
        let written = match format {
            ExportFormat::Jsonl => export::write_jsonl(out, &row),
            ExportFormat::Csv => export::write_csv(out, &row),
        };
        written.map_err(|e| crate::Error::Io {
            path: "<output>".into(),
            source: e,
        })
    })?;
    Ok(())
}
