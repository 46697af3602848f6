//! robots.txt rules (RFC 9309, via `robotxt`): what a fetch result means and what may be fetched.

use std::time::Duration;

use robotxt::{AccessResult, Agent, Robots};
use url::Url;

use crate::config::ROBOTS_AGENT;

/// The rules of one host.
#[derive(Debug, Clone)]
pub struct HostRules {
    robots: Robots,
    /// Why the rules are what they are, for the log ("404: allow all", ...).
    pub source: String,
}

/// What fetching `/robots.txt` gave.
#[derive(Debug, Clone)]
pub enum RobotsFetch {
    /// 2xx with this body.
    Found(Vec<u8>),
    /// 4xx (429 excepted): everything may be crawled.
    Unavailable(u16),
    /// 5xx, 429, or a network failure: nothing may be crawled (RFC 9309 §2.3.1.4).
    Unreachable(String),
    /// More than five redirects.
    TooManyRedirects,
}

impl HostRules {
    pub fn from_fetch(fetch: &RobotsFetch) -> Self {
        let agent = Agent::Exact(ROBOTS_AGENT);
        let (access, source) = match fetch {
            RobotsFetch::Found(body) => (AccessResult::Successful(body), "robots.txt".to_string()),
            RobotsFetch::Unavailable(status) => (
                AccessResult::Unavailable,
                format!("robots.txt answered {status}: all allowed"),
            ),
            RobotsFetch::Unreachable(why) => (
                AccessResult::Unreachable,
                format!("robots.txt unreachable ({why}): nothing allowed"),
            ),
            RobotsFetch::TooManyRedirects => (
                AccessResult::TooManyRedirects,
                "robots.txt redirected too often: all allowed".to_string(),
            ),
        };
        HostRules {
            robots: Robots::from_access(access, agent),
            source,
        }
    }

    /// No rules at all (`--ignore-robots`).
    pub fn allow_all() -> Self {
        HostRules {
            robots: Robots::allow_all(),
            source: "robots.txt ignored".into(),
        }
    }

    pub fn allows(&self, url: &Url) -> bool {
        let path = &url[url::Position::BeforePath..url::Position::AfterQuery];
        self.robots.is_allowed(path)
    }

    pub fn crawl_delay(&self) -> Option<Duration> {
        self.robots.crawl_delay()
    }
}

/// The robots.txt URL of a page's host.
pub fn robots_url(page: &Url) -> Option<Url> {
    let mut u = page.clone();
    u.set_path("/robots.txt");
    u.set_query(None);
    u.set_fragment(None);
    Some(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(txt: &str) -> HostRules {
        HostRules::from_fetch(&RobotsFetch::Found(txt.as_bytes().to_vec()))
    }

    fn url(p: &str) -> Url {
        Url::parse(&format!("http://news.example{p}")).unwrap()
    }

    #[test]
    fn disallow_is_obeyed() {
        let r = rules("User-agent: *\nDisallow: /private/\n");
        assert!(!r.allows(&url("/private/a.html")));
        assert!(r.allows(&url("/public/a.html")));
    }

    #[test]
    fn our_group_wins_over_star() {
        let r = rules("User-agent: *\nDisallow: /\n\nUser-agent: arshif\nAllow: /\n");
        assert!(r.allows(&url("/a")));
        let r = rules("User-agent: *\nAllow: /\n\nUser-agent: arshif\nDisallow: /news/\n");
        assert!(!r.allows(&url("/news/a")));
    }

    #[test]
    fn longest_match_and_query() {
        let r = rules("User-agent: *\nDisallow: /a\nAllow: /a/b\nDisallow: /*?print=\n");
        assert!(r.allows(&url("/a/b/c")));
        assert!(!r.allows(&url("/a/c")));
        assert!(!r.allows(&url("/x?print=1")));
    }

    #[test]
    fn percent_encoding_matches() {
        let r = rules("User-agent: *\nDisallow: /أخبار/\n");
        assert!(!r.allows(&url("/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/x")));
    }

    #[test]
    fn unreachable_disallows_and_404_allows() {
        let down = HostRules::from_fetch(&RobotsFetch::Unreachable("503".into()));
        assert!(!down.allows(&url("/a")));
        let missing = HostRules::from_fetch(&RobotsFetch::Unavailable(404));
        assert!(missing.allows(&url("/a")));
    }

    #[test]
    fn crawl_delay_is_read() {
        let r = rules("User-agent: *\nCrawl-delay: 2\n");
        assert_eq!(r.crawl_delay(), Some(Duration::from_secs(2)));
    }
}
