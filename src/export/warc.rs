//! WARC/1.1 (ISO 28500) writing: one gzip member per record, block and payload digests,
//! deterministic record ids, and the HTTP messages rebuilt from what the archive stored.
//!
//! Captures are stored after content decoding, so a response record carries the decoded body:
//! `Content-Encoding`, `Transfer-Encoding` and `Content-Length` are dropped from the stored headers
//! and a `Content-Length` of the stored body is written instead (the original values are kept
//! as `X-Archive-Orig-*` headers, as replay tools expect).

use std::collections::HashMap;
use std::io::{self, Write};

use data_encoding::BASE32;
use flate2::Compression;
use flate2::write::GzEncoder;
use sha1::{Digest, Sha1};

use crate::store::{Tombstone, WarcFetch};

/// The WARC version written.
pub const WARC_VERSION: &str = "WARC/1.1";

/// The revisit profiles of WARC 1.1.
pub const PROFILE_IDENTICAL_PAYLOAD: &str =
    "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";
pub const PROFILE_SERVER_NOT_MODIFIED: &str =
    "http://netpreserve.org/warc/1.1/revisit/server-not-modified";

/// Headers of a stored response that no longer describe the stored (decoded) body.
const TRANSFER_HEADERS: &[&str] = &["content-encoding", "transfer-encoding", "content-length"];

/// `sha1:<base32>`, the customary WARC digest.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha1:{}", BASE32.encode(&Sha1::digest(bytes)))
}

/// A `<urn:uuid:…>` record id derived from `seed`, so the same export gives the same ids
/// (and a revisit in one file can name the response in another).
pub fn record_id(seed: &str) -> String {
    let h = Sha1::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x50; // version 5 (name-based, SHA-1)
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "<urn:uuid:{}-{}-{}-{}-{}>",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Where a record's payload digest comes from.
#[derive(Debug, Clone)]
pub enum Payload {
    /// No payload digest (warcinfo, request, metadata).
    None,
    /// The payload is the block from this byte offset on (after the HTTP head).
    From(usize),
    /// A revisit: the digest of the original payload.
    Same(String),
}

/// One record to write.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub kind: &'a str,
    pub id: String,
    pub date: &'a str,
    pub target_uri: Option<&'a str>,
    pub content_type: Option<&'a str>,
    /// Other WARC named fields, in order.
    pub fields: Vec<(&'static str, String)>,
    pub block: &'a [u8],
    pub payload: Payload,
}

/// Where a record landed in the file (for CDXJ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub offset: u64,
    pub length: u64,
}

/// Writes records, each its own gzip member, counting the bytes written.
pub struct WarcWriter<W: Write> {
    out: W,
    offset: u64,
}

impl<W: Write> WarcWriter<W> {
    pub fn new(out: W) -> Self {
        WarcWriter { out, offset: 0 }
    }

    pub fn write(&mut self, r: &Record<'_>) -> io::Result<Placed> {
        let mut head = String::with_capacity(512);
        head.push_str(WARC_VERSION);
        head.push_str("\r\n");
        let mut field = |name: &str, value: &str| {
            head.push_str(name);
            head.push_str(": ");
            head.push_str(&one_line(value));
            head.push_str("\r\n");
        };
        field("WARC-Type", r.kind);
        field("WARC-Record-ID", &r.id);
        field("WARC-Date", r.date);
        if let Some(uri) = r.target_uri {
            field("WARC-Target-URI", uri);
        }
        for (name, value) in &r.fields {
            field(name, value);
        }
        if let Some(ct) = r.content_type {
            field("Content-Type", ct);
        }
        field("WARC-Block-Digest", &digest(r.block));
        match &r.payload {
            Payload::None => {}
            Payload::From(at) => field(
                "WARC-Payload-Digest",
                &digest(r.block.get(*at..).unwrap_or_default()),
            ),
            Payload::Same(d) => field("WARC-Payload-Digest", d),
        }
        field("Content-Length", &r.block.len().to_string());
        head.push_str("\r\n");

        let mut gz = GzEncoder::new(
            Vec::with_capacity(r.block.len() / 4 + 256),
            Compression::default(),
        );
        gz.write_all(head.as_bytes())?;
        gz.write_all(r.block)?;
        gz.write_all(b"\r\n\r\n")?;
        let member = gz.finish()?;
        self.out.write_all(&member)?;
        let placed = Placed {
            offset: self.offset,
            length: member.len() as u64,
        };
        self.offset += member.len() as u64;
        Ok(placed)
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

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

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A `warcinfo` block (`application/warc-fields`).
pub fn warc_fields(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut out = String::new();
    for (k, v) in fields {
        out.push_str(k);
        out.push_str(": ");
        out.push_str(&one_line(v));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// The HTTP response head as stored, fitted to a decoded body of `body_len` bytes.
pub fn response_head(
    status: u16,
    headers: &[(String, String)],
    body_len: Option<usize>,
) -> Vec<u8> {
    let reason = http_reason(status);
    let mut out = format!("HTTP/1.1 {status} {reason}\r\n");
    for (k, v) in headers {
        if body_len.is_some() && TRANSFER_HEADERS.iter().any(|t| k.eq_ignore_ascii_case(t)) {
            out.push_str(&format!("X-Archive-Orig-{k}: {}\r\n", one_line(v)));
        } else {
            out.push_str(&format!("{k}: {}\r\n", one_line(v)));
        }
    }
    if let Some(n) = body_len {
        out.push_str(&format!("Content-Length: {n}\r\n"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// The HTTP request head: the request line, `Host`, and the headers arshif recorded sending.
pub fn request_head(url: &url::Url, headers: &[(String, String)]) -> Vec<u8> {
    let mut target = url.path().to_string();
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    let host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    };
    let mut out = format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n");
    for (k, v) in headers {
        if !k.eq_ignore_ascii_case("host") {
            out.push_str(&format!("{k}: {}\r\n", one_line(v)));
        }
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// The CDXJ timestamp of a WARC date: its fourteen digits to the second, then the milliseconds
/// (`20261120091500123`), so that two fetches of one URL in the same second have distinct keys.
/// pywb reads and replays timestamps of this length; their first fourteen digits are the ones
/// pywb's own indexer writes.
pub fn cdx_timestamp(rfc3339: &str) -> String {
    let mut out: String = rfc3339
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .collect();
    let fraction = rfc3339
        .split_once('.')
        .map_or("", |(_, f)| f)
        .chars()
        .take_while(char::is_ascii_digit)
        .take(3)
        .collect::<String>();
    out.push_str(&format!("{fraction:0<3}"));
    out
}

fn one_line(v: &str) -> String {
    if v.contains(['\r', '\n']) {
        v.replace(['\r', '\n'], " ")
    } else {
        v.to_string()
    }
}

fn http_reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        404 => "Not Found",
        410 => "Gone",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn digests_are_sha1_base32() {
        // sha1("") = da39a3ee5e6b4b0d3255bfef95601890afd80709
        assert_eq!(digest(b""), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
    }

    #[test]
    fn record_ids_are_stable_uuids() {
        let a = record_id("response 1");
        assert_eq!(a, record_id("response 1"));
        assert_ne!(a, record_id("request 1"));
        assert_eq!(a.len(), "<urn:uuid:>".len() + 36);
        assert_eq!(&a[24..25], "5");
    }

    #[test]
    fn each_record_is_one_gzip_member() {
        let mut w = WarcWriter::new(Vec::new());
        let block = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
        let r = Record {
            kind: "response",
            id: record_id("x"),
            date: "2026-11-20T09:15:00Z",
            target_uri: Some("http://a.example/x"),
            content_type: Some("application/http; msgtype=response"),
            fields: vec![],
            block,
            payload: Payload::From(block.len() - 2),
        };
        let first = w.write(&r).unwrap();
        let second = w.write(&r).unwrap();
        assert_eq!(first.offset, 0);
        assert_eq!(second.offset, first.length);
        let bytes = w.into_inner();
        let mut text = String::new();
        flate2::read::GzDecoder::new(&bytes[..first.length as usize])
            .read_to_string(&mut text)
            .unwrap();
        assert!(text.starts_with("WARC/1.1\r\n"));
        assert!(text.contains(&format!("WARC-Payload-Digest: {}\r\n", digest(b"hi"))));
        assert!(text.contains(&format!("WARC-Block-Digest: {}\r\n", digest(block))));
        assert!(text.ends_with("hi\r\n\r\n"));
    }

    #[test]
    fn response_heads_describe_the_decoded_body() {
        let headers = vec![
            ("content-type".to_string(), "text/html".to_string()),
            ("content-encoding".to_string(), "gzip".to_string()),
            ("content-length".to_string(), "12".to_string()),
        ];
        let head = String::from_utf8(response_head(200, &headers, Some(40))).unwrap();
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(head.contains("X-Archive-Orig-content-encoding: gzip\r\n"));
        assert!(head.contains("Content-Length: 40\r\n"));
        assert!(!head.contains("\r\ncontent-length"));
    }

    #[test]
    fn timestamps_carry_milliseconds() {
        assert_eq!(
            cdx_timestamp("2026-11-20T09:15:00.123Z"),
            "20261120091500123"
        );
        assert_eq!(cdx_timestamp("2026-11-20T09:15:00.1Z"), "20261120091500100");
        assert_eq!(cdx_timestamp("2026-11-20T09:15:00Z"), "20261120091500000");
    }
}
