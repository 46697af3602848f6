//! Per-site zstd dictionaries for captures: trained once a site has enough captures, used for
//! every later capture of that site, read back by the dictionary id each capture names, and
//! dropped (its captures recompressed without it) when a takedown removes a capture it was
//! trained on, so that no fragment of a redacted page survives in one.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Lite, sqlite};
use crate::{Error, Result};

/// zstd level for captures.
pub const ZSTD_LEVEL: i32 = 3;
/// A site's captures needed before a dictionary is trained for it: enough that the one-time
/// cost (about 0.4 s of CPU, and the dictionary's own 110 KiB) is small against what it saves,
/// so that the first crawl of a small site does not pay for it.
pub const TRAIN_AFTER: i64 = 200;
/// The fewest captures a dictionary is trained on.
const MIN_SAMPLES: usize = 16;
/// The dictionary's size (zstd's customary 110 KiB).
const DICTIONARY_BYTES: usize = 112_640;
/// The most sample bytes read for training: bounds the memory training takes (about four
/// times this) and its time (about 0.2 s on this budget).
const SAMPLE_BUDGET: usize = 4 * 1024 * 1024;
/// The most captures sampled (zstd's training gains little past 32 similar pages).
const MAX_SAMPLES: i64 = 32;

/// One training at a time in a process: `run --jobs 8` must not hold eight sets of samples.
static TRAINING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// What the writing connection knows of one site's dictionary.
enum SiteDictionary {
    /// None yet: trained once the site has [`TRAIN_AFTER`] captures.
    Untrained { captures: i64 },
    /// Trained (or training failed): captures of this run stay as they are.
    Settled,
    Ready {
        id: i64,
        compressor: Box<zstd::bulk::Compressor<'static>>,
    },
}

/// The writing connection's dictionary state: the current site's (chains stay on one site).
#[derive(Default)]
pub struct Dictionaries {
    site: Option<(String, SiteDictionary)>,
    /// Kept between captures without a dictionary: a zstd context is costly to set up.
    plain: Option<zstd::bulk::Compressor<'static>>,
    /// The last dictionary read back, by id (reads come in runs of one site).
    read: std::cell::RefCell<Option<(i64, std::sync::Arc<Vec<u8>>)>>,
}

/// The four statements a site's dictionary needs, which each engine writes in its own SQL.
pub(super) trait DictionaryRows {
    /// The site's latest dictionary: (id, bytes).
    fn latest_dictionary(&self, host: &str) -> Result<Option<(i64, Vec<u8>)>>;
    /// How many distinct captures the site's versions have.
    fn site_captures(&self, host: &str) -> Result<i64>;
    /// Up to `max` of the site's latest captures compressed without a dictionary:
    /// (digest, compressed bytes).
    fn training_samples(&self, host: &str, max: i64) -> Result<Vec<(String, Vec<u8>)>>;
    /// Stores a trained dictionary; its id.
    fn insert_dictionary(&self, host: &str, samples_json: &str, dictionary: &[u8]) -> Result<i64>;
    /// A compression error, named after the archive.
    fn io(&self, source: std::io::Error) -> Error;
    /// The writing connection's dictionary state.
    fn dictionaries(&mut self) -> &mut Dictionaries;

    /// Compresses a capture of `host` (None: no site known): with the site's dictionary when
    /// it has one; returns the dictionary's id with the bytes.
    fn compress_capture(
        &mut self,
        host: Option<&str>,
        bytes: &[u8],
    ) -> Result<(Vec<u8>, Option<i64>)>
    where
        Self: Sized,
    {
        let mut dictionaries = std::mem::take(self.dictionaries());
        let done = dictionaries.compress(self, host, bytes);
        *self.dictionaries() = dictionaries;
        done
    }

    /// After a capture of `host` is committed: see [`Dictionaries::committed`].
    fn capture_committed(&mut self, host: &str) -> Result<()>
    where
        Self: Sized,
    {
        let mut dictionaries = std::mem::take(self.dictionaries());
        let done = dictionaries.committed(self, host);
        *self.dictionaries() = dictionaries;
        done
    }
}

impl Dictionaries {
    /// Compresses a capture of `host`, with the site's dictionary when it has one:
    /// (bytes, the dictionary's id).
    fn compress(
        &mut self,
        rows: &impl DictionaryRows,
        host: Option<&str>,
        bytes: &[u8],
    ) -> Result<(Vec<u8>, Option<i64>)> {
        if let Some(host) = host {
            self.know_site(rows, host)?;
            if let Some((_, SiteDictionary::Ready { id, compressor })) = &mut self.site {
                let out = compressor.compress(bytes).map_err(|e| rows.io(e))?;
                return Ok((out, Some(*id)));
            }
        }
        if self.plain.is_none() {
            let compressor = zstd::bulk::Compressor::new(ZSTD_LEVEL).map_err(|e| rows.io(e))?;
            self.plain = Some(compressor);
        }
        let compressor = self.plain.as_mut().expect("set above");
        Ok((compressor.compress(bytes).map_err(|e| rows.io(e))?, None))
    }

    /// After a capture of `host` is committed: trains the site's dictionary once it has enough
    /// captures. A failed training leaves the site without one; it is tried again next run.
    fn committed(&mut self, rows: &impl DictionaryRows, host: &str) -> Result<()> {
        let due = match &mut self.site {
            Some((h, SiteDictionary::Untrained { captures })) if h == host => {
                *captures += 1;
                *captures >= TRAIN_AFTER
            }
            _ => false,
        };
        if !due {
            return Ok(());
        }
        let state = match train(rows, host)? {
            Some((id, dictionary)) => SiteDictionary::Ready {
                id,
                compressor: Box::new(
                    zstd::bulk::Compressor::with_dictionary(ZSTD_LEVEL, &dictionary)
                        .map_err(|e| rows.io(e))?,
                ),
            },
            None => SiteDictionary::Settled,
        };
        self.site = Some((host.to_string(), state));
        Ok(())
    }

    /// Loads what the database knows of `host`'s dictionary, when the site changes.
    fn know_site(&mut self, rows: &impl DictionaryRows, host: &str) -> Result<()> {
        if matches!(&self.site, Some((h, _)) if h == host) {
            return Ok(());
        }
        let state = match rows.latest_dictionary(host)? {
            Some((id, dictionary)) => SiteDictionary::Ready {
                id,
                compressor: Box::new(
                    zstd::bulk::Compressor::with_dictionary(ZSTD_LEVEL, &dictionary)
                        .map_err(|e| rows.io(e))?,
                ),
            },
            None => SiteDictionary::Untrained {
                captures: rows.site_captures(host)?,
            },
        };
        self.site = Some((host.to_string(), state));
        Ok(())
    }
}

/// Trains a dictionary on the site's latest captures and stores it.
fn train(rows: &impl DictionaryRows, host: &str) -> Result<Option<(i64, Vec<u8>)>> {
    let _one_at_a_time = TRAINING.lock().unwrap_or_else(|p| p.into_inner());
    let mut digests = Vec::new();
    let mut samples = Vec::new();
    let mut budget = SAMPLE_BUDGET;
    for (digest, content) in rows.training_samples(host, MAX_SAMPLES)? {
        let Ok(raw) = zstd::bulk::decompress(&content, budget) else {
            continue;
        };
        budget -= raw.len();
        digests.push(digest);
        samples.push(raw);
        if budget < 64 * 1024 {
            break;
        }
    }
    if samples.len() < MIN_SAMPLES {
        return Ok(None);
    }
    // One capture is held out to judge the dictionary by.
    let (Some(held_out), Some(_)) = (samples.pop(), digests.pop()) else {
        return Ok(None);
    };
    // A cheap look before the training's 0.4 s: pages that share a template shrink each
    // other far below a fifth even with a few pages, as they are, for a dictionary. When
    // not even that pays (pages of unrelated layouts, one host serving many sites), a
    // trained dictionary will not either.
    if !pays(&raw_dictionary(&samples), &held_out) {
        return Ok(None);
    }
    // zstd wants about ten times the dictionary's size in samples.
    let total: usize = samples.iter().map(Vec::len).sum();
    let size = DICTIONARY_BYTES.min(total / 10);
    let Ok(dictionary) = zstd::dict::from_samples(&samples, size) else {
        return Ok(None);
    };
    drop(samples);
    if !pays(&dictionary, &held_out) {
        // The site's pages share too little (or one host serves many sites): captures stay
        // as they are, and the next run tries again.
        return Ok(None);
    }
    let samples_json = serde_json::to_string(&digests).unwrap_or_default();
    let id = rows.insert_dictionary(host, &samples_json, &dictionary)?;
    Ok(Some((id, dictionary)))
}

impl DictionaryRows for Lite {
    fn dictionaries(&mut self) -> &mut Dictionaries {
        &mut self.dictionaries
    }

    fn io(&self, source: std::io::Error) -> Error {
        Error::Io {
            path: self.path.clone(),
            source,
        }
    }

    fn latest_dictionary(&self, host: &str) -> Result<Option<(i64, Vec<u8>)>> {
        self.conn
            .prepare_cached(
                "SELECT id, content FROM capture_dictionaries WHERE host = ?1
                 ORDER BY id DESC LIMIT 1",
            )
            .and_then(|mut s| s.query_row(params![host], |r| Ok((r.get(0)?, r.get(1)?))))
            .optional()
            .map_err(|e| self.err(e))
    }

    fn site_captures(&self, host: &str) -> Result<i64> {
        site_captures(&self.conn, host).map_err(|e| self.err(e))
    }

    fn training_samples(&self, host: &str, max: i64) -> Result<Vec<(String, Vec<u8>)>> {
        self.conn
            .prepare_cached(
                "SELECT c.digest, c.content FROM captures c
                 WHERE c.dictionary_id IS NULL AND c.compression = 'zstd' AND c.digest IN (
                     SELECT v.capture_digest FROM versions v JOIN articles a ON a.id = v.article_id
                     WHERE a.host = ?1 ORDER BY v.id DESC LIMIT ?2)",
            )
            .and_then(|mut s| {
                s.query_map(params![host, max], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect()
            })
            .map_err(|e| self.err(e))
    }

    fn insert_dictionary(&self, host: &str, samples_json: &str, dictionary: &[u8]) -> Result<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO capture_dictionaries (host, trained_at, samples, content)
                 VALUES (?1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?2, ?3) RETURNING id",
            )
            .and_then(|mut s| s.query_row(params![host, samples_json, dictionary], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }
}

impl Lite {
    /// A capture's bytes, decompressed with its dictionary when it names one.
    pub(super) fn decompress_capture(
        &self,
        digest: &str,
        content: &[u8],
        dictionary_id: Option<i64>,
    ) -> Result<Vec<u8>> {
        let unreadable = |e: std::io::Error| Error::Database {
            path: self.path.clone(),
            message: format!("capture {digest} cannot be decompressed: {e}"),
        };
        let dictionary = dictionary_id.map(|id| self.dictionary(id)).transpose()?;
        decompress(content, dictionary.as_deref().map(Vec::as_slice)).map_err(unreadable)
    }

    /// Dictionary `id`'s bytes, kept for the next capture read.
    fn dictionary(&self, id: i64) -> Result<std::sync::Arc<Vec<u8>>> {
        if let Some((kept, bytes)) = &*self.dictionaries.read.borrow()
            && *kept == id
        {
            return Ok(bytes.clone());
        }
        let bytes: Vec<u8> = self
            .conn
            .prepare_cached("SELECT content FROM capture_dictionaries WHERE id = ?1")
            .and_then(|mut s| s.query_row(params![id], |r| r.get(0)))
            .map_err(|e| self.err(e))?;
        let bytes = std::sync::Arc::new(bytes);
        *self.dictionaries.read.borrow_mut() = Some((id, bytes.clone()));
        Ok(bytes)
    }
}

/// Inside a takedown's transaction, before `removed` captures are deleted: every dictionary
/// trained on one of them is dropped, and the captures compressed with it are recompressed
/// without it. The site trains a new one from what remains.
pub(super) fn drop_dictionaries_trained_on(
    tx: &Connection,
    path: &std::path::Path,
    removed: &[String],
) -> Result<usize> {
    let err = |e| sqlite(path, e);
    let ids: Vec<i64> = tx
        .prepare("SELECT id, samples FROM capture_dictionaries")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(err)?
        .into_iter()
        .filter(|(_, samples)| {
            serde_json::from_str::<Vec<String>>(samples)
                .map(|s| s.iter().any(|d| removed.contains(d)))
                .unwrap_or(true)
        })
        .map(|(id, _)| id)
        .collect();
    for id in &ids {
        let dictionary: Vec<u8> = tx
            .query_row(
                "SELECT content FROM capture_dictionaries WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .map_err(err)?;
        let captures: Vec<(String, Vec<u8>)> = tx
            .prepare("SELECT digest, content FROM captures WHERE dictionary_id = ?1")
            .and_then(|mut s| {
                s.query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect()
            })
            .map_err(err)?;
        let mut compressor = zstd::bulk::Compressor::new(ZSTD_LEVEL).map_err(|e| io_at(path, e))?;
        for (digest, content) in captures {
            let plain = recompressed_without(&dictionary, &content, &mut compressor)
                .map_err(|e| io_at(path, e))?;
            tx.execute(
                "UPDATE captures SET content = ?2, stored_bytes = ?3, dictionary_id = NULL
                 WHERE digest = ?1",
                params![digest, plain, plain.len() as i64],
            )
            .map_err(err)?;
        }
        tx.execute(
            "DELETE FROM capture_dictionaries WHERE id = ?1",
            params![id],
        )
        .map_err(err)?;
    }
    Ok(ids.len())
}

/// A stored capture's bytes: zstd, with the dictionary it names if any.
pub(super) fn decompress(content: &[u8], dictionary: Option<&[u8]>) -> std::io::Result<Vec<u8>> {
    let Some(dictionary) = dictionary else {
        return zstd::stream::decode_all(content);
    };
    let mut out = Vec::new();
    let mut decoder = zstd::stream::read::Decoder::with_dictionary(content, dictionary)?;
    std::io::Read::read_to_end(&mut decoder, &mut out)?;
    Ok(out)
}

/// A capture compressed with `dictionary`, compressed again without it.
pub(super) fn recompressed_without(
    dictionary: &[u8],
    content: &[u8],
    compressor: &mut zstd::bulk::Compressor<'static>,
) -> std::io::Result<Vec<u8>> {
    compressor.compress(&decompress(content, Some(dictionary))?)
}

/// Whether `dictionary` (trained, or any bytes used as they are) shrinks a capture it was not
/// made from by at least a fifth.
fn pays(dictionary: &[u8], held_out: &[u8]) -> bool {
    let plain = zstd::bulk::compress(held_out, ZSTD_LEVEL).map(|c| c.len());
    let with = zstd::bulk::Compressor::with_dictionary(ZSTD_LEVEL, dictionary)
        .and_then(|mut c| c.compress(held_out))
        .map(|c| c.len());
    matches!((plain, with), (Ok(plain), Ok(with)) if with * 5 <= plain * 4)
}

/// Some of the samples, joined, to use as they are for a dictionary (zstd reads any bytes
/// without a dictionary header as raw content): enough pages to hold each of a site's few
/// layouts, few enough to take milliseconds.
fn raw_dictionary(samples: &[Vec<u8>]) -> Vec<u8> {
    const RAW_BYTES: usize = 512 * 1024;
    let mut raw = Vec::new();
    for sample in samples.iter().rev() {
        if raw.len() >= RAW_BYTES {
            break;
        }
        raw.extend_from_slice(sample);
    }
    raw
}

/// How many captures of `host`'s articles are stored.
fn site_captures(conn: &Connection, host: &str) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "SELECT count(DISTINCT v.capture_digest) FROM versions v
         JOIN articles a ON a.id = v.article_id WHERE a.host = ?1",
    )?
    .query_row(params![host], |r| r.get(0))
}

fn io_at(path: &std::path::Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}
