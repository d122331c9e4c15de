//! The client's view of the work: a project's client-visible tasks, a task's page, and the
//! replies on both — read and, with `can_add_comments`, written. Only `ClientTask` and
//! `Reply` values reach these templates: neither can carry an internal note.
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use portal_core::prelude::*;
use serde::Serialize;

use portal_core::activity::{self, Action};

use crate::comments::{self, Reply, MAX_BODY};
use crate::news;
use crate::portal::parse_id;
use crate::store;
use crate::tasks::{self, ClientTask, TaskStatus};

/// The core permission that lets a contact reply.
pub const CAN_COMMENT: &str = "can_add_comments";

#[derive(Serialize)]
pub(crate) struct TaskView {
    #[serde(flatten)]
    task: ClientTask,
    href: String,
    status_label: &'static str,
    priority_label: &'static str,
    overdue: bool,
}

fn task_view(ctx: &PortalContext, task: ClientTask) -> TaskView {
    TaskView {
        href: ctx.link(&format!("/projects/{}/tasks/{}", task.project_id, task.id)),
        status_label: task.status.label(),
        priority_label: task.priority.label(),
        overdue: task.status != TaskStatus::Done
            && task.due_date.is_some_and(|d| d.days_from_today() < 0),
        task,
    }
}

pub(crate) async fn task_views(
    ctx: &PortalContext,
    state: &AppState,
    project: i64,
) -> Result<Vec<TaskView>> {
    let found = tasks::client_tasks(&state.db, ctx.scope(), project).await?;
    Ok(found.into_iter().map(|t| task_view(ctx, t)).collect())
}

#[derive(Serialize)]
struct ReplyView {
    #[serde(flatten)]
    reply: Reply,
    /// "You", or the author's name.
    author: String,
}

/// The replies under a project or a task, and the form to add one when the contact may.
#[derive(Serialize)]
pub(crate) struct Thread {
    replies: Vec<ReplyView>,
    can_comment: bool,
    action: String,
    max: usize,
}

/// Whether this contact may reply here: the permission, a tier that allows acting, and a
/// real session (a staff preview changes nothing).
fn can_comment(ctx: &PortalContext) -> bool {
    ctx.can(CAN_COMMENT) && ctx.can_act(crate::ID) && ctx.user.preview_by.is_none()
}

pub(crate) async fn thread(
    ctx: &PortalContext,
    state: &AppState,
    project: i64,
    task: Option<i64>,
) -> Result<Thread> {
    let replies = comments::replies_for_client(&state.db, ctx.scope(), project, task)
        .await?
        .into_iter()
        .map(|r| ReplyView {
            author: if r.by_you {
                "You".into()
            } else {
                r.author_name.clone()
            },
            reply: r,
        })
        .collect();
    Ok(Thread {
        replies,
        can_comment: can_comment(ctx),
        action: ctx.link(&reply_path(project, task)),
        max: MAX_BODY,
    })
}

fn reply_path(project: i64, task: Option<i64>) -> String {
    match task {
        None => format!("/projects/{project}/replies"),
        Some(t) => format!("/projects/{project}/tasks/{t}/replies"),
    }
}

fn page_path(project: i64, task: Option<i64>) -> String {
    match task {
        None => format!("/projects/{project}"),
        Some(t) => format!("/projects/{project}/tasks/{t}"),
    }
}

/// `GET /portal/projects/{id}/tasks/{task}`: a client-visible task with its replies.
pub async fn task_page(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path((id, task)): Path<(String, String)>,
) -> Result<Html<String>> {
    let (id, task) = (parse_id(&id)?, parse_id(&task)?);
    // Internal tasks, other projects' and other clients' look like tasks that do not exist.
    let found = tasks::client_task(&state.db, ctx.scope(), id, task)
        .await?
        .ok_or(Error::NotFound)?;
    let project = store::get_for_client(&state.db, ctx.scope(), id)
        .await?
        .ok_or(Error::NotFound)?;
    let thread = thread(&ctx, &state, id, Some(task)).await?;
    ctx.record_view(&format!("task:{task}"), &found.title).await;
    ctx.render(
        "projects/task.html",
        context! {
            task => task_view(&ctx, found),
            project_name => project.name,
            project_status => project.status.label(),
            thread => thread,
            back => ctx.link(&page_path(id, None)),
        },
    )
}

/// `POST /portal/projects/{id}/replies`.
pub async fn reply_on_project(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let id = parse_id(&id)?;
    post(&state, &ctx, id, None, &body).await
}

/// `POST /portal/projects/{id}/tasks/{task}/replies`.
pub async fn reply_on_task(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path((id, task)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response> {
    let (id, task) = (parse_id(&id)?, parse_id(&task)?);
    post(&state, &ctx, id, Some(task), &body).await
}

/// Posts the contact's reply. A project or task they cannot see is not found before anything
/// else is looked at, so the answer never tells another client's ids apart from missing ones.
async fn post(
    state: &AppState,
    ctx: &PortalContext,
    project: i64,
    task: Option<i64>,
    body: &[u8],
) -> Result<Response> {
    let exists = match task {
        None => store::get_for_client(&state.db, ctx.scope(), project)
            .await?
            .is_some(),
        Some(t) => tasks::client_task(&state.db, ctx.scope(), project, t)
            .await?
            .is_some(),
    };
    if !exists {
        return Err(Error::NotFound);
    }
    if !can_comment(ctx) {
        return Err(Error::Forbidden(
            "Your account cannot add comments. Ask your account's administrator or the agency."
                .into(),
        ));
    }
    let text = comments::checked_body(Fields::parse(body).get("body"))?;
    let mut tx = ctx.scope().begin_write(&state.db).await?;
    let posted = comments::post_reply(&mut tx, ctx.scope(), project, task, &text).await?;
    // Logged as the contact's comment: the team's response figures start from it.
    let (subject, label) = news::comment_subject(&posted);
    if let Some(entry) = ctx.activity(Action::Comment, &subject, &label) {
        activity::record_in(&mut tx, &entry).await?;
    }
    tx.commit().await?;
    let to = format!("{}#reply-{}", page_path(project, task), posted.comment_id);
    Ok(Redirect::to(&ctx.link(&to)).into_response())
}
