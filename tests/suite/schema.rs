//! The two backends hold one schema: every table, column, nullability, index and trigger the
//! migrations make on SQLite they make on PostgreSQL, and the other way round. Migrations are
//! written twice, once per dialect; this is what keeps the two texts telling the same story.

use std::collections::BTreeSet;

use portal_core::db::{Db, MigrationSet};
use portico_tests::{fresh_db, Backend, DbGuard};

/// Every migration of the core and of each module this build links, applied to a fresh database.
async fn migrated(backend: &Backend) -> (Db, DbGuard) {
    let (db, guard) = fresh_db(backend).await;
    migrations_before("core", i64::MAX)
        .apply(&db)
        .await
        .unwrap();
    (db, guard)
}

/// The core's and the linked modules' migrations, but of `owner` only those older than
/// `version`: the schema a deployment had before that migration shipped.
fn migrations_before(owner: &str, version: i64) -> MigrationSet {
    let registry = portico_host::registry().unwrap();
    let mut set = MigrationSet::new();
    for m in registry.modules() {
        let kept: Vec<_> = m
            .migrations()
            .iter()
            .filter(|mig| m.id() != owner || mig.version < version)
            .copied()
            .collect();
        set.extend(m.id(), &kept);
    }
    set
}

/// One schema, in words both backends share.
#[derive(Debug, Default)]
struct Schema {
    tables: BTreeSet<String>,
    /// `table.column type null|not null`, with the type as a family (integer, text, …).
    columns: BTreeSet<String>,
    /// `table(col, col) unique?`: what an index covers, whatever each backend names it.
    indexes: BTreeSet<String>,
    /// `table: event`: which changes fire a trigger.
    triggers: BTreeSet<String>,
    /// `view.column`: the read surface modules are promised. Names only: neither backend
    /// reports a view column's nullability, and SQLite gives an expression no type.
    views: BTreeSet<String>,
}

/// The declared type's family: SQLite's affinity names and PostgreSQL's types differ in
/// spelling, not in what a row can hold.
fn family(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") || t == "serial" || t == "bigserial" {
        "integer"
    } else if t.contains("char") || t.contains("text") || t == "uuid" {
        "text"
    } else if t.contains("bool") {
        "boolean"
    } else if t.contains("blob") || t == "bytea" {
        "blob"
    } else if t.contains("real")
        || t.contains("double")
        || t.contains("float")
        || t.contains("numeric")
    {
        "real"
    } else {
        "other"
    }
}

fn nullability(not_null: bool) -> &'static str {
    if not_null {
        "not null"
    } else {
        "null"
    }
}

async fn sqlite_schema(db: &Db) -> Schema {
    let mut s = Schema::default();
    let tables: Vec<String> = db
        .query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .fetch_all()
        .await
        .unwrap();
    for table in &tables {
        let columns: Vec<(String, String, bool, i64)> = db
            .query_as(
                "SELECT name, type, \"notnull\" <> 0, pk FROM pragma_table_info($1) ORDER BY cid",
            )
            .bind(table)
            .fetch_all()
            .await
            .unwrap();
        for (name, declared, not_null, pk) in columns {
            // A primary key is never null, though SQLite's pragma says 0 for `INTEGER PRIMARY KEY`.
            let not_null = not_null || pk > 0;
            s.columns.insert(format!(
                "{table}.{name} {} {}",
                family(&declared),
                nullability(not_null)
            ));
        }
        let indexes: Vec<(String, bool, String)> = db
            .query_as("SELECT name, \"unique\" <> 0, origin FROM pragma_index_list($1)")
            .bind(table)
            .fetch_all()
            .await
            .unwrap();
        for (index, unique, origin) in indexes {
            // The primary key is the table's own, not an index the migrations chose.
            if origin == "pk" {
                continue;
            }
            let cols: Vec<String> = db
                .query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                .bind(&index)
                .fetch_all()
                .await
                .unwrap();
            s.indexes.insert(index_words(table, &cols, unique));
        }
    }
    let triggers: Vec<(String, String)> = db
        .query_as("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        .fetch_all()
        .await
        .unwrap();
    for (table, sql) in triggers {
        let head = sql.to_ascii_uppercase();
        // The event is named before `ON table`.
        let head = head.split(" ON ").next().unwrap_or_default();
        for event in ["INSERT", "UPDATE", "DELETE"] {
            if head.contains(event) {
                s.triggers
                    .insert(format!("{table}: {}", event.to_lowercase()));
            }
        }
    }
    let view_columns: Vec<(String, String)> = db
        .query_as(
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'view'",
        )
        .fetch_all()
        .await
        .unwrap();
    s.views = view_columns
        .into_iter()
        .map(|(view, column)| format!("{view}.{column}"))
        .collect();
    s.tables = tables.into_iter().collect();
    s
}

async fn postgres_schema(db: &Db) -> Schema {
    let mut s = Schema::default();
    let tables: Vec<String> = db
        .query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '_sqlx_migrations' ORDER BY 1",
        )
        .fetch_all()
        .await
        .unwrap();
    let columns: Vec<(String, String, String, String, bool)> = db
        .query_as(
            "SELECT c.table_name::text, c.column_name::text, c.data_type::text, \
                    c.is_nullable::text, t.table_type = 'VIEW' \
             FROM information_schema.columns c JOIN information_schema.tables t \
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = current_schema() AND c.table_name <> '_sqlx_migrations'",
        )
        .fetch_all()
        .await
        .unwrap();
    for (table, name, declared, nullable, view) in columns {
        if view {
            s.views.insert(format!("{table}.{name}"));
            continue;
        }
        s.columns.insert(format!(
            "{table}.{name} {} {}",
            family(&declared),
            nullability(nullable == "NO")
        ));
    }
    let indexes: Vec<(String, bool, String)> = db
        .query_as(
            "SELECT t.relname::text, ix.indisunique, \
                    array_to_string(ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, n) \
                          JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n), ',') \
             FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
             JOIN pg_namespace ns ON ns.oid = t.relnamespace \
             WHERE ns.nspname = current_schema() AND NOT ix.indisprimary \
             AND t.relname <> '_sqlx_migrations'",
        )
        .fetch_all()
        .await
        .unwrap();
    for (table, unique, cols) in indexes {
        let cols: Vec<String> = cols.split(',').map(str::to_owned).collect();
        s.indexes.insert(index_words(&table, &cols, unique));
    }
    let triggers: Vec<(String, String)> = db
        .query_as(
            "SELECT DISTINCT event_object_table::text, lower(event_manipulation::text) \
             FROM information_schema.triggers WHERE trigger_schema = current_schema()",
        )
        .fetch_all()
        .await
        .unwrap();
    for (table, event) in triggers {
        s.triggers.insert(format!("{table}: {event}"));
    }
    s.tables = tables.into_iter().collect();
    s
}

fn index_words(table: &str, cols: &[String], unique: bool) -> String {
    format!(
        "{table}({}){}",
        cols.join(", "),
        if unique { " unique" } else { "" }
    )
}

/// What one side has and the other lacks, in both directions, as lines to read.
fn differences(what: &str, sqlite: &BTreeSet<String>, postgres: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for only in sqlite.difference(postgres) {
        out.push(format!("{what} only on SQLite:     {only}"));
    }
    for only in postgres.difference(sqlite) {
        out.push(format!("{what} only on PostgreSQL: {only}"));
    }
    out
}

#[tokio::test]
async fn both_backends_hold_the_same_schema() {
    let Some(pg) = Backend::postgres() else {
        return;
    };
    let (lite, _g1) = migrated(&Backend::Sqlite).await;
    let (post, _g2) = migrated(&pg).await;
    let a = sqlite_schema(&lite).await;
    let b = postgres_schema(&post).await;
    assert!(a.tables.len() > 20, "too few tables read: {:?}", a.tables);
    assert!(
        a.views.len() > 10,
        "too few view columns read: {:?}",
        a.views
    );
    let mut wrong = Vec::new();
    wrong.extend(differences("table", &a.tables, &b.tables));
    wrong.extend(differences("column", &a.columns, &b.columns));
    wrong.extend(differences("index", &a.indexes, &b.indexes));
    wrong.extend(differences("trigger", &a.triggers, &b.triggers));
    wrong.extend(differences("view column", &a.views, &b.views));
    assert!(
        wrong.is_empty(),
        "the migrations make different schemas:\n{}",
        wrong.join("\n")
    );
}

/// SQLite reuses the highest rowid of a table whose last rows were deleted unless the key is
/// `AUTOINCREMENT`: a deleted tenant's ids would come back as someone else's, and every link,
/// audit line and cached id that still names them would point at the newcomer.
#[tokio::test]
async fn every_sqlite_id_is_never_reused() {
    let (db, _guard) = migrated(&Backend::Sqlite).await;
    let tables: Vec<(String, String)> = db
        .query_as(
            "SELECT m.name, m.sql FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND p.name = 'id' AND p.pk = 1 \
             AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
        )
        .fetch_all()
        .await
        .unwrap();
    assert!(tables.len() >= 10, "too few tables with an id: {tables:?}");
    let reused: Vec<&str> = tables
        .iter()
        .filter(|(_, sql)| !sql.to_ascii_uppercase().contains("AUTOINCREMENT"))
        .map(|(name, _)| name.as_str())
        .collect();
    assert!(
        reused.is_empty(),
        "these tables' ids can be reused after a delete (declare `id INTEGER PRIMARY KEY AUTOINCREMENT`): {reused:?}"
    );
}

/// The rebuild that gave projects, milestones, tasks and comments their `AUTOINCREMENT`, run
/// on a database that already holds them: every row stays with its id and its references,
/// nothing that references a rebuilt table is cascaded away, and from then on a deleted id
/// stays unused.
#[cfg(feature = "approvals")]
#[tokio::test]
async fn rebuilding_the_project_tables_keeps_every_row() {
    const REBUILD: i64 = 7;
    let (db, _guard) = fresh_db(&Backend::Sqlite).await;
    migrations_before("projects", REBUILD)
        .apply(&db)
        .await
        .unwrap();
    let ws = portal_core::workspace::create(&db, "acme", "Acme", "scale")
        .await
        .unwrap();
    let client = portal_core::clients::create_client(&db, ws, "Client")
        .await
        .unwrap();
    let mut projects = Vec::new();
    for name in ["Kept", "Deleted"] {
        let id: i64 = db
            .query_scalar(
                "INSERT INTO projects (workspace_id, client_id, name, created_at, updated_at) \
                 VALUES ($1, $2, $3, 0, 0) RETURNING id",
            )
            .bind(ws)
            .bind(client)
            .bind(name)
            .fetch_one()
            .await
            .unwrap();
        projects.push(id);
    }
    let (kept, deleted) = (projects[0], projects[1]);
    let children = [
        "INSERT INTO milestones (project_id, workspace_id, client_id, title) VALUES ($1, $2, $3, 'M')",
        "INSERT INTO tasks (project_id, workspace_id, client_id, title, created_at, updated_at) \
         VALUES ($1, $2, $3, 'T', 0, 0)",
        "INSERT INTO approvals (workspace_id, client_id, project_id, title, created_by, created_at, \
         updated_at) VALUES ($2, $3, $1, 'A', 'staff', 0, 0)",
    ];
    for sql in children {
        db.query(sql)
            .bind(kept)
            .bind(ws)
            .bind(client)
            .execute()
            .await
            .unwrap();
    }
    let task: i64 = db
        .query_scalar("SELECT id FROM tasks")
        .fetch_one()
        .await
        .unwrap();
    let contact = portal_core::clients::create_contact(&db, ws, client, "ann@example.com", "Ann")
        .await
        .unwrap();
    db.query(
        "INSERT INTO comments (workspace_id, client_id, project_id, task_id, kind, body, \
         author_contact_id, created_at) VALUES ($1, $2, $3, $4, 'reply', 'r', $5, 0)",
    )
    .bind(ws)
    .bind(client)
    .bind(kept)
    .bind(task)
    .bind(contact)
    .execute()
    .await
    .unwrap();
    let count = |table: &'static str| {
        let db = db.clone();
        async move {
            db.query_scalar::<i64>(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one()
                .await
                .unwrap()
        }
    };
    let tables = ["projects", "milestones", "tasks", "comments", "approvals"];
    let mut before = Vec::new();
    for t in tables {
        before.push(count(t).await);
    }

    migrations_before("projects", i64::MAX)
        .apply(&db)
        .await
        .unwrap();

    let mut after = Vec::new();
    for t in tables {
        after.push(count(t).await);
    }
    assert_eq!(
        before, after,
        "rows of {tables:?} before and after the rebuild"
    );
    let of_kept: i64 = db
        .query_scalar("SELECT COUNT(*) FROM approvals WHERE project_id = $1")
        .bind(kept)
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(of_kept, 1, "the approval still names its project");
    let broken: Vec<(String, i64)> = db
        .query_as("SELECT \"table\", rowid FROM pragma_foreign_key_check")
        .fetch_all()
        .await
        .unwrap();
    assert!(broken.is_empty(), "references left dangling: {broken:?}");
    // The newest project goes: before the rebuild its id would be handed out again.
    db.query("DELETE FROM projects WHERE id = $1")
        .bind(deleted)
        .execute()
        .await
        .unwrap();
    let next: i64 = db
        .query_scalar(
            "INSERT INTO projects (workspace_id, client_id, name, created_at, updated_at) \
             VALUES ($1, $2, 'New', 0, 0) RETURNING id",
        )
        .bind(ws)
        .bind(client)
        .fetch_one()
        .await
        .unwrap();
    assert!(
        next > deleted,
        "the deleted project's id {deleted} came back as {next}"
    );
}

/// A source of migrations for sqlx's own migrator, as the runner before per-module
/// numbering used it.
#[derive(Debug)]
struct OldSource(Vec<sqlx::migrate::Migration>);

impl<'s> sqlx::migrate::MigrationSource<'s> for OldSource {
    fn resolve(
        self,
    ) -> futures_util::future::BoxFuture<
        's,
        Result<Vec<sqlx::migrate::Migration>, sqlx::error::BoxDynError>,
    > {
        Box::pin(async move { Ok(self.0) })
    }
}

/// A database migrated before migrations were numbered per module — sqlx's
/// `_sqlx_migrations`, one global number space, rows described "owner: description" — is
/// taken over without running anything twice, keeps its rows, and gets only what is new.
async fn an_old_database_is_taken_over(backend: Backend) {
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    let (db, _guard) = fresh_db(&backend).await;
    let registry = portico_host::registry().unwrap();
    // What shipped before this change: everything but the migrations added with it and after.
    let added_since = [
        ("core", 19),
        ("core", 20),
        ("projects", 7),
        ("notices", 2),
        ("notices", 3),
    ];
    let mut owners: Vec<(&str, &[portal_core::db::ModuleMigration])> =
        vec![("core", portal_core::db::CoreMigrations::ALL)];
    owners.extend(registry.modules().iter().map(|m| (m.id(), m.migrations())));
    let mut old = Vec::new();
    for (owner, list) in &owners {
        for m in list.iter() {
            if added_since.contains(&(*owner, m.version)) {
                continue;
            }
            let sql = match db.backend() {
                portal_core::db::Backend::Sqlite => m.sqlite,
                portal_core::db::Backend::Postgres => m.postgres,
            };
            old.push(Migration::new(
                old.len() as i64 + 1,
                format!("{owner}: {}", m.description).into(),
                MigrationType::Simple,
                sql.into(),
                false,
            ));
        }
    }
    let shipped = old.len() as i64;
    let migrator = Migrator::new(OldSource(old)).await.unwrap();
    match &db {
        Db::Sqlite(pool) => migrator.run(pool).await.unwrap(),
        Db::Postgres(pool) => migrator.run(pool).await.unwrap(),
    }
    let ws = portal_core::workspace::create(&db, "acme", "Acme", "scale")
        .await
        .unwrap();

    // Had anything old run again, its CREATE TABLE would fail here.
    migrations_before("core", i64::MAX)
        .apply(&db)
        .await
        .unwrap();

    let recorded: Vec<(String, i64)> = db
        .query_as("SELECT owner, version FROM portico_migrations ORDER BY owner, version")
        .fetch_all()
        .await
        .unwrap();
    let declared: usize = owners.iter().map(|(_, list)| list.len()).sum();
    assert_eq!(recorded.len(), declared, "{recorded:?}");
    for added in added_since {
        let owner_linked = owners.iter().any(|(o, _)| *o == added.0);
        assert_eq!(
            recorded.contains(&(added.0.to_string(), added.1)),
            owner_linked,
            "{added:?} in {recorded:?}"
        );
    }
    let old_rows: i64 = db
        .query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(old_rows, shipped, "the old history is left as it was");
    let kept: i64 = db
        .query_scalar("SELECT COUNT(*) FROM workspaces WHERE id = $1")
        .bind(ws)
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(kept, 1);
    // A second start finds nothing to do.
    migrations_before("core", i64::MAX)
        .apply(&db)
        .await
        .unwrap();
    let again: i64 = db
        .query_scalar("SELECT COUNT(*) FROM portico_migrations")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(again as usize, declared);
}

/// What ran is what ships: a migration edited after it ran is refused, naming it, and so is
/// a new one numbered below one that ran; a new one above runs once.
async fn a_migration_changed_after_it_ran_is_refused(backend: Backend) {
    use portal_core::db::ModuleMigration;
    let (db, _guard) = fresh_db(&backend).await;
    let table = |version, sql: &'static str| ModuleMigration {
        version,
        description: "extra",
        sqlite: sql,
        postgres: sql,
    };
    let mut first = MigrationSet::new();
    first.extend("extra", &[table(2, "CREATE TABLE extra (n BIGINT);")]);
    first.apply(&db).await.unwrap();

    let mut edited = MigrationSet::new();
    edited.extend("extra", &[table(2, "CREATE TABLE extra (n TEXT);")]);
    let err = format!("{:?}", edited.apply(&db).await.err());
    assert!(
        err.contains("`extra`'s migration 2 (extra) was changed"),
        "{err}"
    );

    let mut below = MigrationSet::new();
    below.extend(
        "extra",
        &[
            table(1, "CREATE TABLE early (n BIGINT);"),
            table(2, "CREATE TABLE extra (n BIGINT);"),
        ],
    );
    let err = format!("{:?}", below.apply(&db).await.err());
    assert!(err.contains("numbered below 2"), "{err}");

    let mut above = MigrationSet::new();
    above.extend(
        "extra",
        &[
            table(2, "CREATE TABLE extra (n BIGINT);"),
            table(3, "INSERT INTO extra (n) VALUES (7);"),
        ],
    );
    above.apply(&db).await.unwrap();
    above.apply(&db).await.unwrap();
    let rows: i64 = db
        .query_scalar("SELECT COUNT(*) FROM extra")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(rows, 1, "migration 3 ran once");
}

portico_tests::backends!(
    an_old_database_is_taken_over,
    a_migration_changed_after_it_ran_is_refused
);
