//! Pure: whether a site's walks keep ending at their first article with no next-article link,
//! the sign that arshif does not recognise the site's next link (a cron job would then archive
//! one article a run and nobody would notice).

use std::collections::BTreeMap;

use crate::crawl::EndReason;
use crate::model::FetchOutcome;
use crate::store::Walked;

/// How many runs in a row must end at their first article before `run` warns.
pub const DEAD_END_RUNS: usize = 3;

/// Whether each of the last [`DEAD_END_RUNS`] walks of `start_url` (`walks`, newest first)
/// ended at its first article with no next-article link. A chain that reached its newest
/// article ends there too, but the next run resumes at that article, not at the start: only a
/// walk that never left its start (the configured article, or a listing's first article) counts.
pub fn stuck_at_start(start_url: &str, walks: &[Walked]) -> bool {
    walks.len() >= DEAD_END_RUNS
        && walks
            .iter()
            .take(DEAD_END_RUNS)
            .all(|w| ended_at_first_article(start_url, w))
}

fn ended_at_first_article(start_url: &str, w: &Walked) -> bool {
    let no_next = EndReason::NoNextLink.to_string();
    if w.status != "complete" || w.end_reason.as_deref() != Some(no_next.as_str()) {
        return false;
    }
    let counts: BTreeMap<String, usize> = w
        .counts
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default();
    let count = |o: FetchOutcome| counts.get(o.as_str()).copied().unwrap_or(0);
    let listing = count(FetchOutcome::Listing);
    let pages: usize = counts.values().sum::<usize>() - listing;
    let articles = [
        FetchOutcome::Archived,
        FetchOutcome::Changed,
        FetchOutcome::Unchanged,
        FetchOutcome::NotModified,
    ]
    .into_iter()
    .map(count)
    .sum::<usize>();
    let began_at_start = listing > 0
        || w.resume_url
            .as_deref()
            .is_some_and(|r| same_url(r, start_url));
    pages == 1 && articles == 1 && began_at_start
}

fn same_url(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => crate::urls::normalize(&a) == crate::urls::normalize(&b),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: &str = "http://news.example/a/1.html";

    fn walk(end: &str, resume: Option<&str>, counts: &str) -> Walked {
        Walked {
            status: "complete".into(),
            end_reason: Some(end.into()),
            resume_url: resume.map(String::from),
            counts: Some(counts.into()),
        }
    }

    fn stuck() -> Walked {
        walk("no next-article link", Some(START), r#"{"not_modified":1}"#)
    }

    #[test]
    fn three_dead_ends_at_the_start_in_a_row() {
        assert!(stuck_at_start(START, &[stuck(), stuck(), stuck()]));
        assert!(!stuck_at_start(START, &[stuck(), stuck()]));
        let walked_on = walk("no next-article link", Some(START), r#"{"archived":4}"#);
        assert!(!stuck_at_start(START, &[stuck(), stuck(), walked_on]));
    }

    #[test]
    fn a_chain_resting_at_its_newest_article_is_not_stuck() {
        let resting = walk(
            "no next-article link",
            Some("http://news.example/a/9.html"),
            r#"{"not_modified":1}"#,
        );
        assert!(!stuck_at_start(
            START,
            &[resting.clone(), resting.clone(), resting]
        ));
    }

    #[test]
    fn a_listing_start_that_never_gets_past_its_first_article() {
        let w = walk(
            "no next-article link",
            None,
            r#"{"listing":1,"archived":1}"#,
        );
        assert!(stuck_at_start(START, &[w.clone(), w.clone(), w]));
        let other_end = walk(
            "3 articles in a row were already archived and unchanged",
            None,
            r#"{"listing":1,"unchanged":3}"#,
        );
        assert!(!stuck_at_start(START, &[stuck(), stuck(), other_end]));
    }
}
