//! The archive as WARC: a `warcinfo` record, then each stored fetch in log order as a response,
//! a revisit (identical payload, or a 304) or the records beside them (`request`, `metadata`),
//! and each takedown as a tombstone; with the CDXJ line of every response and revisit.

use std::collections::HashMap;
use std::io::{self, Write};

use super::warc::{
    PROFILE_IDENTICAL_PAYLOAD, PROFILE_SERVER_NOT_MODIFIED, Payload, Placed, Record, WarcWriter,
    cdx_timestamp, digest, header, http_reason, one_line, record_id, request_head, response_head,
    warc_fields,
};
use crate::store::{Tombstone, WarcFetch};

/// A whole WARC export: a `warcinfo` record, then the fetches in log order, with a CDXJ line
/// for each response and revisit.
pub struct WarcExport<W: Write> {
    writer: WarcWriter<W>,
    warcinfo_id: String,
    filename: String,
    /// Stored digest -> (WARC payload digest, payload length), for revisits.
    payloads: HashMap<String, (String, usize)>,
    cdx: Vec<String>,
}

impl<W: Write> WarcExport<W> {
    /// Starts the file with its `warcinfo` record.
    pub fn begin(out: W, filename: &str, now: &str) -> io::Result<Self> {
        let mut writer = WarcWriter::new(out);
        let warcinfo_id = record_id(&format!("arshif warcinfo {filename}"));
        let software = format!("arshif/{}", env!("CARGO_PKG_VERSION"));
        let block = warc_fields(&[
            ("software", &software),
            ("format", "WARC File Format 1.1"),
            (
                "conformsTo",
                "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            ),
            (
                "description",
                "Exported from an arshif archive. Bodies are stored after content decoding, so \
                 Content-Encoding is dropped and Content-Length rewritten (originals kept as \
                 X-Archive-Orig-* headers); request records carry only the headers arshif set.",
            ),
        ]);
        writer.write(&Record {
            kind: "warcinfo",
            id: warcinfo_id.clone(),
            date: now,
            target_uri: None,
            content_type: Some("application/warc-fields"),
            fields: vec![("WARC-Filename", filename.to_string())],
            block: &block,
            payload: Payload::None,
        })?;
        Ok(WarcExport {
            writer,
            warcinfo_id,
            filename: filename.to_string(),
            payloads: HashMap::new(),
            cdx: Vec::new(),
        })
    }

    /// Whether [`WarcExport::fetch`] needs the payload bytes for this fetch.
    pub fn needs_payload(&self, f: &WarcFetch) -> bool {
        !f.redirect && (f.id == f.origin.0 || !self.payloads.contains_key(&f.digest))
    }

    /// Writes a fetch: request and response records for the first fetch of a payload, a revisit
    /// for later ones (`server-not-modified` for a 304, `identical-payload-digest` otherwise).
    pub fn fetch(
        &mut self,
        f: &WarcFetch,
        payload: Option<(&[u8], Option<&str>)>,
    ) -> io::Result<()> {
        let headers: Vec<(String, String)> = f
            .headers
            .as_deref()
            .and_then(|h| serde_json::from_str(h).ok())
            .unwrap_or_default();
        let status = u16::try_from(f.status).unwrap_or(0);
        if let Some((bytes, _)) = payload {
            self.payloads
                .entry(f.digest.clone())
                .or_insert_with(|| (digest(bytes), bytes.len()));
        }
        let written = if f.redirect {
            // Its status and headers (the `Location`) were stored, not its body.
            self.response(f, status, &headers, &[], None)?
        } else if f.id == f.origin.0 {
            let Some((bytes, content_type)) = payload else {
                return Ok(());
            };
            self.response(f, status, &headers, bytes, content_type)?
        } else {
            self.revisit(f, status, &headers)?
        };
        if let Some(record) = written {
            self.ties(f, &record)?;
        }
        Ok(())
    }

    /// What ties a response or revisit to the archive: a `metadata` record (`warc-fields`)
    /// naming the article (its key URL) and the fetch's outcome, and for a fetch that made a
    /// version, its number, content hash, extractor and text: `arshif-title`, then one
    /// `arshif-body` field per line of the body (an empty one between paragraphs). Not a
    /// `conversion` record, nor a `text/plain` one: pywb indexes those as captures of the URL
    /// and would replay the plain text in place of the page.
    fn ties(&mut self, f: &WarcFetch, record: &str) -> io::Result<()> {
        let Some(article) = &f.article else {
            return Ok(());
        };
        let number = f.version.as_ref().map(|v| v.number.to_string());
        let mut fields: Vec<(&str, &str)> = vec![("arshif-article", article)];
        fields.push(("arshif-outcome", &f.outcome));
        if let (Some(v), Some(n)) = (&f.version, &number) {
            fields.push(("arshif-version", n));
            fields.push(("arshif-content-hash", &v.content_hash));
            fields.push(("arshif-extractor", &v.extractor_version));
            if let Some(t) = &v.title {
                fields.push(("arshif-title", t));
            }
            fields.extend(v.body.split('\n').map(|line| ("arshif-body", line)));
        }
        self.metadata_beside(f, "ties", record, &fields)
    }

    fn response(
        &mut self,
        f: &WarcFetch,
        status: u16,
        headers: &[(String, String)],
        bytes: &[u8],
        content_type: Option<&str>,
    ) -> io::Result<Option<String>> {
        let response_id = response_id(f.id, &f.requested_at, &f.url);
        let mut block = response_head(status, headers, Some(bytes.len()));
        let head_len = block.len();
        block.extend_from_slice(bytes);
        let mut fields = vec![("WARC-Warcinfo-ID", self.warcinfo_id.clone())];
        if f.redirect {
            // The body of a redirect is not kept: the record says its payload was cut.
            fields.push(("WARC-Truncated", "unspecified".to_string()));
        }
        let placed = self.writer.write(&Record {
            kind: "response",
            id: response_id.clone(),
            date: &f.requested_at,
            target_uri: Some(&f.url),
            content_type: Some("application/http; msgtype=response"),
            fields,
            block: &block,
            payload: Payload::From(head_len),
        })?;
        let mime = content_type
            .or_else(|| header(headers, "content-type"))
            .unwrap_or("unk")
            .split(';')
            .next()
            .unwrap_or("unk")
            .trim()
            .to_ascii_lowercase();
        let payload_digest = digest(bytes);
        self.index(f, &mime, Some(status), &payload_digest, placed);
        if let Ok(url) = url::Url::parse(&f.url) {
            let request_headers: Vec<(String, String)> = f
                .request_headers
                .as_deref()
                .and_then(|h| serde_json::from_str(h).ok())
                .unwrap_or_default();
            let block = request_head(&url, &request_headers);
            self.writer.write(&Record {
                kind: "request",
                id: record_id(&format!(
                    "arshif request {} {} {}",
                    f.id, f.requested_at, f.url
                )),
                date: &f.requested_at,
                target_uri: Some(&f.url),
                content_type: Some("application/http; msgtype=request"),
                fields: vec![
                    ("WARC-Warcinfo-ID", self.warcinfo_id.clone()),
                    ("WARC-Concurrent-To", response_id.clone()),
                ],
                block: &block,
                payload: Payload::None,
            })?;
        }
        Ok(Some(response_id))
    }

    /// A revisit of an earlier response. A 304 is written as WARC 1.1's `server-not-modified`
    /// revisit with an empty block, so that replay tools (pywb) serve the original response's
    /// headers and payload it refers to; what the server said (the 304 and its headers) follows
    /// in a `metadata` record concurrent to it. A 200 with the payload already archived is an
    /// `identical-payload-digest` revisit carrying its own response head.
    fn revisit(
        &mut self,
        f: &WarcFetch,
        status: u16,
        headers: &[(String, String)],
    ) -> io::Result<Option<String>> {
        let (origin_id, origin_url, origin_date) = &f.origin;
        let not_modified = status == 304;
        let fields = vec![
            ("WARC-Warcinfo-ID", self.warcinfo_id.clone()),
            (
                "WARC-Profile",
                if not_modified {
                    PROFILE_SERVER_NOT_MODIFIED
                } else {
                    PROFILE_IDENTICAL_PAYLOAD
                }
                .to_string(),
            ),
            (
                "WARC-Refers-To",
                response_id(*origin_id, origin_date, origin_url),
            ),
            ("WARC-Refers-To-Target-URI", origin_url.clone()),
            ("WARC-Refers-To-Date", origin_date.clone()),
        ];
        let known = self.payloads.get(&f.digest).cloned();
        let (block, payload, content_type) = match (not_modified, known) {
            (true, Some((d, _))) => (Vec::new(), Payload::Same(d), None),
            (true, None) => (Vec::new(), Payload::None, None),
            (false, Some((d, len))) => (
                response_head(status, headers, Some(len)),
                Payload::Same(d),
                Some("application/http; msgtype=response"),
            ),
            (false, None) => return Ok(None),
        };
        let revisit_id = record_id(&format!(
            "arshif revisit {} {} {}",
            f.id, f.requested_at, f.url
        ));
        let placed = self.writer.write(&Record {
            kind: "revisit",
            id: revisit_id.clone(),
            date: &f.requested_at,
            target_uri: Some(&f.url),
            content_type,
            fields,
            block: &block,
            payload: payload.clone(),
        })?;
        let d = match payload {
            Payload::Same(d) => d,
            _ => String::new(),
        };
        // pywb indexes an empty revisit with no status: what the server said is in the
        // metadata record below and in the archive's `fetches`.
        let indexed_status = if not_modified { None } else { Some(status) };
        self.index(f, "warc/revisit", indexed_status, &d, placed);
        if not_modified {
            self.server_said(f, status, headers, &revisit_id)?;
        }
        Ok(Some(revisit_id))
    }

    /// A `metadata` record holding the HTTP status and headers the server answered with, for
    /// a revisit whose block leaves them out.
    fn server_said(
        &mut self,
        f: &WarcFetch,
        status: u16,
        headers: &[(String, String)],
        revisit_id: &str,
    ) -> io::Result<()> {
        let status_line = format!("{status} {}", http_reason(status));
        let header_lines: Vec<String> = headers
            .iter()
            .map(|(k, v)| format!("{k}: {}", one_line(v)))
            .collect();
        let mut fields: Vec<(&str, &str)> = vec![("http-status", &status_line)];
        fields.extend(header_lines.iter().map(|h| ("http-header", h.as_str())));
        fields.push((
            "note",
            "the server answered 304 Not Modified; the revisit it describes replays the \
             response it refers to",
        ));
        self.metadata_beside(f, "server-said", revisit_id, &fields)
    }

    /// A `metadata` record (`warc-fields`) about the fetch `f`, concurrent to the record
    /// `beside`; `seed` names its purpose in the record id.
    fn metadata_beside(
        &mut self,
        f: &WarcFetch,
        seed: &str,
        beside: &str,
        fields: &[(&str, &str)],
    ) -> io::Result<()> {
        let block = warc_fields(fields);
        self.writer.write(&Record {
            kind: "metadata",
            id: record_id(&format!(
                "arshif {seed} {} {} {}",
                f.id, f.requested_at, f.url
            )),
            date: &f.requested_at,
            target_uri: Some(&f.url),
            content_type: Some("application/warc-fields"),
            fields: vec![
                ("WARC-Warcinfo-ID", self.warcinfo_id.clone()),
                ("WARC-Concurrent-To", beside.to_string()),
            ],
            block: &block,
            payload: Payload::None,
        })?;
        Ok(())
    }

    /// A `metadata` record saying that an article was taken down, and when and why.
    pub fn tombstone(&mut self, t: &Tombstone) -> io::Result<()> {
        let block = warc_fields(&[
            ("redacted-at", &t.redacted_at),
            ("reason", &t.reason),
            (
                "note",
                "the archived text and captures of this URL were removed by arshif redact",
            ),
        ]);
        self.writer.write(&Record {
            kind: "metadata",
            id: record_id(&format!("arshif tombstone {} {}", t.url, t.redacted_at)),
            date: &t.redacted_at,
            target_uri: Some(&t.url),
            content_type: Some("application/warc-fields"),
            fields: vec![("WARC-Warcinfo-ID", self.warcinfo_id.clone())],
            block: &block,
            payload: Payload::None,
        })?;
        Ok(())
    }

    fn index(
        &mut self,
        f: &WarcFetch,
        mime: &str,
        status: Option<u16>,
        payload_digest: &str,
        placed: Placed,
    ) {
        let Ok(url) = url::Url::parse(&f.url) else {
            return;
        };
        // The fields in pywb's order; an empty revisit has no status, as pywb indexes it.
        let mut fields = serde_json::Map::new();
        fields.insert("url".into(), f.url.clone().into());
        fields.insert("mime".into(), mime.into());
        if let Some(status) = status {
            fields.insert("status".into(), status.to_string().into());
        }
        let digest = payload_digest
            .strip_prefix("sha1:")
            .unwrap_or(payload_digest);
        fields.insert("digest".into(), digest.into());
        fields.insert("length".into(), placed.length.to_string().into());
        fields.insert("offset".into(), placed.offset.to_string().into());
        fields.insert("filename".into(), self.filename.clone().into());
        let fields = serde_json::Value::Object(fields);
        self.cdx.push(format!(
            "{} {} {}",
            crate::surt::surt(&url),
            cdx_timestamp(&f.requested_at),
            fields
        ));
    }

    /// Flushes the file; returns the writer and the CDXJ lines, sorted.
    pub fn finish(mut self) -> io::Result<(W, Vec<String>)> {
        self.writer.flush()?;
        let mut cdx = self.cdx;
        cdx.sort();
        Ok((self.writer.into_inner(), cdx))
    }
}

fn response_id(fetch_id: i64, date: &str, url: &str) -> String {
    record_id(&format!("arshif response {fetch_id} {date} {url}"))
}
