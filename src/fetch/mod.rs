//! HTTP: the only place a `reqwest::Client` is built (User-Agent, timeouts, no automatic
//! redirects, size limits), charset decoding, and the bounded retry loop.

pub mod charset;
pub mod guard;
pub mod retry;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use sha2::{Digest, Sha256};
use url::Url;

use crate::config;
use crate::model::payload_digest_of;
use crate::{Error, Result};

pub use retry::{Attempt, PageFetch, PageResult, fetch_page};

/// What the client is built from.
#[derive(Debug, Clone)]
pub struct FetchSettings {
    pub user_agent: String,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub max_body_bytes: usize,
    /// `--resolve HOST:PORT:ADDR` overrides, as curl has them.
    pub resolve: Vec<(String, SocketAddr)>,
}

impl FetchSettings {
    /// The fetch settings of a site.
    pub fn of(site: &crate::config::settings::SiteSettings) -> Self {
        FetchSettings {
            user_agent: site.user_agent.clone(),
            connect_timeout: site.connect_timeout,
            timeout: site.timeout,
            max_body_bytes: site.max_page_bytes,
            resolve: site.resolve.clone(),
        }
    }
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            user_agent: config::default_user_agent(None),
            connect_timeout: config::DEFAULT_CONNECT_TIMEOUT,
            timeout: config::DEFAULT_TIMEOUT,
            max_body_bytes: config::MAX_BODY_BYTES,
            resolve: Vec::new(),
        }
    }
}

/// One HTTP exchange's result, body read in full (within the size limit).
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub url: Url,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The headers arshif set on the request (the client adds transport ones of its own).
    pub request_headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body's payload digest (`sha256:<hex>`), computed as it arrived.
    pub digest: String,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the payload is HTML (or unlabelled, which browsers sniff as HTML).
    pub fn is_html(&self) -> bool {
        match self.header("content-type") {
            None => true,
            Some(ct) => {
                let mime = ct
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                mime.is_empty() || mime == "text/html" || mime == "application/xhtml+xml"
            }
        }
    }
}

/// Why one attempt produced no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptError {
    Timeout(String),
    TooLarge(String),
    Network(String),
    /// The address guard refused the destination.
    Blocked(String),
}

/// Validators for a conditional request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// The HTTP client.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    max_body_bytes: usize,
    timeout: Duration,
    user_agent: String,
    policy: Arc<guard::Policy>,
}

/// What arshif accepts, sent with every request.
const ACCEPT: &str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5";

impl Fetcher {
    #[allow(clippy::disallowed_methods)] // the one place the client is built
    /// A client for a crawl that starts at `start_host`: see [`guard`] for what it may reach.
    pub fn new(settings: &FetchSettings, start_host: Option<&str>) -> Result<Self> {
        let policy = Arc::new(guard::Policy::new(start_host));
        let mut builder = reqwest::Client::builder()
            .user_agent(settings.user_agent.clone())
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .read_timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .pool_max_idle_per_host(2);
        builder = builder.dns_resolver(Arc::new(guard::GuardedResolver::new(
            &settings.resolve,
            policy.clone(),
        )));
        let client = builder
            .build()
            .map_err(|e| Error::HttpClient(e.to_string()))?;
        Ok(Fetcher {
            client,
            max_body_bytes: settings.max_body_bytes,
            timeout: settings.timeout,
            user_agent: settings.user_agent.clone(),
            policy,
        })
    }

    /// The whole-request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sends one GET and reads the body, counting decompressed bytes as they arrive.
    pub async fn send(
        &self,
        url: &Url,
        validators: Option<&Validators>,
    ) -> Result<RawResponse, AttemptError> {
        let mut request_headers = vec![
            ("User-Agent".to_string(), self.user_agent.clone()),
            ("Accept".to_string(), ACCEPT.to_string()),
        ];
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                request_headers.push(("If-None-Match".to_string(), etag.clone()));
            }
            if let Some(lm) = &v.last_modified {
                request_headers.push(("If-Modified-Since".to_string(), lm.clone()));
            }
        }
        self.policy
            .check_literal(url)
            .map_err(|b| AttemptError::Blocked(b.to_string()))?;
        let mut req = self.client.get(url.clone());
        for (name, value) in request_headers.iter().skip(1) {
            req = req.header(name.as_str(), value.as_str());
        }
        let mut resp = req.send().await.map_err(classify_error)?;
        let status = resp.status().as_u16();
        let headers = header_list(resp.headers());
        if let Some(len) = resp.content_length()
            && len > self.max_body_bytes as u64
        {
            return Err(AttemptError::TooLarge(format!(
                "Content-Length {len} exceeds the limit of {} bytes",
                self.max_body_bytes
            )));
        }
        // Sized once from Content-Length (already checked against the limit) when there is one.
        let expected = resp.content_length().unwrap_or(0) as usize;
        let mut body = Vec::with_capacity(expected.min(self.max_body_bytes));
        let mut hasher = Sha256::new();
        if !(300..400).contains(&status) {
            while let Some(chunk) = resp.chunk().await.map_err(classify_error)? {
                if body.len() + chunk.len() > self.max_body_bytes {
                    return Err(AttemptError::TooLarge(format!(
                        "body exceeds the limit of {} bytes",
                        self.max_body_bytes
                    )));
                }
                hasher.update(&chunk);
                body.extend_from_slice(&chunk);
            }
        }
        Ok(RawResponse {
            url: url.clone(),
            status,
            headers,
            request_headers,
            body,
            digest: payload_digest_of(hasher),
        })
    }
}

fn header_list(map: &HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn classify_error(e: reqwest::Error) -> AttemptError {
    let mut source: Option<&dyn std::error::Error> = Some(&e);
    while let Some(err) = source {
        if let Some(blocked) = err.downcast_ref::<guard::Blocked>() {
            return AttemptError::Blocked(blocked.to_string());
        }
        source = err.source();
    }
    let msg = error_chain(&e);
    if e.is_timeout() {
        AttemptError::Timeout(msg)
    } else {
        AttemptError::Network(msg)
    }
}

/// The error and its sources on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !msg.contains(&s_text) {
            msg.push_str(": ");
            msg.push_str(&s_text);
        }
        source = s.source();
    }
    msg
}

/// Milliseconds since `start`, for the fetch log.
pub fn elapsed_ms(start: Instant) -> i64 {
    i64::try_from(start.elapsed().as_millis()).unwrap_or(i64::MAX)
}
