//! Feedback, its thread and attachments, the workspace's categories and default assignee.
//! A contact's reads run in their client's scope and see the client's feedback — all of it
//! but what concerns a project they are not given — and never a note; every change runs in
//! one write transaction that reads the feedback locked first.
use portal_core::prelude::*;
use serde::Serialize;

use crate::status::Status;

/// What a workspace offers until it defines its own.
pub const DEFAULT_CATEGORIES: [&str; 4] = ["Bug", "Change request", "Question", "New work"];

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Feedback {
    pub id: i64,
    pub workspace_id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub contact_id: Option<i64>,
    pub sent_by: String,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    pub category: Option<String>,
    pub subject: String,
    pub body: String,
    pub status: Status,
    pub assignee_id: Option<i64>,
    pub task_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Message {
    pub id: i64,
    pub author: String,
    pub contact_id: Option<i64>,
    pub staff_user_id: Option<i64>,
    pub body: String,
    pub internal: bool,
    pub created_at: i64,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Attachment {
    pub file_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub archived: bool,
}

const SELECT: &str = "SELECT f.id, f.workspace_id, f.client_id, c.name AS client_name, f.contact_id, f.sent_by, \
    f.project_id, p.name AS project_name, k.name AS category, f.subject, f.body, f.status, f.assignee_id, \
    f.task_id, f.created_at, f.updated_at FROM feedback f JOIN core_clients c ON c.id = f.client_id \
    LEFT JOIN projects p ON p.id = f.project_id LEFT JOIN feedback_categories k ON k.id = f.category_id";

/// The workspace's categories in their order; the defaults are created the first time a
/// workspace that has none asks (archived ones count: a workspace that archived them all
/// does not get them back).
pub async fn categories(db: &Db, workspace_id: i64, with_archived: bool) -> Result<Vec<Category>> {
    let count: i64 = db
        .query_scalar("SELECT COUNT(*) FROM feedback_categories WHERE workspace_id = $1")
        .bind(workspace_id)
        .fetch_one()
        .await?;
    if count == 0 {
        for (i, name) in DEFAULT_CATEGORIES.iter().enumerate() {
            db.query(
                "INSERT INTO feedback_categories (workspace_id, name, position) VALUES ($1, $2, $3) \
                 ON CONFLICT (workspace_id, name) DO NOTHING",
            )
            .bind(workspace_id)
            .bind(*name)
            .bind(i as i64)
            .execute()
            .await?;
        }
    }
    let sql = "SELECT id, name, archived FROM feedback_categories WHERE workspace_id = $1 \
               AND ($2 OR NOT archived) ORDER BY position, id";
    db.query_as(sql)
        .bind(workspace_id)
        .bind(with_archived)
        .fetch_all()
        .await
}

/// Adds a category at the end, or brings an archived one of that name back.
pub async fn add_category(db: &Db, workspace_id: i64, name: &str) -> Result<()> {
    categories(db, workspace_id, true).await?;
    let sql = "INSERT INTO feedback_categories (workspace_id, name, position) VALUES ($1, $2, \
               (SELECT COALESCE(MAX(position), -1) + 1 FROM feedback_categories WHERE workspace_id = $1)) \
               ON CONFLICT (workspace_id, name) DO UPDATE SET archived = FALSE";
    db.query(sql)
        .bind(workspace_id)
        .bind(name)
        .execute()
        .await?;
    Ok(())
}

/// Archives (or restores) a category: contacts no longer pick it; feedback keeps it.
pub async fn archive_category(db: &Db, workspace_id: i64, id: i64, archived: bool) -> Result<()> {
    let done = db
        .query("UPDATE feedback_categories SET archived = $1 WHERE id = $2 AND workspace_id = $3")
        .bind(archived)
        .bind(id)
        .bind(workspace_id)
        .execute()
        .await?;
    if done == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// An offered (not archived) category of the workspace, or a 400.
async fn offered_category(tx: &mut ScopedTx, workspace_id: i64, id: i64) -> Result<()> {
    let n: i64 = tx
        .query_scalar(
            "SELECT COUNT(*) FROM feedback_categories WHERE id = $1 AND workspace_id = $2 AND NOT archived",
        )
        .bind(id)
        .bind(workspace_id)
        .fetch_one()
        .await?;
    if n == 1 {
        Ok(())
    } else {
        Err(Error::BadRequest("Choose one of the categories.".into()))
    }
}

pub async fn default_assignee(db: &Db, workspace_id: i64) -> Result<Option<i64>> {
    let found: Option<Option<i64>> = db
        .query_scalar("SELECT default_assignee_id FROM feedback_settings WHERE workspace_id = $1")
        .bind(workspace_id)
        .fetch_optional()
        .await?;
    Ok(found.flatten())
}

/// Sets who gets feedback no project lead takes (`None`: the workspace's owners).
pub async fn set_default_assignee(db: &Db, workspace_id: i64, staff: Option<i64>) -> Result<()> {
    if default_assignee(db, workspace_id).await? == staff {
        return Ok(());
    }
    let mut tx = ScopedTx::begin_staff_write(db, workspace_id).await?;
    check_staff(&mut tx, workspace_id, staff).await?;
    tx.query(
        "INSERT INTO feedback_settings (workspace_id, default_assignee_id) VALUES ($1, $2) \
         ON CONFLICT (workspace_id) DO UPDATE SET default_assignee_id = $2",
    )
    .bind(workspace_id)
    .bind(staff)
    .execute()
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn check_staff(tx: &mut ScopedTx, workspace_id: i64, staff: Option<i64>) -> Result<()> {
    portal_core::clients::check_team_member(
        tx,
        workspace_id,
        staff,
        "Choose someone from the agency's team.",
    )
    .await
}

/// Who new feedback goes to: the project's lead; else the workspace's default assignee;
/// else its first owner — never nobody while the workspace has an owner, and never someone
/// who left the team (deactivated).
pub async fn route(
    tx: &mut ScopedTx,
    workspace_id: i64,
    project: Option<i64>,
) -> Result<Option<i64>> {
    use portal_core::team;
    if let Some(project) = project {
        let sql = "SELECT lead_id FROM projects WHERE id = $1 AND workspace_id = $2";
        let lead: Option<Option<i64>> = tx
            .query_scalar(sql)
            .bind(project)
            .bind(workspace_id)
            .fetch_optional()
            .await?;
        if let Some(lead) = lead.flatten() {
            if team::is_active_member(tx, workspace_id, lead).await? {
                return Ok(Some(lead));
            }
        }
    }
    let sql = "SELECT default_assignee_id FROM feedback_settings WHERE workspace_id = $1";
    let set: Option<Option<i64>> = tx
        .query_scalar(sql)
        .bind(workspace_id)
        .fetch_optional()
        .await?;
    if let Some(staff) = set.flatten() {
        if team::is_active_member(tx, workspace_id, staff).await? {
            return Ok(Some(staff));
        }
    }
    team::first_active_owner(tx, workspace_id).await
}

/// What a contact sends.
pub struct NewFeedback<'a> {
    pub subject: &'a str,
    pub body: &'a str,
    /// Checked by the caller to be a project the contact sees.
    pub project_id: Option<i64>,
    pub category_id: i64,
    pub files: &'a [i64],
}

/// Records the contact's feedback with its attachments, routed to its assignee; its id and
/// the assignee. `tx` is a staff write transaction of the workspace: routing reads project
/// leads and settings no client scope sees.
pub async fn create(
    tx: &mut ScopedTx,
    scope: ClientScope,
    sent_by: &str,
    new: &NewFeedback<'_>,
) -> Result<(i64, Option<i64>)> {
    let ws = scope.workspace_id();
    offered_category(tx, ws, new.category_id).await?;
    let assignee = route(tx, ws, new.project_id).await?;
    let ts = now();
    let id: i64 = tx
        .query_scalar(
            "INSERT INTO feedback (workspace_id, client_id, contact_id, sent_by, project_id, category_id, subject, body, \
             status, assignee_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'new', $9, $10, $10) RETURNING id",
        )
        .bind(ws)
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .bind(sent_by)
        .bind(new.project_id)
        .bind(new.category_id)
        .bind(new.subject)
        .bind(new.body)
        .bind(assignee)
        .bind(ts)
        .fetch_one()
        .await?;
    for file in new.files {
        tx.query(
            "INSERT INTO feedback_files (workspace_id, client_id, feedback_id, file_id) VALUES ($1, $2, $3, $4)",
        )
        .bind(ws)
        .bind(scope.client_id())
        .bind(id)
        .bind(*file)
        .execute()
        .await?;
    }
    Ok((id, assignee))
}

/// What of the client's feedback the contact sees: all but what concerns a project they
/// are not given. `param` holds the contact's id.
pub(crate) fn seen_by(param: &str) -> String {
    format!(
        "(f.project_id IS NULL OR {})",
        portico_projects::store::visible("f.project_id", param)
    )
}

/// The client's feedback the contact sees, most recently changed first.
pub async fn list_for_contact(db: &Db, scope: ClientScope) -> Result<Vec<Feedback>> {
    let sql = format!(
        "{SELECT} WHERE f.workspace_id = $1 AND f.client_id = $2 AND {} \
         ORDER BY f.updated_at DESC, f.id DESC",
        seen_by("$3")
    );
    let mut tx = scope.begin(db).await?;
    let found = tx
        .query_as(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .fetch_all()
        .await?;
    tx.commit().await?;
    Ok(found)
}

/// One feedback with its thread and attachments (for a contact: never a note).
pub struct Thread {
    pub feedback: Feedback,
    pub messages: Vec<Message>,
    pub files: Vec<Attachment>,
}

/// One of the client's feedback the contact sees, in their scope; any other is not found.
/// A read: changes lock it again in their own staff transaction (`staff_one`).
pub async fn one_for_contact(tx: &mut ScopedTx, scope: ClientScope, id: i64) -> Result<Feedback> {
    let sql = format!(
        "{SELECT} WHERE f.id = $1 AND f.workspace_id = $2 AND f.client_id = $3 AND {}",
        seen_by("$4")
    );
    tx.query_as(&sql)
        .bind(id)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .fetch_optional()
        .await?
        .ok_or(Error::NotFound)
}

pub async fn thread_for_contact(db: &Db, scope: ClientScope, id: i64) -> Result<Thread> {
    let mut tx = scope.begin(db).await?;
    let feedback = one_for_contact(&mut tx, scope, id).await?;
    let (messages, files) = details(&mut tx, &feedback, false).await?;
    tx.commit().await?;
    Ok(Thread {
        feedback,
        messages,
        files,
    })
}

/// The workspace's feedback, open first then most recently changed; optionally only one
/// assignee's, one status, one client's.
pub struct Filter {
    pub assignee: Option<i64>,
    pub status: Option<Status>,
    pub open_only: bool,
}

pub async fn list_for_workspace(db: &Db, workspace_id: i64, f: &Filter) -> Result<Vec<Feedback>> {
    let sql = format!(
        "{SELECT} WHERE f.workspace_id = $1 AND ($2 IS NULL OR f.assignee_id = $2) AND ($3 IS NULL OR f.status = $3) \
         AND (NOT $4 OR f.status IN ('new', 'in_progress')) \
         ORDER BY CASE WHEN f.status IN ('new', 'in_progress') THEN 0 ELSE 1 END, f.updated_at DESC, f.id DESC LIMIT 500"
    );
    db.query_as(&sql)
        .bind(workspace_id)
        .bind(f.assignee)
        .bind(f.status)
        .bind(f.open_only)
        .fetch_all()
        .await
}

/// One of the workspace's feedback, locked for the write `tx` is.
pub async fn staff_one(tx: &mut ScopedTx, workspace_id: i64, id: i64) -> Result<Feedback> {
    let sql = format!(
        "{SELECT} WHERE f.id = $1 AND f.workspace_id = $2{}",
        tx.lock_for_update_of("f")
    );
    tx.query_as(&sql)
        .bind(id)
        .bind(workspace_id)
        .fetch_optional()
        .await?
        .ok_or(Error::NotFound)
}

pub async fn thread_for_staff(db: &Db, workspace_id: i64, id: i64) -> Result<Thread> {
    let mut tx = ScopedTx::begin_staff(db, workspace_id).await?;
    let feedback = staff_one(&mut tx, workspace_id, id).await?;
    let (messages, files) = details(&mut tx, &feedback, true).await?;
    tx.commit().await?;
    Ok(Thread {
        feedback,
        messages,
        files,
    })
}

async fn details(
    tx: &mut ScopedTx,
    f: &Feedback,
    with_notes: bool,
) -> Result<(Vec<Message>, Vec<Attachment>)> {
    let messages = tx
        .query_as(
            "SELECT id, author, contact_id, staff_user_id, body, internal, created_at FROM feedback_messages \
             WHERE feedback_id = $1 AND workspace_id = $2 AND ($3 OR NOT internal) ORDER BY id",
        )
        .bind(f.id)
        .bind(f.workspace_id)
        .bind(with_notes)
        .fetch_all()
        .await?;
    let files = tx
        .query_as(
            "SELECT fl.id AS file_id, fl.name, fl.content_type, fl.size FROM feedback_files ff \
             JOIN core_files fl ON fl.id = ff.file_id AND fl.workspace_id = ff.workspace_id \
             WHERE ff.feedback_id = $1 AND ff.workspace_id = $2 ORDER BY ff.id",
        )
        .bind(f.id)
        .bind(f.workspace_id)
        .fetch_all()
        .await?;
    Ok((messages, files))
}

/// Whether `file` is attached to `f` (the caller found `f` in its scope).
pub async fn has_file(tx: &mut ScopedTx, f: &Feedback, file: i64) -> Result<bool> {
    let n: i64 = tx
        .query_scalar(
            "SELECT COUNT(*) FROM feedback_files WHERE feedback_id = $1 AND file_id = $2 AND workspace_id = $3",
        )
        .bind(f.id)
        .bind(file)
        .bind(f.workspace_id)
        .fetch_one()
        .await?;
    Ok(n > 0)
}

/// Who writes in the thread.
pub enum Author<'a> {
    Contact {
        id: i64,
        name: &'a str,
    },
    /// `internal`: a note the client never sees.
    Staff {
        id: i64,
        name: &'a str,
        internal: bool,
    },
}

/// Adds a message to the thread and marks the feedback changed.
pub async fn add_message(
    tx: &mut ScopedTx,
    f: &Feedback,
    author: &Author<'_>,
    body: &str,
) -> Result<()> {
    let (name, contact, staff, internal) = match *author {
        Author::Contact { id, name } => (name, Some(id), None, false),
        Author::Staff { id, name, internal } => (name, None, Some(id), internal),
    };
    let ts = now();
    tx.query(
        "INSERT INTO feedback_messages (workspace_id, client_id, feedback_id, author, contact_id, staff_user_id, body, internal, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(f.workspace_id)
    .bind(f.client_id)
    .bind(f.id)
    .bind(name)
    .bind(contact)
    .bind(staff)
    .bind(body)
    .bind(internal)
    .bind(ts)
    .execute()
    .await?;
    touch(tx, f).await
}

async fn touch(tx: &mut ScopedTx, f: &Feedback) -> Result<()> {
    tx.query("UPDATE feedback SET updated_at = $1 WHERE id = $2 AND workspace_id = $3")
        .bind(now())
        .bind(f.id)
        .bind(f.workspace_id)
        .execute()
        .await?;
    Ok(())
}

/// Sets the status; `false` when it already was that (nothing to tell anyone).
pub async fn set_status(tx: &mut ScopedTx, f: &Feedback, status: Status) -> Result<bool> {
    if f.status == status {
        return Ok(false);
    }
    tx.query(
        "UPDATE feedback SET status = $1, updated_at = $2 WHERE id = $3 AND workspace_id = $4",
    )
    .bind(status)
    .bind(now())
    .bind(f.id)
    .bind(f.workspace_id)
    .execute()
    .await?;
    Ok(true)
}

/// Hands the feedback to another team member (`None`: nobody in particular).
pub async fn assign(tx: &mut ScopedTx, f: &Feedback, staff: Option<i64>) -> Result<()> {
    check_staff(tx, f.workspace_id, staff).await?;
    tx.query(
        "UPDATE feedback SET assignee_id = $1, updated_at = $2 WHERE id = $3 AND workspace_id = $4",
    )
    .bind(staff)
    .bind(now())
    .bind(f.id)
    .bind(f.workspace_id)
    .execute()
    .await?;
    Ok(())
}

/// Links the project task the feedback became.
pub async fn link_task(tx: &mut ScopedTx, f: &Feedback, task: i64) -> Result<()> {
    tx.query(
        "UPDATE feedback SET task_id = $1, updated_at = $2 WHERE id = $3 AND workspace_id = $4",
    )
    .bind(task)
    .bind(now())
    .bind(f.id)
    .bind(f.workspace_id)
    .execute()
    .await?;
    Ok(())
}

/// Demo and probe data: a change request on `project` with a file, answered once; its id,
/// its file's and its category's.
pub async fn seed(
    state: &portal_core::AppState,
    workspace_id: i64,
    client_id: i64,
    project: i64,
) -> Result<(i64, i64, i64)> {
    use portal_core::files::upload::{store_bytes, Upload};
    let category = categories(&state.db, workspace_id, false)
        .await?
        .into_iter()
        .find(|c| c.name == "Change request")
        .map(|c| c.id)
        .ok_or_else(|| Error::Internal("no Change request category".into()))?;
    let up = Upload {
        workspace_id,
        client_id: Some(client_id),
        name: "What to change.txt",
        declared: Some("text/plain"),
        uploaded_by: "Portico demo",
        cap: None,
        max_bytes: u64::MAX,
        quota: None,
    };
    let text = b"Hero: the headline wraps on phones.\nFooter: add the new office address.\n";
    let file = store_bytes(&state.db, &state.files, &up, text.to_vec())
        .await?
        .id;
    let mut tx = ScopedTx::begin_staff_write(&state.db, workspace_id).await?;
    let assignee = route(&mut tx, workspace_id, Some(project)).await?;
    let ts = now();
    let id: i64 = tx
        .query_scalar(
            "INSERT INTO feedback (workspace_id, client_id, sent_by, project_id, category_id, subject, body, \
             status, assignee_id, created_at, updated_at) VALUES ($1, $2, 'Portico demo', $3, $4, $5, $6, 'in_progress', $7, $8, $8) RETURNING id",
        )
        .bind(workspace_id)
        .bind(client_id)
        .bind(project)
        .bind(category)
        .bind("Homepage headline on phones")
        .bind("The headline wraps onto three lines on my phone. Could it be shorter there, or smaller?")
        .bind(assignee)
        .bind(ts)
        .fetch_one()
        .await?;
    tx.query(
        "INSERT INTO feedback_files (workspace_id, client_id, feedback_id, file_id) VALUES ($1, $2, $3, $4)",
    )
    .bind(workspace_id)
    .bind(client_id)
    .bind(id)
    .bind(file)
    .execute()
    .await?;
    tx.query(
        "INSERT INTO feedback_messages (workspace_id, client_id, feedback_id, author, body, internal, created_at) \
         VALUES ($1, $2, $3, 'Portico demo', $4, FALSE, $5)",
    )
    .bind(workspace_id)
    .bind(client_id)
    .bind(id)
    .bind("Thanks — we will shorten it on small screens and send you a preview this week.")
    .bind(ts)
    .execute()
    .await?;
    tx.commit().await?;
    Ok((id, file, category))
}

/// Bytes the workspace's feedback attachments take (every client's), for their cap.
pub async fn attachment_bytes(db: &Db, workspace_id: i64) -> Result<u64> {
    let sql = "SELECT CAST(COALESCE(SUM(f.size), 0) AS BIGINT) FROM feedback_files ff \
               JOIN core_files f ON f.id = ff.file_id AND f.workspace_id = ff.workspace_id \
               WHERE ff.workspace_id = $1";
    let used: i64 = db.query_scalar(sql).bind(workspace_id).fetch_one().await?;
    Ok(u64::try_from(used).unwrap_or(0))
}
