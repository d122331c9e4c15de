//! Migrations: each owner's own numbered history, run in dependency order.
//!
//! The core and every module number their migrations from 1 in their own folder
//! (`migrations/sqlite/0001_notices.sql` and its PostgreSQL twin, embedded by `portal-embed`),
//! so a module author never has to know the numbers another crate used. The database records
//! what ran in `portico_migrations`, one row per (owner, version) with the SQL's checksum:
//! a migration changed after it ran is refused at start-up, one added later runs once.
//! Owners run in the order they are added — the core, then the modules in dependency order —
//! so a module's tables can reference its dependencies'. A module left out of a later build
//! keeps its rows; linked again, it carries on where it stopped.
//!
//! Databases migrated before the namespaces have sqlx's `_sqlx_migrations`, one global number
//! space whose rows say "owner: description". The first time an owner has no row of its own,
//! its old rows are adopted by the checksum of their SQL, which the renumbering left as it was.
use sha2::{Digest, Sha384};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::SqlitePoolOptions;

use super::{Backend, Db, ScopedTx, Sql};
use crate::error::{Error, Result};

/// A migration the core or a module declares, in both dialects (`portal_core::module_files!`
/// builds these from the module's `migrations/` folder).
#[derive(Clone, Copy, Debug)]
pub struct ModuleMigration {
    /// The owner's own number, from the file name: `0003_x.sql` is 3.
    pub version: i64,
    pub description: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

impl ModuleMigration {
    fn text(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }
}

mod files {
    include!(concat!(env!("OUT_DIR"), "/portico_migrations.rs"));
}

/// The core schema, from the top-level `migrations/` folder.
pub struct CoreMigrations;

impl CoreMigrations {
    pub const ALL: &'static [ModuleMigration] = files::MIGRATIONS;
}

/// Every owner's migrations, in the order they run.
#[derive(Default, Clone)]
pub struct MigrationSet {
    owners: Vec<(&'static str, Vec<ModuleMigration>)>,
}

impl MigrationSet {
    /// The core's migrations; add the modules' with [`MigrationSet::extend`].
    pub fn new() -> Self {
        let mut set = Self::default();
        set.extend("core", CoreMigrations::ALL);
        set
    }

    /// Adds an owner's migrations, to run after those added before.
    pub fn extend(&mut self, owner: &'static str, migrations: &[ModuleMigration]) {
        let mut list = migrations.to_vec();
        list.sort_by_key(|m| m.version);
        match self.owners.iter_mut().find(|(o, _)| *o == owner) {
            Some((_, existing)) => {
                existing.extend(list);
                existing.sort_by_key(|m| m.version);
            }
            None => self.owners.push((owner, list)),
        }
    }

    /// Refuses two migrations of one owner with one version, and versions below 1.
    pub fn check(&self) -> Result<()> {
        for (owner, list) in &self.owners {
            for pair in list.windows(2) {
                if pair[0].version == pair[1].version {
                    return Err(Error::Internal(format!(
                        "`{owner}` declares migration {} twice ({} and {})",
                        pair[0].version, pair[0].description, pair[1].description
                    )));
                }
            }
            if let Some(m) = list.iter().find(|m| m.version < 1) {
                return Err(Error::Internal(format!(
                    "`{owner}`'s migration {} ({}) must be numbered from 1",
                    m.version, m.description
                )));
            }
        }
        Ok(())
    }

    /// Brings the database up to date: adopts a pre-namespace history, checks that nothing
    /// that ran was changed since, and runs what has not run, each migration in a
    /// transaction with its record.
    pub async fn apply(&self, db: &Db) -> Result<()> {
        self.check()?;
        let runner = dedicated(db).await?;
        let ran = self.apply_on(&runner).await;
        // SQLite ran with foreign keys off (see `dedicated`): check every reference now, if
        // anything ran — the check reads every row, which at start-up with nothing to
        // migrate would cost a large database seconds for nothing.
        let checked = match (&runner, &ran) {
            (Db::Sqlite(_), Ok(n)) if *n > 0 => references_hold(&runner).await,
            _ => Ok(()),
        };
        runner.close().await;
        ran.and(checked)
    }

    /// Runs what has not run; how many migrations that was.
    async fn apply_on(&self, db: &Db) -> Result<usize> {
        let mut ran = 0;
        if let Db::Postgres(_) = db {
            // Instances starting together take turns; the lock ends with the connection.
            db.query("SELECT pg_advisory_lock($1)")
                .bind(LOCK_KEY)
                .execute()
                .await?;
        }
        db.query(
            "CREATE TABLE IF NOT EXISTS portico_migrations (\
             owner TEXT NOT NULL, version BIGINT NOT NULL, description TEXT NOT NULL, \
             checksum TEXT NOT NULL, applied_at BIGINT NOT NULL, PRIMARY KEY (owner, version))",
        )
        .execute()
        .await?;
        let legacy = legacy_history(db).await?;
        for (owner, list) in &self.owners {
            let mut recorded: Vec<(i64, String)> = db
                .query_as("SELECT version, checksum FROM portico_migrations WHERE owner = $1")
                .bind(*owner)
                .fetch_all()
                .await?;
            if recorded.is_empty() {
                recorded = adopt(db, owner, list, &legacy).await?;
            }
            let newest = recorded.iter().map(|(v, _)| *v).max().unwrap_or(0);
            for m in list {
                let sql = m.text(db.backend());
                let sum = checksum(sql);
                match recorded.iter().find(|(v, _)| *v == m.version) {
                    Some((_, stored)) if *stored == sum => {}
                    Some(_) => {
                        return Err(Error::Internal(format!(
                            "`{owner}`'s migration {} ({}) was changed after it ran; \
                             write a new migration instead",
                            m.version, m.description
                        )))
                    }
                    None if m.version < newest => {
                        return Err(Error::Internal(format!(
                            "`{owner}`'s migration {} ({}) is new but numbered below {newest}, \
                             which already ran; give it a number above",
                            m.version, m.description
                        )))
                    }
                    None => {
                        run(db, owner, m, sql, &sum).await?;
                        ran += 1;
                    }
                }
            }
        }
        Ok(ran)
    }
}

/// One migration recorded as run (or taken over from the old history).
const RECORD: &str = "INSERT INTO portico_migrations \
                      (owner, version, description, checksum, applied_at) VALUES ($1, $2, $3, $4, $5)";

/// Any fixed number: PostgreSQL's advisory locks are keyed by one.
const LOCK_KEY: i64 = 0x706f_7274_6963;

async fn run(db: &Db, owner: &str, m: &ModuleMigration, sql: &str, sum: &str) -> Result<()> {
    let mut tx = ScopedTx::begin_unscoped_write(db).await?;
    tx.execute_script(sql).await.map_err(|e| {
        Error::Internal(format!(
            "`{owner}`'s migration {} ({}) failed: {e:?}",
            m.version, m.description
        ))
    })?;
    tx.query(RECORD)
        .bind(owner)
        .bind(m.version)
        .bind(m.description)
        .bind(sum)
        .bind(super::now())
        .execute()
        .await?;
    tx.commit().await?;
    tracing::info!(
        owner,
        version = m.version,
        description = m.description,
        "migrated"
    );
    Ok(())
}

/// A row of sqlx's `_sqlx_migrations`, kept by databases migrated before the namespaces.
#[derive(sqlx::FromRow)]
struct LegacyRow {
    description: String,
    checksum: Vec<u8>,
    success: bool,
}

async fn legacy_history(db: &Db) -> Result<Vec<LegacyRow>> {
    let exists: i64 = db
        .query_scalar(Sql::each(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'",
        ))
        .fetch_one()
        .await?;
    if exists == 0 {
        return Ok(Vec::new());
    }
    db.query_as("SELECT description, checksum, success FROM _sqlx_migrations ORDER BY version")
        .fetch_all()
        .await
}

/// Records as run each of `owner`'s migrations whose SQL ran under the old global numbering
/// (rows described "owner: …"), matched by checksum; what it recorded, as `apply` reads it.
async fn adopt(
    db: &Db,
    owner: &str,
    list: &[ModuleMigration],
    legacy: &[LegacyRow],
) -> Result<Vec<(i64, String)>> {
    let prefix = format!("{owner}: ");
    let mut mine: Vec<&LegacyRow> = legacy
        .iter()
        .filter(|r| r.description.starts_with(&prefix))
        .collect();
    if let Some(dirty) = mine.iter().find(|r| !r.success) {
        return Err(Error::Internal(format!(
            "`_sqlx_migrations` records a failed migration ({}); repair the database first",
            dirty.description
        )));
    }
    let mut adopted = Vec::new();
    for m in list {
        let sql = m.text(db.backend());
        let digest = Sha384::digest(sql.as_bytes());
        let Some(at) = mine.iter().position(|r| r.checksum == digest.as_slice()) else {
            continue;
        };
        mine.remove(at);
        let sum = hex(&digest);
        db.query(RECORD)
            .bind(owner)
            .bind(m.version)
            .bind(m.description)
            .bind(&sum)
            .bind(super::now())
            .execute()
            .await?;
        adopted.push((m.version, sum));
    }
    for unmatched in mine {
        // Ran once, but no file holds that SQL now: nothing to re-run, nothing to adopt.
        tracing::warn!(
            owner,
            migration = %unmatched.description,
            "an earlier migration of this owner is no longer shipped"
        );
    }
    Ok(adopted)
}

/// The hex SHA-384 of a migration's SQL, as `portico_migrations` records it.
fn checksum(sql: &str) -> String {
    hex(&Sha384::digest(sql.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One connection of the database's own, for the migrator alone.
///
/// SQLite changes a table by rebuilding it (create the new one, copy, drop the old, rename),
/// and with foreign keys on, dropping the old table would first delete — and cascade to —
/// every row that references it. `foreign_keys` cannot change inside a transaction, and each
/// migration runs in one; so the migrator's connection has them off (the pool never sees
/// that setting), and [`references_hold`] checks every reference afterwards, as SQLite's own
/// procedure for schema changes does. On PostgreSQL one connection holds the advisory lock.
async fn dedicated(db: &Db) -> Result<Db> {
    Ok(match db {
        Db::Sqlite(pool) => {
            let options = (*pool.connect_options()).clone().foreign_keys(false);
            let one = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await?;
            Db::Sqlite(one)
        }
        Db::Postgres(pool) => {
            let one = PgPoolOptions::new()
                .max_connections(1)
                .connect_with((*pool.connect_options()).clone())
                .await?;
            Db::Postgres(one)
        }
    })
}

async fn references_hold(db: &Db) -> Result<()> {
    let broken: Vec<(String, Option<i64>, String)> = db
        .query_as(r#"SELECT "table", rowid, parent FROM pragma_foreign_key_check"#)
        .fetch_all()
        .await?;
    match broken.first() {
        None => Ok(()),
        Some((table, row, parent)) => Err(Error::Internal(format!(
            "after migrating, {} rows reference rows that do not exist \
             (first: {table} row {} names a missing {parent})",
            broken.len(),
            row.unwrap_or_default()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migration(version: i64) -> ModuleMigration {
        ModuleMigration {
            version,
            description: "x",
            sqlite: "SELECT 1;",
            postgres: "SELECT 1;",
        }
    }

    #[test]
    fn an_owner_numbers_its_own_migrations_once_each() {
        let mut set = MigrationSet::default();
        set.extend("a", &[migration(2), migration(1)]);
        set.extend("b", &[migration(1)]);
        assert!(set.check().is_ok());
        set.extend("a", &[migration(2)]);
        assert!(set.check().is_err());
        let mut zero = MigrationSet::default();
        zero.extend("a", &[migration(0)]);
        assert!(zero.check().is_err());
    }

    #[test]
    fn the_core_numbers_its_migrations_from_one() {
        let versions: Vec<i64> = CoreMigrations::ALL.iter().map(|m| m.version).collect();
        let expected: Vec<i64> = (1..=versions.len() as i64).collect();
        assert_eq!(versions, expected);
    }
}
