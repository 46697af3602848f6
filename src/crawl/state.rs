//! What a walk has seen so far, across the chains of its start points, and the limits it
//! reads from that: the page limit, the deadline, the streak of known pages, cycles.

use std::collections::HashSet;

use url::Url;

use super::settings::CrawlSettings;
use super::summary::EndReason;
use crate::model::FetchOutcome;

#[derive(Debug, Default)]
pub(super) struct WalkState {
    /// Every URL the walk has fetched or been redirected to, and the articles' keys.
    pub seen: HashSet<String>,
    seen_articles: HashSet<String>,
    /// Pages processed (a listing page does not count).
    pub pages: usize,
    known_streak: usize,
}

impl WalkState {
    /// Why no further page may start: a signal, `--max-duration`, or the page limit.
    pub fn stop_before_page(
        &self,
        pages: usize,
        settings: &CrawlSettings,
        cancelled: bool,
    ) -> Option<EndReason> {
        if cancelled {
            Some(EndReason::Interrupted)
        } else if settings
            .deadline
            .is_some_and(|d| tokio::time::Instant::now() >= d)
        {
            Some(EndReason::TimeUp)
        } else if pages >= settings.site.max_articles {
            Some(EndReason::MaxArticles)
        } else {
            None
        }
    }

    /// Counts a processed page, and says why the chain ends after it, if it does: a streak of
    /// known pages, or the same article again under another URL (cache-busting queries).
    pub fn after_page(
        &mut self,
        outcome: FetchOutcome,
        key: Option<String>,
        settings: &CrawlSettings,
    ) -> Option<EndReason> {
        self.known_streak = match outcome {
            FetchOutcome::Unchanged | FetchOutcome::NotModified => self.known_streak + 1,
            FetchOutcome::Listing => self.known_streak,
            _ => 0,
        };
        let wanted = settings.site.stop_after_known;
        if wanted > 0 && self.known_streak >= wanted {
            return Some(EndReason::KnownStreak(self.known_streak));
        }
        key.filter(|k| !self.seen_articles.insert(k.clone()))
            .map(EndReason::Cycle)
    }

    /// Whether the walk is sure to go from `here` to `next` whatever `here` turns out to be:
    /// under the page limit and the known streak, not back to a page seen, no stop due.
    pub fn sure_to_reach(
        &self,
        next: &Url,
        here: &Url,
        settings: &CrawlSettings,
        cancelled: bool,
    ) -> bool {
        let wanted = settings.site.stop_after_known;
        self.pages + 1 < settings.site.max_articles
            && (wanted == 0 || self.known_streak + 1 < wanted)
            && next != here
            && !self.seen.contains(next.as_str())
            && self
                .stop_before_page(self.pages, settings, cancelled)
                .is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> CrawlSettings {
        let start = Url::parse("http://news.example/a").unwrap();
        let mut s = CrawlSettings::new(start, Default::default(), "t");
        s.site.stop_after_known = 2;
        s.site.max_articles = 10;
        s
    }

    #[test]
    fn a_streak_of_known_pages_ends_the_chain() {
        let (mut state, s) = (WalkState::default(), settings());
        assert_eq!(state.after_page(FetchOutcome::Unchanged, None, &s), None);
        assert_eq!(state.after_page(FetchOutcome::Listing, None, &s), None);
        assert_eq!(
            state.after_page(FetchOutcome::NotModified, None, &s),
            Some(EndReason::KnownStreak(2))
        );
        assert_eq!(state.after_page(FetchOutcome::Changed, None, &s), None);
    }

    #[test]
    fn the_same_article_twice_is_a_cycle() {
        let (mut state, s) = (WalkState::default(), settings());
        let key = Some("http://news.example/a".to_string());
        assert_eq!(
            state.after_page(FetchOutcome::Archived, key.clone(), &s),
            None
        );
        assert_eq!(
            state.after_page(FetchOutcome::Archived, key, &s),
            Some(EndReason::Cycle("http://news.example/a".into()))
        );
    }

    #[test]
    fn no_page_is_fetched_ahead_past_the_limit_or_back() {
        let (mut state, s) = (WalkState::default(), settings());
        let (a, b) = (
            Url::parse("http://news.example/a").unwrap(),
            Url::parse("http://news.example/b").unwrap(),
        );
        assert!(state.sure_to_reach(&b, &a, &s, false));
        assert!(!state.sure_to_reach(&b, &a, &s, true));
        assert!(!state.sure_to_reach(&a, &a, &s, false));
        state.pages = 9;
        assert!(!state.sure_to_reach(&b, &a, &s, false));
    }
}
