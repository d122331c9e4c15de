//! Feedback as a client's contact and the agency live it: sent with a category, a project
//! and a file; routed to the project's lead, the workspace's default assignee or its owner;
//! answered in a thread the contact follows (notes stay with the team); its status told to
//! the contact; turned into a task of its project — and bad input refused without a trace.

use portico_tests::{backends, snapshot, spawn_app_configured, As, Backend, Page, TestApp};

backends!(
    feedback_goes_to_the_right_inbox_and_the_contact_follows_it,
    bad_feedback_is_refused_and_leaves_nothing,
    the_api_answers_from_the_inbox,
    a_contact_who_may_not_see_projects_is_never_shown_their_names,
    one_contact_cannot_fill_the_workspace_with_attachments,
);

struct World {
    app: TestApp,
    ws: i64,
    owner: As,
    owner_id: i64,
    /// Leads the website project.
    lead: As,
    lead_id: i64,
    /// The default assignee once set.
    desk_id: i64,
    lead_bearer: As,
    client: i64,
    website: i64,
    bea: As,
    bea_id: i64,
    /// A contact of another client of the same agency.
    zed: As,
}

async fn world(backend: &Backend) -> World {
    world_with(backend, portal_core::PortalConfig::default()).await
}

async fn world_with(backend: &Backend, config: portal_core::PortalConfig) -> World {
    let app = spawn_app_configured(backend, config).await;
    let s = app
        .scenario("acme")
        .staff_owner("owner@agency.example")
        .staff("lead@agency.example", "member")
        .staff("desk@agency.example", "member")
        .client("Client Co", |c| {
            c.project("Website")
                .joined_contact("bea@client.example", &["can_view_projects"])
        })
        .client("Other Co", |c| {
            c.contact("zed@other.example", &["can_view_projects"])
        })
        .build()
        .await;
    let (owner_id, owner, _) = s.staff("owner@agency.example");
    let (lead_id, lead, lead_bearer) = s.staff("lead@agency.example");
    let desk_id = s.staff("desk@agency.example").0;
    let website = s.project("Website");
    let (bea_id, bea) = s.contact("bea@client.example");
    // The lead is set where staff set it: the project's page.
    let res = app
        .submit(
            "acme",
            &format!("/admin/projects/{website}"),
            &owner,
            &[
                ("name", "Website"),
                ("status", "in_progress"),
                ("progress", "10"),
                ("lead", &lead_id.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    World {
        app,
        ws: s.ws,
        owner,
        owner_id,
        lead,
        lead_id,
        desk_id,
        lead_bearer,
        client: s.client("Client Co"),
        website,
        bea,
        bea_id,
        zed: s.contact("zed@other.example").1,
    }
}

impl World {
    async fn category(&self, name: &str) -> i64 {
        // The form lists the workspace's categories (the defaults, the first time).
        let page = self
            .app
            .get("acme", "/portal/feedback/new", &self.bea)
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        self.app
            .db()
            .query_scalar(
                "SELECT id FROM feedback_categories WHERE workspace_id = $1 AND name = $2",
            )
            .bind(self.ws)
            .bind(name)
            .fetch_one()
            .await
            .unwrap()
    }

    async fn send(&self, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Page {
        self.app
            .upload_form("acme", "/portal/feedback", &self.bea, fields, files)
            .await
    }

    /// (assignee, status, task) of a feedback.
    async fn row(&self, id: i64) -> (Option<i64>, String, Option<i64>) {
        self.app
            .db()
            .query_as("SELECT assignee_id, status, task_id FROM feedback WHERE id = $1")
            .bind(id)
            .fetch_one()
            .await
            .unwrap()
    }

    async fn mailed(&self, to: &str) -> Vec<String> {
        self.app
            .db()
            .query_scalar("SELECT subject FROM email_outbox WHERE to_address = $1 ORDER BY id")
            .bind(to)
            .fetch_all()
            .await
            .unwrap()
    }

    async fn told_bea(&self) -> Vec<String> {
        self.app
            .db()
            .query_scalar(
                "SELECT title FROM notifications \
                 WHERE contact_id = $1 AND kind = 'feedback_update' ORDER BY id",
            )
            .bind(self.bea_id)
            .fetch_all()
            .await
            .unwrap()
    }

    async fn staff_post(&self, who: &As, path: &str, fields: &[(&str, &str)]) -> Page {
        self.app
            .submit("acme", &format!("/admin/feedback{path}"), who, fields)
            .await
    }
}

async fn feedback_goes_to_the_right_inbox_and_the_contact_follows_it(backend: Backend) {
    let w = world(&backend).await;
    let change = w.category("Change request").await;
    let question = w.category("Question").await;
    let form = w
        .app
        .get("acme", "/portal/feedback/new", &w.bea)
        .await
        .words();
    for expected in ["Bug", "Change request", "Question", "New work", "Website"] {
        assert!(form.contains(expected), "{expected}: {form}");
    }

    // About the website: the project's lead has it, with the file.
    let website = w.website.to_string();
    let change_id = change.to_string();
    let res = w
        .send(
            &[
                ("subject", "Logo too small on phones"),
                ("category", &change_id),
                ("project", &website),
                ("body", "On my phone the logo is tiny. Can it be bigger?"),
            ],
            &[("phone.png", "image/png", portico_tests::PNG)],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let first = res.location_id("feedback");
    assert_eq!(w.row(first).await, (Some(w.lead_id), "new".into(), None));
    let mailed = w.mailed("lead@agency.example").await;
    assert_eq!(mailed.len(), 1, "{mailed:?}");
    assert!(
        mailed[0].contains("bea@client.example of Client Co sent feedback: Logo too small on phones (Change request, Website)"),
        "{mailed:?}"
    );
    // The lead's inbox has it; the owner's does not, until they look at everyone's.
    let inbox = w.app.get("acme", "/admin/feedback", &w.lead).await.words();
    assert!(
        inbox.contains("Logo too small on phones Client Co"),
        "{inbox}"
    );
    let owners = w.app.get("acme", "/admin/feedback", &w.owner).await.words();
    assert!(owners.contains("Nothing waits for you here."), "{owners}");
    let all = w
        .app
        .get("acme", "/admin/feedback?view=all", &w.owner)
        .await
        .words();
    assert!(all.contains("Logo too small on phones"), "{all}");

    // Not about a project: the owner, until a default assignee is set; then them.
    let question_id = question.to_string();
    let ask = |subject: &'static str| {
        [
            ("subject", subject),
            ("category", question_id.as_str()),
            ("body", "When is the next invoice due?"),
        ]
    };
    let second = w
        .send(&ask("Invoice timing"), &[])
        .await
        .location_id("feedback");
    assert_eq!(w.row(second).await.0, Some(w.owner_id));
    let settings = w
        .app
        .get("acme", "/admin/feedback/settings", &w.owner)
        .await;
    assert_eq!(settings.status, 200, "{}", settings.body);
    assert!(
        settings.words().contains("Bug Archive Bug Change request"),
        "{}",
        settings.words()
    );
    let desk = w.desk_id.to_string();
    let res = w
        .staff_post(&w.owner, "/settings", &[("default_assignee", &desk)])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let third = w
        .send(&ask("Another question"), &[])
        .await
        .location_id("feedback");
    assert_eq!(w.row(third).await.0, Some(w.desk_id));
    // The default assignee leaves the team: new feedback goes to the owner, not to them.
    let res = w
        .app
        .submit(
            "acme",
            &format!("/admin/team/{desk}/deactivate"),
            &w.owner,
            &[],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let fourth = w
        .send(&ask("After the desk left"), &[])
        .await
        .location_id("feedback");
    assert_eq!(w.row(fourth).await.0, Some(w.owner_id));

    // The contact's side: what they sent, its status, its file.
    let list = w.app.get("acme", "/portal/feedback", &w.bea).await.words();
    assert!(
        list.contains("Logo too small on phones Change request Website New"),
        "{list}"
    );
    let file: i64 = w
        .app
        .db()
        .query_scalar("SELECT file_id FROM feedback_files WHERE feedback_id = $1")
        .bind(first)
        .fetch_one()
        .await
        .unwrap();
    let (status, _, bytes) = w
        .app
        .get_bytes(
            "acme",
            &format!("/portal/feedback/{first}/files/{file}"),
            &w.bea,
        )
        .await;
    assert_eq!((status, bytes.as_slice()), (200, portico_tests::PNG));
    // Another client's contact finds none of it.
    for path in [
        format!("/portal/feedback/{first}"),
        format!("/portal/feedback/{first}/files/{file}"),
    ] {
        assert_eq!(w.app.get("acme", &path, &w.zed).await.status, 404, "{path}");
    }
    let theirs = w.app.get("acme", "/portal/feedback", &w.zed).await.words();
    assert!(!theirs.contains("Logo"), "{theirs}");

    // The lead answers: a note (the team only), then a reply moving it on (the contact hears).
    let res = w
        .staff_post(
            &w.lead,
            &format!("/{first}/messages"),
            &[("body", "Needs the designer's time."), ("kind", "note")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(w.told_bea().await.is_empty(), "a note tells nobody");
    let res = w
        .staff_post(
            &w.lead,
            &format!("/{first}/messages"),
            &[
                ("body", "We will make it 50% larger on small screens."),
                ("kind", "reply"),
                ("status", "in_progress"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        w.told_bea().await,
        ["New reply on your feedback: Logo too small on phones"]
    );
    let page = w
        .app
        .get("acme", &format!("/portal/feedback/{first}"), &w.bea)
        .await
        .words();
    assert!(
        page.contains("In progress") && page.contains("We will make it 50% larger"),
        "{page}"
    );
    assert!(
        !page.contains("designer's time"),
        "notes stay with the team: {page}"
    );

    // Resolved: told. A follow-up from the contact opens it again and reaches the lead.
    let res = w
        .staff_post(
            &w.lead,
            &format!("/{first}/status"),
            &[("status", "resolved")],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(
        w.told_bea().await.last().map(String::as_str),
        Some("Your feedback is resolved: Logo too small on phones")
    );
    let res = w
        .app
        .submit(
            "acme",
            &format!("/portal/feedback/{first}/messages"),
            &w.bea,
            &[("body", "Still small on my tablet.")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(w.row(first).await.1, "in_progress");
    let mailed = w.mailed("lead@agency.example").await;
    assert!(
        mailed
            .last()
            .unwrap()
            .contains("wrote again on Logo too small on phones"),
        "{mailed:?}"
    );

    // Turned into project work: a task of the website, for the lead, linked; only once.
    let res = w.staff_post(&w.lead, &format!("/{first}/task"), &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let task = w.row(first).await.2.expect("linked to its task");
    let made: (i64, String, Option<i64>, bool) = w
        .app
        .db()
        .query_as("SELECT project_id, title, assignee_id, client_visible FROM tasks WHERE id = $1")
        .bind(task)
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(
        made,
        (
            w.website,
            "Logo too small on phones".to_string(),
            Some(w.lead_id),
            true
        )
    );
    let before = snapshot(w.app.db()).await;
    assert_eq!(
        w.staff_post(&w.lead, &format!("/{first}/task"), &[])
            .await
            .status,
        409
    );
    // Without a project there is nothing to add the task to.
    assert_eq!(
        w.staff_post(&w.owner, &format!("/{second}/task"), &[])
            .await
            .status,
        409
    );
    assert_eq!(snapshot(w.app.db()).await, before);

    // Handed over: the new assignee is emailed.
    let lead = w.lead_id.to_string();
    let res = w
        .staff_post(
            &w.owner,
            &format!("/{second}/assign"),
            &[("assignee", &lead)],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(w.row(second).await.0, Some(w.lead_id));
    assert!(w
        .mailed("lead@agency.example")
        .await
        .last()
        .unwrap()
        .contains("gave you feedback from Client Co: Invoice timing"));
    let _ = w.client;
}

async fn bad_feedback_is_refused_and_leaves_nothing(backend: Backend) {
    let w = world(&backend).await;
    let change = w.category("Change request").await.to_string();
    let archived = w.category("Bug").await;
    let res = w
        .staff_post(
            &w.owner,
            &format!("/categories/{archived}"),
            &[("archived", "true")],
        )
        .await;
    assert_eq!(res.status, 303);
    let other_client = w.app.client(w.ws, "Third Co").await;
    let not_hers = w
        .app
        .project(w.ws, other_client, "Secret")
        .await
        .to_string();
    let archived = archived.to_string();
    let website = w.website.to_string();
    let long = "x".repeat(portico_feedback::MAX_TEXT + 1);
    let before = snapshot(w.app.db()).await;
    for (fields, why) in [
        (
            vec![("category", change.as_str()), ("body", "No subject")],
            "Enter the subject.",
        ),
        (
            vec![
                ("subject", "S"),
                ("category", change.as_str()),
                ("body", " "),
            ],
            "Write your message.",
        ),
        (
            vec![("subject", "S"), ("category", "nine"), ("body", "B")],
            "Choose one of the categories.",
        ),
        (
            vec![
                ("subject", "S"),
                ("category", archived.as_str()),
                ("body", "B"),
            ],
            "Choose one of the categories.",
        ),
        (
            vec![
                ("subject", "S"),
                ("category", change.as_str()),
                ("project", not_hers.as_str()),
                ("body", "B"),
            ],
            "Choose one of your projects.",
        ),
        (
            vec![
                ("subject", "S"),
                ("category", change.as_str()),
                ("project", website.as_str()),
                ("body", long.as_str()),
            ],
            "at most 5000 characters",
        ),
    ] {
        // With a file too: refused before it is stored.
        let res = w
            .send(&fields, &[("shot.png", "image/png", portico_tests::PNG)])
            .await;
        assert_eq!(res.status, 400, "{why}: {}", res.body);
        assert!(res.words().contains(why), "{why}: {}", res.words());
    }
    // Too many files: the ones stored before the refusal are taken away again.
    let eleven: Vec<(&str, &str, &[u8])> = (0..11)
        .map(|_| ("shot.png", "image/png", portico_tests::PNG))
        .collect();
    let res = w
        .send(
            &[
                ("subject", "S"),
                ("category", change.as_str()),
                ("body", "B"),
            ],
            &eleven,
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.body);
    assert!(res.words().contains("Attach at most 10 files."));
    assert_eq!(snapshot(w.app.db()).await, before);

    // Staff: an unknown status or assignee changes nothing either.
    let ok = w
        .send(
            &[
                ("subject", "Fine"),
                ("category", change.as_str()),
                ("body", "B"),
            ],
            &[],
        )
        .await;
    let id = ok.location_id("feedback");
    let before = snapshot(w.app.db()).await;
    for (path, fields) in [
        (format!("/{id}/status"), vec![("status", "done")]),
        (format!("/{id}/assign"), vec![("assignee", "99999")]),
        (format!("/{id}/assign"), vec![("assignee", "someone")]),
        (
            format!("/{id}/messages"),
            vec![("body", ""), ("kind", "reply")],
        ),
        ("/categories".to_string(), vec![("name", "")]),
    ] {
        let res = w.staff_post(&w.owner, &path, &fields).await;
        assert_eq!(res.status, 400, "{path}: {}", res.body);
    }
    // Members look at the settings; only owners and admins change them.
    let res = w
        .staff_post(&w.lead, "/settings", &[("default_assignee", "")])
        .await;
    assert_eq!(res.status, 403);
    assert_eq!(snapshot(w.app.db()).await, before);
}

async fn the_api_answers_from_the_inbox(backend: Backend) {
    let w = world(&backend).await;
    let change = w.category("Change request").await.to_string();
    let website = w.website.to_string();
    let id = w
        .send(
            &[
                ("subject", "Footer address"),
                ("category", &change),
                ("project", &website),
                ("body", "Please add our new office."),
            ],
            &[],
        )
        .await
        .location_id("feedback");
    let json = |page: Page| serde_json::from_str::<serde_json::Value>(&page.body).unwrap();
    let mine = json(
        w.app
            .get("acme", "/api/feedback?assignee=me", &w.lead_bearer)
            .await,
    );
    assert_eq!(mine["feedback"][0]["id"], id);
    assert_eq!(mine["feedback"][0]["project"]["name"], "Website");
    assert_eq!(mine["feedback"][0]["contact"]["name"], "bea@client.example");

    let As::Bearer(token) = &w.lead_bearer else {
        unreachable!()
    };
    let auth = format!("Bearer {token}");
    let post = |path: String, body: &'static str| {
        let auth = auth.clone();
        let app = &w.app;
        async move {
            app.request_raw(
                "POST",
                &format!("/w/acme/api/feedback{path}"),
                &[
                    ("authorization", &auth),
                    ("content-type", "application/json"),
                ],
                Some(body.to_string()),
            )
            .await
        }
    };
    let res = post(
        format!("/{id}/messages"),
        r#"{"body": "Internal: check the address with sales.", "kind": "note"}"#,
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let res = post(
        format!("/{id}/messages"),
        r#"{"body": "Done on staging.", "status": "resolved"}"#,
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let shown = json(res);
    assert_eq!(shown["status"], "resolved");
    let notes: Vec<bool> = shown["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["note"].as_bool().unwrap())
        .collect();
    assert_eq!(notes, [true, false]);
    assert_eq!(
        w.told_bea().await,
        ["New reply on your feedback: Footer address"]
    );
    let before = snapshot(w.app.db()).await;
    for (path, body) in [
        (format!("/{id}/status"), r#"{"status": "finished"}"#),
        (format!("/{id}/messages"), r#"{"body": ""}"#),
        (format!("/{id}/messages"), "not json"),
        (format!("/{id}/assign"), r#"{"assignee": "x"}"#),
    ] {
        assert_eq!(post(path.clone(), body).await.status, 400, "{path} {body}");
    }
    assert_eq!(snapshot(w.app.db()).await, before);
    let res = post(format!("/{id}/task"), "").await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert!(json(res)["task_id"].as_i64().is_some());
}

/// PostgreSQL's second wall: a client's scope never reads a note, nor another client's
/// feedback, even by a query that forgets every filter.
#[tokio::test]
async fn notes_stay_behind_the_wall() {
    use portal_core::db::ScopedTx;
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let w = world(&backend).await;
    let change = w.category("Change request").await.to_string();
    let id = w
        .send(
            &[("subject", "S"), ("category", &change), ("body", "B")],
            &[],
        )
        .await
        .location_id("feedback");
    for (body, kind) in [("Team only", "note"), ("For you", "reply")] {
        let res = w
            .staff_post(
                &w.owner,
                &format!("/{id}/messages"),
                &[("body", body), ("kind", kind)],
            )
            .await;
        assert_eq!(res.status, 303);
    }
    let mut tx = ScopedTx::begin(w.app.db(), w.ws, w.client).await.unwrap();
    let bodies: Vec<String> = tx
        .query_scalar("SELECT body FROM feedback_messages")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(bodies, ["For you"]);
    tx.commit().await.unwrap();
    let other = w.app.client(w.ws, "Other").await;
    let mut tx = ScopedTx::begin(w.app.db(), w.ws, other).await.unwrap();
    let seen: Vec<i64> = tx
        .query_scalar("SELECT id FROM feedback")
        .fetch_all()
        .await
        .unwrap();
    assert!(seen.is_empty());
    tx.commit().await.unwrap();
}

/// A colleague without "see projects" reads the client's feedback, but no project name on the
/// form, in the list or in a thread, and cannot file feedback under a project.
async fn a_contact_who_may_not_see_projects_is_never_shown_their_names(backend: Backend) {
    let w = world(&backend).await;
    let change = w.category("Change request").await.to_string();
    let website = w.website.to_string();
    let res = w
        .send(
            &[
                ("subject", "Logo too small on phones"),
                ("category", &change),
                ("project", &website),
                ("body", "Can it be bigger?"),
            ],
            &[],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let id = res.location_id("feedback");
    let (_, fin) = w
        .app
        .contact(w.ws, w.client, "fin@client.example", &[])
        .await;
    let form = w.app.get("acme", "/portal/feedback/new", &fin).await;
    assert_eq!(form.status, 200);
    assert!(!form.words().contains("Website"), "{}", form.words());
    let list = w.app.get("acme", "/portal/feedback", &fin).await.words();
    assert!(list.contains("Logo too small on phones"), "{list}");
    assert!(!list.contains("Website"), "{list}");
    let thread = w
        .app
        .get("acme", &format!("/portal/feedback/{id}"), &fin)
        .await
        .words();
    assert!(thread.contains("Can it be bigger?"), "{thread}");
    assert!(!thread.contains("Website"), "{thread}");
    // Bea, who may, still sees it.
    let hers = w.app.get("acme", "/portal/feedback", &w.bea).await.words();
    assert!(hers.contains("Website"), "{hers}");
    // Bea loses "see projects": her thread stays hers, and so does the news of its reply.
    w.app
        .sql(
            "DELETE FROM contact_permissions WHERE contact_id = $1",
            w.bea_id,
        )
        .await;
    let reply = [("body", "Done: it is larger now."), ("kind", "reply")];
    let res = w
        .staff_post(&w.lead, &format!("/{id}/messages"), &reply)
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let feed = w.app.get("acme", "/portal/notifications", &w.bea).await;
    assert!(
        feed.words()
            .contains("New reply on your feedback: Logo too small on phones"),
        "{}",
        feed.words()
    );
    assert_eq!(feed.unread_badge().as_deref(), Some("1"));

    let before = snapshot(w.app.db()).await;
    let res = w
        .app
        .upload_form(
            "acme",
            "/portal/feedback",
            &fin,
            &[
                ("subject", "Another"),
                ("category", &change),
                ("project", &website),
                ("body", "About the website"),
            ],
            &[],
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.body);
    assert!(res.words().contains("Choose one of your projects"));
    assert_eq!(snapshot(w.app.db()).await, before, "nothing was sent");
}

/// A contact sending file after file is slowed at their hourly budget (told when to go on),
/// and feedback attachments together never take more than a fifth of the plan's storage:
/// past either, the file is refused, nothing is kept, and words alone still go through.
async fn one_contact_cannot_fill_the_workspace_with_attachments(backend: Backend) {
    let config = portal_core::PortalConfig {
        contact_upload_mb_per_hour: 1,
        ..Default::default()
    };
    let w = world_with(&backend, config).await;
    let category = w.category("Question").await.to_string();
    let fields = [
        ("subject", "Screens"),
        ("category", category.as_str()),
        ("body", "See the attached."),
    ];
    let shot = vec![0u8; 600 * 1024];
    let mut png = portico_tests::PNG.to_vec();
    png.extend_from_slice(&shot);
    let res = w.send(&fields, &[("shot.png", "image/png", &png)]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    // The second would pass the hour's megabyte: cut off while it streams.
    let before = snapshot(w.app.db()).await;
    let res = w.send(&fields, &[("shot.png", "image/png", &png)]).await;
    assert_eq!(res.status, 429, "{}", res.body);
    assert!(
        res.words().contains("Please wait 60 minutes"),
        "{}",
        res.words()
    );
    assert!(res.headers.contains_key("retry-after"));
    assert_eq!(snapshot(w.app.db()).await, before, "nothing kept");
    // Words alone are not files: they still reach the team.
    assert_eq!(w.send(&fields, &[]).await.status, 303);

    // The workspace's attachments fill their fifth of Growth's storage (here, through the
    // table): the next file is refused with the reason, the team's own uploads go on.
    let w = world(&backend).await;
    let category = w.category("Question").await.to_string();
    let fields = [
        ("subject", "Screens"),
        ("category", category.as_str()),
        ("body", "See the attached."),
    ];
    let first = w.send(&fields, &[]).await.location_id("feedback");
    let quota_mb = w
        .app
        .state
        .catalogue
        .plan("growth")
        .and_then(|p| p.limits.storage_mb)
        .unwrap();
    let filler = quota_mb * 1024 * 1024 / 5 - 100;
    let sql = format!(
        "INSERT INTO files (workspace_id, client_id, storage_key, name, content_type, size, uploaded_by, created_at) \
         VALUES ($1, {}, 'ws/x/filler', 'filler.png', 'image/png', {filler}, 'test', 0)",
        w.client
    );
    w.app.sql(&sql, w.ws).await;
    let link = format!(
        "INSERT INTO feedback_files (workspace_id, client_id, feedback_id, file_id) \
         SELECT workspace_id, client_id, {first}, id FROM files WHERE name = 'filler.png' AND workspace_id = $1"
    );
    w.app.sql(&link, w.ws).await;
    let before = snapshot(w.app.db()).await;
    let res = w.send(&fields, &[("shot.png", "image/png", &png)]).await;
    assert_eq!(res.status, 413, "{}", res.body);
    assert!(
        res.words()
            .contains("Attachments to feedback may take 10.0 GB in all"),
        "{}",
        res.words()
    );
    assert_eq!(snapshot(w.app.db()).await, before, "nothing kept");
    let staff = w
        .app
        .upload(
            "acme",
            "/admin/files",
            &w.owner,
            &[("brief.png", "image/png", &png)],
        )
        .await;
    assert_eq!(
        staff.status, 303,
        "the team's space is theirs: {}",
        staff.body
    );
}
