//! The staff view: every project of the workspace, by client.
use axum::extract::State;
use axum::response::Html;
use portal_core::minijinja::context;
use portal_core::{AppState, Result, StaffContext};

use crate::store::{self, STATUSES};

pub async fn list(State(state): State<AppState>, ctx: StaffContext) -> Result<Html<String>> {
    let projects = store::list_for_workspace(&state.db, ctx.tenant.workspace.id).await?;
    ctx.render(
        "projects/admin_list.html",
        context! { projects => projects, statuses => STATUSES },
    )
}
