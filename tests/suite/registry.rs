//! Module registry: dependency order, and the start-up errors that name the modules at fault.

use std::sync::Arc;

use portal_core::module::RegistryError;
use portal_core::notifications::Delivery;
use portal_core::ModuleRegistry;
use portal_core::{
    async_trait, AppState, Error, FeatureDecl, Manifest, NotificationKind, PortalModule, Routes,
    TierDecl,
};
use portico_tests::{backends, fresh_db, serve, test_catalogue, As, Backend};

/// A configurable module for these tests.
struct Fake {
    id: &'static str,
    deps: &'static [&'static str],
    features: &'static [FeatureDecl],
    fail_start: bool,
    route: Option<&'static str>,
    kinds: &'static [NotificationKind],
    /// Its portal route's permission written before the route, where it guards nothing.
    requires_first: bool,
    /// Built once from the fields above: real modules hand out a `const`.
    manifest: std::sync::OnceLock<&'static Manifest>,
}

const fn fake(id: &'static str, deps: &'static [&'static str]) -> Fake {
    Fake {
        id,
        deps,
        features: &[],
        fail_start: false,
        route: None,
        kinds: &[],
        requires_first: false,
        manifest: std::sync::OnceLock::new(),
    }
}

async fn hello() -> &'static str {
    "hello"
}

#[async_trait]
impl PortalModule for Fake {
    fn manifest(&self) -> &'static Manifest {
        self.manifest.get_or_init(|| {
            Box::leak(Box::new(Manifest {
                id: self.id,
                name: self.id,
                version: "0.0.0",
                depends_on: self.deps,
                features: self.features,
                notification_kinds: self.kinds,
                ..Manifest::EMPTY
            }))
        })
    }
    fn portal_routes(&self) -> Routes {
        let routes = if self.requires_first {
            Routes::new().requires("can_view_files")
        } else {
            Routes::new()
        };
        match self.route {
            Some(path) => routes.get(path, hello),
            None => routes,
        }
    }
    async fn start(&self, _state: &AppState) -> portal_core::Result<()> {
        if self.fail_start {
            Err(Error::Internal(format!(
                "{} could not reach its service",
                self.id
            )))
        } else {
            Ok(())
        }
    }
}

fn registry(modules: Vec<Fake>) -> Result<ModuleRegistry, RegistryError> {
    ModuleRegistry::from_modules(
        modules
            .into_iter()
            .map(|m| Arc::new(m) as Arc<dyn PortalModule>)
            .collect(),
    )
}

#[test]
fn modules_start_in_dependency_order() {
    let r = registry(vec![fake("c", &["b"]), fake("a", &[]), fake("b", &["a"])]).unwrap();
    assert_eq!(r.ids(), ["a", "b", "c"]);
    let r = registry(vec![
        fake("billing", &["projects"]),
        fake("approvals", &["projects"]),
        fake("projects", &[]),
    ])
    .unwrap();
    assert_eq!(r.ids(), ["projects", "approvals", "billing"]);
}

#[test]
fn a_missing_dependency_names_both_modules() {
    let err = registry(vec![fake("approvals", &["projects"])]).unwrap_err();
    assert_eq!(
        err,
        RegistryError::MissingDependency {
            module: "approvals".into(),
            missing: "projects".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "module `approvals` depends on `projects`, which is not linked into this build"
    );
}

#[test]
fn a_cycle_names_its_members() {
    let err = registry(vec![
        fake("a", &["b"]),
        fake("b", &["c"]),
        fake("c", &["a"]),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "modules depend on each other in a cycle: a -> b -> c -> a"
    );
}

#[test]
fn a_duplicate_id_is_refused() {
    let err = registry(vec![fake("gallery", &[]), fake("gallery", &[])]).unwrap_err();
    assert_eq!(err, RegistryError::DuplicateId("gallery".into()));
}

#[test]
fn a_module_cannot_take_the_core_s_name() {
    // `core` is the module name of the core's own routes: the gates would treat a module
    // named so as the core (never left out by a plan).
    let err = registry(vec![fake("core", &[])]).unwrap_err();
    assert!(
        matches!(&err, RegistryError::Invalid { module, .. } if module == "core"),
        "{err}"
    );
}

#[test]
fn two_modules_cannot_claim_one_feature_or_route() {
    const F: &[FeatureDecl] = &[FeatureDecl {
        key: "shared",
        label: "Shared",
        tiers: &[TierDecl::STANDARD],
    }];
    let err = registry(vec![
        Fake {
            features: F,
            ..fake("one", &[])
        },
        Fake {
            features: F,
            ..fake("two", &[])
        },
    ])
    .unwrap_err();
    assert!(
        matches!(err, RegistryError::DuplicateFeature { ref first, ref second, .. } if first == "one" && second == "two"),
        "{err}"
    );

    let err = registry(vec![
        Fake {
            route: Some("/files"),
            ..fake("one", &[])
        },
        Fake {
            route: Some("/files"),
            ..fake("two", &[])
        },
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Portal route GET /files is registered by both `one` and `two`"
    );

    // Paths axum would refuse at start-up are refused first, with the modules named.
    let err = registry(vec![
        Fake {
            route: Some("/files/{id}"),
            ..fake("one", &[])
        },
        Fake {
            route: Some("/files/{file}"),
            ..fake("two", &[])
        },
    ])
    .unwrap_err();
    assert!(
        matches!(err, RegistryError::OverlappingRoute { ref first, ref second, .. } if first == "one" && second == "two"),
        "{err}"
    );
    let err = registry(vec![Fake {
        route: Some("files"),
        ..fake("one", &[])
    }])
    .unwrap_err();
    assert!(err.to_string().contains("must start with `/`"), "{err}");
    let err = registry(vec![Fake {
        route: Some("/"),
        ..fake("one", &[])
    }])
    .unwrap_err();
    assert!(err.to_string().contains("belongs to the core"), "{err}");
    // Below a core page, too: the core's account pages may grow without breaking a module.
    let err = registry(vec![Fake {
        route: Some("/account/export"),
        ..fake("one", &[])
    }])
    .unwrap_err();
    assert!(err.to_string().contains("belongs to the core"), "{err}");
    assert!(registry(vec![Fake {
        route: Some("/accounts"),
        ..fake("one", &[])
    }])
    .is_ok());
}

/// `requires` guards the route written before it; written first it would guard nothing and
/// serve the route to every contact, so the module is refused at start-up instead.
#[test]
fn a_permission_written_before_any_route_is_refused() {
    let err = registry(vec![Fake {
        route: Some("/files"),
        requires_first: true,
        ..fake("one", &[])
    }])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "module `one`: Portal routes: `requires(\"can_view_files\")` comes before any route; \
         write it after the route it guards"
    );
}

#[test]
fn notification_kinds_are_unique_across_the_core_and_modules() {
    const REPLY: &[NotificationKind] = &[NotificationKind {
        key: "reply",
        label: "Replies",
        permission: None,
        default_delivery: Delivery::Daily,
    }];
    const DONE: &[NotificationKind] = &[NotificationKind {
        key: "done",
        label: "Done",
        permission: None,
        default_delivery: Delivery::Daily,
    }];
    let err = registry(vec![Fake {
        kinds: REPLY,
        ..fake("one", &[])
    }])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "notification kind `reply` is declared by both `core` and `one`"
    );
    let err = registry(vec![
        Fake {
            kinds: DONE,
            ..fake("one", &[])
        },
        Fake {
            kinds: DONE,
            ..fake("two", &[])
        },
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "notification kind `done` is declared by both `one` and `two`"
    );
    let ok = registry(vec![Fake {
        kinds: DONE,
        ..fake("one", &[])
    }])
    .unwrap();
    let keys: Vec<_> = ok
        .notification_kinds()
        .into_iter()
        .map(|(m, k)| (m, k.key))
        .collect();
    assert_eq!(keys, [("core", "reply"), ("one", "done")]);
}

#[test]
fn the_linked_modules_are_registered() {
    let r = portico_host::registry().unwrap();
    assert_eq!(r.get("projects").is_some(), cfg!(feature = "projects"));
    assert_eq!(r.get("notices").is_some(), cfg!(feature = "notices"));
}

backends!(a_module_whose_start_fails_is_left_out_with_its_dependents);

async fn a_module_whose_start_fails_is_left_out_with_its_dependents(backend: Backend) {
    let registry = registry(vec![
        Fake {
            fail_start: true,
            route: Some("/flaky"),
            ..fake("flaky", &[])
        },
        Fake {
            route: Some("/needs-flaky"),
            ..fake("dependent", &["flaky"])
        },
        Fake {
            route: Some("/steady"),
            ..fake("steady", &[])
        },
    ])
    .unwrap();
    let catalogue = test_catalogue(&registry);
    let (db, guard) = fresh_db(&backend).await;
    let files = tempfile::tempdir().unwrap();
    let config = portal_core::PortalConfig {
        files: portal_core::files::FileBackend::Local(files.path().to_path_buf()),
        ..Default::default()
    };
    let portal = portal_core::Portal::builder(db, catalogue, registry)
        .config(config)
        .build()
        .await
        .unwrap();
    let failures = &portal.state().startup_failures;
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].module, "flaky");
    assert!(failures[0].reason.contains("could not reach its service"));
    assert_eq!(failures[0].also_left_out, ["dependent"]);
    assert_eq!(portal.state().registry.ids(), ["steady"]);

    let app = serve(portal, guard).await;
    let ws = app.workspace("acme", "starter").await;
    let client = app.client(ws, "Client").await;
    let (_, contact) = app.contact(ws, client, "c@example.com", &[]).await;
    let steady = app.get("acme", "/portal/steady", &contact).await;
    assert_eq!((steady.status, steady.body.as_str()), (200, "hello"));
    assert_eq!(app.get("acme", "/portal/flaky", &contact).await.status, 404);
    assert_eq!(
        app.get("acme", "/portal/needs-flaky", &contact)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("acme", "/portal/", &As::Anonymous).await.status,
        401
    );
}
