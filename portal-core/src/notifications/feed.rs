//! The contact's side: their feed, marking read, and their email choices.
use std::collections::HashMap;

use serde::Serialize;

use crate::db::{Db, ScopedTx};
use crate::error::Result;
use crate::module::NotificationKind;
use crate::notifications::{Delivery, FeedRules, Notifier, UnreadCache};
use crate::tenancy::{ClientScope, PortalUser, Tenant};

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct FeedEntry {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// A page of the contact's feed, newest first: `limit` entries older than `before`.
pub async fn feed(
    db: &Db,
    rules: &FeedRules,
    scope: ClientScope,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<FeedEntry>> {
    let mut tx = scope.begin(db).await?;
    let rows = page_in(&mut tx, rules, scope, before, limit).await?;
    tx.commit().await?;
    Ok(rows)
}

pub(crate) async fn page_in(
    tx: &mut ScopedTx,
    rules: &FeedRules,
    scope: ClientScope,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<FeedEntry>> {
    let sql = format!(
        "SELECT id, kind, title, body, link, created_at, read_at FROM notifications \
         WHERE contact_id = $1 AND workspace_id = $2 AND client_id = $3 AND id < $4 AND {} \
         ORDER BY id DESC LIMIT $5",
        rules.condition()
    );
    tx.query_as(&sql)
        .bind(scope.contact_id())
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all()
        .await
}

/// Marks one of the contact's notifications read; returns where it leads, or `None` when it
/// is not theirs.
pub async fn mark_read(
    db: &Db,
    unread: &UnreadCache,
    scope: ClientScope,
    id: i64,
) -> Result<Option<String>> {
    let mut tx = scope.begin_write(db).await?;
    let link: Option<String> = tx
        .query_scalar(
            "UPDATE notifications SET read_at = COALESCE(read_at, $1) \
             WHERE id = $2 AND contact_id = $3 AND workspace_id = $4 AND client_id = $5 RETURNING link",
        )
        .bind(crate::db::now())
        .bind(id)
        .bind(scope.contact_id())
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .fetch_optional()
        .await?;
    tx.commit().await?;
    unread.forget(scope.contact_id()).await;
    Ok(link)
}

pub async fn mark_all_read(db: &Db, unread: &UnreadCache, scope: ClientScope) -> Result<u64> {
    let mut tx = scope.begin_write(db).await?;
    let done = tx
        .query(
            "UPDATE notifications SET read_at = $1 \
             WHERE contact_id = $2 AND workspace_id = $3 AND client_id = $4 AND read_at IS NULL",
        )
        .bind(crate::db::now())
        .bind(scope.contact_id())
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .execute()
        .await?;
    tx.commit().await?;
    unread.forget(scope.contact_id()).await;
    Ok(done)
}

/// One line of the contact's email choices.
#[derive(Clone, Debug, Serialize)]
pub struct KindChoice {
    pub key: &'static str,
    pub label: &'static str,
    pub delivery: Delivery,
}

/// The kinds this contact can receive: of the core and of the modules their workspace is
/// entitled to, and only those whose permission they hold.
pub fn kinds_for(notifier: &Notifier, tenant: &Tenant, user: &PortalUser) -> Vec<NotificationKind> {
    notifier
        .kinds
        .iter()
        .filter(|(module, _)| *module == "core" || tenant.entitlements.has_module(module))
        .filter(|(_, k)| k.permission.is_none_or(|p| user.can(p)))
        .map(|(_, k)| *k)
        .collect()
}

/// The contact's choice for each kind they can receive (the kind's default where unset).
pub async fn preferences(
    db: &Db,
    notifier: &Notifier,
    tenant: &Tenant,
    user: &PortalUser,
) -> Result<Vec<KindChoice>> {
    let scope = ClientScope::new(tenant.workspace.id, user.client_id, user.contact_id);
    let mut tx = scope.begin(db).await?;
    let rows: Vec<(String, String)> = tx
        .query_as(
            "SELECT p.kind, p.delivery FROM notification_preferences p \
             JOIN contacts c ON c.id = p.contact_id \
             WHERE p.contact_id = $1 AND c.workspace_id = $2 AND c.client_id = $3",
        )
        .bind(scope.contact_id())
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .fetch_all()
        .await?;
    tx.commit().await?;
    let chosen: HashMap<String, Delivery> = rows
        .into_iter()
        .filter_map(|(k, d)| Delivery::parse(&d).map(|d| (k, d)))
        .collect();
    Ok(kinds_for(notifier, tenant, user)
        .into_iter()
        .map(|k| KindChoice {
            key: k.key,
            label: k.label,
            delivery: chosen.get(k.key).copied().unwrap_or(k.default_delivery),
        })
        .collect())
}

/// Saves the contact's choices, all together. Pending digest entries of a kind switched to
/// "right away" or "never" leave the digest: the contact asked not to get them that way.
pub async fn set_preferences(
    db: &Db,
    scope: ClientScope,
    choices: &[(&'static str, Delivery)],
) -> Result<()> {
    let mut tx = scope.begin_write(db).await?;
    for (kind, delivery) in choices {
        tx.query(
            "INSERT INTO notification_preferences (contact_id, kind, delivery) VALUES ($1, $2, $3) \
             ON CONFLICT (contact_id, kind) DO UPDATE SET delivery = excluded.delivery",
        )
        .bind(scope.contact_id())
        .bind(*kind)
        .bind(delivery.as_str())
        .execute()
        .await?;
        if *delivery != Delivery::Daily {
            tx.query(
                "UPDATE notifications SET digest_pending = FALSE \
                 WHERE contact_id = $1 AND workspace_id = $2 AND kind = $3 AND digest_pending",
            )
            .bind(scope.contact_id())
            .bind(scope.workspace_id())
            .bind(*kind)
            .execute()
            .await?;
        }
    }
    tx.commit().await
}
