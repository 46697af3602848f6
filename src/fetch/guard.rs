//! The address guard: a crawl that starts on a public host never connects to a loopback,
//! private, link-local or cloud-metadata address, checked on the resolved address (DNS answers
//! and `--resolve` alike), never on the name. A crawl the user starts on such an address (tests,
//! `demo`, an intranet) may connect to exactly the addresses its start host resolved to.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why an address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused to connect to {addr} ({kind} address) for {host}: the crawl did not start there")]
pub struct Blocked {
    pub host: String,
    pub addr: IpAddr,
    pub kind: &'static str,
}

/// What kind of non-public address `ip` is, if it is one.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            if v4.is_loopback() {
                Some("loopback")
            } else if v4.is_link_local() {
                Some("link-local or cloud-metadata")
            } else if v4.is_private() || (o[0] == 100 && (o[1] & 0xc0) == 64) {
                Some("private")
            } else if v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast() || o[0] == 0 {
                Some("unroutable")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return non_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            if v6.is_loopback() {
                Some("loopback")
            } else if (first & 0xffc0) == 0xfe80 {
                Some("link-local")
            } else if (first & 0xfe00) == 0xfc00 {
                Some("private")
            } else if v6.is_unspecified() || v6.is_multicast() {
                Some("unroutable")
            } else {
                None
            }
        }
    }
}

/// The addresses a crawl may reach: every public one, and the non-public addresses its start
/// host resolved to.
#[derive(Debug, Default)]
pub struct Policy {
    start_host: Option<String>,
    allowed: Mutex<Option<Vec<IpAddr>>>,
}

impl Policy {
    /// A policy for a crawl starting at `start_host` (a name or an IP literal).
    pub fn new(start_host: Option<&str>) -> Self {
        let start_host = start_host.map(|h| h.trim_matches(['[', ']']).to_ascii_lowercase());
        let allowed = start_host
            .as_deref()
            .and_then(|h| h.parse::<IpAddr>().ok())
            .map(|ip| vec![ip]);
        Policy {
            start_host,
            allowed: Mutex::new(allowed),
        }
    }

    /// Filters the addresses `host` resolved to. The start host's first answer sets which
    /// non-public addresses are allowed.
    pub fn filter(&self, host: &str, addrs: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, Blocked> {
        let mut allowed = self.allowed.lock().unwrap();
        if allowed.is_none() && self.start_host.as_deref() == Some(host) {
            *allowed = Some(addrs.iter().map(SocketAddr::ip).collect());
        }
        let permitted = |ip: IpAddr| {
            non_public(ip).is_none() || allowed.as_ref().is_some_and(|a| a.contains(&ip))
        };
        let kept: Vec<SocketAddr> = addrs
            .iter()
            .copied()
            .filter(|a| permitted(a.ip()))
            .collect();
        match (kept.is_empty(), addrs.first()) {
            (true, Some(first)) => Err(Blocked {
                host: host.to_string(),
                addr: first.ip(),
                kind: non_public(first.ip()).unwrap_or("non-public"),
            }),
            _ => Ok(kept),
        }
    }

    /// Checks a URL whose host is an IP literal (no name to resolve).
    pub fn check_literal(&self, url: &url::Url) -> Result<(), Blocked> {
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            _ => return Ok(()),
        };
        let host = ip.to_string();
        self.filter(&host, vec![SocketAddr::new(ip, 0)]).map(drop)
    }
}

/// reqwest's resolver: `--resolve` overrides first, then the system resolver, every answer
/// passed through the [`Policy`].
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    overrides: Arc<HashMap<String, SocketAddr>>,
    policy: Arc<Policy>,
}

impl GuardedResolver {
    pub fn new(overrides: &[(String, SocketAddr)], policy: Arc<Policy>) -> Self {
        GuardedResolver {
            overrides: Arc::new(overrides.iter().cloned().collect()),
            policy,
        }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let overrides = self.overrides.clone();
        let policy = self.policy.clone();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = match overrides.get(&host) {
                Some(addr) => vec![*addr],
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            let kept = policy.filter(&host, addrs)?;
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(s: &str) -> SocketAddr {
        SocketAddr::new(s.parse().unwrap(), 80)
    }

    #[test]
    fn non_public_addresses_are_named() {
        for (ip, kind) in [
            ("127.0.0.1", Some("loopback")),
            ("10.1.2.3", Some("private")),
            ("192.168.0.1", Some("private")),
            ("172.16.5.4", Some("private")),
            ("100.64.0.1", Some("private")),
            ("169.254.169.254", Some("link-local or cloud-metadata")),
            ("0.0.0.0", Some("unroutable")),
            ("::1", Some("loopback")),
            ("fe80::1", Some("link-local")),
            ("fd00::1", Some("private")),
            ("::ffff:127.0.0.1", Some("loopback")),
            ("93.184.216.34", None),
            ("2606:4700::1111", None),
        ] {
            assert_eq!(non_public(ip.parse().unwrap()), kind, "{ip}");
        }
    }

    #[test]
    fn a_public_start_never_reaches_private_addresses() {
        let p = Policy::new(Some("news.example"));
        assert!(p.filter("news.example", vec![sa("93.184.216.34")]).is_ok());
        // DNS rebinding: the same name, or another, now answering a private address.
        assert!(p.filter("news.example", vec![sa("127.0.0.1")]).is_err());
        let e = p
            .filter("cdn.example", vec![sa("169.254.169.254")])
            .unwrap_err();
        assert_eq!(e.kind, "link-local or cloud-metadata");
        // Mixed answers keep only the public addresses.
        let kept = p
            .filter("mixed.example", vec![sa("10.0.0.1"), sa("93.184.216.35")])
            .unwrap();
        assert_eq!(kept, vec![sa("93.184.216.35")]);
        assert!(
            p.check_literal(&url::Url::parse("http://127.0.0.1:8080/").unwrap())
                .is_err()
        );
    }

    #[test]
    fn a_private_start_may_reach_its_own_addresses_only() {
        let p = Policy::new(Some("127.0.0.1"));
        assert!(
            p.check_literal(&url::Url::parse("http://127.0.0.1:9999/x").unwrap())
                .is_ok()
        );
        assert!(p.filter("other.test", vec![sa("127.0.0.2")]).is_err());
        assert!(p.filter("meta.test", vec![sa("169.254.169.254")]).is_err());
        let named = Policy::new(Some("intranet.local"));
        assert!(named.filter("intranet.local", vec![sa("10.0.0.5")]).is_ok());
        assert!(named.filter("intranet.local", vec![sa("10.0.0.5")]).is_ok());
        assert!(named.filter("printer.local", vec![sa("10.0.0.9")]).is_err());
    }
}
