//! The test's database: a fresh one per test on either backend ([`fresh_db`]), the role the
//! portal connects as ([`as_app_role`]), and whole-database snapshots for "nothing changed"
//! assertions ([`snapshot`], [`changed_rows`]).
use std::str::FromStr;

use portal_core::db::Db;
use portal_core::ModuleRegistry;
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;

#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

pub const POSTGRES_ENV: &str = "PORTICO_TEST_POSTGRES_URL";

impl Backend {
    /// The PostgreSQL backend, if the suite was given a server.
    pub fn postgres() -> Option<Backend> {
        match std::env::var(POSTGRES_ENV) {
            Ok(url) if !url.is_empty() => Some(Backend::Postgres(url)),
            _ => {
                eprintln!("{POSTGRES_ENV} is not set: skipping the PostgreSQL run of this test");
                None
            }
        }
    }
}

/// A fresh, empty database of the given backend. Dropped with the returned guard.
pub async fn fresh_db(backend: &Backend) -> (Db, DbGuard) {
    // Migrations and seeds read the clock: start it first, as `spawn_app` does, so a test that
    // builds its own portal cannot read it unstarted in a process other tests share.
    crate::start_clock();
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let opts = SqliteConnectOptions::from_str(&format!(
                "sqlite://{}",
                dir.path().join("portico.db").display()
            ))
            .unwrap();
            let db = Db::connect_sqlite(opts).await.unwrap();
            (db, DbGuard::Sqlite(dir))
        }
        Backend::Postgres(url) => {
            let schema = format!("t_{:016x}", rand::random::<u64>());
            let admin = sqlx::PgPool::connect(url).await.unwrap_or_else(|e| {
                panic!("{POSTGRES_ENV} is set but PostgreSQL is unreachable: {e}")
            });
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(&admin)
                .await
                .unwrap();
            let opts = PgConnectOptions::from_str(url)
                .unwrap()
                .options([("search_path", schema.as_str())]);
            let db = Db::connect_postgres(opts).await.unwrap();
            (
                db,
                DbGuard::Postgres {
                    url: url.clone(),
                    schema,
                },
            )
        }
    }
}

/// The role the application connects as on PostgreSQL: it owns nothing and lacks BYPASSRLS,
/// so row-level security applies to it, as in production.
pub const APP_ROLE: &str = "portico_app";

/// The role the RLS-off runs connect as: the same grants, but with BYPASSRLS, so row-level
/// security admits every row and only the application's own checks stand (`Options::rls`).
pub const BYPASS_ROLE: &str = "portico_app_bypassrls";

/// On PostgreSQL, migrates as the owner and returns a pool of `role` ([`APP_ROLE`] or
/// [`BYPASS_ROLE`]) on the same schema, with `false`: the portal must not migrate (it may
/// not). On SQLite, the database as it is, with `true`.
pub async fn as_app_role(
    owner: Db,
    registry: &ModuleRegistry,
    guard: &DbGuard,
    role: &str,
) -> (Db, bool) {
    let (DbGuard::Postgres { url, schema }, Db::Postgres(pool)) = (guard, &owner) else {
        return (owner, true);
    };
    let mut set = portal_core::db::MigrationSet::new();
    for m in registry.modules() {
        set.extend(m.id(), m.migrations());
    }
    set.apply(&owner).await.unwrap();
    // Roles are cluster-wide and tests run in parallel: whoever comes first creates it.
    let bypass = if role == BYPASS_ROLE {
        "BYPASSRLS"
    } else {
        "NOBYPASSRLS"
    };
    let create = format!(
        "DO $$ BEGIN CREATE ROLE {role} LOGIN NOSUPERUSER {bypass}; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    );
    sqlx::query(&create).execute(pool).await.unwrap();
    portal_core::db::grant_app_role(&owner, role).await.unwrap();
    let opts = PgConnectOptions::from_str(url)
        .unwrap()
        .username(role)
        .options([("search_path", schema.as_str())]);
    (Db::connect_postgres(opts).await.unwrap(), false)
}

/// What the database said when it refused a statement. `portal_core::Error` shows only
/// "database error", which keeps SQL out of responses; a test asserting which rule refused
/// (a row-level-security policy, say) needs the driver's own message.
pub fn database_error(err: portal_core::Error) -> String {
    match err {
        portal_core::Error::Database(e) => e.to_string(),
        other => other.to_string(),
    }
}

/// Removes the test's database when the test ends.
pub enum DbGuard {
    Sqlite(tempfile::TempDir),
    Postgres { url: String, schema: String },
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let DbGuard::Postgres { url, schema } = self {
            let (url, schema) = (url.clone(), schema.clone());
            // Drop runs inside the test's runtime; clean up on a thread of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(pool) = sqlx::PgPool::connect(&url).await {
                        let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                            .execute(&pool)
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// Columns that record that someone looked, not what anyone changed, and the counter that
/// tells other instances to drop their caches: a snapshot leaves them out, so "nothing
/// changed" still holds for a request that used an API token, and "nothing of A's changed"
/// for a colleague whose own change bumped the workspace's counter.
const LOOKED_AT: &[(&str, &str)] = &[
    ("api_tokens", "last_used_at"),
    ("staff_sessions", "last_seen_at"),
    ("portal_sessions", "last_seen_at"),
    ("workspaces", "revision"),
];

/// Rows that record that someone looked: a contact's page views, written a moment after the
/// page (`activity::LookLog`). A snapshot leaves them out, like [`LOOKED_AT`]'s columns.
const LOOKS: &[(&str, &str)] = &[("activity", "action <> 'view'")];

/// Every row of every table, each a JSON object of its columns, sorted.
pub type Snapshot = std::collections::BTreeMap<String, Vec<String>>;

/// Every row of every table, for "nothing changed" assertions (see [`changed_rows`]).
pub async fn snapshot(db: &Db) -> Snapshot {
    let mut out = std::collections::BTreeMap::new();
    let tables: Vec<String> = match db.backend() {
        portal_core::db::Backend::Sqlite => {
            let sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            db.query_scalar(sql).fetch_all().await.unwrap()
        }
        portal_core::db::Backend::Postgres => {
            let sql = "SELECT table_name::text FROM information_schema.tables \
                       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1";
            db.query_scalar(sql).fetch_all().await.unwrap()
        }
    };
    for table in tables {
        let skipped: Vec<&str> = LOOKED_AT
            .iter()
            .filter(|(t, _)| *t == table)
            .map(|(_, c)| *c)
            .collect();
        let only = LOOKS
            .iter()
            .find(|(t, _)| *t == table)
            .map(|(_, kept)| format!(" WHERE {kept}"))
            .unwrap_or_default();
        let rows: Vec<String> = match db {
            Db::Sqlite(pool) => {
                let cols: Vec<String> =
                    sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                        .bind(&table)
                        .fetch_all(pool)
                        .await
                        .unwrap();
                let pairs: Vec<String> = cols
                    .iter()
                    .filter(|c| !skipped.contains(&c.as_str()))
                    // JSON holds no bytes: a BLOB value goes in as its hex.
                    .map(|c| {
                        format!(
                            "'{c}', CASE WHEN typeof(\"{c}\") = 'blob' THEN hex(\"{c}\") ELSE \"{c}\" END"
                        )
                    })
                    .collect();
                let sql = format!(
                    "SELECT json_object({}) FROM \"{table}\"{only} ORDER BY 1",
                    pairs.join(", ")
                );
                sqlx::query_scalar(&sql).fetch_all(pool).await.unwrap()
            }
            Db::Postgres(pool) => {
                let minus: String = skipped.iter().map(|c| format!(" - '{c}'")).collect();
                let sql = format!(
                    "SELECT (to_jsonb(t){minus})::text FROM \"{table}\" t{only} ORDER BY 1"
                );
                sqlx::query_scalar(&sql).fetch_all(pool).await.unwrap()
            }
        };
        out.insert(table, rows);
    }
    out
}

/// The rows that differ between two snapshots — there in one and not in the other — with
/// their table, as column → value.
pub fn changed_rows(
    before: &Snapshot,
    after: &Snapshot,
) -> Vec<(String, serde_json::Map<String, serde_json::Value>)> {
    let mut out = Vec::new();
    let empty = Vec::new();
    let tables: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for table in tables {
        let (old, new) = (
            before.get(table).unwrap_or(&empty),
            after.get(table).unwrap_or(&empty),
        );
        let mut counts: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
        for row in old {
            *counts.entry(row).or_default() += 1;
        }
        for row in new {
            *counts.entry(row).or_default() -= 1;
        }
        for (row, n) in counts {
            if n != 0 {
                let columns = serde_json::from_str(row).unwrap();
                out.push((table.clone(), columns));
            }
        }
    }
    out
}
