//! Where an archive lives: a SQLite file, or a PostgreSQL database named by a `postgres://` URL.
//! For PostgreSQL, the connection settings the URL leaves out come from the `PG*` variables and
//! the password file as libpq reads them; the URL is only ever shown without its credentials.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::{Error, Result};

/// An archive's place, as given to `--db` or `database =`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    Postgres(PgTarget),
}

/// A PostgreSQL database, as the URL named it. `Display` never shows user or password.
#[derive(Clone, PartialEq, Eq)]
pub struct PgTarget {
    /// The URL as given, credentials included: only ever handed to the driver.
    url: String,
    /// The URL without user, password or a `password=` parameter.
    shown: String,
    /// Whether the URL itself carries a password (shown in `ps` and crontabs: warned about).
    has_password: bool,
}

impl fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PgTarget").field(&self.shown).finish()
    }
}

impl fmt::Display for PgTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(p) => write!(f, "{}", p.display()),
            Location::Postgres(t) => t.fmt(f),
        }
    }
}

impl FromStr for Location {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        if is_postgres_url(s) {
            PgTarget::parse(s).map(Location::Postgres)
        } else {
            Ok(Location::File(PathBuf::from(s)))
        }
    }
}

impl From<PathBuf> for Location {
    fn from(p: PathBuf) -> Self {
        Location::File(p)
    }
}

impl<'de> serde::Deserialize<'de> for Location {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Location {
    /// The file, for what only a SQLite archive has (a lock file beside it, Datasette).
    pub fn file(&self) -> Option<&Path> {
        match self {
            Location::File(p) => Some(p),
            Location::Postgres(_) => None,
        }
    }

    /// The place as error messages name it (never with credentials).
    pub fn shown(&self) -> PathBuf {
        PathBuf::from(self.to_string())
    }
}

fn is_postgres_url(s: &str) -> bool {
    let lower = s.get(..13).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// How the connection is protected, as `sslmode` (libpq's names) asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// `disable`: never.
    Disable,
    /// `allow`, `prefer` (the default): TLS when the server offers it, certificate not checked.
    Prefer,
    /// `require`: TLS always, certificate not checked (as libpq does without a root file).
    Require,
    /// `verify-ca`: TLS, certificate chain checked against the roots.
    VerifyCa,
    /// `verify-full`: TLS, chain and host name checked.
    VerifyFull,
}

impl TlsMode {
    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "disable" => TlsMode::Disable,
            "allow" | "prefer" => TlsMode::Prefer,
            "require" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" => TlsMode::VerifyFull,
            other => {
                return Err(Error::InvalidSetting {
                    name: "sslmode",
                    reason: format!(
                        "{other:?} is not one of disable, allow, prefer, require, verify-ca, verify-full"
                    ),
                });
            }
        })
    }
}

/// Everything needed to connect, resolved from the URL, the environment and the password file.
pub struct Resolved {
    pub config: postgres::Config,
    pub tls: TlsMode,
    /// A PEM file of roots to check the server's certificate against (`sslrootcert`).
    pub root_cert: Option<PathBuf>,
}

impl PgTarget {
    fn parse(s: &str) -> Result<Self> {
        let bad = |reason: String| Error::InvalidSetting {
            name: "--db",
            reason: format!("{}: {reason}", shown_of_unparsed(s)),
        };
        let url = url::Url::parse(s).map_err(|e| bad(e.to_string()))?;
        let password_param = url.query_pairs().any(|(k, _)| k == "password");
        let has_password = url.password().is_some() || password_param;
        let mut shown = url.clone();
        // Setting these cannot fail on a URL with a host; a URL without one keeps none anyway.
        // Refused only for a URL that cannot have credentials, which then shows none.
        shown.set_username("").ok();
        shown.set_password(None).ok();
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "password" && k != "user")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            shown.set_query(None);
        } else {
            shown.query_pairs_mut().clear().extend_pairs(kept);
        }
        let target = PgTarget {
            url: s.to_string(),
            shown: shown.to_string(),
            has_password,
        };
        // Checked now, so that a malformed URL is a usage error before anything starts.
        target.driver_url().map_err(|e| bad(e.to_string()))?;
        Ok(target)
    }

    /// Whether the URL carries a password.
    pub fn has_password(&self) -> bool {
        self.has_password
    }

    /// The URL the driver parses: libpq's `sslmode` values and `sslrootcert`, which the driver
    /// does not know, are taken out (and returned) first.
    fn driver_url(&self) -> Result<(postgres::Config, Option<String>, Option<String>)> {
        let mut url = url::Url::parse(&self.url).map_err(|e| Error::InvalidSetting {
            name: "--db",
            reason: format!("{}: {e}", self.shown),
        })?;
        let mut sslmode = None;
        let mut root = None;
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter_map(|(k, v)| match k.as_ref() {
                "sslmode" => {
                    sslmode = Some(v.into_owned());
                    None
                }
                "sslrootcert" => {
                    root = Some(v.into_owned());
                    None
                }
                _ => Some((k.into_owned(), v.into_owned())),
            })
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
        let config =
            postgres::Config::from_str(url.as_str()).map_err(|e| Error::InvalidSetting {
                name: "--db",
                reason: format!("{}: {e}", self.shown),
            })?;
        Ok((config, sslmode, root))
    }

    /// The settings to connect with: the URL's, then `PGHOST`, `PGPORT`, `PGDATABASE`,
    /// `PGUSER`, `PGPASSWORD`, `PGSSLMODE`, `PGSSLROOTCERT`, then the password file
    /// (`PGPASSFILE`, else `~/.pgpass`), then libpq's defaults.
    pub fn resolve(&self) -> Result<Resolved> {
        self.resolve_with(&|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    fn resolve_with(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<Resolved> {
        let (mut config, sslmode, root) = self.driver_url()?;
        if config.get_hosts().is_empty() {
            match env("PGHOST") {
                Some(h) => {
                    for host in h.split(',') {
                        config.host(host);
                    }
                }
                None if Path::new("/var/run/postgresql").is_dir() => {
                    config.host("/var/run/postgresql");
                }
                None => {
                    config.host("localhost");
                }
            }
        }
        if config.get_ports().is_empty()
            && let Some(port) = env("PGPORT")
        {
            let port = port.parse().map_err(|_| Error::InvalidSetting {
                name: "PGPORT",
                reason: format!("{port:?} is not a port number"),
            })?;
            config.port(port);
        }
        if config.get_user().is_none() {
            let user = env("PGUSER")
                .or_else(|| env("USER"))
                .or_else(|| env("LOGNAME"))
                .ok_or_else(|| Error::InvalidSetting {
                    name: "--db",
                    reason: format!("{}: no user name (give one in the URL or PGUSER)", self),
                })?;
            config.user(&user);
        }
        if config.get_dbname().is_none()
            && let Some(db) = env("PGDATABASE")
        {
            config.dbname(&db);
        }
        if config.get_password().is_none() {
            if let Some(p) = env("PGPASSWORD") {
                config.password(p);
            } else if let Some(p) = self.password_from_file(&config, env) {
                config.password(p);
            }
        }
        let tls = match sslmode.or_else(|| env("PGSSLMODE")) {
            Some(m) => TlsMode::parse(&m)?,
            None => TlsMode::Prefer,
        };
        config.ssl_mode(match tls {
            TlsMode::Disable => postgres::config::SslMode::Disable,
            TlsMode::Prefer => postgres::config::SslMode::Prefer,
            _ => postgres::config::SslMode::Require,
        });
        config.application_name("arshif");
        config.connect_timeout(std::time::Duration::from_secs(10));
        let root_cert = root.or_else(|| env("PGSSLROOTCERT")).map(PathBuf::from);
        Ok(Resolved {
            config,
            tls,
            root_cert,
        })
    }

    /// The first matching line of the password file, as libpq reads it (a file that others
    /// can read is ignored, with a warning).
    fn password_from_file(
        &self,
        config: &postgres::Config,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Option<String> {
        let file = env("PGPASSFILE")
            .map(PathBuf::from)
            .or_else(|| env("HOME").map(|h| Path::new(&h).join(".pgpass")))?;
        let text = std::fs::read_to_string(&file).ok()?;
        {
            use std::os::unix::fs::PermissionsExt;
            if let Ok(meta) = std::fs::metadata(&file)
                && meta.permissions().mode() & 0o077 != 0
            {
                tracing::warn!(
                    file = %file.display(),
                    "the password file can be read by others, so it is ignored (chmod 600 it)"
                );
                return None;
            }
        }
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "localhost".to_string(),
        };
        let port = config
            .get_ports()
            .first()
            .copied()
            .unwrap_or(5432)
            .to_string();
        let user = config.get_user().unwrap_or_default().to_string();
        let db = config
            .get_dbname()
            .map_or_else(|| user.clone(), str::to_string);
        password_file_match(&text, [&host, &port, &db, &user])
    }
}

/// The password of the first line of a `.pgpass` text whose four fields match (`*` matches
/// anything; `\` escapes `:` and `\`).
fn password_file_match(text: &str, wanted: [&str; 4]) -> Option<String> {
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_pgpass_line(line);
        if fields.len() < 5 {
            continue;
        }
        if fields[..4]
            .iter()
            .zip(wanted)
            .all(|(f, w)| f == "*" || f == w)
        {
            return Some(fields[4..].join(":"));
        }
    }
    None
}

fn split_pgpass_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut().expect("never empty").push(next);
                }
            }
            ':' => fields.push(String::new()),
            c => fields.last_mut().expect("never empty").push(c),
        }
    }
    fields
}

/// `text` with the credentials of any URL in it taken out (the `user:password@` part and a
/// `password=` parameter): for messages that quote what was typed, such as a usage error.
pub fn without_credentials(text: &str) -> String {
    let userinfo =
        regex::Regex::new(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/\s'\x22@]*@").expect("a valid pattern");
    let password = regex::Regex::new(r"([?&]password=)[^&\s'\x22]*").expect("a valid pattern");
    let text = userinfo.replace_all(text, "$1");
    password.replace_all(&text, "${1}…").into_owned()
}

/// What a URL that did not parse may show of itself: its scheme and whatever follows the last
/// `@` (so never a password).
fn shown_of_unparsed(s: &str) -> String {
    let scheme_end = s.find("://").map_or(0, |i| i + 3);
    match s[scheme_end..].rfind('@') {
        Some(at) => format!("{}{}", &s[..scheme_end], &s[scheme_end + at + 1..]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(s: &str) -> PgTarget {
        match s.parse::<Location>().unwrap() {
            Location::Postgres(t) => t,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn paths_and_urls_are_told_apart() {
        assert_eq!(
            "archive.db".parse::<Location>().unwrap(),
            Location::File("archive.db".into())
        );
        assert!(matches!(
            "postgresql://db.example/a".parse::<Location>().unwrap(),
            Location::Postgres(_)
        ));
        assert!(matches!(
            "POSTGRES://db.example/a".parse::<Location>().unwrap(),
            Location::Postgres(_)
        ));
    }

    #[test]
    fn credentials_are_never_shown() {
        let t = pg("postgres://arshif:s3cret@db.example:5433/archive?sslmode=require&password=p2");
        let shown = t.to_string();
        assert_eq!(shown, "postgres://db.example:5433/archive?sslmode=require");
        assert!(t.has_password());
        assert!(!format!("{t:?}").contains("s3cret"));
        assert!(!pg("postgres://arshif@db.example/archive").has_password());
        let e = "postgres://u:s3cret@[bad/x"
            .parse::<Location>()
            .unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }

    #[test]
    fn quoted_urls_lose_their_credentials() {
        assert_eq!(
            without_credentials(
                "invalid value 'postgres://u:s3cret@[bad/x?password=p2&a=b' for '--db'"
            ),
            "invalid value 'postgres://[bad/x?password=…&a=b' for '--db'"
        );
        assert_eq!(
            without_credentials("see https://example.org/a@b"),
            "see https://example.org/a@b"
        );
    }

    #[test]
    fn the_environment_fills_what_the_url_leaves_out() {
        let env = |name: &str| match name {
            "PGHOST" => Some("db.internal".to_string()),
            "PGPORT" => Some("6543".to_string()),
            "PGUSER" => Some("archivist".to_string()),
            "PGDATABASE" => Some("news".to_string()),
            "PGPASSWORD" => Some("pw".to_string()),
            "PGSSLMODE" => Some("verify-full".to_string()),
            _ => None,
        };
        let r = pg("postgres://").resolve_with(&env).unwrap();
        assert_eq!(
            r.config.get_hosts(),
            [postgres::config::Host::Tcp("db.internal".into())]
        );
        assert_eq!(r.config.get_ports(), [6543]);
        assert_eq!(r.config.get_user(), Some("archivist"));
        assert_eq!(r.config.get_dbname(), Some("news"));
        assert_eq!(r.config.get_password(), Some(&b"pw"[..]));
        assert_eq!(r.tls, TlsMode::VerifyFull);
        // The URL wins over the environment.
        let r = pg("postgres://other@h:1/d?sslmode=disable")
            .resolve_with(&env)
            .unwrap();
        assert_eq!(r.config.get_user(), Some("other"));
        assert_eq!(r.config.get_ports(), [1]);
        assert_eq!(r.tls, TlsMode::Disable);
        assert!(
            pg("postgres://h/d?sslmode=sometimes")
                .resolve_with(&env)
                .is_err()
        );
    }

    #[test]
    fn the_password_file_matches_as_libpq_does() {
        let text = "# comment\n\
                    other:5432:*:*:no\n\
                    db.example:5432:archive:arshif:first\\:part\n\
                    *:*:*:*:fallback\n";
        assert_eq!(
            password_file_match(text, ["db.example", "5432", "archive", "arshif"]).as_deref(),
            Some("first:part")
        );
        assert_eq!(
            password_file_match(text, ["x", "1", "y", "z"]).as_deref(),
            Some("fallback")
        );
        assert_eq!(password_file_match("a:b:c:d\n", ["a", "b", "c", "d"]), None);
    }
}
