//! The plan catalogue: plans and add-ons as data, read from the `plans/` directory.
//!
//! Layout of the directory:
//! - `features.toml` — the features an operator sells: label, and the module providing each
//!   (none for core features such as `custom_domain`). It is what lets `plans check` tell a
//!   typo (an unknown feature) from a feature whose module is simply not in this build.
//! - `addons.toml` — add-ons: price, which plans may take them, what they grant.
//! - any other `NAME.toml` — one plan, whose id is `NAME`.
//!
//! Validation reports every problem at once, each naming the file, the plan or add-on, and
//! the key at fault. Grants of features whose module is not linked are warnings: the feature
//! is hidden, the rest of the catalogue stands.
mod raw;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::module::{Declarations, FeatureDecl, TierDecl};

pub use validate::CatalogueError;

/// Features the core itself provides, whatever modules are linked.
pub const CORE_FEATURES: &[FeatureDecl] = &[
    FeatureDecl {
        key: "custom_domain",
        label: "Custom domain",
        tiers: &[TierDecl::STANDARD],
    },
    FeatureDecl {
        key: "branding",
        label: "Branding",
        tiers: &[
            TierDecl {
                key: "partial",
                label: "Logo and colour",
                read_only: false,
            },
            TierDecl {
                key: "full",
                label: "Full white-label",
                read_only: false,
            },
        ],
    },
];

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Price {
    /// In the currency's minor unit (cents).
    pub amount: i64,
    pub currency: String,
    pub interval: String,
}

/// Caps a plan sets. `None` is unlimited.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Limits {
    pub clients: Option<u64>,
    pub portal_users: Option<u64>,
    pub storage_mb: Option<u64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub id: String,
    pub name: String,
    pub description: String,
    pub order: i64,
    pub price: Price,
    /// Feature key → tier key; only features available in this build.
    pub grants: BTreeMap<String, String>,
    pub limits: Limits,
}

#[derive(Clone, Debug, Serialize)]
pub struct AddOn {
    pub id: String,
    pub name: String,
    pub description: String,
    pub price: Price,
    /// Plan ids that may take this add-on; empty means every plan.
    pub available_to: Vec<String>,
    pub grants: BTreeMap<String, String>,
}

impl AddOn {
    pub fn available_to(&self, plan_id: &str) -> bool {
        self.available_to.is_empty() || self.available_to.iter().any(|p| p == plan_id)
    }
}

/// One problem found in the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogueIssue {
    /// Path of the file, as given.
    pub file: String,
    /// `plan `growth``, `add-on `booking``, `feature `approvals``, or empty for the file itself.
    pub subject: String,
    /// The key at fault, dotted (`features.approvals`), or empty.
    pub key: String,
    pub message: String,
}

impl fmt::Display for CatalogueIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if !self.subject.is_empty() {
            write!(f, ": {}", self.subject)?;
        }
        if !self.key.is_empty() {
            write!(f, ", key `{}`", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

#[derive(Clone, Debug, Default)]
pub struct PlanCatalogue {
    plans: Vec<Plan>,
    addons: Vec<AddOn>,
    /// Every known feature's declaration (core and linked modules), by key.
    decls: BTreeMap<String, FeatureDecl>,
    /// The label `features.toml` gives each feature, for pricing tables.
    labels: BTreeMap<String, String>,
}

impl PlanCatalogue {
    /// Reads and validates `dir` against the modules linked into this build. On success,
    /// returns the catalogue and the warnings.
    pub fn load(
        dir: &Path,
        registry: &Declarations,
    ) -> Result<(PlanCatalogue, Vec<CatalogueIssue>), CatalogueError> {
        validate::load(dir, registry)
    }

    pub fn plans(&self) -> &[Plan] {
        &self.plans
    }

    pub fn plan(&self, id: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id == id)
    }

    pub fn addons(&self) -> &[AddOn] {
        &self.addons
    }

    pub fn addon(&self, id: &str) -> Option<&AddOn> {
        self.addons.iter().find(|a| a.id == id)
    }

    pub fn feature(&self, key: &str) -> Option<&FeatureDecl> {
        self.decls.get(key)
    }

    /// The operator's label for a feature (from `features.toml`), else the module's.
    pub fn label<'a>(&'a self, key: &'a str) -> &'a str {
        self.labels
            .get(key)
            .map(String::as_str)
            .or_else(|| self.decls.get(key).map(|d| d.label))
            .unwrap_or(key)
    }

    /// Grants a feature to a plan in memory; for tests and embedders that build catalogues
    /// in code. The tier must exist.
    pub fn grant(&mut self, plan_id: &str, feature: &str, tier: &str) -> Result<(), String> {
        let decl = self
            .decls
            .get(feature)
            .ok_or_else(|| format!("unknown feature `{feature}`"))?;
        if !decl.tiers.iter().any(|t| t.key == tier) {
            return Err(format!("unknown tier `{tier}` for `{feature}`"));
        }
        let plan = self
            .plans
            .iter_mut()
            .find(|p| p.id == plan_id)
            .ok_or_else(|| format!("unknown plan `{plan_id}`"))?;
        plan.grants.insert(feature.into(), tier.into());
        Ok(())
    }

    /// Adds (or replaces) an add-on in memory; its grants must name known features.
    pub fn add_addon(&mut self, addon: AddOn) -> Result<(), String> {
        for (feature, tier) in &addon.grants {
            let decl = self
                .decls
                .get(feature)
                .ok_or_else(|| format!("unknown feature `{feature}`"))?;
            if !decl.tiers.iter().any(|t| t.key == tier) {
                return Err(format!("unknown tier `{tier}` for `{feature}`"));
            }
        }
        self.addons.retain(|a| a.id != addon.id);
        self.addons.push(addon);
        Ok(())
    }

    /// Removes a grant from a plan in memory.
    pub fn revoke(&mut self, plan_id: &str, feature: &str) {
        if let Some(plan) = self.plans.iter_mut().find(|p| p.id == plan_id) {
            plan.grants.remove(feature);
        }
    }
}
