//! WARC/1.1 (ISO 28500) writing: one gzip member per record, block and payload digests,
//! deterministic record ids, and the HTTP messages rebuilt from what the archive stored.
//!
//! Captures are stored after content decoding, so a response record carries the decoded body:
//! `Content-Encoding`, `Transfer-Encoding` and `Content-Length` are dropped from the stored headers
//! and a `Content-Length` of the stored body is written instead (the original values are kept
//! as `X-Archive-Orig-*` headers, as replay tools expect).

use std::io::{self, Write};

use data_encoding::BASE32;
use flate2::Compression;
use flate2::write::GzEncoder;
use sha1::{Digest, Sha1};

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

pub(super) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
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

pub(super) fn one_line(v: &str) -> String {
    if v.contains(['\r', '\n']) {
        v.replace(['\r', '\n'], " ")
    } else {
        v.to_string()
    }
}

pub(super) fn http_reason(status: u16) -> &'static str {
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
