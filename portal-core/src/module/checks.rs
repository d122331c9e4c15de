//! The rules a set of linked modules must keep to run together.
use std::collections::{BTreeMap, HashMap};

use super::{Declaration, Surface, CORE, CORE_NOTIFICATION_KINDS, CORE_PERMISSIONS};

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

/// The declarations in dependency order (dependencies first; ties by id), or the first rule
/// the set breaks.
pub(super) fn checked(declarations: Vec<Declaration>) -> Result<Vec<Declaration>, RegistryError> {
    let mut by_id: BTreeMap<&'static str, Declaration> = BTreeMap::new();
    for m in declarations {
        let id = m.id;
        let well_formed = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !well_formed {
            return Err(RegistryError::Invalid {
                module: id.into(),
                message: "ids use lowercase letters, digits, `-` and `_`".into(),
            });
        }
        if by_id.insert(id, m).is_some() {
            return Err(RegistryError::DuplicateId(id.into()));
        }
        if id == CORE {
            return Err(RegistryError::Invalid {
                module: id.into(),
                message: "the id `core` names the core's own routes; choose another".into(),
            });
        }
    }
    let order = dependency_order(&by_id)?;
    let modules: Vec<Declaration> = order
        .into_iter()
        .filter_map(|id| by_id.remove(id))
        .collect();
    check_each_other(&modules)?;
    Ok(modules)
}

fn check_each_other(modules: &[Declaration]) -> Result<(), RegistryError> {
    let mut features: HashMap<&str, &str> = crate::plans::CORE_FEATURES
        .iter()
        .map(|f| (f.key, "core"))
        .collect();
    let mut permissions: HashMap<&str, &str> =
        CORE_PERMISSIONS.iter().map(|p| (p.key, "core")).collect();
    let mut kinds: HashMap<&str, &str> = CORE_NOTIFICATION_KINDS
        .iter()
        .map(|k| (k.key, "core"))
        .collect();
    let mut routes: HashMap<(Surface, String, &str), &str> = HashMap::new();
    // The router (matchit) refuses two paths that differ only in parameter names, whatever
    // their methods: compare shapes too.
    let mut shapes: HashMap<(Surface, String), (&str, &str)> = HashMap::new();
    for m in modules {
        for f in m.features {
            if f.tiers.is_empty() {
                return Err(RegistryError::Invalid {
                    module: m.id.into(),
                    message: format!("feature `{}` declares no tiers", f.key),
                });
            }
            if let Some(first) = features.insert(f.key, m.id) {
                return Err(RegistryError::DuplicateFeature {
                    feature: f.key.into(),
                    first: first.into(),
                    second: m.id.into(),
                });
            }
        }
        for p in m.permissions {
            if let Some(first) = permissions.insert(p.key, m.id) {
                return Err(RegistryError::DuplicatePermission {
                    permission: p.key.into(),
                    first: first.into(),
                    second: m.id.into(),
                });
            }
        }
        for k in m.notification_kinds {
            if let Some(first) = kinds.insert(k.key, m.id) {
                return Err(RegistryError::DuplicateNotificationKind {
                    kind: k.key.into(),
                    first: first.into(),
                    second: m.id.into(),
                });
            }
        }
        for item in m.menu_items {
            if let Some(f) = item.feature {
                if !m.features.iter().any(|d| d.key == f) {
                    return Err(RegistryError::Invalid {
                        module: m.id.into(),
                        message: format!(
                            "menu item `{}` requires feature `{f}`, which the module does not declare",
                            item.label
                        ),
                    });
                }
            }
        }
        for r in &m.routes {
            if !r.path.starts_with('/') {
                return Err(RegistryError::Invalid {
                    module: m.id.into(),
                    message: format!("route path `{}` must start with `/`", r.path),
                });
            }
            if is_reserved(r.surface, r.path) {
                return Err(RegistryError::Invalid {
                    module: m.id.into(),
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
                        second: m.id.into(),
                    });
                }
                Some(_) => {}
                None => {
                    shapes.insert(shape, (r.path, m.id));
                }
            }
            let key = (r.surface, r.method.to_string(), r.path);
            if let Some(first) = routes.insert(key, m.id) {
                return Err(RegistryError::OverlappingRoute {
                    surface: r.surface,
                    method: r.method.to_string(),
                    path: r.path.into(),
                    first: first.into(),
                    second: m.id.into(),
                });
            }
        }
    }
    Ok(())
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
    by_id: &BTreeMap<&'static str, Declaration>,
) -> Result<Vec<&'static str>, RegistryError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn visit(
        id: &'static str,
        by_id: &BTreeMap<&'static str, Declaration>,
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
        let mut deps: Vec<&'static str> = module.depends_on.to_vec();
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
