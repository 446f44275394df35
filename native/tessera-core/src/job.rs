//! Progress reporting and cancellation for long jobs.
//!
//! A [`Job`] travels with every long operation. The operation calls [`Job::check`] between
//! batches (cancellation is a flag, never an interrupt) and [`Job::progress`] as it goes; the
//! job forwards progress to its [`ProgressSink`] at most a few times per second, so a sink that
//! crosses into Java or redraws a terminal never slows the work down.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::{Result, TesseraError};

/// Receives progress of a job: `done` of `total` units, with a short message for the user.
///
/// Sinks may be called from any thread, one call at a time.
pub trait ProgressSink: Send + Sync {
    /// Reports that `done` of `total` units are finished.
    fn report(&self, done: u64, total: u64, message: &str);
}

/// A sink that drops every report, for jobs nobody watches.
pub struct Silent;

impl ProgressSink for Silent {
    fn report(&self, _done: u64, _total: u64, _message: &str) {}
}

/// A cancellation flag shared between the job and whoever may cancel it.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the job to stop at its next check.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// The shortest time between two reports forwarded to the sink (except the final one).
pub const REPORT_INTERVAL: Duration = Duration::from_millis(200);

/// A running job: its cancel token and its rate-limited progress sink.
pub struct Job<'a> {
    cancel: CancelToken,
    sink: &'a dyn ProgressSink,
    last_report: Mutex<Option<Instant>>,
}

impl<'a> Job<'a> {
    /// A job that reports to `sink` and stops when `cancel` is cancelled.
    pub fn new(cancel: CancelToken, sink: &'a dyn ProgressSink) -> Self {
        Self { cancel, sink, last_report: Mutex::new(None) }
    }

    /// The token that cancels this job.
    pub fn token(&self) -> &CancelToken {
        &self.cancel
    }

    /// Where this job reports progress.
    pub fn sink(&self) -> &'a dyn ProgressSink {
        self.sink
    }

    /// Returns [`TesseraError::Cancelled`] if the job was cancelled.
    pub fn check(&self) -> Result<()> {
        if self.cancel.is_cancelled() {
            Err(TesseraError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Reports progress; forwarded to the sink when the last forwarded report is older than
    /// [`REPORT_INTERVAL`], and always when `done == total`.
    pub fn progress(&self, done: u64, total: u64, message: &str) {
        let now = Instant::now();
        let due = {
            let mut last = self.last_report.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let due = done >= total || last.is_none_or(|at| now.duration_since(at) >= REPORT_INTERVAL);
            if due {
                *last = Some(now);
            }
            due
        };
        if due {
            self.sink.report(done, total, message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    struct Counting(AtomicU64);

    impl ProgressSink for Counting {
        fn report(&self, _done: u64, _total: u64, _message: &str) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn reports_are_rate_limited_but_the_last_always_arrives() {
        let sink = Counting(AtomicU64::new(0));
        let job = Job::new(CancelToken::new(), &sink);
        for done in 1..=10_000 {
            job.progress(done, 10_000, "working");
        }
        // The first report and the final one; a loop this short cannot last two intervals.
        assert_eq!(sink.0.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn cancel_is_seen_by_check() {
        let token = CancelToken::new();
        let job = Job::new(token.clone(), &Silent);
        assert!(job.check().is_ok());
        token.cancel();
        assert!(matches!(job.check(), Err(TesseraError::Cancelled)));
    }
}
