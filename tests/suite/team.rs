//! The agency's team page: roles, deactivating someone who left (everything that lets them act
//! ends at once), and the rules that keep a workspace from locking itself out.

use portico_tests::{backends, spawn_app, As, Backend, Browser, Page, TestApp};

backends!(
    a_deactivated_colleague_is_locked_out_everywhere_until_reactivated,
    owners_and_admins_manage_by_the_rules,
    two_owners_deactivating_each_other_at_once_leave_one,
    a_colleague_who_lost_their_phone_gets_two_step_reset,
);

const PASSWORD: &str = "correct horse battery";

struct Team {
    ws: i64,
    owner: As,
    mo: i64,
}

/// Workspace `acme` with a signed-in owner and Mo, an admin with a password.
async fn team(app: &TestApp) -> Team {
    let ws = app.workspace("acme", "starter").await;
    let (_, owner, _) = app.staff_in_role(ws, "olive@agency.example", "owner").await;
    let mo =
        portal_core::clients::create_staff_user(app.db(), ws, "mo@agency.example", "Mo", "admin")
            .await
            .unwrap();
    let hash = app.state.passwords.hash(PASSWORD).await.unwrap();
    portal_core::clients::set_staff_password(app.db(), mo, &hash)
        .await
        .unwrap();
    Team { ws, owner, mo }
}

async fn mo_signs_in(app: &TestApp) -> (Browser<'_>, Page) {
    let b = Browser::new(app, "acme");
    b.get("/admin/sign-in").await;
    let page = b
        .post(
            "/admin/sign-in",
            &[("email", "mo@agency.example"), ("password", PASSWORD)],
        )
        .await;
    (b, page)
}

/// The page's HTML with its addresses unescaped, to look for a form's action.
fn forms(page: &Page) -> String {
    assert_eq!(page.status, 200, "{}", page.body);
    page.body.replace("&#x2f;", "/")
}

async fn role_and_active(app: &TestApp, id: i64) -> (String, bool) {
    let sql = "SELECT role, deactivated_at IS NULL FROM staff_users WHERE id = $1";
    app.db().query_as(sql).bind(id).fetch_one().await.unwrap()
}

async fn a_deactivated_colleague_is_locked_out_everywhere_until_reactivated(backend: Backend) {
    let app = spawn_app(&backend).await;
    let t = team(&app).await;
    let (desk, page) = mo_signs_in(&app).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(desk.get("/admin/").await.status, 200);
    let token = portal_core::web::session::create_api_token(app.db(), t.ws, t.mo, "script", 90)
        .await
        .unwrap();
    let bearer = As::Bearer(token);
    assert_eq!(app.get("acme", "/api/me", &bearer).await.status, 200);
    let pickers = portal_core::clients::team(app.db(), t.ws).await.unwrap();
    assert!(pickers.iter().any(|m| m.id == t.mo));
    // Mo previews a contact's portal ("view as"): that session is Mo's too.
    let client = app.client(t.ws, "Cedar").await;
    let (dana, _) = app.contact(t.ws, client, "dana@cedar.example", &[]).await;
    let res = desk
        .post(&format!("/admin/contacts/{dana}/view-as"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let preview = As::Contact(portico_tests::cookie_value(&res, "portico_portal").unwrap());
    assert_eq!(app.get("acme", "/portal/", &preview).await.status, 200);

    let list = app.get("acme", "/admin/team", &t.owner).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.text().contains("mo@agency.example"), "{}", list.text());
    let path = format!("/admin/team/{}/deactivate", t.mo);
    let res = app.submit("acme", &path, &t.owner, &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), "/w/acme/admin/team?done=deactivated");

    // Every way in ends: the open session, the API token, the password.
    assert_eq!(desk.get("/admin/").await.status, 401);
    assert_eq!(app.get("acme", "/api/me", &bearer).await.status, 401);
    let ended = app.get("acme", "/portal/", &preview).await;
    assert_eq!(ended.status, 401, "the preview ended with them");
    let (_, again) = mo_signs_in(&app).await;
    assert_eq!(
        again.status, 401,
        "the right password no longer opens the door"
    );
    assert!(again.text().contains("do not match"), "{}", again.text());
    // Pickers ("assign to", "lead", "host") leave them out; the team page says why.
    let pickers = portal_core::clients::team(app.db(), t.ws).await.unwrap();
    assert!(!pickers.iter().any(|m| m.id == t.mo), "{pickers:?}");
    let list = app
        .get("acme", "/admin/team?done=deactivated", &t.owner)
        .await;
    assert!(list.text().contains("Deactivated"), "{}", list.text());
    assert!(list.text().contains("API tokens are revoked"));
    let audit = app.get("acme", "/admin/audit", &t.owner).await;
    assert!(
        audit
            .text()
            .contains("deactivated (signed out, API tokens revoked) Mo"),
        "{}",
        audit.text()
    );

    // Back on the team: the password works again; the old token stays revoked.
    let path = format!("/admin/team/{}/reactivate", t.mo);
    let res = app.submit("acme", &path, &t.owner, &[]).await;
    assert_eq!(res.location(), "/w/acme/admin/team?done=reactivated");
    let (desk, page) = mo_signs_in(&app).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(desk.get("/admin/").await.status, 200);
    assert_eq!(app.get("acme", "/api/me", &bearer).await.status, 401);
    // A second click changes nothing and says so.
    let res = app.submit("acme", &path, &t.owner, &[]).await;
    assert_eq!(res.location(), "/w/acme/admin/team?done=unchanged");
}

/// Who asks, where, with which form, the status refusing it, and words the answer holds.
type Refusal<'a> = (&'a As, String, Vec<(&'a str, &'a str)>, u16, &'a str);

async fn owners_and_admins_manage_by_the_rules(backend: Backend) {
    let app = spawn_app(&backend).await;
    let t = team(&app).await;
    let (member_id, member, _) = app
        .staff_in_role(t.ws, "pat@agency.example", "member")
        .await;
    let (admin_id, admin, _) = app.staff_in_role(t.ws, "ada@agency.example", "admin").await;
    let olive: i64 = app
        .db()
        .query_scalar("SELECT id FROM staff_users WHERE email = 'olive@agency.example'")
        .fetch_one()
        .await
        .unwrap();
    let other_ws = app.workspace("globex", "starter").await;
    let (stranger, _, _) = app
        .staff_in_role(other_ws, "sam@globex.example", "member")
        .await;

    // (who, path, form, status, what it says)
    let refused: Vec<Refusal> = vec![
        (
            &member,
            format!("/admin/team/{}/deactivate", t.mo),
            vec![],
            403,
            "owners and admins",
        ),
        (
            &member,
            format!("/admin/team/{}/role", t.mo),
            vec![("role", "member")],
            403,
            "owners and admins",
        ),
        (
            &admin,
            format!("/admin/team/{olive}/deactivate"),
            vec![],
            403,
            "Only an owner",
        ),
        (
            &admin,
            format!("/admin/team/{olive}/role"),
            vec![("role", "member")],
            403,
            "Only an owner",
        ),
        (
            &admin,
            format!("/admin/team/{member_id}/role"),
            vec![("role", "owner")],
            403,
            "Only an owner",
        ),
        (
            &t.owner,
            format!("/admin/team/{olive}/deactivate"),
            vec![],
            400,
            "yourself",
        ),
        (
            &t.owner,
            format!("/admin/team/{olive}/role"),
            vec![("role", "member")],
            400,
            "your own role",
        ),
        (
            &t.owner,
            format!("/admin/team/{}/role", t.mo),
            vec![("role", "root")],
            400,
            "Choose a role",
        ),
        (
            &t.owner,
            format!("/admin/team/{}/role", t.mo),
            vec![],
            400,
            "Choose a role",
        ),
        (
            &t.owner,
            format!("/admin/team/{stranger}/deactivate"),
            vec![],
            404,
            "",
        ),
        (
            &t.owner,
            "/admin/team/999999999/role".into(),
            vec![("role", "admin")],
            404,
            "",
        ),
    ];
    let before = portico_tests::snapshot(app.db()).await;
    for (who, path, form, status, says) in &refused {
        let res = app.submit("acme", path, who, form).await;
        assert_eq!(res.status, *status, "{path} {form:?}: {}", res.body);
        assert!(res.text().contains(says), "{path}: {}", res.text());
    }
    let after = portico_tests::snapshot(app.db()).await;
    let changed = portico_tests::changed_rows(&before, &after);
    assert!(changed.is_empty(), "refusals changed {changed:?}");

    // Members see the team but get no buttons; admins get buttons for non-owners only.
    let seen = forms(&app.get("acme", "/admin/team", &member).await);
    assert!(seen.contains("mo@agency.example"), "{seen}");
    assert!(!seen.contains("/deactivate\""), "{seen}");
    let seen = forms(&app.get("acme", "/admin/team", &admin).await);
    assert!(
        seen.contains(&format!("/team/{}/deactivate", t.mo)),
        "{seen}"
    );
    assert!(!seen.contains(&format!("/team/{olive}/deactivate")));
    let no_owner = !seen.contains("value=\"owner\"");
    assert!(no_owner, "an admin is offered no owner role");

    // What is allowed takes effect on the next click.
    let res = app
        .submit(
            "acme",
            &format!("/admin/team/{admin_id}/role"),
            &admin,
            &[("role", "member")],
        )
        .await;
    assert_eq!(res.status, 400, "nobody demotes themselves");
    let res = app
        .submit(
            "acme",
            &format!("/admin/team/{member_id}/role"),
            &admin,
            &[("role", "admin")],
        )
        .await;
    assert_eq!(res.location(), "/w/acme/admin/team?done=role");
    assert_eq!(
        role_and_active(&app, member_id).await,
        ("admin".into(), true)
    );
    let clients = app
        .submit(
            "acme",
            "/admin/clients",
            &member,
            &[("name", "Now allowed")],
        )
        .await;
    assert_eq!(
        clients.status, 303,
        "the promoted member manages now: {}",
        clients.body
    );
    let res = app
        .submit(
            "acme",
            &format!("/admin/team/{}/role", t.mo),
            &t.owner,
            &[("role", "owner")],
        )
        .await;
    assert_eq!(res.location(), "/w/acme/admin/team?done=role");
    assert_eq!(role_and_active(&app, t.mo).await, ("owner".into(), true));
    let audit = app.get("acme", "/admin/audit", &t.owner).await;
    assert!(
        audit.text().contains("gave the owner role to Mo"),
        "{}",
        audit.text()
    );
}

async fn two_owners_deactivating_each_other_at_once_leave_one(backend: Backend) {
    let app = spawn_app(&backend).await;
    let ws = app.workspace("acme", "starter").await;
    for round in 0..4 {
        let (a, a_session, _) = app
            .staff_in_role(ws, &format!("a{round}@agency.example"), "owner")
            .await;
        let (b, b_session, _) = app
            .staff_in_role(ws, &format!("b{round}@agency.example"), "owner")
            .await;
        let (to_b, to_a) = (
            format!("/admin/team/{b}/deactivate"),
            format!("/admin/team/{a}/deactivate"),
        );
        let (ra, rb) = tokio::join!(
            app.submit("acme", &to_b, &a_session, &[]),
            app.submit("acme", &to_a, &b_session, &[]),
        );
        let mut statuses = [ra.status, rb.status];
        statuses.sort();
        assert_eq!(statuses[0], 303, "one of them wins: {statuses:?}");
        assert!(
            (400..500).contains(&statuses[1]),
            "the other is refused: {statuses:?}"
        );
        let left = [
            role_and_active(&app, a).await.1,
            role_and_active(&app, b).await.1,
        ];
        assert_eq!(
            left.iter().filter(|x| **x).count(),
            1,
            "round {round}: {left:?}"
        );
    }
}

async fn a_colleague_who_lost_their_phone_gets_two_step_reset(backend: Backend) {
    let app = spawn_app(&backend).await;
    let t = team(&app).await;
    let secret = portal_core::auth::totp::new_secret();
    let sql = format!(
        "UPDATE staff_users SET totp_secret = '{secret}', totp_enabled_at = 1 WHERE id = $1"
    );
    app.sql(&sql, t.mo).await;
    let (_, page) = mo_signs_in(&app).await;
    assert_eq!(page.location(), "/w/acme/admin/sign-in/code");
    let list = forms(&app.get("acme", "/admin/team", &t.owner).await);
    assert!(
        list.contains(&format!("/team/{}/two-step/reset", t.mo)),
        "{list}"
    );

    let path = format!("/admin/team/{}/two-step/reset", t.mo);
    let res = app.submit("acme", &path, &t.owner, &[]).await;
    assert_eq!(res.location(), "/w/acme/admin/team?done=two_step_reset");
    let (desk, page) = mo_signs_in(&app).await;
    assert_eq!(page.status, 303);
    assert_ne!(
        page.location(),
        "/w/acme/admin/sign-in/code",
        "the password alone opens it"
    );
    assert_eq!(desk.get("/admin/").await.status, 200);
}
