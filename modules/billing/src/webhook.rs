//! `POST /hooks/billing/stripe` (on the workspace's own address): Stripe's calls. No session
//! and no CSRF token — the signature is the proof (`stripe::receive`). A refused delivery
//! answers 400 and changes nothing; a believed one answers 200, applied or deliberately
//! ignored, so Stripe stops retrying it.
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::{Extension, Json};
use portal_core::prelude::*;
use serde_json::{json, Value};

use crate::stripe::{self, Outcome};

pub async fn stripe(
    State(state): State<AppState>,
    Extension(tenant): Extension<Arc<Tenant>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>> {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let outcome = stripe::receive(&state, tenant.workspace.id, signature, &body).await?;
    let said = match outcome {
        Outcome::Recorded => "recorded",
        Outcome::AlreadyRecorded => "already recorded",
        Outcome::Ignored(why) => why,
    };
    Ok(Json(json!({ "received": true, "outcome": said })))
}
