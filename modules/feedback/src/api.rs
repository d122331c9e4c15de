//! `/api/feedback`: the inbox for integrations (a help desk, a task tracker), with the
//! admin's checks and notifications.
//!
//! - `GET /api/feedback[?assignee=me|{staff id}][&status=open|any|new|in_progress|resolved|declined]`
//! - `GET /api/feedback/{id}`: with the whole thread (notes included) and attachments
//! - `POST /api/feedback/{id}/messages` `{"body", "kind"?: "reply"|"note", "status"?}` → `201`
//! - `POST /api/feedback/{id}/status` `{"status"}`, `…/assign` `{"assignee": id|null}`
//! - `POST /api/feedback/{id}/task` → `201 {"task_id"}`
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use portal_core::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::admin::{answer, hand_over, locked, move_to, status_filter};
use crate::store::{self, Feedback, Filter, Thread};
use crate::work;

fn summary(ctx: &StaffContext, f: &Feedback) -> Value {
    json!({
        "id": f.id,
        "subject": f.subject,
        "body": f.body,
        "status": f.status,
        "category": f.category,
        "client": { "id": f.client_id, "name": f.client_name },
        "contact": { "id": f.contact_id, "name": f.sent_by },
        "project": f.project_id.map(|id| json!({ "id": id, "name": f.project_name })),
        "assignee_id": f.assignee_id,
        "task_id": f.task_id,
        "created_at": f.created_at,
        "updated_at": f.updated_at,
        "admin_url": ctx.tenant.link(&format!("/admin/feedback/{}", f.id)),
    })
}

fn detail(ctx: &StaffContext, t: &Thread) -> Value {
    let mut v = summary(ctx, &t.feedback);
    v["messages"] = json!(t
        .messages
        .iter()
        .map(|m| json!({
            "id": m.id,
            "author": m.author,
            "from_team": m.staff_user_id.is_some(),
            "note": m.internal,
            "body": m.body,
            "created_at": m.created_at,
        }))
        .collect::<Vec<_>>());
    v["files"] = json!(t
        .files
        .iter()
        .map(|a| json!({
            "id": a.file_id,
            "name": a.name,
            "content_type": a.content_type,
            "size": a.size,
            "content_url": ctx.tenant.link(&format!("/api/files/{}/content", a.file_id)),
        }))
        .collect::<Vec<_>>());
    v
}

/// The JSON body as fields, read once the feedback is found: another workspace's is not
/// found, whatever was sent.
async fn found_then_read(
    state: &AppState,
    ctx: &StaffContext,
    id: &str,
    raw: &Bytes,
) -> Result<Fields> {
    let ws = ctx.tenant.workspace.id;
    let mut tx = ScopedTx::begin_staff(&state.db, ws).await?;
    store::staff_one(&mut tx, ws, parse_id(id)?).await?;
    tx.commit().await?;
    Ok(Fields::from_json(&json_object(raw)?))
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    status: String,
}

/// `GET /api/feedback`.
pub async fn list(
    State(state): State<AppState>,
    ctx: StaffContext,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>> {
    let assignee = match q.assignee.as_str() {
        "" | "all" => None,
        "me" => Some(ctx.user.id),
        raw => Some(parse_id(raw)?),
    };
    let (status, open_only) = status_filter(&q.status)?;
    let filter = Filter {
        assignee,
        status,
        open_only,
    };
    let found = store::list_for_workspace(&state.db, ctx.tenant.workspace.id, &filter).await?;
    Ok(Json(json!({
        "feedback": found.iter().map(|f| summary(&ctx, f)).collect::<Vec<_>>(),
    })))
}

async fn shown(state: &AppState, ctx: &StaffContext, id: i64) -> Result<Value> {
    let t = store::thread_for_staff(&state.db, ctx.tenant.workspace.id, id).await?;
    Ok(detail(ctx, &t))
}

/// `GET /api/feedback/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    Ok(Json(shown(&state, &ctx, parse_id(&id)?).await?))
}

/// `POST /api/feedback/{id}/messages`.
pub async fn message(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let form = found_then_read(&state, &ctx, &id, &raw).await?;
    let (f, _) = answer(&state, &ctx, &id, &form).await?;
    Ok((StatusCode::CREATED, Json(shown(&state, &ctx, f.id).await?)).into_response())
}

/// `POST /api/feedback/{id}/status`.
pub async fn status(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Json<Value>> {
    let form = found_then_read(&state, &ctx, &id, &raw).await?;
    let f = move_to(&state, &ctx, &id, form.get("status")).await?;
    Ok(Json(shown(&state, &ctx, f.id).await?))
}

/// `POST /api/feedback/{id}/assign` (`null` or a missing `assignee`: nobody in particular).
pub async fn assign(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Json<Value>> {
    let form = found_then_read(&state, &ctx, &id, &raw).await?;
    let f = hand_over(&state, &ctx, &id, form.get("assignee")).await?;
    Ok(Json(shown(&state, &ctx, f.id).await?))
}

/// `POST /api/feedback/{id}/task`.
pub async fn task(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Response> {
    let (mut tx, f) = locked(&state, &ctx, &id).await?;
    let task = work::turn_into_task(&state, &ctx, &mut tx, &f).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json!({ "task_id": task }))).into_response())
}
