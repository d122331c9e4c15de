//! CSRF protection on the browser surfaces, exercised the way browsers and attackers send
//! requests: form bodies, foreign origins, missing and forged tokens.

use portal_core::web::session::PORTAL_COOKIE;
use portico_tests::{backends, spawn_app, As, Backend, Page, TestApp};

backends!(
    forms_carry_a_token_that_the_server_checks,
    foreign_origins_and_forged_tokens_are_refused,
    signed_out_forms_use_a_double_submit_cookie,
);

const FORM: &str = "application/x-www-form-urlencoded";

async fn signed_in(app: &TestApp) -> String {
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Client").await;
    let (_, As::Contact(token)) = app
        .contact(ws, client, "c@example.com", &app.all_permissions())
        .await
    else {
        unreachable!()
    };
    token
}

async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: &str,
    body: &str,
    extra: &[(&str, &str)],
) -> Page {
    let mut headers = vec![("cookie", cookie), ("content-type", FORM)];
    headers.extend_from_slice(extra);
    app.request_raw(
        "POST",
        &format!("/w/acme{path}"),
        &headers,
        Some(body.to_string()),
    )
    .await
}

async fn forms_carry_a_token_that_the_server_checks(backend: Backend) {
    let app = spawn_app(&backend).await;
    let token = signed_in(&app).await;
    let cookie = format!("{PORTAL_COOKIE}={token}");
    let home = app
        .get("acme", "/portal/", &As::Contact(token.clone()))
        .await;
    let field = home
        .csrf_field()
        .expect("the sign-out form carries a token");
    assert_eq!(field, portal_core::web::csrf::token_for_session(&token));

    // Without the token nothing happens.
    let refused = post_form(&app, "/portal/sign-out", &cookie, "", &[]).await;
    assert_eq!(refused.status, 403);
    assert!(refused
        .text()
        .contains("expired or was sent from another site"));
    assert_eq!(
        app.get("acme", "/portal/", &As::Contact(token.clone()))
            .await
            .status,
        200,
        "still signed in"
    );

    // With it, as the browser posts the form, it works.
    let out = post_form(
        &app,
        "/portal/sign-out",
        &cookie,
        &format!("csrf_token={field}"),
        &[],
    )
    .await;
    assert_eq!(out.status, 200, "{}", out.body);
    assert_eq!(
        app.get("acme", "/portal/", &As::Contact(token))
            .await
            .status,
        401
    );
}

/// What is wrong with it, the form body, extra headers.
type Attempt<'a> = (&'a str, String, Vec<(&'a str, String)>);

async fn foreign_origins_and_forged_tokens_are_refused(backend: Backend) {
    let app = spawn_app(&backend).await;
    let token = signed_in(&app).await;
    let other = signed_in_elsewhere(&app).await;
    let cookie = format!("{PORTAL_COOKIE}={token}");
    let good = portal_core::web::csrf::token_for_session(&token);
    let body = format!("csrf_token={good}");
    let host = app.url.trim_start_matches("http://").to_string();

    let cases: Vec<Attempt> = vec![
        (
            "another site's origin",
            body.clone(),
            vec![("origin", "https://evil.example".into())],
        ),
        (
            "a cross-site fetch",
            body.clone(),
            vec![("sec-fetch-site", "cross-site".into())],
        ),
        (
            "a null origin",
            body.clone(),
            vec![("origin", "null".into())],
        ),
        (
            "another session's token",
            format!(
                "csrf_token={}",
                portal_core::web::csrf::token_for_session(&other)
            ),
            vec![],
        ),
        (
            "a made-up token",
            format!("csrf_token={}", "0".repeat(64)),
            vec![],
        ),
        (
            "the session token itself",
            format!("csrf_token={token}"),
            vec![],
        ),
    ];
    for (what, body, headers) in cases {
        let extra: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = post_form(&app, "/portal/sign-out", &cookie, &body, &extra).await;
        assert_eq!(page.status, 403, "{what}");
    }
    assert_eq!(
        app.get("acme", "/portal/", &As::Contact(token.clone()))
            .await
            .status,
        200,
        "nothing changed"
    );

    // The same origin, and the header form of the token, are fine.
    let origin = format!("http://{host}");
    let page = post_form(
        &app,
        "/portal/sign-out",
        &cookie,
        "",
        &[("origin", &origin), ("x-csrf-token", &good)],
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.body);
}

async fn signed_in_elsewhere(app: &TestApp) -> String {
    let ws = app.workspace("other", "growth").await;
    let client = app.client(ws, "Other").await;
    let (_, As::Contact(token)) = app.contact(ws, client, "o@example.com", &[]).await else {
        unreachable!()
    };
    token
}

async fn signed_out_forms_use_a_double_submit_cookie(backend: Backend) {
    let app = spawn_app(&backend).await;
    signed_in(&app).await;
    // A signed-out visitor gets a token cookie with the page that may hold a form.
    let page = app.get("acme", "/portal/", &As::Anonymous).await;
    assert_eq!(page.status, 401);
    let set = page.headers["set-cookie"].to_str().unwrap().to_string();
    assert!(
        set.starts_with("portico_csrf=")
            && set.contains("HttpOnly")
            && set.contains("SameSite=Lax"),
        "{set}"
    );
    let value = set
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("portico_csrf=")
        .to_string();
    let cookie = format!("portico_csrf={value}");

    let without_cookie = app
        .request_raw(
            "POST",
            "/w/acme/portal/sign-out",
            &[("content-type", FORM)],
            Some(format!("csrf_token={value}")),
        )
        .await;
    assert_eq!(without_cookie.status, 403);
    let mismatched = post_form(
        &app,
        "/portal/sign-out",
        &cookie,
        &format!("csrf_token={}", "a".repeat(64)),
        &[],
    )
    .await;
    assert_eq!(mismatched.status, 403);
    let matching = post_form(
        &app,
        "/portal/sign-out",
        &cookie,
        &format!("csrf_token={value}"),
        &[],
    )
    .await;
    assert_eq!(matching.status, 200);
}
