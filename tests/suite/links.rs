//! Invitations, one-time sign-in links and password resets, end to end: staff act in the
//! admin, the portal mails a real SMTP server, the contact follows the link in the email.

use portico_tests::{
    backends, cookie_value, snapshot, spawn_app_with, As, Backend, Mail, Options, Page, TestApp,
};

backends!(
    an_invited_contact_sets_a_password_and_lands_in_the_portal,
    a_new_invitation_voids_the_earlier_link,
    withdrawn_and_expired_invitations_explain_themselves,
    opening_a_link_does_not_use_it,
    a_sign_in_link_works_once_within_fifteen_minutes,
    a_reset_sets_a_new_password_and_ends_other_sessions,
    asking_for_a_link_reveals_nothing,
    forged_and_foreign_tokens_lead_nowhere,
    link_requests_are_rate_limited,
    a_password_change_voids_outstanding_links,
    tokens_are_stored_only_as_hashes,
    invitation_acceptance_is_rate_limited,
    only_a_contact_who_joined_is_sent_links,
);

const EMAIL: &str = "dana@client.example";

struct World {
    app: TestApp,
    staff: As,
    client: i64,
}

/// Workspace `acme` (Growth) with a staff owner and one client, mailing a real SMTP server.
async fn world(backend: &Backend) -> World {
    let app = spawn_app_with(
        backend,
        Options {
            mail: true,
            ..Default::default()
        },
    )
    .await;
    let ws = app.workspace("acme", "growth").await;
    let (staff, _) = app.staff(ws, "owner@agency.example").await;
    let res = app
        .submit("acme", "/admin/clients", &staff, &[("name", "Client Co")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let client = res.location_id("clients");
    World { app, staff, client }
}

impl World {
    fn mail(&self) -> &portico_tests::MailServer {
        self.app.mail.as_ref().unwrap()
    }

    /// Adds Dana with the Client Admin role and invites her; returns her contact id.
    async fn invite_dana(&self) -> i64 {
        let path = format!("/admin/clients/{}/contacts", self.client);
        let fields = [
            ("name", "Dana Scully"),
            ("email", EMAIL),
            ("preset", "client_admin"),
            ("invite", "on"),
        ];
        let res = self.app.submit("acme", &path, &self.staff, &fields).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let contacts = self
            .app
            .get(
                "acme",
                &format!("/admin/clients/{}", self.client),
                &self.staff,
            )
            .await;
        let text = contacts.text();
        let at = text.find("/admin/contacts/").unwrap() + "/admin/contacts/".len();
        text[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    }

    /// Staff withdraw the contact's pending invitation.
    async fn withdraw_invite(&self, id: i64) -> Page {
        let path = format!("/admin/contacts/{id}/invite/revoke");
        self.app.post("acme", &path, &self.staff).await
    }

    async fn nth_mail(&self, n: usize) -> Mail {
        self.mail().wait_for(EMAIL, n).await.remove(n - 1)
    }

    /// Sets a password through an invitation and returns the session cookie it starts.
    async fn accept(&self, token: &str, password: &str) -> Page {
        let path = format!("/portal/welcome/{token}");
        self.app
            .fill_in(
                "acme",
                &path,
                &path,
                &[("new", password), ("confirm", password)],
            )
            .await
    }

    async fn sign_in(&self, password: &str) -> Page {
        self.app
            .fill_in(
                "acme",
                "/portal/sign-in",
                "/portal/sign-in",
                &[("email", EMAIL), ("password", password)],
            )
            .await
    }
}

const PASSWORD: &str = "trust no one, ever";

async fn an_invited_contact_sets_a_password_and_lands_in_the_portal(backend: Backend) {
    let w = world(&backend).await;
    w.invite_dana().await;
    let mail = w.nth_mail(1).await;
    // Branded with the workspace, from its name, with both parts and the link in each.
    assert!(mail.from.contains("acme agency"), "{}", mail.from);
    assert!(
        mail.subject.contains("owner@agency.example invited you"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("Hello Dana Scully"), "{}", mail.text);
    assert!(mail.text.contains("Client Co"), "{}", mail.text);
    let token = mail.token("welcome").expect("an invitation link");
    assert!(
        mail.html
            .replace("&#x2f;", "/")
            .contains(&format!("/portal/welcome/{token}")),
        "{}",
        mail.html
    );
    assert!(mail.html.contains("acme agency"));

    // The staff see it pending.
    let client_page = w
        .app
        .get("acme", &format!("/admin/clients/{}", w.client), &w.staff)
        .await;
    assert!(
        client_page.text().contains("Invited"),
        "{}",
        client_page.text()
    );

    let page = w
        .app
        .get("acme", &format!("/portal/welcome/{token}"), &As::Anonymous)
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Welcome, Dana Scully"),
        "{}",
        page.text()
    );

    let res = w.accept(&token, PASSWORD).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), "/w/acme/portal/");
    let session = cookie_value(&res, "portico_portal").expect("signed in");
    let home = w.app.get("acme", "/portal/", &As::Contact(session)).await;
    assert_eq!(home.status, 200);
    assert!(home.text().contains("Welcome, Dana Scully"));

    // The password works from now on; the invitation does not, twice.
    assert_eq!(w.sign_in(PASSWORD).await.status, 303);
    let again = w.accept(&token, "another long password").await;
    assert_eq!(again.status, 410);
    assert!(
        again.text().contains("already been accepted"),
        "{}",
        again.text()
    );
    let client_page = w
        .app
        .get("acme", &format!("/admin/clients/{}", w.client), &w.staff)
        .await;
    assert!(
        client_page.text().contains("invitation accepted"),
        "{}",
        client_page.text()
    );
}

async fn a_new_invitation_voids_the_earlier_link(backend: Backend) {
    let w = world(&backend).await;
    let id = w.invite_dana().await;
    let first = w.nth_mail(1).await.token("welcome").unwrap();
    let res = w
        .app
        .post("acme", &format!("/admin/contacts/{id}/invite"), &w.staff)
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let second = w.nth_mail(2).await.token("welcome").unwrap();
    assert_ne!(first, second);

    let old = w.accept(&first, PASSWORD).await;
    assert_eq!(old.status, 410);
    assert!(
        old.text().contains("replaced by a newer invitation"),
        "{}",
        old.text()
    );
    assert!(cookie_value(&old, "portico_portal").is_none());
    assert_eq!(w.accept(&second, PASSWORD).await.status, 303);
}

async fn withdrawn_and_expired_invitations_explain_themselves(backend: Backend) {
    let w = world(&backend).await;
    let id = w.invite_dana().await;
    let token = w.nth_mail(1).await.token("welcome").unwrap();
    let res = w.withdraw_invite(id).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = w
        .app
        .get("acme", &format!("/portal/welcome/{token}"), &As::Anonymous)
        .await;
    assert_eq!(page.status, 410);
    assert!(page.text().contains("no longer valid"));
    let contact = w
        .app
        .get("acme", &format!("/admin/contacts/{id}"), &w.staff)
        .await;
    assert!(
        contact.text().contains("Invitation revoked"),
        "{}",
        contact.text()
    );
    // Nothing left to withdraw: a clear conflict.
    let res = w.withdraw_invite(id).await;
    assert_eq!(res.status, 409);

    // A new invitation, then seven days pass.
    w.app
        .post("acme", &format!("/admin/contacts/{id}/invite"), &w.staff)
        .await;
    let token = w.nth_mail(2).await.token("welcome").unwrap();
    w.app
        .sql("UPDATE contact_tokens SET expires_at = expires_at - 7 * 24 * 3600 WHERE contact_id = $1", id)
        .await;
    let page = w.accept(&token, PASSWORD).await;
    assert_eq!(page.status, 410);
    assert!(
        page.text().contains("This invitation has expired"),
        "{}",
        page.text()
    );
    let contact = w
        .app
        .get("acme", &format!("/admin/contacts/{id}"), &w.staff)
        .await;
    assert!(
        contact.text().contains("Invitation expired"),
        "{}",
        contact.text()
    );
}

async fn opening_a_link_does_not_use_it(backend: Backend) {
    let w = world(&backend).await;
    w.invite_dana().await;
    let token = w.nth_mail(1).await.token("welcome").unwrap();
    // A mail scanner fetching the link, twice.
    for _ in 0..2 {
        let page = w
            .app
            .get("acme", &format!("/portal/welcome/{token}"), &As::Anonymous)
            .await;
        assert_eq!(page.status, 200);
    }
    // A typo in the new password does not cost the link either.
    let res = w.accept(&token, "short").await;
    assert_eq!(res.status, 422);
    assert!(
        res.text().contains("at least 10 characters"),
        "{}",
        res.text()
    );
    let path = format!("/portal/welcome/{token}");
    let res = w
        .app
        .fill_in(
            "acme",
            &path,
            &path,
            &[("new", PASSWORD), ("confirm", "something else")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.text().contains("not the same"));
    assert_eq!(w.accept(&token, PASSWORD).await.status, 303);
}

/// Dana, invited and with her password set.
async fn dana_with_password(w: &World) -> i64 {
    let id = w.invite_dana().await;
    let token = w.nth_mail(1).await.token("welcome").unwrap();
    assert_eq!(w.accept(&token, PASSWORD).await.status, 303);
    id
}

async fn a_sign_in_link_works_once_within_fifteen_minutes(backend: Backend) {
    let w = world(&backend).await;
    let id = dana_with_password(&w).await;
    let res = w
        .app
        .fill_in(
            "acme",
            "/portal/link",
            "/portal/link",
            &[("email", "Dana@Client.Example")],
        )
        .await;
    assert_eq!(res.status, 200);
    let mail = w.nth_mail(2).await;
    assert!(mail.subject.contains("sign-in link"), "{}", mail.subject);
    assert!(mail.text.contains("15 minutes"));
    let token = mail.token("link").unwrap();

    let path = format!("/portal/link/{token}");
    let page = w.app.get("acme", &path, &As::Anonymous).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains(EMAIL));
    let res = w.app.fill_in("acme", &path, &path, &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let session = cookie_value(&res, "portico_portal").unwrap();
    assert_eq!(
        w.app
            .get("acme", "/portal/", &As::Contact(session))
            .await
            .status,
        200
    );
    let again = w.app.fill_in("acme", &path, &path, &[]).await;
    assert_eq!(again.status, 410);
    assert!(again.text().contains("already been used"));
    assert!(cookie_value(&again, "portico_portal").is_none());

    // A fresh link, sixteen minutes later.
    w.app
        .fill_in("acme", "/portal/link", "/portal/link", &[("email", EMAIL)])
        .await;
    let token = w.nth_mail(3).await.token("link").unwrap();
    w.app
        .sql("UPDATE contact_tokens SET expires_at = expires_at - 16 * 60 WHERE contact_id = $1 AND purpose = 'sign_in'", id)
        .await;
    let path = format!("/portal/link/{token}");
    let late = w.app.fill_in("acme", &path, &path, &[]).await;
    assert_eq!(late.status, 410);
    assert!(late.text().contains("expired"));
}

async fn a_reset_sets_a_new_password_and_ends_other_sessions(backend: Backend) {
    let w = world(&backend).await;
    dana_with_password(&w).await;
    let laptop = cookie_value(&w.sign_in(PASSWORD).await, "portico_portal").unwrap();

    let res = w
        .app
        .fill_in(
            "acme",
            "/portal/reset",
            "/portal/reset",
            &[("email", EMAIL)],
        )
        .await;
    assert_eq!(res.status, 200);
    let first = w.nth_mail(2).await.token("reset").unwrap();
    // Asking twice: only the newest link works.
    w.app
        .fill_in(
            "acme",
            "/portal/reset",
            "/portal/reset",
            &[("email", EMAIL)],
        )
        .await;
    let mail = w.nth_mail(3).await;
    assert!(mail.text.contains("within an hour"));
    let token = mail.token("reset").unwrap();
    let path = format!("/portal/reset/{first}");
    let stale = w
        .app
        .fill_in("acme", &path, &path, &[("new", "x"), ("confirm", "x")])
        .await;
    assert_eq!(stale.status, 410);

    let new = "the truth is out there";
    let path = format!("/portal/reset/{token}");
    let res = w
        .app
        .fill_in("acme", &path, &path, &[("new", new), ("confirm", new)])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(cookie_value(&res, "portico_portal").is_some());
    // The laptop's session is over; the old password is refused, the new one works.
    assert_eq!(
        w.app
            .get("acme", "/portal/", &As::Contact(laptop))
            .await
            .status,
        401
    );
    assert_eq!(w.sign_in(PASSWORD).await.status, 401);
    assert_eq!(w.sign_in(new).await.status, 303);
    let again = w
        .app
        .fill_in("acme", &path, &path, &[("new", new), ("confirm", new)])
        .await;
    assert_eq!(again.status, 410);
}

async fn asking_for_a_link_reveals_nothing(backend: Backend) {
    let w = world(&backend).await;
    dana_with_password(&w).await;
    for page in ["/portal/link", "/portal/reset"] {
        let known = w.app.fill_in("acme", page, page, &[("email", EMAIL)]).await;
        let unknown = w
            .app
            .fill_in("acme", page, page, &[("email", "nobody@client.example")])
            .await;
        assert_eq!(known.status, unknown.status, "{page}");
        let normalise = |p: &Page, email: &str| p.text().replace(email, "EMAIL");
        assert_eq!(
            normalise(&known, EMAIL),
            normalise(&unknown, "nobody@client.example"),
            "{page}"
        );
    }
    // Dana got her two links; nobody else got anything.
    w.nth_mail(3).await;
    assert!(w.mail().received().iter().all(|m| m.to == EMAIL));
}

async fn forged_and_foreign_tokens_lead_nowhere(backend: Backend) {
    let w = world(&backend).await;
    w.invite_dana().await;
    let token = w.nth_mail(1).await.token("welcome").unwrap();
    // Another workspace's portal does not know this workspace's token.
    let other = w.app.workspace("other", "growth").await;
    let _ = other;
    let page = w
        .app
        .get("other", &format!("/portal/welcome/{token}"), &As::Anonymous)
        .await;
    assert_eq!(page.status, 404);
    // The same token for another purpose, a forged one, a malformed one.
    let flipped: String = token.chars().rev().collect();
    for path in [
        format!("/portal/reset/{token}"),
        format!("/portal/link/{token}"),
        format!("/portal/welcome/{flipped}"),
        "/portal/welcome/not-a-token".to_string(),
        format!("/portal/welcome/{token}00"),
    ] {
        let page = w.app.get("acme", &path, &As::Anonymous).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(page.text().contains("This link does not work"), "{path}");
    }
    // The real one still works.
    assert_eq!(w.accept(&token, PASSWORD).await.status, 303);
}

async fn link_requests_are_rate_limited(backend: Backend) {
    let w = world(&backend).await;
    dana_with_password(&w).await;
    // Seven requests for one mailbox: each answered alike, five links sent (a mailbox cannot
    // be flooded), and the owner holds those five.
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let res = w
            .app
            .fill_in(
                "acme",
                "/portal/reset",
                "/portal/reset",
                &[("email", EMAIL)],
            )
            .await;
        assert!(
            res.text().contains("a link is on its way"),
            "{}",
            res.text()
        );
        statuses.push(res.status);
    }
    assert_eq!(statuses, [200; 7]);
    w.mail().wait_for(EMAIL, 6).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let sent = w.mail().received().iter().filter(|m| m.to == EMAIL).count();
    assert_eq!(sent, 1 + 5, "the invitation and five reset links");
    // One address asking again and again, for any mailbox, is slowed.
    let mut statuses = Vec::new();
    for n in 0..30 {
        let res = w
            .app
            .fill_in(
                "acme",
                "/portal/link",
                "/portal/link",
                &[("email", &format!("someone{n}@client.example"))],
            )
            .await;
        statuses.push(res.status);
        if res.status == 429 {
            assert!(res.headers.get("retry-after").is_some());
            assert!(res.text().contains("Too many attempts"), "{}", res.text());
        }
    }
    let first = statuses
        .iter()
        .position(|s| *s == 429)
        .expect("the address is slowed");
    assert!(statuses[first..].iter().all(|s| *s == 429), "{statuses:?}");
}

async fn a_password_change_voids_outstanding_links(backend: Backend) {
    let w = world(&backend).await;
    dana_with_password(&w).await;
    w.app
        .fill_in(
            "acme",
            "/portal/reset",
            "/portal/reset",
            &[("email", EMAIL)],
        )
        .await;
    let reset = w.nth_mail(2).await.token("reset").unwrap();
    let session = As::Contact(cookie_value(&w.sign_in(PASSWORD).await, "portico_portal").unwrap());
    let new = "i want to believe it";
    let fields = [("current", PASSWORD), ("new", new), ("confirm", new)];
    let res = w
        .app
        .submit("acme", "/portal/account/password", &session, &fields)
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let path = format!("/portal/reset/{reset}");
    let page = w.app.get("acme", &path, &As::Anonymous).await;
    assert_eq!(page.status, 410);
    assert!(page.text().contains("no longer valid"));
}

async fn tokens_are_stored_only_as_hashes(backend: Backend) {
    let w = world(&backend).await;
    w.invite_dana().await;
    let invite = w.nth_mail(1).await.token("welcome").unwrap();
    let accepted = w.accept(&invite, PASSWORD).await;
    let session = cookie_value(&accepted, "portico_portal").unwrap();
    w.app
        .fill_in("acme", "/portal/link", "/portal/link", &[("email", EMAIL)])
        .await;
    let link = w.nth_mail(2).await.token("link").unwrap();
    w.app
        .fill_in(
            "acme",
            "/portal/reset",
            "/portal/reset",
            &[("email", EMAIL)],
        )
        .await;
    let reset = w.nth_mail(3).await.token("reset").unwrap();
    // Let the sender finish, so the outbox rows are in their final state.
    for _ in 0..100 {
        let pending: i64 = w
            .app
            .db()
            .query_scalar("SELECT COUNT(*) FROM email_outbox WHERE sent_at IS NULL")
            .fetch_one()
            .await
            .unwrap();
        if pending == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let everything = format!("{:?}", snapshot(w.app.db()).await);
    for (what, token) in [
        ("invitation", &invite),
        ("session", &session),
        ("sign-in link", &link),
        ("reset", &reset),
    ] {
        assert_eq!(token.len(), 64, "{what}: 256 bits, hex");
        assert!(
            !everything.contains(token.as_str()),
            "the {what} token is stored in the clear"
        );
        let hash = portal_core::web::session::hash_token(token);
        assert!(
            everything.contains(&hash),
            "the {what} token's hash is what is stored"
        );
    }
}

async fn invitation_acceptance_is_rate_limited(backend: Backend) {
    let w = world(&backend).await;
    w.invite_dana().await;
    let token = w.nth_mail(1).await.token("welcome").unwrap();
    // The holder's typos never lock them out of their own invitation.
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(w.accept(&token, "short").await.status);
    }
    assert_eq!(statuses, [422; 6]);
    // Guessing at links is: five dead ones, and that address waits.
    let mut statuses = Vec::new();
    for n in 0..6 {
        let guess = format!("{:064x}", n + 1);
        statuses.push(w.accept(&guess, PASSWORD).await.status);
    }
    assert_eq!(statuses, [404, 404, 404, 404, 404, 429], "{statuses:?}");
}

/// Asks for a sign-in link and a reset for `email`: both pages answer alike.
async fn ask_both(w: &World, email: &str) {
    for path in ["/portal/link", "/portal/reset"] {
        let res = w.app.fill_in("acme", path, path, &[("email", email)]).await;
        assert_eq!(res.status, 200, "{path}");
        assert!(res.text().contains("a link is on its way"), "{path}");
    }
}

async fn only_a_contact_who_joined_is_sent_links(backend: Backend) {
    let w = world(&backend).await;
    // Never invited: a contact staff added without sending the invitation.
    let res = w
        .app
        .submit(
            "acme",
            &format!("/admin/clients/{}/contacts", w.client),
            &w.staff,
            &[
                ("name", "Nell Never"),
                ("email", "nell@client.example"),
                ("preset", "client_viewer"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    ask_both(&w, "nell@client.example").await;
    // Invited, then the invitation withdrawn before she accepted it.
    let id = w.invite_dana().await;
    w.nth_mail(1).await;
    let res = w.withdraw_invite(id).await;
    assert_eq!(res.status, 303, "{}", res.body);
    ask_both(&w, EMAIL).await;
    // Neither is sent anything: the pages say the same, the mailboxes stay empty.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let got: Vec<String> = w.mail().received().iter().map(|m| m.to.clone()).collect();
    assert_eq!(
        got,
        [EMAIL.to_string()],
        "only the (withdrawn) invitation: {got:?}"
    );
    // Invited again and accepted: links work once more.
    w.app
        .post("acme", &format!("/admin/contacts/{id}/invite"), &w.staff)
        .await;
    let token = w.nth_mail(2).await.token("welcome").unwrap();
    assert_eq!(w.accept(&token, PASSWORD).await.status, 303);
    ask_both(&w, EMAIL).await;
    // Both arrive; the outbox sends them side by side, so in either order.
    let mails = w.mail().wait_for(EMAIL, 4).await;
    let (third, fourth) = (&mails[2], &mails[3]);
    assert!(
        (third.token("link").is_some() && fourth.token("reset").is_some())
            || (third.token("reset").is_some() && fourth.token("link").is_some()),
        "a sign-in link and a reset link: {} / {}",
        third.text,
        fourth.text
    );
}
