//! A browser that goes away while its request's write transaction is starting: the request
//! is dropped mid-`BEGIN`, and nothing of it may stay behind. Before `db::scoped` started
//! transactions as tasks of their own, a drop at the wrong instant left a pooled SQLite
//! connection holding the write lock, and every later write waited and failed until a
//! restart (seen under load by `tests/bench.sh`).
use std::time::Duration;

use portal_core::db::ScopedTx;
use portico_tests::{fresh_db, Backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_start_leaves_no_lock_behind() {
    let (db, _guard) = fresh_db(&Backend::Sqlite).await;
    db.query("CREATE TABLE probe (n INTEGER)")
        .execute()
        .await
        .unwrap();
    // Abandoned at every instant from before the pool hands out a connection to after sqlx
    // hands back the transaction.
    for wait in 0..300u64 {
        let start = ScopedTx::begin_write(&db, 1, 1);
        let _ = tokio::time::timeout(Duration::from_micros(wait * 7), start).await;
    }
    // Then every connection of the pool, in turn, writes at once.
    for n in 0..24 {
        let mut tx = tokio::time::timeout(Duration::from_secs(3), ScopedTx::begin_write(&db, 1, 1))
            .await
            .expect("a write transaction starts: no connection holds the write lock")
            .unwrap();
        tx.query("INSERT INTO probe (n) VALUES ($1)")
            .bind(n)
            .execute()
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let written: i64 = db
        .query_scalar("SELECT COUNT(*) FROM probe")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(written, 24);
}
