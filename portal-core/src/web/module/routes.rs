//! The table a module (and the core, under [`CORE`]) fills with its handlers: axum's
//! endpoints beside the [`RouteInfo`] records that describe them, so the portal can list,
//! check and probe every route it mounts. The core's own table is `web::routes`.
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{self, MethodRouter};
use axum::Router;

use crate::app::AppState;
use crate::module::{RouteInfo, Surface, CORE};
use crate::tenancy::Role;

#[derive(Default)]
pub struct Routes {
    entries: Vec<Entry>,
    /// Settings given before any route, which apply to none: the registry refuses the
    /// module at start-up rather than serve a route without the permission meant for it.
    misplaced: Vec<String>,
}

struct Entry {
    method: Method,
    path: &'static str,
    permission: Option<&'static str>,
    role: Option<Role>,
    upload: bool,
    record_params: &'static [(&'static str, &'static str)],
    open: bool,
    endpoint: MethodRouter<AppState>,
}

impl Entry {
    fn info(&self, module: &'static str, surface: Surface) -> RouteInfo {
        RouteInfo {
            module,
            surface,
            method: self.method.clone(),
            path: self.path,
            permission: self.permission,
            role: self.role,
            upload: self.upload,
            record_params: self.record_params,
            open: self.open,
        }
    }
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, routing::get(handler))
    }

    pub fn post<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, routing::post(handler))
    }

    /// A `POST` that takes files: no whole-body limit, because the handler streams each file
    /// into the file store within the workspace's own limits (`files::upload`).
    pub fn upload<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let endpoint = routing::post(handler).layer(axum::extract::DefaultBodyLimit::disable());
        let mut routes = self.add(Method::POST, path, endpoint);
        if let Some(last) = routes.entries.last_mut() {
            last.upload = true;
        }
        routes
    }

    pub fn put<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::PUT, path, routing::put(handler))
    }

    pub fn delete<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::DELETE, path, routing::delete(handler))
    }

    /// The route added last requires this portal permission; without it the route answers
    /// exactly like a path that does not exist.
    pub fn requires(mut self, permission: &'static str) -> Self {
        if let Some(last) = self.last(&format!("requires(\"{permission}\")")) {
            last.permission = Some(permission);
        }
        self
    }

    /// The staff route added last is for `role` and above (`Role::Admin`: owners and admins):
    /// a member gets 403 before the handler runs, so no handler checks roles itself.
    pub fn requires_role(mut self, role: Role) -> Self {
        if let Some(last) = self.last(&format!("requires_role({})", role.as_str())) {
            last.role = Some(role);
        }
        self
    }

    /// The route added last reads these query or form parameters as record ids, each paired
    /// with the sample that names one: the module's seed's (`("move", "id")`), another
    /// module's or the core's (`"projects.id"`, `"core.client"`), a record of the workspace's
    /// that every client may use (`"context:type"`, never swapped), or a fixed value (`"=EUR"`).
    /// The isolation probe sends them with another client's records (refused, as records that
    /// exist nowhere) and with the caller's own (taken): declare every parameter a handler
    /// looks a record up by, and the rest of a valid request (`type` for booking's `move`).
    pub fn record_params(mut self, params: &'static [(&'static str, &'static str)]) -> Self {
        if let Some(last) = self.last("record_params") {
            last.record_params = params;
        }
        self
    }

    /// The route added last, which a setting such as `requires` applies to; `None`, with the
    /// mistake noted for the registry, when no route comes before the setting.
    fn last(&mut self, setting: &str) -> Option<&mut Entry> {
        if self.entries.is_empty() {
            self.misplaced.push(format!(
                "`{setting}` comes before any route; write it after the route it guards"
            ));
        }
        self.entries.last_mut()
    }

    /// Every route in this table is a door, served without a session too (see
    /// `RouteInfo::open`). The core's only: a module's route always has a session to check,
    /// and the isolation probe leaves doors out.
    pub(crate) fn doors(mut self) -> Self {
        for e in &mut self.entries {
            e.open = true;
        }
        self
    }

    /// Every route in this table finds `value` in its request extensions: one handler serving
    /// routes that differ in one setting (the portal's and the admin's sign-in door).
    pub fn with<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.entries = self
            .entries
            .into_iter()
            .map(|e| Entry {
                endpoint: e.endpoint.layer(axum::Extension(value.clone())),
                ..e
            })
            .collect();
        self
    }

    /// Every route of `other` too: the core builds its table from a few shared parts.
    pub fn merge(mut self, other: Routes) -> Self {
        self.entries.extend(other.entries);
        self.misplaced.extend(other.misplaced);
        self
    }

    fn add(mut self, method: Method, path: &'static str, endpoint: MethodRouter<AppState>) -> Self {
        self.entries.push(Entry {
            method,
            path,
            permission: None,
            role: None,
            upload: false,
            record_params: &[],
            open: false,
            endpoint,
        });
        self
    }

    /// What was written in the wrong place (see `misplaced`), for the registry to refuse.
    pub fn misplaced(&self) -> &[String] {
        &self.misplaced
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn infos(&self, module: &'static str, surface: Surface) -> Vec<RouteInfo> {
        self.entries
            .iter()
            .map(|e| e.info(module, surface))
            .collect()
    }

    /// Builds the router. Each endpoint is wrapped in its own route gate (permission, read-only
    /// tier); a module's whole router in the module gate (entitlement), which also covers
    /// axum's own 405 answers so a module the workspace lacks never reveals its paths. The
    /// core's routes ([`CORE`]) get no module gate: no plan leaves the core out.
    pub(crate) fn into_router(self, module: &'static str, surface: Surface) -> Router<AppState> {
        use std::collections::BTreeMap;
        let mut by_path: BTreeMap<&'static str, MethodRouter<AppState>> = BTreeMap::new();
        for e in self.entries {
            let info = std::sync::Arc::new(e.info(module, surface));
            let endpoint = e
                .endpoint
                .layer(axum::middleware::from_fn(move |req, next| {
                    crate::web::gate::route_gate(info.clone(), req, next)
                }));
            let merged = match by_path.remove(e.path) {
                Some(existing) => existing.merge(endpoint),
                None => endpoint,
            };
            by_path.insert(e.path, merged);
        }
        let router = by_path
            .into_iter()
            .fold(Router::new(), |r, (path, mr)| r.route(path, mr));
        if module == CORE {
            return router;
        }
        router.layer(axum::middleware::from_fn(move |req, next| {
            crate::web::gate::module_gate(module, req, next)
        }))
    }
}
