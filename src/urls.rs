//! URL normalisation (the archive's article keys) and crawl scope (hosts with their ports).

use url::Url;

/// Query parameters that only track the reader and never select content.
const TRACKING_PARAMS: &[&str] = &["fbclid", "gclid", "msclkid", "mc_cid", "mc_eid", "igshid"];

/// The normalised form of a URL: lower-case host (the `url` crate does that), default port
/// dropped, fragment and tracking parameters (`utm_*`, `fbclid`, ...) removed.
pub fn normalize(url: &Url) -> Url {
    let mut u = url.clone();
    u.set_fragment(None);
    if let Some(query) = u.query() {
        // Raw segments are kept as the site wrote them (`id=45:slug` stays unencoded): only
        // tracking parameters are dropped.
        let kept: Vec<&str> = query
            .split('&')
            .filter(|seg| {
                let key = seg.split('=').next().unwrap_or("");
                let key = url::form_urlencoded::parse(key.as_bytes())
                    .next()
                    .map(|(k, _)| k.into_owned())
                    .unwrap_or_default();
                !seg.is_empty() && !is_tracking_param(&key)
            })
            .collect();
        if kept.is_empty() {
            u.set_query(None);
        } else {
            let joined = kept.join("&");
            if joined != query {
                u.set_query(Some(&joined));
            }
        }
    }
    u
}

fn is_tracking_param(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("utm_") || TRACKING_PARAMS.contains(&k.as_str())
}

/// The key for scope, rate limits, backoff and robots.txt: host plus effective port.
pub fn host_key(url: &Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    let port = url.port_or_known_default()?;
    Some(format!("{host}:{port}"))
}

/// A site as `--site` names it: a host or host:port (a URL is accepted too), lower-cased.
pub fn parse_site(s: &str) -> Result<String, String> {
    let t = s.trim();
    let host = match url::Url::parse(t) {
        Ok(u) if u.host_str().is_some() => {
            let h = u.host_str().unwrap_or_default().to_string();
            match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h,
            }
        }
        _ => t.to_string(),
    };
    if host.is_empty() || host.contains(['/', ' ']) {
        return Err(format!("{s:?} is not a host or host:port"));
    }
    Ok(host.to_ascii_lowercase())
}

/// Parses a URL given by the user: absolute `http`/`https` only.
pub fn parse_user_url(s: &str) -> crate::Result<Url> {
    let url = Url::parse(s.trim()).map_err(|e| crate::Error::InvalidUrl {
        url: s.to_string(),
        reason: format!("{e} (give an absolute http:// or https:// URL)"),
    })?;
    if !is_fetchable_scheme(&url) {
        return Err(crate::Error::InvalidUrl {
            url: s.to_string(),
            reason: format!("unsupported scheme {:?}; only http and https", url.scheme()),
        });
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(crate::Error::InvalidUrl {
            url: s.to_string(),
            reason: "no host".into(),
        });
    }
    Ok(url)
}

pub fn is_fetchable_scheme(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https")
}

/// The hosts a crawl may fetch from.
#[derive(Debug, Clone)]
pub struct Scope {
    hosts: Vec<String>,
}

impl Scope {
    /// The start URL's host (with port) and any extra hosts the user allowed
    /// (`host` or `host:port`; a bare host allows both default ports).
    pub fn new(start: &Url, extra: &[String]) -> Self {
        let mut hosts: Vec<String> = host_key(start).into_iter().collect();
        for h in extra {
            let h = h.trim().to_ascii_lowercase();
            if h.is_empty() {
                continue;
            }
            if h.contains(':') {
                hosts.push(h);
            } else {
                hosts.push(format!("{h}:80"));
                hosts.push(format!("{h}:443"));
            }
        }
        Scope { hosts }
    }

    pub fn allows(&self, url: &Url) -> bool {
        is_fetchable_scheme(url) && host_key(url).is_some_and(|k| self.hosts.contains(&k))
    }
}

/// Whether a URL is the root of its site (`/` with no query): never a valid canonical article.
pub fn is_site_root(url: &Url) -> bool {
    (url.path() == "/" || url.path().is_empty()) && url.query().is_none()
}

#[cfg(test)]
mod tests {

    use super::*;

    fn n(s: &str) -> String {
        normalize(&Url::parse(s).unwrap()).to_string()
    }

    #[test]
    fn normalisation_drops_noise() {
        assert_eq!(
            n("HTTP://News.Example:80/a/b.html?utm_source=x&id=3&fbclid=y#top"),
            "http://news.example/a/b.html?id=3"
        );
        assert_eq!(
            n("https://news.example:443/a?utm_medium=z"),
            "https://news.example/a"
        );
        assert_eq!(n("http://127.0.0.1:8080/x#frag"), "http://127.0.0.1:8080/x");
    }

    #[test]
    fn a_query_is_kept_as_the_site_wrote_it() {
        // Joomla's `id=45:alias`: re-encoding it would request another URL than the link's.
        let joomla =
            "http://h.example/index.php?option=com_content&view=article&id=45:slug&catid=8";
        assert_eq!(n(joomla), joomla);
        assert_eq!(
            n("http://h.example/index.php?id=45:slug&utm_source=x&a=b%20c"),
            "http://h.example/index.php?id=45:slug&a=b%20c"
        );
    }

    #[test]
    fn normalisation_is_idempotent() {
        for s in [
            "https://a.example/x?b=1&utm_x=2#f",
            "http://A.example:81/%D8%A7",
        ] {
            let once = n(s);
            assert_eq!(n(&once), once);
        }
    }

    #[test]
    fn host_key_includes_port() {
        let a = Url::parse("http://a.example/x").unwrap();
        let b = Url::parse("http://a.example:8080/x").unwrap();
        assert_eq!(host_key(&a).unwrap(), "a.example:80");
        assert_ne!(host_key(&a), host_key(&b));
    }

    #[test]
    fn scope_is_the_start_host() {
        let start = Url::parse("http://127.0.0.1:4000/a").unwrap();
        let scope = Scope::new(&start, &[]);
        assert!(scope.allows(&Url::parse("http://127.0.0.1:4000/b").unwrap()));
        assert!(!scope.allows(&Url::parse("http://127.0.0.1:4001/b").unwrap()));
        assert!(!scope.allows(&Url::parse("ftp://127.0.0.1:4000/b").unwrap()));
    }

    #[test]
    fn user_urls_must_be_http() {
        assert!(parse_user_url("ftp://x.example/").is_err());
        assert!(parse_user_url("not a url").is_err());
        assert!(parse_user_url("https://x.example/a").is_ok());
    }
}
