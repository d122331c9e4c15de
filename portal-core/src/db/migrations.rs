//! One combined migrator for the core and every linked module.
//!
//! sqlx refuses several migration sources sharing one tracking table, so every migration —
//! core or module — carries a globally unique timestamp version and they run together, in
//! version order, from one [`MigrationSet`]. Migrations of modules that were left out of the
//! build stay recorded in the database; `ignore_missing` keeps that from being an error.
use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

use super::{Backend, Db};
use crate::error::{Error, Result};

/// A migration a module (or the core) declares, in both dialects.
#[derive(Clone, Copy, Debug)]
pub struct ModuleMigration {
    /// Globally unique, e.g. `2026_11_23_0001` written as `202611230001`.
    pub version: i64,
    pub description: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

/// The core schema, from the top-level `migrations/` folder.
pub struct CoreMigrations;

impl CoreMigrations {
    pub const ALL: &'static [ModuleMigration] = &[
        ModuleMigration {
            version: 202611230001,
            description: "core schema",
            sqlite: include_str!("../../../migrations/sqlite/20261123_0001_core.sql"),
            postgres: include_str!("../../../migrations/postgres/20261123_0001_core.sql"),
        },
        ModuleMigration {
            version: 202611230002,
            description: "mail and one-time tokens",
            sqlite: include_str!("../../../migrations/sqlite/20261123_0002_mail_and_tokens.sql"),
            postgres: include_str!(
                "../../../migrations/postgres/20261123_0002_mail_and_tokens.sql"
            ),
        },
        ModuleMigration {
            version: 202611230003,
            description: "previews, audit log, two-factor sign-in",
            sqlite: include_str!("../../../migrations/sqlite/20261123_0003_preview_audit_totp.sql"),
            postgres: include_str!(
                "../../../migrations/postgres/20261123_0003_preview_audit_totp.sql"
            ),
        },
        ModuleMigration {
            version: 202611230004,
            description: "sign-in challenges",
            sqlite: include_str!("../../../migrations/sqlite/20261123_0004_sign_in_challenges.sql"),
            postgres: include_str!(
                "../../../migrations/postgres/20261123_0004_sign_in_challenges.sql"
            ),
        },
        ModuleMigration {
            version: 202611230005,
            description: "row-level security",
            sqlite: include_str!("../../../migrations/sqlite/20261123_0005_row_level_security.sql"),
            postgres: include_str!(
                "../../../migrations/postgres/20261123_0005_row_level_security.sql"
            ),
        },
        ModuleMigration {
            version: 202611230006,
            description: "portal settings",
            sqlite: include_str!("../../../migrations/sqlite/20261123_0006_portal_settings.sql"),
            postgres: include_str!(
                "../../../migrations/postgres/20261123_0006_portal_settings.sql"
            ),
        },
        ModuleMigration {
            version: 202611230007,
            description: "notifications",
            sqlite: include_str!("../../../migrations/sqlite/20261123_0007_notifications.sql"),
            postgres: include_str!("../../../migrations/postgres/20261123_0007_notifications.sql"),
        },
        ModuleMigration {
            version: 202611230008,
            description: "portal activity",
            sqlite: include_str!("../../../migrations/sqlite/20261123_0008_activity.sql"),
            postgres: include_str!("../../../migrations/postgres/20261123_0008_activity.sql"),
        },
        ModuleMigration {
            version: 202611230009,
            description: "home page arrangement",
            sqlite: include_str!("../../../migrations/sqlite/20261123_0009_home_blocks.sql"),
            postgres: include_str!("../../../migrations/postgres/20261123_0009_home_blocks.sql"),
        },
        ModuleMigration {
            version: 202611230010,
            description: "stored files",
            sqlite: include_str!("../../../migrations/sqlite/20261123_0010_files.sql"),
            postgres: include_str!("../../../migrations/postgres/20261123_0010_files.sql"),
        },
        ModuleMigration {
            version: 202611230011,
            description: "notification sources",
            sqlite: include_str!(
                "../../../migrations/sqlite/20261123_0011_notification_sources.sql"
            ),
            postgres: include_str!(
                "../../../migrations/postgres/20261123_0011_notification_sources.sql"
            ),
        },
        ModuleMigration {
            version: 202611230012,
            description: "image thumbnails",
            sqlite: include_str!("../../../migrations/sqlite/20261123_0012_thumbnails.sql"),
            postgres: include_str!("../../../migrations/postgres/20261123_0012_thumbnails.sql"),
        },
        ModuleMigration {
            version: 202611230013,
            description: "files behind row-level security",
            sqlite: include_str!(
                "../../../migrations/sqlite/20261123_0013_files_row_level_security.sql"
            ),
            postgres: include_str!(
                "../../../migrations/postgres/20261123_0013_files_row_level_security.sql"
            ),
        },
        ModuleMigration {
            version: 202611230014,
            description: "mail attachments",
            sqlite: include_str!("../../../migrations/sqlite/20261123_0014_mail_attachments.sql"),
            postgres: include_str!(
                "../../../migrations/postgres/20261123_0014_mail_attachments.sql"
            ),
        },
        ModuleMigration {
            version: 202612030015,
            description: "API tokens expire",
            sqlite: include_str!("../../../migrations/sqlite/20261203_0015_api_token_expiry.sql"),
            postgres: include_str!(
                "../../../migrations/postgres/20261203_0015_api_token_expiry.sql"
            ),
        },
        ModuleMigration {
            version: 202612030016,
            description: "what a notification is about",
            sqlite: include_str!(
                "../../../migrations/sqlite/20261203_0016_notification_subjects.sql"
            ),
            postgres: include_str!(
                "../../../migrations/postgres/20261203_0016_notification_subjects.sql"
            ),
        },
        ModuleMigration {
            version: 202612030017,
            description: "the logo's file, stored explicitly",
            sqlite: include_str!("../../../migrations/sqlite/20261203_0017_logo_file.sql"),
            postgres: include_str!("../../../migrations/postgres/20261203_0017_logo_file.sql"),
        },
        ModuleMigration {
            version: 202612030018,
            description: "staff who left the team",
            sqlite: include_str!("../../../migrations/sqlite/20261203_0018_staff_deactivation.sql"),
            postgres: include_str!(
                "../../../migrations/postgres/20261203_0018_staff_deactivation.sql"
            ),
        },
        ModuleMigration {
            version: 202612070019,
            description: "add-on updates bump the revision on SQLite too",
            sqlite: include_str!(
                "../../../migrations/sqlite/20261207_0019_addon_update_trigger.sql"
            ),
            postgres: include_str!(
                "../../../migrations/postgres/20261207_0019_addon_update_trigger.sql"
            ),
        },
    ];
}

/// Everything to apply, gathered from the core and the registry.
#[derive(Default, Clone)]
pub struct MigrationSet {
    items: Vec<(&'static str, ModuleMigration)>,
}

impl MigrationSet {
    pub fn new() -> Self {
        let mut set = Self::default();
        set.extend("core", CoreMigrations::ALL);
        set
    }

    pub fn extend(&mut self, owner: &'static str, migrations: &[ModuleMigration]) {
        self.items.extend(migrations.iter().map(|m| (owner, *m)));
    }

    /// Checks that no two migrations share a version (which sqlx would silently conflate).
    pub fn check(&self) -> Result<()> {
        let mut seen = std::collections::HashMap::new();
        for (owner, m) in &self.items {
            if let Some(other) = seen.insert(m.version, *owner) {
                return Err(Error::Internal(format!(
                    "migration version {} is declared by both `{other}` and `{owner}`; versions must be unique",
                    m.version
                )));
            }
        }
        Ok(())
    }

    fn for_backend(&self, backend: Backend) -> Vec<Migration> {
        let mut items = self.items.clone();
        items.sort_by_key(|(_, m)| m.version);
        items
            .into_iter()
            .map(|(owner, m)| {
                let sql = match backend {
                    Backend::Sqlite => m.sqlite,
                    Backend::Postgres => m.postgres,
                };
                Migration::new(
                    m.version,
                    Cow::Owned(format!("{owner}: {}", m.description)),
                    MigrationType::Simple,
                    Cow::Borrowed(sql),
                    false,
                )
            })
            .collect()
    }

    /// Applies what is not applied yet. Idempotent.
    pub async fn apply(&self, db: &Db) -> Result<()> {
        self.check()?;
        let mut migrator = Migrator::new(Source(self.for_backend(db.backend()))).await?;
        migrator.set_ignore_missing(true);
        match db {
            Db::Postgres(pool) => Ok(migrator.run(pool).await?),
            Db::Sqlite(pool) => migrate_sqlite(&migrator, pool).await,
        }
    }
}

/// SQLite changes a table by rebuilding it (create the new one, copy, drop the old, rename),
/// and with foreign keys on, dropping the old table would first delete — and cascade to —
/// every row that references it. `foreign_keys` cannot change inside a transaction, and
/// each migration runs in one; so the migrator runs on a connection of its own with them
/// off (outside the pool, which never sees that setting), then checks every reference, as
/// SQLite's own procedure for schema changes does.
async fn migrate_sqlite(migrator: &Migrator, pool: &sqlx::SqlitePool) -> Result<()> {
    use sqlx::{ConnectOptions, Connection};
    let options = (*pool.connect_options()).clone().foreign_keys(false);
    let mut conn = options.connect().await?;
    let ran = migrator.run(&mut conn).await;
    let broken: Vec<(String, Option<i64>, String)> =
        sqlx::query_as(r#"SELECT "table", rowid, parent FROM pragma_foreign_key_check"#)
            .fetch_all(&mut conn)
            .await?;
    conn.close().await?;
    ran?;
    if let Some((table, row, parent)) = broken.first() {
        return Err(Error::Internal(format!(
            "after migrating, {} rows reference rows that do not exist (first: {table} row {} names a missing {parent})",
            broken.len(),
            row.unwrap_or_default()
        )));
    }
    Ok(())
}

#[derive(Debug)]
struct Source(Vec<Migration>);

impl<'s> MigrationSource<'s> for Source {
    fn resolve(
        self,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<Vec<Migration>, sqlx::error::BoxDynError>>
                + Send
                + 's,
        >,
    > {
        Box::pin(async move { Ok(self.0) })
    }
}
