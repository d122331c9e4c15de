//! Notifications as contacts live them: the feed and its badge, opening and marking read,
//! email right away or in the daily summary as each contact chose, and nobody told about
//! another client's business. The example notices module is the sender: staff post a notice
//! for one client through its admin form.

use portico_tests::{backends, snapshot, spawn_app_with, As, Backend, Options, Page, TestApp};

backends!(
    a_notice_reaches_its_client_s_contacts_and_no_one_else,
    opening_marks_read_and_leads_to_the_record,
    email_follows_each_contact_s_choice,
    the_digest_goes_out_once_per_day,
    email_choices_refuse_bad_input_and_list_only_receivable_kinds,
    the_feed_pages_back_through_older_entries,
);

struct World {
    app: TestApp,
    ws: i64,
    staff: As,
    client: i64,
    other_client: i64,
}

async fn world(backend: &Backend, mail: bool) -> World {
    let app = spawn_app_with(
        backend,
        Options {
            mail,
            ..Default::default()
        },
    )
    .await;
    let ws = app.workspace("acme", "growth").await;
    let (staff, _) = app.staff(ws, "owner@agency.example").await;
    let client = app.client(ws, "Client Co").await;
    let other_client = app.client(ws, "Other Co").await;
    World {
        app,
        ws,
        staff,
        client,
        other_client,
    }
}

impl World {
    /// A signed-in contact who has accepted their invitation (so email may reach them).
    async fn member(&self, client: i64, email: &str) -> (i64, As) {
        self.app.joined_contact(self.ws, client, email, &[]).await
    }

    async fn post_notice(&self, client: i64, title: &str) {
        let client = client.to_string();
        let fields = [
            ("title", title),
            ("body", "Please read it before Friday."),
            ("client_id", client.as_str()),
        ];
        let page = self
            .app
            .submit("acme", "/admin/notices", &self.staff, &fields)
            .await;
        assert_eq!(page.status, 303, "{}", page.body);
        assert_eq!(page.location(), "/w/acme/admin/notices?done=posted");
    }

    async fn feed(&self, who: &As) -> Page {
        let page = self.app.get("acme", "/portal/notifications", who).await;
        assert_eq!(page.status, 200, "{}", page.body);
        page
    }

    /// Chooses `delivery` for `kind` and "never" for every other kind the form lists, as a
    /// contact filling in the whole form does.
    async fn choose(&self, who: &As, kind: &str, delivery: &str) {
        let form = self
            .app
            .get("acme", "/portal/notifications/email", who)
            .await;
        let mut kinds: Vec<String> = form
            .body
            .split(r#"type="radio" name=""#)
            .skip(1)
            .filter_map(|rest| rest.split('"').next().map(str::to_string))
            .collect();
        kinds.dedup();
        let fields: Vec<(&str, &str)> = kinds
            .iter()
            .map(|k| (k.as_str(), if k == kind { delivery } else { "never" }))
            .collect();
        assert!(kinds.iter().any(|k| k == kind), "{kind} is not offered");
        let res = self
            .app
            .submit("acme", "/portal/notifications/email", who, &fields)
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
    }
}

fn badge(page: &Page) -> Option<String> {
    page.unread_badge()
}

async fn a_notice_reaches_its_client_s_contacts_and_no_one_else(backend: Backend) {
    let w = world(&backend, false).await;
    let (_, dana) = w.member(w.client, "dana@client.example").await;
    let (_, eve) = w.member(w.client, "eve@client.example").await;
    let (_, olga) = w.member(w.other_client, "olga@other.example").await;
    let home = w.app.get("acme", "/portal/", &dana).await;
    assert_eq!(badge(&home), None, "nothing unread yet");

    w.post_notice(w.client, "Office closed on Friday").await;

    for who in [&dana, &eve] {
        let home = w.app.get("acme", "/portal/", who).await;
        assert_eq!(badge(&home).as_deref(), Some("1"), "{}", home.body);
        let feed = w.feed(who).await;
        assert!(feed.text().contains("New notice: Office closed on Friday"));
        assert!(feed.text().contains("Please read it before Friday."));
    }
    let home = w.app.get("acme", "/portal/", &olga).await;
    assert_eq!(badge(&home), None, "another client's contact is not told");
    assert!(!w.feed(&olga).await.text().contains("Office closed"));
}

async fn opening_marks_read_and_leads_to_the_record(backend: Backend) {
    let w = world(&backend, false).await;
    let (dana_id, dana) = w.member(w.client, "dana@client.example").await;
    let (_, olga) = w.member(w.other_client, "olga@other.example").await;
    w.post_notice(w.client, "First").await;
    w.post_notice(w.client, "Second").await;
    let ids: Vec<i64> = w
        .app
        .db()
        .query_scalar("SELECT id FROM notifications WHERE contact_id = $1 ORDER BY id")
        .bind(dana_id)
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(ids.len(), 2);
    assert_eq!(badge(&w.feed(&dana).await).as_deref(), Some("2"));
    // The home page's recent notifications open (and mark read) the same way.
    let home = w.app.get("acme", "/portal/", &dana).await;
    assert!(home.text().contains(&format!(
        r#"action="/w/acme/portal/notifications/{}/open""#,
        ids[0]
    )));

    // Someone else's entry is not found, and stays unread.
    let res = w
        .app
        .submit(
            "acme",
            &format!("/portal/notifications/{}/open", ids[0]),
            &olga,
            &[],
        )
        .await;
    assert_eq!(res.status, 404, "{}", res.body);
    assert_eq!(badge(&w.feed(&dana).await).as_deref(), Some("2"));

    let res = w
        .app
        .submit(
            "acme",
            &format!("/portal/notifications/{}/open", ids[0]),
            &dana,
            &[],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), "/w/acme/portal/notices");
    assert_eq!(badge(&w.feed(&dana).await).as_deref(), Some("1"));

    let res = w
        .app
        .submit("acme", "/portal/notifications/read-all", &dana, &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), "/w/acme/portal/notifications?done=all");
    let feed = w
        .app
        .get("acme", "/portal/notifications?done=all", &dana)
        .await;
    assert_eq!(badge(&feed), None);
    assert!(feed.text().contains("Everything is marked as read."));
    assert!(!feed.body.contains("Mark as read"));

    // Not an id at all: nothing there.
    let res = w
        .app
        .submit("acme", "/portal/notifications/abc/read", &dana, &[])
        .await;
    assert_eq!(res.status, 404, "{}", res.body);
}

async fn email_follows_each_contact_s_choice(backend: Backend) {
    let w = world(&backend, true).await;
    let (_, now) = w.member(w.client, "now@client.example").await;
    let (_, _daily) = w.member(w.client, "daily@client.example").await;
    let (_, never) = w.member(w.client, "never@client.example").await;
    // Invited but not yet joined: the feed has it, no email follows.
    let (_, _invited) = w
        .app
        .contact(w.ws, w.client, "invited@client.example", &[])
        .await;
    w.choose(&now, "notice_posted", "immediately").await;
    w.choose(&never, "notice_posted", "never").await;

    w.post_notice(w.client, "Launch moved to Monday").await;

    let mail = w.app.mail.as_ref().unwrap();
    let got = mail.wait_for("now@client.example", 1).await;
    assert_eq!(got[0].subject, "New notice: Launch moved to Monday");
    assert!(got[0].text.contains("Please read it before Friday."));
    assert!(
        got[0].text.contains("/w/acme/portal/notices"),
        "{}",
        got[0].text
    );
    assert!(got[0].text.contains("/w/acme/portal/notifications/email"));
    // Give the sender a moment to deliver anything else it (wrongly) had.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let others: Vec<_> = mail
        .received()
        .into_iter()
        .filter(|m| m.to != "now@client.example")
        .map(|m| m.to)
        .collect();
    assert!(
        others.is_empty(),
        "only the right-away contact is mailed now: {others:?}"
    );
    let told: i64 = w
        .app
        .db()
        .query_scalar("SELECT COUNT(*) FROM notifications WHERE client_id = $1")
        .bind(w.client)
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(told, 4, "every contact of the client has it in their feed");
}

async fn the_digest_goes_out_once_per_day(backend: Backend) {
    let w = world(&backend, true).await;
    let (_, _daily) = w.member(w.client, "daily@client.example").await;
    let (_, never) = w.member(w.client, "never@client.example").await;
    w.choose(&never, "notice_posted", "never").await;
    w.post_notice(w.client, "Brand guidelines").await;
    w.post_notice(w.client, "Invoice schedule").await;

    let now = portal_core::db::now();
    assert_eq!(
        w.app.state.digests().send_due(now).await.unwrap(),
        0,
        "entries from after today's digest time wait for tomorrow's"
    );
    let tomorrow = now + 86_400;
    assert_eq!(w.app.state.digests().send_due(tomorrow).await.unwrap(), 1);
    assert_eq!(
        w.app.state.digests().send_due(tomorrow).await.unwrap(),
        0,
        "a digest goes out once"
    );
    let mail = w.app.mail.as_ref().unwrap();
    let got = mail.wait_for("daily@client.example", 1).await;
    assert_eq!(got[0].subject, "2 updates from acme agency");
    assert!(got[0].text.contains("New notice: Brand guidelines"));
    assert!(got[0].text.contains("New notice: Invoice schedule"));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        mail.received()
            .iter()
            .all(|m| m.to == "daily@client.example"),
        "the contact who chose no email gets none"
    );
    // The next day brings only what is new.
    w.post_notice(w.client, "Kick-off notes").await;
    assert_eq!(
        w.app
            .state
            .digests()
            .send_due(tomorrow + 86_400)
            .await
            .unwrap(),
        1
    );
    let got = mail.wait_for("daily@client.example", 2).await;
    assert_eq!(got[1].subject, "1 update from acme agency");
    assert!(!got[1].text.contains("Brand guidelines"));
}

async fn email_choices_refuse_bad_input_and_list_only_receivable_kinds(backend: Backend) {
    let w = world(&backend, false).await;
    let (_, dana) = w.member(w.client, "dana@client.example").await;
    let page = w
        .app
        .get("acme", "/portal/notifications/email", &dana)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.text().contains("A new reply from the team"));
    assert!(page.text().contains("A notice from the agency"));
    // Defaults: replies right away, notices in the summary.
    assert!(page
        .body
        .contains(r#"name="reply" value="immediately" checked"#));
    assert!(page
        .body
        .contains(r#"name="notice_posted" value="daily" checked"#));

    let before = snapshot(w.app.db()).await;
    for fields in [
        vec![("reply", "sometimes"), ("notice_posted", "daily")],
        vec![("reply", "never")],
        vec![],
    ] {
        let res = w
            .app
            .submit("acme", "/portal/notifications/email", &dana, &fields)
            .await;
        assert_eq!(res.status, 400, "{fields:?}: {}", res.body);
        assert!(res.text().contains("Choose how to hear about"));
    }
    assert_eq!(snapshot(w.app.db()).await, before, "nothing changed");

    w.choose(&dana, "reply", "daily").await;
    let page = w
        .app
        .get("acme", "/portal/notifications/email", &dana)
        .await;
    assert!(page.body.contains(r#"name="reply" value="daily" checked"#));
    assert!(page
        .body
        .contains(r#"name="notice_posted" value="never" checked"#));
}

async fn the_feed_pages_back_through_older_entries(backend: Backend) {
    let w = world(&backend, false).await;
    let (dana_id, dana) = w.member(w.client, "dana@client.example").await;
    for n in 1..=35 {
        w.app
            .sql(
                &format!(
                    "INSERT INTO notifications (workspace_id, client_id, contact_id, kind, title, link, created_at) \
                     SELECT workspace_id, client_id, id, 'reply', 'Entry {n:02}', '/', 0 FROM contacts WHERE id = $1"
                ),
                dana_id,
            )
            .await;
    }
    // Written behind the cache's back: the feed itself always reads the table.
    let first = w.feed(&dana).await;
    assert!(first.text().contains("Entry 35"));
    assert!(first.text().contains("Entry 06"));
    assert!(!first.text().contains("Entry 05"));
    let start = first.body.find("notifications?before=").unwrap();
    let href: String = first.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let older = w.app.get("acme", &format!("/portal/{href}"), &dana).await;
    assert_eq!(older.status, 200, "{}", older.body);
    assert!(older.text().contains("Entry 05"));
    assert!(older.text().contains("Entry 01"));
    assert!(!older.text().contains("Entry 06"));
    assert!(
        !older.body.contains("notifications?before="),
        "no older page"
    );
    let res = w
        .app
        .get("acme", "/portal/notifications?before=x", &dana)
        .await;
    assert_eq!(res.status, 400);
}
