//! The routes of the portal as data: which module serves what, where, under which rule.
//!
//! An axum `Router` cannot list its routes, but the core needs that list: to detect two
//! modules claiming one path before axum panics on it, and so the test suite can probe every
//! registered route (gating matrix, tenant-isolation probe) without anyone maintaining a list.
//! The web layer's `Routes` table produces these records next to the handlers it mounts.
use http::Method;

/// The `module` of the core's own routes: never gated by a plan, always present.
pub const CORE: &str = "core";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Surface {
    Portal,
    Admin,
    Api,
    /// Calls from other services (a payment provider's webhook): no session, no CSRF token;
    /// each handler proves who is calling (a signature) before it believes anything.
    Hook,
}

impl Surface {
    pub fn prefix(self) -> &'static str {
        match self {
            Surface::Portal => "/portal",
            Surface::Admin => "/admin",
            Surface::Api => "/api",
            Surface::Hook => "/hooks",
        }
    }

    /// Answered in JSON, not pages: the API and hooks.
    pub fn is_machine(self) -> bool {
        matches!(self, Surface::Api | Surface::Hook)
    }
}

/// One method on one path, as registered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteInfo {
    pub module: &'static str,
    pub surface: Surface,
    pub method: Method,
    /// Relative to the surface, with axum's `{param}` syntax.
    pub path: &'static str,
    /// The portal permission the route requires, if any.
    pub permission: Option<&'static str>,
    /// On the admin and API surfaces: the least staff role that may call it (a member is
    /// refused a route for admins with 403 before the handler runs).
    pub role: Option<crate::tenancy::Role>,
    /// A multipart upload (no whole-body limit of its own; read through `UploadForm`).
    pub upload: bool,
    /// Query or form parameters that name records, each with the sample that fills it
    /// (`("move", "id")`; see `Routes::record_params`): the isolation probe sends them with
    /// another client's records, as it does the path's `{params}`.
    pub record_params: &'static [(&'static str, &'static str)],
    /// A door: served to visitors without a session too (sign-in, one-time links, sign-out).
    /// It shows no client's records; a `{param}` on it is a secret the visitor brings.
    pub open: bool,
}

impl RouteInfo {
    /// Whether the route changes state (refused on a read-only tier).
    pub fn is_mutating(&self) -> bool {
        !matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }
}
