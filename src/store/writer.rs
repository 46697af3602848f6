//! The page writer: commits archived pages on a thread and connection of its own, so that the
//! walk fetches and parses the next page while the last one is compressed and written.
//!
//! At most one page is in flight. [`PageWriter::wait`] is the barrier: the walk calls it before
//! it reads or writes the database again, so every decision sees every page before it, exactly
//! as if the commits were made in line.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::{Committed, Location, PageCommit, Store};
use crate::{Error, Result};

/// A second writing connection on a thread, fed one page at a time.
pub struct PageWriter {
    at: Location,
    jobs: Option<SyncSender<PageCommit>>,
    done: Receiver<Result<Committed>>,
    in_flight: bool,
    thread: Option<JoinHandle<()>>,
}

impl PageWriter {
    /// Opens a second connection to the archive at `path` (already opened and migrated by the
    /// walk's own connection) and starts its thread.
    pub fn open(at: &Location) -> Result<Self> {
        let mut store = Store::open_existing_writer(at)?;
        let (jobs, inbox) = sync_channel::<PageCommit>(1);
        let (outbox, done) = sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("arshif-writer".into())
            .spawn(move || {
                for page in inbox {
                    if outbox.send(store.commit_page(&page)).is_err() {
                        break;
                    }
                }
            })
            .map_err(|source| Error::Io {
                path: at.shown(),
                source,
            })?;
        Ok(PageWriter {
            at: at.clone(),
            jobs: Some(jobs),
            done,
            in_flight: false,
            thread: Some(thread),
        })
    }

    /// Hands a page over, after the one before it is written.
    pub fn submit(&mut self, page: PageCommit) -> Result<()> {
        #[allow(clippy::disallowed_methods)] // within the writer itself
        self.wait()?;
        let sent = self.jobs.as_ref().is_some_and(|j| j.send(page).is_ok());
        if !sent {
            return Err(self.gone());
        }
        self.in_flight = true;
        Ok(())
    }

    /// Blocks until the page in flight, if any, is committed; its error, if it failed.
    pub fn wait(&mut self) -> Result<Option<Committed>> {
        if !std::mem::take(&mut self.in_flight) {
            return Ok(None);
        }
        match self.done.recv() {
            Ok(result) => result.map(Some),
            Err(_) => Err(self.gone()),
        }
    }

    /// The writer thread ended without answering: it panicked.
    fn gone(&self) -> Error {
        Error::Internal(format!(
            "the page writer for {} stopped unexpectedly",
            self.at
        ))
    }
}

impl Drop for PageWriter {
    fn drop(&mut self) {
        // Closing the queue ends the thread once the page in flight is written.
        self.jobs = None;
        if let Some(t) = self.thread.take()
            && t.join().is_err()
        {
            tracing::error!(archive = %self.at, "the page writer stopped unexpectedly");
        }
    }
}
