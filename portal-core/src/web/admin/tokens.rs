//! `/admin/tokens`: bearer tokens for the JSON API. A token is shown once, when created;
//! the database keeps only its hash. Each staff member creates and revokes their own;
//! owners and admins can revoke anyone's (someone leaves, a token leaks). Every token runs
//! out (90 days unless its maker chose otherwise), and its owner's password change revokes
//! it: the list says when each was last used and when it ends.
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;
use serde::Serialize;

use crate::app::AppState;
use crate::db::now;
use crate::error::{Error, Result};
use crate::web::admin::form::Fields;
use crate::web::flash::Done;
use crate::web::session::{self, create_api_token};
use crate::web::StaffContext;

crate::flash! {
    /// What the tokens page says after a change.
    pub enum TokensDone {
        Revoked = "revoked" => "The token is revoked: requests with it are refused from now on.",
    }
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    token_hash: String,
    name: String,
    created_at: i64,
    revoked_at: Option<i64>,
    /// Always set by this version; `None` only from a row an older one wrote during an
    /// upgrade, which the sign-in check treats as ended.
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
    staff_user_id: i64,
    owner: String,
}

#[derive(Serialize)]
struct TokenView {
    handle: String,
    name: String,
    owner: String,
    created: String,
    /// `YYYY-MM-DD`, and how far off ("in 89 days") while it works.
    expires_on: String,
    expires_in: Option<String>,
    last_used: Option<String>,
    /// `active`, `revoked` or `expired`.
    status: &'static str,
    can_revoke: bool,
}

/// "7 days" for a token made a moment ago for 7 days (whole days are rounded up, where the
/// session list's "expires in" rounds down); the last two days in hours and minutes.
fn time_left(at: i64, expires: i64) -> String {
    let secs = expires - at;
    if secs >= 2 * 86_400 {
        format!("{} days", (secs + 86_399) / 86_400)
    } else {
        crate::web::account::until(at, expires)
    }
}

fn iso_day(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| crate::db::iso_date(t.date()))
        .unwrap_or_default()
}

async fn page(
    state: &AppState,
    ctx: &StaffContext,
    created: Option<(&str, &str)>,
    notice: Option<&str>,
) -> Result<Html<String>> {
    let at = now();
    let sql = "SELECT t.token_hash, t.name, t.created_at, t.revoked_at, t.expires_at, t.last_used_at, t.staff_user_id, u.name AS owner \
               FROM api_tokens t JOIN staff_users u ON u.id = t.staff_user_id \
               WHERE t.workspace_id = $1 ORDER BY t.revoked_at IS NOT NULL OR t.expires_at <= $2, t.created_at DESC";
    let rows: Vec<TokenRow> = state
        .db
        .query_as(sql)
        .bind(ctx.tenant.workspace.id)
        .bind(at)
        .fetch_all()
        .await?;
    let tokens: Vec<TokenView> = rows
        .into_iter()
        .filter(|r| r.staff_user_id == ctx.user.id || ctx.can_manage())
        .map(|r| {
            let expires_at = r.expires_at.unwrap_or(0);
            let status = match (r.revoked_at, expires_at > at) {
                (Some(_), _) => "revoked",
                (None, false) => "expired",
                (None, true) => "active",
            };
            TokenView {
                handle: session::handle_of(&r.token_hash),
                can_revoke: status == "active",
                status,
                expires_on: iso_day(expires_at),
                expires_in: (status == "active").then(|| time_left(at, expires_at)),
                last_used: r.last_used_at.map(|t| crate::web::account::ago(at, t)),
                name: r.name,
                owner: r.owner,
                created: crate::web::account::ago(at, r.created_at),
            }
        })
        .collect();
    ctx.render(
        "admin/tokens.html",
        context! {
            tokens => tokens,
            created => created.map(|(name, token)| context! { name => name, token => token }),
            notice => notice,
            action => ctx.link("/tokens"),
            lifetimes => session::API_TOKEN_DAYS,
            api_base => crate::email::workspace_url(&state.config, &ctx.tenant.workspace.slug) + "/api",
        },
    )
}

/// `GET /admin/tokens`.
pub async fn list(
    State(state): State<AppState>,
    ctx: StaffContext,
    done: Done<TokensDone>,
) -> Result<Html<String>> {
    page(&state, &ctx, None, done.message()).await
}

/// `POST /admin/tokens`: creates a token for the signed-in staff member and shows it once.
pub async fn create(
    State(state): State<AppState>,
    ctx: StaffContext,
    body: Bytes,
) -> Result<Html<String>> {
    let form = Fields::parse(&body);
    let name = form.name("name", "token's name")?;
    let days = match form.get("days") {
        "" => session::API_TOKEN_DAYS[0],
        raw => raw
            .parse::<i64>()
            .map_err(|_| Error::BadRequest("Choose how long the token works, in days.".into()))?,
    };
    let token =
        create_api_token(&state.db, ctx.tenant.workspace.id, ctx.user.id, &name, days).await?;
    page(&state, &ctx, Some((&name, &token)), None).await
}

/// `POST /admin/tokens/{handle}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(handle): Path<String>,
) -> Result<Response> {
    let Some(pattern) = session::handle_pattern(&handle) else {
        return Err(Error::NotFound);
    };
    // Staff who may not manage others' tokens only ever match their own.
    let only_user = (!ctx.can_manage()).then_some(ctx.user.id);
    let sql =
        "UPDATE api_tokens SET revoked_at = $1 WHERE workspace_id = $2 AND token_hash LIKE $3 \
               AND revoked_at IS NULL AND expires_at > $1 AND ($4 IS NULL OR staff_user_id = $4)";
    let n = state
        .db
        .query(sql)
        .bind(now())
        .bind(ctx.tenant.workspace.id)
        .bind(&pattern)
        .bind(only_user)
        .execute()
        .await?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    Ok(ctx
        .redirect_done("/tokens", TokensDone::Revoked)
        .into_response())
}
