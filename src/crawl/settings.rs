//! What one walk needs to know: its start, the site's settings, and how this command runs it.

use url::Url;

use crate::config::settings::SiteSettings;

/// Everything one crawl needs.
#[derive(Debug, Clone)]
pub struct CrawlSettings {
    pub start: Url,
    /// The site's settings: flag > site > global > default, resolved once.
    pub site: SiteSettings,
    /// `crawl --ignore-robots` (sites you own or have permission for).
    pub ignore_robots: bool,
    /// Recorded in the `runs` table.
    pub command: String,
    /// The config file's site name (`arshif run`), recorded in the `runs` table.
    pub site_name: Option<String>,
    /// Start where the last run of this start URL left off (`arshif run`): at its pending page
    /// when it was interrupted or killed, at its last article when its chain had ended.
    pub resume: bool,
    /// Start no new page after this moment (`--max-duration`).
    pub deadline: Option<tokio::time::Instant>,
    /// Use robots.txt answers kept in the database for up to 24 hours (`arshif run`).
    pub robots_cache: bool,
    /// A progress bar to advance with each page (only on a terminal).
    pub progress: Option<indicatif::ProgressBar>,
}

impl CrawlSettings {
    /// Settings for one start URL of a site, with every behaviour of `run` off.
    pub fn new(start: Url, site: SiteSettings, command: &str) -> Self {
        CrawlSettings {
            start,
            site,
            ignore_robots: false,
            command: command.to_string(),
            site_name: None,
            resume: false,
            deadline: None,
            robots_cache: false,
            progress: None,
        }
    }

    /// The site a log line is about: the config's site name, else the start URL's host (and
    /// port).
    pub fn site_label(&self) -> String {
        match &self.site_name {
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
}
