//! The version decision (pure): whether a fetched article is new, a new version, or unchanged,
//! comparing like with like, and what changed in its metadata alone.

use crate::model::{Article, ContentHash, FetchOutcome};
use crate::store::LatestVersion;
use crate::time::rfc3339;

/// What a fetch of an article makes of it, given its latest stored version (`None`: a new
/// article), the new extraction's hash, the extractor and site rules that produced it, and how
/// to re-extract the stored capture with them (`reextract`, called only when the latest
/// version was produced by another extractor or other rules).
///
/// - no latest version: [`FetchOutcome::Archived`];
/// - the same hash: [`FetchOutcome::Unchanged`];
/// - another extractor or other rules: the stored capture re-extracted today decides, so that
///   an upgrade or a new rule is never taken for an edit (`Unchanged` when it gives the new
///   hash, `Changed` otherwise or when the capture cannot be read);
/// - otherwise [`FetchOutcome::Changed`].
pub fn decide<E>(
    latest: Option<&LatestVersion>,
    hash: &ContentHash,
    extractor: &str,
    rules: &str,
    reextract: impl FnOnce(&LatestVersion) -> Result<Option<ContentHash>, E>,
) -> Result<FetchOutcome, E> {
    Ok(match latest {
        None => FetchOutcome::Archived,
        Some(l) if l.content_hash == hash.0 => FetchOutcome::Unchanged,
        Some(l) if l.extractor_version != extractor || l.site_rules != rules => {
            match reextract(l)? {
                Some(old) if old == *hash => FetchOutcome::Unchanged,
                _ => FetchOutcome::Changed,
            }
        }
        Some(_) => FetchOutcome::Changed,
    })
}

/// What changed in authors and dates since the latest version, as a note for the fetch log:
/// such a change alone is noted on the fetch, not stored as a version.
pub fn metadata_changes(latest: &LatestVersion, article: &Article) -> Option<String> {
    let mut changes = Vec::new();
    let mut compare = |name: &str, old: Option<&str>, new: Option<String>| {
        if old != new.as_deref() {
            let show = |v: Option<&str>| v.unwrap_or("none").to_string();
            changes.push(format!("{name} {} -> {}", show(old), show(new.as_deref())));
        }
    };
    compare(
        "published_at",
        latest.published_at.as_deref(),
        article.published_at.map(rfc3339),
    );
    compare(
        "modified_at",
        latest.modified_at.as_deref(),
        article.modified_at.map(rfc3339),
    );
    if article.authors != latest.authors {
        changes.push(format!(
            "authors {:?} -> {:?}",
            latest.authors, article.authors
        ));
    }
    (!changes.is_empty()).then(|| changes.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn latest(hash: &ContentHash, extractor: &str, rules: &str) -> LatestVersion {
        LatestVersion {
            version: 1,
            content_hash: hash.0.clone(),
            extractor_version: extractor.into(),
            site_rules: rules.into(),
            capture_digest: "sha256:00".into(),
            fetched_url: "https://news.example/a".into(),
            fetched_at: "2026-11-20T09:00:00Z".into(),
            published_at: Some("2026-11-20T08:00:00Z".into()),
            modified_at: None,
            authors: vec!["Nadia Benali".into()],
        }
    }

    type Never = std::convert::Infallible;

    fn never(_: &LatestVersion) -> Result<Option<ContentHash>, Never> {
        panic!("re-extracted when the extractor and rules are the same")
    }

    #[test]
    fn each_outcome() {
        let old = ContentHash::of("Title", "The first text.");
        let new = ContentHash::of("Title", "The edited text.");
        let same = latest(&old, "x/4", "r");
        assert_eq!(
            decide(None, &new, "x/4", "r", never),
            Ok(FetchOutcome::Archived)
        );
        assert_eq!(
            decide(Some(&same), &old, "x/4", "r", never),
            Ok(FetchOutcome::Unchanged)
        );
        assert_eq!(
            decide(Some(&same), &new, "x/4", "r", never),
            Ok(FetchOutcome::Changed)
        );
    }

    #[test]
    fn an_upgrade_compares_like_with_like() {
        let stored = ContentHash::of("Title", "What the old extractor read.");
        let today = ContentHash::of("Title", "What today's extractor reads.");
        let older = latest(&stored, "x/3", "r");
        // The stored capture, read today, gives today's hash: the page did not change.
        let same_page = |_: &LatestVersion| Ok::<_, Never>(Some(today.clone()));
        assert_eq!(
            decide(Some(&older), &today, "x/4", "r", same_page),
            Ok(FetchOutcome::Unchanged)
        );
        // It gives something else: the page changed.
        let edited = |_: &LatestVersion| Ok::<_, Never>(Some(stored.clone()));
        assert_eq!(
            decide(Some(&older), &today, "x/4", "r", edited),
            Ok(FetchOutcome::Changed)
        );
        // Other site rules count as another extractor; an unreadable capture is a change.
        let other_rules = latest(&stored, "x/4", "old-rules");
        let unreadable = |_: &LatestVersion| Ok::<_, Never>(None);
        assert_eq!(
            decide(Some(&other_rules), &today, "x/4", "r", unreadable),
            Ok(FetchOutcome::Changed)
        );
        // A failure to read it is the caller's error.
        let failing = |_: &LatestVersion| Err::<Option<ContentHash>, &str>("disk");
        assert_eq!(
            decide(Some(&older), &today, "x/4", "r", failing),
            Err("disk")
        );
    }

    #[test]
    fn metadata_alone_is_a_note() {
        let hash = ContentHash::of("Title", "Text.");
        let l = latest(&hash, "x/4", "r");
        let same = Article {
            title: Some("Title".into()),
            body: "Text.".into(),
            published_at: chrono::DateTime::parse_from_rfc3339("2026-11-20T08:00:00Z")
                .ok()
                .map(|d| d.with_timezone(&chrono::Utc)),
            modified_at: None,
            authors: vec!["Nadia Benali".into()],
            language: None,
            canonical_url: None,
        };
        assert_eq!(metadata_changes(&l, &same), None);
        let moved = Article {
            authors: vec!["Nadia Benali".into(), "Karim Idrissi".into()],
            ..same
        };
        let note = metadata_changes(&l, &moved).unwrap();
        assert!(note.starts_with("authors"), "{note}");
    }
}
