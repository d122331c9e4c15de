//! `/api/approvals`: the same requests for integrations — list, one with its versions, files
//! and history, open one (with files already uploaded through `/api/files`), add files to the
//! version being prepared, send it for review. Decisions are the client's, in the portal.
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use portal_core::prelude::*;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::store::{self, NewApproval};

fn body<T: DeserializeOwned>(raw: &Bytes, what: &str) -> Result<T> {
    serde_json::from_slice(raw)
        .map_err(|e| Error::BadRequest(format!("Send JSON with {what}: {e}")))
}

/// `GET /api/approvals`.
pub async fn list(State(state): State<AppState>, ctx: StaffContext) -> Result<Json<Value>> {
    let found = store::list_for_workspace(&state.db, ctx.tenant.workspace.id, None).await?;
    Ok(Json(json!({ "approvals": found })))
}

/// `GET /api/approvals/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let view =
        store::view_for_workspace(&state.db, ctx.tenant.workspace.id, parse_id(&id)?).await?;
    Ok(Json(json!({
        "approval": view.approval,
        "versions": view.versions,
        "files": view.files,
        "history": view.events,
    })))
}

#[derive(Deserialize)]
pub struct Create {
    project_id: i64,
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    due_date: Option<String>,
    #[serde(default)]
    file_ids: Vec<i64>,
}

/// `POST /api/approvals`: a draft (with version 1's files, if given); `201` with its id.
pub async fn create(
    State(state): State<AppState>,
    ctx: StaffContext,
    raw: Bytes,
) -> Result<Response> {
    let c: Create = body(
        &raw,
        "project_id, title and optionally description, due_date, file_ids",
    )?;
    let form = Fields::from_pairs(&[
        ("title", &c.title),
        ("description", &c.description),
        ("due_date", c.due_date.as_deref().unwrap_or("")),
    ]);
    let (title, description, due) = crate::admin::details(&form)?;
    let ws = ctx.tenant.workspace.id;
    let new = NewApproval {
        project_id: c.project_id,
        title: &title,
        description: &description,
        due_date: due,
        by_id: Some(ctx.user.id),
        by: &ctx.user.name,
    };
    let mut tx = ScopedTx::begin_staff_write(&state.db, ws).await?;
    let id = store::create(&mut tx, ws, &new).await?;
    if !c.file_ids.is_empty() {
        let a = store::staff_one(&mut tx, ws, id).await?;
        store::add_files(&mut tx, &a, &c.file_ids).await?;
    }
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

#[derive(Deserialize)]
pub struct Files {
    file_ids: Vec<i64>,
}

/// `POST /api/approvals/{id}/files` (`{"file_ids": […]}`): into the version being prepared.
pub async fn add_files(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Json<Value>> {
    let ws = ctx.tenant.workspace.id;
    let mut tx = ScopedTx::begin_staff_write(&state.db, ws).await?;
    let a = store::staff_one(&mut tx, ws, parse_id(&id)?).await?;
    let f: Files = body(&raw, "file_ids")?;
    if f.file_ids.is_empty() {
        return Err(Error::BadRequest("Give at least one file id.".into()));
    }
    let version = store::add_files(&mut tx, &a, &f.file_ids).await?;
    tx.commit().await?;
    Ok(Json(json!({ "version": version })))
}

/// `POST /api/approvals/{id}/submit`: the newest version goes to the client's approvers.
pub async fn submit(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let ws = ctx.tenant.workspace.id;
    let mut tx = ScopedTx::begin_staff_write(&state.db, ws).await?;
    let a = store::staff_one(&mut tx, ws, parse_id(&id)?).await?;
    let version = crate::admin::send_for_review(&state, &ctx, tx, &a).await?;
    Ok(Json(json!({ "status": "pending", "version": version })))
}
