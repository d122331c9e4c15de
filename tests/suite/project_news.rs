//! What the projects module tells contacts and logs: the team's replies, tasks moved to Done,
//! project updates — to exactly the contacts who can see the project, never about a note —
//! and the activity behind the staff's figures (views, comments, the team's answers).

use portico_tests::{backends, cookie_value, spawn_app_with, As, Backend, Options, Page, TestApp};

backends!(
    a_team_reply_reaches_exactly_those_who_see_the_project,
    a_note_tells_no_one,
    tasks_done_and_project_updates_are_announced_when_they_change,
    views_comments_and_answers_make_the_figures,
    a_reply_taken_back_takes_its_news_along,
    views_of_pages_opened_at_once_are_each_logged,
);

const NOTE_TEXT: &str = "Budget is tight, push the extra page to phase two";

struct World {
    app: TestApp,
    staff: As,
    project: i64,
    task: i64,
    internal_task: i64,
    /// can_view_projects + can_add_comments, all projects.
    dana: (i64, As),
    /// No can_view_projects.
    finn: (i64, As),
    /// Limited to the other project.
    lena: (i64, As),
    /// Another client's contact who sees everything of theirs.
    bob: (i64, As),
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
    let all = ["can_view_projects", "can_add_comments"];
    let s = app
        .scenario("acme")
        .staff_owner("owner@agency.example")
        .client("Client A", |c| {
            c.project_at("Website", 30)
                .project_at("Campaign", 30)
                .joined_contact("dana@a.example", &all)
                .joined_contact("finn@a.example", &["can_add_comments"])
                .joined_contact("lena@a.example", &all)
                .limited_to(&["Campaign"])
        })
        .client("Client B", |c| {
            c.project_at("B's project", 30)
                .joined_contact("bob@b.example", &all)
        })
        .build()
        .await;
    let mut w = World {
        staff: s.staff("owner@agency.example").1,
        project: s.project("Website"),
        task: 0,
        internal_task: 0,
        dana: s.contact("dana@a.example"),
        finn: s.contact("finn@a.example"),
        lena: s.contact("lena@a.example"),
        bob: s.contact("bob@b.example"),
        app,
    };
    w.task = w.add_task("Homepage design", true).await;
    w.internal_task = w.add_task("Margin check", false).await;
    w
}

impl World {
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.app.submit("acme", path, &self.staff, fields).await
    }

    async fn add_task(&self, title: &str, visible: bool) -> i64 {
        let mut fields = vec![
            ("title", title),
            ("description", ""),
            ("internal_notes", ""),
            ("status", "in_progress"),
            ("priority", "normal"),
            ("assignee", ""),
            ("due_date", ""),
        ];
        if visible {
            fields.push(("client_visible", "on"));
        }
        let res = self
            .post(&format!("/admin/projects/{}/tasks", self.project), &fields)
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        res.location()
            .rsplit("#task-")
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    async fn staff_comment(&self, kind: &str, body: &str, task: Option<i64>) {
        let task = task.map(|t| t.to_string()).unwrap_or_default();
        let res = self
            .post(
                &format!("/admin/projects/{}/comments", self.project),
                &[("kind", kind), ("body", body), ("task", &task)],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
    }

    /// What staff read on the page of Dana's client.
    async fn client_page(&self) -> String {
        let client: i64 = self
            .app
            .db()
            .query_scalar("SELECT client_id FROM contacts WHERE id = $1")
            .bind(self.dana.0)
            .fetch_one()
            .await
            .unwrap();
        self.app
            .get("acme", &format!("/admin/clients/{client}"), &self.staff)
            .await
            .words()
    }

    async fn titles(&self, contact: i64) -> Vec<String> {
        self.app
            .db()
            .query_scalar("SELECT title FROM notifications WHERE contact_id = $1 ORDER BY id")
            .bind(contact)
            .fetch_all()
            .await
            .unwrap()
    }
}

async fn a_team_reply_reaches_exactly_those_who_see_the_project(backend: Backend) {
    let w = world(&backend, true).await;
    w.staff_comment("reply", "The homepage is ready for your review.", None)
        .await;
    w.staff_comment("reply", "Mock-ups are attached.", Some(w.task))
        .await;

    assert_eq!(
        w.titles(w.dana.0).await,
        [
            "owner@agency.example replied on Website",
            "owner@agency.example replied on Homepage design"
        ]
    );
    for (who, why) in [
        (w.finn.0, "cannot view projects"),
        (w.lena.0, "limited to another project"),
        (w.bob.0, "another client's"),
    ] {
        assert!(w.titles(who).await.is_empty(), "{why}");
    }
    // Replies come right away by default, with the text and a link to the reply.
    let mail = w.app.mail.as_ref().unwrap();
    let got = mail.wait_for("dana@a.example", 2).await;
    assert_eq!(got[0].subject, "owner@agency.example replied on Website");
    assert!(got[0]
        .text
        .contains("The homepage is ready for your review."));
    assert!(
        got[0]
            .text
            .contains(&format!("/w/acme/portal/projects/{}#reply-", w.project)),
        "{}",
        got[0].text
    );
    // The feed entry opens the reply.
    let page = w.app.get("acme", "/portal/notifications", &w.dana.1).await;
    assert!(page
        .words()
        .contains("The homepage is ready for your review."));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        mail.received().iter().all(|m| m.to == "dana@a.example"),
        "nobody else is mailed"
    );
}

async fn a_note_tells_no_one(backend: Backend) {
    let w = world(&backend, false).await;
    // The contacts' own sign-ins are in the log already; a note must add nothing to it.
    let activity = || async {
        w.app.state.looks.flush().await;
        w.app
            .db()
            .query_scalar::<i64>("SELECT COUNT(*) FROM activity")
            .fetch_one()
            .await
            .unwrap()
    };
    let logged_before = activity().await;
    w.staff_comment("note", NOTE_TEXT, None).await;
    w.staff_comment("note", NOTE_TEXT, Some(w.task)).await;
    w.staff_comment("note", NOTE_TEXT, Some(w.internal_task))
        .await;
    let told: i64 = w
        .app
        .db()
        .query_scalar("SELECT COUNT(*) FROM notifications")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(told, 0, "a note notifies nobody");
    let mailed: i64 = w
        .app
        .db()
        .query_scalar(
            "SELECT COUNT(*) FROM email_outbox \
             WHERE text_body LIKE '%Budget%' OR html_body LIKE '%Budget%' \
             OR subject LIKE '%Budget%'",
        )
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(mailed, 0, "no email carries a note");
    assert_eq!(
        activity().await,
        logged_before,
        "a note is not an answer to the client"
    );
    let page = w.app.get("acme", "/portal/notifications", &w.dana.1).await;
    assert!(!page.text().contains("Budget is tight"));
    // A reply on an internal task is refused outright: the client could never see it.
    let res = w
        .post(
            &format!("/admin/projects/{}/comments", w.project),
            &[
                ("kind", "reply"),
                ("body", "hello"),
                ("task", &w.internal_task.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.body);
}

async fn tasks_done_and_project_updates_are_announced_when_they_change(backend: Backend) {
    let w = world(&backend, false).await;
    let status = |task: i64| format!("/admin/projects/{}/tasks/{task}/status", w.project);
    // Internal work being done is nobody's news; a visible task moved to Done is, once.
    for task in [w.internal_task, w.task, w.task] {
        let res = w.post(&status(task), &[("status", "done")]).await;
        assert_eq!(res.status, 303, "{}", res.body);
    }
    assert_eq!(w.titles(w.dana.0).await, ["Done: Homepage design"]);
    // Back to in review and done again is news again.
    w.post(&status(w.task), &[("status", "in_review")]).await;
    assert_eq!(w.titles(w.dana.0).await.len(), 1);

    let update = |status: &'static str, progress: &'static str, name: &'static str| {
        vec![
            ("name", name),
            ("description", ""),
            ("status", status),
            ("start_date", ""),
            ("due_date", ""),
            ("progress", progress),
        ]
    };
    let path = format!("/admin/projects/{}", w.project);
    // A new name only: not an update the client is told about.
    let res = w
        .post(&path, &update("in_progress", "30", "Website 2.0"))
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(w.titles(w.dana.0).await.len(), 1);
    w.post(&path, &update("in_progress", "60", "Website 2.0"))
        .await;
    w.post(&path, &update("in_review", "60", "Website 2.0"))
        .await;
    let titles = w.titles(w.dana.0).await;
    assert_eq!(
        titles[1..],
        ["Website 2.0 is 60% done", "Website 2.0 is now in review"]
    );
    // Project news lands in the daily summary by default, and the feed says what changed.
    let pending: i64 = w
        .app
        .db()
        .query_scalar("SELECT COUNT(*) FROM notifications WHERE contact_id = $1 AND digest_pending")
        .bind(w.dana.0)
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(pending, 3);
    let page = w.app.get("acme", "/portal/notifications", &w.dana.1).await;
    assert!(
        page.words().contains("Progress: 30% → 60%."),
        "{}",
        page.words()
    );
    assert!(w.titles(w.lena.0).await.is_empty());
    assert!(w.titles(w.finn.0).await.is_empty());
}

async fn views_comments_and_answers_make_the_figures(backend: Backend) {
    let w = world(&backend, false).await;
    let detail = format!("/portal/projects/{}", w.project);
    let page = w.app.get("acme", &detail, &w.dana.1).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let res = w
        .app
        .submit(
            "acme",
            &format!("{detail}/replies"),
            &w.dana.1,
            &[("body", "Can we see the mobile version?")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    let text = w.client_page().await;
    assert!(text.contains("dana@a.example viewed Website"), "{text}");
    assert!(
        text.contains("dana@a.example commented on Website"),
        "{text}"
    );
    assert!(text.contains("1 waiting for an answer"), "{text}");
    assert!(text.contains("No answered comments yet"), "{text}");

    w.staff_comment("reply", "Yes, tomorrow.", None).await;
    let text = w.client_page().await;
    assert!(
        text.contains("owner@agency.example Team replied on Website"),
        "{text}"
    );
    assert!(!text.contains("waiting for an answer"), "{text}");
    assert!(
        text.contains("Time to answer their comments under a minute"),
        "{text}"
    );

    // A staff preview of Dana's portal is not Dana's activity.
    w.app.state.looks.flush().await;
    let before: i64 = w
        .app
        .db()
        .query_scalar("SELECT COUNT(*) FROM activity")
        .fetch_one()
        .await
        .unwrap();
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
    let page = w.app.get("acme", &detail, &preview).await;
    assert_eq!(page.status, 200);
    w.app.state.looks.flush().await;
    let after: i64 = w
        .app
        .db()
        .query_scalar("SELECT COUNT(*) FROM activity")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(after, before, "previews are not logged as the contact");
}

async fn a_reply_taken_back_takes_its_news_along(backend: Backend) {
    // No mail server: what is queued stays queued, as it would for a moment in real life.
    let w = world(&backend, false).await;
    let res = w
        .post(
            &format!("/admin/projects/{}/comments", w.project),
            &[
                ("kind", "reply"),
                ("body", "Internal margin is 40%, do not tell them"),
                ("task", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let comment: i64 = res
        .location()
        .rsplit("#comment-")
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let queued = |w: &World| {
        let db = w.app.db().clone();
        async move {
            db.query_scalar::<i64>(
                "SELECT COUNT(*) FROM email_outbox \
                 WHERE text_body LIKE '%margin%' AND sent_at IS NULL",
            )
            .fetch_one()
            .await
            .unwrap()
        }
    };
    assert_eq!(queued(&w).await, 1, "dana's email waits to be sent");
    assert_eq!(w.titles(w.dana.0).await.len(), 1);

    // Edited: the feed says what it says now.
    let edit = format!("/admin/projects/{}/comments/{comment}", w.project);
    let res = w.post(&edit, &[("body", "The homepage is ready.")]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let feed = w.app.get("acme", "/portal/notifications", &w.dana.1).await;
    assert!(feed.words().contains("The homepage is ready."));
    assert!(!feed.words().contains("margin"));

    // Deleted: gone from the feed, and the unsent email with it.
    let res = w.post(&format!("{edit}/delete"), &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(w.titles(w.dana.0).await.is_empty());
    assert_eq!(queued(&w).await, 0, "the email is not sent");
    let feed = w.app.get("acme", "/portal/notifications", &w.dana.1).await;
    assert!(!feed.words().contains("replied on Website"));
}

/// Views are written off the request path, a batch at a time: each of many pages opened at
/// once is logged, and the staff's page, opened right after, already shows them.
async fn views_of_pages_opened_at_once_are_each_logged(backend: Backend) {
    let w = world(&backend, false).await;
    let detail = format!("/portal/projects/{}", w.project);
    let pages =
        futures_util::future::join_all((0..40).map(|_| w.app.get("acme", &detail, &w.dana.1)))
            .await;
    assert!(pages.iter().all(|p| p.status == 200));

    let text = w.client_page().await;
    assert!(text.contains("dana@a.example viewed Website"), "{text}");
    let views: i64 = w
        .app
        .db()
        .query_scalar("SELECT COUNT(*) FROM activity WHERE action = 'view' AND subject = $1")
        .bind(format!("project:{}", w.project))
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(views, 40);
}
