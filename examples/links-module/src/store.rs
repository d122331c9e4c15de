//! The queries, each bound to the caller's scope or workspace.
use portal_core::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, sqlx::FromRow)]
pub struct Link {
    pub id: i64,
    /// `None`: every client of the workspace.
    pub client_id: Option<i64>,
    pub title: String,
    pub url: String,
}

/// The links a contact sees, newest first: their client's and everyone's.
pub async fn for_contact(tx: &mut ScopedTx, scope: ClientScope) -> Result<Vec<Link>> {
    let sql = "SELECT id, client_id, title, url FROM links WHERE workspace_id = $1 \
               AND (client_id IS NULL OR client_id = $2) ORDER BY id DESC";
    tx.query_as(sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .fetch_all()
        .await
}

/// Every link of the workspace, newest first.
pub async fn for_workspace(db: &Db, ws: i64) -> Result<Vec<Link>> {
    let sql = "SELECT id, client_id, title, url FROM links WHERE workspace_id = $1 \
               ORDER BY id DESC";
    db.query_as(sql).bind(ws).fetch_all().await
}

/// A link as staff enter it, checked before it reaches [`add`].
#[derive(Deserialize)]
pub struct NewLink {
    pub title: String,
    pub url: String,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub client_id: Option<i64>,
}

impl Check for NewLink {
    fn check(&self, errors: &mut FieldErrors) {
        errors.text("title", &self.title, 200, "a title");
        errors.text("url", &self.url, 2_000, "the address");
        // Only web addresses: a `javascript:` link would run in the contact's portal.
        let url = self.url.trim().to_ascii_lowercase();
        let rest = url.strip_prefix("https://").or(url.strip_prefix("http://"));
        if !rest.is_some_and(|host| host.starts_with(|c: char| c.is_alphanumeric())) {
            errors.add("url", "Enter an address starting with https://.");
        }
    }
}

/// Adds a link in the caller's transaction; a client of another workspace is not found.
pub async fn add(tx: &mut ScopedTx, ws: i64, new: &NewLink) -> Result<i64> {
    if let Some(client) = new.client_id {
        if !portal_core::clients::is_client_of(tx, ws, client).await? {
            return Err(Error::NotFound);
        }
    }
    let sql = "INSERT INTO links (workspace_id, client_id, title, url, created_at) \
               VALUES ($1, $2, $3, $4, $5) RETURNING id";
    tx.query_scalar(sql)
        .bind(ws)
        .bind(new.client_id)
        .bind(new.title.trim())
        .bind(new.url.trim())
        .bind(now())
        .fetch_one()
        .await
}

/// Removes a link of the workspace; `false` when it has none by that id.
pub async fn remove(tx: &mut ScopedTx, ws: i64, id: i64) -> Result<bool> {
    let sql = "DELETE FROM links WHERE id = $1 AND workspace_id = $2";
    Ok(tx.query(sql).bind(id).bind(ws).execute().await? == 1)
}
