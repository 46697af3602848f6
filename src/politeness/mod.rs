//! Politeness: one gate per host (backoff wait, then the rate limiter, then send) and robots.txt.
//! This is the only code that waits for politeness.

pub mod robots;
pub mod robots_book;

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::config::{MAX_BACKOFF, RETRY_BASE_DELAY};

/// The wait was cancelled (SIGINT/SIGTERM).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

/// Per-host gates, each with its own quota (never a keyed limiter: that shares one quota).
#[derive(Debug)]
pub struct Gate {
    rate: f64,
    hosts: Mutex<HashMap<String, Arc<HostGate>>>,
}

#[derive(Debug)]
struct HostGate {
    limiter: Mutex<Arc<DefaultDirectRateLimiter>>,
    interval: Mutex<Duration>,
    backoff: Mutex<Backoff>,
}

#[derive(Debug, Default)]
struct Backoff {
    until: Option<Instant>,
    delay: Duration,
}

impl Gate {
    /// A gate allowing `rate` requests per second per host, burst 1.
    pub fn new(rate: f64) -> Self {
        Gate {
            rate,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// The interval between two requests to one host at the configured rate.
    pub fn base_interval(&self) -> Duration {
        interval_for_rate(self.rate)
    }

    fn host(&self, host: &str) -> Arc<HostGate> {
        self.host_at(host, self.rate)
    }

    fn host_at(&self, host: &str, rate: f64) -> Arc<HostGate> {
        let mut hosts = self.hosts.lock().unwrap();
        hosts
            .entry(host.to_string())
            .or_insert_with(|| {
                let interval = interval_for_rate(rate);
                Arc::new(HostGate {
                    limiter: Mutex::new(Arc::new(limiter(interval))),
                    interval: Mutex::new(interval),
                    backoff: Mutex::new(Backoff::default()),
                })
            })
            .clone()
    }

    /// Gives `host` its own rate (a site's `rate` in the config file). A host already limited,
    /// by another site or by Crawl-delay, keeps the slower of the two.
    pub fn limit_host(&self, host: &str, rate: f64) {
        self.host_at(host, rate);
        self.slow_down(host, interval_for_rate(rate));
    }

    /// Waits until a request to `host` may be sent: backoff first, then the rate limiter.
    pub async fn acquire(&self, host: &str, cancel: &CancellationToken) -> Result<(), Cancelled> {
        let gate = self.host(host);
        let until = gate.backoff.lock().unwrap().until;
        if let Some(until) = until {
            tokio::select! {
                _ = tokio::time::sleep_until(until) => {}
                _ = cancel.cancelled() => return Err(Cancelled),
            }
        }
        let limiter = gate.limiter.lock().unwrap().clone();
        tokio::select! {
            _ = limiter.until_ready() => Ok(()),
            _ = cancel.cancelled() => Err(Cancelled),
        }
    }

    /// robots.txt `Crawl-delay`: can only slow a host down, never speed it up.
    pub fn slow_down(&self, host: &str, min_interval: Duration) {
        let gate = self.host(host);
        let mut interval = gate.interval.lock().unwrap();
        if min_interval > *interval {
            *interval = min_interval;
            let slower = limiter(min_interval);
            // The request that brought robots.txt was just sent: the new quota starts spent.
            let _ = slower.check();
            *gate.limiter.lock().unwrap() = Arc::new(slower);
        }
    }

    /// The host answered 429/503/5xx or failed: back off. `retry_after` (already capped by the
    /// caller) takes precedence over the doubling delay. Returns the wait imposed.
    pub fn back_off(&self, host: &str, retry_after: Option<Duration>) -> Duration {
        let gate = self.host(host);
        let mut b = gate.backoff.lock().unwrap();
        let wait = match retry_after {
            Some(d) => d,
            None => {
                b.delay = if b.delay.is_zero() {
                    RETRY_BASE_DELAY
                } else {
                    (b.delay * 2).min(MAX_BACKOFF)
                };
                with_jitter(b.delay)
            }
        };
        let until = Instant::now() + wait;
        b.until = Some(b.until.map_or(until, |u| u.max(until)));
        wait
    }

    /// A good answer: the doubling delay starts again from the base.
    pub fn succeeded(&self, host: &str) {
        self.host(host).backoff.lock().unwrap().delay = Duration::ZERO;
    }
}

/// `1 / rate` seconds, at least one nanosecond.
pub fn interval_for_rate(rate: f64) -> Duration {
    let secs = 1.0 / rate;
    Duration::try_from_secs_f64(secs)
        .unwrap_or(Duration::from_secs(u32::MAX as u64))
        .max(Duration::from_nanos(1))
}

fn limiter(interval: Duration) -> DefaultDirectRateLimiter {
    let quota = Quota::with_period(interval)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
        .allow_burst(NonZeroU32::MIN);
    RateLimiter::direct(quota)
}

/// Adds up to 25% random jitter.
fn with_jitter(d: Duration) -> Duration {
    d + d.mul_f64(fastrand::f64() * 0.25)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_follows_rate() {
        assert_eq!(interval_for_rate(2.0), Duration::from_millis(500));
        assert_eq!(interval_for_rate(0.5), Duration::from_secs(2));
        assert!(interval_for_rate(100_000.0) <= Duration::from_micros(10));
    }

    #[test]
    fn hosts_get_their_own_rate_and_the_slowest_wins() {
        let gate = Gate::new(0.5);
        gate.limit_host("fast:80", 10.0);
        gate.limit_host("shared:80", 10.0);
        gate.limit_host("shared:80", 2.0);
        let interval = |h: &str| *gate.host(h).interval.lock().unwrap();
        assert_eq!(interval("fast:80"), Duration::from_millis(100));
        assert_eq!(interval("shared:80"), Duration::from_millis(500));
        assert_eq!(interval("other:80"), Duration::from_secs(2));
    }

    #[test]
    fn crawl_delay_only_slows_down() {
        let gate = Gate::new(1.0);
        gate.slow_down("h:80", Duration::from_millis(100));
        assert_eq!(
            *gate.host("h:80").interval.lock().unwrap(),
            Duration::from_secs(1)
        );
        gate.slow_down("h:80", Duration::from_secs(5));
        assert_eq!(
            *gate.host("h:80").interval.lock().unwrap(),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn limiter_quota_is_per_host() {
        let gate = Gate::new(1.0);
        let a = gate.host("a:80").limiter.lock().unwrap().clone();
        let b = gate.host("b:80").limiter.lock().unwrap().clone();
        assert!(a.check().is_ok());
        assert!(a.check().is_err(), "burst is one");
        assert!(b.check().is_ok(), "another host has its own quota");
    }

    #[tokio::test(start_paused = true)]
    async fn backoff_doubles_and_resets() {
        let gate = Gate::new(1000.0);
        let first = gate.back_off("h:80", None);
        let second = gate.back_off("h:80", None);
        assert!(first >= RETRY_BASE_DELAY && first <= RETRY_BASE_DELAY.mul_f64(1.25));
        assert!(second >= RETRY_BASE_DELAY * 2);
        gate.succeeded("h:80");
        let third = gate.back_off("h:80", None);
        assert!(third <= RETRY_BASE_DELAY.mul_f64(1.25));
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_is_waited() {
        let gate = Gate::new(1000.0);
        let cancel = CancellationToken::new();
        gate.back_off("h:80", Some(Duration::from_secs(7)));
        let t0 = Instant::now();
        gate.acquire("h:80", &cancel).await.unwrap();
        assert!(t0.elapsed() >= Duration::from_secs(7));
    }

    #[tokio::test(start_paused = true)]
    async fn cancel_stops_a_wait() {
        let gate = Gate::new(1000.0);
        let cancel = CancellationToken::new();
        gate.back_off("h:80", Some(Duration::from_secs(100)));
        cancel.cancel();
        assert_eq!(gate.acquire("h:80", &cancel).await, Err(Cancelled));
    }
}
