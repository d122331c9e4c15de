//! The second step of signing in, for accounts with two-step sign-in (TOTP): after the
//! password (or a one-time link), a short-lived challenge instead of a session; the code
//! from the authenticator app turns it into one. Staff whose workspace requires two-step
//! sign-in and who have not set it up yet enrol right there, before they get in.
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use minijinja::context;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::totp;
use crate::db::now;
use crate::error::{Error, Result};
use crate::tenancy::Tenant;
use crate::web::csrf::CsrfToken;
use crate::web::render;
use crate::web::session::ClientAddr;
use crate::web::session::{hash_token, new_token, CookieSpec, SessionMeta};
use crate::web::sign_in::Door;

const COOKIE: &str = "portico_challenge";
/// Time to fetch the phone and type the code.
const CHALLENGE_SECS: i64 = 10 * 60;
/// Wrong codes before the challenge is void and the password is asked again.
const MAX_FAILURES: i64 = 5;

/// What an account needs after its first factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Needed {
    Nothing,
    Code,
    Enrolment,
}

impl Door {
    fn surface(self) -> &'static str {
        match self {
            Door::Portal => "portal",
            Door::Admin => "admin",
        }
    }

    fn challenge_cookie(self, tenant: &Tenant, secure: bool) -> CookieSpec {
        CookieSpec::new(COOKIE, self.prefix(), tenant, secure)
    }
}

#[derive(sqlx::FromRow)]
struct Factor {
    totp_secret: Option<String>,
    totp_enabled_at: Option<i64>,
    totp_last_step: Option<i64>,
    email: String,
}

async fn factor(
    state: &AppState,
    door: Door,
    workspace_id: i64,
    id: i64,
) -> Result<Option<Factor>> {
    let sql = format!(
        "SELECT totp_secret, totp_enabled_at, totp_last_step, email FROM {} WHERE id = $1 AND workspace_id = $2",
        door.accounts()
    );
    state
        .db
        .query_as(&sql)
        .bind(id)
        .bind(workspace_id)
        .fetch_optional()
        .await
}

async fn needed(state: &AppState, door: Door, workspace_id: i64, id: i64) -> Result<Needed> {
    let enabled = factor(state, door, workspace_id, id)
        .await?
        .is_some_and(|f| f.totp_enabled_at.is_some() && f.totp_secret.is_some());
    if enabled {
        return Ok(Needed::Code);
    }
    if door == Door::Admin {
        let sql = "SELECT require_staff_2fa FROM workspaces WHERE id = $1";
        let required: bool = state
            .db
            .query_scalar(sql)
            .bind(workspace_id)
            .fetch_one()
            .await?;
        if required {
            return Ok(Needed::Enrolment);
        }
    }
    Ok(Needed::Nothing)
}

/// The first factor checked out for account `id`: a session now, or the second step first.
pub async fn finish_sign_in(
    door: Door,
    state: &AppState,
    tenant: &Tenant,
    headers: &HeaderMap,
    id: i64,
    meta: &SessionMeta,
    next: &str,
) -> Result<Response> {
    let secure = state.config.secure_cookies;
    if needed(state, door, tenant.workspace.id, id).await? == Needed::Nothing {
        let cookie = door.start(state, tenant, headers, id, meta).await?;
        let to = door.destination(tenant, next);
        return Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&to)).into_response());
    }
    let (token, hash) = new_token();
    let at = now();
    let sql = "INSERT INTO sign_in_challenges (token_hash, workspace_id, surface, account_id, next, created_at, expires_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7)";
    let next: String = next.chars().take(500).collect();
    state
        .db
        .query(sql)
        .bind(&hash)
        .bind(tenant.workspace.id)
        .bind(door.surface())
        .bind(id)
        .bind(&next)
        .bind(at)
        .bind(at + CHALLENGE_SECS)
        .execute()
        .await?;
    let cookie = door
        .challenge_cookie(tenant, secure)
        .set(&token, Some(CHALLENGE_SECS));
    let to = tenant.link(&format!("{}/sign-in/code", door.prefix()));
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&to)).into_response())
}

#[derive(sqlx::FromRow)]
struct Challenge {
    token_hash: String,
    account_id: i64,
    next: String,
    failures: i64,
    pending_secret: Option<String>,
}

async fn challenge(
    state: &AppState,
    door: Door,
    tenant: &Tenant,
    headers: &HeaderMap,
) -> Result<Option<Challenge>> {
    let Some(token) = door
        .challenge_cookie(tenant, state.config.secure_cookies)
        .read(headers)
    else {
        return Ok(None);
    };
    let sql = "SELECT token_hash, account_id, next, failures, pending_secret FROM sign_in_challenges \
               WHERE token_hash = $1 AND workspace_id = $2 AND surface = $3 AND expires_at > $4 AND failures < $5";
    state
        .db
        .query_as(sql)
        .bind(hash_token(&token))
        .bind(tenant.workspace.id)
        .bind(door.surface())
        .bind(now())
        .bind(MAX_FAILURES)
        .fetch_optional()
        .await
}

/// The page when there is no challenge (any more): back to the password.
fn start_again(state: &AppState, door: Door, tenant: &Tenant) -> Result<Response> {
    let html = state.templates.render(
        "two_step.html",
        context! {
            brand => crate::branding::shown(tenant),
            expired => true,
            again => tenant.link(&format!("{}/sign-in", door.prefix())),
            ..render::globals()
        },
    )?;
    Ok((StatusCode::UNAUTHORIZED, Html(html)).into_response())
}

fn code_page(
    state: &AppState,
    door: Door,
    tenant: &Tenant,
    csrf: &str,
    enrol: Option<(&str, &str)>,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response> {
    let html = state.templates.render(
        "two_step.html",
        context! {
            brand => crate::branding::shown(tenant),
            csrf_token => csrf,
            action => tenant.link(&format!("{}/sign-in/code", door.prefix())),
            enrol => enrol.map(|(secret, email)| {
                let url = totp::setup_url(secret, &tenant.workspace.name, email);
                context! { secret => secret, qr => totp::qr_svg(&url) }
            }),
            error => error,
            ..render::globals()
        },
    )?;
    Ok((status, Html(html)).into_response())
}

/// A secret to enrol, kept on the challenge so reloading the page shows the same QR code.
async fn enrolment_secret(state: &AppState, c: &Challenge) -> Result<String> {
    if let Some(secret) = &c.pending_secret {
        return Ok(secret.clone());
    }
    let secret = totp::new_secret();
    let sql = "UPDATE sign_in_challenges SET pending_secret = $1 WHERE token_hash = $2";
    state
        .db
        .query(sql)
        .bind(&secret)
        .bind(&c.token_hash)
        .execute()
        .await?;
    Ok(secret)
}

/// `GET …/sign-in/code`.
pub async fn form(
    State(state): State<AppState>,
    Extension(door): Extension<Door>,
    Extension(tenant): Extension<Arc<Tenant>>,
    Extension(csrf): Extension<CsrfToken>,
    headers: HeaderMap,
) -> Result<Response> {
    let Some(c) = challenge(&state, door, &tenant, &headers).await? else {
        return start_again(&state, door, &tenant);
    };
    let Some(f) = factor(&state, door, tenant.workspace.id, c.account_id).await? else {
        return start_again(&state, door, &tenant);
    };
    if f.totp_enabled_at.is_some() {
        return code_page(&state, door, &tenant, &csrf.0, None, None, StatusCode::OK);
    }
    let secret = enrolment_secret(&state, &c).await?;
    code_page(
        &state,
        door,
        &tenant,
        &csrf.0,
        Some((&secret, &f.email)),
        None,
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct Code {
    #[serde(default)]
    code: String,
}

/// `POST …/sign-in/code`: the code turns the challenge into a session.
#[allow(clippy::too_many_arguments)]
pub async fn submit(
    State(state): State<AppState>,
    Extension(door): Extension<Door>,
    Extension(tenant): Extension<Arc<Tenant>>,
    Extension(csrf): Extension<CsrfToken>,
    addr: ClientAddr,
    headers: HeaderMap,
    form: std::result::Result<Form<Code>, FormRejection>,
) -> Result<Response> {
    let Ok(Form(form)) = form else {
        return Err(Error::BadRequest("The form was not sent correctly.".into()));
    };
    let Some(c) = challenge(&state, door, &tenant, &headers).await? else {
        return start_again(&state, door, &tenant);
    };
    let ip = addr.0;
    let account = format!(
        "{}:{}:2fa:{}",
        door.prefix(),
        tenant.workspace.id,
        c.account_id
    );
    state.attempt_limits.before(ip, &account)?;
    let Some(f) = factor(&state, door, tenant.workspace.id, c.account_id).await? else {
        return start_again(&state, door, &tenant);
    };
    let enrolling = f.totp_enabled_at.is_none();
    let secret = if enrolling {
        c.pending_secret.clone()
    } else {
        f.totp_secret.clone()
    };
    let step = secret
        .as_deref()
        .and_then(|s| totp::verify(s, &form.code, f.totp_last_step, now()));
    let accepted = match (step, &secret) {
        (Some(step), Some(secret)) => {
            accept(
                &state,
                door,
                tenant.workspace.id,
                c.account_id,
                step,
                enrolling.then_some(secret.as_str()),
            )
            .await?
        }
        _ => false,
    };
    if !accepted {
        state.attempt_limits.failed(ip, &account);
        let sql = "UPDATE sign_in_challenges SET failures = failures + 1 WHERE token_hash = $1";
        state.db.query(sql).bind(&c.token_hash).execute().await?;
        if c.failures + 1 >= MAX_FAILURES {
            return start_again(&state, door, &tenant);
        }
        let enrol =
            enrolling.then(|| (c.pending_secret.as_deref().unwrap_or(""), f.email.as_str()));
        let error = "That code is not right. Enter the 6 digits your authenticator app shows now.";
        return code_page(
            &state,
            door,
            &tenant,
            &csrf.0,
            enrol,
            Some(error),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let sql = "DELETE FROM sign_in_challenges WHERE token_hash = $1";
    state.db.query(sql).bind(&c.token_hash).execute().await?;
    let meta = SessionMeta::from_request(&headers, ip);
    let session = door
        .start(&state, &tenant, &headers, c.account_id, &meta)
        .await?;
    let clear = door
        .challenge_cookie(&tenant, state.config.secure_cookies)
        .set("", Some(0));
    let to = door.destination(&tenant, &c.next);
    let mut res = Redirect::to(&to).into_response();
    let h = res.headers_mut();
    h.append(header::SET_COOKIE, session);
    h.append(header::SET_COOKIE, clear);
    Ok(res)
}

/// Records the accepted step (refusing a replay that raced us), and completes an enrolment.
async fn accept(
    state: &AppState,
    door: Door,
    workspace_id: i64,
    id: i64,
    step: i64,
    enrol: Option<&str>,
) -> Result<bool> {
    let sql = format!(
        "UPDATE {} SET totp_last_step = $1, totp_secret = COALESCE($2, totp_secret), \
         totp_enabled_at = COALESCE(totp_enabled_at, $3) \
         WHERE id = $4 AND workspace_id = $5 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        door.accounts()
    );
    let n = state
        .db
        .query(&sql)
        .bind(step)
        .bind(enrol)
        .bind(now())
        .bind(id)
        .bind(workspace_id)
        .execute()
        .await?;
    Ok(n == 1)
}
