//! What a workspace may use right now.
//!
//! `Entitlements` = (plan grants ∪ add-on grants) ∩ modules linked into the binary ∩ modules
//! the workspace enabled, with module dependencies honoured (a module whose dependency is
//! not entitled is not entitled either).
//!
//! Caching: the result is kept in a moka cache keyed by workspace id and stamped with the
//! workspace's `revision`. Every change to a plan, add-on or module setting bumps the revision
//! in the same transaction (and database triggers bump it for changes to clients, contacts,
//! permissions and sessions), and every request reads the workspace row anyway (tenancy), so
//! a stale entry is detected on the very next request — from this process, the CLI, or
//! another instance — with no cache to clear. [`EntitlementCache::invalidate`] drops an entry
//! eagerly; it is the hook a cross-instance notifier (PostgreSQL LISTEN/NOTIFY) will call.
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use crate::db::Db;
use crate::error::Result;
use crate::module::Declarations;
use crate::plans::{Limits, PlanCatalogue};
use crate::workspace::Workspace;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct GrantedTier {
    pub tier: String,
    pub read_only: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Entitlements {
    pub plan_id: String,
    /// `None` when the workspace's plan is not in the catalogue: nothing is granted.
    pub plan_name: Option<String>,
    pub addons: Vec<String>,
    features: BTreeMap<String, GrantedTier>,
    modules: BTreeSet<String>,
    /// Entitled modules whose own (first) feature is granted at a read-only tier.
    read_only_modules: BTreeSet<String>,
    pub limits: Limits,
}

impl Entitlements {
    pub fn has_feature(&self, key: &str) -> bool {
        self.features.contains_key(key)
    }

    pub fn tier(&self, key: &str) -> Option<&GrantedTier> {
        self.features.get(key)
    }

    pub fn has_module(&self, id: &str) -> bool {
        self.modules.contains(id)
    }

    pub fn modules(&self) -> impl Iterator<Item = &str> {
        self.modules.iter().map(String::as_str)
    }

    pub fn features(&self) -> impl Iterator<Item = (&str, &GrantedTier)> {
        self.features.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Whether the module's own (first) feature is granted at a read-only tier: its pages
    /// show no action controls and its mutating routes refuse.
    pub fn module_read_only(&self, module: &str) -> bool {
        self.read_only_modules.contains(module)
    }

    /// Computes entitlements from their inputs. Pure: no I/O.
    pub fn compute(
        catalogue: &PlanCatalogue,
        registry: &Declarations,
        plan_id: &str,
        addons: &[String],
        disabled_modules: &[String],
    ) -> Entitlements {
        let Some(plan) = catalogue.plan(plan_id) else {
            return Entitlements {
                plan_id: plan_id.into(),
                ..Default::default()
            };
        };
        let mut grants: BTreeMap<String, String> = plan.grants.clone();
        let mut taken = Vec::new();
        for id in addons {
            let Some(addon) = catalogue.addon(id).filter(|a| a.available_to(plan_id)) else {
                continue;
            };
            taken.push(id.clone());
            for (feature, tier) in &addon.grants {
                let higher = match grants.get(feature) {
                    Some(current) => {
                        tier_rank(catalogue, feature, tier) > tier_rank(catalogue, feature, current)
                    }
                    None => true,
                };
                if higher {
                    grants.insert(feature.clone(), tier.clone());
                }
            }
        }

        // Modules in dependency order, so each module's dependencies are decided before it.
        let mut modules = BTreeSet::new();
        for m in registry.all() {
            let enabled = !disabled_modules.iter().any(|d| d == m.id);
            let deps_ok = m.depends_on.iter().all(|d| modules.contains(*d));
            let granted =
                m.features.is_empty() || m.features.iter().any(|f| grants.contains_key(f.key));
            if enabled && deps_ok && granted {
                modules.insert(m.id.to_string());
            }
        }

        let module_features: BTreeMap<&str, &str> = registry
            .features()
            .into_iter()
            .map(|(module, f)| (f.key, module))
            .collect();
        let features = grants
            .into_iter()
            .filter(|(key, _)| match module_features.get(key.as_str()) {
                Some(module) => modules.contains(*module),
                None => true, // core feature
            })
            .filter_map(|(key, tier)| {
                let decl = catalogue.feature(&key)?;
                let t = decl.tiers.iter().find(|t| t.key == tier)?;
                Some((
                    key,
                    GrantedTier {
                        tier,
                        read_only: t.read_only,
                    },
                ))
            })
            .collect::<BTreeMap<String, GrantedTier>>();
        let read_only_modules = registry
            .all()
            .iter()
            .filter(|m| modules.contains(m.id))
            .filter(|m| {
                m.features
                    .first()
                    .and_then(|f| features.get(f.key))
                    .is_some_and(|t| t.read_only)
            })
            .map(|m| m.id.to_string())
            .collect();

        Entitlements {
            plan_id: plan_id.into(),
            plan_name: Some(plan.name.clone()),
            addons: taken,
            features,
            modules,
            read_only_modules,
            limits: plan.limits.clone(),
        }
    }
}

fn tier_rank(catalogue: &PlanCatalogue, feature: &str, tier: &str) -> usize {
    catalogue
        .feature(feature)
        .and_then(|d| d.tiers.iter().position(|t| t.key == tier))
        .unwrap_or(0)
}

#[derive(Clone)]
pub struct EntitlementCache {
    cache: moka::future::Cache<i64, Arc<(i64, Arc<Entitlements>)>>,
}

impl Default for EntitlementCache {
    fn default() -> Self {
        Self::new()
    }
}

impl EntitlementCache {
    pub fn new() -> Self {
        EntitlementCache {
            cache: moka::future::Cache::builder().max_capacity(100_000).build(),
        }
    }

    /// The workspace's entitlements, recomputed when its revision moved.
    pub async fn get(
        &self,
        db: &Db,
        catalogue: &PlanCatalogue,
        registry: &Declarations,
        workspace: &Workspace,
    ) -> Result<Arc<Entitlements>> {
        if let Some(entry) = self.cache.get(&workspace.id).await {
            if entry.0 == workspace.revision {
                return Ok(entry.1.clone());
            }
        }
        let addons = crate::workspace::addons(db, workspace.id).await?;
        let disabled = crate::workspace::disabled_modules(db, workspace.id).await?;
        let ent = Arc::new(Entitlements::compute(
            catalogue,
            registry,
            &workspace.plan_id,
            &addons,
            &disabled,
        ));
        self.cache
            .insert(workspace.id, Arc::new((workspace.revision, ent.clone())))
            .await;
        Ok(ent)
    }

    pub async fn invalidate(&self, workspace_id: i64) {
        self.cache.invalidate(&workspace_id).await;
    }
}
