//! The staff's page of one project: the project update, its tasks, and the comment thread
//! where internal notes and replies to the client must never be confused.
//!
//! Who may do what: owners and admins alone change clients and contacts (the core's rule),
//! but project work is every staff member's daily work, so every role — owner, admin,
//! member — edits the project, manages tasks and comments. A comment can be edited or
//! deleted only by the staff user who wrote it.
//!
//! Each change goes through one store function that answers with what a notification needs
//! (`ProjectUpdated`, `TaskChange`, `CommentPosted`), so the handlers are where notifications
//! get wired.
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use portal_core::prelude::*;
use serde::Serialize;

use crate::comments::{self, checked_body, Comment, MAX_BODY, NOTE, REPLY};
use crate::news;
use crate::store::{self, Project, ProjectFields, ProjectStatus, STATUSES};
use crate::tasks::{self, Task, TaskFields, TaskPriority, TaskStatus, PRIORITIES, TASK_STATUSES};

portal_core::flash! {
    /// What a project's page and its tasks' pages say after a change.
    pub enum ProjectDone {
        Project = "project" => "The project is updated.",
        Task = "task" => "The task is saved.",
        Note = "note" => "Internal note added. The client does not see it.",
        Reply = "reply" => "Reply sent: the client sees it.",
        Edited = "edited" => "Comment updated.",
        Deleted = "deleted" => "Comment deleted.",
    }
}

/// Text that may be empty: trimmed, at most `MAX_BODY` characters.
fn optional_text(form: &Fields, key: &str, what: &str) -> Result<String> {
    let v = form.get(key).trim();
    if v.chars().count() > MAX_BODY {
        return Err(Error::BadRequest(format!(
            "The {what} can be at most {MAX_BODY} characters."
        )));
    }
    Ok(v.to_string())
}

fn project_fields(form: &Fields) -> Result<ProjectFields> {
    let progress = form
        .get("progress")
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|p| (0..=100).contains(p))
        .ok_or_else(|| Error::BadRequest("Progress is a whole number from 0 to 100.".into()))?;
    Ok(ProjectFields {
        name: form.name("name", "project's name")?,
        description: optional_text(form, "description", "description")?,
        status: ProjectStatus::read(form.get("status"))?,
        start_date: form.date("start_date")?,
        due_date: form.date("due_date")?,
        progress,
        lead_id: match form.get("lead") {
            "" => None,
            raw => Some(raw.parse::<i64>().map_err(|_| {
                Error::BadRequest(
                    "Choose someone from the agency's team to lead the project.".into(),
                )
            })?),
        },
    })
}

fn task_fields(form: &Fields) -> Result<TaskFields> {
    let assignee_id = match form.get("assignee") {
        "" => None,
        raw => Some(raw.parse::<i64>().map_err(|_| {
            Error::BadRequest("Choose someone from the agency's team to assign the task to.".into())
        })?),
    };
    Ok(TaskFields {
        title: form.name("title", "task's title")?,
        description: optional_text(form, "description", "description")?,
        internal_notes: optional_text(form, "internal_notes", "internal notes")?,
        status: TaskStatus::read(form.get("status"))?,
        priority: TaskPriority::read(form.get("priority"))?,
        assignee_id,
        due_date: form.date("due_date")?,
        client_visible: form.checked("client_visible"),
    })
}

#[derive(Serialize)]
struct TaskRow {
    #[serde(flatten)]
    task: Task,
    href: String,
    status_label: &'static str,
    priority_label: &'static str,
}

#[derive(Serialize)]
struct CommentView {
    #[serde(flatten)]
    comment: Comment,
    note: bool,
    mine: bool,
    edit: String,
    delete: String,
}

/// The thread under the project (`task` `None`) or one task, with the links its forms need.
fn thread(
    ctx: &StaffContext,
    project: i64,
    all: &[Comment],
    task: Option<i64>,
) -> Vec<CommentView> {
    all.iter()
        .filter(|c| c.task_id == task)
        .map(|c| CommentView {
            note: c.kind == NOTE,
            mine: c.author_staff_id == Some(ctx.user.id),
            edit: ctx.link(&format!("/projects/{project}/comments/{}", c.id)),
            delete: ctx.link(&format!("/projects/{project}/comments/{}/delete", c.id)),
            comment: c.clone(),
        })
        .collect()
}

/// `GET /admin/projects/{id}`.
pub async fn page(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    done: Done<ProjectDone>,
) -> Result<Html<String>> {
    let ws = ctx.tenant.workspace.id;
    let project = existing_project(&state, ws, &id).await?;
    let id = project.id;
    let client = portal_core::clients::client(&state.db, ws, project.client_id).await?;
    let tasks: Vec<TaskRow> = tasks::tasks_for_workspace(&state.db, ws, id)
        .await?
        .into_iter()
        .map(|t| TaskRow {
            href: ctx.link(&format!("/projects/{id}/tasks/{}", t.id)),
            status_label: t.status.label(),
            priority_label: t.priority.label(),
            task: t,
        })
        .collect();
    let all = comments::comments_for_workspace(&state.db, ws, id).await?;
    let base = ctx.link(&format!("/projects/{id}"));
    ctx.render(
        "projects/admin_project.html",
        context! {
            project => project,
            client_name => client.name,
            tasks => tasks,
            comments => thread(&ctx, id, &all, None),
            staff => portal_core::clients::team(&state.db, ws).await?,
            statuses => STATUSES,
            task_statuses => TASK_STATUSES,
            priorities => PRIORITIES,
            notice => done.message(),
            base => base,
            comment_action => format!("{base}/comments"),
            back => ctx.link("/projects"),
            max => MAX_BODY,
        },
    )
}

/// `GET /admin/projects/{id}/tasks/{task}`: every field of the task, and its thread.
pub async fn task_page(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path((id, task)): Path<(String, String)>,
    done: Done<ProjectDone>,
) -> Result<Html<String>> {
    let ws = ctx.tenant.workspace.id;
    let project = existing_project(&state, ws, &id).await?;
    let (id, task) = (project.id, parse_id(&task)?);
    let found = tasks::task_for_workspace(&state.db, ws, id, task)
        .await?
        .ok_or(Error::NotFound)?;
    let all = comments::comments_for_workspace(&state.db, ws, id).await?;
    let base = ctx.link(&format!("/projects/{id}"));
    ctx.render(
        "projects/admin_task.html",
        context! {
            project => project,
            task => found,
            comments => thread(&ctx, id, &all, Some(task)),
            staff => portal_core::clients::team(&state.db, ws).await?,
            task_statuses => TASK_STATUSES,
            priorities => PRIORITIES,
            notice => done.message(),
            save => format!("{base}/tasks/{task}"),
            comment_action => format!("{base}/comments"),
            back => base,
            max => MAX_BODY,
        },
    )
}

/// `POST /admin/projects/{id}`: the project update.
pub async fn save_project(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let ws = ctx.tenant.workspace.id;
    let project = existing_project(&state, ws, &id).await?;
    let id = project.id;
    let fields = project_fields(&Fields::parse(&body))?;
    let mut tx = ScopedTx::begin_staff_write(&state.db, ws).await?;
    let update = store::update_project(&mut tx, ws, id, &fields).await?;
    news::project_updated(&state, &ctx.tenant, &mut tx, &update).await?;
    tx.commit().await?;
    Ok(ctx
        .redirect_done(&format!("/projects/{id}"), ProjectDone::Project)
        .into_response())
}

/// `POST /admin/projects/{id}/tasks`.
pub async fn add_task(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let ws = ctx.tenant.workspace.id;
    let project = existing_project(&state, ws, &id).await?;
    let id = project.id;
    let fields = task_fields(&Fields::parse(&body))?;
    let mut tx = ScopedTx::begin_staff_write(&state.db, ws).await?;
    let made = tasks::create_task(&mut tx, ws, id, &fields).await?;
    news::task_changed(&state, &ctx.tenant, &mut tx, &made).await?;
    tx.commit().await?;
    let to = format!("/projects/{id}#task-{}", made.task_id);
    Ok(ctx.redirect_done(&to, ProjectDone::Task).into_response())
}

/// The project of the path's `{id}`: not found unless it is this workspace's.
pub(crate) async fn existing_project(state: &AppState, ws: i64, raw: &str) -> Result<Project> {
    store::get_for_workspace(&state.db, ws, parse_id(raw)?)
        .await?
        .ok_or(Error::NotFound)
}

/// Not found unless the task is the project's, in this workspace.
async fn existing_task(state: &AppState, ws: i64, id: i64, task: i64) -> Result<Task> {
    tasks::task_for_workspace(&state.db, ws, id, task)
        .await?
        .ok_or(Error::NotFound)
}

/// `POST /admin/projects/{id}/tasks/{task}`: saves every field.
pub async fn save_task(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path((id, task)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response> {
    let (id, task) = (parse_id(&id)?, parse_id(&task)?);
    let ws = ctx.tenant.workspace.id;
    existing_task(&state, ws, id, task).await?;
    let fields = task_fields(&Fields::parse(&body))?;
    let mut tx = ScopedTx::begin_staff_write(&state.db, ws).await?;
    let change = tasks::update_task(&mut tx, ws, id, task, &fields).await?;
    news::task_changed(&state, &ctx.tenant, &mut tx, &change).await?;
    tx.commit().await?;
    Ok(ctx
        .redirect_done(&format!("/projects/{id}/tasks/{task}"), ProjectDone::Task)
        .into_response())
}

/// `POST /admin/projects/{id}/tasks/{task}/status`: the quick change from the task table.
pub async fn task_status(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path((id, task)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response> {
    let (id, task) = (parse_id(&id)?, parse_id(&task)?);
    let ws = ctx.tenant.workspace.id;
    existing_task(&state, ws, id, task).await?;
    let status = TaskStatus::read(Fields::parse(&body).get("status"))?;
    let mut tx = ScopedTx::begin_staff_write(&state.db, ws).await?;
    let change = tasks::set_task_status(&mut tx, ws, id, task, status).await?;
    news::task_changed(&state, &ctx.tenant, &mut tx, &change).await?;
    tx.commit().await?;
    let to = format!("/projects/{id}#task-{task}");
    Ok(ctx.redirect_done(&to, ProjectDone::Task).into_response())
}

/// Back to where a comment shows: its task's page or the project's.
fn thread_page(
    ctx: &StaffContext,
    project: i64,
    task: Option<i64>,
    done: ProjectDone,
    anchor: &str,
) -> Redirect {
    let page = match task {
        Some(t) => format!("/projects/{project}/tasks/{t}{anchor}"),
        None => format!("/projects/{project}{anchor}"),
    };
    ctx.redirect_done(&page, done)
}

/// `POST /admin/projects/{id}/comments`: `kind` (`note` or `reply`, from the button
/// pressed), `body`, and `task` when it is about one of the project's tasks.
pub async fn add_comment(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let ws = ctx.tenant.workspace.id;
    let project = existing_project(&state, ws, &id).await?;
    let id = project.id;
    let form = Fields::parse(&body);
    let (kind, done) = match form.get("kind") {
        "note" => (NOTE, ProjectDone::Note),
        "reply" => (REPLY, ProjectDone::Reply),
        _ => {
            return Err(Error::BadRequest(
                "Choose whether this is an internal note or a reply to the client.".into(),
            ))
        }
    };
    let task = match form.get("task") {
        "" => None,
        raw => Some(parse_id(raw).map_err(|_| Error::BadRequest("No such task.".into()))?),
    };
    let text = checked_body(form.get("body"))?;
    let posted = staff_comment(&state, &ctx, &project, task, kind, &text).await?;
    let anchor = format!("#comment-{}", posted.comment_id);
    Ok(thread_page(&ctx, id, task, done, &anchor).into_response())
}

/// Posts a staff comment and, for a reply, tells the client — in one transaction. The admin
/// form and the API both come here.
pub(crate) async fn staff_comment(
    state: &AppState,
    ctx: &StaffContext,
    project: &Project,
    task: Option<i64>,
    kind: &'static str,
    text: &str,
) -> Result<comments::CommentPosted> {
    let ws = ctx.tenant.workspace.id;
    let mut tx = ScopedTx::begin_staff_write(&state.db, ws).await?;
    let posted =
        comments::post_staff_comment(&mut tx, ws, ctx.user.id, project.id, task, kind, text)
            .await?;
    news::staff_commented(state, ctx, &mut tx, &posted, text).await?;
    tx.commit().await?;
    Ok(posted)
}

/// `POST /admin/projects/{id}/comments/{comment}`: the author changes the text.
pub async fn edit_comment(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path((id, comment)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response> {
    let (id, comment) = (parse_id(&id)?, parse_id(&comment)?);
    let ws = ctx.tenant.workspace.id;
    // Found and owned before the text is looked at: a stranger's id answers 404 or 403.
    let c = comments::own_comment(&state.db, ws, ctx.user.id, id, comment).await?;
    let text = checked_body(Fields::parse(&body).get("body"))?;
    let mut tx = ScopedTx::begin_staff_write(&state.db, ws).await?;
    comments::edit_own_comment(&mut tx, ws, ctx.user.id, comment, &text).await?;
    news::comment_edited(&state, &mut tx, ws, &c, &text).await?;
    tx.commit().await?;
    let anchor = format!("#comment-{}", c.id);
    Ok(thread_page(&ctx, id, c.task_id, ProjectDone::Edited, &anchor).into_response())
}

/// `POST /admin/projects/{id}/comments/{comment}/delete`: the author removes it.
pub async fn delete_comment(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path((id, comment)): Path<(String, String)>,
) -> Result<Response> {
    let (id, comment) = (parse_id(&id)?, parse_id(&comment)?);
    let ws = ctx.tenant.workspace.id;
    let c = comments::own_comment(&state.db, ws, ctx.user.id, id, comment).await?;
    let mut tx = ScopedTx::begin_staff_write(&state.db, ws).await?;
    comments::delete_own_comment(&mut tx, ws, ctx.user.id, comment).await?;
    news::comment_deleted(&state, &mut tx, ws, &c).await?;
    tx.commit().await?;
    Ok(thread_page(&ctx, id, c.task_id, ProjectDone::Deleted, "").into_response())
}
