//! Input meant to exhaust the server: text fields of many megabytes in upload forms, which
//! must be refused while they stream (413), with memory barely moving and nothing stored.
//! Every upload route a module registers is found in the route table, so the next module's
//! upload form is held to the same bound without editing this file. And every route that
//! takes a body — form or JSON, on every surface — is sent hostile values in every field its
//! pages name: nothing answers with a server error, and a refusal changes nothing.

use portal_core::module::Surface;
use portico_tests::{backends, concrete_path, snapshot, spawn_app, As, Backend, MemoryPeak};

static ANONYMOUS: As = As::Anonymous;

/// The memory test measures the whole process, so it runs alone: the other tests of this
/// file (busy servers of their own) hold this for reading, the memory test for writing.
static MEASURING: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

backends!(
    a_50_mb_text_field_is_refused_while_it_streams,
    every_upload_form_bounds_its_text_fields,
    every_body_survives_hostile_values,
);

async fn a_50_mb_text_field_is_refused_while_it_streams(backend: Backend) {
    let _alone = MEASURING.write().await;
    let app = spawn_app(&backend).await;
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Client Co").await;
    let (_, dana) = app
        .contact(ws, client, "dana@client.example", &app.all_permissions())
        .await;
    let (staff, _) = app.staff(ws, "owner@agency.example").await;
    // A contact's feedback message (the form the review found), and the core's file manager.
    let mut forms: Vec<(&str, &As, &str)> = vec![("/admin/files", &staff, "notes")];
    if cfg!(feature = "feedback") {
        forms.push(("/portal/feedback", &dana, "body"));
    }
    for (path, who, field) in forms {
        let before = snapshot(app.db()).await;
        let memory = MemoryPeak::start();
        let (status, body) = app
            .post_huge_field("acme", path, who, field, 50 << 20)
            .await;
        let grew = memory.stop();
        assert_eq!(status, 413, "{path}: {body}");
        assert!(
            body.contains("longer than this form accepts"),
            "{path}: a clear message: {body}"
        );
        assert!(
            grew < 16 << 20,
            "{path}: resident memory rose by {} MB while refusing the field",
            grew >> 20
        );
        assert_eq!(snapshot(app.db()).await, before, "{path}: nothing stored");
    }
}

/// Workspace `acme` on Scale with every add-on, a client with every module's records, a
/// contact holding every permission, and its owner (signed in, and with an API token).
struct Everything {
    app: portico_tests::TestApp,
    ws: i64,
    contact: As,
    staff: As,
    bearer: As,
    samples: portico_tests::Samples,
}

async fn everything(backend: &Backend) -> Everything {
    let app = spawn_app(backend).await;
    let ws = app.workspace("acme", "scale").await;
    app.take_every_addon(ws, "scale").await;
    let client = app.client(ws, "Client Co").await;
    let (_, contact) = app
        .contact(ws, client, "dana@client.example", &app.all_permissions())
        .await;
    let (staff, bearer) = app.staff(ws, "owner@agency.example").await;
    let samples = app.seed_modules(ws, client).await;
    Everything {
        app,
        ws,
        contact,
        staff,
        bearer,
        samples,
    }
}

async fn every_upload_form_bounds_its_text_fields(backend: Backend) {
    let _shared = MEASURING.read().await;
    let Everything {
        app,
        ws,
        contact,
        staff,
        bearer,
        samples,
    } = everything(&backend).await;
    #[cfg(not(feature = "approvals"))]
    let _ = ws;
    // The seeded deliverable is with the client; once they ask for a revision its files
    // may change again, so its upload form is read rather than refused up front.
    #[cfg(feature = "approvals")]
    app.sql(
        "UPDATE approvals SET status = 'revision_requested' WHERE workspace_id = $1",
        ws,
    )
    .await;
    // Every upload form in the route table: the core's and the modules'.
    let mut targets: Vec<(String, &As)> = Vec::new();
    for route in app.state.routes.iter().filter(|r| r.upload) {
        let who = match route.surface {
            Surface::Portal => &contact,
            Surface::Admin => &staff,
            Surface::Api => &bearer,
            Surface::Hook => &As::Anonymous,
        };
        targets.push((concrete_path(route, &samples), who));
    }
    assert!(
        targets.iter().any(|(p, _)| p == "/admin/settings/logo"),
        "the core's upload routes are in the route table: {targets:?}"
    );
    #[cfg(feature = "feedback")]
    assert!(
        targets.iter().any(|(p, _)| p == "/portal/feedback"),
        "module upload routes are found in the route table: {targets:?}"
    );
    let before = snapshot(app.db()).await;
    for (path, who) in &targets {
        let (status, body) = app
            .post_huge_field("acme", path, who, "notes", 2 << 20)
            .await;
        assert_eq!(status, 413, "{path}: {body}");
    }
    assert_eq!(snapshot(app.db()).await, before, "nothing stored");
}

/// What a hostile client types: out of range, overflowing, not a number, not a time, not a
/// date, markup, control characters, a long line, a path.
fn hostile_values() -> Vec<String> {
    [
        "",
        "24:00",
        "25:61-99:99",
        "-1",
        "0",
        "9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999999.999",
        "1e309",
        "NaN",
        "2026-02-30",
        "<script>alert(1)</script>",
        "a\u{0}b\u{7}\u{1b}[2J",
        "../../etc/passwd",
    ]
    .iter()
    .map(|v| v.to_string())
    .chain(["x".repeat(500)])
    .collect()
}

/// The names of the fields on a page's forms (`name="…"`).
fn field_names(html: &str, into: &mut std::collections::BTreeSet<String>) {
    for rest in html.split(" name=\"").skip(1) {
        if let Some(name) = rest.split('"').next() {
            if !name.is_empty() && name != "csrf_token" && name.len() < 40 {
                into.insert(name.to_string());
            }
        }
    }
}

/// Each named field twice (a duplicate, with another value), as a form body.
fn form_body(names: &std::collections::BTreeSet<String>, value: &str) -> Vec<u8> {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for name in names {
        form.append_pair(name, value);
        form.append_pair(name, "1");
    }
    form.finish().into_bytes()
}

async fn every_body_survives_hostile_values(backend: Backend) {
    let _shared = MEASURING.read().await;
    let Everything {
        app,
        ws,
        contact,
        staff,
        bearer,
        samples,
        ..
    } = everything(&backend).await;
    let who = |surface: Surface| match surface {
        Surface::Portal => &contact,
        Surface::Admin => &staff,
        Surface::Api => &bearer,
        Surface::Hook => &ANONYMOUS,
    };
    // The field names the portal's own pages put in their forms, and the API's usual ones.
    let mut names = std::collections::BTreeSet::new();
    for route in app.state.routes.iter().filter(|r| !r.is_mutating()) {
        let page = app
            .get("acme", &concrete_path(route, &samples), who(route.surface))
            .await;
        field_names(&page.body, &mut names);
    }
    for name in [
        "client_id",
        "project_id",
        "file_ids",
        "title",
        "amount",
        "currency",
        "lines",
        "status",
    ] {
        names.insert(name.to_string());
    }
    assert!(names.len() > 20, "the pages' forms were read: {names:?}");

    // The portal's routes first, then the staff's (a client they deactivate locks its
    // contacts out), the doors last (signing out ends the session the others use).
    let mut routes: Vec<_> = app
        .state
        .routes
        .iter()
        .filter(|r| r.is_mutating() && !r.upload)
        .cloned()
        .collect();
    routes.sort_by_key(|r| (r.open, r.surface != Surface::Portal));
    let (mut portal_done, mut doors_reached) = (false, false);
    for route in &routes {
        // Every route was asked by someone signed in, not turned away at the door because an
        // earlier body changed who they are.
        if route.surface != Surface::Portal && !portal_done {
            assert_eq!(app.get("acme", "/portal/", &contact).await.status, 200);
            portal_done = true;
        }
        if route.open && !doors_reached {
            assert_eq!(app.get("acme", "/admin/", &staff).await.status, 200);
            doors_reached = true;
        }
        let path = concrete_path(route, &samples);
        let who = who(route.surface);
        let method = route.method.as_str();
        let mut bodies: Vec<(&str, Vec<u8>)> = Vec::new();
        for value in hostile_values() {
            bodies.push((
                "application/x-www-form-urlencoded",
                form_body(&names, &value),
            ));
            let object: serde_json::Map<String, serde_json::Value> = names
                .iter()
                .map(|n| (n.clone(), serde_json::Value::String(value.clone())))
                .collect();
            bodies.push(("application/json", serde_json::to_vec(&object).unwrap()));
        }
        // Bytes that are no UTF-8, an overflowing JSON number, nesting past any parser's depth.
        bodies.push((
            "application/x-www-form-urlencoded",
            b"name=%FF%FE%FD&body=\xff\xfe&start=%C0%AF".to_vec(),
        ));
        bodies.push((
            "application/json",
            b"{\"amount\": 1e400, \"id\": -9223372036854775809}".to_vec(),
        ));
        bodies.push(("application/json", "[".repeat(500).into_bytes()));
        // All refused: then nothing may have changed. (Where one was taken — a hostile but
        // valid value, a comment reading "24:00" — the route's own tests say what it stores.)
        let before = snapshot(app.db()).await;
        let mut all_refused = true;
        for (content_type, body) in bodies {
            let page = app
                .send_body(method, "acme", &path, who, content_type, body)
                .await;
            let what = format!("{method} {path} ({content_type})");
            assert!(page.status < 500, "{what}: {} {}", page.status, page.body);
            all_refused &= (400..500).contains(&page.status);
        }
        if all_refused {
            let after = snapshot(app.db()).await;
            let changed: Vec<&String> = after
                .iter()
                .filter(|(table, rows)| before.get(*table) != Some(*rows))
                .map(|(table, _)| table)
                .collect();
            assert!(
                changed.is_empty(),
                "{method} {path}: every body refused, yet {changed:?} changed"
            );
        }
        // Ids that are no ids, in the path.
        if route.path.contains('{') {
            for bad in ["-1", "99999999999999999999", "%FF", "1.5"] {
                let odd: String = route
                    .path
                    .split('/')
                    .map(|seg| if seg.starts_with('{') { bad } else { seg })
                    .collect::<Vec<_>>()
                    .join("/");
                let path = format!("{}{odd}", route.surface.prefix());
                let page = app
                    .send_body(
                        method,
                        "acme",
                        &path,
                        who,
                        "application/x-www-form-urlencoded",
                        Vec::new(),
                    )
                    .await;
                assert!(
                    (400..500).contains(&page.status),
                    "{method} {path}: {} {}",
                    page.status,
                    page.body
                );
            }
        }
    }
    // Still serving, every surface, to new sessions (the doors signed the old ones out).
    let client = app.client(ws, "Client After").await;
    let (_, contact) = app.contact(ws, client, "after@client.example", &[]).await;
    let (staff, _) = app.staff(ws, "after@agency.example").await;
    assert_eq!(app.get("acme", "/portal/", &contact).await.status, 200);
    assert_eq!(app.get("acme", "/admin/", &staff).await.status, 200);
}
