//! Two-step sign-in (TOTP): contacts turn it on and off, sign-in and one-time links then ask
//! for a code, codes work once, staff can be required to enrol, staff reset a lost phone.

use portal_core::auth::totp::code_at;
use portal_core::db::now;
use portico_tests::{backends, spawn_app_with, As, Backend, Browser, Options, Page, TestApp};

backends!(
    a_contact_turns_it_on_and_sign_in_asks_for_a_code,
    codes_work_once_and_wrong_ones_run_out,
    a_sign_in_link_still_asks_for_the_code,
    staff_can_be_required_to_enrol_at_sign_in,
    staff_reset_a_lost_phone_and_contacts_turn_it_off,
    turning_it_off_is_limited_like_sign_in,
);

const PASSWORD: &str = "correct horse battery";
const EMAIL: &str = "dana@client.example";

async fn setup(backend: &Backend, mail: bool) -> (TestApp, i64, i64) {
    let app = spawn_app_with(
        backend,
        Options {
            mail,
            ..Default::default()
        },
    )
    .await;
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Client Co").await;
    let (id, _) = app.contact(ws, client, EMAIL, &[]).await;
    let hash = app.state.passwords.hash(PASSWORD).await.unwrap();
    portal_core::clients::set_contact_password(app.db(), id, &hash)
        .await
        .unwrap();
    (app, ws, id)
}

async fn sign_in(b: &Browser<'_>, door: &str, email: &str) -> Page {
    b.get(&format!("{door}/sign-in")).await;
    b.post(
        &format!("{door}/sign-in"),
        &[("email", email), ("password", PASSWORD)],
    )
    .await
}

/// The key the setup page shows.
fn shown_secret(page: &Page) -> String {
    let at = page
        .body
        .find("<code class=\"secret\">")
        .expect("a key to enter")
        + "<code class=\"secret\">".len();
    page.body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// Signs in and turns two-step sign-in on from the account page; returns the secret and
/// the code that confirmed it.
async fn turn_on(b: &Browser<'_>) -> (String, String) {
    if b.cookie("portico_portal").is_none() {
        assert_eq!(sign_in(b, "/portal", EMAIL).await.status, 303);
    }
    b.get("/portal/account").await;
    let res = b.post("/portal/account/two-step/setup", &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = b.get("/portal/account/two-step").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<svg"), "a QR code");
    let secret = shown_secret(&page);
    let wrong = b
        .post("/portal/account/two-step/confirm", &[("code", "000000")])
        .await;
    assert_eq!(wrong.status, 422);
    let code = code_at(&secret, now());
    let res = b
        .post("/portal/account/two-step/confirm", &[("code", &code)])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(res.location().ends_with("done=two_step_on"));
    (secret, code)
}

/// Submits the account page's "turn off" form with `code`.
async fn turn_off(b: &Browser<'_>, code: &str) -> Page {
    b.post("/portal/account/two-step/disable", &[("code", code)])
        .await
}

async fn a_contact_turns_it_on_and_sign_in_asks_for_a_code(backend: Backend) {
    let (app, _, _) = setup(&backend, false).await;
    let phone = Browser::new(&app, "acme");
    let (secret, _) = turn_on(&phone).await;
    let account = phone.get("/portal/account").await;
    assert!(
        account.text().contains("Signing in asks for a code"),
        "{}",
        account.text()
    );

    // The password alone no longer opens the portal.
    let laptop = Browser::new(&app, "acme");
    let res = sign_in(&laptop, "/portal", EMAIL).await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), "/w/acme/portal/sign-in/code");
    assert!(laptop.cookie("portico_portal").is_none());
    assert_eq!(laptop.get("/portal/").await.status, 401);
    let page = laptop.get("/portal/sign-in/code").await;
    assert!(page.text().contains("Enter your code"));
    // The code of the next step (one step of clock drift is allowed): in.
    let res = laptop
        .post(
            "/portal/sign-in/code",
            &[("code", &code_at(&secret, now() + 30))],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), "/w/acme/portal/");
    assert!(
        laptop.cookie("portico_challenge").is_none(),
        "the challenge is cleared"
    );
    assert_eq!(laptop.get("/portal/").await.status, 200);
}

async fn codes_work_once_and_wrong_ones_run_out(backend: Backend) {
    let (app, _, _) = setup(&backend, false).await;
    let phone = Browser::new(&app, "acme");
    let (secret, used) = turn_on(&phone).await;
    // Someone who watched the confirming code being typed: too late, it is spent.
    let b = Browser::new(&app, "acme");
    sign_in(&b, "/portal", EMAIL).await;
    b.get("/portal/sign-in/code").await;
    let replay = b.post("/portal/sign-in/code", &[("code", &used)]).await;
    assert_eq!(replay.status, 422, "{}", replay.body);
    assert!(replay.text().contains("That code is not right"));
    assert!(b.cookie("portico_portal").is_none());
    // Five wrong codes in all and the challenge is gone: back to the password.
    for _ in 0..3 {
        let res = b.post("/portal/sign-in/code", &[("code", "123456")]).await;
        assert_eq!(res.status, 422);
    }
    let last = b.post("/portal/sign-in/code", &[("code", "123456")]).await;
    assert_eq!(last.status, 401, "{}", last.body);
    assert!(last.text().contains("Please sign in again"));
    let fresh = code_at(&secret, now() + 30);
    let res = b.post("/portal/sign-in/code", &[("code", &fresh)]).await;
    assert_eq!(res.status, 401, "a void challenge takes no code at all");
    assert!(b.cookie("portico_portal").is_none());
}

async fn a_sign_in_link_still_asks_for_the_code(backend: Backend) {
    let (app, _, _) = setup(&backend, true).await;
    let phone = Browser::new(&app, "acme");
    let (secret, _) = turn_on(&phone).await;
    let b = Browser::new(&app, "acme");
    b.get("/portal/link").await;
    assert_eq!(
        b.post("/portal/link", &[("email", EMAIL)]).await.status,
        200
    );
    let mail = app
        .mail
        .as_ref()
        .unwrap()
        .wait_for(EMAIL, 1)
        .await
        .remove(0);
    let token = mail.token("link").unwrap();
    b.get(&format!("/portal/link/{token}")).await;
    let res = b.post(&format!("/portal/link/{token}"), &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), "/w/acme/portal/sign-in/code");
    assert!(b.cookie("portico_portal").is_none());
    b.get("/portal/sign-in/code").await;
    let res = b
        .post(
            "/portal/sign-in/code",
            &[("code", &code_at(&secret, now() + 30))],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(b.get("/portal/").await.status, 200);
}

async fn staff_can_be_required_to_enrol_at_sign_in(backend: Backend) {
    let (app, ws, _) = setup(&backend, false).await;
    let (owner, _) = app.staff(ws, "owner@agency.example").await;
    let member =
        portal_core::clients::create_staff_user(app.db(), ws, "mo@agency.example", "Mo", "member")
            .await
            .unwrap();
    let hash = app.state.passwords.hash(PASSWORD).await.unwrap();
    portal_core::clients::set_staff_password(app.db(), member, &hash)
        .await
        .unwrap();
    let mo_session = portal_core::web::session::create_staff_session(
        &app.state,
        ws,
        member,
        &Default::default(),
    )
    .await
    .unwrap();

    // Only owners decide; the change is in the audit log.
    let res = app
        .submit(
            "acme",
            "/admin/security",
            &As::Staff(mo_session),
            &[("require_staff_2fa", "on")],
        )
        .await;
    assert_eq!(res.status, 403);
    let res = app
        .submit(
            "acme",
            "/admin/security",
            &owner,
            &[("require_staff_2fa", "on")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let log = app.get("acme", "/admin/audit", &owner).await;
    assert!(
        log.text().contains("required two-step sign-in for staff"),
        "{}",
        log.text()
    );

    // Mo's next sign-in enrols him before he gets in.
    let b = Browser::new(&app, "acme");
    let res = sign_in(&b, "/admin", "mo@agency.example").await;
    assert_eq!(res.location(), "/w/acme/admin/sign-in/code");
    assert_eq!(b.get("/admin/").await.status, 401);
    let page = b.get("/admin/sign-in/code").await;
    assert!(
        page.text().contains("Set up two-step sign-in"),
        "{}",
        page.text()
    );
    let secret = shown_secret(&page);
    assert_eq!(
        shown_secret(&b.get("/admin/sign-in/code").await),
        secret,
        "a reload shows the same key"
    );
    let res = b
        .post("/admin/sign-in/code", &[("code", &code_at(&secret, now()))])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(b.get("/admin/").await.status, 200);

    // From then on he is asked for a code, not enrolled again.
    let again = Browser::new(&app, "acme");
    sign_in(&again, "/admin", "mo@agency.example").await;
    let page = again.get("/admin/sign-in/code").await;
    assert!(page.text().contains("Enter your code"), "{}", page.text());
    let res = again
        .post(
            "/admin/sign-in/code",
            &[("code", &code_at(&secret, now() + 30))],
        )
        .await;
    assert_eq!(res.status, 303);
    // Contacts are not staff: the requirement does not touch them.
    let contact = Browser::new(&app, "acme");
    assert_eq!(
        sign_in(&contact, "/portal", EMAIL).await.location(),
        "/w/acme/portal/"
    );
}

async fn staff_reset_a_lost_phone_and_contacts_turn_it_off(backend: Backend) {
    let (app, ws, id) = setup(&backend, false).await;
    let (owner, _) = app.staff(ws, "owner@agency.example").await;
    let phone = Browser::new(&app, "acme");
    let (secret, _) = turn_on(&phone).await;
    let contact_page = app
        .get("acme", &format!("/admin/contacts/{id}"), &owner)
        .await;
    assert!(contact_page
        .text()
        .contains("They confirm each sign-in with a code"));

    let res = app
        .post(
            "acme",
            &format!("/admin/contacts/{id}/two-step/reset"),
            &owner,
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let b = Browser::new(&app, "acme");
    assert_eq!(
        sign_in(&b, "/portal", EMAIL).await.location(),
        "/w/acme/portal/"
    );
    let log = app.get("acme", "/admin/audit", &owner).await;
    assert!(
        log.text().contains("reset two-step sign-in of"),
        "{}",
        log.text()
    );
    assert_eq!(
        app.post(
            "acme",
            &format!("/admin/contacts/{id}/two-step/reset"),
            &owner
        )
        .await
        .status,
        409
    );

    // On again, then off from the account page: a wrong code keeps it on.
    let (secret2, _) = turn_on(&b).await;
    assert_ne!(secret, secret2, "a fresh key");
    b.get("/portal/account").await;
    let res = turn_off(&b, "000000").await;
    assert!(res.location().ends_with("done=two_step_wrong"));
    let res = turn_off(&b, &code_at(&secret2, now() + 30)).await;
    assert!(
        res.location().ends_with("done=two_step_off"),
        "{}",
        res.location()
    );
    let c = Browser::new(&app, "acme");
    assert_eq!(
        sign_in(&c, "/portal", EMAIL).await.location(),
        "/w/acme/portal/"
    );
}

async fn turning_it_off_is_limited_like_sign_in(backend: Backend) {
    // Someone holding a borrowed session cannot guess their way to turning the step off.
    let (app, _, _) = setup(&backend, false).await;
    let b = Browser::new(&app, "acme");
    let (secret, _) = turn_on(&b).await;
    b.get("/portal/account").await;
    // Five wrong codes on the account page in a minute (one while turning it on, four now),
    // then even the right one waits.
    for _ in 0..4 {
        let res = turn_off(&b, "000000").await;
        assert!(res.location().ends_with("done=two_step_wrong"));
    }
    let res = turn_off(&b, &code_at(&secret, now() + 30)).await;
    assert_eq!(res.status, 429, "{}", res.body);
    assert!(res.text().contains("Too many attempts"));
    let on = b.get("/portal/account").await;
    assert!(on.text().contains("Signing in asks for a code"), "still on");
}
