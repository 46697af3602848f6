//! The last stages of an article page: its identity (which stored article it is), the version
//! decision against what is stored, and the page's commit, handed to the writer's thread.

use chrono::{DateTime, Utc};
use url::Url;

use super::decide;
use super::journal::{Journal, set_last};
use super::settings::CrawlSettings;
use crate::extract::{self, EXTRACTOR_VERSION, ExtractOptions};
use crate::fetch::charset::decode_html;
use crate::model::{Article, ContentHash, FetchOutcome};
use crate::store::{ArticleWrite, CaptureWrite, FetchRow, LatestVersion, PageCommit, VersionWrite};
use crate::time::rfc3339;
use crate::urls::{self, Scope};
use crate::{Error, Result};

/// What was read from a fetched HTML page (an article or none), with everything its commit
/// needs.
pub(super) struct Found {
    pub article: Article,
    /// The page's final URL, normalised.
    pub url: Url,
    pub fetched_at: String,
    pub rows: Vec<FetchRow>,
    pub capture: CaptureWrite,
    /// The chain's pending page, recorded in the same transaction.
    pub resume_url: Option<String>,
}

/// What became of a page: its outcome and, for an article, its key.
pub(super) struct Archived {
    pub outcome: FetchOutcome,
    pub key: Option<String>,
}

/// Decides what `found` is (no article, a takedown, a new article, a new version, unchanged)
/// and commits it: an article's rows, capture and version on the writer's thread, the rest at
/// once.
pub(super) fn archive(
    journal: &mut Journal,
    settings: &CrawlSettings,
    scope: &Scope,
    found: Found,
) -> Result<Archived> {
    let Found {
        article,
        url,
        fetched_at,
        mut rows,
        capture,
        resume_url,
    } = found;
    if !article.is_found() {
        let error = Some("no article found on the page".to_string());
        set_last(&mut rows, FetchOutcome::NoArticle, error);
        let capture = settings.site.keep_all_captures.then_some(capture);
        journal.commit_fetches(rows, capture)?;
        return Ok(Archived {
            outcome: FetchOutcome::NoArticle,
            key: None,
        });
    }
    let hash = article.content_hash();
    let (key, canonical) = article_key(journal, scope, &article, &url, &hash)?;
    if journal.with(|s| s.is_redacted(&[&key, url.as_str()]))? {
        // A takedown: keep nothing of the page, not even its digest; the chain goes on.
        set_last(
            &mut rows,
            FetchOutcome::Redacted,
            Some("the article is under a takedown (arshif redact)".into()),
        );
        if let Some(r) = rows.last_mut() {
            r.payload_digest = None;
        }
        journal.commit_rows(rows)?;
        return Ok(Archived {
            outcome: FetchOutcome::Redacted,
            key: Some(key),
        });
    }
    let article_id = journal.with(|s| s.article_id(&key))?;
    let latest = match article_id {
        Some(id) => journal.with(|s| s.latest_version(id))?,
        None => None,
    };
    let rules_id = settings.site.rules.extraction_id();
    // Like with like: an upgrade or a new rule re-reads the stored capture.
    let outcome = decide::decide(latest.as_ref(), &hash, EXTRACTOR_VERSION, &rules_id, |l| {
        reextract(journal, settings, l)
    })?;
    let new_version = matches!(outcome, FetchOutcome::Archived | FetchOutcome::Changed);
    set_last(&mut rows, outcome, None);
    if outcome == FetchOutcome::Unchanged
        && let (Some(l), Some(r)) = (&latest, rows.last_mut())
    {
        r.note = decide::metadata_changes(l, &article);
    }
    let keep_capture = new_version || article_id.is_none() || settings.site.keep_all_captures;
    let version = new_version.then(|| VersionWrite {
        fetched_at: fetched_at.clone(),
        fetched_url: url.to_string(),
        canonical_url: canonical,
        title: article.title,
        body: article.body,
        published_at: article.published_at.map(rfc3339),
        modified_at: article.modified_at.map(rfc3339),
        authors: article.authors,
        language: article.language,
        content_hash: hash.0.clone(),
        extractor_version: EXTRACTOR_VERSION.to_string(),
        site_rules: rules_id,
    });
    journal.submit(PageCommit {
        run_id: Some(journal.run_id()),
        rows,
        capture: keep_capture.then_some(capture),
        article: Some(ArticleWrite {
            url: key.clone(),
            host: urls::host_key(&url).unwrap_or_default(),
            seen_at: fetched_at,
            version,
        }),
        resume_url,
    })?;
    Ok(Archived {
        outcome,
        key: Some(key),
    })
}

/// A 304: the article the stored copy belongs to is seen again, nothing else changes. Returns
/// the stored copy's text (for its next link) and the article's key.
pub(super) fn seen_again(
    journal: &mut Journal,
    url: &Url,
    mut rows: Vec<FetchRow>,
    digest: &str,
) -> Result<(Option<String>, Option<String>)> {
    set_last(&mut rows, FetchOutcome::NotModified, None);
    if let Some(r) = rows.last_mut() {
        r.payload_digest = Some(digest.to_string());
    }
    let stored = journal
        .with(|s| s.load_capture(digest))?
        .map(|(bytes, content_type)| decode_html(&bytes, content_type.as_deref()).0);
    let key = journal
        .with(|s| s.article_of_capture(url.as_str(), digest))?
        .map(|(_, key)| key);
    let (seen_at, _) = super::page::fetched_at(&rows);
    let article = key.clone().map(|key| ArticleWrite {
        host: urls::host_key(url).unwrap_or_default(),
        url: key,
        seen_at,
        version: None,
    });
    journal.commit_seen(PageCommit {
        rows,
        article,
        ..Default::default()
    })?;
    Ok((stored, key))
}

/// The options extraction runs with for this walk, for a page fetched at `fetched_at`.
pub(super) fn extract_options(
    settings: &CrawlSettings,
    fetched_at: Option<DateTime<Utc>>,
) -> ExtractOptions<'_> {
    ExtractOptions {
        timezone: settings.site.timezone,
        fetched_at,
        rules: &settings.site.rules,
    }
}

/// Re-extracts a stored version's capture with the current extractor and rules.
fn reextract(
    journal: &mut Journal,
    settings: &CrawlSettings,
    latest: &LatestVersion,
) -> Result<Option<ContentHash>> {
    let Some((bytes, content_type)) = journal.with(|s| s.load_capture(&latest.capture_digest))?
    else {
        return Ok(None);
    };
    let (html, _) = decode_html(&bytes, content_type.as_deref());
    let url = Url::parse(&latest.fetched_url).map_err(|e| Error::InvalidUrl {
        url: latest.fetched_url.clone(),
        reason: e.to_string(),
    })?;
    let fetched = DateTime::parse_from_rfc3339(&latest.fetched_at)
        .ok()
        .map(|d| d.with_timezone(&Utc));
    let article = extract::extract_html(&html, &url, &extract_options(settings, fetched));
    Ok(Some(article.content_hash()))
}

/// The article's key: its canonical URL when that is in scope, not the site root, and not
/// claimed by different content; otherwise the normalised fetched URL. Also returns the
/// canonical URL when it was trusted (None when the page declared none or it was refused).
fn article_key(
    journal: &mut Journal,
    scope: &Scope,
    article: &Article,
    fetched: &Url,
    hash: &ContentHash,
) -> Result<(String, Option<String>)> {
    let fallback = (fetched.to_string(), None);
    let Some(canonical) = article
        .canonical_url
        .as_deref()
        .and_then(|c| Url::parse(c).ok())
    else {
        return Ok(fallback);
    };
    let canonical = urls::normalize(&canonical);
    if !scope.allows(&canonical) || urls::is_site_root(&canonical) {
        return Ok(fallback);
    }
    let key = canonical.to_string();
    let trusted = (key.clone(), Some(key.clone()));
    if canonical == *fetched {
        return Ok(trusted);
    }
    let Some(id) = journal.with(|s| s.article_id(&key))? else {
        return Ok(trusted);
    };
    if journal.with(|s| s.article_was_fetched_from(id, fetched.as_str()))? {
        return Ok(trusted);
    }
    let same_content = journal
        .with(|s| s.latest_version(id))?
        .is_some_and(|l| l.content_hash == hash.0);
    Ok(if same_content { trusted } else { fallback })
}
