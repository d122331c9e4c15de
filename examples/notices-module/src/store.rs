//! Queries, each bound to the caller's scope.
use portal_core::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Notice {
    pub id: i64,
    pub client_id: Option<i64>,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    /// For portal queries: whether this contact acknowledged it.
    pub acknowledged: bool,
}

/// Notices a contact sees: the workspace-wide ones and their own client's, read on the
/// caller's scoped connection (the home page's widgets share one).
pub async fn for_contact(tx: &mut ScopedTx, scope: ClientScope) -> Result<Vec<Notice>> {
    let sql = "SELECT n.id, n.client_id, n.title, n.body, n.created_at, \
               EXISTS (SELECT 1 FROM notice_acks a WHERE a.notice_id = n.id AND a.contact_id = $3) AS acknowledged \
               FROM notices n WHERE n.workspace_id = $1 AND (n.client_id IS NULL OR n.client_id = $2) \
               ORDER BY n.created_at DESC, n.id DESC";
    tx.query_as(sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .fetch_all()
        .await
}

/// Records the acknowledgement; `false` when the notice is not visible to this contact.
pub async fn acknowledge(db: &Db, scope: ClientScope, notice_id: i64) -> Result<bool> {
    let sql = "INSERT INTO notice_acks (notice_id, contact_id, acknowledged_at) \
               SELECT n.id, $3, $4 FROM notices n \
               WHERE n.id = $5 AND n.workspace_id = $1 AND (n.client_id IS NULL OR n.client_id = $2) \
               ON CONFLICT (notice_id, contact_id) DO NOTHING";
    db.query(sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .bind(now())
        .bind(notice_id)
        .execute()
        .await?;
    let visible = "SELECT COUNT(*) FROM notice_acks a JOIN notices n ON n.id = a.notice_id \
                   WHERE a.notice_id = $1 AND a.contact_id = $2 AND n.workspace_id = $3";
    let n: i64 = db
        .query_scalar(visible)
        .bind(notice_id)
        .bind(scope.contact_id())
        .bind(scope.workspace_id())
        .fetch_one()
        .await?;
    Ok(n > 0)
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct StaffNotice {
    pub id: i64,
    pub client_id: Option<i64>,
    pub client_name: Option<String>,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub acknowledgements: i64,
}

pub async fn for_workspace(db: &Db, workspace_id: i64) -> Result<Vec<StaffNotice>> {
    let sql = "SELECT n.id, n.client_id, c.name AS client_name, n.title, n.body, n.created_at, \
               (SELECT COUNT(*) FROM notice_acks a WHERE a.notice_id = n.id) AS acknowledgements \
               FROM notices n LEFT JOIN clients c ON c.id = n.client_id \
               WHERE n.workspace_id = $1 ORDER BY n.created_at DESC, n.id DESC";
    db.query_as(sql).bind(workspace_id).fetch_all().await
}

/// Posts a notice; `None` when `client_id` is not a client of this workspace.
/// A notice for one client, inside the write scope that also announces it.
pub async fn create_for_client(
    tx: &mut ScopedTx,
    workspace_id: i64,
    client_id: i64,
    title: &str,
    body: &str,
) -> Result<Option<i64>> {
    let n: i64 = tx
        .query_scalar("SELECT COUNT(*) FROM clients WHERE id = $1 AND workspace_id = $2")
        .bind(client_id)
        .bind(workspace_id)
        .fetch_one()
        .await?;
    if n == 0 {
        return Ok(None);
    }
    let sql = "INSERT INTO notices (workspace_id, client_id, title, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let id: i64 = tx
        .query_scalar(sql)
        .bind(workspace_id)
        .bind(client_id)
        .bind(title)
        .bind(body)
        .bind(now())
        .fetch_one()
        .await?;
    Ok(Some(id))
}

pub async fn create(
    db: &Db,
    workspace_id: i64,
    client_id: Option<i64>,
    title: &str,
    body: &str,
) -> Result<Option<i64>> {
    if let Some(client) = client_id {
        let sql = "SELECT COUNT(*) FROM clients WHERE id = $1 AND workspace_id = $2";
        let n: i64 = db
            .query_scalar(sql)
            .bind(client)
            .bind(workspace_id)
            .fetch_one()
            .await?;
        if n == 0 {
            return Ok(None);
        }
    }
    let sql = "INSERT INTO notices (workspace_id, client_id, title, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let id: i64 = db
        .query_scalar(sql)
        .bind(workspace_id)
        .bind(client_id)
        .bind(title)
        .bind(body)
        .bind(now())
        .fetch_one()
        .await?;
    Ok(Some(id))
}
