//! A contact's own account page: their sessions, ending them, changing their password.

use portal_core::web::session::{self, hash_token};
use portico_tests::{backends, spawn_app, As, Backend, Browser, TestApp};

backends!(
    a_contact_sees_their_devices_and_ends_the_others,
    one_device_is_ended_and_nobody_else_s,
    changing_the_password_ends_other_sessions,
    a_bad_password_change_changes_nothing,
    staff_have_the_same_account_pages,
);

const PASSWORD: &str = "correct horse battery";

struct Setup {
    ws: i64,
    contact: i64,
    me: As,
}

/// Workspace `acme`, a contact with a password and a session of their own.
async fn setup(app: &TestApp) -> Setup {
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Client").await;
    let (contact, me) = app.contact(ws, client, "dana@example.com", &[]).await;
    let hash = app.state.passwords.hash(PASSWORD).await.unwrap();
    portal_core::clients::set_contact_password(app.db(), contact, &hash)
        .await
        .unwrap();
    Setup { ws, contact, me }
}

/// Another session for the contact, from a device described by `user_agent`.
async fn other_device(app: &TestApp, s: &Setup, user_agent: &str) -> As {
    let meta = session::SessionMeta {
        user_agent: user_agent.into(),
        ip: "203.0.113.9".into(),
    };
    let token = session::create_portal_session(&app.state, s.ws, s.contact, &meta)
        .await
        .unwrap();
    As::Contact(token)
}

fn token(who: &As) -> &str {
    match who {
        As::Contact(t) => t,
        _ => unreachable!(),
    }
}

const PHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

async fn a_contact_sees_their_devices_and_ends_the_others(backend: Backend) {
    let app = spawn_app(&backend).await;
    let s = setup(&app).await;
    let phone = other_device(&app, &s, PHONE).await;

    let page = app.get("acme", "/portal/account", &s.me).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let text = page.text();
    assert!(text.contains("Safari on iPhone"), "{text}");
    assert!(text.contains("203.0.113.9"), "{text}");
    assert!(text.contains("This device"), "{text}");
    assert!(text.contains("dana@example.com"), "{text}");
    // The phone is offered for sign-out, this device is not.
    let phone_handle = &hash_token(token(&phone))[..16];
    let mine = &hash_token(token(&s.me))[..16];
    assert!(
        text.contains(&format!("/sessions/{phone_handle}/end")),
        "{text}"
    );
    assert!(!text.contains(&format!("/sessions/{mine}/end")), "{text}");

    let res = app
        .post("acme", "/portal/account/sessions/end-others", &s.me)
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(app.get("acme", "/portal/", &phone).await.status, 401);
    let page = app.get("acme", "/portal/account?done=others", &s.me).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Your other devices are signed out."));
    assert!(!page.text().contains("Safari on iPhone"));
}

async fn one_device_is_ended_and_nobody_else_s(backend: Backend) {
    let app = spawn_app(&backend).await;
    let s = setup(&app).await;
    let phone = other_device(&app, &s, PHONE).await;
    let laptop = other_device(&app, &s, "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0").await;
    // Someone else in the same workspace cannot end Dana's sessions with her handle.
    let client = app.client(s.ws, "Other client").await;
    let (_, eve) = app.contact(s.ws, client, "eve@example.com", &[]).await;
    let phone_handle = hash_token(token(&phone))[..16].to_string();
    let path = format!("/portal/account/sessions/{phone_handle}/end");
    assert_eq!(app.post("acme", &path, &eve).await.status, 404);
    assert_eq!(app.get("acme", "/portal/", &phone).await.status, 200);

    // Garbage handles are refused without touching anything.
    for bad in ["zz", "%25", "0123456789abcdef0"] {
        let path = format!("/portal/account/sessions/{bad}/end");
        assert_eq!(app.post("acme", &path, &s.me).await.status, 404, "{bad}");
    }
    // The current device is not ended from here: that is what signing out is for.
    let mine = hash_token(token(&s.me))[..16].to_string();
    let res = app
        .post(
            "acme",
            &format!("/portal/account/sessions/{mine}/end"),
            &s.me,
        )
        .await;
    assert_eq!(res.status, 400);

    let res = app.post("acme", &path, &s.me).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(app.get("acme", "/portal/", &phone).await.status, 401);
    assert_eq!(app.get("acme", "/portal/", &laptop).await.status, 200);
    assert_eq!(app.get("acme", "/portal/", &s.me).await.status, 200);
    // Ended once is ended: again is "not found".
    assert_eq!(app.post("acme", &path, &s.me).await.status, 404);
}

async fn signs_in_with(app: &TestApp, password: &str) -> bool {
    let id: i64 = app
        .db()
        .query_scalar("SELECT id FROM contacts WHERE email = 'dana@example.com'")
        .fetch_one()
        .await
        .unwrap();
    let stored: Option<String> = app
        .db()
        .query_scalar("SELECT password_hash FROM contacts WHERE id = $1")
        .bind(id)
        .fetch_one()
        .await
        .unwrap();
    app.state
        .passwords
        .verify(password, stored.as_deref())
        .await
        .unwrap()
}

async fn changing_the_password_ends_other_sessions(backend: Backend) {
    let app = spawn_app(&backend).await;
    let s = setup(&app).await;
    let phone = other_device(&app, &s, PHONE).await;
    let new = "a new and longer passphrase";
    let fields = [("current", PASSWORD), ("new", new), ("confirm", new)];
    let res = app
        .submit("acme", "/portal/account/password", &s.me, &fields)
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(signs_in_with(&app, new).await);
    assert!(!signs_in_with(&app, PASSWORD).await);
    // This device stays signed in; every other one is out, on the server.
    assert_eq!(app.get("acme", "/portal/", &phone).await.status, 401);
    let page = app
        .get("acme", "/portal/account?done=password", &s.me)
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Your password is changed."));
}

async fn a_bad_password_change_changes_nothing(backend: Backend) {
    let app = spawn_app(&backend).await;
    let s = setup(&app).await;
    let phone = other_device(&app, &s, PHONE).await;
    let good = "a new and longer passphrase";
    let cases = [
        (PASSWORD, "short", "short", "at least 10 characters"),
        (PASSWORD, good, "something else entirely", "not the same"),
        (
            "wrong current password",
            good,
            good,
            "current password is not right",
        ),
        ("", good, good, "Enter your current password"),
    ];
    for (current, new, confirm, says) in cases {
        let fields = [("current", current), ("new", new), ("confirm", confirm)];
        let res = app
            .submit("acme", "/portal/account/password", &s.me, &fields)
            .await;
        assert_eq!(res.status, 422, "{says}: {}", res.body);
        assert!(res.text().contains(says), "{says}: {}", res.text());
    }
    let res = app
        .submit("acme", "/portal/account/password", &s.me, &[("new", "x")])
        .await;
    assert!(res.status == 400 || res.status == 422, "{}", res.status);
    assert!(signs_in_with(&app, PASSWORD).await);
    assert_eq!(app.get("acme", "/portal/", &phone).await.status, 200);
}

async fn staff_have_the_same_account_pages(backend: Backend) {
    // Several sign-ins of one account within the minute: more than the default budget.
    let config = portal_core::PortalConfig {
        attempts_per_account: 50,
        ..Default::default()
    };
    let app = portico_tests::spawn_app_with(
        &backend,
        portico_tests::Options {
            config,
            ..Default::default()
        },
    )
    .await;
    let s = setup(&app).await;
    let staff =
        portal_core::clients::create_staff_user(app.db(), s.ws, "mo@agency.example", "Mo", "admin")
            .await
            .unwrap();
    let hash = app.state.passwords.hash(PASSWORD).await.unwrap();
    portal_core::clients::set_staff_password(app.db(), staff, &hash)
        .await
        .unwrap();
    let desk = Browser::new(&app, "acme");
    let laptop = Browser::new(&app, "acme");
    assert_eq!(staff_sign_in(&desk, PASSWORD).await.status, 303);
    assert_eq!(staff_sign_in(&laptop, PASSWORD).await.status, 303);

    let page = desk.get("/admin/account").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.text().contains("mo@agency.example"), "{}", page.text());
    assert!(page.text().contains("This device"));
    // A contact's session does not open the staff's account page.
    assert_eq!(app.get("acme", "/admin/account", &s.me).await.status, 401);

    // Ending the other devices ends the laptop's staff session.
    let res = desk.post("/admin/account/sessions/end-others", &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(laptop.get("/admin/").await.status, 401);

    // Changing the password: the new one works, the old one does not.
    desk.get("/admin/account").await;
    let new = "a new staff passphrase";
    let res = desk
        .post(
            "/admin/account/password",
            &[("current", PASSWORD), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        desk.get("/admin/").await.status,
        200,
        "this device stays signed in"
    );
    assert_eq!(staff_sign_in(&laptop, PASSWORD).await.status, 401);
    let fresh = Browser::new(&app, "acme");
    fresh.get("/admin/sign-in").await;
    let res = fresh
        .post(
            "/admin/sign-in",
            &[("email", "mo@agency.example"), ("password", new)],
        )
        .await;
    assert_eq!(res.status, 303);

    // Optional two-step sign-in for staff, from the same page.
    desk.get("/admin/account").await;
    assert_eq!(
        desk.post("/admin/account/two-step/setup", &[]).await.status,
        303
    );
    let setup = desk.get("/admin/account/two-step").await;
    assert_eq!(setup.status, 200, "{}", setup.body);
    let at = setup.body.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
    let secret: String = setup.body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let code = portal_core::auth::totp::code_at(&secret, portal_core::db::now());
    let res = desk
        .post("/admin/account/two-step/confirm", &[("code", &code)])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let next = Browser::new(&app, "acme");
    next.get("/admin/sign-in").await;
    let res = next
        .post(
            "/admin/sign-in",
            &[("email", "mo@agency.example"), ("password", new)],
        )
        .await;
    assert_eq!(res.location(), "/w/acme/admin/sign-in/code");

    // While the workspace requires it, it stays on.
    app.sql(
        "UPDATE workspaces SET require_staff_2fa = TRUE WHERE id = $1",
        s.ws,
    )
    .await;
    desk.get("/admin/account").await;
    let later = portal_core::auth::totp::code_at(&secret, portal_core::db::now() + 30);
    let res = desk
        .post("/admin/account/two-step/disable", &[("code", &later)])
        .await;
    assert_eq!(res.status, 409, "{}", res.body);
}

async fn staff_sign_in(b: &Browser<'_>, password: &str) -> portico_tests::Page {
    b.get("/admin/sign-in").await;
    b.post(
        "/admin/sign-in",
        &[("email", "mo@agency.example"), ("password", password)],
    )
    .await
}
