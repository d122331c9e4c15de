//! How much one contact may upload in an hour, across every portal form that takes files
//! (feedback, approvals' comments): a client's contact filling the workspace's storage, or
//! the deployment's disk, one attachment after another, is stopped at the budget, and told
//! when they may go on. Kept in this instance's memory, like the sign-in limits: behind
//! several instances a contact gets each instance's budget (bounded, not exact).
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

const WINDOW: Duration = Duration::from_secs(3600);

/// What one contact has sent in the current hour.
#[derive(Clone, Copy)]
struct Spent {
    since: Instant,
    bytes: u64,
    files: u32,
}

pub struct UploadBudget {
    bytes_per_hour: u64,
    files_per_hour: u32,
    spent: moka::sync::Cache<i64, std::sync::Arc<Mutex<Spent>>>,
}

impl UploadBudget {
    pub fn new(mb_per_hour: u64, files_per_hour: u32) -> UploadBudget {
        UploadBudget {
            bytes_per_hour: mb_per_hour.saturating_mul(1024 * 1024),
            files_per_hour,
            spent: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(WINDOW)
                .build(),
        }
    }

    fn entry(&self, contact: i64) -> std::sync::Arc<Mutex<Spent>> {
        self.spent.get_with(contact, || {
            std::sync::Arc::new(Mutex::new(Spent {
                since: Instant::now(),
                bytes: 0,
                files: 0,
            }))
        })
    }

    /// Before a file: takes from the hour's budget what the file may at most be (`most`, or
    /// what is left), so parallel requests cannot each pass the same check; returns it, to
    /// hold the file to and to [`settle`](Self::settle) afterwards. Refused (429, with when
    /// to try again) once the hour's budget is spent.
    pub fn reserve(&self, contact: i64, most: u64) -> Result<u64> {
        let entry = self.entry(contact);
        let mut spent = entry.lock().unwrap_or_else(|p| p.into_inner());
        let age = spent.since.elapsed();
        if age >= WINDOW {
            *spent = Spent {
                since: Instant::now(),
                bytes: 0,
                files: 0,
            };
        }
        if spent.bytes >= self.bytes_per_hour || spent.files >= self.files_per_hour {
            return Err(spent_up(&spent));
        }
        let allowed = most.min(self.bytes_per_hour - spent.bytes);
        spent.bytes += allowed;
        spent.files += 1;
        Ok(allowed)
    }

    /// The refusal for a file that was cut off at what the hour still allowed.
    pub fn spent_up(&self, contact: i64) -> Error {
        let entry = self.entry(contact);
        let spent = entry.lock().unwrap_or_else(|p| p.into_inner());
        spent_up(&spent)
    }

    /// After the file: gives back what was reserved beyond what it took (all of it, and the
    /// file, when it was not stored).
    pub fn settle(&self, contact: i64, reserved: u64, used: Option<u64>) {
        let entry = self.entry(contact);
        let mut spent = entry.lock().unwrap_or_else(|p| p.into_inner());
        spent.bytes = spent
            .bytes
            .saturating_sub(reserved.saturating_sub(used.unwrap_or(0)));
        if used.is_none() {
            spent.files = spent.files.saturating_sub(1);
        }
    }
}

fn spent_up(spent: &Spent) -> Error {
    let wait = WINDOW
        .saturating_sub(spent.since.elapsed())
        .as_secs()
        .max(60);
    Error::RateLimited {
        message: format!(
            "You have sent many files in the last hour. Please wait {} minutes and send the rest.",
            wait.div_ceil(60)
        ),
        retry_after_secs: wait,
    }
}
