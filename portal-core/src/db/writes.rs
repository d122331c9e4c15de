//! How many writes this process has committed: what an in-process cache of rendered data
//! is stamped with, so it is used only while nothing was written since it was read.
//!
//! Every statement goes through the statement layer (`db::query`), so every write is counted:
//! one on the pool when it has run (it committed on its own), one in a transaction when the
//! transaction commits. A cache reads [`epoch`] *before* it reads the data: a write that
//! commits while it reads moves the epoch past the stamp, and the entry is never used. Any
//! write anywhere counts, which is coarse and therefore safe; writes by another process (the
//! command line, another instance) are not seen here, which is why only data that such
//! writers change through the workspace's revision may be cached on this count alone.
use std::sync::atomic::{AtomicU64, Ordering};

static WRITES: AtomicU64 = AtomicU64::new(0);

/// The number of writes committed so far.
pub fn epoch() -> u64 {
    WRITES.load(Ordering::Acquire)
}

pub(crate) fn committed() {
    WRITES.fetch_add(1, Ordering::AcqRel);
}

/// Whether `sql` only reads: a `SELECT` (a `WITH` may hide a write, so it counts as one).
pub(crate) fn only_reads(sql: &str) -> bool {
    let first = sql
        .trim_start()
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    first.eq_ignore_ascii_case("select")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_read_and_everything_else_writes() {
        assert!(only_reads("SELECT 1"));
        assert!(only_reads("\n  select id FROM x"));
        assert!(!only_reads("UPDATE x SET a = 1"));
        assert!(!only_reads("INSERT INTO x VALUES (1) RETURNING id"));
        assert!(!only_reads(
            "WITH d AS (DELETE FROM x RETURNING id) SELECT * FROM d"
        ));
        assert!(!only_reads("SELECTX"));
    }
}
