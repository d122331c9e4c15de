//! `/api/shares`: the same sharing as the admin page, for integrations — list, share
//! (`{"client_id", "file_ids", "folder"?, "project_id"?}`), unshare.
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use portal_core::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::store;

/// `GET /api/shares`: every share of the workspace, by client.
pub async fn list(State(state): State<AppState>, ctx: StaffContext) -> Result<Json<Value>> {
    let shares = store::for_workspace(&state.db, ctx.tenant.workspace.id).await?;
    Ok(Json(json!({ "shares": shares })))
}

#[derive(Deserialize)]
pub struct ShareBody {
    client_id: i64,
    file_ids: Vec<i64>,
    #[serde(default)]
    folder: String,
    #[serde(default)]
    project_id: Option<i64>,
}

/// `POST /api/shares`: `201` with how many shares are new (files already shared with the
/// client keep their share).
pub async fn share(
    State(state): State<AppState>,
    ctx: StaffContext,
    body: axum::body::Bytes,
) -> Result<Response> {
    let body: ShareBody = serde_json::from_slice(&body).map_err(|e| {
        Error::BadRequest(format!(
            "Send JSON with client_id, file_ids and optionally folder and project_id: {e}"
        ))
    })?;
    let new = store::NewShare {
        client_id: body.client_id,
        files: &body.file_ids,
        folder: body.folder.trim(),
        project_id: body.project_id,
        by: &ctx.user.name,
    };
    store::checked(&new)?;
    let added = store::share(&state.db, ctx.tenant.workspace.id, &new).await?;
    Ok((StatusCode::CREATED, Json(json!({ "added": added }))).into_response())
}

/// `DELETE /api/shares/{share}`: `204`; the client's contacts lose the file on their next request.
pub async fn unshare(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    store::unshare(&state.db, ctx.tenant.workspace.id, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
