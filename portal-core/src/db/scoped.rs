//! Transactions that carry a client scope — the second wall behind `ClientScope`.
//!
//! On PostgreSQL, client-owned tables have row-level security policies that read two
//! settings, `portico.workspace_id` and `portico.client_id`. A [`ScopedTx`] sets both with
//! `set_config(…, true)` as its first statement: local to the transaction, so a pooled
//! connection never carries one request's scope into the next (a session-wide `SET` would).
//! Inside, a query that forgot its `client_id = …` still sees only that client's rows. The
//! application connects as a role that neither owns the tables nor has BYPASSRLS, so the
//! policies apply to it (see [`grant_app_role`]). SQLite has no row-level security: there
//! the scope is a plain connection and `ClientScope` is the only wall.
use sqlx::pool::PoolConnection;
use sqlx::{Postgres, Sqlite, SqlitePool, Transaction};

use crate::db::writes::Reach;
use crate::db::Db;
use crate::error::{Error, Result};

pub struct ScopedTx {
    pub(crate) conn: Conn,
    /// Run once what the transaction wrote is committed: a background worker's bell, rung
    /// for work it can only see then (see [`ScopedTx::after_commit`]).
    after_commit: Vec<Box<dyn FnOnce() + Send>>,
    /// A statement in it wrote: its commit counts a write (`db::writes`).
    pub(crate) wrote: bool,
    /// Where its writes are counted: its workspace when it is scoped to one.
    pub(crate) reach: Reach,
}

pub(crate) enum Conn {
    /// Reads on SQLite: a plain connection, no transaction to pay for.
    Sqlite(PoolConnection<Sqlite>),
    /// Writes on SQLite: an immediate transaction, so what it writes lands together.
    SqliteWrite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// What a scope opens: the wall it puts up on PostgreSQL, and whether it will write.
#[derive(Clone, Copy)]
struct Opening {
    /// `None`: bound to no workspace (the core's work across workspaces).
    workspace_id: Option<i64>,
    /// `None` within a workspace: staff, who see every client's rows.
    client_id: Option<i64>,
    write: bool,
}

impl ScopedTx {
    /// Every scope starts here. On SQLite a read is a plain connection and a write an
    /// immediate transaction; on PostgreSQL both are a transaction with the wall's settings.
    /// Its writes are counted in its workspace, or everywhere without one (`db::writes`).
    async fn open(db: &Db, how: Opening) -> Result<ScopedTx> {
        let conn = match db {
            Db::Sqlite(pool) if how.write => Conn::SqliteWrite(begin_immediate(pool).await?),
            Db::Sqlite(pool) => Conn::Sqlite(pool.acquire().await?),
            Db::Postgres(pool) => Conn::Postgres(match how.workspace_id {
                Some(ws) => scoped_pg(pool, ws, how.client_id).await?,
                None => {
                    let pool = pool.clone();
                    to_the_end("starting", async move { Ok(pool.begin().await?) }).await?
                }
            }),
        };
        Ok(ScopedTx {
            conn,
            after_commit: Vec::new(),
            wrote: false,
            reach: how.workspace_id.map_or(Reach::Anywhere, Reach::Workspace),
        })
    }

    /// This transaction only records that people looked (a batch of page views): its writes
    /// leave what is kept in memory in place (`db::writes`).
    pub(crate) fn records_looks_only(&mut self) {
        self.reach = Reach::Nowhere;
    }

    pub async fn begin(db: &Db, workspace_id: i64, client_id: i64) -> Result<ScopedTx> {
        let how = Opening {
            workspace_id: Some(workspace_id),
            client_id: Some(client_id),
            write: false,
        };
        ScopedTx::open(db, how).await
    }

    /// A scope for writes that must land together (a reply and the notifications announcing
    /// it, say): a transaction on both backends — an immediate one on SQLite, which takes
    /// the write lock up front instead of failing to upgrade a read lock later.
    pub async fn begin_write(db: &Db, workspace_id: i64, client_id: i64) -> Result<ScopedTx> {
        let how = Opening {
            workspace_id: Some(workspace_id),
            client_id: Some(client_id),
            write: true,
        };
        ScopedTx::open(db, how).await
    }

    /// A write transaction bound to no workspace: the core's own work across workspaces
    /// (creating one, a contact's permissions, claiming background work). On PostgreSQL the
    /// row-level-security settings stay unset, which the policies read as "no wall"; use a
    /// scoped transaction wherever a workspace or client is known.
    pub async fn begin_unscoped_write(db: &Db) -> Result<ScopedTx> {
        let how = Opening {
            workspace_id: None,
            client_id: None,
            write: true,
        };
        ScopedTx::open(db, how).await
    }

    /// Staff's reads: walled to the workspace only, like [`ScopedTx::begin_staff_write`], but
    /// taking no write lock.
    pub async fn begin_staff(db: &Db, workspace_id: i64) -> Result<ScopedTx> {
        let how = Opening {
            workspace_id: Some(workspace_id),
            client_id: None,
            write: false,
        };
        ScopedTx::open(db, how).await
    }

    /// Staff's writes: a transaction walled to the workspace only. Staff see every row of
    /// their workspace — internal notes, internal tasks — which a client scope's policies
    /// hide; the workspace wall still holds.
    pub async fn begin_staff_write(db: &Db, workspace_id: i64) -> Result<ScopedTx> {
        let how = Opening {
            workspace_id: Some(workspace_id),
            client_id: None,
            write: true,
        };
        ScopedTx::open(db, how).await
    }

    pub fn backend(&self) -> crate::db::Backend {
        match self.conn {
            Conn::Postgres(_) => crate::db::Backend::Postgres,
            Conn::Sqlite(_) | Conn::SqliteWrite(_) => crate::db::Backend::Sqlite,
        }
    }

    /// Appended to a `SELECT` of rows the transaction is about to change, so what it read is
    /// still true when it writes: PostgreSQL locks the rows (` FOR UPDATE`); SQLite's write
    /// transaction already keeps every other writer out, and SQLite has no such clause.
    pub fn lock_for_update(&self) -> &'static str {
        match self.backend() {
            crate::db::Backend::Postgres => " FOR UPDATE",
            crate::db::Backend::Sqlite => "",
        }
    }
    /// [`ScopedTx::lock_for_update`] of one table of a join (` FOR UPDATE OF t`), where
    /// PostgreSQL would otherwise lock rows of every joined table — or refuse, when one side
    /// of an outer join may be null.
    pub fn lock_for_update_of(&self, alias: &str) -> String {
        match self.backend() {
            crate::db::Backend::Postgres => format!(" FOR UPDATE OF {alias}"),
            crate::db::Backend::Sqlite => String::new(),
        }
    }

    /// Ends the transaction, keeping what it wrote, then runs what waited for it.
    ///
    /// After a write, the commit and its count (`db::writes`) run as a task of their own: a
    /// request dropped mid-commit (a browser gone) may still see its `COMMIT` land, and an
    /// uncounted write would leave a kept widget stamped as if nothing had changed.
    pub async fn commit(self) -> Result<()> {
        if !self.wrote {
            return self.finish().await;
        }
        to_the_end("committing", self.finish()).await
    }

    async fn finish(self) -> Result<()> {
        match self.conn {
            Conn::Sqlite(_) => {}
            Conn::SqliteWrite(tx) => tx.commit().await?,
            Conn::Postgres(tx) => tx.commit().await?,
        }
        if self.wrote {
            crate::db::writes::committed(self.reach);
        }
        for then in self.after_commit {
            then();
        }
        Ok(())
    }

    /// `then` runs once the transaction has committed, never if it rolls back: ringing a
    /// worker's bell for the work this transaction queued, which it could not yet see.
    pub fn after_commit(&mut self, then: impl FnOnce() + Send + 'static) {
        self.after_commit.push(Box::new(then));
    }

    /// Ends the transaction, undoing what it wrote.
    pub async fn rollback(self) -> Result<()> {
        match self.conn {
            Conn::Sqlite(_) => Ok(()),
            Conn::SqliteWrite(tx) => Ok(tx.rollback().await?),
            Conn::Postgres(tx) => Ok(tx.rollback().await?),
        }
    }
}

/// A SQLite transaction that will write. A plain `BEGIN` takes the write lock only at the
/// first write, and a second writer then fails with SQLITE_BUSY instead of waiting;
/// `BEGIN IMMEDIATE` takes it up front so concurrent writers queue on the busy timeout.
async fn begin_immediate(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>> {
    let pool = pool.clone();
    to_the_end("starting", async move {
        Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
    })
    .await
}

/// Starting a transaction is not cancel-safe in sqlx 0.8 (launchbadge/sqlx#4385): a request
/// dropped after the database ran `BEGIN` but before sqlx handed back the `Transaction` (a
/// browser that went away) leaves the pooled connection inside a transaction nobody ends —
/// on SQLite holding the write lock, so every later write waited ten seconds and failed
/// until a restart; on PostgreSQL the next request on that connection ran inside it. So the
/// start runs as a task of its own, which finishes whatever happens to the request; a
/// transaction no one awaits any more is dropped there, and dropping one rolls it back.
/// A commit that wrote runs the same way (see [`ScopedTx::commit`]). `what` names the step
/// for the error should the task itself fail.
async fn to_the_end<T: Send + 'static>(
    what: &str,
    step: impl std::future::Future<Output = Result<T>> + Send + 'static,
) -> Result<T> {
    tokio::spawn(step)
        .await
        .map_err(|e| Error::Internal(format!("{what} a transaction failed: {e}")))?
}

async fn scoped_pg(
    pool: &sqlx::PgPool,
    workspace_id: i64,
    client_id: Option<i64>,
) -> Result<Transaction<'static, Postgres>> {
    let pool = pool.clone();
    to_the_end("starting", async move {
        scoped_pg_start(&pool, workspace_id, client_id).await
    })
    .await
}

/// `BEGIN` and the scope's settings in one round trip: one simple query of two statements.
/// The values are integers this function formats, so nothing outside reaches the text.
async fn scoped_pg_start(
    pool: &sqlx::PgPool,
    workspace_id: i64,
    client_id: Option<i64>,
) -> Result<Transaction<'static, Postgres>> {
    // Empty means unset to the policies (`NULLIF(…, '')`).
    let client = client_id.map(|c| c.to_string()).unwrap_or_default();
    let start = format!(
        "BEGIN; SELECT set_config('portico.workspace_id', '{workspace_id}', true), \
         set_config('portico.client_id', '{client}', true)"
    );
    Ok(pool.begin_with(start).await?)
}

/// Gives `role` what the application needs on the current schema's tables — read and write
/// rows, use sequences — and nothing more: not ownership, so row-level security applies to
/// it. Run after migrating, as the owner (`portico migrate --grant-to ROLE`).
pub async fn grant_app_role(db: &Db, role: &str) -> Result<()> {
    let Db::Postgres(pool) = db else {
        return Err(Error::BadRequest(
            "database roles exist on PostgreSQL only".into(),
        ));
    };
    if role.is_empty() || !role.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Error::BadRequest(format!(
            "`{role}` is not a role name (letters, digits, _)"
        )));
    }
    let schema: String = sqlx::query_scalar("SELECT current_schema()::text")
        .fetch_one(pool)
        .await?;
    let quoted = format!("\"{}\"", schema.replace('"', "\"\""));
    for sql in [
        format!("GRANT USAGE ON SCHEMA {quoted} TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {quoted} TO {role}"),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quoted} TO {role}"),
    ] {
        sqlx::query(&sql).execute(pool).await?;
    }
    Ok(())
}
