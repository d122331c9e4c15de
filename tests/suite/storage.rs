//! Storage on both backends: migrations, concurrent writers.

use portal_core::db::{MigrationSet, ModuleMigration};
use portal_core::workspace::{self, EntitlementChange};
use portico_tests::{backends, fresh_db, Backend};

backends!(
    migrations_are_idempotent_and_tolerate_modules_left_out,
    concurrent_writers_queue_instead_of_failing,
);

fn full_set() -> MigrationSet {
    let mut set = MigrationSet::new();
    for m in portico_host::registry().unwrap().modules() {
        set.extend(m.id(), m.migrations());
    }
    set
}

async fn table_exists(db: &portal_core::db::Db, table: &str) -> bool {
    let sql = match db.backend() {
        portal_core::db::Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
        portal_core::db::Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    let n: i64 = db.query_scalar(sql).bind(table).fetch_one().await.unwrap();
    n == 1
}

async fn migrations_are_idempotent_and_tolerate_modules_left_out(backend: Backend) {
    let (db, _guard) = fresh_db(&backend).await;
    full_set().apply(&db).await.unwrap();
    full_set().apply(&db).await.unwrap();
    assert!(table_exists(&db, "workspaces").await);
    assert_eq!(
        table_exists(&db, "projects").await,
        cfg!(feature = "projects")
    );

    // A later build without the modules: their applied migrations are not an error.
    MigrationSet::new().apply(&db).await.unwrap();

    // A module added later gets its tables on the next start.
    const EXTRA: &[ModuleMigration] = &[ModuleMigration {
        version: 1,
        description: "extra",
        sqlite: "CREATE TABLE extra_things (id INTEGER PRIMARY KEY AUTOINCREMENT)",
        postgres: "CREATE TABLE extra_things (id BIGINT PRIMARY KEY)",
    }];
    let mut set = full_set();
    set.extend("extra", EXTRA);
    set.apply(&db).await.unwrap();
    assert!(table_exists(&db, "extra_things").await);

    // Each owner numbers its own migrations: the core's 1 and this module's 1 are two.
    let mut own = full_set();
    own.extend(
        "numbered",
        &[ModuleMigration {
            sqlite: "CREATE TABLE numbered (id INTEGER PRIMARY KEY AUTOINCREMENT)",
            postgres: "CREATE TABLE numbered (id BIGINT PRIMARY KEY)",
            ..EXTRA[0]
        }],
    );
    own.apply(&db).await.unwrap();
    assert!(table_exists(&db, "numbered").await);

    // One owner's two migrations sharing a version are refused before anything runs.
    let mut clash = MigrationSet::new();
    clash.extend("copycat", &[EXTRA[0], EXTRA[0]]);
    let err = clash.apply(&db).await.unwrap_err();
    assert!(
        matches!(&err, portal_core::Error::Internal(m) if m.contains("`copycat` declares migration 1 twice")),
        "{err:?}"
    );
}

async fn concurrent_writers_queue_instead_of_failing(backend: Backend) {
    let (db, _guard) = fresh_db(&backend).await;
    full_set().apply(&db).await.unwrap();
    let ws = workspace::create(&db, "busy", "Busy", "starter")
        .await
        .unwrap();
    let writers = 24;
    let mut tasks = Vec::new();
    for i in 0..writers {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let change = if i % 2 == 0 {
                EntitlementChange::AddAddon(format!("addon-{i}"))
            } else {
                EntitlementChange::SetModuleEnabled {
                    module: format!("m{i}"),
                    enabled: false,
                }
            };
            workspace::apply_change(&db, ws, &change).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let w = workspace::by_slug(&db, "busy").await.unwrap().unwrap();
    assert_eq!(w.revision, 1 + writers, "every write applied exactly once");
    assert_eq!(
        workspace::addons(&db, ws).await.unwrap().len(),
        (writers / 2) as usize
    );
    assert_eq!(
        workspace::disabled_modules(&db, ws).await.unwrap().len(),
        (writers / 2) as usize
    );
}
