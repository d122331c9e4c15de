//! One's own account, for contacts (`/portal/account`) and staff (`/admin/account`) alike:
//! who they are, their password, their two-step sign-in, and the devices signed in as them.
//!
//! Sessions are named to their owner by a handle (`session::handle_of`); every statement
//! here is also bound to the account from the session.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::auth::Passwords;
use crate::db::{now, ScopedTx};
use crate::error::{Error, Result};
use crate::web::flash::{with_done, Done};
use crate::web::me::Me;
use crate::web::session::ClientAddr;
use crate::web::session::{self, hash_token};
use crate::web::sign_in::Door;

#[derive(sqlx::FromRow)]
struct SessionRow {
    token_hash: String,
    created_at: i64,
    last_seen_at: i64,
    user_agent: String,
    ip: String,
}

#[derive(Serialize)]
pub struct SessionView {
    handle: String,
    device: String,
    ip: String,
    signed_in: String,
    last_seen: String,
    current: bool,
}

crate::flash! {
    /// What the account page says after a change (two-step sign-in's steps land here too).
    pub enum AccountDone {
        Password = "password" => "Your password is changed. Your other devices are signed out.",
        Others = "others" => "Your other devices are signed out.",
        Session = "session" => "That device is signed out.",
        TwoStepOn = "two_step_on" => "Two-step sign-in is on. Signing in will ask for a code from your app.",
        TwoStepOff = "two_step_off" => "Two-step sign-in is off.",
        TwoStepWrong = "two_step_wrong" => "That code is not right, so two-step sign-in is still on.",
    }
}

/// Back to one's account page after a change, which says `done`'s message.
pub fn back_to_account(me: &Me, done: AccountDone) -> Response {
    Redirect::to(&with_done(&me.link("/account"), done)).into_response()
}

async fn sessions(state: &AppState, me: &Me, current: &str) -> Result<Vec<SessionView>> {
    account_sessions(state, me.door(), me.workspace_id(), me.id(), current).await
}

/// A contact's live sessions (previews by staff left out), `current` first; also what staff
/// see on the contact's admin page.
pub async fn contact_sessions(
    state: &AppState,
    workspace_id: i64,
    contact_id: i64,
    current: &str,
) -> Result<Vec<SessionView>> {
    account_sessions(state, Door::Portal, workspace_id, contact_id, current).await
}

async fn account_sessions(
    state: &AppState,
    door: Door,
    workspace_id: i64,
    id: i64,
    current: &str,
) -> Result<Vec<SessionView>> {
    let at = now();
    let (table, owner) = door.sessions();
    let not_preview = if door == Door::Portal {
        "AND preview_by IS NULL"
    } else {
        ""
    };
    let sql = format!(
        "SELECT token_hash, created_at, last_seen_at, user_agent, ip FROM {table} \
         WHERE workspace_id = $1 AND {owner} = $2 AND expires_at > $3 AND last_seen_at > $4 {not_preview} \
         ORDER BY last_seen_at DESC"
    );
    let idle_cutoff = at - state.config.session_idle_secs;
    let rows: Vec<SessionRow> = state
        .db
        .query_as(&sql)
        .bind(workspace_id)
        .bind(id)
        .bind(at)
        .bind(idle_cutoff)
        .fetch_all()
        .await?;
    let mut views: Vec<SessionView> = rows
        .into_iter()
        .map(|r| SessionView {
            handle: session::handle_of(&r.token_hash),
            device: describe_device(&r.user_agent),
            ip: if r.ip.is_empty() {
                "unknown".into()
            } else {
                r.ip
            },
            signed_in: ago(at, r.created_at),
            last_seen: ago(at, r.last_seen_at),
            current: r.token_hash == current,
        })
        .collect();
    // This device first: it is the one the reader is looking at.
    views.sort_by_key(|v| !v.current);
    Ok(views)
}

fn page(
    ctx: &Me,
    two_step: bool,
    sessions: Vec<SessionView>,
    notice: Option<&str>,
    password_error: Option<&str>,
    status: StatusCode,
) -> Result<Response> {
    let html = ctx.render(
        "account.html",
        context! {
            notice => notice,
            password_error => password_error,
            sessions => sessions,
            two_step => two_step,
            two_step_setup => ctx.link("/account/two-step/setup"),
            two_step_disable => ctx.link("/account/two-step/disable"),
            min_len => crate::auth::password::MIN_LEN,
            change_password => ctx.link("/account/password"),
            end_others => ctx.link("/account/sessions/end-others"),
            end_session => ctx.link("/account/sessions"),
        },
    )?;
    Ok((status, html).into_response())
}

fn current_hash(state: &AppState, ctx: &Me, headers: &HeaderMap) -> String {
    let token = match ctx.door() {
        Door::Portal => session::portal_token(state, ctx.tenant(), headers),
        Door::Admin => session::staff_token(state, ctx.tenant(), headers),
    };
    token.map(|t| hash_token(&t)).unwrap_or_default()
}

/// `GET /portal/account`.
pub async fn show(
    State(state): State<AppState>,
    ctx: Me,
    headers: HeaderMap,
    done: Done<AccountDone>,
) -> Result<Response> {
    let list = sessions(&state, &ctx, &current_hash(&state, &ctx, &headers)).await?;
    page(
        &ctx,
        crate::web::two_step_setup::is_on(&state, &ctx).await?,
        list,
        done.message(),
        None,
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct PasswordChange {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /portal/account/password`: needs the current password (a borrowed session alone
/// must not take the account over); ends every other session and voids reset links.
pub async fn change_password(
    State(state): State<AppState>,
    ctx: Me,
    headers: HeaderMap,
    addr: ClientAddr,
    form: std::result::Result<Form<PasswordChange>, FormRejection>,
) -> Result<Response> {
    let Ok(Form(form)) = form else {
        return Err(Error::BadRequest(
            "The password form was not sent correctly.".into(),
        ));
    };
    let current = current_hash(&state, &ctx, &headers);
    let problem = if form.new != form.confirm {
        Some("The two new passwords are not the same.".to_string())
    } else if form.current.is_empty() || form.current.len() > crate::auth::password::MAX_LEN {
        Some("Enter your current password.".to_string())
    } else {
        Passwords::check_policy(&form.new).err()
    };
    if let Some(problem) = problem {
        let list = sessions(&state, &ctx, &current).await?;
        let two_step = crate::web::two_step_setup::is_on(&state, &ctx).await?;
        return page(
            &ctx,
            two_step,
            list,
            None,
            Some(&problem),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    // Guessing the current password through this form is as limited as through sign-in.
    let account = format!(
        "{}:{}:{}",
        ctx.door().prefix(),
        ctx.workspace_id(),
        ctx.email()
    );
    let ip = addr.0;
    state.attempt_limits.before(ip, &account)?;

    let sql = format!(
        "SELECT password_hash FROM {} WHERE id = $1 AND workspace_id = $2",
        ctx.door().accounts()
    );
    let stored: Option<Option<String>> = state
        .db
        .query_scalar(&sql)
        .bind(ctx.id())
        .bind(ctx.workspace_id())
        .fetch_optional()
        .await?;
    let stored = stored.flatten();
    if !state
        .passwords
        .verify(&form.current, stored.as_deref())
        .await?
    {
        let list = sessions(&state, &ctx, &current).await?;
        state.attempt_limits.failed(ip, &account);
        let problem = "Your current password is not right.";
        let two_step = crate::web::two_step_setup::is_on(&state, &ctx).await?;
        return page(
            &ctx,
            two_step,
            list,
            None,
            Some(problem),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let hash = state.passwords.hash(&form.new).await?;
    match ctx.door() {
        Door::Portal => {
            crate::clients::replace_contact_password(&state.db, ctx.id(), &hash, Some(&current))
                .await?
        }
        Door::Admin => {
            crate::clients::replace_staff_password(&state.db, ctx.id(), &hash, Some(&current))
                .await?
        }
    }
    Ok(back_to_account(&ctx, AccountDone::Password))
}

/// `POST /portal/account/sessions/end-others`.
pub async fn end_others(
    State(state): State<AppState>,
    ctx: Me,
    headers: HeaderMap,
) -> Result<Response> {
    let (table, owner) = ctx.door().sessions();
    let sql = format!(
        "DELETE FROM {table} WHERE workspace_id = $1 AND {owner} = $2 AND token_hash <> $3"
    );
    let current = current_hash(&state, &ctx, &headers);
    state
        .db
        .query(&sql)
        .bind(ctx.workspace_id())
        .bind(ctx.id())
        .bind(&current)
        .execute()
        .await?;
    Ok(back_to_account(&ctx, AccountDone::Others))
}

/// `POST /portal/account/sessions/{handle}/end`: one of the contact's own sessions; anyone
/// else's handle matches nothing and answers 404.
pub async fn end_one(
    State(state): State<AppState>,
    ctx: Me,
    headers: HeaderMap,
    Path(handle): Path<String>,
) -> Result<Response> {
    let Some(pattern) = session::handle_pattern(&handle) else {
        return Err(Error::NotFound);
    };
    let current = current_hash(&state, &ctx, &headers);
    if current.starts_with(&handle) {
        return Err(Error::BadRequest(
            "This is the device you are using: sign out instead.".into(),
        ));
    }
    let (table, owner) = ctx.door().sessions();
    let sql = format!(
        "DELETE FROM {table} WHERE workspace_id = $1 AND {owner} = $2 AND token_hash LIKE $3"
    );
    let mut tx = ScopedTx::begin_staff_write(&state.db, ctx.workspace_id()).await?;
    let ended = tx
        .query(&sql)
        .bind(ctx.workspace_id())
        .bind(ctx.id())
        .bind(&pattern)
        .execute()
        .await?;
    tx.commit().await?;
    if ended == 0 {
        return Err(Error::NotFound);
    }
    Ok(back_to_account(&ctx, AccountDone::Session))
}

/// "Firefox on Windows", from a User-Agent string; good enough for someone to recognise their
/// own devices, which is all it is for.
pub fn describe_device(user_agent: &str) -> String {
    if user_agent.is_empty() {
        return "Unknown device".into();
    }
    let ua = user_agent;
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("OPR/") || ua.contains("Opera") {
        "Opera"
    } else if ua.contains("Firefox/") || ua.contains("FxiOS/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("CriOS/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        "A browser"
    };
    let system = if ua.contains("iPhone") {
        "iPhone"
    } else if ua.contains("iPad") {
        "iPad"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "macOS"
    } else if ua.contains("CrOS") {
        "ChromeOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        return browser.to_string();
    };
    format!("{browser} on {system}")
}

/// "just now", "5 minutes ago", "3 days ago".
pub fn ago(now: i64, then: i64) -> String {
    let secs = (now - then).max(0);
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit} ago")
        } else {
            format!("{n} {unit}s ago")
        }
    };
    match secs {
        0..120 => "just now".into(),
        120..7200 => plural(secs / 60, "minute"),
        7200..172_800 => plural(secs / 3600, "hour"),
        _ => plural(secs / 86_400, "day"),
    }
}

/// "6 days", "3 hours", "20 minutes": how long until `then`.
pub fn until(now: i64, then: i64) -> String {
    let secs = (then - now).max(0);
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    match secs {
        0..7200 => plural((secs / 60).max(1), "minute"),
        7200..172_800 => plural(secs / 3600, "hour"),
        _ => plural(secs / 86_400, "day"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_read_as_people_name_them() {
        let firefox =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
        let safari_ios = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        let edge = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0";
        assert_eq!(describe_device(firefox), "Firefox on Windows");
        assert_eq!(describe_device(safari_ios), "Safari on iPhone");
        assert_eq!(describe_device(edge), "Edge on macOS");
        assert_eq!(describe_device("curl/8.0"), "A browser");
        assert_eq!(describe_device(""), "Unknown device");
    }

    #[test]
    fn times_read_as_durations() {
        assert_eq!(ago(1000, 990), "just now");
        assert_eq!(ago(1000, 1000 - 300), "5 minutes ago");
        assert_eq!(ago(100_000, 100_000 - 3600 * 3), "3 hours ago");
        assert_eq!(ago(1_000_000, 1_000_000 - 86_400 * 2), "2 days ago");
        assert_eq!(ago(0, 10), "just now", "clock skew is not negative time");
        assert_eq!(until(0, 7 * 86_400 - 5), "6 days");
        assert_eq!(until(0, 90), "1 minute");
    }
}
