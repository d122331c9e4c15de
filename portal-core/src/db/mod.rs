//! Storage on two backends without the `Any` driver.
//!
//! [`Db`] is an enum over a SQLite and a PostgreSQL pool; [`ScopedTx`] a transaction on either.
//! Queries are written once, with `$N` placeholders (both drivers accept them), and run through
//! the statements of [`query`]: `db.query_as::<Row>(SQL).bind(x).fetch_all().await?`, the same
//! on a scoped transaction. The backend is chosen in one place, when a statement runs.
//! Timestamps are stored as integer Unix seconds and dates as ISO `YYYY-MM-DD` text
//! ([`Day`]), so ordering and comparison behave identically on both engines.
mod day;
mod migrations;
mod param;
mod query;
mod scoped;
mod text_enum;
pub mod writes;

pub use day::{Day, NotADay};
pub use migrations::{CoreMigrations, MigrationSet, ModuleMigration};
pub use param::{Param, Value};
pub use query::{Column, Exec, Record, Rows, Scalar, Sql, Statement};
pub use scoped::{grant_app_role, ScopedTx};

/// For [`text_enum!`](crate::text_enum)'s expansion in module crates.
#[doc(hidden)]
pub use sqlx;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::error::{Error, Result};

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Backend name, as used in module migration declarations and logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Db {
    /// Connects from a URL: `postgres://…`/`postgresql://…`, or `sqlite://path` / `sqlite:path`.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| Error::Internal(format!("invalid DATABASE_URL: {e}")))?;
            Self::connect_postgres(opts).await
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| Error::Internal(format!("invalid DATABASE_URL: {e}")))?;
            Self::connect_sqlite(opts).await
        } else {
            Err(Error::Internal(format!(
                "unsupported database URL `{url}`: use sqlite://PATH or postgres://…"
            )))
        }
    }

    /// SQLite tuned for a web server: WAL so readers never block the writer, a busy timeout
    /// so a second writer waits instead of failing, foreign keys on.
    pub async fn connect_sqlite(opts: SqliteConnectOptions) -> Result<Db> {
        let opts = opts
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        // Each SQLite connection lives on its own thread, so every round trip is a thread
        // hand-off; the pool's default ping before each acquire doubles them. A local file
        // does not go stale the way a network connection does: skip the ping.
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .connect_with(opts)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    pub async fn connect_postgres(opts: PgConnectOptions) -> Result<Db> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await?;
        Ok(Db::Postgres(pool))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// Current time as Unix seconds, the unit every timestamp column uses (from [`crate::clock`]).
pub fn now() -> i64 {
    crate::clock::now()
}

/// Today's date (UTC) as `YYYY-MM-DD`, the format every date column uses ([`Day`]).
pub fn today() -> String {
    Day::today().to_string()
}

/// The date `days` from today (UTC), as `YYYY-MM-DD`.
pub fn iso_date_from_today(days: i64) -> String {
    Day::from_today(days).to_string()
}

pub fn iso_date(d: time::Date) -> String {
    Day::from(d).to_string()
}
