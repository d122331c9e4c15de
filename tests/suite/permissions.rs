//! Every portal page × every permission: what a contact with and without it sees. Pages are
//! the core's and every GET route the linked modules register (found in the registry, so a
//! new page is covered without editing this file); permissions are every one declared.
//!
//! For each permission P, a contact holding everything but P and a contact holding only P are
//! compared with one holding everything: a route requiring P does not exist without it; every
//! other page is served; the menu, the home's cards and the email choices offer what needs P
//! only to holders of P; and the action controls listed in `CONTROLS` appear only with P.

use portal_core::module::Surface;
use portico_tests::{backends, concrete_path, menu_labels, spawn_app, Backend, Samples};

backends!(each_page_shows_each_permission_s_part_only_to_its_holders);

/// Action controls a permission adds to a page: (module, permission, page, marker).
const CONTROLS: &[(&str, &str, &str, &str)] = &[
    (
        "projects",
        "can_add_comments",
        "/portal/projects/{id}",
        r#"name="body""#,
    ),
    (
        "projects",
        "can_add_comments",
        "/portal/projects/{id}/tasks/{task}",
        r#"name="body""#,
    ),
    ("projects", "can_view_projects", "/portal/", "View Projects"),
    ("projects", "can_view_projects", "/portal/", "Ongoing tasks"),
    (
        "projects",
        "can_view_projects",
        "/portal/notifications/email",
        "A task is done",
    ),
    (
        "notices",
        "can_acknowledge_notices",
        "/portal/notices",
        "/acknowledge\"",
    ),
];

fn fill(path: &str, module: &str, samples: &Samples) -> String {
    let mut out = path.to_string();
    for (name, value) in samples.get(module).into_iter().flatten() {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

async fn each_page_shows_each_permission_s_part_only_to_its_holders(backend: Backend) {
    let app = spawn_app(&backend).await;
    let ws = app.workspace("acme", "growth").await;
    // Every module's pages, those sold as add-ons included.
    app.take_every_addon(ws, "growth").await;
    let client = app.client(ws, "Client Co").await;
    let samples = app.seed_modules(ws, client).await;
    let everything = app.all_permissions();
    let (_, all) = app
        .contact(ws, client, "all@client.example", &everything)
        .await;
    let never = app.get("acme", "/portal/no-such-page", &all).await;

    // Every portal page, the core's and the modules'; the doors show no one's records.
    let mut pages: Vec<(Option<&str>, String)> = Vec::new();
    for r in app
        .state
        .routes
        .iter()
        .filter(|r| r.surface == Surface::Portal && r.method == "GET" && !r.open)
    {
        pages.push((r.permission, concrete_path(r, &samples)));
    }
    // The two-step setup page, shown only while a setup is under way, sends a contact with
    // nothing under way to their account: it has no parts to compare.
    let mut full = Vec::new();
    let mut shown = Vec::new();
    for (required, path) in pages {
        let page = app.get("acme", &path, &all).await;
        let step = path.ends_with("/account/two-step");
        assert!(
            page.status == 200 || (page.status == 303 && step),
            "{path} with every permission: {} {}",
            page.status,
            page.body
        );
        if page.status == 200 {
            full.push(page);
            shown.push((required, path));
        }
    }
    let pages = shown;
    let registry = &app.state.registry;

    for (n, permission) in everything.iter().enumerate() {
        let rest: Vec<&str> = everything
            .iter()
            .copied()
            .filter(|p| p != permission)
            .collect();
        let (_, without) = app
            .contact(ws, client, &format!("without-{n}@client.example"), &rest)
            .await;
        let (_, only) = app
            .contact(
                ws,
                client,
                &format!("only-{n}@client.example"),
                &[permission],
            )
            .await;

        for ((required, path), with_all) in pages.iter().zip(&full) {
            let page = app.get("acme", path, &without).await;
            if *required == Some(*permission) {
                assert_eq!(
                    (page.status, &page.body),
                    (404, &never.body),
                    "{path} without {permission}: as if it did not exist"
                );
                let page = app.get("acme", path, &only).await;
                assert_eq!(page.status, 200, "{path} with only {permission}");
                continue;
            }
            assert_eq!(
                page.status, 200,
                "{path} without {permission}: {}",
                page.body
            );
            // The menu offers what needs the permission to its holders only (on pages: a
            // route may serve a file).
            let is_page = with_all
                .headers
                .get("content-type")
                .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"));
            for (module, item) in registry.menu_items().into_iter().filter(|_| is_page) {
                if item.permission == Some(*permission) {
                    assert!(
                        !menu_labels(&page.body).contains(&item.label.to_string()),
                        "{path} without {permission} offers {module}'s {}",
                        item.label
                    );
                    assert!(menu_labels(&with_all.body).contains(&item.label.to_string()));
                }
            }
        }

        // Quick actions and notification kinds that need it.
        let home = app.get("acme", "/portal/", &without).await;
        let email = app
            .get("acme", "/portal/notifications/email", &without)
            .await;
        let email_all = app.get("acme", "/portal/notifications/email", &all).await;
        for m in registry.modules() {
            for card in m.quick_actions() {
                if card.permission == Some(*permission) {
                    assert!(!home.words().contains(card.label), "card {}", card.label);
                }
            }
            for kind in m.notification_kinds() {
                if kind.permission == Some(*permission) {
                    assert!(!email.words().contains(kind.label), "kind {}", kind.label);
                    assert!(
                        email_all.words().contains(kind.label),
                        "kind {}",
                        kind.label
                    );
                }
            }
        }

        // The controls this permission adds.
        for (module, p, path, marker) in CONTROLS {
            if p != permission || registry.get(module).is_none() {
                continue;
            }
            let path = fill(path, module, &samples);
            let with_it = app.get("acme", &path, &all).await;
            assert!(
                with_it.body.contains(marker),
                "{path} with {permission} shows {marker}"
            );
            let without_it = app.get("acme", &path, &without).await;
            assert!(
                !without_it.body.contains(marker),
                "{path} without {permission} hides {marker}"
            );
        }
    }
}
