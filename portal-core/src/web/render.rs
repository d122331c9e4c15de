//! Rendering pages and errors with the workspace's branding and menu.
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Serialize;

use crate::app::AppState;
use crate::error::ErrorReport;
use crate::module::Surface;
use crate::tenancy::Tenant;
use crate::web::context::{PortalContext, StaffContext};

#[derive(Serialize)]
struct MenuEntry {
    label: &'static str,
    href: String,
    icon: &'static str,
    active: bool,
}

/// What every page's base layout needs, whatever the surface.
pub fn globals() -> minijinja::Value {
    context! { asset_version => crate::web::assets::ASSET_VERSION.as_str() }
}

/// The portal menu: home, then each entitled module's items the contact may see.
fn portal_menu(state: &AppState, ctx: &PortalContext) -> Vec<MenuEntry> {
    let ent = &ctx.tenant.entitlements;
    let mut menu = vec![MenuEntry {
        label: "Home",
        href: ctx.link("/"),
        icon: "home",
        active: ctx.path == "/portal/" || ctx.path == "/portal",
    }];
    for (module, item) in state.registry.menu_items() {
        let visible = ent.has_module(module)
            && item.feature.is_none_or(|f| ent.has_feature(f))
            && item.permission.is_none_or(|p| ctx.can(p));
        if visible {
            let href = ctx.link(item.path);
            let full = format!("/portal{}", item.path);
            menu.push(MenuEntry {
                label: item.label,
                active: ctx.path == full || ctx.path.starts_with(&format!("{full}/")),
                href,
                icon: item.icon,
            });
        }
    }
    menu
}

pub fn portal_page(
    state: &AppState,
    ctx: &PortalContext,
    template: &str,
    page: minijinja::Value,
) -> crate::Result<String> {
    let layout = context! {
        brand => crate::branding::shown(&ctx.tenant),
        menu => portal_menu(state, ctx),
        user => ctx.user.as_ref(),
        portal_root => ctx.link("/"),
        account => ctx.link("/account"),
        account_active => ctx.path == "/portal/account",
        notifications => ctx.link("/notifications"),
        notifications_active => ctx.path.starts_with("/portal/notifications"),
        unread => ctx.notifications.unread,
        sign_out => ctx.link("/sign-out"),
        csrf_token => ctx.csrf_token,
        invalid => ctx.invalid.as_ref(),
        ..globals(),
    };
    state
        .templates
        .render(template, context! { ..layout, ..page })
}

pub fn admin_page(
    state: &AppState,
    ctx: &StaffContext,
    template: &str,
    page: minijinja::Value,
) -> crate::Result<String> {
    let mut menu = vec![MenuEntry {
        label: "Overview",
        href: ctx.link("/"),
        icon: "home",
        active: ctx.path == "/admin/" || ctx.path == "/admin",
    }];
    for (label, path, icon) in [
        ("Clients", "/clients", "users"),
        ("Portal home", "/home", "layout"),
        ("Files", "/files", "file"),
        ("Team", "/team", "user"),
        ("API tokens", "/tokens", "key"),
        ("Audit log", "/audit", "list"),
        ("Settings", "/settings", "settings"),
    ] {
        let full = format!("/admin{path}");
        menu.push(MenuEntry {
            label,
            href: ctx.link(path),
            icon,
            active: ctx.path == full
                || ctx.path.starts_with(&format!("{full}/"))
                || (path == "/clients" && ctx.path.starts_with("/admin/contacts/")),
        });
    }
    for m in state.registry.modules() {
        if !ctx.tenant.entitlements.has_module(m.id()) {
            continue;
        }
        // A module's admin index, if it registers one, is its menu entry for staff.
        let index = format!("/{}", m.id());
        let has_index = state
            .routes
            .iter()
            .any(|r| r.module == m.id() && r.surface == Surface::Admin && r.path == index);
        if has_index {
            let full = format!("/admin{index}");
            menu.push(MenuEntry {
                label: m.name(),
                href: ctx.link(&index),
                icon: "folder",
                active: ctx.path == full || ctx.path.starts_with(&format!("{full}/")),
            });
        }
    }
    let layout = context! {
        brand => crate::branding::shown(&ctx.tenant),
        menu => menu,
        staff => ctx.user.as_ref(),
        admin_root => ctx.link("/"),
        account => ctx.link("/account"),
        account_active => ctx.path == "/admin/account",
        sign_out => ctx.link("/sign-out"),
        csrf_token => ctx.csrf_token,
        invalid => ctx.invalid.as_ref(),
        ..globals(),
    };
    state
        .templates
        .render(template, context! { ..layout, ..page })
}

/// An error, in the surface's format: JSON on the API, a page elsewhere.
pub fn error_response(
    state: &AppState,
    tenant: Option<&Tenant>,
    surface: Surface,
    report: &ErrorReport,
) -> Response {
    if let Some(cause) = &report.cause {
        tracing::error!(status = %report.status, cause = %cause, "request failed");
    }
    if surface.is_machine() {
        let body =
            serde_json::json!({ "error": { "code": report.code, "message": report.message } });
        return (report.status, axum::Json(body)).into_response();
    }
    let title = match report.status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::UNAUTHORIZED => "Please sign in",
        StatusCode::FORBIDDEN => "Not available",
        StatusCode::BAD_REQUEST => "Something is wrong with that request",
        StatusCode::CONFLICT => "That could not be done",
        StatusCode::PAYLOAD_TOO_LARGE => "That file is too large",
        StatusCode::METHOD_NOT_ALLOWED => "Not available",
        StatusCode::TOO_MANY_REQUESTS => "Please wait a moment",
        _ => "Something went wrong",
    };
    let sign_in = tenant
        .filter(|_| report.status == StatusCode::UNAUTHORIZED && !surface.is_machine())
        .map(|t| t.link(&format!("{}/sign-in", surface.prefix())));
    let home = tenant.map(|t| match surface {
        Surface::Admin => t.link("/admin/"),
        _ => t.link("/portal/"),
    });
    let ctx = context! {
        brand => tenant.map(crate::branding::shown),
        title => title,
        message => report.message,
        status => report.status.as_u16(),
        home => home,
        sign_in => sign_in,
        ..globals(),
    };
    page_or_plain(state, "error.html", ctx, report.status)
}

/// What every portal address answers while the workspace has switched its portal off: its
/// own branded page, with the support address in the footer when the plan shows one.
pub fn portal_unavailable(state: &AppState, tenant: &Tenant) -> Response {
    let ctx = context! {
        brand => crate::branding::shown(tenant),
        title => "This portal is unavailable",
        message => format!(
            "{} has switched this client portal off for now, so signing in and links from emails do not work at the moment. Nothing has been lost: everything will be here when they switch it back on.",
            tenant.workspace.name
        ),
        status => 503,
        ..globals(),
    };
    page_or_plain(state, "error.html", ctx, StatusCode::SERVICE_UNAVAILABLE)
}

pub fn unknown_workspace(state: &AppState, host: &str, surface: Surface) -> Response {
    let report = ErrorReport {
        status: StatusCode::NOT_FOUND,
        code: "unknown_workspace",
        message: format!(
            "There is no client portal at {host}. Check the address your agency sent you."
        ),
        cause: None,
    };
    if surface.is_machine() {
        return error_response(state, None, surface, &report);
    }
    let ctx = context! {
        title => "No portal here",
        message => report.message,
        status => 404,
        ..globals(),
    };
    page_or_plain(state, "error.html", ctx, report.status)
}

fn page_or_plain(
    state: &AppState,
    template: &str,
    ctx: minijinja::Value,
    status: StatusCode,
) -> Response {
    match state.templates.render(template, ctx) {
        Ok(html) => {
            let mut res = (status, html).into_response();
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            res
        }
        Err(e) => {
            tracing::error!(error = ?e, "rendering the error page failed");
            (status, "Something went wrong.").into_response()
        }
    }
}
