//! A Stripe-compatible test server, started by the tests (Stripe itself is unreachable from
//! these machines): it answers `POST /v1/checkout/sessions` as Stripe does — with the secret
//! key checked — and keeps what each session was asked for. The tests then play Stripe's
//! part of the flow: sign a `checkout.session.completed` event with the workspace's webhook
//! secret (or with the wrong one, or too late) and deliver it. `POST
//! /v1/checkout/sessions/{id}/expire` closes a session, as Stripe's does (or fails, when a
//! test asks it to). An `Idempotency-Key` seen before answers with the session it made, as
//! Stripe does for 24 hours, without making another — and, as Stripe, refuses the key when
//! it comes with other parameters.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};

/// One Checkout session the portal opened.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: String,
    pub form: Vec<(String, String)>,
    /// Closed through the expire call.
    pub expired: bool,
}

impl Session {
    pub fn field(&self, key: &str) -> &str {
        self.form
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

/// An idempotency key, the parameters it first came with, and the session it made.
type Answered = (String, Vec<(String, String)>, String);

#[derive(Clone)]
struct Shared {
    key: String,
    base: String,
    sessions: Arc<Mutex<Vec<Session>>>,
    /// Idempotency keys already answered.
    keys: Arc<Mutex<Vec<Answered>>>,
    /// Answer every expire call with a server error.
    refuse_expiry: Arc<std::sync::atomic::AtomicBool>,
}

pub struct StripeServer {
    pub url: String,
    shared: Shared,
}

impl StripeServer {
    /// A server that accepts `secret_key` only.
    pub async fn start(secret_key: &str) -> StripeServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = Shared {
            key: secret_key.to_string(),
            base: url.clone(),
            sessions: Arc::default(),
            keys: Arc::default(),
            refuse_expiry: Arc::default(),
        };
        let app = Router::new()
            .route("/v1/checkout/sessions", post(create_session))
            .route("/v1/checkout/sessions/{id}/expire", post(expire_session))
            .with_state(shared.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        StripeServer { url, shared }
    }

    pub fn sessions(&self) -> Vec<Session> {
        self.shared.sessions.lock().unwrap().clone()
    }

    /// From now on, closing a session fails as an outage would.
    pub fn refuse_expiry(&self) {
        self.shared
            .refuse_expiry
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

fn refusal(status: StatusCode, message: &str) -> Response {
    let body =
        serde_json::json!({ "error": { "type": "invalid_request_error", "message": message } });
    (status, Json(body)).into_response()
}

fn authorised(shared: &Shared, headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {}", shared.key))
}

async fn create_session(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if !authorised(&shared, &headers) {
        return refusal(StatusCode::UNAUTHORIZED, "Invalid API Key provided");
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut keys = shared.keys.lock().unwrap();
    let known = key
        .as_ref()
        .and_then(|k| keys.iter().find(|(seen, _, _)| seen == k))
        .map(|(_, asked, id)| (asked.clone(), id.clone()));
    let id = match known {
        Some((asked, _)) if asked != form => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "Keys for idempotent requests can only be used with the same parameters they were first used with.",
            );
        }
        Some((_, id)) => id,
        None => {
            let mut sessions = shared.sessions.lock().unwrap();
            let id = format!("cs_test_{}", sessions.len() + 1);
            sessions.push(Session {
                id: id.clone(),
                form: form.clone(),
                expired: false,
            });
            if let Some(k) = key {
                keys.push((k, form, id.clone()));
            }
            id
        }
    };
    drop(keys);
    let url = format!("{}/c/pay/{id}", shared.base);
    Json(serde_json::json!({ "id": id, "object": "checkout.session", "url": url })).into_response()
}

async fn expire_session(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !authorised(&shared, &headers) {
        return refusal(StatusCode::UNAUTHORIZED, "Invalid API Key provided");
    }
    if shared
        .refuse_expiry
        .load(std::sync::atomic::Ordering::SeqCst)
    {
        return refusal(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong");
    }
    let mut sessions = shared.sessions.lock().unwrap();
    let Some(session) = sessions.iter_mut().find(|s| s.id == id) else {
        return refusal(StatusCode::NOT_FOUND, "No such checkout.session");
    };
    if session.expired {
        return refusal(
            StatusCode::BAD_REQUEST,
            "Only Checkout Sessions with a status in [\"open\"] can be expired.",
        );
    }
    session.expired = true;
    Json(serde_json::json!({ "id": id, "object": "checkout.session", "status": "expired" }))
        .into_response()
}

/// `Stripe-Signature` for `body` signed with `secret` at `t`, as Stripe makes it.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let v1 =
        portal_core::secrets::hmac_sha256_hex(secret.as_bytes(), format!("{t}.{body}").as_bytes());
    format!("t={t},v1={v1}")
}

/// A `checkout.session.completed` event for a paid session.
pub fn completed(event: &str, session: &str, amount: i64, currency: &str) -> String {
    serde_json::json!({
        "id": event,
        "object": "event",
        "type": "checkout.session.completed",
        "data": { "object": {
            "id": session,
            "object": "checkout.session",
            "amount_total": amount,
            "currency": currency,
            "payment_status": "paid",
        } }
    })
    .to_string()
}
