//! Character sets: BOM, then the HTTP header, then `<meta charset>`/`http-equiv`, then detection
//! (`chardetng`); decoded with `encoding_rs`, malformed bytes replaced, never an error.
//!
//! A `<meta>` declaration of a legacy charset is not believed when the bytes are valid UTF-8 with
//! non-ASCII text in them: pages saved by tools that re-encode to UTF-8 keep their old tag
//! (`gb2312`, `windows-1256`), and a legacy encoding almost never yields valid UTF-8 by chance.
//! A BOM or an HTTP header still wins.

use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use regex::bytes::Regex;

/// How far into the document the `<meta>` prescan looks.
const META_PRESCAN_BYTES: usize = 4096;

/// Decodes an HTML payload to Unicode, returning the text and the encoding used.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> (String, &'static Encoding) {
    let encoding = sniff(bytes, content_type);
    let (text, used, _had_errors) = encoding.decode(bytes);
    (text.into_owned(), used)
}

/// Chooses the encoding without decoding.
pub fn sniff(bytes: &[u8], content_type: Option<&str>) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return enc;
    }
    if let Some(enc) = content_type
        .and_then(charset_param)
        .and_then(label_to_encoding)
    {
        return enc;
    }
    if let Some(enc) = meta_charset(bytes) {
        if enc != UTF_8 && !bytes.is_ascii() && simdutf8::basic::from_utf8(bytes).is_ok() {
            return UTF_8;
        }
        return enc;
    }
    detect(bytes)
}

/// The `charset=` parameter of a Content-Type header.
fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']))
    })
}

/// Maps a label to an encoding as browsers do: UTF-16 in a meta tag means UTF-8, and
/// `x-user-defined` means windows-1252.
fn label_to_encoding(label: &str) -> Option<&'static Encoding> {
    let enc = Encoding::for_label(label.trim().as_bytes())?;
    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        return Some(UTF_8);
    }
    if enc == encoding_rs::X_USER_DEFINED || enc == encoding_rs::REPLACEMENT {
        return Some(WINDOWS_1252);
    }
    Some(enc)
}

fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    static META: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)<meta\b[^>]*?charset\s*=\s*["']?\s*([a-z0-9_\-:.]+)"#).unwrap()
    });
    let head = &bytes[..bytes.len().min(META_PRESCAN_BYTES)];
    let label = META.captures(head)?.get(1)?.as_bytes();
    label_to_encoding(std::str::from_utf8(label).ok()?)
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARABIC: &str = "<p>المقال التالي: الأمن الوطني</p>";

    fn cp1256(s: &str) -> Vec<u8> {
        encoding_rs::WINDOWS_1256.encode(s).0.into_owned()
    }

    #[test]
    fn header_charset_wins_over_detection() {
        let (text, enc) = decode_html(&cp1256(ARABIC), Some("text/html; charset=windows-1256"));
        assert_eq!(enc, encoding_rs::WINDOWS_1256);
        assert_eq!(text, ARABIC);
    }

    #[test]
    fn meta_charset_is_read() {
        let mut page = b"<html><head><meta charset=\"windows-1256\"></head><body>".to_vec();
        page.extend(cp1256(ARABIC));
        let (text, enc) = decode_html(&page, Some("text/html"));
        assert_eq!(enc, encoding_rs::WINDOWS_1256);
        assert!(text.contains(ARABIC));
    }

    #[test]
    fn a_stale_meta_charset_on_utf8_bytes_is_not_believed() {
        let page =
            format!("<html><head><meta charset=\"gb2312\"></head><body>{ARABIC} 中文</body>");
        let (text, enc) = decode_html(page.as_bytes(), None);
        assert_eq!(enc, UTF_8);
        assert!(text.contains(ARABIC) && text.contains("中文"));
        // The HTTP header still wins over the bytes.
        let (_, enc) = decode_html(page.as_bytes(), Some("text/html; charset=gb2312"));
        assert_eq!(enc, encoding_rs::GBK);
        // ASCII-only pages follow their tag (nothing tells them apart).
        let ascii = b"<meta charset=\"windows-1256\"><p>plain</p>";
        assert_eq!(decode_html(ascii, None).1, encoding_rs::WINDOWS_1256);
    }

    #[test]
    fn http_equiv_is_read() {
        let mut page =
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1256\">"
                .to_vec();
        page.extend(cp1256(ARABIC));
        assert!(decode_html(&page, None).0.contains(ARABIC));
    }

    #[test]
    fn undeclared_arabic_is_detected() {
        let text = ARABIC.repeat(20);
        let (decoded, _) = decode_html(&cp1256(&text), None);
        assert_eq!(decoded, text);
    }

    #[test]
    fn unknown_charset_falls_through() {
        let (text, enc) = decode_html(ARABIC.as_bytes(), Some("text/html; charset=x-no-such"));
        assert_eq!(enc, UTF_8);
        assert_eq!(text, ARABIC);
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        let (text, _) = decode_html(b"abc\xff\xfedef", Some("text/html; charset=utf-8"));
        assert!(text.starts_with("abc") && text.ends_with("def"));
    }

    #[test]
    fn bom_wins() {
        let mut page = b"\xEF\xBB\xBF".to_vec();
        page.extend(ARABIC.as_bytes());
        assert_eq!(
            decode_html(&page, Some("text/html; charset=windows-1252")).0,
            ARABIC
        );
    }
}
