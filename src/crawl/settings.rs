//! What one walk needs to know: its start, limits, scope, site rules and fetch settings.

use chrono_tz::Tz;
use url::Url;

use crate::config::SiteRules;
use crate::fetch::FetchSettings;

/// Everything one crawl needs.
#[derive(Debug, Clone)]
pub struct CrawlSettings {
    pub start: Url,
    pub max_articles: usize,
    pub rate: f64,
    pub ignore_robots: bool,
    pub allowed_hosts: Vec<String>,
    pub timezone: Tz,
    pub keep_all_captures: bool,
    pub rules: SiteRules,
    pub fetch: FetchSettings,
    /// Recorded in the `runs` table.
    pub command: String,
    /// The config file's site name (`arshif run`), recorded in the `runs` table.
    pub site: Option<String>,
    /// End the walk after this many consecutive pages already archived and unchanged (0: off).
    pub stop_after_known: usize,
    /// Start where the last run of this start URL left off (`arshif run`): at its pending page
    /// when it was interrupted or killed, at its last article when its chain had ended.
    pub resume: bool,
    /// Start no new page after this moment (`--max-duration`).
    pub deadline: Option<tokio::time::Instant>,
    /// Use robots.txt answers kept in the database for up to 24 hours (`arshif run`).
    pub robots_cache: bool,
    /// On a section or home page used as the start: the link to its first article.
    pub first_article_selector: Option<(String, scraper::Selector)>,
    /// A progress bar to advance with each page (only on a terminal).
    pub progress: Option<indicatif::ProgressBar>,
}

impl CrawlSettings {
    /// The site a log line is about: the config's site name, else the start URL's host (and
    /// port).
    pub fn site_label(&self) -> String {
        match &self.site {
            Some(name) => name.clone(),
            None => {
                let host = self.start.host_str().unwrap_or_default();
                match self.start.port() {
                    Some(port) => format!("{host}:{port}"),
                    None => host.to_string(),
                }
            }
        }
    }

    /// Settings for one start URL with every optional behaviour off.
    pub fn new(start: Url, rate: f64, command: &str) -> Self {
        CrawlSettings {
            start,
            max_articles: crate::config::DEFAULT_MAX_ARTICLES,
            rate,
            ignore_robots: false,
            allowed_hosts: Vec::new(),
            timezone: chrono_tz::UTC,
            keep_all_captures: false,
            rules: SiteRules::default(),
            fetch: FetchSettings::default(),
            command: command.to_string(),
            site: None,
            stop_after_known: 0,
            resume: false,
            deadline: None,
            robots_cache: false,
            first_article_selector: None,
            progress: None,
        }
    }
}
