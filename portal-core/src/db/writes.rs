//! How many writes this process has committed, and where: what an in-process cache of
//! rendered data is stamped with, so it is used only while nothing it shows was written since.
//!
//! Every statement goes through the statement layer (`db::query`), so every write is counted:
//! one on the pool when it has run (it committed on its own), one in a transaction when the
//! transaction commits — unless its result shows it changed no row (an `UPDATE` matching
//! nothing, a `RETURNING` that returned nothing: a background poller finding no work). A
//! write is counted where it can have changed rows ([`Reach`]): in its workspace when it ran
//! in a transaction scoped to one (or a statement said so), everywhere otherwise. A cache reads the counts that concern it ([`epoch`]) *before* it reads the
//! data: a write that commits while it reads moves them past the stamp, and the entry is
//! never used. A workspace's count is one of a fixed set of slots, shared by the workspaces
//! that hash alike: a neighbour's write reads a widget afresh, which is safe. Writes by
//! another process are not seen here; that is SQLite's case only ([`WriteMark`]).
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::db::Backend;

/// Where a write can have changed rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Anything: a statement or transaction bound to no workspace.
    Anywhere,
    /// One workspace's rows only: a transaction scoped to it (the walls keep it there).
    Workspace(i64),
    /// Only records that someone looked — a session's last-seen stamp, a page view — which
    /// nothing kept in memory shows (the home's widgets never do): counted nowhere.
    Nowhere,
}

const SLOT_BITS: u32 = 12;

static ANYWHERE: AtomicU64 = AtomicU64::new(0);
static BY_WORKSPACE: [AtomicU64; 1 << SLOT_BITS] = [const { AtomicU64::new(0) }; 1 << SLOT_BITS];

fn slot(workspace_id: i64) -> &'static AtomicU64 {
    // Fibonacci hashing: neighbouring ids land far apart.
    let at = (workspace_id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOT_BITS);
    &BY_WORKSPACE[at as usize]
}

/// The writes committed so far that can concern `workspace_id`: those bound to no workspace,
/// and those of its slot.
pub fn epoch(workspace_id: i64) -> (u64, u64) {
    (
        ANYWHERE.load(Ordering::Acquire),
        slot(workspace_id).load(Ordering::Acquire),
    )
}

pub(crate) fn committed(reach: Reach) {
    match reach {
        Reach::Anywhere => {
            ANYWHERE.fetch_add(1, Ordering::AcqRel);
        }
        Reach::Workspace(id) => {
            slot(id).fetch_add(1, Ordering::AcqRel);
        }
        Reach::Nowhere => {}
    }
}

/// What had been committed at one moment: two equal marks, nothing committed in between.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteMark {
    /// SQLite: this process's counts for the workspace ([`epoch`]). The embedded database
    /// has one serving process.
    Counted(u64, u64),
    /// PostgreSQL: the database's snapshot as text (`pg_current_snapshot()`: the oldest
    /// running transaction, the next one to come and those running). Any transaction that
    /// writes, on any instance, takes a transaction id and changes it, by starting and again
    /// by ending; two equal snapshots saw the same committed data.
    Snapshot(Arc<str>),
}

impl WriteMark {
    /// The mark to stamp a read with, taken before the read: on PostgreSQL the snapshot a
    /// statement of the request took earlier (the tenant layer's), `None` when there was
    /// none, and nothing read may then be kept.
    pub fn before_read(
        backend: Backend,
        workspace_id: i64,
        snapshot: Option<&str>,
    ) -> Option<WriteMark> {
        match backend {
            Backend::Sqlite => {
                let (anywhere, workspace) = epoch(workspace_id);
                Some(WriteMark::Counted(anywhere, workspace))
            }
            Backend::Postgres => snapshot.map(|s| WriteMark::Snapshot(Arc::from(s))),
        }
    }
}

/// The statement's first keyword (`SELECT`, `UPDATE`, `WITH`, …).
fn first_word(sql: &str) -> &str {
    sql.trim_start()
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
}

/// Whether `sql` only reads: a `SELECT` (a `WITH` may hide a write, so it counts as one).
pub(crate) fn only_reads(sql: &str) -> bool {
    first_word(sql).eq_ignore_ascii_case("select")
}

/// Whether `sql` gives back the rows it changes (`RETURNING`, outside quoted text): then no
/// row back means no row changed. Without it, a write fetched for rows is always counted; so
/// is a `WITH`, whose outer query may filter out rows its inner statement changed.
pub(crate) fn returns_what_it_changes(sql: &str) -> bool {
    if first_word(sql).eq_ignore_ascii_case("with") {
        return false;
    }
    let mut quoted = false;
    let mut word_start = None;
    for (at, c) in sql.char_indices().chain(std::iter::once((sql.len(), ' '))) {
        let in_word = !quoted && (c.is_ascii_alphanumeric() || c == '_');
        match (in_word, word_start) {
            (true, None) => word_start = Some(at),
            (false, Some(start)) => {
                if sql[start..at].eq_ignore_ascii_case("returning") {
                    return true;
                }
                word_start = None;
            }
            _ => {}
        }
        if c == '\'' {
            quoted = !quoted;
        }
    }
    false
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

    #[test]
    fn returning_is_found_only_as_a_clause() {
        assert!(returns_what_it_changes(
            "UPDATE x SET a = 1 WHERE id IN (SELECT id FROM x LIMIT 2) RETURNING id"
        ));
        assert!(returns_what_it_changes(
            "insert into x values (1)\nreturning id"
        ));
        assert!(!returns_what_it_changes(
            "UPDATE x SET note = 'returning soon'"
        ));
        assert!(!returns_what_it_changes("UPDATE x SET returning_at = 1"));
        assert!(!returns_what_it_changes("DELETE FROM x"));
        assert!(!returns_what_it_changes(
            "WITH u AS (UPDATE x SET a = 1 RETURNING id) SELECT id FROM u WHERE id > 9"
        ));
    }

    #[test]
    fn postgres_reads_are_kept_only_under_a_snapshot() {
        assert_eq!(WriteMark::before_read(Backend::Postgres, 1, None), None);
        assert_eq!(
            WriteMark::before_read(Backend::Postgres, 1, Some("740:742:740")),
            Some(WriteMark::Snapshot(Arc::from("740:742:740")))
        );
        assert!(matches!(
            WriteMark::before_read(Backend::Sqlite, 1, None),
            Some(WriteMark::Counted(..))
        ));
    }

    /// A write in one workspace moves its mark and leaves another's (unless they share a
    /// slot); a look moves none; a write bound to no workspace moves every mark.
    #[test]
    fn a_write_moves_the_marks_it_can_concern() {
        let (a, b) = (7_000_001, 7_000_002);
        assert_ne!(
            std::ptr::from_ref(slot(a)),
            std::ptr::from_ref(slot(b)),
            "neighbours share no slot"
        );
        let mark = |ws| WriteMark::before_read(Backend::Sqlite, ws, None);
        let (before_a, before_b) = (mark(a), mark(b));
        committed(Reach::Workspace(a));
        assert_ne!(mark(a), before_a);
        assert_eq!(mark(b), before_b);
        let (before_a, before_b) = (mark(a), mark(b));
        committed(Reach::Nowhere);
        assert_eq!(mark(a), before_a);
        assert_eq!(mark(b), before_b);
        let (before_a, before_b) = (mark(a), mark(b));
        committed(Reach::Anywhere);
        assert_ne!(mark(a), before_a);
        assert_ne!(mark(b), before_b);
    }
}
