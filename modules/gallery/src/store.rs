//! Shares: which of the workspace's files each client sees. Portal queries run in the
//! contact's scope; a client sees only rows shared with it.
use portal_core::prelude::*;
use serde::Serialize;

/// A shared file as the client sees it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Shared {
    /// The share's id: what the portal's links carry (never the file's own id).
    pub id: i64,
    pub file_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub folder: String,
    pub shared_at: i64,
    /// Whether a thumbnail is ready (`ready`), for the gallery.
    pub thumbnail_state: Option<String>,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
}

/// What the Files tab may be narrowed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    Images,
    Video,
    Documents,
    /// Images and video together: the gallery.
    Media,
}

impl Sort {
    pub fn parse(raw: &str) -> Option<Sort> {
        match raw {
            "images" => Some(Sort::Images),
            "video" => Some(Sort::Video),
            "documents" => Some(Sort::Documents),
            _ => None,
        }
    }

    fn condition(self) -> &'static str {
        match self {
            Sort::Images => "f.content_type LIKE 'image/%'",
            Sort::Video => "(f.content_type LIKE 'video/%' OR f.content_type LIKE 'audio/%')",
            Sort::Media => {
                "(f.content_type LIKE 'image/%' OR f.content_type LIKE 'video/%')"
            }
            Sort::Documents => {
                "NOT (f.content_type LIKE 'image/%' OR f.content_type LIKE 'video/%' OR f.content_type LIKE 'audio/%')"
            }
        }
    }
}

/// The scope's shares it may see: the client's, of files that are the agency's or the
/// client's own (never another client's, whatever a share row says), and of those tied to a
/// project only the ones of projects the contact may see (`$3` is the contact).
fn shared_sql() -> String {
    format!(
        "SELECT s.id, s.file_id, f.name, f.content_type, f.size, s.folder, s.shared_at, f.thumbnail_state, \
         s.project_id, p.name AS project_name \
         FROM shared_files s JOIN core_files f ON f.id = s.file_id AND f.workspace_id = s.workspace_id \
         LEFT JOIN projects p ON p.id = s.project_id AND p.workspace_id = s.workspace_id \
         WHERE s.workspace_id = $1 AND s.client_id = $2 AND (f.client_id IS NULL OR f.client_id = $2) \
         AND (s.project_id IS NULL OR {})",
        portico_projects::store::visible("s.project_id", "$3")
    )
}

/// What the contact narrowed the Files tab to.
#[derive(Clone, Copy, Debug, Default)]
pub struct Narrowing<'a> {
    /// Part of the name, any case.
    pub search: &'a str,
    pub sort: Option<Sort>,
    pub project: Option<i64>,
}

/// The client's shared files the contact may see, newest first, narrowed.
pub async fn for_client(db: &Db, scope: ClientScope, n: Narrowing<'_>) -> Result<Vec<Shared>> {
    let mut sql = format!("{} AND LOWER(f.name) LIKE $4", shared_sql());
    if let Some(sort) = n.sort {
        sql.push_str(" AND ");
        sql.push_str(sort.condition());
    }
    // None: every project's, and the untied ones.
    sql.push_str(" AND ($5 IS NULL OR s.project_id = $5)");
    sql.push_str(" ORDER BY s.shared_at DESC, s.id DESC");
    let pattern = format!(
        "%{}%",
        n.search.to_lowercase().replace(['\\', '%', '_'], "")
    );
    let mut tx = scope.begin(db).await?;
    let found = tx
        .query_as(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .bind(&pattern)
        .bind(n.project)
        .fetch_all()
        .await?;
    tx.commit().await?;
    Ok(found)
}

/// Several shares of the contact's client, in the order first asked, each once; not found if
/// any is not one the contact may see.
pub async fn some_for_client(db: &Db, scope: ClientScope, ids: &[i64]) -> Result<Vec<Shared>> {
    let all = for_client(db, scope, Narrowing::default()).await?;
    // The same file named twice is fetched, zipped and logged once.
    let mut seen = std::collections::HashSet::new();
    ids.iter()
        .filter(|id| seen.insert(**id))
        .map(|id| {
            all.iter()
                .find(|s| s.id == *id)
                .cloned()
                .ok_or(Error::NotFound)
        })
        .collect()
}

/// One share of the contact's client; not found for anything else (unshared at once).
pub async fn one_for_client(db: &Db, scope: ClientScope, id: i64) -> Result<Shared> {
    let sql = format!("{} AND s.id = $4", shared_sql());
    let mut tx = scope.begin(db).await?;
    let found: Option<Shared> = tx
        .query_as(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .bind(id)
        .fetch_optional()
        .await?;
    tx.commit().await?;
    found.ok_or(Error::NotFound)
}

/// A share as staff see it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct StaffShare {
    pub id: i64,
    pub client_id: i64,
    pub file_id: i64,
    pub project_id: Option<i64>,
    pub client_name: String,
    pub name: String,
    pub folder: String,
    pub project_name: Option<String>,
    pub shared_by: String,
    pub shared_at: i64,
}

pub async fn for_workspace(db: &Db, workspace_id: i64) -> Result<Vec<StaffShare>> {
    let sql = "SELECT s.id, s.client_id, s.file_id, s.project_id, c.name AS client_name, f.name, s.folder, p.name AS project_name, s.shared_by, s.shared_at \
               FROM shared_files s JOIN core_files f ON f.id = s.file_id AND f.workspace_id = s.workspace_id \
               JOIN core_clients c ON c.id = s.client_id AND c.workspace_id = s.workspace_id \
               LEFT JOIN projects p ON p.id = s.project_id AND p.workspace_id = s.workspace_id \
               WHERE s.workspace_id = $1 ORDER BY c.name, s.folder, f.name";
    db.query_as(sql).bind(workspace_id).fetch_all().await
}

/// What staff share: files of the workspace with one of its clients, under a folder name
/// ('' for none), optionally tied to one of the client's projects.
pub struct NewShare<'a> {
    pub client_id: i64,
    pub files: &'a [i64],
    pub folder: &'a str,
    pub project_id: Option<i64>,
    pub by: &'a str,
}

/// What staff send, checked before anything is read: at least one file, a folder name of
/// one line.
pub fn checked(new: &NewShare<'_>) -> Result<()> {
    if new.files.is_empty() {
        return Err(Error::BadRequest(
            "Choose at least one file to share.".into(),
        ));
    }
    if new.folder.chars().count() > 120 || new.folder.chars().any(char::is_control) {
        return Err(Error::BadRequest(
            "A folder name is one line of at most 120 characters.".into(),
        ));
    }
    Ok(())
}

/// Shares, in one transaction; files already shared with the client keep their share.
/// Anything not the workspace's (or a project not the client's) is refused and nothing is
/// shared, and so is a file another client sent (a feedback attachment of client A is A's:
/// it is never shown to B). Returns how many shares are new.
pub async fn share(db: &Db, workspace_id: i64, new: &NewShare<'_>) -> Result<usize> {
    let ts = now();
    let mut tx = ScopedTx::begin_staff_write(db, workspace_id).await?;
    if !portal_core::clients::is_client_of(&mut tx, workspace_id, new.client_id).await? {
        return Err(Error::BadRequest("Choose one of your clients.".into()));
    }
    if let Some(project) = new.project_id {
        let found: Option<i64> = tx
            .query_scalar(
                "SELECT id FROM projects WHERE id = $1 AND workspace_id = $2 AND client_id = $3",
            )
            .bind(project)
            .bind(workspace_id)
            .bind(new.client_id)
            .fetch_optional()
            .await?;
        if found.is_none() {
            return Err(Error::BadRequest(
                "Choose a project of the same client, or none.".into(),
            ));
        }
    }
    let mut added = 0;
    for file in new.files {
        let owner: Option<Option<i64>> = tx
            .query_scalar("SELECT client_id FROM core_files WHERE id = $1 AND workspace_id = $2")
            .bind(file)
            .bind(workspace_id)
            .fetch_optional()
            .await?;
        match owner {
            None => {
                return Err(Error::BadRequest(
                    "Choose files from your file manager.".into(),
                ))
            }
            Some(Some(owner)) if owner != new.client_id => {
                return Err(Error::BadRequest(
                    "That file belongs to another client: share only the agency's files, or this client's own.".into(),
                ))
            }
            Some(_) => {}
        }
        added += tx
            .query(
                "INSERT INTO shared_files (workspace_id, client_id, file_id, folder, project_id, shared_by, shared_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (client_id, file_id) DO NOTHING",
            )
            .bind(workspace_id)
            .bind(new.client_id)
            .bind(file)
            .bind(new.folder)
            .bind(new.project_id)
            .bind(new.by)
            .bind(ts)
            .execute()
            .await? as usize;
    }
    tx.commit().await?;
    Ok(added)
}

/// Ends a share at once: the next request of the client's contacts no longer finds it.
pub async fn unshare(db: &Db, workspace_id: i64, id: i64) -> Result<()> {
    let sql = "DELETE FROM shared_files WHERE id = $1 AND workspace_id = $2";
    let gone = db.query(sql).bind(id).bind(workspace_id).execute().await?;
    if gone == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}
