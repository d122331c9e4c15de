//! The staff JSON API. Staff see everything: every task with its `client_visible` flag and
//! internal notes, and comments of both kinds, each with its `kind`.
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use portal_core::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::admin_project::{existing_project, staff_comment};
use crate::comments::{self, checked_body, NOTE, REPLY};
use crate::{store, tasks};

pub async fn list(State(state): State<AppState>, ctx: StaffContext) -> Result<Json<Value>> {
    let projects = store::list_for_workspace(&state.db, ctx.tenant.workspace.id).await?;
    Ok(Json(json!({ "projects": projects })))
}

pub async fn detail(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let ws = ctx.tenant.workspace.id;
    let project = existing_project(&state, ws, &id).await?;
    let id = project.id;
    let milestones = store::milestones_for_workspace(&state.db, ws, id).await?;
    let tasks = tasks::tasks_for_workspace(&state.db, ws, id).await?;
    let comments = comments::comments_for_workspace(&state.db, ws, id).await?;
    Ok(Json(json!({
        "project": project,
        "milestones": milestones,
        "tasks": tasks,
        "comments": comments,
    })))
}

#[derive(Deserialize)]
struct NewComment {
    kind: String,
    body: String,
    #[serde(default)]
    task_id: Option<i64>,
}

/// `POST /api/projects/{id}/comments` with `{"kind": "note"|"reply", "body": …, "task_id"?}`:
/// `201` with the comment's id.
pub async fn add_comment(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>)> {
    let ws = ctx.tenant.workspace.id;
    let project = existing_project(&state, ws, &id).await?;
    let input: NewComment = serde_json::from_slice(&body).map_err(|_| {
        Error::BadRequest(
            "Send JSON: {\"kind\": \"note\" or \"reply\", \"body\": text, \"task_id\": optional}."
                .into(),
        )
    })?;
    let kind = match input.kind.as_str() {
        "note" => NOTE,
        "reply" => REPLY,
        _ => return Err(Error::BadRequest("`kind` is \"note\" or \"reply\".".into())),
    };
    let text = checked_body(&input.body)?;
    let posted = staff_comment(&state, &ctx, &project, input.task_id, kind, &text).await?;
    Ok((StatusCode::CREATED, Json(json!({ "comment": posted }))))
}
