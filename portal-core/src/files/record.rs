//! The `files` table: what is stored under each key, whose it is, and how much a workspace
//! uses.
use serde::Serialize;

use crate::db::{now, Db, ScopedTx};
use crate::error::{Error, Result};
use crate::files::{storage, FileStore};
use crate::tenancy::ClientScope;

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct StoredFile {
    pub id: i64,
    pub workspace_id: i64,
    /// The client the file belongs to (an attachment a contact sent); `None` for the agency's.
    pub client_id: Option<i64>,
    #[serde(skip)]
    pub storage_key: String,
    /// As uploaded, cleaned: shown and offered as the download's name, never used as a path.
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub created_at: i64,
    /// `pending`, `working`, `ready` or `failed` for images; `None` for other files.
    pub thumbnail_state: Option<String>,
    #[serde(skip)]
    pub thumbnail_type: Option<String>,
    #[serde(skip)]
    pub thumbnail_size: Option<i64>,
}

impl StoredFile {
    /// The thumbnail as a file of its own, once it is made.
    pub fn thumbnail(&self) -> Option<StoredFile> {
        match (
            self.thumbnail_state.as_deref(),
            &self.thumbnail_type,
            self.thumbnail_size,
        ) {
            (Some("ready"), Some(kind), Some(size)) => Some(StoredFile {
                storage_key: format!("{}.thumb", self.storage_key),
                content_type: kind.clone(),
                size,
                ..self.clone()
            }),
            _ => None,
        }
    }
}

const COLUMNS: &str =
    "id, workspace_id, client_id, storage_key, name, content_type, size, uploaded_by, created_at, \
     thumbnail_state, thumbnail_type, CAST(thumbnail_size AS BIGINT) AS thumbnail_size";

pub(crate) struct NewFile<'a> {
    pub workspace_id: i64,
    pub client_id: Option<i64>,
    pub storage_key: &'a str,
    pub name: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub uploaded_by: &'a str,
    /// An image: make a thumbnail.
    pub thumbnail: bool,
}

/// Records a stored object, unless it would take the workspace past `quota` bytes — checked
/// under the workspace's row lock, so two uploads racing for the last space cannot both fit.
pub(crate) async fn insert_within_quota(
    db: &Db,
    f: &NewFile<'_>,
    quota: Option<u64>,
) -> Result<i64> {
    let insert = "INSERT INTO files (workspace_id, client_id, storage_key, name, content_type, size, uploaded_by, created_at, thumbnail_state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
    let mut tx = ScopedTx::begin_staff_write(db, f.workspace_id).await?;
    tx.query("UPDATE workspaces SET revision = revision WHERE id = $1")
        .bind(f.workspace_id)
        .execute()
        .await?;
    let used: i64 = tx
        .query_scalar(
            "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM files WHERE workspace_id = $1",
        )
        .bind(f.workspace_id)
        .fetch_one()
        .await?;
    if let Some(quota) = quota {
        if used.saturating_add(f.size) as u64 > quota {
            return Err(over_quota(quota, used));
        }
    }
    let id: i64 = tx
        .query_scalar(insert)
        .bind(f.workspace_id)
        .bind(f.client_id)
        .bind(f.storage_key)
        .bind(f.name)
        .bind(f.content_type)
        .bind(f.size)
        .bind(f.uploaded_by)
        .bind(now())
        .bind(f.thumbnail.then_some("pending"))
        .fetch_one()
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub(crate) fn over_quota(quota: u64, used: i64) -> Error {
    Error::PayloadTooLarge(format!(
        "This file does not fit in your plan's storage: {} of {} is used. Delete files you no longer need, or upgrade the plan.",
        megabytes(used.max(0) as u64),
        megabytes(quota)
    ))
}

pub fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 1024.0 {
        format!("{:.1} GB", mb / 1024.0)
    } else if mb >= 10.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}

/// "340 KB", "12.5 MB": a size as people read it.
pub fn human_size(bytes: i64) -> String {
    let b = bytes.max(0) as f64;
    if b < 1024.0 {
        format!("{bytes} B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.0} KB", b / 1024.0)
    } else {
        megabytes(bytes.max(0) as u64)
    }
}

/// Bytes the workspace's files take.
pub async fn usage(db: &Db, workspace_id: i64) -> Result<i64> {
    let sql = "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM files WHERE workspace_id = $1";
    db.query_scalar(sql).bind(workspace_id).fetch_one().await
}

/// A file of the workspace; not found for any other.
pub async fn get(db: &Db, workspace_id: i64, id: i64) -> Result<StoredFile> {
    let sql = format!("SELECT {COLUMNS} FROM files WHERE id = $1 AND workspace_id = $2");
    db.query_as(&sql)
        .bind(id)
        .bind(workspace_id)
        .fetch_optional()
        .await?
        .ok_or(Error::NotFound)
}

/// A file as a client's contact may reach it: never another client's file, on either backend
/// (the agency's own files pass here; the module that found the id, the gallery through its
/// shares, has checked that the client may see it). Read in the contact's scope, so on
/// PostgreSQL row-level security holds the same line a second time.
pub async fn get_for_client(db: &Db, scope: ClientScope, id: i64) -> Result<StoredFile> {
    let sql = format!(
        "SELECT {COLUMNS} FROM files WHERE id = $1 AND workspace_id = $2 AND {}",
        reachable_by("$3")
    );
    let mut tx = scope.begin(db).await?;
    let found: Option<StoredFile> = tx
        .query_as(&sql)
        .bind(id)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .fetch_optional()
        .await?;
    tx.commit().await?;
    found.ok_or(Error::NotFound)
}

/// Several files, read the same way as [`get_for_client`]; those the scope may not reach are
/// left out.
pub async fn many_for_client(db: &Db, scope: ClientScope, ids: &[i64]) -> Result<Vec<StoredFile>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM files WHERE workspace_id = $1 AND {} AND id IN ({})",
        reachable_by("$2"),
        marks.join(", ")
    );
    let mut tx = scope.begin(db).await?;
    let mut q = tx
        .query_as::<StoredFile>(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id());
    for id in ids {
        q = q.bind(id);
    }
    let found = q.fetch_all().await?;
    tx.commit().await?;
    Ok(found)
}

/// The application's own wall, the one row-level security repeats: a client reaches its own
/// files and the agency's, never another client's (`client` is the placeholder of its id).
fn reachable_by(client: &str) -> String {
    format!("(client_id IS NULL OR client_id = {client})")
}

/// The workspace's files, newest first.
pub async fn list_for_workspace(db: &Db, workspace_id: i64) -> Result<Vec<StoredFile>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM files WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC"
    );
    db.query_as(&sql).bind(workspace_id).fetch_all().await
}

/// Forgets the file, then removes its object: a failure in between leaves an orphaned object
/// (space, not a dangling record anyone could follow).
pub async fn delete(db: &Db, files: &FileStore, workspace_id: i64, id: i64) -> Result<StoredFile> {
    let file = get(db, workspace_id, id).await?;
    let sql = "DELETE FROM files WHERE id = $1 AND workspace_id = $2";
    let deleted = db.query(sql).bind(id).bind(workspace_id).execute().await;
    if let Err(e) = deleted {
        // A module's record keeps the file (a deliverable's reviewed version): it stays.
        // SQLite reports an `ON DELETE RESTRICT` refusal with the trigger code (1811), not
        // the foreign-key one, so its message is the sign there.
        let kept = matches!(&e, Error::Database(e) if e.as_database_error().is_some_and(|d| {
            d.is_foreign_key_violation() || d.message().contains("FOREIGN KEY constraint failed")
        }));
        if kept {
            return Err(Error::Conflict(
                "This file is part of a deliverable's review history, which keeps every version as it was reviewed: it cannot be deleted.".into(),
            ));
        }
        return Err(e);
    }
    let key = object_store::path::Path::from(file.storage_key.as_str());
    if let Err(e) = files.objects().delete(&key).await {
        tracing::warn!(error = %storage(e), key = %key, "a deleted file's object stays behind");
    }
    Ok(file)
}
