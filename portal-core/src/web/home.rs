//! The portal's home page: a personal welcome, the quick-action cards, then the widgets —
//! the core's recent notifications and every entitled module's — as the workspace arranged
//! them (`crate::home`).
use axum::extract::State;
use axum::response::Html;
use minijinja::context;

use std::sync::Arc;

use crate::app::AppState;
use crate::db::writes::WriteMark;
use crate::db::{Day, ScopedTx};
use crate::error::Result;
use crate::home::{
    card_key, widget_key, Arrangement, Viewer, WidgetKey, WidgetStamp, NOTIFICATIONS_WIDGET,
};
use crate::module::WidgetKind;
use crate::web::module::{HomeWidget, PortalModule};
use crate::web::PortalContext;

pub async fn home(State(state): State<AppState>, ctx: PortalContext) -> Result<Html<String>> {
    let arrangement = state.home.arrangement(&state.db, &ctx.tenant).await?;
    let ent = &ctx.tenant.entitlements;
    let entitled: Vec<_> = state
        .registry
        .modules()
        .iter()
        .filter(|m| ent.has_module(m.id()))
        .collect();

    let mut cards = Vec::new();
    for m in &entitled {
        for c in m.quick_actions() {
            let key = card_key(m.id(), c.key);
            let may = c.feature.is_none_or(|f| ent.has_feature(f))
                && c.permission.is_none_or(|p| ctx.can(p));
            if may && arrangement.shown(&key) {
                let card = context! {
                    label => arrangement.title(&key, c.label),
                    description => arrangement.text(&key, c.description),
                    href => ctx.link(c.path),
                };
                cards.push((arrangement.position(&key, c.order), card));
            }
        }
    }
    cards.sort_by_key(|(at, _)| *at);

    let mut widgets = Vec::new();
    if arrangement.shown(NOTIFICATIONS_WIDGET) {
        // The same summary the menu's badge came from: no query of its own.
        let entries: Vec<_> = ctx
            .notifications
            .recent
            .iter()
            .map(|e| {
                context! {
                    title => e.title,
                    created_at => e.created_at,
                    unread => e.read_at.is_none(),
                    href => ctx.link(&e.link),
                    open => ctx.link(&format!("/notifications/{}/open", e.id)),
                }
            })
            .collect();
        let html = ctx.render_fragment(
            "portal/widget_notifications.html",
            context! {
                entries => entries,
                all => ctx.link("/notifications"),
                // Opening marks read: a change, which a staff preview never makes.
                can_mark => ctx.user.preview_by.is_none(),
                csrf_token => ctx.csrf_token,
            },
        )?;
        let title = arrangement.title(NOTIFICATIONS_WIDGET, "Recent notifications");
        widgets.push((
            arrangement.position(NOTIFICATIONS_WIDGET, 5),
            context! { title => title, html => html },
        ));
    }
    // A widget shows where the workspace put it, if its declared feature is entitled and the
    // contact holds its declared permission — decided here, by declaration, for every module.
    let may_see = |k: &crate::module::WidgetKind| {
        k.feature.is_none_or(|f| ent.has_feature(f)) && k.permission.is_none_or(|p| ctx.can(p))
    };
    // The widgets the workspace shows; each reads on the one scoped connection.
    let showing: Vec<_> = entitled
        .iter()
        .flat_map(|m| m.widget_kinds().iter().map(move |k| (m, k)))
        .filter(|(m, k)| may_see(k) && arrangement.shown(&widget_key(m.id(), k.key)))
        .collect();
    // Opened for the first widget that needs it, and again after a failure. Widgets never
    // take the home page down: without a connection the rest of them are left out.
    let mut tx: Option<ScopedTx> = None;
    // A widget this session was shown since the last write that can concern it, revision and
    // day is shown again without its queries: on SQLite while no write reached this workspace
    // (or every workspace); on PostgreSQL while the snapshot the tenant layer read the
    // workspace in is unchanged, which every instance's writes change.
    let ws = &ctx.tenant.workspace;
    let stamp =
        WriteMark::before_read(state.db.backend(), ws.id, ws.snapshot.as_deref()).map(|writes| {
            WidgetStamp {
                revision: ws.revision,
                writes,
                day: Day::today(),
            }
        });
    let viewer = stamp.is_some().then(|| {
        Arc::new(Viewer {
            contact_id: ctx.user.contact_id,
            csrf_token: ctx.csrf_token.clone(),
            base_path: ctx.tenant.base_path.clone(),
            preview: ctx.user.preview_by.is_some(),
        })
    });
    for (m, kind) in showing {
        let cache_key = viewer.as_ref().map(|viewer| WidgetKey {
            viewer: viewer.clone(),
            module: m.id(),
            widget: kind.key,
        });
        let kept = cache_key
            .as_ref()
            .zip(stamp.as_ref())
            .and_then(|(key, stamp)| state.home.widget(key, stamp));
        let shown = match kept {
            Some(shown) => shown,
            None => {
                let Some(shown) = read_widget(&state, m, kind, &arrangement, &ctx, &mut tx).await
                else {
                    continue;
                };
                if let (Some(key), Some(stamp)) = (cache_key, &stamp) {
                    state.home.keep_widget(key, stamp.clone(), shown.clone());
                }
                shown
            }
        };
        let Some(html) = shown else { continue };
        let key = widget_key(m.id(), kind.key);
        let title = arrangement.title(&key, kind.label);
        widgets.push((
            arrangement.position(&key, kind.order),
            context! { title => title, html => html },
        ));
    }
    // Hand the connection back before the page renders; it only read.
    if let Some(tx) = tx {
        if let Err(e) = tx.commit().await {
            tracing::warn!(error = ?e, "ending the home page's widget read");
        }
    }
    widgets.sort_by_key(|(at, _)| *at);

    let cards: Vec<_> = cards.into_iter().map(|(_, c)| c).collect();
    let widgets: Vec<_> = widgets.into_iter().map(|(_, w)| w).collect();
    ctx.render(
        "portal/home.html",
        context! { cards => cards, widgets => widgets },
    )
}

/// One widget read and rendered on the home page's shared connection, opened here for the
/// first widget that needs it; `None` when it failed (logged: widgets never take the home
/// page down).
async fn read_widget(
    state: &AppState,
    m: &Arc<dyn PortalModule>,
    kind: &WidgetKind,
    arrangement: &Arrangement,
    ctx: &PortalContext,
    tx: &mut Option<ScopedTx>,
) -> Option<Option<String>> {
    if tx.is_none() {
        match ctx.scope().begin(&state.db).await {
            Ok(t) => *tx = Some(t),
            Err(e) => {
                tracing::error!(error = ?e, "no connection for the home page's widgets");
                return None;
            }
        }
    }
    let conn = tx.as_mut()?;
    let widget = HomeWidget {
        key: kind.key,
        choices: arrangement.widget_choices(m.id(), kind),
        ctx,
        tx: conn,
    };
    match m.widget(widget).await {
        Ok(shown) => Some(shown),
        Err(e) => {
            tracing::error!(module = m.id(), widget = kind.key, error = ?e, "a dashboard widget failed");
            // Its failed query may have ended the transaction (PostgreSQL). Let it go
            // before the next widget opens a fresh one: a request never holds two.
            if let Some(failed) = tx.take() {
                if let Err(e) = failed.rollback().await {
                    tracing::warn!(error = ?e, "ending a failed widget read");
                }
            }
            None
        }
    }
}
