//! The one clock every part of the portal reads: booking's free times and notice, link and
//! invitation lifetimes, session timeouts, overdue invoices, the daily digest, webhook
//! signature windows.
//!
//! It is the system's time by default. A test (or a demo) may start it at another instant
//! once, before anything reads it; it then runs on from there at the real rate, so a
//! test that waits a second still sees a second pass. That is how the suite proves it does
//! not depend on the hour, the weekday or the date it runs on: `tests/time_matrix.sh` runs
//! the time-sensitive tests with the clock started at daylight-saving changes, month and
//! year ends and the middle of a working day (`PORTICO_TEST_NOW`, read by the test harness,
//! never by the server binary).
//!
//! Process-wide rather than per application on purpose: the time is read in the domain's
//! storage functions, far from any request state, and one process serves one "now".
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::OnceLock;

/// The system's time plus an offset fixed by the first [`Clock::start_at`] (or first read).
struct Clock {
    offset: OnceLock<AtomicI64>,
}

static CLOCK: Clock = Clock::new();

fn system_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Clock {
    const fn new() -> Clock {
        Clock {
            offset: OnceLock::new(),
        }
    }

    fn start_at(&self, unix: i64) -> bool {
        self.offset.set(AtomicI64::new(unix - system_now())).is_ok()
    }

    fn now(&self) -> i64 {
        let offset = self.offset.get_or_init(|| AtomicI64::new(0));
        system_now() + offset.load(Ordering::Relaxed)
    }
}

/// Starts the clock at `unix` (seconds), from which it runs on in real time. Only the first
/// call counts, and only if nothing has read the clock yet: `false` otherwise, so two
/// callers can never disagree silently about what time it is.
pub fn start_at(unix: i64) -> bool {
    CLOCK.start_at(unix)
}

/// Now, as Unix seconds (the unit every timestamp column uses).
pub fn now() -> i64 {
    CLOCK.now()
}

/// Today's date in UTC.
pub fn today() -> time::Date {
    time::OffsetDateTime::from_unix_timestamp(now())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_started_clock_runs_from_its_start_and_cannot_be_moved_again() {
        let clock = Clock::new();
        let start = 1_774_745_400; // 2026-03-29T00:50:00Z, ten minutes before Europe's spring change
        assert!(clock.start_at(start));
        let read = clock.now();
        assert!((start..start + 5).contains(&read), "{read}");
        assert!(!clock.start_at(0), "a second start must be refused");
        assert!(clock.now() >= read);
        let read_first = Clock::new();
        let _ = read_first.now();
        assert!(!read_first.start_at(start), "too late once read");
        assert!((read_first.now() - system_now()).abs() <= 1);
    }
}
