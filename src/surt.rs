//! SURT keys as the Wayback tools write them: the URL key of a CDXJ line, computed as pywb's
//! indexer computes it (the `surt` library's default: Google's URL canonicalisation, then the
//! Internet Archive's), so that arshif's index lines up with pywb's own index of the same WARC.
//!
//! The steps, in order:
//! - the fragment is dropped; the query is unescaped until it no longer changes, then escaped
//!   once (only bytes below `!`, `#`, `%` and non-ASCII bytes are escaped);
//! - the host is unescaped, lower-cased, stripped of stray dots and of a leading `www.`
//!   (`www2.` and the like too); an IP address keeps its numbers, reversed like a domain's labels
//!   (`1,0,0,127`); a default port is dropped, another is kept (`:8080`);
//! - the path is unescaped, its `.` and `..` segments resolved and its empty segments dropped,
//!   escaped once, lower-cased, stripped of ASP.NET session segments and of a trailing slash
//!   (unless it is `/` alone);
//! - the query is stripped of session ids (`jsessionid`, `phpsessid`, `sid` with 32 characters,
//!   `ASPSESSIONID…`, `cfid`/`cftoken`), lower-cased, its arguments sorted; an empty one is
//!   dropped with its `?`;
//! - the key is the host's labels reversed and joined by commas, the port, `)`, the path and
//!   the query: `com,example)/a/b.html?a=1&b=2`.

use std::sync::LazyLock;

use regex::bytes::Regex;
use url::{Host, Url};

/// The SURT key of `url`, as pywb's indexer writes it.
pub fn surt(url: &Url) -> String {
    let host = canonical_host(url);
    let mut key = host.split('.').rev().collect::<Vec<_>>().join(",");
    if let Some(port) = url.port() {
        // `Url::port` is `None` for the scheme's default port.
        key.push_str(&format!(":{port}"));
    }
    key.push(')');
    let path = canonical_path(url.path().as_bytes());
    let query = url.query().and_then(|q| canonical_query(q.as_bytes()));
    key.push_str(if path.is_empty() { "/" } else { &path });
    if let Some(q) = query {
        key.push('?');
        key.push_str(&q);
    }
    key
}

/// The host, lower-cased, without stray dots or a leading `www.`/`www2.`; an IPv6 address
/// without its brackets.
fn canonical_host(url: &Url) -> String {
    let host = match url.host() {
        Some(Host::Ipv6(addr)) => return addr.to_string(),
        Some(Host::Ipv4(addr)) => return addr.to_string(),
        Some(Host::Domain(d)) => d,
        None => return String::new(),
    };
    let unescaped = String::from_utf8_lossy(&unescape_repeatedly(host.as_bytes())).to_lowercase();
    let mut host = unescaped.replace("..", ".");
    host = host.trim_matches('.').to_string();
    let host = escape_once(host.as_bytes());
    static WWW: LazyLock<regex::Regex> = LazyLock::new(|| regex::Regex::new(r"^www\d*\.").unwrap());
    match WWW.find(&host) {
        Some(m) => host[m.end()..].to_string(),
        None => host,
    }
}

/// The path: unescaped, normalised, escaped once, lower-cased, without session segments or a
/// trailing slash. Empty when the URL has none.
fn canonical_path(path: &[u8]) -> String {
    let normal = normalize_path(&unescape_repeatedly(path));
    let mut path = escape_once(&normal).to_lowercase();
    static ASPX_SESSION: LazyLock<[Regex; 2]> = LazyLock::new(|| {
        [
            Regex::new(r"(?i)^(.*/)(\((?:[a-z]\([0-9a-z]{24}\))+\)/)([^?]+\.aspx.*)$").unwrap(),
            Regex::new(r"(?i)^(.*/)(\([0-9a-z]{24}\)/)([^?]+\.aspx.*)$").unwrap(),
        ]
    });
    for re in ASPX_SESSION.iter() {
        if let Some(c) = re.captures(path.as_bytes()) {
            let kept = [c.get(1), c.get(3)]
                .iter()
                .flatten()
                .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
                .collect::<String>();
            path = kept;
        }
    }
    if path.len() > 1 && path.ends_with('/') {
        path.pop();
    }
    path
}

/// `.` and `..` segments resolved and empty segments dropped (a trailing slash kept).
fn normalize_path(path: &[u8]) -> Vec<u8> {
    if path.is_empty() {
        return b"/".to_vec();
    }
    let mut kept: Vec<&[u8]> = Vec::new();
    for segment in path.split(|&b| b == b'/').skip(1) {
        match segment {
            b"." => {}
            b".." => {
                if kept.pop().is_none() {
                    kept.push(segment);
                }
            }
            s => kept.push(s),
        }
    }
    let mut out = b"/".to_vec();
    if let Some((last, init)) = kept.split_last() {
        for s in init.iter().filter(|s| !s.is_empty()) {
            out.extend_from_slice(s);
            out.push(b'/');
        }
        out.extend_from_slice(last);
    }
    out
}

/// The query: unescaped and escaped once, without session ids, lower-cased, its arguments
/// sorted; `None` when nothing is left.
fn canonical_query(query: &[u8]) -> Option<String> {
    if query.is_empty() {
        return None;
    }
    let mut q = escape_once(&unescape_repeatedly(query)).into_bytes();
    static SESSION: LazyLock<[Regex; 5]> = LazyLock::new(|| {
        [
            Regex::new(r"(?i)^(.*)(?:jsessionid=[0-9a-z]{32})(?:&(.*))?$").unwrap(),
            Regex::new(r"(?i)^(.*)(?:phpsessid=[0-9a-z]{32})(?:&(.*))?$").unwrap(),
            Regex::new(r"(?i)^(.*)(?:sid=[0-9a-z]{32})(?:&(.*))?$").unwrap(),
            Regex::new(r"(?i)^(.*)(?:aspsessionid[a-z]{8}=[a-z]{24})(?:&(.*))?$").unwrap(),
            Regex::new(r"(?i)^(.*)(?:cfid=[^&]+&cftoken=[^&]+)(?:&(.*))?$").unwrap(),
        ]
    });
    for re in SESSION.iter() {
        if let Some(c) = re.captures(&q) {
            let mut kept = c.get(1).map_or(Vec::new(), |m| m.as_bytes().to_vec());
            if let Some(rest) = c.get(2).filter(|m| !m.as_bytes().is_empty()) {
                kept.extend_from_slice(rest.as_bytes());
            }
            q = kept;
        }
    }
    let q = String::from_utf8_lossy(&q).to_lowercase();
    let sorted = sort_arguments(&q);
    (!sorted.is_empty()).then_some(sorted)
}

/// The arguments of a query in byte order of (name, value), an argument without `=` before the
/// same name with one (`a&a=1`).
fn sort_arguments(query: &str) -> String {
    if query.len() <= 1 {
        return query.to_string();
    }
    let mut args: Vec<(&str, Option<&str>)> = query
        .split('&')
        .map(|a| match a.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (a, None),
        })
        .collect();
    args.sort();
    args.iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => (*k).to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `%XX` sequences decoded until none is left; a `%` not followed by two hex digits stays.
fn unescape_repeatedly(input: &[u8]) -> Vec<u8> {
    let mut current = input.to_vec();
    loop {
        let next = unescape(&current);
        if next == current {
            return current;
        }
        current = next;
    }
}

fn unescape(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%'
            && i + 2 < input.len()
            && let (Some(h), Some(l)) = (hex(input[i + 1]), hex(input[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Escapes the bytes a URL key may not hold as they are: controls and space, `#`, `%`, and
/// bytes outside ASCII, as `%XX` in capitals.
fn escape_once(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len());
    for &b in input {
        if b > 0x20 && b < 0x7f && b != b'#' && b != b'%' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys computed by the `surt` library 0.3.1 that pywb 2.10 indexes with
    /// (`surt.surt(url)`), for the URL forms an archive meets.
    #[test]
    fn keys_are_the_ones_pywb_writes() {
        let cases = [
            (
                "https://www.Hespress.com/Politique/x.html?id=1",
                "com,hespress)/politique/x.html?id=1",
            ),
            ("http://127.0.0.1:8080/a", "1,0,0,127:8080)/a"),
            ("http://127.0.0.1:80/a", "1,0,0,127)/a"),
            ("https://example.com:443/a", "com,example)/a"),
            ("http://ar.arshif.test/", "test,arshif,ar)/"),
            ("http://ar.arshif.test", "test,arshif,ar)/"),
            ("http://example.com/a?b=2&a=1", "com,example)/a?a=1&b=2"),
            (
                "http://example.com/a?b=2&a=1&a=0",
                "com,example)/a?a=0&a=1&b=2",
            ),
            ("http://example.com/a?", "com,example)/a"),
            ("http://example.com/a#frag", "com,example)/a"),
            (
                "http://example.com/A/B.HTML?Q=X",
                "com,example)/a/b.html?q=x",
            ),
            ("http://www2.example.com/a", "com,example)/a"),
            (
                "http://example.com/%D8%A7%D9%84%D8%A3%D9%85%D9%86",
                "com,example)/%d8%a7%d9%84%d8%a3%d9%85%d9%86",
            ),
            ("http://example.com/a%20b", "com,example)/a%20b"),
            (
                "http://example.com/a?jsessionid=123&x=1",
                "com,example)/a?jsessionid=123&x=1",
            ),
            (
                "http://example.com/a;jsessionid=ABC?x=1",
                "com,example)/a;jsessionid=abc?x=1",
            ),
            (
                "http://example.com/a?PHPSESSID=abcdef0123456789abcdef0123456789&x=1",
                "com,example)/a?x=1",
            ),
            ("http://xn--mgbh0fb.example/a", "example,xn--mgbh0fb)/a"),
            ("http://example.com/a?q=%D8%A7", "com,example)/a?q=%d8%a7"),
            ("http://example.com/a/?x=1&y", "com,example)/a?x=1&y"),
            ("http://EXAMPLE.com./a", "com,example)/a"),
            ("http://[::1]:8080/a", "::1:8080)/a"),
            (
                "http://example.com/index.php?option=com_content&id=45:alias",
                "com,example)/index.php?id=45:alias&option=com_content",
            ),
            (
                "http://example.com/a?utm_source=x",
                "com,example)/a?utm_source=x",
            ),
            ("http://example.com/a+b?c=d+e", "com,example)/a+b?c=d+e"),
            ("http://example.com//a//b", "com,example)/a/b"),
            ("http://example.com/a/../b", "com,example)/b"),
        ];
        for (url, want) in cases {
            assert_eq!(surt(&Url::parse(url).unwrap()), want, "{url}");
        }
    }
}
