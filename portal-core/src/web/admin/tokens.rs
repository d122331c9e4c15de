//! `/admin/tokens`: bearer tokens for the JSON API. A token is shown once, when created;
//! the database keeps only its hash. Each staff member creates and revokes their own;
//! owners and admins can revoke anyone's (someone leaves, a token leaks).
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Serialize;

use crate::app::AppState;
use crate::db::now;
use crate::error::{Error, Result};
use crate::web::admin::clients::Done;
use crate::web::admin::form::Fields;
use crate::web::session::{self, create_api_token};
use crate::web::StaffContext;
use crate::with_db;

#[derive(sqlx::FromRow)]
struct TokenRow {
    token_hash: String,
    name: String,
    created_at: i64,
    revoked_at: Option<i64>,
    staff_user_id: i64,
    owner: String,
}

#[derive(Serialize)]
struct TokenView {
    handle: String,
    name: String,
    owner: String,
    created: String,
    revoked: bool,
    can_revoke: bool,
}

async fn page(
    state: &AppState,
    ctx: &StaffContext,
    created: Option<(&str, &str)>,
    notice: Option<&str>,
) -> Result<Html<String>> {
    let sql = "SELECT t.token_hash, t.name, t.created_at, t.revoked_at, t.staff_user_id, u.name AS owner \
               FROM api_tokens t JOIN staff_users u ON u.id = t.staff_user_id \
               WHERE t.workspace_id = $1 ORDER BY t.revoked_at IS NOT NULL, t.created_at DESC";
    let rows: Vec<TokenRow> = with_db!(&state.db, pool => sqlx::query_as(sql).bind(ctx.tenant.workspace.id).fetch_all(pool).await)?;
    let at = now();
    let tokens: Vec<TokenView> = rows
        .into_iter()
        .filter(|r| r.staff_user_id == ctx.user.id || ctx.can_manage())
        .map(|r| TokenView {
            handle: session::handle_of(&r.token_hash),
            can_revoke: r.revoked_at.is_none(),
            revoked: r.revoked_at.is_some(),
            name: r.name,
            owner: r.owner,
            created: crate::web::account::ago(at, r.created_at),
        })
        .collect();
    ctx.render(
        "admin/tokens.html",
        context! {
            tokens => tokens,
            created => created.map(|(name, token)| context! { name => name, token => token }),
            notice => notice,
            action => ctx.link("/tokens"),
            api_base => crate::email::workspace_url(&state.config, &ctx.tenant.workspace.slug) + "/api",
        },
    )
}

/// `GET /admin/tokens`.
pub async fn list(
    State(state): State<AppState>,
    ctx: StaffContext,
    Query(done): Query<Done>,
) -> Result<Html<String>> {
    let notice = (done.done == "revoked")
        .then_some("The token is revoked: requests with it are refused from now on.");
    page(&state, &ctx, None, notice).await
}

/// `POST /admin/tokens`: creates a token for the signed-in staff member and shows it once.
pub async fn create(
    State(state): State<AppState>,
    ctx: StaffContext,
    body: Bytes,
) -> Result<Html<String>> {
    let form = Fields::parse(&body);
    let name = form.name("name", "token's name")?;
    let token = create_api_token(&state.db, ctx.tenant.workspace.id, ctx.user.id, &name).await?;
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
    let only_user = if ctx.can_manage() { 0 } else { ctx.user.id };
    let sql =
        "UPDATE api_tokens SET revoked_at = $1 WHERE workspace_id = $2 AND token_hash LIKE $3 \
               AND revoked_at IS NULL AND ($4 = 0 OR staff_user_id = $4)";
    let n = with_db!(&state.db, pool => sqlx::query(sql).bind(now()).bind(ctx.tenant.workspace.id).bind(&pattern).bind(only_user).execute(pool).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    Ok(Redirect::to(&ctx.link("/tokens?done=revoked")).into_response())
}
