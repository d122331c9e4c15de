//! The queries, each bound to the caller's scope or workspace.
use portal_core::prelude::*;
use serde::Serialize;

// ANCHOR: notice
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Notice {
    pub id: i64,
    pub client_id: Option<i64>,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    /// Whether this contact acknowledged it (always false on the staff side).
    pub acknowledged: bool,
}
// ANCHOR_END: notice

// ANCHOR: for_contact
/// Notices a contact sees: the workspace-wide ones and their own client's, read on the
/// caller's scoped transaction (the home page's widgets share one).
pub async fn for_contact(tx: &mut ScopedTx, scope: ClientScope) -> Result<Vec<Notice>> {
    let sql = "SELECT n.id, n.client_id, n.title, n.body, n.created_at, EXISTS (SELECT 1 \
               FROM notice_acks a WHERE a.notice_id = n.id AND a.contact_id = $3) AS acknowledged \
               FROM notices n WHERE n.workspace_id = $1 AND (n.client_id IS NULL OR n.client_id = $2) \
               ORDER BY n.created_at DESC, n.id DESC";
    tx.query_as(sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .fetch_all()
        .await
}
// ANCHOR_END: for_contact

/// Records the acknowledgement; `false` when the contact cannot see that notice.
pub async fn acknowledge(tx: &mut ScopedTx, scope: ClientScope, notice: i64) -> Result<bool> {
    let sql = "INSERT INTO notice_acks (notice_id, contact_id, acknowledged_at) \
               SELECT n.id, $3, $4 FROM notices n WHERE n.id = $5 AND n.workspace_id = $1 \
               AND (n.client_id IS NULL OR n.client_id = $2) ON CONFLICT DO NOTHING";
    let contact = scope.contact_id();
    tx.query(sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(contact)
        .bind(now())
        .bind(notice)
        .execute()
        .await?;
    let seen = "SELECT COUNT(*) FROM notice_acks WHERE notice_id = $1 AND contact_id = $2";
    let n: i64 = tx
        .query_scalar(seen)
        .bind(notice)
        .bind(contact)
        .fetch_one()
        .await?;
    Ok(n > 0)
}

/// Every notice of the workspace, with whom it is for and how many acknowledged it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct StaffNotice {
    pub id: i64,
    pub client_name: Option<String>,
    pub title: String,
    pub acknowledgements: i64,
}

pub async fn for_workspace(db: &Db, workspace_id: i64) -> Result<Vec<StaffNotice>> {
    let sql = "SELECT n.id, c.name AS client_name, n.title, (SELECT COUNT(*) FROM notice_acks a \
               WHERE a.notice_id = n.id) AS acknowledgements FROM notices n LEFT JOIN clients c \
               ON c.id = n.client_id WHERE n.workspace_id = $1 ORDER BY n.created_at DESC, n.id DESC";
    db.query_as(sql).bind(workspace_id).fetch_all().await
}

/// Posts a notice (for one client, or for all with `None`) in the caller's transaction;
/// `None` when `client` is not a client of the workspace.
pub async fn post(
    tx: &mut ScopedTx,
    ws: i64,
    client: Option<i64>,
    title: &str,
    body: &str,
) -> Result<Option<i64>> {
    if let Some(client) = client {
        if !portal_core::clients::is_client_of(tx, ws, client).await? {
            return Ok(None);
        }
    }
    let sql = "INSERT INTO notices (workspace_id, client_id, title, body, created_at) \
               VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let id = tx
        .query_scalar(sql)
        .bind(ws)
        .bind(client)
        .bind(title)
        .bind(body)
        .bind(now());
    Ok(Some(id.fetch_one().await?))
}

/// [`post`] in a transaction of its own (the seed, tests).
pub async fn create(
    db: &Db,
    ws: i64,
    client: Option<i64>,
    title: &str,
    body: &str,
) -> Result<Option<i64>> {
    let mut tx = ScopedTx::begin_staff_write(db, ws).await?;
    let id = post(&mut tx, ws, client, title, body).await?;
    tx.commit().await?;
    Ok(id)
}
