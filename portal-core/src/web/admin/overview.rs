//! The staff admin's own overview page.
use axum::extract::State;
use axum::response::Html;
use minijinja::context;
use serde::Serialize;

use crate::app::AppState;
use crate::error::Result;
use crate::web::StaffContext;
use crate::with_db;

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
    let clients: Vec<ClientRow> = with_db!(&state.db, pool => sqlx::query_as(sql).bind(ctx.tenant.workspace.id).fetch_all(pool).await)?;
    ctx.render(
        "admin/home.html",
        context! {
            workspace => ctx.tenant.workspace,
            entitlements => ent.as_ref(),
            modules => modules,
            features => features,
            clients => clients,
        },
    )
}

/// `GET /admin/audit`: the newest 200 entries of the workspace's audit log.
pub async fn audit(State(state): State<AppState>, ctx: StaffContext) -> Result<Html<String>> {
    let entries = crate::audit::recent(&state.db, ctx.tenant.workspace.id, 200).await?;
    ctx.render("admin/audit.html", context! { entries => entries })
}
