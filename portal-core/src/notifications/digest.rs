//! The daily digest: once a day, at the operator's digest hour (UTC), each contact with
//! entries waiting gets one email listing them.
//!
//! Exactly once, across crashes and instances: a contact's digest is claimed by moving
//! `notification_digests.last_sent_at` past the day's digest time with a conditional upsert
//! — on PostgreSQL the row lock makes a second instance's claim wait and then find nothing to
//! do — and the claim, the email in the outbox and the entries leaving the digest commit in
//! one transaction.
use std::time::Duration;

use minijinja::context;

use crate::db::{Day, ScopedTx};
use crate::error::Result;
use crate::notifications::Notifier;
use crate::tenancy::Tenants;

/// How often the sender looks for due digests.
const ROUND: Duration = Duration::from_secs(60);
/// Contacts handled per round at most; the next round takes the rest.
const BATCH: i64 = 200;

/// The latest digest time at or before `now`: today's digest hour, or yesterday's.
pub fn last_slot(now: i64, hour: u8) -> i64 {
    let day = now - now.rem_euclid(86_400);
    let today = day + i64::from(hour.min(23)) * 3600;
    if today <= now {
        today
    } else {
        today - 86_400
    }
}

/// The digest sender: the tenants digests come from, the notifier that writes them, and the
/// hour (UTC) they go out.
pub struct Digests<'a> {
    pub tenants: Tenants<'a>,
    pub notifier: &'a Notifier,
    pub hour: u8,
}

impl Digests<'_> {
    /// Runs forever: sends the digests that are due, every minute.
    pub async fn run(&self) {
        loop {
            if let Err(e) = self.send_due(crate::db::now()).await {
                tracing::error!(error = ?e, "sending daily digests failed; retrying next round");
            }
            tokio::time::sleep(ROUND).await;
        }
    }

    /// Queues every digest due at `now`; returns how many were queued.
    pub async fn send_due(&self, now: i64) -> Result<usize> {
        send_due(self, now).await
    }
}

async fn send_due(digests: &Digests<'_>, now: i64) -> Result<usize> {
    let slot = last_slot(now, digests.hour);
    let due: Vec<(i64, i64, i64)> = digests
        .tenants
        .db
        .query_as(
            "SELECT DISTINCT n.workspace_id, n.client_id, n.contact_id FROM notifications n \
             LEFT JOIN notification_digests d ON d.contact_id = n.contact_id \
             WHERE n.digest_pending AND n.created_at < $1 \
               AND (d.last_sent_at IS NULL OR d.last_sent_at < $1) \
             ORDER BY n.contact_id LIMIT $2",
        )
        .bind(slot)
        .bind(BATCH)
        .fetch_all()
        .await?;
    let mut sent = 0;
    for (workspace_id, client_id, contact_id) in due {
        match send_one(digests, workspace_id, client_id, contact_id, slot, now).await {
            Ok(true) => sent += 1,
            Ok(false) => {}
            // One contact's failure (a broken template override, say) must not hold up the rest.
            Err(e) => tracing::error!(contact_id, error = ?e, "a daily digest failed"),
        }
    }
    Ok(sent)
}

#[derive(sqlx::FromRow, serde::Serialize)]
struct Entry {
    title: String,
    body: String,
    link: String,
    created_at: i64,
}

async fn send_one(
    digests: &Digests<'_>,
    workspace_id: i64,
    client_id: i64,
    contact_id: i64,
    slot: i64,
    now: i64,
) -> Result<bool> {
    let Some(tenant) = digests.tenants.of_workspace(workspace_id).await? else {
        return Ok(false);
    };
    let mut tx = ScopedTx::begin_write(digests.tenants.db, workspace_id, client_id).await?;
    let claimed = tx
        .query(
            "INSERT INTO notification_digests (contact_id, last_sent_at) VALUES ($1, $2) \
             ON CONFLICT (contact_id) DO UPDATE SET last_sent_at = excluded.last_sent_at \
             WHERE notification_digests.last_sent_at < $3",
        )
        .bind(contact_id)
        .bind(now)
        .bind(slot)
        .execute()
        .await?;
    let sent = if claimed == 0 {
        false
    } else {
        // What the contact may no longer see stays out of the mail too.
        let sql = format!(
            "SELECT title, body, link, created_at FROM notifications \
             WHERE contact_id = $1 AND workspace_id = $2 AND digest_pending AND created_at < $3 AND {} \
             ORDER BY id",
            digests.notifier.rules.condition()
        );
        let entries: Vec<Entry> = tx
            .query_as(&sql)
            .bind(contact_id)
            .bind(workspace_id)
            .bind(slot)
            .fetch_all()
            .await?;
        let recipient: Option<(String, String)> = tx
            .query_as(
                "SELECT email, name FROM contacts WHERE id = $1 AND workspace_id = $2 AND active \
                 AND (access_expires_on IS NULL OR access_expires_on >= $3)",
            )
            .bind(contact_id)
            .bind(workspace_id)
            .bind(Day::today())
            .fetch_optional()
            .await?;
        tx.query(
            "UPDATE notifications SET digest_pending = FALSE \
             WHERE contact_id = $1 AND workspace_id = $2 AND digest_pending AND created_at < $3",
        )
        .bind(contact_id)
        .bind(workspace_id)
        .bind(slot)
        .execute()
        .await?;
        match recipient {
            // A contact who left keeps their feed, but no mail follows them.
            Some((address, name)) if !entries.is_empty() => {
                let site = digests.notifier.mailroom.site(&tenant.workspace.slug);
                let count = entries.len();
                let subject = if count == 1 {
                    format!("1 update from {}", tenant.workspace.name)
                } else {
                    format!("{count} updates from {}", tenant.workspace.name)
                };
                let entries: Vec<_> = entries
                    .into_iter()
                    .map(|e| {
                        context! {
                            title => e.title,
                            body => e.body,
                            created_at => e.created_at,
                            link => format!("{site}/portal{}", e.link),
                        }
                    })
                    .collect();
                let mail = digests.notifier.mailroom.compose(
                    &tenant,
                    "digest",
                    &address,
                    subject,
                    context! {
                        name => name,
                        entries => entries,
                        feed => format!("{site}/portal/notifications"),
                        preferences => format!("{site}/portal/notifications/email"),
                    },
                )?;
                mail.queue(&mut tx).await?;
                true
            }
            _ => false,
        }
    };
    tx.commit().await?;
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::last_slot;

    #[test]
    fn the_slot_is_today_s_digest_hour_once_it_has_passed() {
        let midnight = 1_795_392_000; // 2026-11-23T00:00:00Z
        assert_eq!(last_slot(midnight + 7 * 3600, 7), midnight + 7 * 3600);
        assert_eq!(last_slot(midnight + 9 * 3600, 7), midnight + 7 * 3600);
        assert_eq!(last_slot(midnight + 6 * 3600, 7), midnight - 17 * 3600);
        assert_eq!(last_slot(midnight, 0), midnight);
    }
}
