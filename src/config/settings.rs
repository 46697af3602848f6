//! The one settings type. [`Settings`] is a layer of settings, every one optional: the command
//! line's (flattened into `crawl` and `run`), a config file's top level, and each of its
//! `[[site]]` tables are all read into it. Layers are merged once ([`Settings::over`]: flag >
//! site > global) and resolved once with the defaults ([`Settings::resolve`]). Each value is
//! validated as it is read, by its type ([`Rate`], [`Seconds`], [`Zone`], [`Css`]), the same
//! way from a flag and from the file.
//!
//! Adding a setting: a field here (with its flag and its key), a line in [`Settings::over`]
//! and one in [`Settings::resolve`], then the code that uses it.

use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use chrono_tz::Tz;
use scraper::Selector;
use serde::Deserialize;

use super::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_ARTICLES, DEFAULT_RATE, DEFAULT_TIMEOUT, LogFormat,
    MAX_BODY_BYTES, SiteRules, default_user_agent, parse_rate, parse_timezone,
};
use crate::revisit::RevisitConfig;

/// One layer of settings. Fields marked "file only" have no flag; where a key may stand (top
/// level or `[[site]]`) is checked when the file is resolved.
#[derive(Debug, Clone, Default, Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The archive: a SQLite file or a `postgres://` URL (default: the config's `database`, else
    /// archive.db; a config file's relative path is beside the file).
    #[arg(long = "db", value_name = "PATH|URL")]
    pub database: Option<crate::location::Location>,

    /// Requests per second per host, a positive decimal (default 1; robots.txt Crawl-delay can
    /// only slow it).
    #[arg(long)]
    pub rate: Option<Rate>,

    /// Full User-Agent to send instead of arshif's own.
    #[arg(long, value_name = "STRING")]
    pub user_agent: Option<String>,

    /// An e-mail address or URL appended to the User-Agent, so site operators can reach you.
    #[arg(long, value_name = "EMAIL_OR_URL")]
    pub contact: Option<String>,

    /// Whole-request timeout in seconds (default 30).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<Seconds>,

    /// Connection timeout in seconds (default 10).
    #[arg(long, value_name = "SECONDS")]
    pub connect_timeout: Option<Seconds>,

    /// Time zone for dates written without one, an IANA name such as Africa/Casablanca
    /// (default UTC).
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<Zone>,

    /// Article pages fetched per start URL (unchanged and 304 pages count; default 100).
    #[arg(long, value_name = "N")]
    pub max_articles: Option<usize>,

    /// End a walk after N consecutive articles already archived and unchanged (default 0: off).
    #[arg(long, value_name = "N")]
    pub stop_after_known: Option<usize>,

    /// The largest page read, in bytes after decompression (default 10485760); a larger page
    /// fails as too large.
    #[arg(long, value_name = "BYTES")]
    pub max_page_bytes: Option<usize>,

    /// Keep every distinct payload, not only those that made a version or first saw an article.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL")]
    pub keep_all_captures: Option<bool>,

    /// CSS selector of the next-article link, tried before the built-in labels.
    #[arg(long, value_name = "CSS")]
    pub next_selector: Option<Css>,

    /// CSS selector of the headline, overriding the generic extractor.
    #[arg(long, value_name = "CSS")]
    pub title_selector: Option<Css>,

    /// CSS selector of the article body, overriding the generic extractor.
    #[arg(long, value_name = "CSS")]
    pub body_selector: Option<Css>,

    /// On a section or home page as the start: CSS selector of the link to its first article.
    #[arg(long, value_name = "CSS")]
    pub first_article_selector: Option<Css>,

    /// Another host the chain may visit (host or host:port). Repeatable.
    #[arg(long = "allow-host", value_name = "HOST")]
    #[serde(default)]
    pub allowed_hosts: Vec<String>,

    /// Resolve HOST:PORT to ADDR instead of using DNS (as curl's --resolve). Repeatable.
    #[arg(long, value_name = "HOST:PORT:ADDR", value_parser = parse_resolve)]
    #[serde(skip)]
    pub resolve: Vec<(String, SocketAddr)>,

    /// File only, top level: text or JSON log lines (the flag is the global --log-format).
    #[arg(skip)]
    pub log_format: Option<LogFormat>,

    /// File only, `[[site]]`: the site's name in logs and the `runs` table.
    #[arg(skip)]
    pub name: Option<String>,

    /// File only, `[[site]]`: where each run starts.
    #[arg(skip)]
    pub start_urls: Option<Vec<String>>,

    /// File only, `[[site]]`: the revisit schedule.
    #[arg(skip)]
    pub revisit: Option<RevisitConfig>,

    /// File only, top level: the `[[site]]` tables.
    #[arg(skip)]
    #[serde(default, rename = "site")]
    pub sites: Vec<Settings>,
}

/// A site's settings, every value resolved.
#[derive(Debug, Clone)]
pub struct SiteSettings {
    pub rate: f64,
    pub user_agent: String,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub timezone: Tz,
    pub max_articles: usize,
    pub stop_after_known: usize,
    pub max_page_bytes: usize,
    pub keep_all_captures: bool,
    pub rules: SiteRules,
    pub first_article_selector: Option<(String, Selector)>,
    pub allowed_hosts: Vec<String>,
    pub resolve: Vec<(String, SocketAddr)>,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Settings::default().resolve()
    }
}

impl Settings {
    /// This layer over `lower`: each value set here wins; lists set here replace lower ones.
    pub fn over(self, lower: &Settings) -> Settings {
        let list = |mine: Vec<String>, theirs: &Vec<String>| {
            if mine.is_empty() {
                theirs.clone()
            } else {
                mine
            }
        };
        Settings {
            database: self.database.or(lower.database.clone()),
            rate: self.rate.or(lower.rate),
            user_agent: self.user_agent.or(lower.user_agent.clone()),
            contact: self.contact.or(lower.contact.clone()),
            timeout: self.timeout.or(lower.timeout),
            connect_timeout: self.connect_timeout.or(lower.connect_timeout),
            timezone: self.timezone.or(lower.timezone),
            max_articles: self.max_articles.or(lower.max_articles),
            stop_after_known: self.stop_after_known.or(lower.stop_after_known),
            max_page_bytes: self.max_page_bytes.or(lower.max_page_bytes),
            keep_all_captures: self.keep_all_captures.or(lower.keep_all_captures),
            next_selector: self.next_selector.or(lower.next_selector.clone()),
            title_selector: self.title_selector.or(lower.title_selector.clone()),
            body_selector: self.body_selector.or(lower.body_selector.clone()),
            first_article_selector: self
                .first_article_selector
                .or(lower.first_article_selector.clone()),
            allowed_hosts: list(self.allowed_hosts, &lower.allowed_hosts),
            resolve: if self.resolve.is_empty() {
                lower.resolve.clone()
            } else {
                self.resolve
            },
            log_format: self.log_format.or(lower.log_format),
            name: self.name.or(lower.name.clone()),
            start_urls: self.start_urls.or(lower.start_urls.clone()),
            revisit: self.revisit.or(lower.revisit.clone()),
            sites: self.sites,
        }
    }

    /// Every value, with the defaults for what no layer set.
    pub fn resolve(self) -> SiteSettings {
        let pair = |css: Option<Css>| css.map(|c| (c.text, c.selector));
        let user_agent = self
            .user_agent
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| default_user_agent(self.contact.as_deref()));
        SiteSettings {
            rate: self.rate.map_or(DEFAULT_RATE, |r| r.0),
            user_agent,
            timeout: self.timeout.map_or(DEFAULT_TIMEOUT, |s| s.0),
            connect_timeout: self
                .connect_timeout
                .map_or(DEFAULT_CONNECT_TIMEOUT, |s| s.0),
            timezone: self.timezone.map_or(chrono_tz::UTC, |z| z.0),
            max_articles: self.max_articles.unwrap_or(DEFAULT_MAX_ARTICLES),
            stop_after_known: self.stop_after_known.unwrap_or(0),
            max_page_bytes: self.max_page_bytes.unwrap_or(MAX_BODY_BYTES),
            keep_all_captures: self.keep_all_captures.unwrap_or(false),
            rules: SiteRules {
                next_selector: pair(self.next_selector),
                title_selector: pair(self.title_selector),
                body_selector: pair(self.body_selector),
            },
            first_article_selector: pair(self.first_article_selector),
            allowed_hosts: self.allowed_hosts,
            resolve: self.resolve,
        }
    }
}

/// Requests per second per host: a positive, finite decimal.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(try_from = "f64")]
pub struct Rate(pub f64);

impl TryFrom<f64> for Rate {
    type Error = String;
    fn try_from(r: f64) -> Result<Self, String> {
        parse_rate(&r.to_string()).map(Rate)
    }
}

impl FromStr for Rate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        parse_rate(s).map(Rate)
    }
}

/// A timeout: more than 0 and at most 86,400 seconds.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(try_from = "f64")]
pub struct Seconds(pub Duration);

impl TryFrom<f64> for Seconds {
    type Error = String;
    fn try_from(v: f64) -> Result<Self, String> {
        if !v.is_finite() || v <= 0.0 || v > 86_400.0 {
            return Err(format!("{v} must be between 0 and 86400 seconds"));
        }
        Ok(Seconds(Duration::from_secs_f64(v)))
    }
}

impl FromStr for Seconds {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let v: f64 = s
            .trim()
            .parse()
            .map_err(|_| format!("{s:?} is not a number of seconds"))?;
        Seconds::try_from(v)
    }
}

/// An IANA time zone.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(try_from = "String")]
pub struct Zone(pub Tz);

impl TryFrom<String> for Zone {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl FromStr for Zone {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        parse_timezone(s).map(Zone)
    }
}

/// A CSS selector, compiled as it is read.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "String")]
pub struct Css {
    pub text: String,
    pub selector: Selector,
}

impl TryFrom<String> for Css {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl FromStr for Css {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let text = s.trim();
        if text.is_empty() {
            return Err("an empty CSS selector".into());
        }
        let selector =
            Selector::parse(text).map_err(|e| format!("{text:?} is not a CSS selector: {e}"))?;
        Ok(Css {
            text: text.to_string(),
            selector,
        })
    }
}

/// Parses `HOST:PORT:ADDR` (ADDR may be an IPv6 address in brackets).
pub fn parse_resolve(s: &str) -> Result<(String, SocketAddr), String> {
    let mut parts = s.splitn(3, ':');
    let (Some(host), Some(port), Some(addr)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("{s:?} is not HOST:PORT:ADDR"));
    };
    let port: u16 = port
        .parse()
        .map_err(|_| format!("{s:?}: {port:?} is not a port number"))?;
    let ip: std::net::IpAddr = addr
        .trim_matches(['[', ']'])
        .parse()
        .map_err(|_| format!("{s:?}: {addr:?} is not an IP address"))?;
    if host.is_empty() {
        return Err(format!("{s:?}: empty host"));
    }
    Ok((host.to_ascii_lowercase(), SocketAddr::new(ip, port)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        settings: Settings,
    }

    fn flags(args: &[&str]) -> Result<Settings, clap::Error> {
        Flags::try_parse_from(std::iter::once("arshif").chain(args.iter().copied()))
            .map(|f| f.settings)
    }

    #[test]
    fn a_flag_beats_a_site_value_which_beats_a_global_one() {
        let global: Settings =
            toml::from_str("rate = 0.5\ntimezone = \"Europe/Paris\"\nmax_articles = 7").unwrap();
        let site: Settings = toml::from_str("rate = 0.2\nallowed_hosts = [\"m.example\"]").unwrap();
        let flag = flags(&["--rate", "3"]).unwrap();
        let s = flag.over(&site.over(&global)).resolve();
        assert_eq!(s.rate, 3.0);
        assert_eq!(s.timezone, chrono_tz::Europe::Paris);
        assert_eq!(s.max_articles, 7);
        assert_eq!(s.allowed_hosts, ["m.example"]);
        assert_eq!(s.stop_after_known, 0);
        assert_eq!(s.timeout, DEFAULT_TIMEOUT);
    }

    #[test]
    fn values_are_checked_the_same_way_from_flags_and_files() {
        for (flag, value, key) in [
            ("--rate", "0", "rate = 0"),
            ("--timeout", "0", "timeout = 0"),
            ("--connect-timeout", "90000", "connect_timeout = 90000"),
            ("--timezone", "Mars/Base", "timezone = \"Mars/Base\""),
            ("--next-selector", "a[[", "next_selector = \"a[[\""),
        ] {
            assert!(flags(&[flag, value]).is_err(), "{flag} {value}");
            assert!(toml::from_str::<Settings>(key).is_err(), "{key}");
        }
    }

    #[test]
    fn keep_all_captures_is_a_switch_that_a_layer_may_turn_off() {
        assert_eq!(
            flags(&["--keep-all-captures"]).unwrap().keep_all_captures,
            Some(true)
        );
        assert_eq!(flags(&[]).unwrap().keep_all_captures, None);
        let global: Settings = toml::from_str("keep_all_captures = true").unwrap();
        let site: Settings = toml::from_str("keep_all_captures = false").unwrap();
        assert!(!site.over(&global).resolve().keep_all_captures);
    }

    #[test]
    fn the_help_names_the_defaults() {
        use clap::CommandFactory;
        let help = Flags::command().render_long_help().to_string();
        assert!(help.contains(&format!("default {DEFAULT_RATE}")), "{help}");
        assert!(help.contains(&format!("default {}", DEFAULT_TIMEOUT.as_secs())));
        assert!(help.contains(&format!("default {}", DEFAULT_CONNECT_TIMEOUT.as_secs())));
        assert!(help.contains(&format!("default {DEFAULT_MAX_ARTICLES}")));
        assert!(help.contains(&format!("default {MAX_BODY_BYTES}")));
    }

    #[test]
    fn resolve_parses_host_port_addr() {
        assert_eq!(
            parse_resolve("News.Example:80:127.0.0.1").unwrap(),
            ("news.example".to_string(), "127.0.0.1:80".parse().unwrap())
        );
        assert!(parse_resolve("news.example:80").is_err());
        assert!(parse_resolve("news.example:x:127.0.0.1").is_err());
        assert!(parse_resolve(":80:127.0.0.1").is_err());
        assert!(parse_resolve("a:1:[::1]").is_ok());
    }
}
