//! The queries, each bound to the caller's scope or workspace.
use portal_core::prelude::*;
use serde::{Deserialize, Serialize};

// ANCHOR: notice
#[derive(Serialize, sqlx::FromRow)]
pub struct Notice {
    pub id: i64,
    pub title: String,
    #[serde(default)]
    pub body: String,
    /// The client it is for; `None`: every client.
    pub client_id: Option<i64>,
    /// Who acknowledged it: everyone on the staff's list, the contact alone (0 or 1) on theirs.
    pub acknowledgements: i64,
}
// ANCHOR_END: notice

// ANCHOR: for_contact
/// Notices a contact sees: the workspace-wide ones and their own client's, read on the
/// caller's scoped transaction (the home page's widgets share one).
pub async fn for_contact(tx: &mut ScopedTx, scope: ClientScope) -> Result<Vec<Notice>> {
    let sql = "SELECT n.id, n.title, n.body, n.client_id, (SELECT COUNT(*) FROM \
               notice_acks a WHERE a.notice_id = n.id AND a.contact_id = $3) AS acknowledgements \
               FROM notices n WHERE n.workspace_id = $1 AND (n.client_id IS NULL OR \
               n.client_id = $2) ORDER BY n.created_at DESC, n.id DESC";
    tx.query_as(sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .fetch_all()
        .await
}
// ANCHOR_END: for_contact

/// Records the acknowledgement (twice is fine); `false` when the contact cannot see it.
pub async fn acknowledge(tx: &mut ScopedTx, scope: ClientScope, notice: i64) -> Result<bool> {
    let sql = "INSERT INTO notice_acks (notice_id, contact_id, acknowledged_at) \
               SELECT n.id, $3, $4 FROM notices n WHERE n.id = $5 AND n.workspace_id = $1 \
               AND (n.client_id IS NULL OR n.client_id = $2) ON CONFLICT (notice_id, \
               contact_id) DO UPDATE SET acknowledged_at = notice_acks.acknowledged_at";
    let changed = tx
        .query(sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .bind(now())
        .bind(notice)
        .execute()
        .await?;
    Ok(changed == 1)
}

/// Every notice of the workspace, newest first.
pub async fn for_workspace(db: &Db, ws: i64) -> Result<Vec<Notice>> {
    let sql = "SELECT n.id, n.title, n.body, n.client_id, (SELECT COUNT(*) FROM notice_acks a \
               WHERE a.notice_id = n.id) AS acknowledgements FROM notices n \
               WHERE n.workspace_id = $1 ORDER BY n.created_at DESC, n.id DESC";
    db.query_as(sql).bind(ws).fetch_all().await
}

// ANCHOR: new_notice
/// A notice as staff write it, checked before it reaches [`post`].
#[derive(Deserialize)]
pub struct NewNotice {
    pub title: String,
    #[serde(default)]
    pub body: String,
    /// `None` (the form's "All clients"): every client of the workspace.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub client_id: Option<i64>,
}

impl Check for NewNotice {
    fn check(&self, errors: &mut FieldErrors) {
        errors.text("title", &self.title, 200, "a title");
        errors.at_most("body", &self.body, 10_000, "the text");
    }
}
// ANCHOR_END: new_notice

/// Posts a notice in the caller's transaction; a client of another workspace is not found.
pub async fn post(tx: &mut ScopedTx, ws: i64, new: &NewNotice) -> Result<i64> {
    if let Some(client) = new.client_id {
        if !portal_core::clients::is_client_of(tx, ws, client).await? {
            return Err(Error::NotFound);
        }
    }
    let sql = "INSERT INTO notices (workspace_id, client_id, title, body, created_at) \
               VALUES ($1, $2, $3, $4, $5) RETURNING id";
    tx.query_scalar(sql)
        .bind(ws)
        .bind(new.client_id)
        .bind(new.title.trim())
        .bind(&new.body)
        .bind(now())
        .fetch_one()
        .await
}

/// [`post`] in a transaction of its own (the demo seed, tests).
pub async fn create(db: &Db, ws: i64, new: &NewNotice) -> Result<i64> {
    let mut tx = ScopedTx::begin_staff_write(db, ws).await?;
    let id = post(&mut tx, ws, new).await?;
    tx.commit().await?;
    Ok(id)
}
