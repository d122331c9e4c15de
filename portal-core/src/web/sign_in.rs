//! Contacts signing in with email and password.
//!
//! Every failure reads the same — unknown email, wrong password, no password set yet,
//! deactivated contact — and costs the same (see `auth::password`), so the form reveals
//! nothing about who has an account. A success replaces any session the browser presented
//! (the session id rotates at sign-in).
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use minijinja::context;
use serde::Deserialize;

use crate::app::AppState;
use crate::error::{Error, Result};
use crate::web::context::PortalUser;
use crate::web::csrf::CsrfToken;
use crate::web::session;
use crate::web::{render, Tenant};
use crate::with_db;

#[derive(Deserialize, Default)]
pub struct Next {
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
pub struct Credentials {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Where to go after signing in: the page asked for, if it is one of this portal's own.
fn destination(tenant: &Tenant, next: &str) -> String {
    let root = tenant.link("/portal/");
    let portal = tenant.link("/portal");
    let local = (next == portal || next.starts_with(&root))
        && !next.contains("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    if local {
        next.to_string()
    } else {
        root
    }
}

fn page(
    tenant: &Tenant,
    state: &AppState,
    csrf: &str,
    status: StatusCode,
    email: &str,
    next: &str,
    error: Option<&str>,
) -> Result<Response> {
    let html = state.templates.render(
        "portal/sign_in.html",
        context! {
            brand => render::branding(tenant),
            action => tenant.link("/portal/sign-in"),
            csrf_token => csrf,
            email => email,
            next => next,
            error => error,
            ..render::globals()
        },
    )?;
    Ok((status, Html(html)).into_response())
}

pub async fn form(
    State(state): State<AppState>,
    Extension(tenant): Extension<Arc<Tenant>>,
    Extension(csrf): Extension<CsrfToken>,
    user: Option<Extension<Arc<PortalUser>>>,
    Query(next): Query<Next>,
) -> Result<Response> {
    if user.is_some() {
        return Ok(Redirect::to(&destination(&tenant, &next.next)).into_response());
    }
    page(
        &tenant,
        &state,
        &csrf.0,
        StatusCode::OK,
        "",
        &next.next,
        None,
    )
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(tenant): Extension<Arc<Tenant>>,
    Extension(csrf): Extension<CsrfToken>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    form: std::result::Result<Form<Credentials>, FormRejection>,
) -> Result<Response> {
    let Ok(Form(form)) = form else {
        return Err(Error::BadRequest(
            "The sign-in form was not sent correctly.".into(),
        ));
    };
    let email = form.email.trim().to_ascii_lowercase();
    let malformed = if email.len() > 254
        || !email.contains('@')
        || email.starts_with('@')
        || email.ends_with('@')
    {
        Some("Enter the email address your invitation was sent to.")
    } else if form.password.is_empty() || form.password.len() > crate::auth::password::MAX_LEN {
        Some("Enter your password.")
    } else {
        None
    };
    if let Some(message) = malformed {
        return page(
            &tenant,
            &state,
            &csrf.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form.email,
            &form.next,
            Some(message),
        );
    }
    state.attempt_limits.check(
        peer.map(|Extension(ConnectInfo(addr))| addr.ip()),
        &format!("{}:{email}", tenant.workspace.id),
    )?;

    let sql =
        "SELECT c.id, c.password_hash FROM contacts c JOIN clients cl ON cl.id = c.client_id \
               WHERE c.workspace_id = $1 AND c.email = $2 AND c.active AND cl.active";
    let found: Option<(i64, Option<String>)> = with_db!(&state.db, pool => sqlx::query_as(sql).bind(tenant.workspace.id).bind(&email).fetch_optional(pool).await)?;
    let stored = found.as_ref().and_then(|(_, hash)| hash.as_deref());
    let ok = state.passwords.verify(&form.password, stored).await?;
    let Some((contact_id, _)) = found.filter(|_| ok) else {
        return page(
            &tenant,
            &state,
            &csrf.0,
            StatusCode::UNAUTHORIZED,
            &form.email,
            &form.next,
            Some("That email and password do not match an account here."),
        );
    };

    // A new session id for a new sign-in: whatever the browser held before is ended.
    if let Some(old) = session::portal_token(&headers) {
        session::delete_portal_session(&state, &old).await?;
    }
    let cookie = session::start_portal_session(&state, &tenant, contact_id).await?;
    Ok((
        [(header::SET_COOKIE, cookie)],
        Redirect::to(&destination(&tenant, &form.next)),
    )
        .into_response())
}
