//! PostgreSQL's second wall: row-level security on client-owned tables, keyed on settings a
//! scoped transaction makes local to itself, enforced on an application role that owns
//! nothing and cannot bypass it. (SQLite has no row-level security; these tests are
//! PostgreSQL's alone.)

use std::str::FromStr;

use portal_core::db::{Db, ScopedTx};
use portico_tests::{database_error, spawn_app, Backend, TestApp, APP_ROLE};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// Two clients of one workspace, each with a contact; the app, A's id, B's id.
async fn world() -> Option<(TestApp, i64, i64, i64)> {
    let backend = Backend::postgres()?;
    let app = spawn_app(&backend).await;
    let ws = app.workspace("acme", "growth").await;
    let a = app.client(ws, "Client A").await;
    let b = app.client(ws, "Client B").await;
    app.contact(ws, a, "a@example.com", &[]).await;
    app.contact(ws, b, "b@example.com", &[]).await;
    Some((app, ws, a, b))
}

#[tokio::test]
async fn the_application_role_owns_nothing_and_cannot_bypass() {
    let Some((app, ..)) = world().await else {
        return;
    };
    let Db::Postgres(pool) = app.db() else {
        unreachable!()
    };
    let (user, superuser, bypass): (String, bool, bool) = sqlx::query_as(
        "SELECT rolname::text, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!((user.as_str(), superuser, bypass), (APP_ROLE, false, false));
    let owned: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tableowner = current_user",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(owned, 0, "the application owns no table");
    // And the client-owned tables have the wall up.
    let walled: Vec<String> = sqlx::query_scalar(
        "SELECT relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relrowsecurity ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for table in ["activity", "clients", "contacts", "files", "notifications"] {
        assert!(walled.iter().any(|t| t == table), "{table}: {walled:?}");
    }
    for (module, tables) in [
        ("gallery", &["shared_files"][..]),
        (
            "approvals",
            &[
                "approval_events",
                "approval_files",
                "approval_versions",
                "approvals",
            ][..],
        ),
        (
            "billing",
            &["invoice_lines", "invoice_payments", "invoices"][..],
        ),
    ] {
        if app.state.registry.get(module).is_some() {
            for table in tables {
                assert!(walled.iter().any(|t| t == table), "{table}: {walled:?}");
            }
        }
    }
    if app.state.registry.get("projects").is_some() {
        for table in [
            "comments",
            "milestones",
            "project_access",
            "projects",
            "tasks",
        ] {
            assert!(walled.iter().any(|t| t == table), "{table}: {walled:?}");
        }
    }
}

/// The example module does what the guide tells a module author to: its notices are behind
/// a policy, so a contact's scoped transaction that forgot the client filter still sees only
/// the notices for everyone and its own client's.
#[cfg(feature = "notices")]
#[tokio::test]
async fn the_example_module_s_notices_are_walled_too() {
    let Some((app, ws, a, b)) = world().await else {
        return;
    };
    let db = app.db();
    let create = |title: &str, client_id| {
        let notice = portico_example_notices::store::NewNotice {
            title: title.into(),
            body: String::new(),
            client_id,
        };
        async move { portico_example_notices::store::create(db, ws, &notice).await }
    };
    let everyone = create("Closed on Friday", None).await.unwrap();
    let for_a = create("For A", Some(a)).await.unwrap();
    let for_b = create("For B", Some(b)).await.unwrap();
    let mut tx = ScopedTx::begin(db, ws, a).await.unwrap();
    let seen: Vec<i64> = tx
        .query_scalar("SELECT id FROM notices ORDER BY id")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(seen, [everyone, for_a]);
    let taken = tx
        .query("UPDATE notices SET title = 'taken' WHERE id = $1")
        .bind(for_b)
        .execute()
        .await
        .unwrap();
    assert_eq!(taken, 0, "B's notice cannot be written from A's scope");
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_scoped_transaction_reaches_only_its_client() {
    let Some((app, ws, a, b)) = world().await else {
        return;
    };
    let mut tx = ScopedTx::begin(app.db(), ws, a).await.unwrap();
    // Queries that "forget" the client filter still see only A.
    let clients: Vec<i64> = tx
        .query_scalar("SELECT id FROM clients ORDER BY id")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(clients, [a]);
    let emails: Vec<String> = tx
        .query_scalar("SELECT email FROM contacts ORDER BY id")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(emails, ["a@example.com"]);
    // So do the views modules read the core through: they read as the querying role.
    let via_views: (Vec<i64>, Vec<String>) = (
        tx.query_scalar("SELECT id FROM core_clients ORDER BY id")
            .fetch_all()
            .await
            .unwrap(),
        tx.query_scalar("SELECT email FROM core_contacts ORDER BY id")
            .fetch_all()
            .await
            .unwrap(),
    );
    assert_eq!(via_views, (vec![a], vec!["a@example.com".to_string()]));
    let changed = tx
        .query("UPDATE contacts SET name = 'taken' WHERE client_id = $1")
        .bind(b)
        .execute()
        .await
        .unwrap();
    assert_eq!(changed, 0, "B's rows cannot be written either");
    tx.commit().await.unwrap();

    // Nor can a row be written into B from A's scope.
    let mut tx = ScopedTx::begin(app.db(), ws, a).await.unwrap();
    let planted = tx
        .query(
            "INSERT INTO contacts (workspace_id, client_id, email, name, created_at) \
             VALUES ($1, $2, 'x@example.com', 'x', 0)",
        )
        .bind(ws)
        .bind(b)
        .execute()
        .await;
    let err = database_error(planted.expect_err("the policy's check refuses it"));
    assert!(err.contains("row-level security"), "{err}");
    tx.rollback().await.unwrap();

    // Another workspace's scope sees nothing of this one.
    let mut tx = ScopedTx::begin(app.db(), ws + 1000, a).await.unwrap();
    let n: i64 = tx
        .query_scalar("SELECT COUNT(*) FROM contacts")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(n, 0);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_staff_write_scope_sees_its_workspace_only() {
    let Some((app, ws, a, b)) = world().await else {
        return;
    };
    let mut tx = ScopedTx::begin_staff_write(app.db(), ws).await.unwrap();
    let clients: Vec<i64> = tx
        .query_scalar("SELECT id FROM clients ORDER BY id")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(clients, [a, b], "every client of the workspace");
    tx.commit().await.unwrap();
    let mut tx = ScopedTx::begin_staff_write(app.db(), ws + 1000)
        .await
        .unwrap();
    let n: i64 = tx
        .query_scalar("SELECT COUNT(*) FROM clients")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(n, 0, "no other workspace's");
    let planted = tx
        .query(
            "INSERT INTO contacts (workspace_id, client_id, email, name, created_at) \
             VALUES ($1, $2, 'x@example.com', 'x', 0)",
        )
        .bind(ws)
        .bind(a)
        .execute()
        .await;
    assert!(planted.is_err(), "nor can it write into this one");
    tx.rollback().await.unwrap();
}

#[tokio::test]
async fn the_scope_ends_with_its_transaction() {
    let Some((app, ws, a, _)) = world().await else {
        return;
    };
    // One connection only, so the next statement runs where the scope was set.
    let Db::Postgres(pool) = app.db() else {
        unreachable!()
    };
    let schema: String = sqlx::query_scalar("SELECT current_schema()::text")
        .fetch_one(pool)
        .await
        .unwrap();
    let url = std::env::var(portico_tests::POSTGRES_ENV).unwrap();
    let opts = PgConnectOptions::from_str(&url)
        .unwrap()
        .username(APP_ROLE)
        .options([("search_path", schema.as_str())]);
    let single = Db::Postgres(
        PgPoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await
            .unwrap(),
    );
    let tx = ScopedTx::begin(&single, ws, a).await.unwrap();
    tx.commit().await.unwrap();
    let Db::Postgres(one) = &single else {
        unreachable!()
    };
    let left: Option<String> =
        sqlx::query_scalar("SELECT NULLIF(current_setting('portico.client_id', true), '')")
            .fetch_one(one)
            .await
            .unwrap();
    assert_eq!(
        left, None,
        "set_config(…, true) is local to the transaction"
    );
    let all: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contacts")
        .fetch_one(one)
        .await
        .unwrap();
    assert_eq!(
        all, 2,
        "outside a scope, the next request is not held to the last one's client"
    );
}
