//! `arshif list`: archived articles with version counts, first and last seen, last change, and
//! tombstones.

use std::io::Write;

use serde::ser::{SerializeSeq, Serializer};

use super::Exit;
use crate::Error;
use crate::cli::{ListArgs, ReportFormat};
use crate::store::{ArticleSummary, ListFilter, Store};
use crate::time::stored_time;

pub fn run(args: ListArgs) -> anyhow::Result<Exit> {
    let store = Store::open_reader(&args.archive.db)?;
    let filter = ListFilter {
        site: args.site.clone(),
        since: args.since.map(stored_time),
        changed: args.changed,
        page: None,
    };
    // Buffered: a long listing is written in large blocks, not one system call a line; and
    // streamed: each article is written as it is read.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match args.format {
        ReportFormat::Json => {
            // The same pretty-printed array as serialising the whole list at once.
            let mut json = serde_json::Serializer::pretty(&mut out);
            let mut array = json.serialize_seq(None)?;
            store.for_each_listed(&filter, |a| array.serialize_element(a).map_err(write_error))?;
            array.end()?;
            writeln!(out)?;
        }
        ReportFormat::Text => {
            store.for_each_listed(&filter, |a| write_text(&mut out, a).map_err(write_error))?
        }
    }
    out.flush()?;
    Ok(Exit::Success)
}

/// A failed write of the listing (a closed pipe is recognised and is not an error).
fn write_error(e: impl Into<std::io::Error>) -> Error {
    Error::Io {
        path: "<output>".into(),
        source: e.into(),
    }
}

/// One article as `list` prints it (in pieces, not through `format!`: a listing of every
/// article is megabytes).
fn write_text(out: &mut impl Write, a: &ArticleSummary) -> std::io::Result<()> {
    let mut put = |pieces: &[&str]| pieces.iter().try_for_each(|p| out.write_all(p.as_bytes()));
    put(&[a.url, "\n"])?;
    if let Some(at) = a.redacted_at {
        return put(&[
            "  REDACTED ",
            at,
            ": ",
            a.redaction_reason.unwrap_or(""),
            "\n",
        ]);
    }
    let versions = a.versions.to_string();
    put(&[
        "  ",
        a.title.unwrap_or("(no title)"),
        " | ",
        &versions,
        if a.versions == 1 {
            " version"
        } else {
            " versions"
        },
        " | first seen ",
        a.first_seen_at,
        " | last seen ",
        a.last_seen_at,
        " | ",
    ])?;
    match a.last_change_at {
        Some(t) => put(&["last change ", t, "\n"])?,
        None => put(&["never changed\n"])?,
    }
    if let Some(gone) = a.gone_at {
        put(&["  GONE: the page answered 404/410 on ", gone, "\n"])?;
    }
    Ok(())
}
