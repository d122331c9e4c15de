//! The staff admin's client, contact, permission and token screens, driven over HTTP the
//! way staff use them; each change is checked where it matters — in the contact's portal.

use portico_tests::{
    backends, concrete_path, cookie_value, menu_labels, snapshot, spawn_app, As, Backend, Page,
    TestApp,
};

backends!(
    staff_add_rename_and_deactivate_clients,
    permissions_change_on_the_next_request,
    deactivation_and_access_expiry_end_sessions,
    plan_limits_hold_for_clients_and_portal_users,
    members_look_but_do_not_change,
    another_workspace_s_records_are_not_found,
    bad_input_is_refused_and_changes_nothing,
    api_tokens_are_created_shown_once_and_revoked,
    api_tokens_run_out_and_end_with_a_password_change,
    a_new_email_ends_the_contact_s_sessions,
    view_as_shows_what_the_contact_sees_and_changes_nothing,
);

struct World {
    app: TestApp,
    ws: i64,
    staff: As,
}

async fn world(backend: &Backend, plan: &str) -> World {
    let app = spawn_app(backend).await;
    let ws = app.workspace("acme", plan).await;
    let (staff, _) = app.staff(ws, "owner@agency.example").await;
    World { app, ws, staff }
}

impl World {
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.app.submit("acme", path, &self.staff, fields).await
    }

    async fn new_client(&self, name: &str) -> i64 {
        let res = self.post("/admin/clients", &[("name", name)]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        res.location_id("clients")
    }

    /// A contact added through the admin with a role, signed in (a session as if they had
    /// accepted their invitation).
    async fn new_contact(&self, client: i64, email: &str, preset: &str) -> (i64, As) {
        let path = format!("/admin/clients/{client}/contacts");
        let res = self
            .post(
                &path,
                &[("name", email), ("email", email), ("preset", preset)],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let id: i64 = self
            .app
            .db()
            .query_scalar("SELECT id FROM contacts WHERE email = $1")
            .bind(email)
            .fetch_one()
            .await
            .unwrap();
        let token = portal_core::web::session::create_portal_session(
            &self.app.state,
            self.ws,
            id,
            &Default::default(),
        )
        .await
        .unwrap();
        (id, As::Contact(token))
    }

    async fn permissions(&self, contact: i64) -> Vec<String> {
        portal_core::clients::permissions_of(self.app.db(), contact)
            .await
            .unwrap()
    }
}

async fn staff_add_rename_and_deactivate_clients(backend: Backend) {
    let w = world(&backend, "growth").await;
    let id = w.new_client("Client Co").await;
    let list = w.app.get("acme", "/admin/clients", &w.staff).await;
    assert_eq!(list.status, 200);
    assert!(list.text().contains("Client Co"), "{}", list.text());
    assert!(
        list.text().contains("1 active of the 50"),
        "{}",
        list.text()
    );

    let (_, dana) = w
        .new_contact(id, "dana@client.example", "client_viewer")
        .await;
    let page = w
        .app
        .get("acme", &format!("/admin/clients/{id}"), &w.staff)
        .await;
    assert!(page.text().contains("dana@client.example"));
    assert!(page.text().contains("Not invited"), "{}", page.text());

    let res = w
        .post(
            &format!("/admin/clients/{id}"),
            &[("name", "Client & Co"), ("active", "on")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let home = w.app.get("acme", "/portal/", &dana).await;
    assert!(home.text().contains("Client & Co"), "{}", home.text());

    // Deactivated: its contacts are out at once, and stay out.
    let res = w
        .post(&format!("/admin/clients/{id}"), &[("name", "Client & Co")])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(w.app.get("acme", "/portal/", &dana).await.status, 401);
    let list = w.app.get("acme", "/admin/clients", &w.staff).await;
    assert!(list.text().contains("Inactive"));
}

async fn permissions_change_on_the_next_request(backend: Backend) {
    let w = world(&backend, "growth").await;
    let client = w.new_client("Client Co").await;
    let (id, dana) = w
        .new_contact(client, "dana@client.example", "client_finance")
        .await;
    let preset = |name| {
        let mut p: Vec<String> =
            portal_core::clients::preset_permissions(&w.app.state.registry, name)
                .into_iter()
                .map(String::from)
                .collect();
        p.sort();
        p
    };
    let finance = preset("client_finance");
    assert!(finance.contains(&"can_view_invoices".to_string()));
    assert!(!finance.contains(&"can_approve_work".to_string()));
    assert_eq!(w.permissions(id).await, finance);

    let projects = w.app.state.registry.get("projects").is_some();
    let menu = |p: &Page| portico_tests::menu_labels(&p.body);
    if projects {
        let home = w.app.get("acme", "/portal/", &dana).await;
        assert!(
            !menu(&home).contains(&"Projects".to_string()),
            "{:?}",
            menu(&home)
        );
        assert_eq!(
            w.app.get("acme", "/portal/projects", &dana).await.status,
            404
        );
    }

    // One preset, one step.
    let path = format!("/admin/contacts/{id}/permissions");
    let res = w.post(&path, &[("preset", "client_admin")]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(w.permissions(id).await, preset("client_admin"));
    if projects {
        // The same session, no sign-out: the menu and the route follow.
        let home = w.app.get("acme", "/portal/", &dana).await;
        assert!(
            menu(&home).contains(&"Projects".to_string()),
            "{:?}",
            menu(&home)
        );
        assert_eq!(
            w.app.get("acme", "/portal/projects", &dana).await.status,
            200
        );
    }

    // Or each permission by hand; a repeated box counts once.
    let res = w
        .post(
            &path,
            &[
                ("permission", "can_approve_work"),
                ("permission", "can_approve_work"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(w.permissions(id).await, ["can_approve_work"]);
    if projects {
        assert_eq!(
            w.app.get("acme", "/portal/projects", &dana).await.status,
            404
        );
    }
    let page = w
        .app
        .get("acme", &format!("/admin/contacts/{id}"), &w.staff)
        .await;
    assert!(page.text().contains("Approve work"));
}

async fn deactivation_and_access_expiry_end_sessions(backend: Backend) {
    let w = world(&backend, "growth").await;
    let client = w.new_client("Client Co").await;
    let (id, dana) = w
        .new_contact(client, "dana@client.example", "client_viewer")
        .await;
    let path = format!("/admin/contacts/{id}");
    let yesterday = portal_core::db::iso_date_from_today(-1);
    let today = portal_core::db::iso_date_from_today(0);
    let base = [
        ("name", "Dana"),
        ("email", "dana@client.example"),
        ("active", "on"),
    ];

    // Access until today still works; until yesterday is over, at once.
    let res = w
        .post(
            &path,
            &[&base[..], &[("access_expires_on", today.as_str())]].concat(),
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(w.app.get("acme", "/portal/", &dana).await.status, 200);
    let res = w
        .post(
            &path,
            &[&base[..], &[("access_expires_on", yesterday.as_str())]].concat(),
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(w.app.get("acme", "/portal/", &dana).await.status, 401);
    let page = w.app.get("acme", &path, &w.staff).await;
    assert!(page.text().contains("Access expired"), "{}", page.text());

    // Lifting the limit lets them in again; deactivating ends their sessions on the server.
    let res = w.post(&path, &base).await;
    assert_eq!(res.status, 303);
    assert_eq!(w.app.get("acme", "/portal/", &dana).await.status, 200);
    let res = w
        .post(&path, &[("name", "Dana"), ("email", "dana@client.example")])
        .await;
    assert_eq!(res.status, 303);
    let sessions: i64 = w
        .app
        .db()
        .query_scalar("SELECT COUNT(*) FROM portal_sessions WHERE contact_id = $1")
        .bind(id)
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(sessions, 0);
    assert_eq!(w.app.get("acme", "/portal/", &dana).await.status, 401);
    // A deactivated contact is not invited.
    let res = w
        .app
        .post("acme", &format!("{path}/invite"), &w.staff)
        .await;
    assert_eq!(res.status, 409);
    assert!(res.text().contains("deactivated"), "{}", res.text());

    // Staff can also sign an active contact out everywhere.
    w.post(&path, &base).await;
    let (_, again) = (
        0,
        portal_core::web::session::create_portal_session(
            &w.app.state,
            w.ws,
            id,
            &Default::default(),
        )
        .await
        .unwrap(),
    );
    let again = As::Contact(again);
    assert_eq!(w.app.get("acme", "/portal/", &again).await.status, 200);
    let page = w.app.get("acme", &path, &w.staff).await;
    assert!(page.text().contains("Unknown device"), "{}", page.text());
    assert!(
        page.text().contains("last active just now"),
        "{}",
        page.text()
    );
    let res = w
        .app
        .post("acme", &format!("{path}/sessions/end"), &w.staff)
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(w.app.get("acme", "/portal/", &again).await.status, 401);
    let page = w.app.get("acme", &path, &w.staff).await;
    assert!(page.text().contains("Not signed in anywhere."));
}

async fn plan_limits_hold_for_clients_and_portal_users(backend: Backend) {
    // Starter: 10 clients, 30 portal users.
    let w = world(&backend, "starter").await;
    let first = w.new_client("Client 1").await;
    for n in 2..=10 {
        w.app.client(w.ws, &format!("Client {n}")).await;
    }
    let res = w.post("/admin/clients", &[("name", "Client 11")]).await;
    assert_eq!(res.status, 409);
    assert!(
        res.text().contains("includes 10 active clients"),
        "{}",
        res.text()
    );
    // Deactivating one makes room; reactivating it then finds none.
    w.post(&format!("/admin/clients/{first}"), &[("name", "Client 1")])
        .await;
    let eleventh = w.new_client("Client 11").await;
    let res = w
        .post(
            &format!("/admin/clients/{first}"),
            &[("name", "Client 1"), ("active", "on")],
        )
        .await;
    assert_eq!(res.status, 409);

    for n in 1..=30 {
        portal_core::clients::create_contact(
            w.app.db(),
            w.ws,
            eleventh,
            &format!("c{n}@x.example"),
            "C",
        )
        .await
        .unwrap();
    }
    let path = format!("/admin/clients/{eleventh}/contacts");
    let res = w
        .post(
            &path,
            &[
                ("name", "One too many"),
                ("email", "31@x.example"),
                ("preset", "client_viewer"),
            ],
        )
        .await;
    assert_eq!(res.status, 409);
    assert!(
        res.text().contains("includes 30 active portal users"),
        "{}",
        res.text()
    );
    let count: i64 = w
        .app
        .db()
        .query_scalar("SELECT COUNT(*) FROM contacts WHERE email = '31@x.example'")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(count, 0);
}

async fn members_look_but_do_not_change(backend: Backend) {
    let w = world(&backend, "growth").await;
    let client = w.new_client("Client Co").await;
    let (contact, _) = w
        .new_contact(client, "dana@client.example", "client_viewer")
        .await;
    let member = portal_core::clients::create_staff_user(
        w.app.db(),
        w.ws,
        "member@agency.example",
        "Mo",
        "member",
    )
    .await
    .unwrap();
    let token = portal_core::web::session::create_staff_session(
        &w.app.state,
        w.ws,
        member,
        &Default::default(),
    )
    .await
    .unwrap();
    let mo = As::Staff(token);
    let before = snapshot(w.app.db()).await;
    for path in [
        format!("/admin/clients/{client}"),
        format!("/admin/contacts/{contact}"),
    ] {
        let page = w.app.get("acme", &path, &mo).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(!page.body.contains("Save"), "no edit controls on {path}");
    }
    for path in [
        "/admin/clients".to_string(),
        format!("/admin/clients/{client}"),
        format!("/admin/clients/{client}/contacts"),
        format!("/admin/contacts/{contact}"),
        format!("/admin/contacts/{contact}/permissions"),
        format!("/admin/contacts/{contact}/invite"),
        format!("/admin/contacts/{contact}/sessions/end"),
    ] {
        let res = w
            .app
            .submit(
                "acme",
                &path,
                &mo,
                &[
                    ("name", "X"),
                    ("email", "x@x.example"),
                    ("preset", "client_admin"),
                ],
            )
            .await;
        assert_eq!(res.status, 403, "{path}");
    }
    assert_eq!(snapshot(w.app.db()).await, before);
}

async fn another_workspace_s_records_are_not_found(backend: Backend) {
    let w = world(&backend, "growth").await;
    let client = w.new_client("Client Co").await;
    let (contact, _) = w
        .new_contact(client, "dana@client.example", "client_viewer")
        .await;
    let other = w.app.workspace("rival", "scale").await;
    let (rival, _) = w.app.staff(other, "owner@rival.example").await;
    let before = snapshot(w.app.db()).await;
    for path in [
        format!("/admin/clients/{client}"),
        format!("/admin/contacts/{contact}"),
    ] {
        assert_eq!(
            w.app.get("rival", &path, &rival).await.status,
            404,
            "{path}"
        );
    }
    for path in [
        format!("/admin/clients/{client}"),
        format!("/admin/clients/{client}/contacts"),
        format!("/admin/contacts/{contact}"),
        format!("/admin/contacts/{contact}/permissions"),
        format!("/admin/contacts/{contact}/invite"),
        format!("/admin/contacts/{contact}/invite/revoke"),
        format!("/admin/contacts/{contact}/sessions/end"),
    ] {
        let fields = [
            ("name", "Taken"),
            ("email", "evil@rival.example"),
            ("active", "on"),
            ("preset", "client_admin"),
        ];
        let res = w.app.submit("rival", &path, &rival, &fields).await;
        assert_eq!(res.status, 404, "{path}");
    }
    assert_eq!(snapshot(w.app.db()).await, before);
}

async fn bad_input_is_refused_and_changes_nothing(backend: Backend) {
    let w = world(&backend, "growth").await;
    let client = w.new_client("Client Co").await;
    let (contact, _) = w
        .new_contact(client, "dana@client.example", "client_viewer")
        .await;
    w.new_contact(client, "fox@client.example", "client_viewer")
        .await;
    let before = snapshot(w.app.db()).await;
    let c = format!("/admin/contacts/{contact}");
    type Case<'a> = (String, Vec<(&'a str, &'a str)>, u16);
    let cases: Vec<Case> = vec![
        // The clients page again, with the problem beside the name (`web::form`).
        ("/admin/clients".into(), vec![("name", "  ")], 422),
        ("/admin/clients".into(), vec![("name", "two\nlines")], 422),
        (
            format!("/admin/clients/{client}/contacts"),
            vec![("name", "X"), ("email", "not-an-email")],
            400,
        ),
        (
            format!("/admin/clients/{client}/contacts"),
            vec![
                ("name", "X"),
                ("email", "x@x.example"),
                ("preset", "superuser"),
            ],
            400,
        ),
        (
            format!("/admin/clients/{client}/contacts"),
            vec![("name", "Dup"), ("email", "FOX@client.example")],
            409,
        ),
        (
            c.clone(),
            vec![
                ("name", "Dana"),
                ("email", "fox@client.example"),
                ("active", "on"),
            ],
            409,
        ),
        (
            c.clone(),
            vec![
                ("name", "Dana"),
                ("email", "dana@client.example"),
                ("access_expires_on", "2026-13-01"),
            ],
            400,
        ),
        (
            format!("{c}/permissions"),
            vec![("permission", "can_view_invoices"), ("permission", "root")],
            400,
        ),
        (format!("{c}/permissions"), vec![("preset", "nope")], 400),
        ("/admin/clients/abc".into(), vec![("name", "X")], 404),
        ("/admin/contacts/-1".into(), vec![("name", "X")], 404),
        (
            "/admin/contacts/99999999999999999999".into(),
            vec![("name", "X")],
            404,
        ),
    ];
    for (path, fields, status) in cases {
        let res = w.post(&path, &fields).await;
        assert_eq!(res.status, status, "{path} {fields:?}: {}", res.body);
    }
    // A refused client comes back as the clients page: the problem beside the field, the
    // name as typed in it.
    let long = "N".repeat(201);
    let res = w.post("/admin/clients", &[("name", long.as_str())]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("<h1>Clients</h1>"), "{}", res.body);
    let words = res.words();
    assert!(words.contains("The client's name must be at most 200 characters, on one line."));
    assert!(res
        .body
        .contains(&format!(r#"value="{long}" aria-invalid="true""#)));
    assert_eq!(snapshot(w.app.db()).await, before);
}

/// The token a creation page shows once.
fn shown_token(res: &Page) -> String {
    assert_eq!(res.status, 200, "{}", res.body);
    let text = res.text();
    let at = text.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
    let token: String = text[at..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 64);
    token
}

async fn api_tokens_are_created_shown_once_and_revoked(backend: Backend) {
    let w = world(&backend, "growth").await;
    let res = w
        .post("/admin/tokens", &[("name", "Reporting script")])
        .await;
    let token = shown_token(&res);
    let bearer = As::Bearer(token.clone());
    let me = w.app.get("acme", "/api/me", &bearer).await;
    assert_eq!(me.status, 200, "{}", me.body);
    let body: serde_json::Value = serde_json::from_str(&me.body).unwrap();
    assert_eq!(body["staff"]["email"], "owner@agency.example");
    assert_eq!(body["workspace"]["slug"], "acme");

    // Listed by name, never shown again.
    let list = w.app.get("acme", "/admin/tokens", &w.staff).await;
    assert!(list.text().contains("Reporting script"));
    assert!(!list.body.contains(&token));
    // Not a key to another workspace.
    w.app.workspace("rival", "growth").await;
    assert_eq!(w.app.get("rival", "/api/me", &bearer).await.status, 401);

    let handle = &portal_core::web::session::hash_token(&token)[..16];
    let res = w
        .app
        .post("acme", &format!("/admin/tokens/{handle}/revoke"), &w.staff)
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(w.app.get("acme", "/api/me", &bearer).await.status, 401);
    let list = w.app.get("acme", "/admin/tokens", &w.staff).await;
    assert!(list.text().contains("Revoked"));
    assert_eq!(
        w.app
            .post("acme", &format!("/admin/tokens/{handle}/revoke"), &w.staff)
            .await
            .status,
        404
    );
}

/// A token works for the days chosen at its making (90 unless chosen), the list says when it
/// was last used and when it ends, and its owner's password change revokes it.
async fn api_tokens_run_out_and_end_with_a_password_change(backend: Backend) {
    let w = world(&backend, "growth").await;
    let before = snapshot(w.app.db()).await;
    for days in ["0", "3650", "-7", "x", "99999999999999999999"] {
        let res = w
            .post("/admin/tokens", &[("name", "Odd"), ("days", days)])
            .await;
        assert_eq!(res.status, 400, "{days}: {}", res.body);
    }
    assert_eq!(snapshot(w.app.db()).await, before, "no token was made");

    let form = w.app.get("acme", "/admin/tokens", &w.staff).await;
    assert!(
        form.body
            .contains(r#"<option value="90" selected>90 days</option>"#),
        "{}",
        form.body
    );
    let weekly = As::Bearer(shown_token(
        &w.post("/admin/tokens", &[("name", "Weekly export"), ("days", "7")])
            .await,
    ));
    let standing = As::Bearer(shown_token(
        &w.post("/admin/tokens", &[("name", "Dashboard")]).await,
    ));
    let in_a_week = portal_core::templates::date(portal_core::db::iso_date_from_today(7));
    let in_90 = portal_core::templates::date(portal_core::db::iso_date_from_today(90));
    let list = w.app.get("acme", "/admin/tokens", &w.staff).await.words();
    assert!(
        list.contains(&format!(
            "Weekly export {} just now Never {in_a_week} (in 7 days) Active",
            "owner@agency.example"
        )),
        "{list}"
    );
    assert!(
        list.contains(&format!(
            "Dashboard owner@agency.example just now Never {in_90} (in 90 days) Active"
        )),
        "{list}"
    );

    assert_eq!(w.app.get("acme", "/api/me", &weekly).await.status, 200);
    let list = w.app.get("acme", "/admin/tokens", &w.staff).await.words();
    assert!(
        list.contains("Weekly export owner@agency.example just now just now"),
        "{list}"
    );

    // A week later the weekly one is refused, and listed as expired.
    w.app
        .sql(
            "UPDATE api_tokens SET expires_at = created_at - 1 WHERE name = 'Weekly export' AND workspace_id = $1",
            w.ws,
        )
        .await;
    assert_eq!(w.app.get("acme", "/api/me", &weekly).await.status, 401);
    assert_eq!(w.app.get("acme", "/api/me", &standing).await.status, 200);
    let list = w.app.get("acme", "/admin/tokens", &w.staff).await;
    assert!(list.words().contains("Expired"), "{}", list.words());
    assert_eq!(
        list.body.matches("/revoke\"").count(),
        2,
        "only the working ones (the harness's and the dashboard's) can be revoked"
    );

    // The owner changes their password: the token made with the old one stops.
    let id: i64 = w
        .app
        .db()
        .query_scalar("SELECT id FROM staff_users WHERE email = 'owner@agency.example'")
        .fetch_one()
        .await
        .unwrap();
    let hash = w
        .app
        .state
        .passwords
        .hash("the old passphrase")
        .await
        .unwrap();
    portal_core::clients::set_staff_password(w.app.db(), id, &hash)
        .await
        .unwrap();
    let new = "a brand new passphrase";
    let res = w
        .post(
            "/admin/account/password",
            &[
                ("current", "the old passphrase"),
                ("new", new),
                ("confirm", new),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(w.app.get("acme", "/api/me", &standing).await.status, 401);
    let list = w.app.get("acme", "/admin/tokens", &w.staff).await;
    assert!(
        list.words().contains("Dashboard owner@agency.example"),
        "{}",
        list.words()
    );
    assert_eq!(
        list.body.matches("/revoke\"").count(),
        0,
        "{}",
        list.words()
    );
}

/// Whoever signed in as the old address is signed out when staff change it, and cannot sign
/// in again with the old password or authenticator: the new address gets in by invitation.
async fn a_new_email_ends_the_contact_s_sessions(backend: Backend) {
    let w = world(&backend, "growth").await;
    let client = w.new_client("Client Co").await;
    let (id, dana) = w
        .new_contact(client, "dana@client.example", "client_viewer")
        .await;
    w.app
        .sql(
            "UPDATE contacts SET password_hash = 'old-hash', totp_secret = 'old-secret', totp_enabled_at = 1 WHERE id = $1",
            id,
        )
        .await;
    let path = format!("/admin/contacts/{id}");
    let same = [
        ("name", "Dana D."),
        ("email", "dana@client.example"),
        ("active", "on"),
    ];
    assert_eq!(w.post(&path, &same).await.status, 303);
    assert_eq!(
        w.app.get("acme", "/portal/", &dana).await.status,
        200,
        "a rename keeps them in"
    );
    let moved = [
        ("name", "Dana D."),
        ("email", "dana@new.example"),
        ("active", "on"),
    ];
    assert_eq!(w.post(&path, &moved).await.status, 303);
    assert_eq!(w.app.get("acme", "/portal/", &dana).await.status, 401);
    let sessions: i64 = w
        .app
        .db()
        .query_scalar("SELECT COUNT(*) FROM portal_sessions WHERE contact_id = $1")
        .bind(id)
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(sessions, 0, "ended on the server, not only hidden");
    let left: (Option<String>, Option<String>) = w
        .app
        .db()
        .query_as("SELECT password_hash, totp_secret FROM contacts WHERE id = $1")
        .bind(id)
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(left, (None, None), "the old address's credentials are gone");
}

async fn view_as_shows_what_the_contact_sees_and_changes_nothing(backend: Backend) {
    let w = world(&backend, "growth").await;
    let client = w.new_client("Client Co").await;
    let (id, dana) = w
        .new_contact(client, "dana@client.example", "client_finance")
        .await;
    let samples = w.app.seed_modules(w.ws, client).await;

    let res = w
        .app
        .post("acme", &format!("/admin/contacts/{id}/view-as"), &w.staff)
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), "/w/acme/portal/");
    let set = res
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(set.contains("Max-Age=1800"), "a short preview: {set}");
    let preview = As::Contact(cookie_value(&res, "portico_portal").unwrap());

    // The same pages, the same menu, the same refusals as Dana's own session — plus a banner.
    let own = w.app.get("acme", "/portal/", &dana).await;
    let seen = w.app.get("acme", "/portal/", &preview).await;
    assert_eq!(seen.status, 200);
    assert_eq!(menu_labels(&seen.body), menu_labels(&own.body));
    assert!(
        seen.text()
            .contains("you are seeing exactly what dana@client.example sees"),
        "{}",
        seen.text()
    );
    assert!(!own.text().contains("Preview"));
    for route in w
        .app
        .state
        .routes
        .iter()
        // The doors are no one's pages; the account is not part of the preview (see below).
        .filter(|r| {
            r.surface == portal_core::module::Surface::Portal
                && r.method == "GET"
                && !r.open
                && !r.path.starts_with("/account")
        })
    {
        let path = concrete_path(route, &samples);
        let (a, b) = (
            w.app.get("acme", &path, &dana).await,
            w.app.get("acme", &path, &preview).await,
        );
        assert_eq!(a.status, b.status, "{path}");
    }

    // Nothing can be changed: every state-changing portal route, core or module, is refused.
    // The contact's own account is not part of the preview, not even to read: a two-step
    // secret being set up, the password form, the devices.
    let before = snapshot(w.app.db()).await;
    for route in w
        .app
        .state
        .routes
        .iter()
        .filter(|r| r.surface == portal_core::module::Surface::Portal && !r.open)
    {
        let account = route.path.starts_with("/account");
        if route.method == "GET" && !account {
            continue;
        }
        let path = concrete_path(route, &samples);
        let res = if route.method == "GET" {
            w.app.get("acme", &path, &preview).await
        } else {
            let fields = [("current", "x"), ("new", "y"), ("confirm", "y")];
            w.app.submit("acme", &path, &preview, &fields).await
        };
        assert_eq!(res.status, 403, "{} {path}", route.method);
        let why = if account {
            "not their account"
        } else {
            "read-only preview"
        };
        assert!(res.text().contains(why), "{} {path}", route.method);
    }
    assert_eq!(snapshot(w.app.db()).await, before);
    // Only owners and admins may look through a contact's eyes.
    let (_, member, _) = w
        .app
        .staff_in_role(w.ws, "member@agency.example", "member")
        .await;
    let page = w
        .app
        .get("acme", &format!("/admin/contacts/{id}"), &member)
        .await;
    assert!(
        !page.text().contains("View the portal as"),
        "{}",
        page.text()
    );
    let res = w
        .app
        .post("acme", &format!("/admin/contacts/{id}/view-as"), &member)
        .await;
    assert_eq!(res.status, 403, "{}", res.body);
    assert!(res
        .headers
        .get("set-cookie")
        .is_none_or(|c| !c.to_str().unwrap().contains("portico_portal=")));

    // Dana does not see the preview among her sessions; the audit log names who looked.
    let account = w.app.get("acme", "/portal/account", &dana).await;
    assert!(
        !account.text().contains("Sign out this device"),
        "{}",
        account.text()
    );
    let log = w.app.get("acme", "/admin/audit", &w.staff).await;
    assert!(
        log.text().contains("owner@agency.example"),
        "{}",
        log.text()
    );
    assert!(
        log.text().contains(
            "viewed the portal as dana@client.example <dana@client.example> of Client Co"
        ),
        "{}",
        log.text()
    );

    // Ending the preview signs only the preview out.
    let res = w.app.post("acme", "/portal/sign-out", &preview).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(w.app.get("acme", "/portal/", &preview).await.status, 401);
    assert_eq!(w.app.get("acme", "/portal/", &dana).await.status, 200);

    // A deactivated contact has no portal to preview.
    w.post(
        &format!("/admin/contacts/{id}"),
        &[("name", "Dana"), ("email", "dana@client.example")],
    )
    .await;
    let res = w
        .app
        .post("acme", &format!("/admin/contacts/{id}/view-as"), &w.staff)
        .await;
    assert_eq!(res.status, 409);
}
