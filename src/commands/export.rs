//! `arshif export`: stored versions as JSON Lines or CSV, or the stored HTTP exchanges as WARC
//! (with an optional CDXJ index), on stdout or into a file written whole or not at all.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;

use super::Exit;
use crate::cli::{ExportArgs, ExportFormat};
use crate::export::{self, WarcExport};
use crate::store::{ExportFilter, Store, Tombstone};
use crate::time::rfc3339;
use crate::time::stored_time;
use crate::{Error, urls};

pub fn run(args: ExportArgs) -> anyhow::Result<Exit> {
    if let (Some(cdx), Some(out)) = (&args.cdx, &args.output)
        && same_file(cdx, out)
    {
        return Err(Error::InvalidSetting {
            name: "--cdx",
            reason: "the index cannot be written over the WARC file".into(),
        }
        .into());
    }
    if args.cdx.is_some() && args.format != ExportFormat::Warc {
        return Err(Error::InvalidSetting {
            name: "--cdx",
            reason: "a CDXJ index goes with --format warc".into(),
        }
        .into());
    }
    let store = Store::open_reader(&args.archive.db)?;
    let filter = ExportFilter {
        site: args.site.clone(),
        since: args.since.map(stored_time),
    };
    let mut cdx = Vec::new();
    match &args.output {
        Some(path) => write_atomically(path, |out| {
            cdx = write_all(&store, &args, &filter, out, Some(path))?;
            Ok(())
        })?,
        None => {
            let stdout = std::io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            write_all(&store, &args, &filter, &mut out, None)?;
            out.flush()?;
        }
    }
    if let Some(path) = &args.cdx {
        write_atomically(path, |out| {
            for line in &cdx {
                writeln!(out, "{line}")?;
            }
            Ok(())
        })?;
    }
    Ok(Exit::Success)
}

/// Writes a file whole or not at all: beside the target, then renamed over it. A symbolic link
/// is followed (its target is replaced, not the link); a FIFO or device (`/dev/stdout`) is
/// written to directly, since it cannot be replaced.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<tempfile::NamedTempFile>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => return Err(unwritable(path, "it is a folder")),
        Ok(m) if !m.is_file() => return write_in_place(path, write),
        _ => {}
    }
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path)
            .map_err(|e| unwritable(path, &format!("its link leads nowhere ({e})")))?,
        _ => path.to_path_buf(),
    };
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        // An export is an ordinary file: readable as the umask allows, not private like a temp.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let tmp = builder
        .tempfile_in(dir)
        .map_err(|e| unwritable(path, &e.to_string()))?;
    let mut out = BufWriter::new(tmp);
    write(&mut out)?;
    let tmp = out.into_inner().map_err(|e| e.into_error())?;
    tmp.persist(&target)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Writes to a FIFO or a device as it is.
fn write_in_place(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<tempfile::NamedTempFile>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    // Written through a temporary file first, then copied, so the writer has one type.
    let tmp = tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
    let mut out = BufWriter::new(tmp);
    write(&mut out)?;
    let mut tmp = out.into_inner().map_err(|e| e.into_error())?;
    use std::io::Seek;
    tmp.as_file_mut().rewind()?;
    let mut dest = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| unwritable(path, &e.to_string()))?;
    std::io::copy(tmp.as_file_mut(), &mut dest)?;
    Ok(())
}

fn unwritable(path: &Path, why: &str) -> anyhow::Error {
    Error::InvalidSetting {
        name: "--output",
        reason: format!("cannot write {}: {why}", path.display()),
    }
    .into()
}

/// Writes the export; returns the CDXJ lines of a WARC export (empty otherwise).
fn write_all(
    store: &Store,
    args: &ExportArgs,
    filter: &ExportFilter,
    out: &mut impl Write,
    path: Option<&Path>,
) -> anyhow::Result<Vec<String>> {
    let tombstones = store.tombstones(filter)?;
    match args.format {
        ExportFormat::Jsonl | ExportFormat::Csv => {
            write_records(store, args.format, filter, &tombstones, out)?;
            Ok(Vec::new())
        }
        ExportFormat::Warc => {
            let filename = path
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "arshif-export.warc.gz".into());
            write_warc(store, filter, &tombstones, out, &filename)
        }
    }
}

/// JSON Lines or CSV: versions oldest first per article, tombstones in their article's place.
fn write_records(
    store: &Store,
    format: ExportFormat,
    filter: &ExportFilter,
    tombstones: &[Tombstone],
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if format == ExportFormat::Csv {
        export::write_csv_header(out)?;
    }
    let mut write = |value: &serde_json::Value| -> crate::Result<()> {
        match format {
            ExportFormat::Csv => export::write_csv(out, value),
            _ => export::write_jsonl(out, value),
        }
        .map_err(|e| Error::Io {
            path: "<output>".into(),
            source: e,
        })
    };
    let mut pending = tombstones.iter().peekable();
    store.for_each_version(filter, |article_id, row| {
        while let Some(t) = pending.next_if(|t| t.article_id < article_id) {
            write(&export::tombstone_json(t))?;
        }
        write(&export::to_json(&row))
    })?;
    for t in pending {
        write(&export::tombstone_json(t))?;
    }
    Ok(())
}

/// When the export was made, as its `warcinfo` record says: now, or `SOURCE_DATE_EPOCH` (seconds
/// since 1970) when set, so that two exports of the same archive are byte for byte the same.
fn export_time() -> chrono::DateTime<chrono::Utc> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .unwrap_or_else(chrono::Utc::now)
}

fn write_warc(
    store: &Store,
    filter: &ExportFilter,
    tombstones: &[Tombstone],
    out: &mut impl Write,
    filename: &str,
) -> anyhow::Result<Vec<String>> {
    let mut warc = WarcExport::begin(out, filename, &rfc3339(export_time()))?;
    let io = |e: std::io::Error| Error::Io {
        path: "<output>".into(),
        source: e,
    };
    store.for_each_warc_fetch(filter.since.as_deref(), |f| {
        if !site_matches(&f.url, filter.site.as_deref()) {
            return Ok(());
        }
        let payload = if warc.needs_payload(&f) {
            store.load_capture(&f.digest)?
        } else {
            None
        };
        warc.fetch(
            &f,
            payload
                .as_ref()
                .map(|(b, ct)| (b.as_slice(), ct.as_deref())),
        )
        .map_err(io)
    })?;
    for t in tombstones {
        warc.tombstone(t).map_err(io)?;
    }
    let (_, cdx) = warc.finish().map_err(io)?;
    Ok(cdx)
}

/// Whether two paths name one file (as written, or once resolved).
fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
        || matches!(
            (a.parent().map(std::fs::canonicalize), b.parent().map(std::fs::canonicalize), a.file_name(), b.file_name()),
            (Some(Ok(x)), Some(Ok(y)), Some(m), Some(n)) if x == y && m == n
        )
}

/// Whether a fetched URL belongs to the site named by `--site` (a host, or host:port).
fn site_matches(url: &str, site: Option<&str>) -> bool {
    let Some(site) = site else { return true };
    let Some(host) = url::Url::parse(url).ok().and_then(|u| urls::host_key(&u)) else {
        return false;
    };
    host == site
        || host
            .strip_prefix(site)
            .is_some_and(|rest| rest.starts_with(':'))
}
