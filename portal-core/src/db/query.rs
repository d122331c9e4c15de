//! Statements that read like plain sqlx and run on either backend.
//!
//! ```ignore
//! let rows = tx.query_as::<Notice>(SQL).bind(workspace_id).bind(client).fetch_all().await?;
//! let n = db.query_scalar::<i64>("SELECT COUNT(*) FROM notices WHERE workspace_id = $1")
//!     .bind(workspace_id).fetch_one().await?;
//! let changed = tx.query("UPDATE notices SET title = $1 WHERE id = $2").bind(title).bind(id)
//!     .execute().await?;
//! ```
//!
//! A statement is built up without knowing its backend: the SQL text (one for both where the
//! dialects agree, [`Sql::each`] where they do not) and owned [`Value`]s. Only when it runs does
//! it pick the backend, here and nowhere else, so a module's code is checked once, formats
//! like any Rust, and never matches on `Db` or `ScopedTx` itself.
use std::borrow::Cow;
use std::marker::PhantomData;

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Decode, FromRow, Postgres, Sqlite, Type};

use super::param::{arguments, Param, Value};
use super::scoped::Conn;
use super::writes::{self, Reach};
use super::{Backend, Db, ScopedTx};
use crate::error::Result;

/// A row type a query decodes into on both backends: derive `sqlx::FromRow` (or use a tuple).
pub trait Record:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> Record for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// A single column's type on both backends: `i64`, `String`, `bool`, `Day`, their `Option`s.
pub trait Column:
    for<'r> Decode<'r, Sqlite>
    + Type<Sqlite>
    + for<'r> Decode<'r, Postgres>
    + Type<Postgres>
    + Send
    + Unpin
{
}
impl<T> Column for T where
    T: for<'r> Decode<'r, Sqlite>
        + Type<Sqlite>
        + for<'r> Decode<'r, Postgres>
        + Type<Postgres>
        + Send
        + Unpin
{
}

/// SQL text: one for both backends, or one each where the dialects differ.
#[derive(Clone, Debug)]
pub enum Sql<'a> {
    Both(Cow<'a, str>),
    Each {
        sqlite: Cow<'a, str>,
        postgres: Cow<'a, str>,
    },
}

impl<'a> Sql<'a> {
    /// Texts for where SQLite and PostgreSQL disagree (upserts of old SQLite, date functions).
    pub fn each(sqlite: impl Into<Cow<'a, str>>, postgres: impl Into<Cow<'a, str>>) -> Sql<'a> {
        Sql::Each {
            sqlite: sqlite.into(),
            postgres: postgres.into(),
        }
    }

    pub fn text(&self, backend: Backend) -> &str {
        match (self, backend) {
            (Sql::Both(s), _) => s,
            (Sql::Each { sqlite, .. }, Backend::Sqlite) => sqlite,
            (Sql::Each { postgres, .. }, Backend::Postgres) => postgres,
        }
    }
}

impl<'a> From<&'a str> for Sql<'a> {
    fn from(s: &'a str) -> Sql<'a> {
        Sql::Both(Cow::Borrowed(s))
    }
}

impl<'a> From<&'a String> for Sql<'a> {
    fn from(s: &'a String) -> Sql<'a> {
        Sql::Both(Cow::Borrowed(s))
    }
}

impl From<String> for Sql<'_> {
    fn from(s: String) -> Self {
        Sql::Both(Cow::Owned(s))
    }
}

/// Where a statement runs.
enum Target<'a> {
    /// On the pool, in a statement of its own.
    Pool(&'a Db),
    /// Inside a scoped transaction (or the scoped connection of a read).
    Tx(&'a mut ScopedTx),
}

/// What a statement gives back: rows affected, rows, or one column.
pub struct Exec;
pub struct Rows<R>(PhantomData<fn() -> R>);
pub struct Scalar<T>(PhantomData<fn() -> T>);

/// A statement being built: add parameters with [`Statement::bind`], run it with the method
/// its kind offers (`execute`, `fetch_all`, `fetch_one`, `fetch_optional`).
#[must_use = "a statement does nothing until it is run"]
pub struct Statement<'a, Out> {
    target: Target<'a>,
    sql: Sql<'a>,
    values: Vec<Value>,
    /// On the pool: where it writes, if its caller said (`within_workspace`, `records_a_look`).
    reach: Option<Reach>,
    out: PhantomData<Out>,
}

impl<'a, Out> Statement<'a, Out> {
    fn new(target: Target<'a>, sql: Sql<'a>) -> Self {
        Statement {
            target,
            sql,
            values: Vec::new(),
            reach: None,
            out: PhantomData,
        }
    }

    /// Says that this statement changes rows of `workspace_id` only, so its write is counted
    /// there and leaves what other workspaces' pages keep alone (`db::writes`). For a
    /// statement on the pool whose own condition names the workspace; in a transaction the
    /// transaction's scope decides.
    pub fn within_workspace(mut self, workspace_id: i64) -> Self {
        self.reach = Some(Reach::Workspace(workspace_id));
        self
    }

    /// Says that this statement only records that someone looked (a last-seen stamp), which
    /// nothing kept in memory shows: its write moves no cache's stamp (`db::writes`). For a
    /// statement on the pool; in a transaction the transaction's scope decides.
    pub fn records_a_look(mut self) -> Self {
        self.reach = Some(Reach::Nowhere);
        self
    }

    /// The next `$N` parameter.
    pub fn bind(mut self, value: impl Param) -> Self {
        self.values.push(value.into_value());
        self
    }

    /// Where it writes, if it does (`db::writes`).
    fn writes(&self) -> Option<Reach> {
        if writes::only_reads(self.sql.text(Backend::Sqlite)) {
            return None;
        }
        Some(match &self.target {
            Target::Tx(tx) => tx.reach,
            Target::Pool(_) => self.reach.unwrap_or(Reach::Anywhere),
        })
    }
}

/// Runs `$body` once per backend with `$conn` the connection, `$sql` the text and `$args` the
/// arguments of that backend: the one place a statement meets a concrete driver, and so the
/// one place a write is counted (`db::writes`) — once it has run, if `$changed` says its
/// result (`$ran`; `$returning`: the statement returns the rows it changes) shows it may have
/// changed rows: an `UPDATE` that matched nothing (a poller finding no work) is no write. On
/// the pool it has committed; in a transaction the commit counts it again, after the fact.
macro_rules! on_backend {
    ($st:expr, |$conn:ident, $sql:ident, $args:ident| $body:expr,
     |$ran:ident, $returning:ident| $changed:expr) => {{
        let st = $st;
        let writes = st.writes();
        // Judged on the write's text only: reads, most statements, skip the scan.
        let returning =
            writes.is_some() && writes::returns_what_it_changes(st.sql.text(Backend::Sqlite));
        let Statement {
            target,
            sql: text,
            values,
            ..
        } = st;
        let (ran, tx) = match target {
            Target::Pool(Db::Sqlite(pool)) => {
                let mut lease = pool.acquire().await?;
                let $conn = &mut *lease;
                let $sql = text.text(Backend::Sqlite);
                let $args = arguments::<Sqlite>(values)?;
                ($body, None)
            }
            Target::Pool(Db::Postgres(pool)) => {
                let mut lease = pool.acquire().await?;
                let $conn = &mut *lease;
                let $sql = text.text(Backend::Postgres);
                let $args = arguments::<Postgres>(values)?;
                ($body, None)
            }
            Target::Tx(tx) => {
                let ran = match &mut tx.conn {
                    Conn::Sqlite(c) => {
                        let $conn = &mut **c;
                        let $sql = text.text(Backend::Sqlite);
                        let $args = arguments::<Sqlite>(values)?;
                        $body
                    }
                    Conn::SqliteWrite(t) => {
                        let $conn = &mut **t;
                        let $sql = text.text(Backend::Sqlite);
                        let $args = arguments::<Sqlite>(values)?;
                        $body
                    }
                    Conn::Postgres(t) => {
                        let $conn = &mut **t;
                        let $sql = text.text(Backend::Postgres);
                        let $args = arguments::<Postgres>(values)?;
                        $body
                    }
                };
                (ran, Some(tx))
            }
        };
        if let Some(reach) = writes {
            let $ran = &ran;
            let $returning = returning;
            if $changed {
                writes::committed(reach);
                if let Some(tx) = tx {
                    tx.wrote = true;
                }
            }
        }
        ran
    }};
}

impl Statement<'_, Exec> {
    /// Runs it; the number of rows it changed.
    pub async fn execute(self) -> Result<u64> {
        Ok(on_backend!(
            self,
            |conn, sql, args| sqlx::query_with(sql, args)
                .execute(conn)
                .await?
                .rows_affected(),
            |changed, _returning| *changed > 0
        ))
    }
}

impl<R: Record> Statement<'_, Rows<R>> {
    pub async fn fetch_all(self) -> Result<Vec<R>> {
        Ok(on_backend!(
            self,
            |conn, sql, args| sqlx::query_as_with(sql, args).fetch_all(conn).await?,
            |rows, returning| !returning || !rows.is_empty()
        ))
    }

    /// The first row; an error when there is none (use `fetch_optional` where that can be).
    pub async fn fetch_one(self) -> Result<R> {
        Ok(on_backend!(
            self,
            |conn, sql, args| sqlx::query_as_with(sql, args).fetch_one(conn).await?,
            |_row, _returning| true
        ))
    }

    pub async fn fetch_optional(self) -> Result<Option<R>> {
        Ok(on_backend!(
            self,
            |conn, sql, args| sqlx::query_as_with(sql, args).fetch_optional(conn).await?,
            |row, returning| !returning || row.is_some()
        ))
    }
}

impl<T: Column> Statement<'_, Scalar<T>> {
    pub async fn fetch_all(self) -> Result<Vec<T>> {
        Ok(on_backend!(
            self,
            |conn, sql, args| sqlx::query_scalar_with(sql, args).fetch_all(conn).await?,
            |rows, returning| !returning || !rows.is_empty()
        ))
    }

    /// The first row's first column; an error when there is no row.
    pub async fn fetch_one(self) -> Result<T> {
        Ok(on_backend!(
            self,
            |conn, sql, args| sqlx::query_scalar_with(sql, args).fetch_one(conn).await?,
            |_row, _returning| true
        ))
    }

    pub async fn fetch_optional(self) -> Result<Option<T>> {
        Ok(on_backend!(
            self,
            |conn, sql, args| {
                sqlx::query_scalar_with(sql, args)
                    .fetch_optional(conn)
                    .await?
            },
            |row, returning| !returning || row.is_some()
        ))
    }
}

/// Statements on the pool: each runs on its own, outside any transaction.
impl Db {
    pub fn query<'a>(&'a self, sql: impl Into<Sql<'a>>) -> Statement<'a, Exec> {
        Statement::new(Target::Pool(self), sql.into())
    }

    pub fn query_as<'a, R: Record>(&'a self, sql: impl Into<Sql<'a>>) -> Statement<'a, Rows<R>> {
        Statement::new(Target::Pool(self), sql.into())
    }

    pub fn query_scalar<'a, T: Column>(
        &'a self,
        sql: impl Into<Sql<'a>>,
    ) -> Statement<'a, Scalar<T>> {
        Statement::new(Target::Pool(self), sql.into())
    }
}

/// Statements inside the scope: on PostgreSQL the row-level-security policies see its
/// workspace and client.
impl ScopedTx {
    pub fn query<'a>(&'a mut self, sql: impl Into<Sql<'a>>) -> Statement<'a, Exec> {
        Statement::new(Target::Tx(self), sql.into())
    }

    pub fn query_as<'a, R: Record>(
        &'a mut self,
        sql: impl Into<Sql<'a>>,
    ) -> Statement<'a, Rows<R>> {
        Statement::new(Target::Tx(self), sql.into())
    }

    pub fn query_scalar<'a, T: Column>(
        &'a mut self,
        sql: impl Into<Sql<'a>>,
    ) -> Statement<'a, Scalar<T>> {
        Statement::new(Target::Tx(self), sql.into())
    }
}

impl ScopedTx {
    /// Runs SQL text of several statements, with no parameters (a migration): sent as one
    /// simple query, which PostgreSQL's prepared statements would refuse.
    pub async fn execute_script(&mut self, sql: &str) -> Result<()> {
        self.wrote = true;
        let ran = match &mut self.conn {
            Conn::Sqlite(c) => sqlx::raw_sql(sql).execute(&mut **c).await.map(|_| ()),
            Conn::SqliteWrite(t) => sqlx::raw_sql(sql).execute(&mut **t).await.map(|_| ()),
            Conn::Postgres(t) => sqlx::raw_sql(sql).execute(&mut **t).await.map(|_| ()),
        };
        Ok(ran?)
    }
}
