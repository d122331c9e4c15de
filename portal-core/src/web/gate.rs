//! Gating: entitlement, permission and tier, checked before a module's handler runs.
//!
//! Not entitled, or missing the route's permission: the answer is exactly the fallback's, a
//! plain `Error::NotFound`, rendered by the same code, so nobody can tell a gated route from
//! a path that never existed. Read-only tier: the page renders, but mutating routes answer
//! 403 with a clear message.
use std::sync::Arc;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::Error;
use crate::module::{RouteInfo, Surface};
use crate::tenancy::{PortalUser, Role, StaffUser, Tenant};

pub async fn module_gate(module: &'static str, req: Request, next: Next) -> Response {
    match req.extensions().get::<Arc<Tenant>>() {
        Some(t) if t.entitlements.has_module(module) => next.run(req).await,
        _ => Error::NotFound.into_response(),
    }
}

pub async fn route_gate(info: Arc<RouteInfo>, req: Request, next: Next) -> Response {
    let Some(tenant) = req.extensions().get::<Arc<Tenant>>() else {
        return Error::NotFound.into_response();
    };
    if let (Surface::Portal, Some(permission)) = (info.surface, info.permission) {
        match req.extensions().get::<Arc<PortalUser>>() {
            None => return Error::SignInRequired.into_response(),
            Some(user) if !user.can(permission) => return Error::NotFound.into_response(),
            Some(_) => {}
        }
    }
    if matches!(info.surface, Surface::Admin | Surface::Api) && !info.open {
        match req.extensions().get::<Arc<StaffUser>>() {
            None => return Error::SignInRequired.into_response(),
            Some(user) if info.role.is_some_and(|least| user.role < least) => {
                return Error::Forbidden(match info.role {
                    Some(Role::Owner) => "Only the workspace's owners can do this.".into(),
                    _ => "Only the workspace's owners and admins can do this.".into(),
                })
                .into_response();
            }
            Some(_) => {}
        }
    }
    // A read-only tier limits what clients may do in their portal; staff still manage the
    // module's content from the admin and the API.
    if info.surface == Surface::Portal
        && info.is_mutating()
        && tenant.entitlements.module_read_only(info.module)
    {
        return Error::Forbidden(
            "This section is view-only here: you can look at everything, but changes are not available."
                .into(),
        )
        .into_response();
    }
    next.run(req).await
}
