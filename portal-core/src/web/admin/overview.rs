//! The staff admin's own overview page.
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Serialize;

use crate::app::AppState;
use crate::audit;
use crate::error::{Error, Result};
use crate::team::Role;
use crate::web::admin::form::Fields;
use crate::web::session::ClientAddr;
use crate::web::StaffContext;

#[derive(Serialize, sqlx::FromRow)]
struct ClientRow {
    id: i64,
    name: String,
    active: bool,
    contacts: i64,
}

/// What the workspace is entitled to right now, and its clients.
pub async fn overview(State(state): State<AppState>, ctx: StaffContext) -> Result<Html<String>> {
    let ent = &ctx.tenant.entitlements;
    let modules: Vec<_> = state
        .registry
        .modules()
        .iter()
        .map(|m| {
            context! {
                id => m.id(),
                name => m.name(),
                version => m.version(),
                entitled => ent.has_module(m.id()),
                read_only => ent.module_read_only(m.id()),
            }
        })
        .collect();
    let features: Vec<_> = ent
        .features()
        .map(|(key, t)| context! { key => key, tier => t.tier, read_only => t.read_only })
        .collect();
    let sql = "SELECT cl.id, cl.name, cl.active, \
               (SELECT COUNT(*) FROM contacts c WHERE c.client_id = cl.id) AS contacts \
               FROM clients cl WHERE cl.workspace_id = $1 ORDER BY cl.name";
    let clients: Vec<ClientRow> = state
        .db
        .query_as(sql)
        .bind(ctx.tenant.workspace.id)
        .fetch_all()
        .await?;
    let sql = "SELECT require_staff_2fa FROM workspaces WHERE id = $1";
    let require_2fa: bool = state
        .db
        .query_scalar(sql)
        .bind(ctx.tenant.workspace.id)
        .fetch_one()
        .await?;
    ctx.render(
        "admin/home.html",
        context! {
            workspace => ctx.tenant.workspace,
            entitlements => ent.as_ref(),
            modules => modules,
            features => features,
            clients => clients,
            require_2fa => require_2fa,
            is_owner => ctx.user.role == Role::Owner,
            security => ctx.link("/security"),
        },
    )
}

/// `GET /admin/audit`: the newest 200 entries of the workspace's audit log.
pub async fn audit(State(state): State<AppState>, ctx: StaffContext) -> Result<Html<String>> {
    let entries = audit::recent(&state.db, ctx.tenant.workspace.id, 200).await?;
    ctx.render("admin/audit.html", context! { entries => entries })
}

/// `POST /admin/security`: owners decide whether staff must use two-step sign-in. Staff
/// without it set it up at their next sign-in; sessions already open stay open.
pub async fn security(
    State(state): State<AppState>,
    ctx: StaffContext,
    addr: ClientAddr,
    body: Bytes,
) -> Result<Response> {
    if ctx.user.role != Role::Owner {
        return Err(Error::Forbidden(
            "Only the workspace's owners change its security settings.".into(),
        ));
    }
    let require = Fields::parse(&body).checked("require_staff_2fa");
    let sql = "UPDATE workspaces SET require_staff_2fa = $1 WHERE id = $2";
    state
        .db
        .query(sql)
        .bind(require)
        .bind(ctx.tenant.workspace.id)
        .execute()
        .await?;
    let what = if require { "required" } else { "made optional" };
    audit::record(
        &state.db,
        &ctx.user,
        what,
        "two-step sign-in for staff",
        &addr.text(),
    )
    .await?;
    Ok(Redirect::to(&ctx.link("/")).into_response())
}
