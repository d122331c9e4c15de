//! Reading the catalogue directory and checking it against the linked modules.
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use super::raw::{RawAddOn, RawFeature, RawPlan, RawPrice};
use super::{AddOn, CatalogueIssue, Limits, Plan, PlanCatalogue, Price, CORE_FEATURES};
use crate::module::{Declarations, FeatureDecl};

/// The catalogue could not be used; every problem found is listed.
#[derive(Debug, Clone)]
pub struct CatalogueError {
    pub errors: Vec<CatalogueIssue>,
    pub warnings: Vec<CatalogueIssue>,
}

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the plan catalogue has {} error(s):", self.errors.len())?;
        for e in &self.errors {
            writeln!(f, "  error: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogueError {}

/// Collects issues while reading.
struct Check<'a> {
    dir: &'a Path,
    errors: Vec<CatalogueIssue>,
    warnings: Vec<CatalogueIssue>,
}

impl Check<'_> {
    fn file(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    fn error(&mut self, file: &str, subject: &str, key: &str, message: impl Into<String>) {
        self.errors.push(CatalogueIssue {
            file: self.file(file),
            subject: subject.into(),
            key: key.into(),
            message: message.into(),
        });
    }

    fn warn(&mut self, file: &str, subject: &str, key: &str, message: impl Into<String>) {
        self.warnings.push(CatalogueIssue {
            file: self.file(file),
            subject: subject.into(),
            key: key.into(),
            message: message.into(),
        });
    }

    fn read<T: serde::de::DeserializeOwned>(&mut self, file: &str) -> Option<T> {
        let path = self.dir.join(file);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                self.error(file, "", "", format!("cannot read the file: {e}"));
                return None;
            }
        };
        match toml::from_str(&text) {
            Ok(v) => Some(v),
            Err(e) => {
                // toml's message names the line, the column and the key.
                let msg = e.to_string().trim_end().replace('\n', "\n    ");
                self.error(file, "", "", format!("invalid TOML: {msg}"));
                None
            }
        }
    }
}

/// What `features.toml` says about one feature, joined with what the build knows.
enum Known {
    /// Declared by the core or a linked module.
    Available(FeatureDecl),
    /// Sold in the catalogue, but its module is not in this build.
    NotLinked,
}

pub fn load(
    dir: &Path,
    registry: &Declarations,
) -> Result<(PlanCatalogue, Vec<CatalogueIssue>), CatalogueError> {
    let mut check = Check {
        dir,
        errors: Vec::new(),
        warnings: Vec::new(),
    };

    let mut decls: BTreeMap<String, FeatureDecl> = BTreeMap::new();
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    for f in CORE_FEATURES {
        decls.insert(f.key.into(), *f);
        owner.insert(f.key, "core");
    }
    for (module, f) in registry.features() {
        decls.insert(f.key.into(), f);
        owner.insert(f.key, module);
    }
    let linked: BTreeSet<&str> = registry.ids().into_iter().collect();

    // features.toml: the vocabulary.
    let raw_features: BTreeMap<String, RawFeature> =
        check.read("features.toml").unwrap_or_default();
    let mut known: BTreeMap<String, Known> = BTreeMap::new();
    for (key, raw) in &raw_features {
        let subject = format!("feature `{key}`");
        if let Some(decl) = decls.get(key) {
            let declared_by = owner.get(key.as_str()).copied().unwrap_or("core");
            let said = raw.module.as_deref().unwrap_or("core");
            if said != declared_by {
                check.error(
                    "features.toml",
                    &subject,
                    "module",
                    format!(
                        "the catalogue says `{said}`, but `{key}` is provided by `{declared_by}`"
                    ),
                );
            }
            known.insert(key.clone(), Known::Available(*decl));
        } else if let Some(module) = &raw.module {
            if linked.contains(module.as_str()) {
                check.error(
                    "features.toml",
                    &subject,
                    "module",
                    format!("module `{module}` is linked but does not declare a feature `{key}`"),
                );
            } else {
                check.warn(
                    "features.toml",
                    &subject,
                    "module",
                    format!("module `{module}` is not linked into this build; plans granting `{key}` will not offer it"),
                );
                known.insert(key.clone(), Known::NotLinked);
            }
        } else {
            check.error(
                "features.toml",
                &subject,
                "module",
                "not a core feature: name the module that provides it (`module = \"…\"`)",
            );
        }
    }
    for (key, who) in &owner {
        if *who != "core" && !raw_features.contains_key(*key) {
            check.warn(
                "features.toml",
                &format!("feature `{key}`"),
                "",
                format!("module `{who}` provides it, but the catalogue does not list it, so no plan can grant it"),
            );
        }
    }

    // Plans: every other *.toml file.
    let mut plan_files: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml") && n != "features.toml" && n != "addons.toml")
            .collect(),
        Err(e) => {
            check.error(
                "",
                "",
                "",
                format!("cannot read the catalogue directory: {e}"),
            );
            Vec::new()
        }
    };
    plan_files.sort();
    // Every plan file names a plan, even one that fails to parse: cross-references to it
    // are not errors of their own.
    let plan_ids: BTreeSet<String> = plan_files
        .iter()
        .map(|f| f.strip_suffix(".toml").unwrap_or(f).to_string())
        .collect();
    let mut plans = Vec::new();
    for file in &plan_files {
        let id = file.strip_suffix(".toml").unwrap_or(file).to_string();
        let subject = format!("plan `{id}`");
        if !valid_id(&id) {
            check.error(
                file,
                &subject,
                "",
                "plan ids (file names) use lowercase letters, digits, `-` and `_`",
            );
            continue;
        }
        let Some(raw) = check.read::<RawPlan>(file) else {
            continue;
        };
        if raw.name.trim().is_empty() {
            check.error(file, &subject, "name", "must not be empty");
        }
        let price = price(&mut check, file, &subject, &raw.price);
        let grants = grants(&mut check, file, &subject, &raw.features, &known);
        plans.push(Plan {
            id,
            name: raw.name,
            description: raw.description,
            order: raw.order,
            price,
            grants,
            limits: Limits {
                clients: raw.limits.clients,
                portal_users: raw.limits.portal_users,
                storage_mb: raw.limits.storage_mb,
            },
        });
    }
    if plans.is_empty() && check.errors.is_empty() {
        check.error(
            "",
            "",
            "",
            "the catalogue defines no plan: add a file such as `starter.toml`",
        );
    }
    plans.sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));

    // Add-ons (optional file).
    let mut addons = Vec::new();
    if dir.join("addons.toml").exists() {
        let raw: BTreeMap<String, RawAddOn> = check.read("addons.toml").unwrap_or_default();
        for (id, raw) in raw {
            let subject = format!("add-on `{id}`");
            if !valid_id(&id) {
                check.error(
                    "addons.toml",
                    &subject,
                    "",
                    "add-on ids use lowercase letters, digits, `-` and `_`",
                );
            }
            for (i, plan) in raw.available_to.iter().enumerate() {
                if !plan_ids.contains(plan) {
                    check.error(
                        "addons.toml",
                        &subject,
                        &format!("available_to[{i}]"),
                        format!("unknown plan `{plan}`"),
                    );
                }
            }
            let price = price(&mut check, "addons.toml", &subject, &raw.price);
            let grants = grants(&mut check, "addons.toml", &subject, &raw.features, &known);
            addons.push(AddOn {
                id,
                name: raw.name,
                description: raw.description,
                price,
                available_to: raw.available_to,
                grants,
            });
        }
    }

    if check.errors.is_empty() {
        Ok((
            PlanCatalogue {
                plans,
                addons,
                decls,
                labels: raw_features
                    .into_iter()
                    .map(|(k, f)| (k, f.label))
                    .collect(),
            },
            check.warnings,
        ))
    } else {
        Err(CatalogueError {
            errors: check.errors,
            warnings: check.warnings,
        })
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn price(check: &mut Check<'_>, file: &str, subject: &str, raw: &RawPrice) -> Price {
    if raw.amount < 0 {
        check.error(
            file,
            subject,
            "price.amount",
            "must not be negative (minor units, e.g. cents)",
        );
    }
    if raw.currency.len() != 3 || !raw.currency.chars().all(|c| c.is_ascii_uppercase()) {
        check.error(
            file,
            subject,
            "price.currency",
            format!(
                "`{}` is not an ISO 4217 code such as `USD` or `EUR`",
                raw.currency
            ),
        );
    }
    if raw.interval != "month" && raw.interval != "year" {
        check.error(
            file,
            subject,
            "price.interval",
            format!("`{}` is not `month` or `year`", raw.interval),
        );
    }
    Price {
        amount: raw.amount,
        currency: raw.currency.clone(),
        interval: raw.interval.clone(),
    }
}

/// Validates feature grants; returns those usable in this build, keyed by feature.
fn grants(
    check: &mut Check<'_>,
    file: &str,
    subject: &str,
    raw: &BTreeMap<String, toml::Value>,
    known: &BTreeMap<String, Known>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (key, value) in raw {
        let at = format!("features.{key}");
        let decl = match known.get(key) {
            None => {
                let names: Vec<&str> = known.keys().map(String::as_str).collect();
                check.error(
                    file,
                    subject,
                    &at,
                    format!(
                        "unknown feature `{key}` (features.toml lists: {})",
                        names.join(", ")
                    ),
                );
                continue;
            }
            // Already reported once for the feature in features.toml; the value must still
            // make sense for the day the module is linked.
            Some(Known::NotLinked) => {
                if !matches!(value, toml::Value::String(_) | toml::Value::Boolean(_)) {
                    check.error(
                        file,
                        subject,
                        &at,
                        format!("expected a tier name or `true`, found {}", value.type_str()),
                    );
                }
                continue;
            }
            Some(Known::Available(decl)) => decl,
        };
        let tiers: Vec<&str> = decl.tiers.iter().map(|t| t.key).collect();
        let tier = match value {
            toml::Value::String(t) if tiers.contains(&t.as_str()) => t.clone(),
            toml::Value::String(t) => {
                check.error(
                    file,
                    subject,
                    &at,
                    format!(
                        "unknown tier `{t}` for feature `{key}` (tiers: {})",
                        tiers.join(", ")
                    ),
                );
                continue;
            }
            toml::Value::Boolean(true) if tiers.len() == 1 => tiers[0].to_string(),
            toml::Value::Boolean(true) => {
                check.error(
                    file,
                    subject,
                    &at,
                    format!("`{key}` has several tiers; name one: {}", tiers.join(", ")),
                );
                continue;
            }
            toml::Value::Boolean(false) => continue,
            other => {
                check.error(
                    file,
                    subject,
                    &at,
                    format!("expected a tier name or `true`, found {}", other.type_str()),
                );
                continue;
            }
        };
        out.insert(key.clone(), tier);
    }
    out
}
