//! The portal's own pages: the home page with module widgets, and signing out.
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;

use crate::app::AppState;
use crate::error::Result;
use crate::web::render;
use crate::web::session::{self, PORTAL_COOKIE};
use crate::web::{PortalContext, Tenant};

/// Home: a welcome, then the widgets of every module the workspace is entitled to.
pub async fn home(State(state): State<AppState>, ctx: PortalContext) -> Result<Html<String>> {
    let mut widgets = Vec::new();
    for m in state.registry.modules() {
        if !ctx.tenant.entitlements.has_module(m.id()) {
            continue;
        }
        match m.widgets(&ctx, &state).await {
            Ok(w) => widgets.extend(w),
            // One broken widget must not take the home page down.
            Err(e) => tracing::error!(module = m.id(), error = ?e, "a dashboard widget failed"),
        }
    }
    widgets.sort_by_key(|w| w.order);
    ctx.render("portal/home.html", context! { widgets => widgets })
}

/// Ends the session on the server and clears the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    tenant: axum::Extension<std::sync::Arc<Tenant>>,
    headers: HeaderMap,
) -> Result<Response> {
    if let Some(token) = session::portal_token(&headers) {
        session::delete_portal_session(&state, &token).await?;
    }
    let html = state.templates.render(
        "portal/signed_out.html",
        context! {
            brand => render::branding(&tenant),
            workspace => tenant.workspace.name,
            portal_root => tenant.link("/portal/"),
            ..render::globals(),
        },
    )?;
    let cookie = session::session_cookie(
        PORTAL_COOKIE,
        "",
        &tenant.link("/portal"),
        0,
        state.config.secure_cookies,
    );
    Ok(([(header::SET_COOKIE, cookie)], Html(html)).into_response())
}
