//! Branding and portal settings, as staff set them in `/admin/settings` and clients see them:
//! each setting shows on the next request; the plan decides which can be set (Starter:
//! partial, Growth: full white-label); a switched-off portal refuses everything and changes
//! nothing; bad or hostile values never reach a page.

use portico_tests::{
    backends, cookie_value, snapshot, spawn_app, spawn_app_with, As, Backend, Options, Page,
    TestApp,
};

backends!(
    each_setting_shows_on_the_next_request,
    partial_branding_is_logo_and_colour_only,
    emails_carry_the_sender_name_and_support_address_on_full_branding,
    a_switched_off_portal_refuses_everything_and_changes_nothing,
    members_see_the_settings_but_cannot_change_them,
    bad_input_is_refused_and_changes_nothing,
    hostile_values_cannot_reach_css_or_html,
    out_of_process_changes_show_on_the_next_request,
    the_api_reads_and_changes_settings_with_the_same_rules,
);

const PASSWORD: &str = "trust no one, ever";

struct World {
    app: TestApp,
    ws: i64,
    staff: As,
    bearer: As,
    client: i64,
    dana: (i64, As),
}

/// Workspace `acme` on `plan` with an owner, a client and a signed-in contact, Dana.
async fn world_on(app: TestApp, plan: &str) -> World {
    let perms = app.all_permissions();
    let s = app
        .scenario("acme")
        .plan(plan)
        .staff_owner("owner@agency.example")
        .client("Client Co", |c| c.contact("dana@client.example", &perms))
        .build()
        .await;
    let (_, staff, bearer) = s.staff("owner@agency.example");
    let dana = s.contact("dana@client.example");
    let hash = app.state.passwords.hash(PASSWORD).await.unwrap();
    portal_core::clients::set_contact_password(app.db(), dana.0, &hash)
        .await
        .unwrap();
    World {
        app,
        ws: s.ws,
        staff,
        bearer,
        client: s.client("Client Co"),
        dana,
    }
}

async fn world(backend: &Backend, plan: &str) -> World {
    world_on(spawn_app(backend).await, plan).await
}

/// The same, mailing a real SMTP server.
async fn world_mailing(backend: &Backend, plan: &str) -> World {
    let opts = Options {
        mail: true,
        ..Default::default()
    };
    world_on(spawn_app_with(backend, opts).await, plan).await
}

impl World {
    async fn save(&self, fields: &[(&str, &str)]) -> Page {
        self.app
            .submit("acme", "/admin/settings", &self.staff, fields)
            .await
    }

    /// Adds a contact to the client and has their invitation mailed.
    async fn invite(&self, name: &str, email: &str) {
        let path = format!("/admin/clients/{}/contacts", self.client);
        let fields = [
            ("name", name),
            ("email", email),
            ("preset", "client_viewer"),
            ("invite", "on"),
        ];
        let res = self.app.submit("acme", &path, &self.staff, &fields).await;
        assert_eq!(res.status, 303, "{}", res.body);
    }

    async fn home(&self) -> Page {
        self.app.get("acme", "/portal/", &self.dana.1).await
    }
}

async fn each_setting_shows_on_the_next_request(backend: Backend) {
    let w = world(&backend, "growth").await;
    let before = w.home().await;
    assert_eq!(before.status, 200);
    assert!(before.text().contains("This is Client Co's portal"));
    assert!(!before.text().contains("Questions? Write to"));
    assert!(
        !before.text().contains("Portico"),
        "Growth is white-label: {}",
        before.text()
    );

    let res = w
        .save(&[
            ("portal", "on"),
            ("logo_url", "https://cdn.acme.example/logo.png"),
            ("accent_color", "#0F766E"),
            (
                "welcome_message",
                "Hello from Acme!\r\nWe are here <b>for you</b>.",
            ),
            ("support_email", "help@acme.example"),
            ("sender_name", "Acme Client Desk"),
        ])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), "/w/acme/admin/settings?done=saved");

    let page = w.home().await;
    let html = &page.body;
    assert!(
        html.contains(r#"<p class="welcome">Hello from Acme!"#),
        "{html}"
    );
    assert!(
        html.contains("We are here &lt;b&gt;for you&lt;&#x2f;b&gt;."),
        "the message is text, escaped: {html}"
    );
    assert!(!page.text().contains("This is Client Co's portal"));
    assert!(page.text().contains(
        r#"Questions? Write to <a href="mailto:help@acme.example">help@acme.example</a>"#
    ));
    assert!(page
        .text()
        .contains(r#"<img src="https://cdn.acme.example/logo.png""#));
    assert!(html.contains("/assets/accent.css?c=0f766e"), "{html}");
    assert!(!page.text().contains("Portico"));

    // The sign-in page and error pages carry the same branding, no operator mark.
    for path in ["/portal/sign-in", "/portal/no-such-page"] {
        let p = w.app.get("acme", path, &As::Anonymous).await;
        assert!(p.text().contains("help@acme.example"), "{path}");
        assert!(p.body.contains("accent.css?c=0f766e"), "{path}");
        assert!(!p.text().contains("Portico"), "{path}: {}", p.text());
    }

    // The settings page shows what is stored; the audit log names each change.
    let form = w.app.get("acme", "/admin/settings", &w.staff).await;
    assert!(
        form.text().contains(r#"value="help@acme.example""#),
        "{}",
        form.text()
    );
    assert!(form.text().contains(r##"value="#0f766e""##));
    let audit = w.app.get("acme", "/admin/audit", &w.staff).await.text();
    for entry in [
        "accent colour to #0f766e",
        "logo to https://cdn.acme.example/logo.png",
        "welcome message",
        "support email to help@acme.example",
        "email sender name to Acme Client Desk",
    ] {
        assert!(audit.contains(entry), "{entry} in {audit}");
    }
    assert!(
        !audit.contains("switched the client portal"),
        "unchanged: not logged"
    );

    // Clearing the message brings the default line back on the next request.
    let res = w.save(&[("welcome_message", "")]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(w.home().await.text().contains("This is Client Co's portal"));
}

async fn partial_branding_is_logo_and_colour_only(backend: Backend) {
    let w = world(&backend, "starter").await;
    let form = w.app.get("acme", "/admin/settings", &w.staff).await;
    assert_eq!(form.status, 200);
    let text = form.text();
    assert!(
        text.contains("Included in plans with full branding"),
        "{text}"
    );
    for field in ["welcome_message", "support_email", "sender_name"] {
        let at = text.find(&format!(r#"id="{field}""#)).unwrap();
        let tag = &text[at..at + text[at..].find('>').unwrap()];
        assert!(tag.contains("disabled"), "{field}: {tag}");
    }
    let at = text.find(r#"id="logo_url""#).unwrap();
    assert!(!text[at..at + text[at..].find('>').unwrap()].contains("disabled"));

    // Logo and colour are Starter's.
    let res = w
        .save(&[
            ("logo_url", "https://cdn.acme.example/logo.png"),
            ("accent_color", "#b45309"),
        ])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = w.home().await;
    assert!(page
        .text()
        .contains(r#"<img src="https://cdn.acme.example/logo.png""#));
    assert!(page.body.contains("accent.css?c=b45309"));
    assert!(page.text().contains("Client portal powered by Portico"));

    // Full-branding fields are refused, whole: the allowed change in the same form is not made.
    for (field, value) in [
        ("welcome_message", "Hi"),
        ("support_email", "help@acme.example"),
        ("sender_name", "Acme"),
    ] {
        let before = snapshot(w.app.db()).await;
        let res = w.save(&[("accent_color", "#123456"), (field, value)]).await;
        assert_eq!(res.status, 403, "{field}: {}", res.body);
        assert!(res.text().contains("Included in plans") || res.text().contains("full branding"));
        assert_eq!(snapshot(w.app.db()).await, before, "{field}");
    }

    // Values stored around the form (a downgrade from Growth) stay out of a Starter portal.
    w.app
        .sql(
            "UPDATE workspaces SET welcome_message = 'Old welcome', support_email = 'old@acme.example' WHERE id = $1",
            w.ws,
        )
        .await;
    let page = w.home().await;
    assert!(!page.text().contains("Old welcome"));
    assert!(!page.text().contains("old@acme.example"));
    assert!(page.text().contains("This is Client Co's portal"));
}

async fn emails_carry_the_sender_name_and_support_address_on_full_branding(backend: Backend) {
    let w = world_mailing(&backend, "growth").await;
    let res = w
        .save(&[
            ("sender_name", "Acme Client Desk"),
            ("support_email", "help@acme.example"),
        ])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    w.invite("Eve", "eve@client.example").await;
    let mail = w
        .app
        .mail
        .as_ref()
        .unwrap()
        .wait_for("eve@client.example", 1)
        .await
        .remove(0);
    assert!(mail.from.contains("Acme Client Desk"), "{}", mail.from);
    assert!(
        mail.html.contains("mailto:help@acme.example"),
        "{}",
        mail.html
    );
    assert!(mail.text.contains("Questions? Write to help@acme.example"));
    assert!(!mail.html.contains("Portico") && !mail.text.contains("Portico"));

    // On Starter the same stored sender is not used: mail comes from the workspace's name.
    w.app
        .sql(
            "UPDATE workspaces SET plan_id = 'starter' WHERE id = $1",
            w.ws,
        )
        .await;
    w.invite("Finn", "finn@client.example").await;
    let mail = w
        .app
        .mail
        .as_ref()
        .unwrap()
        .wait_for("finn@client.example", 1)
        .await
        .remove(0);
    assert!(mail.from.contains("acme agency"), "{}", mail.from);
    assert!(!mail.from.contains("Acme Client Desk"));
    assert!(!mail.html.contains("help@acme.example"));
    assert!(mail.html.contains("powered by Portico"));
}

async fn a_switched_off_portal_refuses_everything_and_changes_nothing(backend: Backend) {
    let w = world_mailing(&backend, "growth").await;
    // An outstanding invitation, a staff preview and a browser's CSRF cookie, all from before.
    w.invite("Eve", "eve@client.example").await;
    let mail = w.app.mail.as_ref().unwrap();
    let invite = mail.wait_for("eve@client.example", 1).await.remove(0);
    let token = invite.token("welcome").unwrap();
    let res = w
        .app
        .post(
            "acme",
            &format!("/admin/contacts/{}/view-as", w.dana.0),
            &w.staff,
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let preview = As::Contact(cookie_value(&res, "portico_portal").unwrap());
    let door = w.app.get("acme", "/portal/sign-in", &As::Anonymous).await;
    let csrf = cookie_value(&door, portal_core::web::csrf::COOKIE).unwrap();

    let res = w
        .save(&[("portal", "off"), ("support_email", "help@acme.example")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let mails_before = mail.received().len();
    let before = snapshot(w.app.db()).await;

    let welcome = format!("/portal/welcome/{token}");
    let anonymous_gets = [
        "/portal/",
        "/portal/sign-in",
        "/portal/link",
        "/portal/reset",
        &welcome,
    ];
    let mut answers = Vec::new();
    for path in anonymous_gets {
        answers.push((
            path.to_string(),
            w.app.get("acme", path, &As::Anonymous).await,
        ));
    }
    for (path, fields) in [
        (
            "/portal/sign-in",
            vec![("email", "dana@client.example"), ("password", PASSWORD)],
        ),
        ("/portal/link", vec![("email", "dana@client.example")]),
        ("/portal/reset", vec![("email", "dana@client.example")]),
        (
            welcome.as_str(),
            vec![("new", PASSWORD), ("confirm", PASSWORD)],
        ),
    ] {
        answers.push((
            format!("POST {path}"),
            w.app.post_form("acme", path, &csrf, &fields).await,
        ));
    }
    for (who, session) in [("dana", &w.dana.1), ("preview", &preview)] {
        for path in ["/portal/", "/portal/account", "/portal/projects"] {
            answers.push((
                format!("{who} {path}"),
                w.app.get("acme", path, session).await,
            ));
        }
    }
    answers.push((
        "dana POST password".into(),
        w.app
            .submit(
                "acme",
                "/portal/account/password",
                &w.dana.1,
                &[
                    ("current", PASSWORD),
                    ("new", "another long one"),
                    ("confirm", "another long one"),
                ],
            )
            .await,
    ));
    for (what, page) in &answers {
        assert_eq!(page.status, 503, "{what}: {}", page.body);
        let text = page.text();
        assert!(
            text.contains("This portal is unavailable"),
            "{what}: {text}"
        );
        assert!(
            text.contains("acme agency has switched this client portal off"),
            "{what}"
        );
        assert!(text.contains("mailto:help@acme.example"), "{what}");
        assert!(
            page.headers.get("set-cookie").is_none(),
            "{what}: no session"
        );
    }
    assert_eq!(snapshot(w.app.db()).await, before, "nothing changed");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(mail.received().len(), mails_before, "no mail sent");

    // Staff keep working, in the admin and the API.
    assert_eq!(w.app.get("acme", "/admin/", &w.staff).await.status, 200);
    assert_eq!(w.app.get("acme", "/api/me", &w.bearer).await.status, 200);
    let audit = w.app.get("acme", "/admin/audit", &w.staff).await.text();
    assert!(audit.contains("switched the client portal off"), "{audit}");

    // Back on: the same session works without signing in again; the invitation is unused.
    let res = w.save(&[("portal", "on")]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(w.home().await.status, 200);
    let open = w.app.get("acme", &welcome, &As::Anonymous).await;
    assert_eq!(open.status, 200, "{}", open.body);
    assert!(open.text().contains("password"), "{}", open.text());
}

async fn members_see_the_settings_but_cannot_change_them(backend: Backend) {
    let w = world(&backend, "growth").await;
    let id = portal_core::clients::create_staff_user(
        w.app.db(),
        w.ws,
        "mo@agency.example",
        "Mo Member",
        "member",
    )
    .await
    .unwrap();
    let member = As::Staff(
        portal_core::web::session::create_staff_session(
            &w.app.state,
            w.ws,
            id,
            &Default::default(),
        )
        .await
        .unwrap(),
    );
    let page = w.app.get("acme", "/admin/settings", &member).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains(r#"<fieldset class="plain" disabled>"#));
    assert!(!page.text().contains("Save settings"));
    let menu = portico_tests::menu_labels(&page.body);
    assert!(menu.contains(&"Settings".to_string()), "{menu:?}");

    let bearer = As::Bearer(
        portal_core::web::session::create_api_token(w.app.db(), w.ws, id, "member", 90)
            .await
            .unwrap(),
    );
    let before = snapshot(w.app.db()).await;
    let res = w
        .app
        .submit("acme", "/admin/settings", &member, &[("portal", "off")])
        .await;
    assert_eq!(res.status, 403, "{}", res.body);
    let res = put_json(&w.app, &bearer, r#"{"portal_enabled": false}"#).await;
    assert_eq!(res.status, 403, "{}", res.body);
    assert_eq!(snapshot(w.app.db()).await, before);
    assert_eq!(w.home().await.status, 200);
}

async fn bad_input_is_refused_and_changes_nothing(backend: Backend) {
    let w = world(&backend, "growth").await;
    let long_welcome = "a".repeat(1001);
    let long_logo = format!("https://cdn.acme.example/{}", "a".repeat(500));
    let long_sender = "S".repeat(101);
    let cases: Vec<(&str, &str, &str)> = vec![
        ("logo_url", "javascript:alert(1)", "logo address"),
        ("logo_url", "data:image/png;base64,AAAA", "logo address"),
        ("logo_url", "http://cdn.acme.example/logo.png", "https://"),
        ("logo_url", &long_logo, "at most 500"),
        ("accent_color", "red", "#rrggbb"),
        ("accent_color", "#12345g", "#rrggbb"),
        ("welcome_message", &long_welcome, "at most 1000"),
        ("welcome_message", "bell\u{7}", "control characters"),
        ("support_email", "not-an-address", "not an email address"),
        (
            "support_email",
            "a@b.example, c@d.example",
            "not an email address",
        ),
        ("sender_name", "Acme\r\nBcc: all@example.com", "one line"),
        ("sender_name", &long_sender, "at most 100"),
        ("portal", "maybe", "on or off"),
    ];
    for (field, value, says) in cases {
        let before = snapshot(w.app.db()).await;
        let res = w.save(&[(field, value)]).await;
        assert_eq!(res.status, 400, "{field}={value:?}: {}", res.body);
        let text = res.text();
        assert!(text.contains(says), "{field}: {says} in {text}");
        assert!(
            text.contains("form-error"),
            "the form again, with the reason"
        );
        assert_eq!(snapshot(w.app.db()).await, before, "{field}={value:?}");
    }
    // The API checks the same way.
    let before = snapshot(w.app.db()).await;
    for body in [
        r#"{"logo_url": "javascript:alert(1)"}"#,
        r#"{"accent_color": "red"}"#,
        r##"{"colour": "#000000"}"##,
        "not json",
    ] {
        let res = put_json(&w.app, &w.bearer, body).await;
        assert_eq!(res.status, 400, "{body}: {}", res.body);
    }
    assert_eq!(snapshot(w.app.db()).await, before);
}

async fn hostile_values_cannot_reach_css_or_html(backend: Backend) {
    let w = world(&backend, "growth").await;
    // Written around the settings page, as a SQL console could.
    w.app
        .sql(
            "UPDATE workspaces SET accent_color = 'red;}body{display:none', \
             logo_url = 'javascript:alert(1)\"><script>alert(1)</script>', \
             welcome_message = '<script>alert(1)</script>', \
             support_email = 'x\"><script>alert(2)</script>@a.example' WHERE id = $1",
            w.ws,
        )
        .await;
    let page = w.home().await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<script"), "{}", page.body);
    assert!(
        !page.body.contains("javascript:"),
        "a bad logo is not shown at all"
    );
    assert!(
        page.body.contains("accent.css?c=4f46e5"),
        "the default colour instead"
    );
    assert!(!page.body.contains("display:none"));
    // The stylesheet itself takes only a colour.
    for c in ["ff0000;}body{display:none", "red", "ff00000"] {
        let res = w
            .app
            .request_raw("GET", &format!("/assets/accent.css?c={c}"), &[], None)
            .await;
        assert_eq!(res.status, 400, "{c}");
    }
    // And text on any accent stays readable: black on yellow, white on navy.
    let yellow = w
        .app
        .request_raw("GET", "/assets/accent.css?c=ffff00", &[], None)
        .await;
    assert!(
        yellow.body.contains("--on-accent: #000000"),
        "{}",
        yellow.body
    );
    assert!(
        !yellow.body.contains("--accent-ink: #ffff00"),
        "{}",
        yellow.body
    );
    let navy = w
        .app
        .request_raw("GET", "/assets/accent.css?c=1e3a8a", &[], None)
        .await;
    assert!(navy.body.contains("--on-accent: #ffffff"), "{}", navy.body);
    assert!(navy.body.contains("--accent-ink: #1e3a8a"), "{}", navy.body);
}

async fn out_of_process_changes_show_on_the_next_request(backend: Backend) {
    let w = world(&backend, "growth").await;
    assert_eq!(w.home().await.status, 200, "the session is cached now");
    let revision = |app: &TestApp| {
        let db = app.db().clone();
        async move {
            portal_core::workspace::by_slug(&db, "acme")
                .await
                .unwrap()
                .unwrap()
                .revision
        }
    };
    let r0 = revision(&w.app).await;
    w.app
        .sql(
            "UPDATE workspaces SET welcome_message = 'Changed elsewhere' WHERE id = $1",
            w.ws,
        )
        .await;
    assert!(
        revision(&w.app).await > r0,
        "a settings change moves the revision"
    );
    assert!(w.home().await.text().contains("Changed elsewhere"));
    w.app
        .sql(
            "UPDATE workspaces SET portal_enabled = FALSE WHERE id = $1",
            w.ws,
        )
        .await;
    assert_eq!(w.home().await.status, 503);
    w.app
        .sql(
            "UPDATE workspaces SET portal_enabled = TRUE WHERE id = $1",
            w.ws,
        )
        .await;
    assert_eq!(w.home().await.status, 200);
}

async fn put_json(app: &TestApp, who: &As, body: &str) -> Page {
    let As::Bearer(token) = who else {
        panic!("the API takes a bearer token")
    };
    let auth = format!("Bearer {token}");
    app.request_raw(
        "PUT",
        "/w/acme/api/settings",
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        Some(body.to_string()),
    )
    .await
}

async fn the_api_reads_and_changes_settings_with_the_same_rules(backend: Backend) {
    let w = world(&backend, "starter").await;
    let res = w.app.get("acme", "/api/settings", &w.bearer).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(json["settings"]["portal_enabled"], true);
    assert_eq!(json["plan_includes"]["accent_color"], true);
    assert_eq!(json["plan_includes"]["welcome_message"], false);

    let res = put_json(&w.app, &w.bearer, r##"{"accent_color": "#B45309"}"##).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(json["settings"]["accent_color"], "#b45309");
    assert!(w.home().await.body.contains("accent.css?c=b45309"));

    let before = snapshot(w.app.db()).await;
    let res = put_json(&w.app, &w.bearer, r#"{"welcome_message": "Hi"}"#).await;
    assert_eq!(res.status, 403, "{}", res.body);
    assert_eq!(snapshot(w.app.db()).await, before);
}
