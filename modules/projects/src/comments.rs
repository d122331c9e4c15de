//! Comments come in two kinds: a reply, which the client sees, and a note, which is the
//! agency's own. The portal reads only [`Reply`], built from queries that select
//! `kind = 'reply'` — so a note cannot be rendered or serialised to a portal user even by
//! mistake; on PostgreSQL the row-level security policy hides notes from a portal scope too.
//! Staff read [`Comment`], both kinds, bound to their workspace.
use portal_core::prelude::*;
use serde::Serialize;

use crate::store::visible;

pub const REPLY: &str = "reply";
pub const NOTE: &str = "note";

/// The longest comment, in characters.
pub const MAX_BODY: usize = 5000;

/// A comment's text as submitted: trimmed, not empty, at most [`MAX_BODY`] characters, no
/// control characters but line breaks and tabs.
pub fn checked_body(raw: &str) -> Result<String> {
    let body = raw.trim();
    if body.is_empty() {
        return Err(Error::BadRequest("Write something first.".into()));
    }
    if body.chars().count() > MAX_BODY {
        return Err(Error::BadRequest(format!(
            "A comment can be at most {MAX_BODY} characters."
        )));
    }
    if body
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Error::BadRequest(
            "The comment contains characters that cannot be shown.".into(),
        ));
    }
    Ok(body.to_string())
}

/// A reply as a contact sees it. There is no `kind`: every value of this type is a reply.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Reply {
    pub id: i64,
    pub task_id: Option<i64>,
    pub body: String,
    pub author_name: String,
    /// Written by the agency (else by a contact of the client).
    pub by_staff: bool,
    /// Written by the contact reading it.
    pub by_you: bool,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

/// The project's own replies (`task` `None`) or one task's, oldest first. The task must be
/// client-visible and the project one the contact may see; otherwise there are none.
pub async fn replies_for_client(
    db: &Db,
    scope: ClientScope,
    project_id: i64,
    task: Option<i64>,
) -> Result<Vec<Reply>> {
    let on = match task {
        None => "c.task_id IS NULL",
        Some(_) => {
            "c.task_id = $5 AND EXISTS (SELECT 1 FROM tasks t WHERE t.id = c.task_id \
             AND t.workspace_id = c.workspace_id AND t.client_id = c.client_id AND t.client_visible)"
        }
    };
    let sql = format!(
        "SELECT c.id, c.task_id, c.body, COALESCE(s.name, k.name, '') AS author_name, \
         c.author_staff_id IS NOT NULL AS by_staff, \
         COALESCE(c.author_contact_id = $3, FALSE) AS by_you, c.created_at, c.edited_at \
         FROM comments c \
         LEFT JOIN core_staff s ON s.id = c.author_staff_id AND s.workspace_id = c.workspace_id \
         LEFT JOIN core_contacts k ON k.id = c.author_contact_id AND k.client_id = c.client_id \
         WHERE c.workspace_id = $1 AND c.client_id = $2 AND c.kind = 'reply' AND c.project_id = $4 \
         AND {} AND {on} ORDER BY c.created_at, c.id",
        visible("c.project_id", "$3")
    );
    let mut tx = scope.begin(db).await?;
    let q = tx
        .query_as::<Reply>(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .bind(project_id);
    let q = match task {
        Some(t) => q.bind(t),
        None => q,
    };
    let found = q.fetch_all().await?;
    tx.commit().await?;
    Ok(found)
}

/// What a notification about a new comment needs. `kind` tells a reply (tell the other side)
/// from a note (tell the team only).
#[derive(Clone, Debug, Serialize)]
pub struct CommentPosted {
    pub comment_id: i64,
    pub kind: &'static str,
    pub workspace_id: i64,
    pub client_id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub task_id: Option<i64>,
    pub task_title: Option<String>,
    pub author_name: String,
    /// Written by a contact (else by staff).
    pub by_contact: bool,
}

/// A contact's reply on a project they may see, or on one of its client-visible tasks.
/// Anything else is not found. The caller checks the contact may comment.
pub async fn post_reply(
    tx: &mut ScopedTx,
    scope: ClientScope,
    project_id: i64,
    task_id: Option<i64>,
    body: &str,
) -> Result<CommentPosted> {
    let project_sql = format!(
        "SELECT p.name, k.name FROM projects p JOIN core_contacts k ON k.id = $4 AND k.client_id = p.client_id \
         WHERE p.workspace_id = $1 AND p.client_id = $2 AND p.id = $3 AND {}",
        visible("p.id", "$4")
    );
    let found = tx
        .query_as::<(String, String)>(&project_sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(project_id)
        .bind(scope.contact_id())
        .fetch_optional()
        .await?;
    let Some((project_name, author_name)) = found else {
        return Err(Error::NotFound);
    };
    let task_title = match task_id {
        None => None,
        Some(task) => {
            let sql =
                "SELECT title FROM tasks WHERE id = $1 AND project_id = $2 AND workspace_id = $3 \
                       AND client_id = $4 AND client_visible";
            let title = tx
                .query_scalar::<String>(sql)
                .bind(task)
                .bind(project_id)
                .bind(scope.workspace_id())
                .bind(scope.client_id())
                .fetch_optional()
                .await?;
            Some(title.ok_or(Error::NotFound)?)
        }
    };
    let sql = "INSERT INTO comments (workspace_id, client_id, project_id, task_id, kind, body, author_contact_id, created_at) \
               VALUES ($1, $2, $3, $4, 'reply', $5, $6, $7) RETURNING id";
    let id = tx
        .query_scalar::<i64>(sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(project_id)
        .bind(task_id)
        .bind(body)
        .bind(scope.contact_id())
        .bind(now())
        .fetch_one()
        .await?;
    Ok(CommentPosted {
        comment_id: id,
        kind: REPLY,
        workspace_id: scope.workspace_id(),
        client_id: scope.client_id(),
        project_id,
        project_name,
        task_id,
        task_title,
        author_name,
        by_contact: true,
    })
}

/// A comment as staff see it: either kind, with who wrote it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Comment {
    pub id: i64,
    pub project_id: i64,
    pub task_id: Option<i64>,
    pub kind: String,
    pub body: String,
    pub author_staff_id: Option<i64>,
    pub author_contact_id: Option<i64>,
    pub author_name: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

const COMMENT_SQL: &str =
    "SELECT c.id, c.project_id, c.task_id, c.kind, c.body, c.author_staff_id, \
     c.author_contact_id, COALESCE(s.name, k.name, '') AS author_name, c.created_at, c.edited_at \
     FROM comments c \
     LEFT JOIN core_staff s ON s.id = c.author_staff_id AND s.workspace_id = c.workspace_id \
     LEFT JOIN core_contacts k ON k.id = c.author_contact_id AND k.client_id = c.client_id \
     WHERE c.workspace_id = $1 AND c.project_id = $2";

/// Every comment of the project, its tasks' included, oldest first.
pub async fn comments_for_workspace(
    db: &Db,
    workspace_id: i64,
    project_id: i64,
) -> Result<Vec<Comment>> {
    let sql = format!("{COMMENT_SQL} ORDER BY c.created_at, c.id");
    db.query_as::<Comment>(&sql)
        .bind(workspace_id)
        .bind(project_id)
        .fetch_all()
        .await
}

async fn comment_for_workspace(
    db: &Db,
    workspace_id: i64,
    project_id: i64,
    comment_id: i64,
) -> Result<Comment> {
    let sql = format!("{COMMENT_SQL} AND c.id = $3");
    db.query_as::<Comment>(&sql)
        .bind(workspace_id)
        .bind(project_id)
        .bind(comment_id)
        .fetch_optional()
        .await?
        .ok_or(Error::NotFound)
}

/// A staff comment of either kind on the project or one of its tasks. A reply on a task the
/// client cannot see would be invisible to them, so it is refused rather than posted.
pub async fn post_staff_comment(
    tx: &mut ScopedTx,
    workspace_id: i64,
    staff_id: i64,
    project_id: i64,
    task_id: Option<i64>,
    kind: &'static str,
    body: &str,
) -> Result<CommentPosted> {
    let sql = "SELECT p.name, p.client_id, s.name FROM projects p JOIN core_staff s ON s.id = $3 AND s.workspace_id = p.workspace_id \
               WHERE p.id = $1 AND p.workspace_id = $2";
    let (project_name, client_id, author_name) = tx
        .query_as::<(String, i64, String)>(sql)
        .bind(project_id)
        .bind(workspace_id)
        .bind(staff_id)
        .fetch_optional()
        .await?
        .ok_or(Error::NotFound)?;
    let task_title = match task_id {
        None => None,
        Some(task) => {
            let sql = "SELECT title, client_visible FROM tasks WHERE id = $1 AND project_id = $2 AND workspace_id = $3";
            let (title, shown) = tx
                .query_as::<(String, bool)>(sql)
                .bind(task)
                .bind(project_id)
                .bind(workspace_id)
                .fetch_optional()
                .await?
                .ok_or(Error::NotFound)?;
            if kind == REPLY && !shown {
                return Err(Error::BadRequest(
                    "The client cannot see this task: make it client-visible before replying, or add an internal note.".into(),
                ));
            }
            Some(title)
        }
    };
    let sql = "INSERT INTO comments (workspace_id, client_id, project_id, task_id, kind, body, author_staff_id, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    let id = tx
        .query_scalar::<i64>(sql)
        .bind(workspace_id)
        .bind(client_id)
        .bind(project_id)
        .bind(task_id)
        .bind(kind)
        .bind(body)
        .bind(staff_id)
        .bind(now())
        .fetch_one()
        .await?;
    Ok(CommentPosted {
        comment_id: id,
        kind,
        workspace_id,
        client_id,
        project_id,
        project_name,
        task_id,
        task_title,
        author_name,
        by_contact: false,
    })
}

/// The comment, if `staff_id` wrote it: not found outside the project and workspace,
/// forbidden when someone else wrote it.
pub async fn own_comment(
    db: &Db,
    workspace_id: i64,
    staff_id: i64,
    project_id: i64,
    comment_id: i64,
) -> Result<Comment> {
    let c = comment_for_workspace(db, workspace_id, project_id, comment_id).await?;
    if c.author_staff_id == Some(staff_id) {
        Ok(c)
    } else {
        Err(Error::Forbidden(
            "You can only change your own comments.".into(),
        ))
    }
}

/// Replaces the text of the staff user's own comment (checked with [`own_comment`] first);
/// its kind stays what it was.
pub async fn edit_own_comment(
    tx: &mut ScopedTx,
    workspace_id: i64,
    staff_id: i64,
    comment_id: i64,
    body: &str,
) -> Result<()> {
    let sql = "UPDATE comments SET body = $1, edited_at = $2 WHERE id = $3 AND workspace_id = $4 AND author_staff_id = $5";
    tx.query(sql)
        .bind(body)
        .bind(now())
        .bind(comment_id)
        .bind(workspace_id)
        .bind(staff_id)
        .execute()
        .await?;
    Ok(())
}

/// Deletes the staff user's own comment (checked with [`own_comment`] first).
pub async fn delete_own_comment(
    tx: &mut ScopedTx,
    workspace_id: i64,
    staff_id: i64,
    comment_id: i64,
) -> Result<()> {
    let sql = "DELETE FROM comments WHERE id = $1 AND workspace_id = $2 AND author_staff_id = $3";
    tx.query(sql)
        .bind(comment_id)
        .bind(workspace_id)
        .bind(staff_id)
        .execute()
        .await?;
    Ok(())
}
