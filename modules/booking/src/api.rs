//! `GET /api/bookings[?host=me]`: upcoming meetings for integrations (times in Unix seconds
//! and the contact's zone).
use axum::extract::{Query, State};
use axum::Json;
use portal_core::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::store;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    host: String,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: StaffContext,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>> {
    let host = (q.host == "me").then_some(ctx.user.id);
    let found = store::upcoming(&state.db, ctx.tenant.workspace.id, host, now()).await?;
    Ok(Json(json!({
        "bookings": found.iter().map(|b| json!({
            "id": b.id,
            "status": b.status,
            "meeting_type": { "id": b.meeting_type_id, "name": b.type_name },
            "host": { "id": b.host_id, "name": b.host_name },
            "client": { "id": b.client_id, "name": b.client_name },
            "contact": { "id": b.contact_id, "name": b.contact_name, "email": b.contact_email },
            "starts_at": b.starts_at,
            "ends_at": b.ends_at,
            "time_zone": b.time_zone,
            "location": b.location,
        })).collect::<Vec<_>>(),
    })))
}
