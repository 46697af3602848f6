//! The TOML file of `arshif run`: global settings and one `[[site]]` table per site. Unknown
//! keys and wrong types are refused with the key and its line; values are validated; a site's
//! value overrides the global one, and a command-line flag overrides both.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_DB, DEFAULT_MAX_ARTICLES, DEFAULT_RATE, DEFAULT_TIMEOUT,
    SiteRules, parse_rate, parse_timezone,
};
use crate::revisit::RevisitConfig;
use crate::{Error, Result};

/// Log lines as text for people, or JSON for log shippers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The file as written (every key optional but `name` and `start_urls`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database: Option<PathBuf>,
    pub user_agent: Option<String>,
    pub contact: Option<String>,
    pub rate: Option<f64>,
    pub connect_timeout: Option<f64>,
    pub timeout: Option<f64>,
    pub log_format: Option<LogFormat>,
    pub keep_all_captures: Option<bool>,
    pub timezone: Option<String>,
    #[serde(default, rename = "site")]
    pub sites: Vec<SiteConfig>,
}

/// One `[[site]]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub name: String,
    pub start_urls: Vec<String>,
    pub rate: Option<f64>,
    pub next_selector: Option<String>,
    pub title_selector: Option<String>,
    pub body_selector: Option<String>,
    pub first_article_selector: Option<String>,
    pub allowed_hosts: Option<Vec<String>>,
    pub max_articles: Option<usize>,
    pub stop_after_known: Option<usize>,
    pub timezone: Option<String>,
    pub revisit: Option<RevisitConfig>,
}

/// Every key the file accepts, for the test that the example config mentions them all.
pub const KEYS: &[&str] = &[
    "database",
    "user_agent",
    "contact",
    "rate",
    "connect_timeout",
    "timeout",
    "log_format",
    "keep_all_captures",
    "timezone",
    "site",
    "name",
    "start_urls",
    "next_selector",
    "title_selector",
    "body_selector",
    "first_article_selector",
    "allowed_hosts",
    "max_articles",
    "stop_after_known",
    "revisit",
    "schedule",
    "until",
    "every",
    "stop_after",
];

/// Reads and parses a config file; the error names the file, the line and the key.
pub fn read(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path).map_err(|e| config_error(path, e.to_string()))?;
    parse(&text).map_err(|m| config_error(path, m))
}

fn config_error(path: &Path, message: String) -> Error {
    Error::Config {
        path: path.to_path_buf(),
        message,
    }
}

/// Parses TOML text into the config, errors as `line N: key: what is wrong`.
pub fn parse(text: &str) -> Result<FileConfig, String> {
    let config: FileConfig = toml::from_str(text).map_err(|e| describe(text, &e))?;
    if config.sites.is_empty() {
        return Err("no [[site]] table: name at least one site".into());
    }
    Ok(config)
}

/// One line for a TOML error: its line number, the key it concerns, and the message.
fn describe(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim().replace('\n', " ");
    let Some(span) = e.span() else {
        return message;
    };
    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    match line_text.split_once('=') {
        // A wrong value: name the key the value belongs to.
        Some((key, _)) if !message.starts_with("unknown field") => {
            format!("line {line}: {}: {message}", key.trim())
        }
        _ => format!("line {line}: {message}"),
    }
}

/// Values the command line sets for every site (None: not given).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub database: Option<PathBuf>,
    pub user_agent: Option<String>,
    pub contact: Option<String>,
    pub rate: Option<f64>,
    pub connect_timeout: Option<f64>,
    pub timeout: Option<f64>,
    pub log_format: Option<LogFormat>,
    pub keep_all_captures: bool,
    pub timezone: Option<String>,
    pub max_articles: Option<usize>,
    pub stop_after_known: Option<usize>,
}

/// Settings that apply to the whole run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub database: PathBuf,
    pub log_format: LogFormat,
    pub sites: Vec<SitePlan>,
}

/// One site, every value resolved: flag, else site, else global, else default.
#[derive(Debug, Clone)]
pub struct SitePlan {
    pub name: String,
    pub start_urls: Vec<url::Url>,
    pub rate: f64,
    pub user_agent: String,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub keep_all_captures: bool,
    pub timezone: chrono_tz::Tz,
    pub rules: SiteRules,
    pub first_article_selector: Option<(String, scraper::Selector)>,
    pub allowed_hosts: Vec<String>,
    pub max_articles: usize,
    pub stop_after_known: usize,
    pub revisit: crate::revisit::Schedule,
}

impl FileConfig {
    /// Resolves every site's settings. `base` is the config file's folder: a relative
    /// `database` is relative to it, not to the working directory.
    pub fn resolve(&self, base: &Path, flags: &Overrides) -> Result<RunConfig> {
        let database = match (&flags.database, &self.database) {
            (Some(p), _) => p.clone(),
            (None, Some(p)) if p.is_relative() => base.join(p),
            (None, Some(p)) => p.clone(),
            (None, None) => base.join(DEFAULT_DB),
        };
        let mut names = std::collections::HashSet::new();
        let mut sites = Vec::new();
        for site in &self.sites {
            if site.name.trim().is_empty() {
                return Err(invalid("site.name", "a site needs a name".into()));
            }
            if !names.insert(site.name.as_str()) {
                return Err(invalid(
                    "site.name",
                    format!("{:?} is used twice", site.name),
                ));
            }
            sites.push(self.resolve_site(site, flags)?);
        }
        Ok(RunConfig {
            database,
            log_format: flags.log_format.or(self.log_format).unwrap_or_default(),
            sites,
        })
    }

    fn resolve_site(&self, site: &SiteConfig, flags: &Overrides) -> Result<SitePlan> {
        let at = |key: &str| format!("site {:?}: {key}", site.name);
        let rate = flags
            .rate
            .or(site.rate)
            .or(self.rate)
            .unwrap_or(DEFAULT_RATE);
        parse_rate(&rate.to_string()).map_err(|m| invalid_at(at("rate"), m))?;
        let timezone = flags
            .timezone
            .as_deref()
            .or(site.timezone.as_deref())
            .or(self.timezone.as_deref())
            .unwrap_or("UTC");
        let timezone = parse_timezone(timezone).map_err(|m| invalid_at(at("timezone"), m))?;
        let seconds = |key: &str, v: Option<f64>, default: Duration| -> Result<Duration> {
            match v {
                None => Ok(default),
                Some(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => {
                    Ok(Duration::from_secs_f64(s))
                }
                Some(s) => Err(invalid_at(
                    key.to_string(),
                    format!("{s} must be between 0 and 86400 seconds"),
                )),
            }
        };
        let timeout = seconds("timeout", flags.timeout.or(self.timeout), DEFAULT_TIMEOUT)?;
        let connect_timeout = seconds(
            "connect_timeout",
            flags.connect_timeout.or(self.connect_timeout),
            DEFAULT_CONNECT_TIMEOUT,
        )?;
        if site.start_urls.is_empty() {
            return Err(invalid_at(at("start_urls"), "list at least one URL".into()));
        }
        let start_urls = site
            .start_urls
            .iter()
            .map(|u| crate::urls::parse_user_url(u))
            .collect::<Result<Vec<_>>>()
            .map_err(|e| invalid_at(at("start_urls"), e.to_string()))?;
        let rules = SiteRules::new(
            site.next_selector.as_deref(),
            site.title_selector.as_deref(),
            site.body_selector.as_deref(),
        )
        .map_err(|e| invalid_at(at("selector"), e.to_string()))?;
        let first_article_selector = super::compile(
            "first_article_selector",
            site.first_article_selector.as_deref(),
        )
        .map_err(|e| invalid_at(at("first_article_selector"), e.to_string()))?;
        let user_agent = flags
            .user_agent
            .clone()
            .or(self.user_agent.clone())
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| {
                super::default_user_agent(flags.contact.as_deref().or(self.contact.as_deref()))
            });
        let revisit = crate::revisit::Schedule::from_config(site.revisit.as_ref())
            .map_err(|m| invalid_at(at("revisit"), m))?;
        Ok(SitePlan {
            name: site.name.clone(),
            start_urls,
            rate,
            user_agent,
            connect_timeout,
            timeout,
            keep_all_captures: flags.keep_all_captures || self.keep_all_captures.unwrap_or(false),
            timezone,
            rules,
            first_article_selector,
            allowed_hosts: site.allowed_hosts.clone().unwrap_or_default(),
            max_articles: flags
                .max_articles
                .or(site.max_articles)
                .unwrap_or(DEFAULT_MAX_ARTICLES),
            stop_after_known: flags
                .stop_after_known
                .or(site.stop_after_known)
                .unwrap_or(0),
            revisit,
        })
    }
}

fn invalid(name: &'static str, reason: String) -> Error {
    Error::InvalidSetting { name, reason }
}

fn invalid_at(key: String, reason: String) -> Error {
    Error::InvalidSetting {
        name: "config",
        reason: format!("{key}: {reason}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
database = "archive.db"
rate = 0.5
timezone = "Africa/Casablanca"

[[site]]
name = "hespress"
start_urls = ["https://www.hespress.com/politique/a-1.html"]
stop_after_known = 5

[[site]]
name = "lemonde"
start_urls = ["https://www.lemonde.fr/a.html"]
rate = 0.2
timezone = "Europe/Paris"
"#;

    #[test]
    fn a_good_file_resolves_with_site_over_global_over_default() {
        let c = parse(GOOD).unwrap();
        let run = c
            .resolve(Path::new("/etc/arshif"), &Overrides::default())
            .unwrap();
        assert_eq!(run.database, Path::new("/etc/arshif/archive.db"));
        assert_eq!(run.sites[0].rate, 0.5);
        assert_eq!(run.sites[1].rate, 0.2);
        assert_eq!(run.sites[0].timezone, chrono_tz::Africa::Casablanca);
        assert_eq!(run.sites[1].timezone, chrono_tz::Europe::Paris);
        assert_eq!(run.sites[0].stop_after_known, 5);
        assert_eq!(run.sites[1].max_articles, DEFAULT_MAX_ARTICLES);
    }

    #[test]
    fn flags_override_every_site() {
        let c = parse(GOOD).unwrap();
        let flags = Overrides {
            rate: Some(3.0),
            database: Some(PathBuf::from("other.db")),
            ..Default::default()
        };
        let run = c.resolve(Path::new("/etc/arshif"), &flags).unwrap();
        assert!(run.sites.iter().all(|s| s.rate == 3.0));
        assert_eq!(run.database, Path::new("other.db"));
    }

    #[test]
    fn unknown_keys_and_wrong_types_name_key_and_line() {
        let e = parse("rate = 1\nsped = 2\n[[site]]\nname = \"a\"\nstart_urls = []\n").unwrap_err();
        assert!(e.starts_with("line 2:") && e.contains("sped"), "{e}");
        let e = parse("rate = \"fast\"\n[[site]]\nname = \"a\"\nstart_urls = []\n").unwrap_err();
        assert!(e.starts_with("line 1: rate:"), "{e}");
        let e = parse("[[site]]\nname = \"a\"\nstart_urls = []\nmax_articles = -3\n").unwrap_err();
        assert!(e.starts_with("line 4: max_articles:"), "{e}");
        let e = parse("[[site]]\nname = \"a\"\nstart_urls = []\n[site.revisit]\nevery = 1\n")
            .unwrap_err();
        assert!(e.starts_with("line 5:") && e.contains("every"), "{e}");
        assert!(parse("rate = 1\n").unwrap_err().contains("[[site]]"));
    }

    const EXAMPLE: &str = include_str!("../../arshif.example.toml");

    #[test]
    fn the_example_config_loads() {
        let c = parse(EXAMPLE).unwrap();
        let run = c
            .resolve(Path::new("/srv/arshif"), &Overrides::default())
            .unwrap();
        assert_eq!(run.sites.len(), 2);
        assert_eq!(run.database, Path::new("/srv/arshif/archive.db"));
        assert!(run.sites[0].first_article_selector.is_some());
    }

    #[test]
    fn the_example_config_mentions_every_key() {
        for key in KEYS {
            let written = EXAMPLE.lines().any(|l| {
                let l = l.trim_start_matches(['#', ' ']);
                l.starts_with(&format!("{key} ="))
                    || l.starts_with(&format!("[[{key}]]"))
                    || l.starts_with(&format!("[site.{key}]"))
                    || l.contains(&format!("{{ {key} ="))
                    || l.contains(&format!(", {key} ="))
            });
            assert!(written, "arshif.example.toml does not show `{key}`");
        }
    }

    #[test]
    fn bad_values_are_refused_with_the_site_and_key() {
        let bad = |extra: &str| {
            let text =
                format!("[[site]]\nname = \"a\"\nstart_urls = [\"http://a.example/x\"]\n{extra}");
            parse(&text)
                .unwrap()
                .resolve(Path::new("."), &Overrides::default())
                .unwrap_err()
                .to_string()
        };
        assert!(bad("rate = 0\n").contains("site \"a\": rate"));
        assert!(bad("timezone = \"Mars/Base\"\n").contains("timezone"));
        assert!(bad("next_selector = \"a[[\"\n").contains("selector"));
        assert!(bad("[site.revisit]\nstop_after = \"soon\"\n").contains("revisit"));
    }
}
