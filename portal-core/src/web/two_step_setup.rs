//! A contact turning two-step sign-in on and off from their account page. Turning it on
//! takes a code from the app (proof the app holds the secret); turning it off takes one too
//! (a borrowed session alone cannot remove it). A contact who lost their phone asks the
//! agency, whose staff can reset it (recorded in the audit log).
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::totp;
use crate::db::now;
use crate::error::{Error, Result};
use crate::web::PortalContext;
use crate::with_db;

#[derive(sqlx::FromRow)]
struct State2 {
    totp_secret: Option<String>,
    totp_enabled_at: Option<i64>,
    totp_last_step: Option<i64>,
}

async fn current(state: &AppState, ctx: &PortalContext) -> Result<State2> {
    let sql = "SELECT totp_secret, totp_enabled_at, totp_last_step FROM contacts WHERE id = $1 AND workspace_id = $2";
    let found: Option<State2> = with_db!(&state.db, pool => sqlx::query_as(sql).bind(ctx.user.contact_id).bind(ctx.tenant.workspace.id).fetch_optional(pool).await)?;
    found.ok_or(Error::NotFound)
}

/// Whether this contact has two-step sign-in on (for the account page).
pub async fn is_on(state: &AppState, ctx: &PortalContext) -> Result<bool> {
    Ok(current(state, ctx).await?.totp_enabled_at.is_some())
}

/// `POST /portal/account/two-step/setup`: a new secret, not active until confirmed.
pub async fn setup(State(state): State<AppState>, ctx: PortalContext) -> Result<Response> {
    if current(&state, &ctx).await?.totp_enabled_at.is_some() {
        return Err(Error::Conflict("Two-step sign-in is already on.".into()));
    }
    let sql = "UPDATE contacts SET totp_secret = $1, totp_last_step = NULL WHERE id = $2 AND workspace_id = $3 AND totp_enabled_at IS NULL";
    with_db!(&state.db, pool => sqlx::query(sql).bind(totp::new_secret()).bind(ctx.user.contact_id).bind(ctx.tenant.workspace.id).execute(pool).await.map(|_| ()))?;
    Ok(Redirect::to(&ctx.link("/account/two-step")).into_response())
}

fn setup_page(
    ctx: &PortalContext,
    secret: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response> {
    let url = totp::setup_url(secret, &ctx.tenant.workspace.name, &ctx.user.email);
    let html = ctx.render(
        "portal/two_step_setup.html",
        context! {
            secret => secret,
            qr => totp::qr_svg(&url),
            error => error,
            confirm => ctx.link("/account/two-step/confirm"),
            back => ctx.link("/account"),
        },
    )?;
    Ok((status, html).into_response())
}

/// `GET /portal/account/two-step`: the QR code and key to scan, and the confirming code.
pub async fn show(State(state): State<AppState>, ctx: PortalContext) -> Result<Response> {
    let s = current(&state, &ctx).await?;
    match (s.totp_enabled_at, s.totp_secret) {
        (None, Some(secret)) => setup_page(&ctx, &secret, None, StatusCode::OK),
        _ => Ok(Redirect::to(&ctx.link("/account")).into_response()),
    }
}

#[derive(Deserialize)]
pub struct Code {
    #[serde(default)]
    code: String,
}

fn read(form: std::result::Result<Form<Code>, FormRejection>) -> Result<Code> {
    form.map(|Form(c)| c)
        .map_err(|_| Error::BadRequest("The form was not sent correctly.".into()))
}

/// `POST /portal/account/two-step/confirm`.
pub async fn confirm(
    State(state): State<AppState>,
    ctx: PortalContext,
    form: std::result::Result<Form<Code>, FormRejection>,
) -> Result<Response> {
    let code = read(form)?.code;
    let s = current(&state, &ctx).await?;
    let (None, Some(secret)) = (s.totp_enabled_at, s.totp_secret) else {
        return Ok(Redirect::to(&ctx.link("/account")).into_response());
    };
    let Some(step) = totp::verify(&secret, &code, s.totp_last_step, now()) else {
        let error = "That code is not right. Enter the 6 digits the app shows now.";
        return setup_page(&ctx, &secret, Some(error), StatusCode::UNPROCESSABLE_ENTITY);
    };
    let sql = "UPDATE contacts SET totp_enabled_at = $1, totp_last_step = $2 \
               WHERE id = $3 AND workspace_id = $4 AND totp_secret = $5 AND totp_enabled_at IS NULL";
    with_db!(&state.db, pool => sqlx::query(sql).bind(now()).bind(step).bind(ctx.user.contact_id).bind(ctx.tenant.workspace.id).bind(&secret).execute(pool).await.map(|_| ()))?;
    Ok(Redirect::to(&ctx.link("/account?done=two_step_on")).into_response())
}

/// `POST /portal/account/two-step/disable`: takes a current code.
pub async fn disable(
    State(state): State<AppState>,
    ctx: PortalContext,
    form: std::result::Result<Form<Code>, FormRejection>,
) -> Result<Response> {
    let code = read(form)?.code;
    let s = current(&state, &ctx).await?;
    let (Some(_), Some(secret)) = (s.totp_enabled_at, s.totp_secret) else {
        return Ok(Redirect::to(&ctx.link("/account")).into_response());
    };
    if totp::verify(&secret, &code, s.totp_last_step, now()).is_none() {
        return Ok(Redirect::to(&ctx.link("/account?done=two_step_wrong")).into_response());
    }
    clear(&state.db, ctx.tenant.workspace.id, ctx.user.contact_id).await?;
    Ok(Redirect::to(&ctx.link("/account?done=two_step_off")).into_response())
}

/// Turns a contact's two-step sign-in off (also staff's reset for a lost phone).
pub async fn clear(db: &crate::db::Db, workspace_id: i64, contact_id: i64) -> Result<()> {
    let sql =
        "UPDATE contacts SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL \
               WHERE id = $1 AND workspace_id = $2";
    with_db!(db, pool => sqlx::query(sql).bind(contact_id).bind(workspace_id).execute(pool).await.map(|_| ()))?;
    Ok(())
}
