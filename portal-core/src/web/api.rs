//! The core's own JSON API: who a token belongs to. Module APIs live in their modules.
use axum::Json;
use serde_json::{json, Value};

use crate::error::Result;
use crate::web::StaffContext;

/// `GET /api/me`: the token's staff member and workspace — what an integration checks first.
pub async fn me(ctx: StaffContext) -> Result<Json<Value>> {
    let ws = &ctx.tenant.workspace;
    Ok(Json(json!({
        "staff": { "id": ctx.user.id, "name": ctx.user.name, "email": ctx.user.email, "role": ctx.user.role },
        "workspace": { "id": ws.id, "slug": ws.slug, "name": ws.name, "plan": ws.plan_id },
    })))
}
