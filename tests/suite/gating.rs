//! The gating matrix: for every plan × every route of every linked module × every surface,
//! the answer and the menu are what the catalogue says, and every page of the core is served
//! on every plan. Expectations are derived from the catalogue's data and the modules'
//! declarations, not from the entitlement code under test.

use portal_core::module::{Surface, CORE};
use portal_core::plans::{AddOn, Plan, Price};
use portal_core::workspace::EntitlementChange;
use portico_tests::{
    backends, concrete_path, menu_labels, spawn_app, spawn_app_with, test_catalogue, As, Backend,
    Options, TestApp,
};

backends!(
    matrix_follows_the_catalogue,
    changes_apply_on_the_next_request,
    read_only_tier_shows_no_actions_and_refuses_them,
    missing_permission_hides_menu_item_and_route,
);

/// What the catalogue says about one module on one plan.
#[derive(Debug, PartialEq)]
enum Expect {
    Absent,
    ReadOnly,
    Interactive,
}

fn expectation(app: &TestApp, plan: &Plan, module: &str) -> Expect {
    let registry = &app.state.registry;
    let m = registry.get(module).unwrap();
    let deps_ok = m
        .depends_on()
        .iter()
        .all(|d| expectation(app, plan, d) != Expect::Absent);
    let Some(feature) = m.features().first() else {
        return if deps_ok {
            Expect::Interactive
        } else {
            Expect::Absent
        };
    };
    match plan.grants.get(feature.key) {
        Some(_) if !deps_ok => Expect::Absent,
        None => Expect::Absent,
        Some(tier) => {
            let decl = feature.tiers.iter().find(|t| t.key == tier).unwrap();
            if decl.read_only {
                Expect::ReadOnly
            } else {
                Expect::Interactive
            }
        }
    }
}

async fn matrix_follows_the_catalogue(backend: Backend) {
    let app = spawn_app(&backend).await;
    // Reads first, then changes: a change (a new calendar-feed secret, a cancellation) must
    // not take away the record a read route's sample names.
    // The catalogue sells modules; the core's routes are every plan's alike (below).
    let mut routes: Vec<_> = app
        .state
        .routes
        .iter()
        .filter(|r| r.module != CORE)
        .cloned()
        .collect();
    routes.sort_by_key(|r| r.is_mutating());
    assert!(!routes.is_empty() || app.state.registry.modules().is_empty());
    let plans = app.state.catalogue.plans().to_vec();
    for plan in &plans {
        let slug = format!("ws-{}", plan.id);
        let ws = app.workspace(&slug, &plan.id).await;
        let client = app.client(ws, "Client").await;
        let (_, contact) = app
            .contact(ws, client, "contact@example.com", &app.all_permissions())
            .await;
        let (staff, bearer) = app.staff(ws, "staff@example.com").await;
        let samples = app.seed_modules(ws, client).await;

        let never = [
            (
                Surface::Portal,
                app.get(&slug, "/portal/no-such-page", &contact).await,
            ),
            (
                Surface::Admin,
                app.get(&slug, "/admin/no-such-page", &staff).await,
            ),
            (
                Surface::Api,
                app.get(&slug, "/api/no-such-page", &bearer).await,
            ),
            (
                Surface::Hook,
                app.get(&slug, "/hooks/no-such-page", &As::Anonymous).await,
            ),
        ];
        for surface in [Surface::Portal, Surface::Admin, Surface::Api, Surface::Hook] {
            let page = app
                .get(
                    &slug,
                    &format!("{}/no-such-page", surface.prefix()),
                    &As::Anonymous,
                )
                .await;
            assert_eq!(page.status, 404);
        }

        let caller = |surface: Surface| match surface {
            Surface::Portal => &contact,
            Surface::Admin => &staff,
            Surface::Api => &bearer,
            // Other services' calls carry no session: the handler checks the caller.
            Surface::Hook => &As::Anonymous,
        };
        for route in &routes {
            let who = caller(route.surface);
            let path = concrete_path(route, &samples);
            let expect = expectation(&app, plan, route.module);
            let page = app.request(route.method.as_str(), &slug, &path, who).await;
            let what = format!("plan {} {} {} ({expect:?})", plan.id, route.method, path);
            match expect {
                Expect::Absent => {
                    let (_, never) = never.iter().find(|(s, _)| *s == route.surface).unwrap();
                    assert_eq!(page.status, 404, "{what}: {}", page.body);
                    assert_eq!(
                        page.body, never.body,
                        "{what}: must look exactly like a missing path"
                    );
                    let anon = app
                        .request(route.method.as_str(), &slug, &path, &As::Anonymous)
                        .await;
                    // A path that never existed, asked the same way.
                    let anon_never = app
                        .request(
                            route.method.as_str(),
                            &slug,
                            &format!("{}/no-such-page", route.surface.prefix()),
                            &As::Anonymous,
                        )
                        .await;
                    assert_eq!(
                        (anon.status, &anon.body),
                        (anon_never.status, &anon_never.body),
                        "{what} anonymously"
                    );
                    assert!(
                        page.headers.get("allow").is_none(),
                        "{what}: Allow reveals the route"
                    );
                    assert!(
                        anon.headers.get("allow").is_none(),
                        "{what}: Allow reveals the route"
                    );
                }
                // Read-only binds the client's portal; staff keep managing the content.
                Expect::ReadOnly if route.is_mutating() && route.surface == Surface::Portal => {
                    assert_eq!(page.status, 403, "{what}: {}", page.body);
                    assert!(page.body.contains("view-only"), "{what}: {}", page.body);
                }
                _ if route.is_mutating() => {
                    // Past the gate: the handler answers (an empty body may fairly be a 400).
                    assert!(
                        !matches!(page.status, 401 | 403 | 404 | 405) && page.status < 500,
                        "{what}: {} {}",
                        page.status,
                        page.body
                    );
                }
                _ => assert_eq!(page.status, 200, "{what}: {}", page.body),
            }
        }

        // The core on this plan: every page of it is served, whatever the plan sells. Its
        // reads only — its changes (signing out, ending sessions, deactivating a colleague)
        // would take the samples the next route needs; the isolation probe sends those.
        for route in app
            .state
            .routes
            .iter()
            .filter(|r| r.module == CORE && !r.open && !r.is_mutating())
        {
            let path = concrete_path(route, &samples);
            let page = app
                .request(route.method.as_str(), &slug, &path, caller(route.surface))
                .await;
            let what = format!("plan {} core {} {}", plan.id, route.method, path);
            // One page may send the visitor on: an account sub-page (two-step setup, with
            // nothing to set up) to the account page of the same surface.
            if page.status == 303 {
                let prefix = route.surface.prefix();
                let account = format!("/w/{slug}{prefix}/account");
                let to = page.location();
                assert!(
                    route.path.starts_with("/account/") && to.ends_with(&account),
                    "{what}: sent to {to}"
                );
            } else {
                assert_eq!(page.status, 200, "{what}: {}", page.body);
            }
        }

        // The menu: Home, then each entitled module's items, in order.
        let home = app.get(&slug, "/portal/", &contact).await;
        assert_eq!(home.status, 200, "{}", home.body);
        let mut expected = vec!["Home".to_string()];
        for (module, item) in app.state.registry.menu_items() {
            if expectation(&app, plan, module) != Expect::Absent {
                expected.push(item.label.to_string());
            }
        }
        assert_eq!(
            menu_labels(&home.body),
            expected,
            "menu on plan {}",
            plan.id
        );
    }
}

/// A module a plan may lack, to flip on and off: the example module when linked.
fn toggled_module(app: &TestApp) -> Option<(&'static str, &'static str, &'static str)> {
    let m = app.state.registry.get("notices")?;
    let item = m.menu_items().first()?;
    Some((m.id(), item.label, item.path))
}

async fn changes_apply_on_the_next_request(backend: Backend) {
    let mut catalogue = test_catalogue(&portico_host::registry().unwrap());
    if catalogue.feature("notices").is_some() {
        catalogue
            .add_addon(AddOn {
                id: "notices-pack".into(),
                name: "Notices".into(),
                description: String::new(),
                price: Price {
                    amount: 500,
                    currency: "USD".into(),
                    interval: "month".into(),
                },
                available_to: vec!["scale".into()],
                grants: [("notices".to_string(), "interactive".to_string())].into(),
            })
            .unwrap();
    }
    let app = spawn_app_with(
        &backend,
        Options {
            catalogue: Some(catalogue),
            ..Default::default()
        },
    )
    .await;
    let ws = app.workspace("acme", "starter").await;
    let client = app.client(ws, "Client").await;
    let (_, contact) = app
        .contact(ws, client, "c@example.com", &app.all_permissions())
        .await;
    let menu = || async { menu_labels(&app.get("acme", "/portal/", &contact).await.body) };

    if let Some((id, label, path)) = toggled_module(&app) {
        let url = format!("/portal{path}");
        assert_eq!(app.get("acme", &url, &contact).await.status, 200);
        assert!(menu().await.contains(&label.to_string()));

        // Move to a plan without it, as the operator's CLI does: another process, no cache
        // to clear. The next request sees the change.
        app.change_out_of_process(ws, EntitlementChange::SetPlan("scale".into()))
            .await;
        let never = app.get("acme", "/portal/no-such-page", &contact).await;
        let gone = app.get("acme", &url, &contact).await;
        assert_eq!((gone.status, &gone.body), (404, &never.body));
        assert!(!menu().await.contains(&label.to_string()));

        // An add-on brings it back.
        app.change_out_of_process(ws, EntitlementChange::AddAddon("notices-pack".into()))
            .await;
        assert_eq!(app.get("acme", &url, &contact).await.status, 200);
        assert!(menu().await.contains(&label.to_string()));
        app.change_out_of_process(ws, EntitlementChange::RemoveAddon("notices-pack".into()))
            .await;
        assert_eq!(app.get("acme", &url, &contact).await.status, 404);

        // In-process changes go through validation and invalidate the cache too.
        let workspace = portal_core::workspace::by_slug(app.db(), "acme")
            .await
            .unwrap()
            .unwrap();
        app.state
            .change_entitlements(&workspace, EntitlementChange::SetPlan("growth".into()))
            .await
            .unwrap();
        assert_eq!(app.get("acme", &url, &contact).await.status, 200);
        let refused = app
            .state
            .change_entitlements(&workspace, EntitlementChange::SetPlan("platinum".into()))
            .await;
        assert!(
            matches!(refused, Err(portal_core::Error::BadRequest(m)) if m.contains("platinum"))
        );

        // The workspace disables the module: it vanishes although the plan grants it.
        app.change_out_of_process(
            ws,
            EntitlementChange::SetModuleEnabled {
                module: id.into(),
                enabled: false,
            },
        )
        .await;
        assert_eq!(app.get("acme", &url, &contact).await.status, 404);
        assert!(!menu().await.contains(&label.to_string()));
        app.change_out_of_process(
            ws,
            EntitlementChange::SetModuleEnabled {
                module: id.into(),
                enabled: true,
            },
        )
        .await;
        assert_eq!(app.get("acme", &url, &contact).await.status, 200);
    }

    if app.state.registry.get("projects").is_some() {
        app.change_out_of_process(
            ws,
            EntitlementChange::SetModuleEnabled {
                module: "projects".into(),
                enabled: false,
            },
        )
        .await;
        assert_eq!(
            app.get("acme", "/portal/projects", &contact).await.status,
            404
        );
        assert!(!menu().await.contains(&"Projects".to_string()));
    }
}

async fn read_only_tier_shows_no_actions_and_refuses_them(backend: Backend) {
    #[cfg(feature = "notices")]
    read_only_tier_with_notices(backend).await;
    #[cfg(not(feature = "notices"))]
    let _ = backend;
}

#[cfg(feature = "notices")]
async fn read_only_tier_with_notices(backend: Backend) {
    let app = spawn_app(&backend).await;
    for (slug, plan, interactive) in [("ro", "starter", false), ("rw", "growth", true)] {
        let ws = app.workspace(slug, plan).await;
        let client = app.client(ws, "Client").await;
        let (_, contact) = app
            .contact(ws, client, "c@example.com", &app.all_permissions())
            .await;
        let notice = portico_example_notices::store::NewNotice {
            title: "Office closed Friday".into(),
            body: "See you Monday.".into(),
            client_id: None,
        };
        let id = portico_example_notices::store::create(app.db(), ws, &notice)
            .await
            .unwrap();
        let page = app.get(slug, "/portal/notices", &contact).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Office closed Friday"));
        assert_eq!(
            page.body.contains("Got it"),
            interactive,
            "{plan}: action control"
        );

        let ack = app
            .post(slug, &format!("/portal/notices/{id}/acknowledge"), &contact)
            .await;
        if interactive {
            assert_eq!(ack.status, 303);
            let after = app.get(slug, "/portal/notices", &contact).await;
            assert!(after.body.contains("You acknowledged this notice"));
        } else {
            assert_eq!(ack.status, 403);
            assert!(ack.body.contains("view-only"), "{}", ack.body);
            let after = app.get(slug, "/portal/notices", &contact).await;
            assert!(
                !after.body.contains("You acknowledged"),
                "a refused action changed nothing"
            );
        }
    }
}

async fn missing_permission_hides_menu_item_and_route(backend: Backend) {
    let app = spawn_app(&backend).await;
    if app.state.registry.get("projects").is_none() {
        return;
    }
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Client").await;
    let (_, allowed) = app
        .contact(ws, client, "a@example.com", &["can_view_projects"])
        .await;
    let (_, denied) = app.contact(ws, client, "d@example.com", &[]).await;
    let never = app.get("acme", "/portal/no-such-page", &denied).await;

    assert!(
        menu_labels(&app.get("acme", "/portal/", &allowed).await.body).contains(&"Projects".into())
    );
    assert_eq!(
        app.get("acme", "/portal/projects", &allowed).await.status,
        200
    );

    let home = app.get("acme", "/portal/", &denied).await;
    assert!(!menu_labels(&home.body).contains(&"Projects".into()));
    assert!(
        !home.body.contains("Your projects"),
        "no projects widget without the permission"
    );
    let refused = app.get("acme", "/portal/projects", &denied).await;
    assert_eq!((refused.status, &refused.body), (404, &never.body));

    // Granting it takes effect on the next request, without signing in again.
    let denied_id = {
        let sql = "SELECT id FROM contacts WHERE email = 'd@example.com'";
        app.db().query_scalar::<i64>(sql).fetch_one().await.unwrap()
    };
    portal_core::clients::set_permissions(app.db(), denied_id, &["can_view_projects"])
        .await
        .unwrap();
    assert_eq!(
        app.get("acme", "/portal/projects", &denied).await.status,
        200
    );
}
