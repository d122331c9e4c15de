//! The portal's home page, with the widgets of every entitled module.
use axum::extract::State;
use axum::response::Html;
use minijinja::context;

use crate::app::AppState;
use crate::error::Result;
use crate::web::PortalContext;

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
