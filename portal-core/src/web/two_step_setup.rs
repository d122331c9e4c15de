//! Turning two-step sign-in on and off from one's account page (contacts and staff alike).
//! Turning it on takes a code from the app (proof the app holds the secret); turning it off
//! takes one too (a borrowed session alone cannot remove it), and staff cannot turn it off
//! while their workspace requires it. A contact who lost their phone asks the agency, whose
//! staff can reset it (recorded in the audit log).
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
use crate::web::account::{back_to_account, AccountDone};
use crate::web::me::Me;
use crate::web::session::ClientAddr;
use crate::web::sign_in::Door;

#[derive(sqlx::FromRow)]
struct Factor {
    totp_secret: Option<String>,
    totp_enabled_at: Option<i64>,
    totp_last_step: Option<i64>,
}

async fn current(state: &AppState, me: &Me) -> Result<Factor> {
    let sql = format!(
        "SELECT totp_secret, totp_enabled_at, totp_last_step FROM {} WHERE id = $1 AND workspace_id = $2",
        me.door().accounts()
    );
    let found: Option<Factor> = state
        .db
        .query_as(&sql)
        .bind(me.id())
        .bind(me.workspace_id())
        .fetch_optional()
        .await?;
    found.ok_or(Error::NotFound)
}

/// Whether this account has two-step sign-in on (for the account page).
pub async fn is_on(state: &AppState, me: &Me) -> Result<bool> {
    Ok(current(state, me).await?.totp_enabled_at.is_some())
}

/// Whether staff of this workspace must keep two-step sign-in on.
async fn required(state: &AppState, me: &Me) -> Result<bool> {
    if me.door() != Door::Admin {
        return Ok(false);
    }
    let sql = "SELECT require_staff_2fa FROM workspaces WHERE id = $1";
    state
        .db
        .query_scalar(sql)
        .bind(me.workspace_id())
        .fetch_one()
        .await
}

/// `POST …/account/two-step/setup`: a new secret, not active until confirmed.
pub async fn setup(State(state): State<AppState>, me: Me) -> Result<Response> {
    if current(&state, &me).await?.totp_enabled_at.is_some() {
        return Err(Error::Conflict("Two-step sign-in is already on.".into()));
    }
    let sql = format!(
        "UPDATE {} SET totp_secret = $1, totp_last_step = NULL \
         WHERE id = $2 AND workspace_id = $3 AND totp_enabled_at IS NULL",
        me.door().accounts()
    );
    state
        .db
        .query(&sql)
        .bind(totp::new_secret())
        .bind(me.id())
        .bind(me.workspace_id())
        .execute()
        .await?;
    Ok(Redirect::to(&me.link("/account/two-step")).into_response())
}

fn setup_page(me: &Me, secret: &str, error: Option<&str>, status: StatusCode) -> Result<Response> {
    let url = totp::setup_url(secret, &me.tenant().workspace.name, me.email());
    let html = me.render(
        "two_step_setup.html",
        context! {
            secret => secret,
            qr => totp::qr_svg(&url),
            error => error,
            confirm => me.link("/account/two-step/confirm"),
            back => me.link("/account"),
        },
    )?;
    Ok((status, html).into_response())
}

/// `GET …/account/two-step`: the QR code and key to scan, and the confirming code.
pub async fn show(State(state): State<AppState>, me: Me) -> Result<Response> {
    let f = current(&state, &me).await?;
    match (f.totp_enabled_at, f.totp_secret) {
        (None, Some(secret)) => setup_page(&me, &secret, None, StatusCode::OK),
        _ => Ok(Redirect::to(&me.link("/account")).into_response()),
    }
}

#[derive(Deserialize)]
pub struct Code {
    #[serde(default)]
    code: String,
}

/// Codes typed on the account page are limited like codes typed at sign-in: five wrong
/// ones from an address, and it waits a minute. (A borrowed session must not be able to
/// guess its way to turning the second step off.)
fn code_key(me: &Me) -> String {
    format!(
        "{}:{}:2fa-account:{}",
        me.door().prefix(),
        me.workspace_id(),
        me.id()
    )
}

fn read(form: std::result::Result<Form<Code>, FormRejection>) -> Result<Code> {
    form.map(|Form(c)| c)
        .map_err(|_| Error::BadRequest("The form was not sent correctly.".into()))
}

/// `POST …/account/two-step/confirm`.
pub async fn confirm(
    State(state): State<AppState>,
    me: Me,
    addr: ClientAddr,
    form: std::result::Result<Form<Code>, FormRejection>,
) -> Result<Response> {
    let code = read(form)?.code;
    let f = current(&state, &me).await?;
    let (None, Some(secret)) = (f.totp_enabled_at, f.totp_secret) else {
        return Ok(Redirect::to(&me.link("/account")).into_response());
    };
    state.attempt_limits.before(addr.0, &code_key(&me))?;
    let Some(step) = totp::verify(&secret, &code, f.totp_last_step, now()) else {
        state.attempt_limits.failed(addr.0, &code_key(&me));
        let error = "That code is not right. Enter the 6 digits the app shows now.";
        return setup_page(&me, &secret, Some(error), StatusCode::UNPROCESSABLE_ENTITY);
    };
    let sql = format!(
        "UPDATE {} SET totp_enabled_at = $1, totp_last_step = $2 \
         WHERE id = $3 AND workspace_id = $4 AND totp_secret = $5 AND totp_enabled_at IS NULL",
        me.door().accounts()
    );
    state
        .db
        .query(&sql)
        .bind(now())
        .bind(step)
        .bind(me.id())
        .bind(me.workspace_id())
        .bind(&secret)
        .execute()
        .await?;
    Ok(back_to_account(&me, AccountDone::TwoStepOn))
}

/// `POST …/account/two-step/disable`: takes a current code.
pub async fn disable(
    State(state): State<AppState>,
    me: Me,
    addr: ClientAddr,
    form: std::result::Result<Form<Code>, FormRejection>,
) -> Result<Response> {
    let code = read(form)?.code;
    let f = current(&state, &me).await?;
    let (Some(_), Some(secret)) = (f.totp_enabled_at, f.totp_secret) else {
        return Ok(Redirect::to(&me.link("/account")).into_response());
    };
    if required(&state, &me).await? {
        return Err(Error::Conflict(
            "Your workspace requires two-step sign-in for staff: it stays on.".into(),
        ));
    }
    state.attempt_limits.before(addr.0, &code_key(&me))?;
    if totp::verify(&secret, &code, f.totp_last_step, now()).is_none() {
        state.attempt_limits.failed(addr.0, &code_key(&me));
        return Ok(back_to_account(&me, AccountDone::TwoStepWrong));
    }
    clear(&state.db, me.door(), me.workspace_id(), me.id()).await?;
    Ok(back_to_account(&me, AccountDone::TwoStepOff))
}

/// Turns an account's two-step sign-in off (also staff's reset of a contact's lost phone).
pub async fn clear(db: &crate::db::Db, door: Door, workspace_id: i64, id: i64) -> Result<()> {
    let sql = format!(
        "UPDATE {} SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL \
         WHERE id = $1 AND workspace_id = $2",
        door.accounts()
    );
    db.query(&sql).bind(id).bind(workspace_id).execute().await?;
    Ok(())
}
