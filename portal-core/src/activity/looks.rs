//! Looks — page views and portal sessions' last-seen stamps — written a batch at a time off
//! the request path.
//!
//! They are the writes a contact's reads make; written inline, a view cost every project page
//! a write transaction of its own (on SQLite, a turn at the single write lock), and a minute's
//! worth of sessions refreshing their stamps at once held every pooled connection waiting for
//! that lock while pages queued behind them. Pages hand them to a queue instead, and one
//! writer task commits whatever has queued in one transaction, on one connection. What that
//! costs: a look reaches its table a moment after the page (readers of the activity log call
//! [`LookLog::flush`] first, so this process's views are always there), and a process killed
//! outright loses its last batch — a record of looks, best effort already. A stopping server
//! flushes (`flush`, from the host's shutdown). A full queue makes pages wait for room rather
//! than drop looks. Writing them moves no cache's stamp (`db::writes`): nothing kept in memory
//! shows them.
use tokio::sync::{mpsc, oneshot};

use crate::activity::{insert, Action, Actor, Entry};
use crate::db::{now, Db, ScopedTx};
use crate::tenancy::SessionMeta;

/// Looks waiting for the writer; beyond this, pages wait (a few seconds of a busy server).
const QUEUE: usize = 10_000;

/// The most looks one transaction writes.
const BATCH: usize = 500;

/// The queue of looks to write; cloned into every handler through the application state.
#[derive(Clone)]
pub struct LookLog {
    queue: mpsc::Sender<Queued>,
}

enum Queued {
    View(View),
    Seen(Seen),
    /// Answered once every look queued before it is committed (or failed).
    Flush(oneshot::Sender<()>),
}

/// A portal session was used `at`: its last-seen stamp moves there (never back).
struct Seen {
    workspace_id: i64,
    token_hash: String,
    at: i64,
}

const SEEN: &str = "UPDATE portal_sessions SET last_seen_at = $1 \
    WHERE token_hash = $2 AND workspace_id = $3 AND last_seen_at < $1";

/// A view owned until written: the entry's parts, and when it happened.
struct View {
    workspace_id: i64,
    client_id: i64,
    contact_id: i64,
    name: String,
    subject: String,
    label: String,
    origin: SessionMeta,
    at: i64,
}

impl View {
    fn entry(&self) -> Entry<'_> {
        Entry {
            workspace_id: self.workspace_id,
            client_id: self.client_id,
            actor: Actor::Contact {
                id: self.contact_id,
                name: &self.name,
            },
            action: Action::View,
            subject: &self.subject,
            label: &self.label,
            origin: &self.origin,
        }
    }
}

impl LookLog {
    /// Starts the writer on the current runtime. It ends when the last `LookLog` is dropped,
    /// after writing what was queued.
    pub fn start(db: Db) -> LookLog {
        let (queue, rx) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(db, rx));
        LookLog { queue }
    }

    /// Queues a portal session's last-seen stamp (`token_hash` of `workspace_id`).
    pub async fn seen(&self, workspace_id: i64, token_hash: &str, at: i64) {
        let seen = Seen {
            workspace_id,
            token_hash: token_hash.to_string(),
            at,
        };
        if self.queue.send(Queued::Seen(seen)).await.is_err() {
            tracing::warn!(
                "the look log's writer has stopped: a session's activity was not recorded"
            );
        }
    }

    /// Queues a contact's view (`entry.action` is taken as a view; staff are never logged
    /// here).
    pub async fn record(&self, entry: &Entry<'_>) {
        let Actor::Contact { id, name } = entry.actor else {
            return;
        };
        let view = View {
            workspace_id: entry.workspace_id,
            client_id: entry.client_id,
            contact_id: id,
            name: name.to_string(),
            subject: entry.subject.to_string(),
            label: entry.label.to_string(),
            origin: entry.origin.clone(),
            at: now(),
        };
        if self.queue.send(Queued::View(view)).await.is_err() {
            tracing::error!("the look log's writer has stopped: a page view was not logged");
        }
    }

    /// Returns once every look queued so far is written (or its batch failed, logged).
    pub async fn flush(&self) {
        let (done, written) = oneshot::channel();
        if self.queue.send(Queued::Flush(done)).await.is_ok() {
            let _ = written.await;
        }
    }
}

async fn write_batches(db: Db, mut rx: mpsc::Receiver<Queued>) {
    let mut views = Vec::with_capacity(BATCH);
    let mut seen = Vec::new();
    let mut waiting = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        // Everything already queued joins this batch, up to its size.
        while let Some(item) = next {
            match item {
                Queued::View(v) => views.push(v),
                Queued::Seen(s) => seen.push(s),
                Queued::Flush(done) => waiting.push(done),
            }
            next = if views.len() + seen.len() < BATCH {
                rx.try_recv().ok()
            } else {
                None
            };
        }
        if !views.is_empty() || !seen.is_empty() {
            if let Err(e) = write(&db, &views, &seen).await {
                // One bad look (a view of a workspace deleted meanwhile) must not take the
                // others with it: each again on its own.
                tracing::warn!(error = ?e, views = views.len(), sessions = seen.len(), "a batch of looks failed; writing them one at a time");
                for view in &views {
                    if let Err(e) = write(&db, std::slice::from_ref(view), &[]).await {
                        tracing::error!(error = ?e, subject = view.subject, "a page view was not logged");
                    }
                }
                for s in &seen {
                    if let Err(e) = write(&db, &[], std::slice::from_ref(s)).await {
                        tracing::error!(error = ?e, "a session's activity was not recorded");
                    }
                }
            }
            views.clear();
            seen.clear();
        }
        for done in waiting.drain(..) {
            let _ = done.send(());
        }
    }
}

/// One transaction for the batch. Unscoped: each look's workspace (and client) were decided
/// by the request that queued it, under its own session.
async fn write(db: &Db, views: &[View], seen: &[Seen]) -> crate::error::Result<()> {
    let mut tx = ScopedTx::begin_unscoped_write(db).await?;
    tx.records_looks_only();
    for view in views {
        insert(&mut tx, &view.entry(), view.at).await?;
    }
    for s in seen {
        tx.query(SEEN)
            .bind(s.at)
            .bind(&s.token_hash)
            .bind(s.workspace_id)
            .execute()
            .await?;
    }
    tx.commit().await
}
