//! The staff JSON API.
use axum::extract::{Path, State};
use axum::Json;
use portal_core::{AppState, Error, Result, StaffContext};
use serde_json::{json, Value};

use crate::store;

pub async fn list(State(state): State<AppState>, ctx: StaffContext) -> Result<Json<Value>> {
    let projects = store::list_for_workspace(&state.db, ctx.tenant.workspace.id).await?;
    Ok(Json(json!({ "projects": projects })))
}

pub async fn detail(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let ws = ctx.tenant.workspace.id;
    let project = store::get_for_workspace(&state.db, ws, id)
        .await?
        .ok_or(Error::NotFound)?;
    let milestones = store::milestones_for_workspace(&state.db, ws, id).await?;
    Ok(Json(
        json!({ "project": project, "milestones": milestones }),
    ))
}
