//! The modules linked into this binary, validated and ordered: their code (the
//! [`PortalModule`]s the web layer mounts and calls) beside their [`Declarations`] (what
//! the domain reads).
use std::sync::Arc;

use super::{ModuleRegistration, PortalModule};
use crate::module::{Declaration, Declarations, RegistryError, Surface};

/// A module whose start-up hook failed, and the modules left out with it.
#[derive(Debug, Clone)]
pub struct StartupFailure {
    pub module: String,
    pub reason: String,
    pub also_left_out: Vec<String>,
}

/// Linked modules in dependency order (dependencies first; ties by id).
///
/// It dereferences to its [`Declarations`], so a domain function that takes
/// `&Declarations` is handed `&state.registry` as it is.
#[derive(Clone)]
pub struct ModuleRegistry {
    modules: Vec<Arc<dyn PortalModule>>,
    declared: Declarations,
}

impl std::fmt::Debug for ModuleRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.modules.iter().map(|m| m.id()))
            .finish()
    }
}

impl std::ops::Deref for ModuleRegistry {
    type Target = Declarations;

    fn deref(&self) -> &Declarations {
        &self.declared
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
        let mut modules: Vec<Arc<dyn PortalModule>> =
            regs.into_iter().map(|r| Arc::from((r.build)())).collect();
        // inventory's order is unspecified: sort, so start-up is the same on every run.
        modules.sort_by_key(|m| m.id());
        Self::from_modules(modules)
    }

    pub fn from_modules(modules: Vec<Arc<dyn PortalModule>>) -> Result<Self, RegistryError> {
        let declarations = modules
            .iter()
            .map(|m| declaration(m.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        let declared = Declarations::new(declarations)?;
        Ok(Self::arranged(modules, declared))
    }

    /// `modules` kept and ordered as `declared` has them.
    fn arranged(modules: Vec<Arc<dyn PortalModule>>, declared: Declarations) -> Self {
        let modules = declared
            .ids()
            .into_iter()
            .filter_map(|id| modules.iter().find(|m| m.id() == id).cloned())
            .collect();
        ModuleRegistry { modules, declared }
    }

    pub fn modules(&self) -> &[Arc<dyn PortalModule>] {
        &self.modules
    }

    pub fn get(&self, id: &str) -> Option<&Arc<dyn PortalModule>> {
        self.modules.iter().find(|m| m.id() == id)
    }

    pub fn declarations(&self) -> &Declarations {
        &self.declared
    }

    /// The same registry without `failed` and every module that depends on it, directly or
    /// not. Used when a start-up hook fails.
    pub fn without(&self, failed: &str) -> (ModuleRegistry, Vec<String>) {
        let (declared, dropped) = self.declared.without(failed);
        (Self::arranged(self.modules.clone(), declared), dropped)
    }
}

/// What `m` declares: its manifest, and its route tables read once (building them builds the
/// handlers too).
fn declaration(m: &dyn PortalModule) -> Result<Declaration, RegistryError> {
    let manifest = m.manifest();
    let id = manifest.id;
    let mut routes = Vec::new();
    for (table, surface) in [
        (m.portal_routes(), Surface::Portal),
        (m.admin_routes(), Surface::Admin),
        (m.api_routes(), Surface::Api),
        (m.hook_routes(), Surface::Hook),
    ] {
        if let Some(message) = table.misplaced().first() {
            return Err(RegistryError::Invalid {
                module: id.into(),
                message: format!("{surface:?} routes: {message}"),
            });
        }
        routes.extend(table.infos(id, surface));
    }
    Ok(Declaration { manifest, routes })
}
