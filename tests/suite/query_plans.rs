//! Queries that run however much data there is read through an index, never by scanning a
//! table that grows with every workspace (the benchmark's "10× the data" target). Each is
//! asked of the planner on a fresh schema, with table scans priced out where the planner
//! would choose one for an empty table anyway.

use portal_core::db::{Db, MigrationSet};
use portico_tests::{backends, fresh_db, Backend};

backends!(the_thumbnail_worker_reads_only_the_files_due);

/// The plan of `sql` (its `$n` replaced by `args`, in order) as the planner prints it.
async fn plan(backend: &Backend, sql: &str, args: &[&str]) -> String {
    let (db, _guard) = fresh_db(backend).await;
    let registry = portico_host::registry().unwrap();
    let mut set = MigrationSet::new();
    for m in registry.modules() {
        set.extend(m.id(), m.migrations());
    }
    set.apply(&db).await.unwrap();
    let mut sql = sql.to_string();
    for (n, arg) in args.iter().enumerate().rev() {
        sql = sql.replace(&format!("${}", n + 1), arg);
    }
    match &db {
        Db::Sqlite(pool) => {
            let rows: Vec<(i64, i64, i64, String)> =
                sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}"))
                    .fetch_all(pool)
                    .await
                    .unwrap();
            rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("\n")
        }
        Db::Postgres(pool) => {
            let mut conn = pool.acquire().await.unwrap();
            sqlx::query("SET enable_seqscan = off")
                .execute(&mut *conn)
                .await
                .unwrap();
            let rows: Vec<String> = sqlx::query_scalar(&format!("EXPLAIN {sql}"))
                .fetch_all(&mut *conn)
                .await
                .unwrap();
            rows.join("\n")
        }
    }
}

/// Every thirty seconds on every instance: it must read the few files still waiting, not all
/// the files ever uploaded (at ten times the benchmark's data it took over a second).
async fn the_thumbnail_worker_reads_only_the_files_due(backend: Backend) {
    let plan = plan(&backend, portal_core::files::thumbnails::DUE, &["0", "8"]).await;
    assert!(plan.contains("files_thumbnail_due"), "{plan}");
    assert!(!plan.contains("SCAN files"), "{plan}");
    assert!(!plan.contains("Seq Scan"), "{plan}");
}
