//! Tenancy: which workspace a request is for, and that nothing crosses workspaces.

use portal_core::PortalConfig;
use portico_tests::{backends, spawn_app_with, As, Backend, Options};

backends!(
    workspace_from_host_domain_or_path,
    unknown_hosts_get_a_clear_404,
    a_session_never_crosses_workspaces,
    hostile_requests_get_clear_4xx_answers,
);

fn options() -> Options {
    Options {
        config: PortalConfig {
            base_domain: "portico.test".into(),
            ..Default::default()
        },
        ..Default::default()
    }
}

async fn workspace_from_host_domain_or_path(backend: Backend) {
    let app = spawn_app_with(&backend, options()).await;
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Acme Client").await;
    let (_, contact) = app.contact(ws, client, "c@example.com", &[]).await;
    portal_core::clients::add_domain(app.db(), ws, "portal.acme.example", true)
        .await
        .unwrap();
    portal_core::clients::add_domain(app.db(), ws, "unverified.acme.example", false)
        .await
        .unwrap();

    for host in [
        "acme.portico.test",
        "ACME.portico.test:8443",
        "portal.acme.example",
        "portal.acme.example.",
    ] {
        let page = app
            .request_host("GET", Some(host), "/portal/", &contact)
            .await;
        assert_eq!(page.status, 200, "{host}: {}", page.body);
        assert!(page.body.contains("Welcome, c@example.com"), "{host}");
        // Links are relative to the host: no /w/ prefix.
        assert!(page.text().contains(r#"href="/portal/""#), "{host}");
    }
    for host in ["localhost", "127.0.0.1:3000", "portico.test", "[::1]:3000"] {
        let page = app
            .request_host("GET", Some(host), "/w/acme/portal", &contact)
            .await;
        assert_eq!(page.status, 200, "{host}: {}", page.body);
        assert!(
            page.text().contains(r#"href="/w/acme/portal/""#),
            "{host}: links keep the prefix"
        );
    }
    let root = app
        .request_host("GET", Some("localhost"), "/w/acme/", &As::Anonymous)
        .await;
    assert_eq!(root.status, 303);
    assert_eq!(root.headers["location"], "/w/acme/portal/");

    // The domain works only while the plan includes custom domains.
    app.change_out_of_process(
        ws,
        portal_core::workspace::EntitlementChange::SetPlan("starter".into()),
    )
    .await;
    let starter = app
        .request_host("GET", Some("portal.acme.example"), "/portal/", &contact)
        .await;
    assert_eq!(starter.status, 404);
    assert!(starter
        .text()
        .contains("There is no client portal at portal.acme.example"));
    let subdomain = app
        .request_host("GET", Some("acme.portico.test"), "/portal/", &contact)
        .await;
    assert_eq!(
        subdomain.status, 200,
        "the workspace's own address still works"
    );
    app.change_out_of_process(
        ws,
        portal_core::workspace::EntitlementChange::SetPlan("growth".into()),
    )
    .await;
    assert_eq!(
        app.request_host("GET", Some("portal.acme.example"), "/portal/", &contact)
            .await
            .status,
        200
    );

    let unverified = app
        .request_host("GET", Some("unverified.acme.example"), "/portal/", &contact)
        .await;
    assert_eq!(unverified.status, 404);
    assert!(unverified
        .text()
        .contains("There is no client portal at unverified.acme.example"));
}

async fn unknown_hosts_get_a_clear_404(backend: Backend) {
    let app = spawn_app_with(&backend, options()).await;
    app.workspace("acme", "growth").await;
    let cases = [
        (Some("nope.portico.test"), "/portal/", "nope.portico.test"),
        (Some("a.b.portico.test"), "/portal/", "a.b.portico.test"),
        (
            Some("elsewhere.example"),
            "/w/acme/portal/",
            "elsewhere.example",
        ),
        (Some("localhost"), "/w/nope/portal/", "localhost/w/nope"),
        (Some("localhost"), "/", "localhost"),
    ];
    for (host, path, shown) in cases {
        let page = app.request_host("GET", host, path, &As::Anonymous).await;
        assert_eq!(page.status, 404, "{host:?} {path}");
        assert!(page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(
            page.text()
                .contains(&format!("There is no client portal at {shown}.")),
            "{host:?} {path}: {}",
            page.body
        );
    }
    let api = app
        .request_host(
            "GET",
            Some("nope.portico.test"),
            "/api/projects",
            &As::Anonymous,
        )
        .await;
    assert_eq!(api.status, 404);
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(json["error"]["code"], "unknown_workspace");
}

async fn a_session_never_crosses_workspaces(backend: Backend) {
    let app = spawn_app_with(&backend, options()).await;
    let a = app.workspace("alpha", "growth").await;
    let b = app.workspace("beta", "growth").await;
    let ca = app.client(a, "Alpha Client").await;
    app.client(b, "Beta Client").await;
    let (_, contact) = app.contact(a, ca, "c@example.com", &[]).await;
    let (staff, bearer) = app.staff(a, "s@example.com").await;
    assert_eq!(app.get("alpha", "/portal/", &contact).await.status, 200);
    // The same credentials presented to another workspace sign nobody in.
    assert_eq!(app.get("beta", "/portal/", &contact).await.status, 401);
    assert_eq!(app.get("beta", "/admin/", &staff).await.status, 401);
    assert_eq!(
        app.get("beta", "/api/no-such-page", &bearer).await.status,
        404
    );
    let admin = app.get("beta", "/admin/", &As::Anonymous).await;
    assert_eq!(admin.status, 401);
    assert!(admin.body.contains("Please sign in"));
}

async fn hostile_requests_get_clear_4xx_answers(backend: Backend) {
    let app = spawn_app_with(&backend, options()).await;
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Client").await;
    let (_, contact) = app.contact(ws, client, "c@example.com", &[]).await;
    let long = "a".repeat(4000);
    let cases: Vec<(Option<&str>, String)> = vec![
        (Some("localhost"), "/w/../portal/".into()),
        (Some("localhost"), "/w/acme/../../etc/passwd".into()),
        (
            Some("localhost"),
            "/w/acme/portal/%2e%2e/%2e%2e/admin/".into(),
        ),
        (Some("localhost"), "/w/acme%00/portal/".into()),
        (Some("localhost"), format!("/w/{long}/portal/")),
        (Some("localhost"), format!("/w/acme/portal/projects/{long}")),
        (
            Some("localhost"),
            "/w/acme/portal/projects/99999999999999999999999".into(),
        ),
        (Some("localhost"), "/w/acme/portal/projects/-1".into()),
        (Some("localhost"), "/w/acme/portal/?q=%ff%fe".into()),
        (Some("acme.portico.test:notaport"), "/portal/".into()),
        (Some(":::"), "/portal/".into()),
        (Some(""), "/portal/".into()),
        (Some(&long), "/portal/".into()),
    ];
    for (host, path) in &cases {
        let page = app.request_host("GET", *host, path, &contact).await;
        assert!(
            (300..500).contains(&page.status) || page.status == 200,
            "{host:?} {path}: {} {}",
            page.status,
            page.body
        );
    }
    // Nothing leaked across the prefix: the admin surface is still closed to a contact.
    let page = app
        .request_host(
            "GET",
            Some("localhost"),
            "/w/acme/portal/%2e%2e/admin/",
            &contact,
        )
        .await;
    assert_ne!(page.status, 200);
}
