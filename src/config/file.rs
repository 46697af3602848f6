//! The TOML file of `arshif run`: top-level settings and one `[[site]]` table per site, each
//! read into [`Settings`]. Unknown keys and wrong values are refused with the key and its line;
//! a site's value overrides the top-level one, and a command-line flag overrides both.

use std::path::Path;

use super::settings::{Settings, SiteSettings};
use super::{DEFAULT_DB, LogFormat};
use crate::location::Location;
use crate::{Error, Result};

/// Every key the file accepts: each setting with a flag (the flag's id is its key), the keys
/// that only a file has, and those of `[site.revisit]`.
pub fn keys() -> Vec<String> {
    use clap::Args;
    const FILE_ONLY: &[&str] = &[
        "log_format",
        "site",
        "name",
        "start_urls",
        "revisit",
        "schedule",
        "until",
        "every",
        "stop_after",
    ];
    let flags = Settings::augment_args(clap::Command::new("settings"));
    let with_flags: Vec<String> = flags
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .filter(|id| id != "resolve")
        .collect();
    with_flags
        .into_iter()
        .chain(FILE_ONLY.iter().map(|k| k.to_string()))
        .collect()
}

/// Reads and parses a config file; the error names the file, the line and the key.
pub fn read(path: &Path) -> Result<Settings> {
    let text = std::fs::read_to_string(path).map_err(|e| config_error(path, e.to_string()))?;
    parse(&text).map_err(|m| config_error(path, m))
}

fn config_error(path: &Path, message: String) -> Error {
    Error::Config {
        path: path.to_path_buf(),
        message,
    }
}

/// Parses TOML text into the file's top-level settings (with its sites), errors as
/// `line N: key: what is wrong`.
pub fn parse(text: &str) -> Result<Settings, String> {
    let config: Settings = toml::from_str(text).map_err(|e| describe(text, &e))?;
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

/// Settings that apply to the whole run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub database: Location,
    pub log_format: LogFormat,
    pub sites: Vec<SitePlan>,
}

/// One site of the file, every value resolved: flag, else site, else global, else default.
#[derive(Debug, Clone)]
pub struct SitePlan {
    pub name: String,
    pub start_urls: Vec<url::Url>,
    pub settings: SiteSettings,
    pub revisit: crate::revisit::Schedule,
}

/// Resolves every site of the file's settings `file` under the command line's `flags`.
/// `base` is the config file's folder: a relative `database` is relative to it, not to the
/// working directory.
pub fn resolve(mut file: Settings, flags: &Settings, base: &Path) -> Result<RunConfig> {
    if let Some(key) = site_only_key(&file) {
        return Err(invalid_at(key.into(), "belongs in a [[site]] table".into()));
    }
    let database = match (&flags.database, &file.database) {
        (Some(at), _) => at.clone(),
        (None, Some(Location::File(p))) if p.is_relative() => Location::File(base.join(p)),
        (None, Some(at)) => at.clone(),
        (None, None) => Location::File(base.join(DEFAULT_DB)),
    };
    let log_format = file.log_format.unwrap_or_default();
    let tables = std::mem::take(&mut file.sites);
    let mut names = std::collections::HashSet::new();
    let mut sites = Vec::new();
    for table in tables {
        let name = table.name.clone().unwrap_or_default();
        if name.trim().is_empty() {
            return Err(invalid("site.name", "a site needs a name".into()));
        }
        if !names.insert(name.clone()) {
            return Err(invalid("site.name", format!("{name:?} is used twice")));
        }
        sites.push(resolve_site(name, table, &file, flags)?);
    }
    Ok(RunConfig {
        database,
        log_format,
        sites,
    })
}

/// One `[[site]]` table: the flags over it, it over the file's top level.
fn resolve_site(
    name: String,
    table: Settings,
    top: &Settings,
    flags: &Settings,
) -> Result<SitePlan> {
    let at = |key: &str| format!("site {name:?}: {key}");
    if let Some(key) = top_level_key(&table) {
        return Err(invalid_at(
            at(key),
            "belongs at the top level, not in [[site]]".into(),
        ));
    }
    let urls = table.start_urls.clone().unwrap_or_default();
    if urls.is_empty() {
        return Err(invalid_at(at("start_urls"), "list at least one URL".into()));
    }
    let start_urls = urls
        .iter()
        .map(|u| crate::urls::parse_user_url(u))
        .collect::<Result<Vec<_>>>()
        .map_err(|e| invalid_at(at("start_urls"), e.to_string()))?;
    let revisit = crate::revisit::Schedule::from_config(table.revisit.as_ref())
        .map_err(|m| invalid_at(at("revisit"), m))?;
    Ok(SitePlan {
        name,
        start_urls,
        settings: flags.clone().over(&table.over(top)).resolve(),
        revisit,
    })
}

/// A key of a `[[site]]` table set at the top level.
fn site_only_key(top: &Settings) -> Option<&'static str> {
    [
        ("name", top.name.is_some()),
        ("start_urls", top.start_urls.is_some()),
        ("revisit", top.revisit.is_some()),
    ]
    .into_iter()
    .find_map(|(key, set)| set.then_some(key))
}

/// A top-level key set in a `[[site]]` table.
fn top_level_key(site: &Settings) -> Option<&'static str> {
    [
        ("database", site.database.is_some()),
        ("log_format", site.log_format.is_some()),
        ("site", !site.sites.is_empty()),
    ]
    .into_iter()
    .find_map(|(key, set)| set.then_some(key))
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

    fn resolved(text: &str, flags: &Settings) -> Result<RunConfig> {
        resolve(parse(text).unwrap(), flags, Path::new("/etc/arshif"))
    }

    #[test]
    fn a_good_file_resolves_with_site_over_global_over_default() {
        let run = resolved(GOOD, &Settings::default()).unwrap();
        assert_eq!(
            run.database,
            Location::File("/etc/arshif/archive.db".into())
        );
        let (a, b) = (&run.sites[0].settings, &run.sites[1].settings);
        assert_eq!((a.rate, b.rate), (0.5, 0.2));
        assert_eq!(a.timezone, chrono_tz::Africa::Casablanca);
        assert_eq!(b.timezone, chrono_tz::Europe::Paris);
        assert_eq!(a.stop_after_known, 5);
        assert_eq!(b.max_articles, super::super::DEFAULT_MAX_ARTICLES);
    }

    #[test]
    fn flags_override_every_site() {
        let flags = Settings {
            rate: Some("3".parse().unwrap()),
            database: Some(Location::File("other.db".into())),
            ..Default::default()
        };
        let run = resolved(GOOD, &flags).unwrap();
        assert!(run.sites.iter().all(|s| s.settings.rate == 3.0));
        assert_eq!(run.database, Location::File("other.db".into()));
    }

    #[test]
    fn keys_stand_where_they_belong() {
        let site = "[[site]]\nname = \"a\"\nstart_urls = [\"http://a.example/x\"]\n";
        let e = resolved(
            &format!("{site}database = \"x.db\"\n"),
            &Settings::default(),
        );
        assert!(e.unwrap_err().to_string().contains("site \"a\": database"));
        let e = resolved(&format!("name = \"top\"\n{site}"), &Settings::default());
        assert!(
            e.unwrap_err()
                .to_string()
                .contains("name: belongs in a [[site]]")
        );
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
        let run = resolve(c, &Settings::default(), Path::new("/srv/arshif")).unwrap();
        assert_eq!(run.sites.len(), 2);
        assert_eq!(
            run.database,
            Location::File("/srv/arshif/archive.db".into())
        );
        assert!(run.sites[0].settings.first_article_selector.is_some());
    }

    #[test]
    fn the_example_config_mentions_every_key() {
        let keys = keys();
        assert!(
            keys.contains(&"allowed_hosts".to_string()) && keys.contains(&"database".to_string())
        );
        for key in &keys {
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
    fn bad_values_are_refused_with_the_line_and_key() {
        let bad = |extra: &str| {
            let text =
                format!("[[site]]\nname = \"a\"\nstart_urls = [\"http://a.example/x\"]\n{extra}");
            match parse(&text) {
                Ok(c) => resolve(c, &Settings::default(), Path::new("."))
                    .unwrap_err()
                    .to_string(),
                Err(e) => e,
            }
        };
        assert!(bad("rate = 0\n").starts_with("line 4: rate:"));
        assert!(bad("timezone = \"Mars/Base\"\n").starts_with("line 4: timezone:"));
        assert!(bad("next_selector = \"a[[\"\n").starts_with("line 4: next_selector:"));
        assert!(bad("[site.revisit]\nstop_after = \"soon\"\n").contains("site \"a\": revisit"));
    }
}
