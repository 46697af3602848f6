//! One file per subcommand: each wires the library's pieces together and adds error context.

pub mod crawl;
pub mod demo;
pub mod export;
pub mod extract;
pub mod history;
pub mod stats;

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use tokio_util::sync::CancellationToken;

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum Exit {
    /// Done (a chain that simply ended included).
    Success = 0,
    /// Internal error, disk full included.
    Internal = 1,
    /// At least one fetch finally failed (or, for `extract`, a file could not be read).
    Failures = 2,
    /// Usage, configuration or database error.
    Usage = 3,
    /// Another writer holds the database.
    Locked = 4,
    /// Stopped by SIGINT.
    Interrupted = 130,
    /// Stopped by SIGTERM.
    Terminated = 143,
}

/// Shutdown requests: a token that cancels waits and requests, and the signal that fired.
#[derive(Debug, Clone, Default)]
pub struct Shutdown {
    pub token: CancellationToken,
    signal: Arc<AtomicI32>,
}

impl Shutdown {
    /// Records the signal (2 or 15) and cancels.
    pub fn trigger(&self, signal: i32) {
        let _ = self
            .signal
            .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
        self.token.cancel();
    }

    /// The exit code matching the signal received.
    pub fn exit(&self) -> Exit {
        match self.signal.load(Ordering::SeqCst) {
            15 => Exit::Terminated,
            _ => Exit::Interrupted,
        }
    }
}
