//! The linked modules as the domain sees them: what each declares, never its code.
use std::collections::HashSet;

use super::{
    FeatureDecl, Manifest, MenuItem, NotificationKind, PermissionDecl, RouteInfo,
    CORE_NOTIFICATION_KINDS, CORE_PERMISSIONS,
};

/// What one module declares, read once from it at start-up: its manifest, and its routes
/// as records. Entitlements, plans, the home page's blocks and the notification rules are
/// computed from these alone. The manifest's fields read through it (`declaration.id`).
#[derive(Clone, Debug)]
pub struct Declaration {
    pub manifest: &'static Manifest,
    /// Every route the module serves, on every surface.
    pub routes: Vec<RouteInfo>,
}

impl std::ops::Deref for Declaration {
    type Target = Manifest;
    fn deref(&self) -> &Manifest {
        self.manifest
    }
}

/// The declarations of the running modules, in dependency order (dependencies first; ties by
/// id), checked against each other ([`Declarations::new`]).
#[derive(Clone, Debug, Default)]
pub struct Declarations {
    modules: Vec<Declaration>,
}

impl Declarations {
    /// Orders the declarations and refuses a set that cannot run together: two modules with
    /// one id, feature, permission, notification kind or route; a missing dependency or a
    /// cycle; a path the core keeps for itself.
    pub fn new(declarations: Vec<Declaration>) -> Result<Self, super::RegistryError> {
        let modules = super::checks::checked(declarations)?;
        Ok(Declarations { modules })
    }

    pub fn all(&self) -> &[Declaration] {
        &self.modules
    }

    pub fn declared(&self, id: &str) -> Option<&Declaration> {
        self.modules.iter().find(|m| m.id == id)
    }

    pub fn ids(&self) -> Vec<&'static str> {
        self.modules.iter().map(|m| m.id).collect()
    }

    /// Every route every module registers, on every surface.
    pub fn routes(&self) -> Vec<RouteInfo> {
        self.modules
            .iter()
            .flat_map(|m| m.routes.iter().cloned())
            .collect()
    }

    /// Module features, with the module providing each.
    pub fn features(&self) -> Vec<(&'static str, FeatureDecl)> {
        self.modules
            .iter()
            .flat_map(|m| m.features.iter().map(move |f| (m.id, *f)))
            .collect()
    }

    /// Every permission a contact can hold: the core's, then each running module's.
    pub fn permissions(&self) -> Vec<(&'static str, PermissionDecl)> {
        let core = CORE_PERMISSIONS.iter().map(|p| ("core", *p));
        core.chain(
            self.modules
                .iter()
                .flat_map(|m| m.permissions.iter().map(move |p| (m.id, *p))),
        )
        .collect()
    }

    /// Every notification kind: the core's, then each running module's, with its owner.
    pub fn notification_kinds(&self) -> Vec<(&'static str, NotificationKind)> {
        let core = CORE_NOTIFICATION_KINDS.iter().map(|k| ("core", *k));
        core.chain(
            self.modules
                .iter()
                .flat_map(|m| m.notification_kinds.iter().map(move |k| (m.id, *k))),
        )
        .collect()
    }

    pub fn menu_items(&self) -> Vec<(&'static str, MenuItem)> {
        let mut items: Vec<_> = self
            .modules
            .iter()
            .flat_map(|m| m.menu_items.iter().map(move |i| (m.id, *i)))
            .collect();
        items.sort_by_key(|(id, i)| (i.order, *id));
        items
    }

    /// The same set without `failed` and every module that depends on it, directly or not,
    /// with the ids of the dependents left out (sorted). Used when a start-up hook fails.
    pub fn without(&self, failed: &str) -> (Declarations, Vec<String>) {
        let mut out: HashSet<&str> = HashSet::from([failed]);
        // Dependency order means one pass sees dependencies before their dependents.
        for m in &self.modules {
            if m.depends_on.iter().any(|d| out.contains(d)) {
                out.insert(m.id);
            }
        }
        let kept = self
            .modules
            .iter()
            .filter(|m| !out.contains(m.id))
            .cloned()
            .collect();
        let mut dropped: Vec<String> = out
            .into_iter()
            .filter(|id| *id != failed)
            .map(String::from)
            .collect();
        dropped.sort();
        (Declarations { modules: kept }, dropped)
    }
}
