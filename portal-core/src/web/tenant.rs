//! Which workspace a request is for.
//!
//! In order: `{slug}.{base domain}`; a verified custom domain; and, on the base domain itself,
//! `localhost` or an IP address, the `/w/{slug}/…` path prefix (stripped before routing, so
//! modules never see it). Anything else is an unknown host and gets a clear 404 page.
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::error::{Error, ErrorReport};
use crate::module::Surface;
use crate::tenancy::{is_local, Tenant};
use crate::web::render;
use crate::workspace::{self, Workspace};

/// The surface a (prefix-stripped) path belongs to, for error rendering.
pub fn surface_of(path: &str) -> Surface {
    if path == "/api" || path.starts_with("/api/") {
        Surface::Api
    } else if path == "/admin" || path.starts_with("/admin/") {
        Surface::Admin
    } else if path == "/hooks" || path.starts_with("/hooks/") {
        Surface::Hook
    } else {
        Surface::Portal
    }
}

pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let host = host_of(&req);

    let found = match find(&state, &host, req.uri().path()).await {
        Ok(found) => found,
        Err(e) => {
            let surface = surface_of(req.uri().path());
            return render::error_response(&state, None, surface, &ErrorReport::from(&e));
        }
    };
    let Some((workspace, base_path)) = found else {
        let shown = match fallback_slug(req.uri().path()) {
            Some(slug) if host == state.config.base_domain || is_local(&host) => {
                format!("{host}/w/{slug}")
            }
            _ => host.clone(),
        };
        return render::unknown_workspace(&state, &shown, surface_of(req.uri().path()));
    };
    if let Err(e) = rewrite(&mut req, &base_path) {
        return render::error_response(&state, None, Surface::Portal, &ErrorReport::from(&e));
    }
    // Handlers and the layout see paths below the workspace's base path.
    let below_base = axum::extract::OriginalUri(req.uri().clone());
    req.extensions_mut().insert(below_base);
    let surface = surface_of(req.uri().path());
    let entitlements = match state
        .entitlements
        .get(&state.db, &state.catalogue, &state.registry, &workspace)
        .await
    {
        Ok(e) => e,
        Err(e) => return render::error_response(&state, None, surface, &ErrorReport::from(&e)),
    };
    // A custom domain routes only while the plan includes the feature.
    let on_own_subdomain = host.ends_with(&format!(".{}", state.config.base_domain));
    if base_path.is_empty() && !on_own_subdomain && !entitlements.has_feature("custom_domain") {
        return render::unknown_workspace(&state, &host, surface);
    }
    let tenant = Arc::new(Tenant {
        workspace,
        entitlements,
        base_path,
    });
    req.extensions_mut().insert(tenant.clone());
    let res = next.run(req).await;
    let report = res.extensions().get::<ErrorReport>().cloned().or_else(|| {
        // axum answers a known path with the wrong method itself, with an empty body.
        (res.status() == StatusCode::METHOD_NOT_ALLOWED).then(|| ErrorReport {
            status: StatusCode::METHOD_NOT_ALLOWED,
            code: "method_not_allowed",
            message: "This address does not accept that kind of request.".into(),
            cause: None,
        })
    });
    match report {
        Some(report) => {
            let mut rendered = render::error_response(&state, Some(&tenant), surface, &report);
            // Keep headers the handler set deliberately (e.g. a cleared cookie).
            for (name, value) in res.headers() {
                // `Allow` would tell a gated route from a missing path; it belongs to 405s only.
                let leaks =
                    name == header::ALLOW && report.status != StatusCode::METHOD_NOT_ALLOWED;
                if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH && !leaks {
                    rendered.headers_mut().append(name.clone(), value.clone());
                }
            }
            rendered
        }
        None => res,
    }
}

fn host_of(req: &Request) -> String {
    let raw = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().host())
        .unwrap_or("");
    strip_port(raw).trim_end_matches('.').to_ascii_lowercase()
}

fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        // [::1]:3000
        return rest.split(']').next().unwrap_or("");
    }
    match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    }
}

async fn find(
    state: &AppState,
    host: &str,
    path: &str,
) -> Result<Option<(Workspace, String)>, Error> {
    let base = state.config.base_domain.as_str();
    if let Some(slug) = host.strip_suffix(base).and_then(|s| s.strip_suffix('.')) {
        if !slug.is_empty() && !slug.contains('.') {
            return Ok(workspace::by_slug(&state.db, slug)
                .await?
                .map(|w| (w, String::new())));
        }
        return Ok(None);
    }
    if host == base || is_local(host) {
        let Some(slug) = fallback_slug(path) else {
            return Ok(None);
        };
        return Ok(workspace::by_slug(&state.db, slug)
            .await?
            .map(|w| (w, format!("/w/{slug}"))));
    }
    Ok(workspace::by_domain(&state.db, host)
        .await?
        .map(|w| (w, String::new())))
}

fn fallback_slug(path: &str) -> Option<&str> {
    let slug = path.strip_prefix("/w/")?.split('/').next()?;
    (!slug.is_empty()).then_some(slug)
}

/// Strips the base path, and serves each surface's root with or without its trailing slash
/// (axum's `nest` matches only `/portal`).
fn rewrite(req: &mut Request, prefix: &str) -> Result<(), Error> {
    let uri = req.uri();
    let rest = uri.path().strip_prefix(prefix).unwrap_or("");
    let path = match rest {
        "" => "/",
        "/portal/" | "/admin/" | "/api/" => rest.trim_end_matches('/'),
        other => other,
    };
    if path == uri.path() {
        return Ok(());
    }
    let path_and_query = match uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    };
    let new: Uri = path_and_query
        .parse()
        .map_err(|_| Error::BadRequest("The address is malformed.".into()))?;
    *req.uri_mut() = new;
    Ok(())
}

/// `/` of a workspace: the portal home.
pub async fn root(tenant: axum::Extension<Arc<Tenant>>) -> Response {
    axum::response::Redirect::to(&tenant.link("/portal/")).into_response()
}
