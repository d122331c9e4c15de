//! The modules linked into this binary, validated and ordered.
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::{
    FeatureDecl, MenuItem, ModuleRegistration, NotificationKind, PermissionDecl, PortalModule,
    RouteInfo, Surface,
};

/// Why the linked set of modules cannot start. Each names the modules at fault.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RegistryError {
    #[error("two linked modules share the id `{0}`; module ids must be unique")]
    DuplicateId(String),
    #[error("module `{module}` depends on `{missing}`, which is not linked into this build")]
    MissingDependency { module: String, missing: String },
    #[error("modules depend on each other in a cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    #[error("feature `{feature}` is declared by both `{first}` and `{second}`")]
    DuplicateFeature {
        feature: String,
        first: String,
        second: String,
    },
    #[error("permission `{permission}` is declared by both `{first}` and `{second}`")]
    DuplicatePermission {
        permission: String,
        first: String,
        second: String,
    },
    #[error("notification kind `{kind}` is declared by both `{first}` and `{second}`")]
    DuplicateNotificationKind {
        kind: String,
        first: String,
        second: String,
    },
    #[error("{surface:?} route {method} {path} is registered by both `{first}` and `{second}`")]
    OverlappingRoute {
        surface: Surface,
        method: String,
        path: String,
        first: String,
        second: String,
    },
    #[error("module `{module}`: {message}")]
    Invalid { module: String, message: String },
}

/// A module whose start-up hook failed, and the modules left out with it.
#[derive(Debug, Clone)]
pub struct StartupFailure {
    pub module: String,
    pub reason: String,
    pub also_left_out: Vec<String>,
}

/// Linked modules in dependency order (dependencies first; ties by id).
#[derive(Clone)]
pub struct ModuleRegistry {
    modules: Vec<Arc<dyn PortalModule>>,
}

impl std::fmt::Debug for ModuleRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.modules.iter().map(|m| m.id()))
            .finish()
    }
}

impl ModuleRegistry {
    /// Every module registered through `inventory` in this binary.
    pub fn linked() -> Result<Self, RegistryError> {
        Self::from_registrations(inventory::iter::<ModuleRegistration>)
    }

    pub fn from_registrations<'a>(
        regs: impl IntoIterator<Item = &'a ModuleRegistration>,
    ) -> Result<Self, RegistryError> {
        let mut regs: Vec<&ModuleRegistration> = regs.into_iter().collect();
        // inventory's order is unspecified: sort, so start-up is the same on every run.
        regs.sort_by_key(|r| r.id);
        let modules = regs.iter().map(|r| Arc::from((r.build)())).collect();
        Self::from_modules(modules)
    }

    pub fn from_modules(modules: Vec<Arc<dyn PortalModule>>) -> Result<Self, RegistryError> {
        let mut by_id: BTreeMap<&'static str, Arc<dyn PortalModule>> = BTreeMap::new();
        for m in modules {
            if m.id().is_empty()
                || !m
                    .id()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            {
                return Err(RegistryError::Invalid {
                    module: m.id().into(),
                    message: "ids use lowercase letters, digits, `-` and `_`".into(),
                });
            }
            if by_id.insert(m.id(), m.clone()).is_some() {
                return Err(RegistryError::DuplicateId(m.id().into()));
            }
            if m.id() == super::CORE {
                return Err(RegistryError::Invalid {
                    module: m.id().into(),
                    message: "the id `core` names the core's own routes; choose another".into(),
                });
            }
        }
        let order = dependency_order(&by_id)?;
        let registry = ModuleRegistry {
            modules: order
                .into_iter()
                .filter_map(|id| by_id.remove(id))
                .collect(),
        };
        registry.check_declarations()?;
        Ok(registry)
    }

    fn check_declarations(&self) -> Result<(), RegistryError> {
        let mut features: HashMap<&str, &str> = crate::plans::CORE_FEATURES
            .iter()
            .map(|f| (f.key, "core"))
            .collect();
        let mut permissions: HashMap<&str, &str> = super::CORE_PERMISSIONS
            .iter()
            .map(|p| (p.key, "core"))
            .collect();
        let mut kinds: HashMap<&str, &str> = super::CORE_NOTIFICATION_KINDS
            .iter()
            .map(|k| (k.key, "core"))
            .collect();
        let mut routes: HashMap<(Surface, String, &str), &str> = HashMap::new();
        // The router (matchit) refuses two paths that differ only in parameter names, whatever
        // their methods: compare shapes too.
        let mut shapes: HashMap<(Surface, String), (&str, &str)> = HashMap::new();
        for m in &self.modules {
            for f in m.features() {
                if f.tiers.is_empty() {
                    return Err(RegistryError::Invalid {
                        module: m.id().into(),
                        message: format!("feature `{}` declares no tiers", f.key),
                    });
                }
                if let Some(first) = features.insert(f.key, m.id()) {
                    return Err(RegistryError::DuplicateFeature {
                        feature: f.key.into(),
                        first: first.into(),
                        second: m.id().into(),
                    });
                }
            }
            for p in m.permissions() {
                if let Some(first) = permissions.insert(p.key, m.id()) {
                    return Err(RegistryError::DuplicatePermission {
                        permission: p.key.into(),
                        first: first.into(),
                        second: m.id().into(),
                    });
                }
            }
            for k in m.notification_kinds() {
                if let Some(first) = kinds.insert(k.key, m.id()) {
                    return Err(RegistryError::DuplicateNotificationKind {
                        kind: k.key.into(),
                        first: first.into(),
                        second: m.id().into(),
                    });
                }
            }
            for item in m.menu_items() {
                if let Some(f) = item.feature {
                    if !m.features().iter().any(|d| d.key == f) {
                        return Err(RegistryError::Invalid {
                            module: m.id().into(),
                            message: format!(
                                "menu item `{}` requires feature `{f}`, which the module does not declare",
                                item.label
                            ),
                        });
                    }
                }
            }
            for r in self.routes_of(m.as_ref()) {
                if !r.path.starts_with('/') {
                    return Err(RegistryError::Invalid {
                        module: m.id().into(),
                        message: format!("route path `{}` must start with `/`", r.path),
                    });
                }
                if is_reserved(r.surface, r.path) {
                    return Err(RegistryError::Invalid {
                        module: m.id().into(),
                        message: format!("{:?} path `{}` belongs to the core", r.surface, r.path),
                    });
                }
                let shape = (r.surface, path_shape(r.path));
                match shapes.get(&shape) {
                    Some((raw, first)) if *raw != r.path => {
                        return Err(RegistryError::OverlappingRoute {
                            surface: r.surface,
                            method: r.method.to_string(),
                            path: format!("{} (and `{raw}`)", r.path),
                            first: (*first).into(),
                            second: m.id().into(),
                        });
                    }
                    Some(_) => {}
                    None => {
                        shapes.insert(shape, (r.path, m.id()));
                    }
                }
                let key = (r.surface, r.method.to_string(), r.path);
                if let Some(first) = routes.insert(key, m.id()) {
                    return Err(RegistryError::OverlappingRoute {
                        surface: r.surface,
                        method: r.method.to_string(),
                        path: r.path.into(),
                        first: first.into(),
                        second: m.id().into(),
                    });
                }
            }
        }
        Ok(())
    }

    fn routes_of(&self, m: &dyn PortalModule) -> Vec<RouteInfo> {
        let mut out = m.portal_routes().infos(m.id(), Surface::Portal);
        out.extend(m.admin_routes().infos(m.id(), Surface::Admin));
        out.extend(m.api_routes().infos(m.id(), Surface::Api));
        out.extend(m.hook_routes().infos(m.id(), Surface::Hook));
        out
    }

    pub fn modules(&self) -> &[Arc<dyn PortalModule>] {
        &self.modules
    }

    pub fn get(&self, id: &str) -> Option<&Arc<dyn PortalModule>> {
        self.modules.iter().find(|m| m.id() == id)
    }

    pub fn ids(&self) -> Vec<&'static str> {
        self.modules.iter().map(|m| m.id()).collect()
    }

    /// Every route every module registers, on every surface.
    pub fn routes(&self) -> Vec<RouteInfo> {
        self.modules
            .iter()
            .flat_map(|m| self.routes_of(m.as_ref()))
            .collect()
    }

    /// Module features, with the module providing each.
    pub fn features(&self) -> Vec<(&'static str, FeatureDecl)> {
        self.modules
            .iter()
            .flat_map(|m| m.features().iter().map(move |f| (m.id(), *f)))
            .collect()
    }

    /// Every permission a contact can hold: the core's, then each running module's.
    pub fn permissions(&self) -> Vec<(&'static str, PermissionDecl)> {
        let core = super::CORE_PERMISSIONS.iter().map(|p| ("core", *p));
        core.chain(
            self.modules
                .iter()
                .flat_map(|m| m.permissions().iter().map(move |p| (m.id(), *p))),
        )
        .collect()
    }

    /// Every notification kind: the core's, then each running module's, with its owner.
    pub fn notification_kinds(&self) -> Vec<(&'static str, NotificationKind)> {
        let core = super::CORE_NOTIFICATION_KINDS.iter().map(|k| ("core", *k));
        core.chain(
            self.modules
                .iter()
                .flat_map(|m| m.notification_kinds().iter().map(move |k| (m.id(), *k))),
        )
        .collect()
    }

    pub fn menu_items(&self) -> Vec<(&'static str, MenuItem)> {
        let mut items: Vec<_> = self
            .modules
            .iter()
            .flat_map(|m| m.menu_items().iter().map(move |i| (m.id(), *i)))
            .collect();
        items.sort_by_key(|(id, i)| (i.order, *id));
        items
    }

    /// The same registry without `failed` and every module that depends on it, directly or
    /// not. Used when a start-up hook fails.
    pub fn without(&self, failed: &str) -> (ModuleRegistry, Vec<String>) {
        let mut out: HashSet<&str> = HashSet::from([failed]);
        // Dependency order means one pass sees dependencies before their dependents.
        for m in &self.modules {
            if m.depends_on().iter().any(|d| out.contains(d)) {
                out.insert(m.id());
            }
        }
        let kept = self
            .modules
            .iter()
            .filter(|m| !out.contains(m.id()))
            .cloned()
            .collect();
        let mut dropped: Vec<String> = out
            .into_iter()
            .filter(|id| *id != failed)
            .map(String::from)
            .collect();
        dropped.sort();
        (ModuleRegistry { modules: kept }, dropped)
    }
}

/// First path segments the core serves itself on each surface: the path and everything under
/// it belong to the core, so the core can grow pages there without breaking a module. Kept in
/// step with the core's route table (`web::routes`) by a test there.
const RESERVED: &[(Surface, &str)] = &[
    (Surface::Portal, ""),
    (Surface::Portal, "sign-in"),
    (Surface::Portal, "sign-out"),
    (Surface::Portal, "account"),
    (Surface::Portal, "welcome"),
    (Surface::Portal, "reset"),
    (Surface::Portal, "link"),
    (Surface::Portal, "notifications"),
    (Surface::Admin, ""),
    (Surface::Admin, "sign-in"),
    (Surface::Admin, "sign-out"),
    (Surface::Admin, "account"),
    (Surface::Admin, "clients"),
    (Surface::Admin, "contacts"),
    (Surface::Admin, "team"),
    (Surface::Admin, "tokens"),
    (Surface::Admin, "audit"),
    (Surface::Admin, "home"),
    (Surface::Admin, "files"),
    (Surface::Admin, "security"),
    (Surface::Admin, "settings"),
    (Surface::Api, "me"),
    (Surface::Api, "settings"),
    (Surface::Api, "files"),
];

pub(crate) fn is_reserved(surface: Surface, path: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let whole_root = first.is_empty();
    RESERVED
        .iter()
        .any(|(s, seg)| *s == surface && *seg == first && (!whole_root || path == "/"))
}

/// `/projects/{id}` and `/projects/{project}` have the same shape: `/projects/{}`.
fn path_shape(path: &str) -> String {
    path.split('/')
        .map(|seg| match seg.strip_prefix('{') {
            Some(rest) if rest.starts_with('*') => "{*}",
            Some(_) => "{}",
            None => seg,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Depth-first topological sort that reports the first missing dependency or cycle it meets.
fn dependency_order(
    by_id: &BTreeMap<&'static str, Arc<dyn PortalModule>>,
) -> Result<Vec<&'static str>, RegistryError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn visit(
        id: &'static str,
        by_id: &BTreeMap<&'static str, Arc<dyn PortalModule>>,
        marks: &mut HashMap<&'static str, Mark>,
        path: &mut Vec<&'static str>,
        out: &mut Vec<&'static str>,
    ) -> Result<(), RegistryError> {
        match marks.get(id) {
            Some(Mark::Done) => return Ok(()),
            Some(Mark::Visiting) => {
                let start = path.iter().position(|p| *p == id).unwrap_or(0);
                let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
                cycle.push(id.to_string());
                return Err(RegistryError::Cycle(cycle));
            }
            None => {}
        }
        let Some(module) = by_id.get(id) else {
            return Ok(());
        };
        marks.insert(id, Mark::Visiting);
        path.push(id);
        let mut deps: Vec<&'static str> = module.depends_on().to_vec();
        deps.sort_unstable();
        for dep in deps {
            let Some((dep_id, _)) = by_id.get_key_value(dep) else {
                return Err(RegistryError::MissingDependency {
                    module: id.into(),
                    missing: dep.into(),
                });
            };
            visit(dep_id, by_id, marks, path, out)?;
        }
        path.pop();
        marks.insert(id, Mark::Done);
        out.push(id);
        Ok(())
    }
    let mut marks = HashMap::new();
    let mut out = Vec::new();
    for id in by_id.keys() {
        visit(id, by_id, &mut marks, &mut Vec::new(), &mut out)?;
    }
    Ok(out)
}
