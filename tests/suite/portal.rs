//! The portal as a contact sees it, and the staff surfaces beside it.

use portal_core::PortalConfig;
#[cfg(feature = "projects")]
use portico_tests::TestApp;
use portico_tests::{backends, spawn_app, spawn_app_with, As, Backend, Options};

backends!(
    projects_show_only_the_contacts_client,
    project_detail_shows_progress_milestones_and_deadlines,
    pages_escape_what_users_wrote,
    operator_templates_override_embedded_ones,
    sign_out_ends_the_session_on_the_server,
    inactive_contacts_and_clients_are_signed_out,
    staff_and_portal_sessions_are_separate,
    branding_follows_the_plan,
    a_wrong_method_gets_a_clear_answer,
    access_changes_apply_on_the_next_request_whoever_writes_them,
    every_response_carries_security_headers,
    a_deleted_workspaces_sessions_never_reach_a_new_one,
    plan_changes_from_a_sql_console_apply_on_the_next_request,
    unstorable_text_is_a_bad_request_on_every_backend,
);

#[cfg(feature = "projects")]
async fn project(
    app: &TestApp,
    ws: i64,
    client: i64,
    name: &str,
    milestones: &[(&str, Option<&str>, bool)],
) -> i64 {
    let day = |iso: &str| iso.parse::<portal_core::db::Day>().unwrap();
    let milestones: Vec<_> = milestones
        .iter()
        .map(|(title, due, done)| (*title, due.map(day), *done))
        .collect();
    let p = portico_projects::store::NewProject {
        name,
        description: "What we are building",
        status: portico_projects::store::ProjectStatus::InProgress,
        start_date: Some(day("2026-01-01")),
        due_date: Some(day("2099-01-31")),
        progress: 40,
        milestones: &milestones,
    };
    portico_projects::store::create(app.db(), ws, client, &p)
        .await
        .unwrap()
}

async fn projects_show_only_the_contacts_client(backend: Backend) {
    #[cfg(feature = "projects")]
    {
        let app = spawn_app(&backend).await;
        let ws = app.workspace("acme", "growth").await;
        let mine = app.client(ws, "Mine").await;
        let theirs = app.client(ws, "Theirs").await;
        let (_, contact) = app
            .contact(ws, mine, "c@example.com", &["can_view_projects"])
            .await;
        let own = project(&app, ws, mine, "Our website", &[]).await;
        let other = project(&app, ws, theirs, "Their secret launch", &[]).await;

        let list = app.get("acme", "/portal/projects", &contact).await;
        assert_eq!(list.status, 200);
        assert!(list.body.contains("Our website"));
        assert!(!list.body.contains("Their secret launch"));

        let never = app.get("acme", "/portal/projects/999999", &contact).await;
        assert_eq!(never.status, 404);
        let probe = app
            .get("acme", &format!("/portal/projects/{other}"), &contact)
            .await;
        assert_eq!(
            (probe.status, &probe.body),
            (404, &never.body),
            "another client's project looks like none"
        );
        assert!(!probe.body.contains("Their secret launch"));
        assert_eq!(
            app.get("acme", "/portal/projects/abc", &contact)
                .await
                .status,
            404
        );
        assert_eq!(
            app.get("acme", &format!("/portal/projects/{own}"), &contact)
                .await
                .status,
            200
        );

        // Staff see every client's projects, in HTML and JSON.
        let (staff, bearer) = app.staff(ws, "s@example.com").await;
        let admin = app.get("acme", "/admin/projects", &staff).await;
        assert!(admin.body.contains("Our website") && admin.body.contains("Their secret launch"));
        let api = app.get("acme", "/api/projects", &bearer).await;
        let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
        assert_eq!(json["projects"].as_array().unwrap().len(), 2);
        let detail = app
            .get("acme", &format!("/api/projects/{other}"), &bearer)
            .await;
        assert_eq!(detail.status, 200);

        // Not across workspaces, even for staff.
        let other_ws = app.workspace("beta", "growth").await;
        let (_, beta_bearer) = app.staff(other_ws, "b@example.com").await;
        let cross = app
            .get("beta", &format!("/api/projects/{own}"), &beta_bearer)
            .await;
        assert_eq!(cross.status, 404);
        let anon = app.get("acme", "/api/projects", &As::Anonymous).await;
        assert_eq!(anon.status, 401);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&anon.body).unwrap()["error"]["code"],
            "sign_in_required"
        );
    }
    let _ = backend;
}

async fn project_detail_shows_progress_milestones_and_deadlines(backend: Backend) {
    #[cfg(feature = "projects")]
    {
        let app = spawn_app(&backend).await;
        let ws = app.workspace("acme", "starter").await;
        let client = app.client(ws, "Mine").await;
        let (_, contact) = app
            .contact(ws, client, "c@example.com", &["can_view_projects"])
            .await;
        let id = project(
            &app,
            ws,
            client,
            "Website",
            &[
                ("Kick-off", Some("2026-01-05"), true),
                ("Late thing", Some("2026-02-01"), false),
                ("Launch", Some("2099-01-31"), false),
            ],
        )
        .await;
        let page = app
            .get("acme", &format!("/portal/projects/{id}"), &contact)
            .await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("<strong>40%</strong> done"));
        assert!(page.body.contains("1 of 3 milestones complete"));
        assert!(page.body.contains("Kick-off") && page.body.contains("Launch"));
        assert!(
            page.body.contains("overdue"),
            "the past, open milestone is flagged"
        );
        assert!(page.body.contains("31 Jan 2099"));
        let list = app.get("acme", "/portal/projects", &contact).await;
        assert!(list.body.contains("Upcoming deadlines"));
        // A milestone follows its project: moved to another client, it leaves this one.
        let elsewhere = app.client(ws, "Elsewhere").await;
        let moved = project(
            &app,
            ws,
            client,
            "Moved away",
            &[("Secret milestone", Some("2099-02-01"), false)],
        )
        .await;
        assert!(app
            .get("acme", "/portal/projects", &contact)
            .await
            .body
            .contains("Secret milestone"));
        app.sql(
            &format!("UPDATE projects SET client_id = {elsewhere} WHERE id = $1"),
            moved,
        )
        .await;
        assert!(!app
            .get("acme", "/portal/projects", &contact)
            .await
            .body
            .contains("Secret milestone"));
        assert!(list.body.contains("Launch"));
        assert!(
            !list.body.contains("Kick-off"),
            "done milestones are not upcoming deadlines"
        );
        let home = app.get("acme", "/portal/", &contact).await;
        assert!(home.body.contains("Your projects") && home.body.contains("Next deadline"));
    }
    let _ = backend;
}

async fn pages_escape_what_users_wrote(backend: Backend) {
    let app = spawn_app(&backend).await;
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "<b>Bold</b> & Co").await;
    let (_, contact) = app
        .contact(
            ws,
            client,
            "<script>alert(1)</script>@example.com",
            &app.all_permissions(),
        )
        .await;
    let home = app.get("acme", "/portal/", &contact).await;
    assert!(!home.body.contains("<script>alert(1)"));
    assert!(home
        .body
        .contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    assert!(home.body.contains("&lt;b&gt;Bold&lt;&#x2f;b&gt; &amp; Co"));
    #[cfg(feature = "projects")]
    {
        project(&app, ws, client, "<img src=x onerror=alert(1)>", &[]).await;
        let list = app.get("acme", "/portal/projects", &contact).await;
        assert!(!list.body.contains("<img src=x"));
    }
}

async fn operator_templates_override_embedded_ones(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("portal")).unwrap();
    std::fs::write(
        dir.path().join("portal/home.html"),
        "{% extends \"portal/layout.html\" %}{% block main %}<h1>Custom home for {{ user.name }}</h1>{% endblock %}",
    )
    .unwrap();
    let opts = Options {
        config: PortalConfig {
            template_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        },
        ..Default::default()
    };
    let app = spawn_app_with(&backend, opts).await;
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Client").await;
    let (_, contact) = app.contact(ws, client, "dana@example.com", &[]).await;
    let home = app.get("acme", "/portal/", &contact).await;
    assert!(
        home.body
            .contains("<h1>Custom home for dana@example.com</h1>"),
        "{}",
        home.body
    );
    assert!(
        home.body.contains(r#"<nav class="menu""#),
        "the embedded layout is still used"
    );
    // A path outside the directory is not loaded.
    let escape = app
        .state
        .templates
        .render("../../etc/passwd", portal_core::minijinja::Value::UNDEFINED);
    assert!(escape.is_err());
}

async fn sign_out_ends_the_session_on_the_server(backend: Backend) {
    let app = spawn_app(&backend).await;
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Client").await;
    let (_, contact) = app.contact(ws, client, "c@example.com", &[]).await;
    assert_eq!(app.get("acme", "/portal/", &contact).await.status, 200);
    let out = app.post("acme", "/portal/sign-out", &contact).await;
    assert_eq!(out.status, 200);
    assert!(out.body.contains("You are signed out"));
    let cookie = out.headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("portico_portal=;")
            && cookie.contains("Max-Age=0")
            && cookie.contains("Path=/w/acme/portal")
    );
    // The old token is dead even if a browser kept it.
    assert_eq!(app.get("acme", "/portal/", &contact).await.status, 401);
}

async fn inactive_contacts_and_clients_are_signed_out(backend: Backend) {
    let app = spawn_app(&backend).await;
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Client").await;
    let (id, contact) = app.contact(ws, client, "c@example.com", &[]).await;
    let (_, other) = app.contact(ws, client, "o@example.com", &[]).await;
    app.sql("UPDATE contacts SET active = FALSE WHERE id = $1", id)
        .await;
    assert_eq!(app.get("acme", "/portal/", &contact).await.status, 401);
    assert_eq!(app.get("acme", "/portal/", &other).await.status, 200);
    app.sql("UPDATE clients SET active = FALSE WHERE id = $1", client)
        .await;
    assert_eq!(app.get("acme", "/portal/", &other).await.status, 401);
}

async fn staff_and_portal_sessions_are_separate(backend: Backend) {
    let app = spawn_app(&backend).await;
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Client").await;
    let (_, contact) = app.contact(ws, client, "c@example.com", &[]).await;
    let (staff, bearer) = app.staff(ws, "s@example.com").await;
    let (As::Contact(portal_token), As::Staff(staff_token), As::Bearer(api_token)) =
        (&contact, &staff, &bearer)
    else {
        unreachable!()
    };
    assert_eq!(app.get("acme", "/admin/", &staff).await.status, 200);
    // Each credential works only on its own surface.
    assert_eq!(
        app.get("acme", "/admin/", &As::Staff(portal_token.clone()))
            .await
            .status,
        401
    );
    assert_eq!(
        app.get("acme", "/portal/", &As::Contact(staff_token.clone()))
            .await
            .status,
        401
    );
    assert_eq!(
        app.get("acme", "/portal/", &As::Contact(api_token.clone()))
            .await
            .status,
        401
    );
    assert_eq!(
        app.get("acme", "/admin/", &As::Bearer(api_token.clone()))
            .await
            .status,
        401
    );
    #[cfg(feature = "projects")]
    {
        assert_eq!(
            app.get("acme", "/api/projects", &As::Bearer(staff_token.clone()))
                .await
                .status,
            401
        );
        assert_eq!(app.get("acme", "/api/projects", &bearer).await.status, 200);
    }
    let overview = app.get("acme", "/admin/", &staff).await;
    assert!(overview.body.contains("Growth") && overview.body.contains("Client"));
}

async fn branding_follows_the_plan(backend: Backend) {
    let app = spawn_app(&backend).await;
    for (slug, plan, branded, white_label) in
        [("s", "starter", true, false), ("g", "growth", true, true)]
    {
        let ws = app.workspace(slug, plan).await;
        portal_core::clients::set_branding(
            app.db(),
            ws,
            "#123456",
            Some("https://cdn.example/logo.png"),
        )
        .await
        .unwrap();
        let client = app.client(ws, "Client").await;
        let (_, contact) = app.contact(ws, client, "c@example.com", &[]).await;
        let home = app.get(slug, "/portal/", &contact).await;
        assert_eq!(
            home.text().contains("/assets/accent.css?c=123456"),
            branded,
            "{plan}"
        );
        assert_eq!(
            home.body
                .contains("https:&#x2f;&#x2f;cdn.example&#x2f;logo.png"),
            branded,
            "{plan}"
        );
        assert_eq!(
            home.body.contains("powered by Portico"),
            !white_label,
            "{plan}"
        );
    }
}

async fn a_wrong_method_gets_a_clear_answer(backend: Backend) {
    let app = spawn_app(&backend).await;
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Client").await;
    let (_, contact) = app.contact(ws, client, "c@example.com", &[]).await;
    let page = app.request("DELETE", "acme", "/portal/", &contact).await;
    assert_eq!(page.status, 405);
    assert!(
        page.text().contains("does not accept that kind of request"),
        "{}",
        page.body
    );
    assert!(page.headers["allow"].to_str().unwrap().contains("GET"));
    let out = app.get("acme", "/portal/sign-out", &contact).await;
    assert_eq!(out.status, 405, "signing out takes a POST, never a link");
    assert_eq!(app.get("acme", "/portal/", &contact).await.status, 200);
}

/// Sessions are cached; a change written straight to the database — by another instance, the
/// CLI or a SQL console — must still apply on the very next request.
async fn access_changes_apply_on_the_next_request_whoever_writes_them(backend: Backend) {
    let app = spawn_app(&backend).await;
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Client").await;
    let (id, contact) = app
        .contact(ws, client, "c@example.com", &["can_view_projects"])
        .await;
    let (_, other) = app.contact(ws, client, "o@example.com", &[]).await;
    let projects = || app.get("acme", "/portal/projects", &contact);
    let expected_with_permission = if cfg!(feature = "projects") { 200 } else { 404 };
    assert_eq!(projects().await.status, expected_with_permission);
    assert_eq!(
        projects().await.status,
        expected_with_permission,
        "served from the cache"
    );

    app.sql("DELETE FROM contact_permissions WHERE contact_id = $1", id)
        .await;
    assert_eq!(projects().await.status, 404, "permission removed");
    app.sql(
        "INSERT INTO contact_permissions (contact_id, permission) VALUES ($1, 'can_view_projects')",
        id,
    )
    .await;
    assert_eq!(
        projects().await.status,
        expected_with_permission,
        "permission granted"
    );
    app.sql("UPDATE contacts SET name = 'Renamed' WHERE id = $1", id)
        .await;
    assert!(app
        .get("acme", "/portal/", &contact)
        .await
        .body
        .contains("Welcome, Renamed"));

    assert_eq!(app.get("acme", "/portal/", &other).await.status, 200);
    app.sql(
        "UPDATE portal_sessions SET expires_at = 0 WHERE contact_id = $1",
        id,
    )
    .await;
    assert_eq!(
        app.get("acme", "/portal/", &contact).await.status,
        401,
        "session expired"
    );
    assert_eq!(
        app.get("acme", "/portal/", &other).await.status,
        200,
        "others stay signed in"
    );
    app.sql("DELETE FROM portal_sessions WHERE workspace_id = $1", ws)
        .await;
    assert_eq!(
        app.get("acme", "/portal/", &other).await.status,
        401,
        "session ended elsewhere"
    );
}

async fn every_response_carries_security_headers(backend: Backend) {
    let app = spawn_app(&backend).await;
    let ws = app.workspace("acme", "growth").await;
    // A colour that tries to break out of CSS is never written anywhere.
    portal_core::clients::set_branding(app.db(), ws, "red;}body{display:none", None)
        .await
        .unwrap();
    let client = app.client(ws, "Client").await;
    let (_, contact) = app.contact(ws, client, "c@example.com", &[]).await;
    let pages = [
        app.get("acme", "/portal/", &contact).await,
        app.get("acme", "/portal/no-such-page", &contact).await,
        app.get("acme", "/api/no-such-page", &As::Anonymous).await,
        app.request_host("GET", Some("localhost"), "/w/nope/portal/", &As::Anonymous)
            .await,
        app.request_host("GET", None, "/assets/portico.css", &As::Anonymous)
            .await,
    ];
    for page in &pages {
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(page.headers["x-content-type-options"], "nosniff");
        assert_eq!(page.headers["referrer-policy"], "same-origin");
        assert!(
            page.headers.get("strict-transport-security").is_none(),
            "no HSTS without TLS"
        );
    }
    let home = &pages[0];
    assert!(
        !home.body.contains("<style") && !home.body.contains("style="),
        "no inline styles"
    );
    assert!(!home.body.contains("display:none"));
    assert!(
        home.text().contains("/assets/accent.css?c=4f46e5"),
        "the default accent instead"
    );

    let css = &pages[4];
    assert_eq!(css.status, 200);
    assert!(css.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert!(css.headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    let accent = app
        .request_host("GET", None, "/assets/accent.css?c=0f766e", &As::Anonymous)
        .await;
    assert_eq!(
        (accent.status, accent.body.trim()),
        (
            200,
            ":root { --accent: #0f766e; --on-accent: #ffffff; --accent-ink: #0f766e; }"
        )
    );
    for bad in [
        "/assets/accent.css?c=red;}",
        "/assets/accent.css?c=12345",
        "/assets/accent.css",
    ] {
        assert_eq!(
            app.request_host("GET", None, bad, &As::Anonymous)
                .await
                .status,
            400,
            "{bad}"
        );
    }

    // Behind TLS, browsers are told to stay on HTTPS.
    let tls = spawn_app_with(
        &backend,
        Options {
            config: PortalConfig {
                secure_cookies: true,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await;
    let page = tls
        .request_host("GET", None, "/assets/portico.css", &As::Anonymous)
        .await;
    assert!(page.headers["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
}

/// SQLite reuses the highest id of a deleted row unless told not to; a cached session or
/// entitlement keyed by a reused id would then open another tenant's data.
async fn a_deleted_workspaces_sessions_never_reach_a_new_one(backend: Backend) {
    let app = spawn_app(&backend).await;
    let alpha = app.workspace("alpha", "growth").await;
    let client = app.client(alpha, "Client").await;
    let (_, contact) = app
        .contact(alpha, client, "c@example.com", &app.all_permissions())
        .await;
    assert_eq!(app.get("alpha", "/portal/", &contact).await.status, 200);
    portal_core::workspace::delete(app.db(), alpha)
        .await
        .unwrap();
    let bravo = app.workspace("bravo", "scale").await;
    assert_ne!(bravo, alpha, "ids are never reused");
    let other = app.client(bravo, "Bravo client").await;
    assert_ne!(other, client);
    assert_eq!(app.get("bravo", "/portal/", &contact).await.status, 401);
    assert_eq!(app.get("alpha", "/portal/", &contact).await.status, 404);
}

async fn plan_changes_from_a_sql_console_apply_on_the_next_request(backend: Backend) {
    let app = spawn_app(&backend).await;
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Client").await;
    let (_, contact) = app
        .contact(ws, client, "c@example.com", &app.all_permissions())
        .await;
    let menu =
        || async { portico_tests::menu_labels(&app.get("acme", "/portal/", &contact).await.body) };
    let before = menu().await;
    app.sql(
        "UPDATE workspaces SET plan_id = 'no-such-plan' WHERE id = $1",
        ws,
    )
    .await;
    assert_eq!(
        menu().await,
        ["Home"],
        "a plan outside the catalogue grants nothing"
    );
    app.sql("UPDATE workspaces SET plan_id = 'growth' WHERE id = $1", ws)
        .await;
    assert_eq!(menu().await, before);
    if let Some(m) = app.state.registry.modules().first() {
        let id = m.id();
        let sql = format!("INSERT INTO workspace_modules (workspace_id, module_id, enabled) VALUES ($1, '{id}', FALSE)");
        app.sql(&sql, ws).await;
        assert!(
            menu().await.len() < before.len(),
            "disabling {id} from a console hides it"
        );
        app.sql("DELETE FROM workspace_modules WHERE workspace_id = $1", ws)
            .await;
        assert_eq!(menu().await, before);
    }
}

/// Text a form does not check for control characters (a project's description) reaches the
/// database, where PostgreSQL refuses a NUL: a 400 that says so, not a 500.
async fn unstorable_text_is_a_bad_request_on_every_backend(backend: Backend) {
    #[cfg(feature = "projects")]
    {
        let app = spawn_app(&backend).await;
        let ws = app.workspace("acme", "growth").await;
        let (staff, _) = app.staff(ws, "s@example.com").await;
        let client = app.client(ws, "Client Co").await;
        let project = app.project(ws, client, "Website").await;
        let fields = [
            ("name", "Website"),
            ("description", "a\u{0}b"),
            ("status", "in_progress"),
            ("progress", "10"),
        ];
        let path = format!("/admin/projects/{project}");
        let page = app.submit("acme", &path, &staff, &fields).await;
        match backend {
            // SQLite stores it as given.
            Backend::Sqlite => assert_eq!(page.status, 303, "{}", page.body),
            Backend::Postgres(_) => {
                assert_eq!(page.status, 400, "{}", page.body);
                assert!(page.body.contains("cannot be stored"));
            }
        }
    }
    let _ = backend;
}
