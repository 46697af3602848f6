//! One file per subcommand: each wires the library's pieces together and adds error context.

pub mod copy;
pub mod crawl;
pub mod datasette;
pub mod demo;
pub mod diff;
pub mod export;
pub mod extract;
pub mod history;
pub mod list;
pub mod redact;
pub mod run;
pub mod search;
pub mod serve;
pub mod show;
pub mod stats;

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use tokio_util::sync::CancellationToken;

use crate::cli::ColorChoice;
use crate::store::Store;
use crate::store::lock::WriterLock;
use crate::{Error, urls};

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
    /// A takedown (or reindex) is committed, but a reader held the file, so the removed text
    /// may linger in free pages until `arshif reindex` runs: done, with one thing left to do.
    ErasurePending = 5,
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

/// Whether long commands may draw a progress bar: set by `main` when stderr is a terminal and
/// nothing else is logged there.
static PROGRESS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn enable_progress(on: bool) {
    PROGRESS.store(on, Ordering::Relaxed);
}

/// A spinner on stderr counting pages, when progress may be drawn.
pub fn progress_bar(
    prefix: &str,
    multi: Option<&indicatif::MultiProgress>,
) -> Option<indicatif::ProgressBar> {
    if !PROGRESS.load(Ordering::Relaxed) {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner().with_prefix(prefix.to_string());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {prefix}: {pos} pages {wide_msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(match multi {
        Some(m) => m.add(bar),
        None => bar,
    })
}

/// The article a URL given on the command line names (its key, or a URL it was fetched from).
pub fn find_article(store: &Store, url: &str) -> anyhow::Result<(i64, String)> {
    let key = urls::normalize(&urls::parse_user_url(url)?).to_string();
    for candidate in [key.as_str(), url.trim()] {
        if let Some(found) = store.find_article(candidate)? {
            return Ok(found);
        }
    }
    Err(Error::NotInArchive(format!(
        "{url} is not in the archive (`arshif list` shows what is)"
    ))
    .into())
}

/// Opens an existing archive for writing under the writer lock (never creates one).
pub fn open_existing_writer(
    db: &crate::store::Location,
    wait: bool,
) -> anyhow::Result<(WriterLock, Store)> {
    // Refuse a missing file, or one that is not an archive, before creating the lock beside it.
    Store::probe(db)?;
    let lock = WriterLock::acquire(db, wait)?;
    let store = Store::open_existing_writer(db)?;
    Ok((lock, store))
}

/// Whether to colour standard output.
pub fn use_color(choice: ColorChoice) -> bool {
    use std::io::IsTerminal;
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}
