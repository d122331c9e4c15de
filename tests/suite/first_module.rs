//! The first module of `docs/modules.md` (section 10), as its users meet it: staff share links
//! with one client or with all, each contact sees their client's and everyone's, and a link
//! that is not a web address never reaches a portal. The gating matrix, the isolation probe
//! and the schema checks cover its routes and table without a line here.

use portico_tests::{backends, spawn_app, Backend};

backends!(
    links_reach_only_the_clients_they_are_for,
    only_web_addresses_are_shared
);

async fn links_reach_only_the_clients_they_are_for(backend: Backend) {
    let app = spawn_app(&backend).await;
    let ws = app.workspace("acme", "growth").await;
    let (staff, _) = app.staff(ws, "owner@agency.example").await;
    let a = app.client(ws, "Client A").await;
    let b = app.client(ws, "Client B").await;
    let (_, ann) = app.contact(ws, a, "ann@a.example", &[]).await;
    let (_, bob) = app.contact(ws, b, "bob@b.example", &[]).await;
    let a_id = a.to_string();
    for (title, url, client) in [
        (
            "A's staging site",
            "https://staging.a.example/",
            a_id.as_str(),
        ),
        (
            "Agency holiday hours",
            "https://agency.example/holidays",
            "",
        ),
    ] {
        let fields = [("title", title), ("url", url), ("client_id", client)];
        let res = app.submit("acme", "/admin/links", &staff, &fields).await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(res.location(), "/w/acme/admin/links?done=added");
    }
    let page = app.get("acme", "/portal/links", &ann).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains(r#"href="https://staging.a.example/""#));
    assert!(page.body.contains("Agency holiday hours"));
    let page = app.get("acme", "/portal/links", &bob).await;
    assert!(
        !page.body.contains("staging.a.example"),
        "B never sees A's link"
    );
    assert!(page.body.contains("Agency holiday hours"));

    // Removing: gone for the contact; another workspace's staff cannot reach it.
    let sql = "SELECT id FROM links WHERE client_id = $1";
    let id: i64 = app
        .db()
        .query_scalar(sql)
        .bind(a)
        .fetch_one()
        .await
        .unwrap();
    let other = app.workspace("other", "growth").await;
    let (stranger, _) = app.staff(other, "owner@other.example").await;
    let remove = format!("/admin/links/{id}/remove");
    assert_eq!(
        app.submit("other", &remove, &stranger, &[]).await.status,
        404
    );
    let res = app.submit("acme", &remove, &staff, &[]).await;
    assert_eq!(res.location(), "/w/acme/admin/links?done=removed");
    let page = app.get("acme", "/portal/links", &ann).await;
    assert!(!page.body.contains("staging.a.example"));
}

async fn only_web_addresses_are_shared(backend: Backend) {
    let app = spawn_app(&backend).await;
    let ws = app.workspace("acme", "growth").await;
    let (staff, _) = app.staff(ws, "owner@agency.example").await;
    let fields = [
        ("title", "Click me"),
        ("url", "javascript:alert(1)"),
        ("client_id", ""),
    ];
    let page = app.submit("acme", "/admin/links", &staff, &fields).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page
        .text()
        .contains("Enter an address starting with https://."));
    assert!(
        page.body.contains(r#"value="Click me""#),
        "what was typed stays"
    );
    for url in [
        "https://",
        "data:text/html,hi",
        " javascript:alert(1)",
        "http:///x",
    ] {
        let fields = [("title", "Click me"), ("url", url)];
        let page = app.submit("acme", "/admin/links", &staff, &fields).await;
        assert_eq!(page.status, 422, "{url}");
    }
    let fields = [
        ("title", "Ours"),
        ("url", "HTTPS://Agency.example/"),
        ("client_id", ""),
    ];
    let res = app.submit("acme", "/admin/links", &staff, &fields).await;
    assert_eq!(res.status, 303, "a web address in capitals is one");
    let sql = "DELETE FROM links WHERE title = 'Ours'";
    app.db().query(sql).execute().await.unwrap();
    let sql = "SELECT COUNT(*) FROM links WHERE workspace_id = $1";
    let stored: i64 = app
        .db()
        .query_scalar(sql)
        .bind(ws)
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(stored, 0);
}
