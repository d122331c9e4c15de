//! Contacts signing in with email and password, driven like a browser: fetch the form (and
//! its CSRF cookie), post it, follow the session cookie.

use portico_tests::{
    backends, cookie_value, spawn_app, spawn_app_configured, spawn_app_with, As, Backend, Options,
    Page, TestApp,
};

backends!(
    a_contact_signs_in_and_lands_in_their_portal,
    failures_reveal_nothing_about_accounts,
    the_session_id_rotates_at_sign_in,
    after_sign_in_only_this_portal_is_a_destination,
    repeated_failures_are_rate_limited,
    a_stranger_guessing_wrong_never_locks_the_owner_out,
    behind_a_trusted_proxy_each_visitor_has_their_own_budget,
    forwarding_headers_from_anyone_else_are_ignored,
    staff_sign_in_at_their_own_door,
    idle_sessions_end_and_activity_is_recorded,
    behind_tls_cookies_take_host_locked_names,
    unknown_and_known_emails_cost_one_hash_each,
    a_flood_of_sign_ins_does_not_stall_other_requests,
);

const PASSWORD: &str = "correct horse battery";

/// A workspace `acme` with one contact whose password is set; returns the contact's id.
async fn setup(app: &TestApp) -> i64 {
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Client").await;
    let (id, _) = app
        .contact(ws, client, "Dana@Example.com", &app.all_permissions())
        .await;
    let hash = app.state.passwords.hash(PASSWORD).await.unwrap();
    portal_core::clients::set_contact_password(app.db(), id, &hash)
        .await
        .unwrap();
    id
}

/// Opens the contacts' sign-in page and posts the form, with `extra_cookie` (e.g. an old
/// session).
async fn sign_in(
    app: &TestApp,
    email: &str,
    password: &str,
    next: &str,
    extra_cookie: Option<&str>,
) -> Page {
    sign_in_at(app, "/portal", email, password, next, extra_cookie).await
}

/// The same at either door (`/portal` or `/admin`).
async fn sign_in_at(
    app: &TestApp,
    door: &str,
    email: &str,
    password: &str,
    next: &str,
    extra_cookie: Option<&str>,
) -> Page {
    sign_in_via(app, door, email, password, next, extra_cookie, None).await
}

/// The same, through a proxy that says it forwarded for `forwarded_for`.
async fn sign_in_via(
    app: &TestApp,
    door: &str,
    email: &str,
    password: &str,
    next: &str,
    extra_cookie: Option<&str>,
    forwarded_for: Option<&str>,
) -> Page {
    let form = app
        .get(
            "acme",
            &format!("{door}/sign-in?next={next}"),
            &As::Anonymous,
        )
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = cookie_value(&form, "portico_csrf").expect("the form sets its CSRF cookie");
    assert_eq!(form.csrf_field().as_deref(), Some(csrf.as_str()));
    let mut cookie = format!("portico_csrf={csrf}");
    if let Some(extra) = extra_cookie {
        cookie = format!("{cookie}; {extra}");
    }
    let encode = |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    let body = format!(
        "csrf_token={csrf}&email={}&password={}&next={}",
        encode(email),
        encode(password),
        encode(next)
    );
    let mut headers = vec![
        ("cookie", cookie.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    if let Some(client) = forwarded_for {
        headers.push(("x-forwarded-for", client));
    }
    app.request_raw(
        "POST",
        &format!("/w/acme{door}/sign-in"),
        &headers,
        Some(body),
    )
    .await
}

async fn a_contact_signs_in_and_lands_in_their_portal(backend: Backend) {
    let app = spawn_app(&backend).await;
    setup(&app).await;
    // Signed out, a portal page says so and offers the way in.
    let door = app.get("acme", "/portal/", &As::Anonymous).await;
    assert_eq!(door.status, 401);
    assert!(door.text().contains(r#"href="/w/acme/portal/sign-in""#));

    let res = sign_in(&app, "  dana@EXAMPLE.com ", PASSWORD, "", None).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.headers["location"], "/w/acme/portal/");
    let set = res.headers["set-cookie"].to_str().unwrap();
    assert!(
        set.contains("Path=/w/acme/portal")
            && set.contains("HttpOnly")
            && set.contains("SameSite=Lax")
    );
    let token = cookie_value(&res, "portico_portal").unwrap();
    assert_eq!(token.len(), 64, "256 bits, hex");
    let home = app
        .get("acme", "/portal/", &As::Contact(token.clone()))
        .await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Welcome, Dana@Example.com"));
    // Signed in, the sign-in page sends you on.
    assert_eq!(
        app.get("acme", "/portal/sign-in", &As::Contact(token.clone()))
            .await
            .status,
        303
    );
}

async fn failures_reveal_nothing_about_accounts(backend: Backend) {
    let app = spawn_app(&backend).await;
    let id = setup(&app).await;
    let wrong = sign_in(&app, "dana@example.com", "not the password", "", None).await;
    let unknown = sign_in(&app, "nobody@example.com", "not the password", "", None).await;
    assert_eq!(wrong.status, 401);
    assert!(wrong
        .text()
        .contains("That email and password do not match an account here."));
    assert!(cookie_value(&wrong, "portico_portal").is_none());
    // Each form carries its own CSRF token; apart from it and the typed email, the same page.
    let strip = |p: &Page| {
        let token = p.csrf_field().unwrap_or_default();
        p.body
            .replace(&token, "")
            .replace("nobody@example.com", "dana@example.com")
    };
    assert_eq!(
        (unknown.status, strip(&unknown)),
        (wrong.status, strip(&wrong)),
        "same answer"
    );

    // A deactivated contact and one who never set a password fail the same way.
    app.sql("UPDATE contacts SET active = FALSE WHERE id = $1", id)
        .await;
    let inactive = sign_in(&app, "dana@example.com", PASSWORD, "", None).await;
    assert_eq!((inactive.status, strip(&inactive)), (401, strip(&wrong)));
    app.sql(
        "UPDATE contacts SET active = TRUE, password_hash = NULL WHERE id = $1",
        id,
    )
    .await;
    let unset = sign_in(&app, "dana@example.com", PASSWORD, "", None).await;
    assert_eq!((unset.status, strip(&unset)), (401, strip(&wrong)));

    // Malformed input gets a form error and changes nothing.
    let bad = sign_in(&app, "not-an-email", PASSWORD, "", None).await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("Enter the email address"));
    assert_eq!(
        bad.text().matches(r#"value="not-an-email""#).count(),
        1,
        "the form keeps what was typed"
    );
}

async fn the_session_id_rotates_at_sign_in(backend: Backend) {
    let app = spawn_app(&backend).await;
    let id = setup(&app).await;
    let ws = portal_core::workspace::by_slug(app.db(), "acme")
        .await
        .unwrap()
        .unwrap()
        .id;
    // The browser still holds an id from an earlier, expired session.
    let old =
        portal_core::web::session::create_portal_session(&app.state, ws, id, &Default::default())
            .await
            .unwrap();
    app.sql(
        "UPDATE portal_sessions SET expires_at = 0 WHERE contact_id = $1",
        id,
    )
    .await;
    let res = sign_in(
        &app,
        "dana@example.com",
        PASSWORD,
        "",
        Some(&format!("portico_portal={old}")),
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let new = cookie_value(&res, "portico_portal").unwrap();
    assert_ne!(new, old, "a fresh id, never the one presented");
    let hash = portal_core::web::session::hash_token(&old);
    let left: i64 = app
        .db()
        .query_scalar("SELECT COUNT(*) FROM portal_sessions WHERE token_hash = $1")
        .bind(&hash)
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(left, 0, "the presented session is gone from the server");
    assert_eq!(
        app.get("acme", "/portal/", &As::Contact(old)).await.status,
        401
    );
    assert_eq!(
        app.get("acme", "/portal/", &As::Contact(new)).await.status,
        200
    );
}

async fn after_sign_in_only_this_portal_is_a_destination(backend: Backend) {
    // Many sign-ins in a row: lift the per-account limit for this one.
    let config = portal_core::PortalConfig {
        attempts_per_account: 100,
        ..Default::default()
    };
    let app = spawn_app_with(
        &backend,
        Options {
            config,
            ..Default::default()
        },
    )
    .await;
    setup(&app).await;
    for (next, expected) in [
        ("/w/acme/portal/projects", "/w/acme/portal/projects"),
        ("https://evil.example/", "/w/acme/portal/"),
        ("//evil.example/w/acme/portal/", "/w/acme/portal/"),
        ("/w/acme/portal/..\\evil", "/w/acme/portal/"),
        ("/w/other/portal/", "/w/acme/portal/"),
        ("/w/acme/admin/", "/w/acme/portal/"),
    ] {
        let res = sign_in(&app, "dana@example.com", PASSWORD, next, None).await;
        assert_eq!(res.status, 303, "{next}");
        assert_eq!(res.headers["location"], expected, "{next}");
    }
}

async fn repeated_failures_are_rate_limited(backend: Backend) {
    let app = spawn_app(&backend).await;
    setup(&app).await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(
            sign_in(&app, "dana@example.com", "guess", "", None)
                .await
                .status,
        );
    }
    assert_eq!(&statuses[..5], &[401; 5]);
    let limited = sign_in(&app, "dana@example.com", PASSWORD, "", None).await;
    assert_eq!(
        limited.status, 429,
        "the guessing address waits, even with the right password"
    );
    assert!(limited.text().contains("Too many attempts"));
    assert!(
        limited.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert!(cookie_value(&limited, "portico_portal").is_none());
    // Another account is not locked out by someone hammering this one.
    let other = sign_in(&app, "someone-else@example.com", "guess", "", None).await;
    assert_eq!(other.status, 401);
}

/// The portal behind a TLS proxy on 127.0.0.1, as the README recommends.
async fn behind_a_proxy(backend: &Backend) -> TestApp {
    let config = portal_core::PortalConfig {
        trusted_proxies: portal_core::web::client_addr::TrustedProxies::parse("127.0.0.1").unwrap(),
        ..Default::default()
    };
    let app = spawn_app_configured(backend, config).await;
    setup(&app).await;
    app
}

/// A contact's sign-in through the proxy for client address `from`: the status.
async fn attempt(app: &TestApp, from: &str, email: &str, password: &str) -> u16 {
    sign_in_via(app, "/portal", email, password, "", None, Some(from))
        .await
        .status
}

async fn a_stranger_guessing_wrong_never_locks_the_owner_out(backend: Backend) {
    let app = behind_a_proxy(&backend).await;
    let dana = "dana@example.com";
    // A stranger guesses, and keeps guessing: their address is slowed.
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(attempt(&app, "203.0.113.9", dana, "guess").await);
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    // The owner, from their own address, signs in with the right password at once — and
    // again, however long the stranger goes on.
    assert_eq!(attempt(&app, "198.51.100.20", dana, PASSWORD).await, 303);
    assert_eq!(attempt(&app, "203.0.113.9", dana, "guess").await, 429);
    assert_eq!(attempt(&app, "198.51.100.20", dana, PASSWORD).await, 303);
    // The owner's own typo counts against the owner's address only.
    assert_eq!(attempt(&app, "198.51.100.20", dana, "typo").await, 401);
    assert_eq!(attempt(&app, "198.51.100.20", dana, PASSWORD).await, 303);
}

/// Thirty wrong sign-ins, each at another made-up account, from the addresses `from` gives.
async fn spend_an_address(app: &TestApp, from: impl Fn(usize) -> String) {
    for n in 0..30 {
        let email = format!("nobody{n}@example.com");
        assert_eq!(
            attempt(app, &from(n), &email, "guess").await,
            401,
            "attempt {n}"
        );
    }
}

async fn behind_a_trusted_proxy_each_visitor_has_their_own_budget(backend: Backend) {
    let app = behind_a_proxy(&backend).await;
    let dana = "dana@example.com";
    // One visitor spends their address's 30 attempts a minute.
    spend_an_address(&app, |_| "203.0.113.9".into()).await;
    assert_eq!(
        attempt(&app, "203.0.113.9", "x@example.com", "guess").await,
        429
    );
    // Everyone else behind the same proxy signs in as usual, IPv6 visitors included; a
    // neighbour in the same IPv6 /64 is one subscriber and shares a budget.
    assert_eq!(attempt(&app, "198.51.100.20", dana, PASSWORD).await, 303);
    spend_an_address(&app, |n| format!("2001:db8:7:7::{n:x}")).await;
    assert_eq!(
        attempt(&app, "2001:db8:7:7::ffff", dana, PASSWORD).await,
        429,
        "same /64"
    );
    assert_eq!(
        attempt(&app, "2001:db8:7:8::1", dana, PASSWORD).await,
        303,
        "another /64"
    );
}

async fn forwarding_headers_from_anyone_else_are_ignored(backend: Backend) {
    // No trusted proxies: a client naming a new address each time is still one address.
    let app = spawn_app(&backend).await;
    setup(&app).await;
    spend_an_address(&app, |n| format!("198.51.100.{n}")).await;
    assert_eq!(
        attempt(&app, "198.51.100.200", "dana@example.com", PASSWORD).await,
        429
    );
}

async fn staff_sign_in_at_their_own_door(backend: Backend) {
    let app = spawn_app(&backend).await;
    setup(&app).await;
    let ws = portal_core::workspace::by_slug(app.db(), "acme")
        .await
        .unwrap()
        .unwrap()
        .id;
    let staff = portal_core::clients::create_staff_user(
        app.db(),
        ws,
        "nora@agency.example",
        "Nora",
        "owner",
    )
    .await
    .unwrap();
    let hash = app
        .state
        .passwords
        .hash("staff password 123")
        .await
        .unwrap();
    portal_core::clients::set_staff_password(app.db(), staff, &hash)
        .await
        .unwrap();

    let door = app.get("acme", "/admin/", &As::Anonymous).await;
    assert_eq!(door.status, 401);
    assert!(door.text().contains(r#"href="/w/acme/admin/sign-in""#));

    let res = sign_in_at(
        &app,
        "/admin",
        "nora@agency.example",
        "staff password 123",
        "",
        None,
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.headers["location"], "/w/acme/admin/");
    assert!(cookie_value(&res, "portico_portal").is_none());
    let token = cookie_value(&res, "portico_staff").unwrap();
    assert!(res.headers["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Path=/w/acme/admin"));
    let overview = app.get("acme", "/admin/", &As::Staff(token.clone())).await;
    assert_eq!(overview.status, 200);
    assert!(overview.body.contains("Nora (owner)"));
    assert_eq!(
        app.get("acme", "/portal/", &As::Contact(token.clone()))
            .await
            .status,
        401,
        "not a portal session"
    );

    // Signing out, with the form the admin page renders.
    let overview = app.get("acme", "/admin/", &As::Staff(token.clone())).await;
    let field = overview.csrf_field().expect("the admin's sign-out form");
    let cookie = format!("portico_staff={token}");
    let headers = [
        ("cookie", cookie.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let out = app
        .request_raw(
            "POST",
            "/w/acme/admin/sign-out",
            &headers,
            Some(format!("csrf_token={field}")),
        )
        .await;
    assert_eq!(out.status, 200, "{}", out.body);
    assert!(out.text().contains(r#"href="/w/acme/admin/sign-in""#));
    let cleared = out.headers["set-cookie"].to_str().unwrap();
    assert!(
        cleared.starts_with("portico_staff=;")
            && cleared.contains("Max-Age=0")
            && cleared.contains("Path=/w/acme/admin")
    );
    assert_eq!(
        app.get("acme", "/admin/", &As::Staff(token.clone()))
            .await
            .status,
        401,
        "ended on the server"
    );

    // Each door knows only its own accounts.
    let contact_at_admin = sign_in_at(&app, "/admin", "dana@example.com", PASSWORD, "", None).await;
    assert_eq!(contact_at_admin.status, 401);
    let staff_at_portal =
        sign_in(&app, "nora@agency.example", "staff password 123", "", None).await;
    assert_eq!(staff_at_portal.status, 401);
}

/// A portal session's device, address and last activity.
async fn session_row(app: &TestApp, hash: &str) -> (String, String, i64) {
    let sql = "SELECT user_agent, ip, last_seen_at FROM portal_sessions WHERE token_hash = $1";
    app.db().query_as(sql).bind(hash).fetch_one().await.unwrap()
}

async fn idle_sessions_end_and_activity_is_recorded(backend: Backend) {
    let app = spawn_app(&backend).await;
    let id = setup(&app).await;

    // Signing in records the device and the address.
    let ua = "Mozilla/5.0 (X11; Linux x86_64) PorticoTest/1.0";
    let form = app.get("acme", "/portal/sign-in", &As::Anonymous).await;
    let csrf = cookie_value(&form, "portico_csrf").unwrap();
    let cookie = format!("portico_csrf={csrf}");
    let headers = [
        ("cookie", cookie.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
        ("user-agent", ua),
    ];
    let body = format!("csrf_token={csrf}&email=dana%40example.com&password=correct+horse+battery");
    let res = app
        .request_raw("POST", "/w/acme/portal/sign-in", &headers, Some(body))
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let token = cookie_value(&res, "portico_portal").unwrap();
    let hash = portal_core::web::session::hash_token(&token);
    let (agent, ip, _) = session_row(&app, &hash).await;
    assert_eq!((agent.as_str(), ip.as_str()), (ua, "127.0.0.1"));

    // A stale activity stamp is refreshed by the next request.
    app.sql(
        "UPDATE portal_sessions SET last_seen_at = last_seen_at - 600 WHERE contact_id = $1",
        id,
    )
    .await;
    let before = portal_core::db::now();
    assert_eq!(
        app.get("acme", "/portal/", &As::Contact(token))
            .await
            .status,
        200
    );
    // Recorded off the request path, with the other looks.
    app.state.looks.flush().await;
    let (_, _, seen) = session_row(&app, &hash).await;
    assert!(seen >= before, "activity recorded: {seen} < {before}");

    // Unused for longer than the idle limit, a session is over.
    let config = portal_core::PortalConfig {
        // Long enough for the first request to come in time on a loaded machine.
        session_idle_secs: 3,
        ..Default::default()
    };
    let strict = spawn_app_with(
        &backend,
        Options {
            config,
            ..Default::default()
        },
    )
    .await;
    let ws = strict.workspace("acme", "growth").await;
    let client = strict.client(ws, "Client").await;
    let (_, contact) = strict.contact(ws, client, "c@example.com", &[]).await;
    assert_eq!(strict.get("acme", "/portal/", &contact).await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(4100)).await;
    assert_eq!(strict.get("acme", "/portal/", &contact).await.status, 401);
}

/// Signs in on `host` at `base` (`""` on the workspace's own host, `/w/acme` on the
/// fallback) and returns the response.
async fn sign_in_on_host(app: &TestApp, host: &str, base: &str, csrf_cookie: &str) -> Page {
    let form = app
        .request_raw(
            "GET",
            &format!("{base}/portal/sign-in"),
            &[("host", host)],
            None,
        )
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = cookie_value(&form, csrf_cookie).expect("the CSRF cookie under its TLS name");
    let set = form
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(set.contains("; Secure"), "{set}");
    let cookie = format!("{csrf_cookie}={csrf}");
    let body = format!("csrf_token={csrf}&email=dana%40example.com&password=correct+horse+battery");
    let headers = [
        ("host", host),
        ("cookie", cookie.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    app.request_raw(
        "POST",
        &format!("{base}/portal/sign-in"),
        &headers,
        Some(body),
    )
    .await
}

async fn behind_tls_cookies_take_host_locked_names(backend: Backend) {
    let config = portal_core::PortalConfig {
        secure_cookies: true,
        ..Default::default()
    };
    let app = spawn_app_with(
        &backend,
        Options {
            config,
            ..Default::default()
        },
    )
    .await;
    setup(&app).await;

    // On the workspace's own host: `__Host-`, Secure, Path=/ — no sibling can plant it.
    let res = sign_in_on_host(&app, "acme.localhost", "", "__Host-portico_csrf").await;
    assert_eq!(res.status, 303, "{}", res.body);
    let set = res
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(set.starts_with("__Host-portico_portal="), "{set}");
    assert!(
        set.contains("; Path=/;") && set.contains("; Secure") && set.contains("HttpOnly"),
        "{set}"
    );
    let token = cookie_value(&res, "__Host-portico_portal").unwrap();
    for (cookie, status) in [
        (format!("__Host-portico_portal={token}"), 200),
        // The plain name is not accepted over TLS: it could have been planted.
        (format!("portico_portal={token}"), 401),
        (format!("__Secure-portico_portal={token}"), 401),
    ] {
        let headers = [("host", "acme.localhost"), ("cookie", cookie.as_str())];
        let page = app.request_raw("GET", "/portal/", &headers, None).await;
        assert_eq!(page.status, status, "{cookie}");
    }

    // On the shared fallback host, workspaces keep their paths: `__Secure-`.
    let res = sign_in_on_host(&app, "localhost", "/w/acme", "__Secure-portico_csrf").await;
    assert_eq!(res.status, 303, "{}", res.body);
    let set = res
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(set.starts_with("__Secure-portico_portal="), "{set}");
    assert!(
        set.contains("; Path=/w/acme/portal;") && set.contains("; Secure"),
        "{set}"
    );
}

async fn unknown_and_known_emails_cost_one_hash_each(backend: Backend) {
    let app = spawn_app(&backend).await;
    setup(&app).await;
    // A contact with no password yet, and one deactivated: both look like strangers.
    let ws = portal_core::workspace::by_slug(app.db(), "acme")
        .await
        .unwrap()
        .unwrap()
        .id;
    let client = app.client(ws, "Other").await;
    app.contact(ws, client, "new@example.com", &[]).await;
    let (gone, _) = app.contact(ws, client, "gone@example.com", &[]).await;
    app.sql("UPDATE contacts SET active = FALSE WHERE id = $1", gone)
        .await;
    for email in [
        "dana@example.com",
        "nobody@example.com",
        "new@example.com",
        "gone@example.com",
    ] {
        let before = app.state.passwords.verifications();
        let res = sign_in(&app, email, "a wrong password", "", None).await;
        assert_eq!(res.status, 401, "{email}");
        assert_eq!(
            app.state.passwords.verifications() - before,
            1,
            "{email}: exactly one argon2 verification, account or not"
        );
    }
}

/// Hashing runs on the blocking pool behind a semaphore: while a flood of sign-ins queues
/// there, signed-in pages keep being served. Asserted by order of completion, not by time.
async fn a_flood_of_sign_ins_does_not_stall_other_requests(backend: Backend) {
    let config = portal_core::PortalConfig {
        attempts_per_address: 10_000,
        attempts_per_account: 10_000,
        ..Default::default()
    };
    let app = std::sync::Arc::new(
        spawn_app_with(
            &backend,
            Options {
                config,
                ..Default::default()
            },
        )
        .await,
    );
    let contact = setup(&app).await;
    let token = portal_core::web::session::create_portal_session(
        &app.state,
        portal_core::workspace::by_slug(app.db(), "acme")
            .await
            .unwrap()
            .unwrap()
            .id,
        contact,
        &Default::default(),
    )
    .await
    .unwrap();
    let form = app.get("acme", "/portal/sign-in", &As::Anonymous).await;
    let csrf = cookie_value(&form, "portico_csrf").unwrap();
    const FLOOD: usize = 60;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut flood = Vec::new();
    for n in 0..FLOOD {
        let (app, done, csrf) = (app.clone(), done.clone(), csrf.clone());
        flood.push(tokio::spawn(async move {
            let cookie = format!("portico_csrf={csrf}");
            let body = format!(
                "csrf_token={csrf}&email=guess{n}%40example.com&password=wrong+password+{n}"
            );
            let headers = [
                ("cookie", cookie.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ];
            let res = app
                .request_raw("POST", "/w/acme/portal/sign-in", &headers, Some(body))
                .await;
            assert_eq!(res.status, 401);
            done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }));
    }
    // Let the flood reach the hashing queue, then use the portal.
    while app.state.passwords.verifications() == 0 {
        tokio::task::yield_now().await;
    }
    for _ in 0..10 {
        let page = app
            .get("acme", "/portal/", &As::Contact(token.clone()))
            .await;
        assert_eq!(page.status, 200);
    }
    let finished = done.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        finished < FLOOD,
        "ten pages were served while the flood was still hashing ({finished} of {FLOOD} done)"
    );
    for f in flood {
        f.await.unwrap();
    }
}
