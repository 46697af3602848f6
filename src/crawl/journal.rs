//! The walk's one way to the archive. Every read and write goes through [`Journal::with`] (or
//! [`Journal::peek`]), which runs it off the async workers and, for `with`, after the page in
//! flight is written: the walk cannot block a worker on SQLite or on the writer thread, and
//! every decision sees every page before it.

use url::Url;

use crate::Result;
use crate::fetch::Attempt;
use crate::model::FetchOutcome;
use crate::store::{CaptureWrite, FetchRow, PageCommit, PageWriter, Store, blocking};
use crate::time::{now_stored, stored_time};

/// The walk's connection, the page writer beside it, and the run they write for.
pub(super) struct Journal<'a> {
    /// Reads, and every write but archived pages.
    store: &'a mut Store,
    /// Commits archived pages on its own thread while the walk goes on to the next page.
    writer: PageWriter,
    run_id: i64,
    /// What `runs.resume_url` holds, or will once the page in flight is written.
    resume_written: Option<String>,
}

impl<'a> Journal<'a> {
    /// Records the run's start and opens the page writer.
    pub fn begin(
        store: &'a mut Store,
        command: &str,
        start_url: &str,
        site: Option<&str>,
    ) -> Result<Self> {
        let (run_id, writer) = blocking(|| {
            let run_id = store.begin_run(command, Some(start_url), &now_stored(), site)?;
            Ok::<_, crate::Error>((run_id, PageWriter::open(store.location())?))
        })?;
        Ok(Journal {
            store,
            writer,
            run_id,
            resume_written: None,
        })
    }

    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    /// Runs `f` on the walk's connection once the page in flight is written.
    pub fn with<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        blocking(|| {
            #[allow(clippy::disallowed_methods)] // the one barrier, off the workers
            self.writer.wait()?;
            f(self.store)
        })
    }

    /// Reads without waiting for the page in flight: only for rows that page cannot have
    /// written (the walk never fetches a URL it has seen).
    pub fn peek<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        blocking(|| f(self.store))
    }

    /// Hands an archived page to the writer's thread; the walk goes on meanwhile.
    pub fn submit(&mut self, page: PageCommit) -> Result<()> {
        if page.resume_url.is_some() {
            self.resume_written.clone_from(&page.resume_url);
        }
        #[allow(clippy::disallowed_methods)] // the one hand-over, off the workers
        blocking(|| self.writer.submit(page))
    }

    /// Records the chain's pending page, unless it is already recorded.
    pub fn set_pending(&mut self, url: Option<&str>) -> Result<()> {
        if url.is_some() && self.resume_written.as_deref() == url {
            return Ok(());
        }
        let run_id = self.run_id;
        self.with(|s| s.set_resume(run_id, url))?;
        self.resume_written = url.map(str::to_string);
        Ok(())
    }

    /// Writes the page in flight and records how the run ended.
    pub fn finish(&mut self, status: &str, end: &str, counts: &str) -> Result<()> {
        let run_id = self.run_id;
        self.with(|s| s.finish_run(run_id, &now_stored(), status, end, counts))
    }

    /// Records a failed run's end after the walk's own error, which stays the one reported;
    /// a failure to record it is logged with its reason.
    pub fn finish_failed(&mut self, error: &crate::Error, counts: &str) {
        let recorded = self.finish("failed", &error.to_string(), counts);
        if let Err(e) = recorded {
            tracing::error!(run = self.run_id, error = %e, "could not record the run's end");
        }
    }

    /// Commits fetch rows that belong to no article (failures, skips, robots.txt).
    pub fn commit_rows(&mut self, rows: Vec<FetchRow>) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        self.commit_fetches(rows, None)
    }

    /// Commits a page's rows that belong to no article, the last one ending in `outcome` with
    /// this error (when given) and note.
    pub fn commit_last(
        &mut self,
        mut rows: Vec<FetchRow>,
        outcome: FetchOutcome,
        error: Option<String>,
        note: Option<String>,
    ) -> Result<()> {
        set_last(&mut rows, outcome, error);
        if let Some(r) = rows.last_mut() {
            r.note = note;
        }
        self.commit_rows(rows)
    }

    /// Records a URL the walk did not fetch, and why.
    pub fn record_skip(&mut self, url: &Url, outcome: FetchOutcome, why: &str) -> Result<()> {
        let row = FetchRow {
            error: Some(why.to_string()),
            ..FetchRow::new(url.to_string(), now_stored(), outcome)
        };
        self.commit_rows(vec![row])
    }

    /// Records fetch rows, and the last one's payload when `capture` is given, in one
    /// transaction, with no article.
    pub fn commit_fetches(
        &mut self,
        rows: Vec<FetchRow>,
        capture: Option<CaptureWrite>,
    ) -> Result<()> {
        let run_id = Some(self.run_id);
        self.with(|s| {
            s.commit_page(&PageCommit {
                run_id,
                rows,
                capture,
                ..Default::default()
            })
        })?;
        Ok(())
    }

    /// Commits a page's rows with the article it was fetched for (a 304: seen, nothing new).
    pub fn commit_seen(&mut self, page: PageCommit) -> Result<()> {
        let page = PageCommit {
            run_id: Some(self.run_id),
            ..page
        };
        self.with(|s| s.commit_page(&page))?;
        Ok(())
    }

    /// Records the attempts at one URL ending in `last`; the last one's payload is stored when
    /// `capture` is given.
    pub fn commit_attempts(
        &mut self,
        attempts: &[Attempt],
        last: FetchOutcome,
        note: Option<String>,
        capture: Option<CaptureWrite>,
    ) -> Result<()> {
        if attempts.is_empty() {
            return Ok(());
        }
        let mut rows = rows_of(attempts);
        if let Some(r) = rows.last_mut() {
            if matches!(r.outcome, FetchOutcome::Retried | FetchOutcome::Redirected) {
                r.outcome = last;
            }
            r.note = note;
            r.payload_digest = capture.as_ref().map(|c| c.digest.clone());
        }
        self.commit_fetches(rows, capture)
    }
}

/// Sets the outcome (and the error, when given) of the last row: the one that decided the page.
pub(super) fn set_last(rows: &mut [FetchRow], outcome: FetchOutcome, error: Option<String>) {
    if let Some(r) = rows.last_mut() {
        r.outcome = outcome;
        if error.is_some() {
            r.error = error;
        }
    }
}

/// The fetch-log rows of a page's attempts, in order.
pub(super) fn rows_of(attempts: &[Attempt]) -> Vec<FetchRow> {
    attempts.iter().map(row_of).collect()
}

fn row_of(a: &Attempt) -> FetchRow {
    let header = |name: &str| {
        a.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let json = |pairs: &Vec<(String, String)>| {
        (!pairs.is_empty()).then(|| serde_json::to_string(pairs).expect("strings serialize"))
    };
    FetchRow {
        url: a.url.to_string(),
        requested_at: stored_time(a.requested_at),
        status: a.status,
        outcome: a.outcome,
        error: a.error.clone(),
        note: None,
        headers: json(&a.headers),
        request_headers: json(&a.request_headers),
        bytes: a.bytes,
        duration_ms: Some(a.duration_ms),
        etag: header("etag"),
        last_modified: header("last-modified"),
        payload_digest: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fetch_on_a_whole_second_is_recorded_in_the_fixed_width_form() {
        let attempt = Attempt {
            url: Url::parse("http://news.example/a").unwrap(),
            requested_at: chrono::DateTime::parse_from_rfc3339("2026-11-20T09:15:00Z")
                .unwrap()
                .with_timezone(&chrono::Utc),
            status: Some(200),
            headers: vec![("ETag".into(), "\"1\"".into())],
            request_headers: Vec::new(),
            bytes: Some(10),
            duration_ms: 5,
            outcome: FetchOutcome::Archived,
            error: None,
        };
        let row = &rows_of(&[attempt])[0];
        assert_eq!(row.requested_at, "2026-11-20T09:15:00.000Z");
        assert_eq!(row.etag.as_deref(), Some("\"1\""));
        assert_eq!(row.request_headers, None);
    }
}
