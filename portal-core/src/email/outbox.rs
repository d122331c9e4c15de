//! The background sender: claims due messages, delivers them, records the outcome.
use std::time::Duration;

use crate::bell::Bell;
use crate::db::{now, Db, ScopedTx, Sql};
use crate::email::{Email, Mailer};
use crate::error::Result;

/// After this many failed attempts a message is marked failed and left for a person to see.
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a claim lasts: a sender that dies mid-send leaves the message to another after this.
const CLAIM_SECS: i64 = 120;
/// Messages taken per round.
const BATCH: i64 = 20;
/// How often the sender looks for due messages when nobody wakes it.
const POLL: Duration = Duration::from_secs(5);

/// Delay before attempt `n + 1` after `n` failures: 30 s, 2 min, 8 min, … capped at 6 hours.
pub fn backoff_secs(failures: i64) -> i64 {
    let exp = failures.clamp(1, 10) as u32 - 1;
    (30_i64 * 4_i64.pow(exp)).min(6 * 3600)
}

#[derive(sqlx::FromRow)]
struct Claimed {
    id: i64,
    workspace_id: Option<i64>,
    kind: String,
    to_address: String,
    from_name: String,
    subject: String,
    text_body: String,
    html_body: String,
    attempts: i64,
    attachment_name: Option<String>,
    attachment_type: Option<String>,
    attachment_body: Option<String>,
}

/// Takes up to `BATCH` due messages for `CLAIM_SECS`.
async fn claim(db: &Db, at: i64) -> Result<Vec<Claimed>> {
    let pick = "SELECT id FROM email_outbox WHERE sent_at IS NULL AND failed_at IS NULL \
                AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1) \
                ORDER BY next_attempt_at, id LIMIT $2";
    let returning = "RETURNING id, workspace_id, kind, to_address, from_name, subject, text_body, html_body, attempts, \
                     attachment_name, attachment_type, attachment_body";
    let sql = Sql::each(
        // One writer at a time (the write transaction's BEGIN IMMEDIATE), so the pick
        // cannot race.
        format!("UPDATE email_outbox SET claimed_until = $3 WHERE id IN ({pick}) {returning}"),
        // Several instances may run a sender: each skips rows another is claiming.
        format!(
            "UPDATE email_outbox SET claimed_until = $3 WHERE id IN ({pick} FOR UPDATE SKIP LOCKED) {returning}"
        ),
    );
    // Every workspace's mail: no workspace to wall the transaction to.
    let mut tx = ScopedTx::begin_unscoped_write(db).await?;
    let rows = tx
        .query_as(sql)
        .bind(at)
        .bind(BATCH)
        .bind(at + CLAIM_SECS)
        .fetch_all()
        .await?;
    tx.commit().await?;
    Ok(rows)
}

async fn record_sent(db: &Db, id: i64) -> Result<()> {
    let sql =
        "UPDATE email_outbox SET sent_at = $1, attempts = attempts + 1, claimed_until = NULL, \
               text_body = '', html_body = '', attachment_body = NULL, last_error = NULL WHERE id = $2";
    db.query(sql).bind(now()).bind(id).execute().await?;
    Ok(())
}

async fn record_failure(db: &Db, id: i64, attempts: i64, error: &str) -> Result<()> {
    let at = now();
    let failures = attempts + 1;
    let give_up = failures >= MAX_ATTEMPTS;
    let sql = "UPDATE email_outbox SET attempts = $1, claimed_until = NULL, last_error = $2, \
               next_attempt_at = $3, failed_at = $4 WHERE id = $5";
    let failed_at = give_up.then_some(at);
    db.query(sql)
        .bind(failures)
        .bind(error)
        .bind(at + backoff_secs(failures))
        .bind(failed_at)
        .bind(id)
        .execute()
        .await?;
    if give_up {
        tracing::error!(id, error, "email given up after {MAX_ATTEMPTS} attempts");
    } else {
        tracing::warn!(
            id,
            error,
            attempt = failures,
            "email not delivered; will retry"
        );
    }
    Ok(())
}

/// The sending side: where messages wait, how they leave, who they are from, and the bell
/// that says there is mail. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Outbox {
    db: Db,
    mailer: Mailer,
    from_address: String,
    bell: Bell,
}

impl Outbox {
    pub fn new(db: Db, mailer: Mailer, from_address: String, bell: Bell) -> Outbox {
        Outbox {
            db,
            mailer,
            from_address,
            bell,
        }
    }

    /// One round: claims what is due and delivers it. Returns how many were sent.
    pub async fn deliver_due(&self) -> Result<usize> {
        let mut sent = 0;
        for m in claim(&self.db, now()).await? {
            let email = Email {
                outbox: None,
                workspace_id: m.workspace_id,
                kind: m.kind,
                to: m.to_address,
                from_name: m.from_name,
                subject: m.subject,
                text: m.text_body,
                html: m.html_body,
                source: None,
                attachment: match (m.attachment_name, m.attachment_type, m.attachment_body) {
                    (Some(name), Some(content_type), Some(body)) => Some(super::Attachment {
                        name,
                        content_type,
                        body,
                    }),
                    _ => None,
                },
            };
            match self.mailer.send(m.id, &self.from_address, &email).await {
                Ok(()) => {
                    record_sent(&self.db, m.id).await?;
                    sent += 1;
                }
                Err(e) => record_failure(&self.db, m.id, m.attempts, &e).await?,
            }
        }
        Ok(sent)
    }

    /// Runs until the process ends: a round whenever the bell rings, and every few seconds
    /// regardless (retries come due, another instance may have queued mail).
    pub async fn run(self) {
        loop {
            match self.deliver_due().await {
                // A full batch may mean more is waiting.
                Ok(n) if n as i64 >= BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = ?e, "the email sender's round failed"),
            }
            self.bell.wait(POLL).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_slow_down_and_stop_growing() {
        assert_eq!(backoff_secs(1), 30);
        assert_eq!(backoff_secs(2), 120);
        assert_eq!(backoff_secs(3), 480);
        assert_eq!(backoff_secs(7), 6 * 3600);
        assert_eq!(backoff_secs(100), 6 * 3600);
    }
}
