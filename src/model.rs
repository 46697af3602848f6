//! The archive's vocabulary: extracted articles, content hashes and fetch outcomes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::borrow::Cow;

/// What the extractor found on one page. An empty `body` means no article was found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Article {
    pub title: Option<String>,
    pub body: String,
    pub published_at: Option<DateTime<Utc>>,
    pub modified_at: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    pub language: Option<String>,
    pub canonical_url: Option<String>,
}

impl Article {
    /// Whether the page held an article at all. A title alone is not one, nor is a short page
    /// that reads as a wall or an error ("too many requests", "log in to continue"). A short
    /// real item, such as a two-line «عاجل», is one.
    pub fn is_found(&self) -> bool {
        let chars = self.body.chars().filter(|c| !c.is_whitespace()).count();
        if chars < MIN_ARTICLE_CHARS {
            return false;
        }
        if chars < WALL_MAX_CHARS {
            let lower = self.body.to_lowercase();
            let title = self.title.as_deref().unwrap_or("").to_lowercase();
            if WALL_PHRASES
                .iter()
                .any(|p| lower.contains(p) || title.contains(p))
            {
                return false;
            }
        }
        true
    }

    /// The hash that decides whether content changed.
    pub fn content_hash(&self) -> ContentHash {
        ContentHash::of(self.title.as_deref().unwrap_or(""), &self.body)
    }
}

/// Fewest non-space characters of body text that make an article.
pub const MIN_ARTICLE_CHARS: usize = 30;
/// Pages shorter than this that carry a wall phrase are walls, not articles.
pub const WALL_MAX_CHARS: usize = 600;
/// Phrases of login walls, rate-limit notices, bot checks and error pages.
const WALL_PHRASES: &[&str] = &[
    "too many requests",
    "rate limit",
    "access denied",
    "are you a robot",
    "captcha",
    "enable javascript",
    "log in to continue",
    "sign in to continue",
    "login to continue",
    "subscribe to continue",
    "connectez-vous",
    "trop de requêtes",
    "accès refusé",
    "تسجيل الدخول",
    "طلبات كثيرة",
    "الوصول مرفوض",
    "page not found",
    "404 not found",
];

/// SHA-256 (hex) of the NFC-normalised title and body with whitespace runs collapsed.
///
/// Nothing else is folded: an added hamza or a changed digit is a real edit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ContentHash(pub String);

impl ContentHash {
    pub fn of(title: &str, body: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(canonical_text(title).as_bytes());
        hasher.update(b"\x1f");
        hasher.update(canonical_text(body).as_bytes());
        ContentHash(hex(&hasher.finalize()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// NFC, collapsed whitespace and no soft hyphens or zero-width spaces: the form the content
/// hash covers (a site that turns on automatic hyphenation has not changed its articles).
pub fn canonical_text(s: &str) -> String {
    const SILENT: [char; 5] = ['\u{ad}', '\u{200b}', '\u{2060}', '\u{feff}', '\u{180e}'];
    let visible: Cow<str> = if s.contains(SILENT) {
        Cow::Owned(s.replace(SILENT, ""))
    } else {
        Cow::Borrowed(s)
    };
    let nfc = crate::text::nfc(&visible);
    let mut out = String::with_capacity(nfc.len());
    for word in nfc.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The digest of a raw payload, `sha256:<hex>`; the key of a stored capture.
pub fn payload_digest(bytes: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(bytes);
    payload_digest_of(hasher)
}

/// [`payload_digest`] of the bytes fed to `hasher` (a body hashed as it arrives).
pub fn payload_digest_of(hasher: Sha256) -> String {
    format!("sha256:{}", hex(&hasher.finalize()))
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// How one HTTP attempt (or a page skipped without one) ended. Stored in `fetches.outcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FetchOutcome {
    /// A new article: version 1 stored.
    Archived,
    /// A known article whose content changed: a new version stored.
    Changed,
    /// Fetched (200) and the content is the same as the latest version.
    Unchanged,
    /// The server answered 304 to a conditional request.
    NotModified,
    /// A page was fetched but no article was found on it.
    NoArticle,
    /// The response was not HTML.
    NotHtml,
    /// robots.txt forbids the URL; nothing was requested.
    RobotsDisallowed,
    /// The link leads outside the crawl's scope; nothing was requested.
    OffSite,
    /// 404 or 410: the page is gone (or never existed).
    Gone,
    /// Another HTTP status that is final (4xx, or 5xx after the retry budget).
    HttpError,
    /// The attempt timed out.
    Timeout,
    /// The body exceeded the size limit.
    TooLarge,
    /// A redirect left the scope, looped, or went past the limit.
    BadRedirect,
    /// Connection refused, reset, DNS failure, invalid body.
    NetworkError,
    /// An attempt that failed and was retried (its own row; the page went on).
    Retried,
    /// A redirect hop that was followed.
    Redirected,
    /// The final fetch of a robots.txt file.
    RobotsTxt,
    /// The page belongs to an article under a takedown (`arshif redact`): nothing of it is kept.
    Redacted,
    /// A feed, a sitemap or a section page read for the articles it lists.
    Listing,
    /// The destination resolved to a loopback, private, link-local or metadata address that the
    /// crawl did not start on: refused before connecting.
    BlockedAddress,
    /// Fetched ahead while the page before it was processed, then not used because the walk
    /// ended at that page (a cycle, or a shutdown): logged, nothing kept.
    Unused,
    /// A request cut short by a shutdown (SIGINT/SIGTERM) before its answer was read.
    Interrupted,
}

impl FetchOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            FetchOutcome::Archived => "archived",
            FetchOutcome::Changed => "changed",
            FetchOutcome::Unchanged => "unchanged",
            FetchOutcome::NotModified => "not_modified",
            FetchOutcome::NoArticle => "no_article",
            FetchOutcome::NotHtml => "not_html",
            FetchOutcome::RobotsDisallowed => "robots_disallowed",
            FetchOutcome::OffSite => "off_site",
            FetchOutcome::Gone => "gone",
            FetchOutcome::HttpError => "http_error",
            FetchOutcome::Timeout => "timeout",
            FetchOutcome::TooLarge => "too_large",
            FetchOutcome::BadRedirect => "bad_redirect",
            FetchOutcome::NetworkError => "network_error",
            FetchOutcome::Retried => "retried",
            FetchOutcome::Redirected => "redirected",
            FetchOutcome::RobotsTxt => "robots_txt",
            FetchOutcome::Redacted => "redacted",
            FetchOutcome::Listing => "listing",
            FetchOutcome::BlockedAddress => "blocked_address",
            FetchOutcome::Unused => "unused",
            FetchOutcome::Interrupted => "interrupted",
        }
    }

    /// Every outcome, in the order docs/schema.md's table lists them.
    pub const ALL: [FetchOutcome; 22] = [
        FetchOutcome::Archived,
        FetchOutcome::Changed,
        FetchOutcome::Unchanged,
        FetchOutcome::NotModified,
        FetchOutcome::NoArticle,
        FetchOutcome::NotHtml,
        FetchOutcome::Gone,
        FetchOutcome::RobotsDisallowed,
        FetchOutcome::OffSite,
        FetchOutcome::HttpError,
        FetchOutcome::Timeout,
        FetchOutcome::TooLarge,
        FetchOutcome::BadRedirect,
        FetchOutcome::NetworkError,
        FetchOutcome::BlockedAddress,
        FetchOutcome::Retried,
        FetchOutcome::Redirected,
        FetchOutcome::RobotsTxt,
        FetchOutcome::Redacted,
        FetchOutcome::Listing,
        FetchOutcome::Unused,
        FetchOutcome::Interrupted,
    ];

    /// The final failures: the page could not be archived for a reason worth exit code 2.
    pub const FAILURES: [FetchOutcome; 6] = [
        FetchOutcome::HttpError,
        FetchOutcome::Timeout,
        FetchOutcome::TooLarge,
        FetchOutcome::BadRedirect,
        FetchOutcome::NetworkError,
        FetchOutcome::BlockedAddress,
    ];

    /// Whether this outcome is one of [`FetchOutcome::FAILURES`].
    pub fn is_failure(self) -> bool {
        Self::FAILURES.contains(&self)
    }

    /// Whether an outcome name (as stored in `fetches.outcome`) is a final failure.
    pub fn is_failure_name(name: &str) -> bool {
        Self::FAILURES.iter().any(|o| o.as_str() == name)
    }
}

impl std::fmt::Display for FetchOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_ignores_whitespace_layout() {
        let a = ContentHash::of("عنوان  الخبر", "فقرة أولى.\n\nفقرة  ثانية.");
        let b = ContentHash::of(" عنوان الخبر", "فقرة أولى. فقرة ثانية.\n");
        assert_eq!(a, b);
    }

    #[test]
    fn hash_sees_an_added_hamza() {
        let a = ContentHash::of("t", "قال الامين العام");
        let b = ContentHash::of("t", "قال الأمين العام");
        assert_ne!(a, b);
    }

    #[test]
    fn hash_ignores_hyphenation() {
        // A site that starts hyphenating its German text has not changed the article.
        assert_eq!(
            ContentHash::of("t", "Bundes\u{ad}tags\u{ad}wahl"),
            ContentHash::of("t", "Bundestagswahl")
        );
        assert_ne!(
            ContentHash::of("t", "Bundes-tagswahl"),
            ContentHash::of("t", "Bundestagswahl")
        );
    }

    #[test]
    fn hash_is_nfc_stable() {
        // "é" precomposed vs e + combining acute.
        assert_eq!(
            ContentHash::of("t", "caf\u{e9}"),
            ContentHash::of("t", "cafe\u{301}")
        );
    }

    #[test]
    fn walls_are_not_articles_but_breaking_news_is() {
        let wall = Article {
            title: Some("Too Many Requests".into()),
            body: "You have sent too many requests. Please wait a few minutes and try again."
                .into(),
            ..Default::default()
        };
        assert!(!wall.is_found());
        let login = Article {
            body: "Please log in to continue reading this article on our website.".into(),
            ..Default::default()
        };
        assert!(!login.is_found());
        let breaking = Article {
            title: Some("عاجل".into()),
            body: "عاجل: زلزال بقوة 5 درجات يضرب إقليم الحوز دون تسجيل خسائر.\n\nالتفاصيل لاحقا."
                .into(),
            ..Default::default()
        };
        assert!(breaking.is_found());
        assert!(
            !Article {
                title: Some("Headline".into()),
                ..Default::default()
            }
            .is_found()
        );
    }

    #[test]
    fn hash_separates_title_from_body() {
        assert_ne!(ContentHash::of("a b", "c"), ContentHash::of("a", "b c"));
    }
}
