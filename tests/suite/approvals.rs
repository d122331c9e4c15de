//! Deliverable approvals, as the team and the client live them: a draft the client never
//! sees, a version sent for review to exactly the contacts who may decide, a revision asked
//! for with what must change, the next version, the approval that locks it all — every step
//! in the history — and every refusal on the way: permissions, the read-only tier, stale and
//! simultaneous decisions on both backends.

use portico_tests::{backends, snapshot, spawn_app, As, Backend, Page, TestApp};

backends!(
    a_deliverable_goes_round_until_approved_then_locks,
    only_the_contacts_who_may_decide_are_asked_and_can_act,
    of_two_decisions_at_once_exactly_one_applies,
    the_read_only_tier_shows_everything_and_acts_on_nothing,
    comments_reach_the_other_side,
    the_api_opens_and_sends_a_request,
    drafts_are_edited_trimmed_and_deleted,
    a_deliverable_holds_only_its_client_s_or_the_agency_s_files,
    a_workspace_with_deliverables_can_still_be_deleted,
);

const PNG: &[u8] = include_bytes!("../../modules/approvals/assets/mockup.png");

struct World {
    app: TestApp,
    ws: i64,
    staff: As,
    bearer: As,
    client: i64,
    project: i64,
    /// May approve (and comment), and has accepted the invitation (gets email).
    ann: As,
    ann_id: i64,
    /// May see the work, not decide on it.
    vic: As,
    vic_id: i64,
}

const APPROVER: &[&str] = &["can_view_projects", "can_approve_work", "can_add_comments"];

async fn world(backend: &Backend, plan: &str) -> World {
    let app = spawn_app(backend).await;
    let s = app
        .scenario("acme")
        .plan(plan)
        .staff_owner("owner@agency.example")
        .client("Client Co", |c| {
            c.project("Website")
                .joined_contact("ann@client.example", APPROVER)
                .joined_contact("vic@client.example", &["can_view_projects"])
        })
        .build()
        .await;
    let (_, staff, bearer) = s.staff("owner@agency.example");
    let (ann_id, ann) = s.contact("ann@client.example");
    let (vic_id, vic) = s.contact("vic@client.example");
    World {
        app,
        ws: s.ws,
        staff,
        bearer,
        client: s.client("Client Co"),
        project: s.project("Website"),
        ann,
        ann_id,
        vic,
        vic_id,
    }
}

impl World {
    /// A draft on the project, opened from the admin; its id.
    async fn draft(&self, title: &str) -> i64 {
        let project = self.project.to_string();
        let res = self
            .app
            .submit(
                "acme",
                "/admin/approvals",
                &self.staff,
                &[
                    ("project", &project),
                    ("title", title),
                    ("description", "Desktop and phone."),
                    ("due_date", "2030-01-31"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        res.location_id("approvals")
    }

    async fn upload(&self, id: i64, name: &str) -> Page {
        self.app
            .upload(
                "acme",
                &format!("/admin/approvals/{id}/files"),
                &self.staff,
                &[(name, "image/png", PNG)],
            )
            .await
    }

    async fn staff_post(&self, id: i64, step: &str, fields: &[(&str, &str)]) -> Page {
        self.app
            .submit(
                "acme",
                &format!("/admin/approvals/{id}/{step}"),
                &self.staff,
                fields,
            )
            .await
    }

    /// A draft with one file, sent for review.
    async fn sent(&self, title: &str) -> i64 {
        let id = self.draft(title).await;
        assert_eq!(self.upload(id, "Mockup.png").await.status, 303);
        let res = self.staff_post(id, "submit", &[]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        id
    }

    async fn decide(&self, who: &As, id: i64, step: &str, fields: &[(&str, &str)]) -> Page {
        self.app
            .submit(
                "acme",
                &format!("/portal/approvals/{id}/{step}"),
                who,
                fields,
            )
            .await
    }

    async fn status(&self, id: i64) -> (String, i64) {
        self.app
            .db()
            .query_as("SELECT status, CAST(version AS BIGINT) FROM approvals WHERE id = $1")
            .bind(id)
            .fetch_one()
            .await
            .unwrap()
    }

    async fn history(&self, id: i64) -> Vec<(String, i64, String)> {
        self.app
            .db()
            .query_as(
                "SELECT kind, CAST(version AS BIGINT), actor FROM approval_events \
                 WHERE approval_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all()
            .await
            .unwrap()
    }

    /// Contacts told, by kind.
    async fn notified(&self, kind: &str) -> Vec<i64> {
        self.app
            .db()
            .query_scalar(
                "SELECT contact_id FROM notifications WHERE kind = $1 ORDER BY contact_id",
            )
            .bind(kind)
            .fetch_all()
            .await
            .unwrap()
    }

    /// Emails queued: (to, subject).
    async fn mails(&self) -> Vec<(String, String)> {
        self.app
            .db()
            .query_as("SELECT to_address, subject FROM email_outbox ORDER BY id")
            .fetch_all()
            .await
            .unwrap()
    }

    async fn file_of_named(&self, id: i64, name: &str) -> i64 {
        self.app
            .db()
            .query_scalar(
                "SELECT af.file_id FROM approval_files af JOIN files f ON f.id = af.file_id \
             WHERE af.approval_id = $1 AND f.name = $2",
            )
            .bind(id)
            .bind(name)
            .fetch_one()
            .await
            .unwrap()
    }

    async fn file_of(&self, id: i64, version: i64) -> i64 {
        self.app
            .db()
            .query_scalar(
                "SELECT af.file_id FROM approval_files af \
                 JOIN approval_versions v ON v.id = af.version_id \
                 WHERE af.approval_id = $1 AND v.number = $2",
            )
            .bind(id)
            .bind(version)
            .fetch_one()
            .await
            .unwrap()
    }
}

async fn a_deliverable_goes_round_until_approved_then_locks(backend: Backend) {
    let w = world(&backend, "growth").await;
    let id = w.draft("Homepage mockups").await;
    let page = format!("/portal/approvals/{id}");

    // A draft: the client sees nothing of it, in the list or by its address.
    let list = w.app.get("acme", "/portal/approvals", &w.ann).await;
    assert!(
        !list.words().contains("Homepage mockups"),
        "{}",
        list.words()
    );
    assert_eq!(w.app.get("acme", &page, &w.ann).await.status, 404);
    // Nothing to review yet: sending it is refused and changes nothing.
    let before = snapshot(w.app.db()).await;
    let res = w.staff_post(id, "submit", &[]).await;
    assert_eq!(res.status, 400);
    assert!(res
        .words()
        .contains("Add the files of the new version first"));
    assert_eq!(snapshot(w.app.db()).await, before);

    assert_eq!(w.upload(id, "Mockup v1.png").await.status, 303);
    let draft_file = format!("/portal/approvals/{id}/files/{}", w.file_of(id, 1).await);
    assert_eq!(w.app.get("acme", &draft_file, &w.ann).await.status, 404);
    assert_eq!(w.staff_post(id, "submit", &[]).await.status, 303);
    assert_eq!(w.status(id).await, ("pending".into(), 1));
    // With the client, its files and its existence stay as sent.
    let before = snapshot(w.app.db()).await;
    assert_eq!(w.upload(id, "Sneaky.png").await.status, 409);
    assert_eq!(w.staff_post(id, "delete", &[]).await.status, 409);
    assert_eq!(snapshot(w.app.db()).await, before);

    // Ann reviews it: the file is in the page, the decision controls are there.
    let shown = w.app.get("acme", &page, &w.ann).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    let v1 = w.file_of(id, 1).await;
    let src = format!("/w/acme/portal/approvals/{id}/files/{v1}");
    assert!(
        shown
            .text()
            .contains(&format!(r#"<img src="{src}" alt="Mockup v1.png">"#)),
        "{}",
        shown.text()
    );
    let words = shown.words();
    assert!(
        words.contains("Pending") && words.contains("Approve version 1"),
        "{words}"
    );
    let file = w
        .app
        .get(
            "acme",
            &format!("/portal/approvals/{id}/files/{v1}"),
            &w.ann,
        )
        .await;
    assert_eq!(file.status, 200);
    assert_eq!(file.headers["content-type"], "image/png");

    // A revision needs to say what must change.
    let before = snapshot(w.app.db()).await;
    let res = w
        .decide(
            &w.ann,
            id,
            "revision",
            &[("version", "1"), ("comment", "  ")],
        )
        .await;
    assert_eq!(res.status, 400);
    assert!(res.words().contains("Say what must change"));
    assert_eq!(snapshot(w.app.db()).await, before, "nothing changed");
    let res = w
        .decide(
            &w.ann,
            id,
            "revision",
            &[("version", "1"), ("comment", "Bigger logo, please.")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(w.status(id).await, ("revision_requested".into(), 1));
    // The team member who sent it is emailed, with the client's words.
    let mails = w.mails().await;
    assert!(
        mails
            .iter()
            .any(|(to, subject)| to == "owner@agency.example"
                && subject.contains("ann@client.example asked for changes to Homepage mockups")),
        "{mails:?}"
    );
    let list = w.app.get("acme", "/portal/approvals", &w.ann).await.words();
    assert!(
        list.contains("Homepage mockups Website Revision Requested"),
        "{list}"
    );

    // The next version: prepared out of the client's sight, then sent.
    assert_eq!(w.upload(id, "Mockup v2.png").await.status, 303);
    assert_eq!(
        w.status(id).await,
        ("revision_requested".into(), 1),
        "not counted until sent"
    );
    let words = w
        .app
        .get("acme", &page, &w.ann)
        .await
        .words()
        .to_lowercase();
    assert!(
        !words.contains("mockup v2.png") && !words.contains("version 2"),
        "{words}"
    );
    // Nor does its file answer by address until it is sent.
    let v2_path = format!("/portal/approvals/{id}/files/{}", w.file_of(id, 2).await);
    assert_eq!(w.app.get("acme", &v2_path, &w.ann).await.status, 404);
    assert_eq!(w.staff_post(id, "submit", &[]).await.status, 303);
    assert_eq!(w.status(id).await, ("pending".into(), 2));
    assert_eq!(w.app.get("acme", &v2_path, &w.ann).await.status, 200);
    let told: Vec<String> = w
        .app
        .db()
        .query_scalar(
            "SELECT title FROM notifications WHERE kind = 'approval_requested' ORDER BY id",
        )
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(
        told,
        [
            "Homepage mockups is ready for your review",
            "Version 2 of Homepage mockups is ready for your review"
        ]
    );

    // A decision on the version Ann had open before is stale: refused, said plainly.
    let before = snapshot(w.app.db()).await;
    let res = w.decide(&w.ann, id, "approve", &[("version", "1")]).await;
    assert_eq!(res.status, 409);
    assert!(
        res.words()
            .contains("Version 2 arrived while you were looking at version 1"),
        "{}",
        res.words()
    );
    assert_eq!(snapshot(w.app.db()).await, before);
    let res = w.decide(&w.ann, id, "approve", &[("version", "2")]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(w.status(id).await, ("approved".into(), 2));

    // The whole record, in order, both sides.
    assert_eq!(
        w.history(id).await,
        [
            (
                "submitted".to_string(),
                1,
                "owner@agency.example".to_string()
            ),
            ("revision_requested".into(), 1, "ann@client.example".into()),
            ("submitted".into(), 2, "owner@agency.example".into()),
            ("approved".into(), 2, "ann@client.example".into()),
        ]
    );
    let words = w.app.get("acme", &page, &w.ann).await.words();
    assert!(words.contains("Bigger logo, please."), "{words}");
    assert!(words.contains("Version 2 (current)") && words.contains("Version 1"));
    assert!(!words.contains("Approve version"), "decided: no controls");
    let admin = w
        .app
        .get("acme", &format!("/admin/approvals/{id}"), &w.staff)
        .await
        .words();
    assert!(
        admin.contains("ann@client.example approved version 2"),
        "{admin}"
    );
    let logged: Vec<String> = w
        .app
        .db()
        .query_scalar(
            "SELECT action FROM activity WHERE subject = $1 AND action <> 'view' ORDER BY id",
        )
        .bind(format!("approval:{id}"))
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(logged, ["request_changes", "approve"]);

    // Locked: every change is refused with the reason, and nothing moves.
    let before = snapshot(w.app.db()).await;
    let v2 = w.file_of(id, 2).await.to_string();
    for res in [
        w.upload(id, "Mockup v3.png").await,
        w.staff_post(id, "submit", &[]).await,
        w.staff_post(id, "edit", &[("title", "Renamed")]).await,
        w.staff_post(id, "delete", &[]).await,
        w.staff_post(id, &format!("files/{v2}/remove"), &[]).await,
        w.decide(
            &w.ann,
            id,
            "revision",
            &[("version", "2"), ("comment", "One more thing")],
        )
        .await,
    ] {
        assert_eq!(res.status, 409, "{}", res.body);
        assert!(
            res.words().contains("approved and locked")
                || res.words().contains("approved it already"),
            "{}",
            res.words()
        );
    }
    // Nor can its files leave through the file manager.
    let res = w
        .app
        .submit("acme", &format!("/admin/files/{v2}/delete"), &w.staff, &[])
        .await;
    assert_eq!(res.status, 409, "{}", res.body);
    assert!(res.words().contains("review history"));
    assert_eq!(snapshot(w.app.db()).await, before, "nothing changed");
}

async fn only_the_contacts_who_may_decide_are_asked_and_can_act(backend: Backend) {
    let w = world(&backend, "growth").await;
    // Lia may approve, but only sees another project.
    let other = w.app.project(w.ws, w.client, "Print").await;
    let (lia_id, lia) = w
        .app
        .contact(w.ws, w.client, "lia@client.example", APPROVER)
        .await;
    portico_projects::store::set_access(w.app.db(), w.ws, w.client, lia_id, Some(&[other]))
        .await
        .unwrap();
    // A contact of another client with every permission.
    let rival = w.app.client(w.ws, "Rival").await;
    let (_, rob) = w
        .app
        .contact(w.ws, rival, "rob@rival.example", APPROVER)
        .await;

    let id = w.sent("Homepage mockups").await;
    assert_eq!(
        w.notified("approval_requested").await,
        [w.ann_id],
        "Ann only"
    );
    let mails = w.mails().await;
    assert_eq!(
        mails
            .iter()
            .filter(|(to, _)| to.ends_with("client.example") || to.ends_with("rival.example"))
            .collect::<Vec<_>>(),
        [&(
            "ann@client.example".to_string(),
            "Homepage mockups is ready for your review".to_string()
        )]
    );

    // Vic sees it, with no controls; the action routes do not exist for him.
    let page = format!("/portal/approvals/{id}");
    let words = w.app.get("acme", &page, &w.vic).await.words();
    assert!(
        words.contains("Homepage mockups") && !words.contains("Approve version"),
        "{words}"
    );
    assert!(words.contains("Only the people your team allowed to approve work can decide"));
    let before = snapshot(w.app.db()).await;
    for step in ["approve", "revision"] {
        let res = w
            .decide(&w.vic, id, step, &[("version", "1"), ("comment", "x")])
            .await;
        assert_eq!(res.status, 404, "{step}");
    }
    // Lia and Rob cannot reach it at all.
    for who in [&lia, &rob] {
        assert_eq!(w.app.get("acme", &page, who).await.status, 404);
        assert_eq!(
            w.decide(who, id, "approve", &[("version", "1")])
                .await
                .status,
            404
        );
        let list = w.app.get("acme", "/portal/approvals", who).await.words();
        assert!(!list.contains("Homepage mockups"), "{list}");
    }
    assert_eq!(snapshot(w.app.db()).await, before, "nothing changed");
    assert_eq!(w.status(id).await, ("pending".into(), 1));
    // The home page of the one who may decide says what waits.
    let home = w.app.get("acme", "/portal/", &w.ann).await.words();
    assert!(
        home.contains("Waiting for your approval Homepage mockups version 1"),
        "{home}"
    );
}

async fn of_two_decisions_at_once_exactly_one_applies(backend: Backend) {
    let w = world(&backend, "growth").await;
    let (_, cara) = w
        .app
        .contact(w.ws, w.client, "cara@client.example", APPROVER)
        .await;
    for round in 0..3 {
        let id = w.sent(&format!("Banner {round}")).await;
        let v = [("version", "1")];
        let r = [("version", "1"), ("comment", "Change the colour")];
        let (a, b, c, d) = tokio::join!(
            w.decide(&w.ann, id, "approve", &v),
            w.decide(&cara, id, "revision", &r),
            w.decide(&w.ann, id, "approve", &v),
            w.decide(&cara, id, "approve", &v),
        );
        let statuses: Vec<u16> = [&a, &b, &c, &d].iter().map(|p| p.status).collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 303).count(),
            1,
            "exactly one applies: {statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 409).count(),
            3,
            "{statuses:?}"
        );
        for p in [&a, &b, &c, &d].iter().filter(|p| p.status == 409) {
            let words = p.words();
            assert!(
                words.contains("approved it already")
                    || words.contains("already asked for changes"),
                "told what happened: {words}"
            );
        }
        let decisions: Vec<String> = w
            .history(id)
            .await
            .into_iter()
            .map(|(kind, ..)| kind)
            .filter(|k| k != "submitted")
            .collect();
        assert_eq!(decisions.len(), 1, "{decisions:?}");
        let (status, _) = w.status(id).await;
        let expected = if decisions[0] == "approved" {
            "approved"
        } else {
            "revision_requested"
        };
        assert_eq!(status, expected);
    }
}

async fn the_read_only_tier_shows_everything_and_acts_on_nothing(backend: Backend) {
    let w = world(&backend, "starter").await;
    let id = w.sent("Homepage mockups").await;
    let page = w
        .app
        .get("acme", &format!("/portal/approvals/{id}"), &w.ann)
        .await;
    assert_eq!(page.status, 200);
    let words = page.words();
    assert!(
        words.contains("Homepage mockups") && words.contains("Pending"),
        "{words}"
    );
    assert!(
        !words.contains("Approve version") && !words.contains("Add a comment"),
        "{words}"
    );
    let before = snapshot(w.app.db()).await;
    for step in ["approve", "revision", "comments"] {
        let res = w
            .decide(
                &w.ann,
                id,
                step,
                &[("version", "1"), ("comment", "x"), ("body", "x")],
            )
            .await;
        assert_eq!(res.status, 403, "{step}");
        assert!(res.body.contains("view-only"));
    }
    assert_eq!(snapshot(w.app.db()).await, before);
}

async fn comments_reach_the_other_side(backend: Backend) {
    let w = world(&backend, "growth").await;
    let id = w.sent("Homepage mockups").await;
    let res = w
        .app
        .submit(
            "acme",
            &format!("/portal/approvals/{id}/comments"),
            &w.ann,
            &[("body", "Love the colours")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        w.status(id).await,
        ("pending".into(), 1),
        "a comment decides nothing"
    );
    let mails = w.mails().await;
    assert!(
        mails
            .iter()
            .any(|(to, s)| to == "owner@agency.example"
                && s.contains("commented on Homepage mockups")),
        "{mails:?}"
    );
    // Vic may not comment; the team's reply reaches both contacts who see it.
    let res = w
        .app
        .submit(
            "acme",
            &format!("/portal/approvals/{id}/comments"),
            &w.vic,
            &[("body", "Hi")],
        )
        .await;
    assert_eq!(res.status, 404);
    let res = w.staff_post(id, "comments", &[("body", "Thanks!")]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(w.notified("reply").await, [w.ann_id, w.vic_id]);
    let words = w
        .app
        .get("acme", &format!("/portal/approvals/{id}"), &w.vic)
        .await
        .words();
    assert!(
        words.contains("Love the colours") && words.contains("Thanks!"),
        "{words}"
    );
    // A draft takes no comments.
    let draft = w.draft("Not yet").await;
    assert_eq!(
        w.staff_post(draft, "comments", &[("body", "x")])
            .await
            .status,
        409
    );
}

async fn the_api_opens_and_sends_a_request(backend: Backend) {
    let w = world(&backend, "growth").await;
    let res = w
        .app
        .upload(
            "acme",
            "/api/files",
            &w.bearer,
            &[("Ad.png", "image/png", PNG)],
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let made: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let file = made["files"][0]["id"].as_i64().unwrap();
    let As::Bearer(token) = &w.bearer else {
        unreachable!()
    };
    let auth = format!("Bearer {token}");
    let post = |path: String, body: String| {
        let auth = auth.clone();
        let app = &w.app;
        async move {
            app.request_raw(
                "POST",
                &format!("/w/acme/api{path}"),
                &[
                    ("authorization", &auth),
                    ("content-type", "application/json"),
                ],
                Some(body),
            )
            .await
        }
    };
    let res = post(
        "/approvals".into(),
        format!(
            r#"{{"project_id": {}, "title": "Ad set", "file_ids": [{file}]}}"#,
            w.project
        ),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let id = serde_json::from_str::<serde_json::Value>(&res.body).unwrap()["id"]
        .as_i64()
        .unwrap();
    // Bad input: a clear 400, nothing made.
    let before = snapshot(w.app.db()).await;
    for body in [
        "{}".to_string(),
        format!(r#"{{"project_id": {}, "title": ""}}"#, w.project),
        format!(
            r#"{{"project_id": {}, "title": "x", "due_date": "soon"}}"#,
            w.project
        ),
        r#"{"project_id": 9999999, "title": "x"}"#.to_string(),
    ] {
        assert_eq!(
            post("/approvals".into(), body.clone()).await.status,
            400,
            "{body}"
        );
    }
    assert_eq!(snapshot(w.app.db()).await, before);

    let res = post(format!("/approvals/{id}/submit"), String::new()).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let shown: serde_json::Value = serde_json::from_str(
        &w.app
            .get("acme", &format!("/api/approvals/{id}"), &w.bearer)
            .await
            .body,
    )
    .unwrap();
    assert_eq!(shown["approval"]["status"], "pending");
    assert_eq!(shown["files"][0]["name"], "Ad.png");
    assert_eq!(shown["history"][0]["kind"], "submitted");
    // The agency's own file, attached, reaches the client through the review.
    let got = w
        .app
        .get(
            "acme",
            &format!("/portal/approvals/{id}/files/{file}"),
            &w.ann,
        )
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(w.notified("approval_requested").await, [w.ann_id]);
}

/// PostgreSQL's second wall: a client's scope never reads a draft or a version still being
/// prepared, even by a query that forgets every filter.
#[tokio::test]
async fn drafts_and_unsent_versions_stay_behind_the_wall() {
    use portal_core::db::ScopedTx;
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let w = world(&backend, "growth").await;
    let draft = w.draft("Draft").await;
    assert_eq!(w.upload(draft, "Secret.png").await.status, 303);
    let sent = w.sent("Sent").await;
    w.decide(
        &w.ann,
        sent,
        "revision",
        &[("version", "1"), ("comment", "More")],
    )
    .await;
    assert_eq!(w.upload(sent, "Next.png").await.status, 303);

    let mut tx = ScopedTx::begin(w.app.db(), w.ws, w.client).await.unwrap();
    let titles: Vec<String> = tx
        .query_scalar("SELECT title FROM approvals")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(titles, ["Sent"]);
    let versions: Vec<i32> = tx
        .query_scalar("SELECT number FROM approval_versions ORDER BY number")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(versions, [1], "version 2 is still being prepared");
    let files: i64 = tx
        .query_scalar("SELECT COUNT(*) FROM approval_files")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(files, 1);
    // And of the stored files, only the one of the sent version.
    let names: Vec<String> = tx
        .query_scalar("SELECT name FROM files ORDER BY name")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(names, ["Mockup.png"]);
    tx.commit().await.unwrap();
}

async fn drafts_are_edited_trimmed_and_deleted(backend: Backend) {
    let w = world(&backend, "growth").await;
    let id = w.draft("Logo ideas").await;
    assert_eq!(w.upload(id, "One.png").await.status, 303);
    assert_eq!(w.upload(id, "Two.png").await.status, 303);
    let one = w.file_of_named(id, "One.png").await;
    let res = w.staff_post(id, &format!("files/{one}/remove"), &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = w
        .app
        .get("acme", &format!("/admin/approvals/{id}"), &w.staff)
        .await
        .words();
    assert!(
        page.contains("Two.png") && !page.contains("One.png"),
        "{page}"
    );
    // Bad details change nothing; good ones are saved.
    let before = snapshot(w.app.db()).await;
    for fields in [
        vec![("title", "")],
        vec![("title", "x"), ("due_date", "tomorrow")],
    ] {
        assert_eq!(
            w.staff_post(id, "edit", &fields).await.status,
            400,
            "{fields:?}"
        );
    }
    assert_eq!(snapshot(w.app.db()).await, before);
    let res = w
        .staff_post(
            id,
            "edit",
            &[("title", "Logo ideas, round 2"), ("due_date", "2031-02-01")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = w
        .app
        .get("acme", &format!("/admin/approvals/{id}"), &w.staff)
        .await
        .words();
    assert!(page.contains("Logo ideas, round 2"), "{page}");
    // A draft goes entirely; its file stays in the file manager.
    let two = w.file_of_named(id, "Two.png").await;
    assert_eq!(w.staff_post(id, "delete", &[]).await.status, 303);
    assert_eq!(
        w.app
            .get("acme", &format!("/admin/approvals/{id}"), &w.staff)
            .await
            .status,
        404
    );
    assert_eq!(
        w.app
            .get("acme", &format!("/admin/files/{two}"), &w.staff)
            .await
            .status,
        200
    );
}

async fn a_deliverable_holds_only_its_client_s_or_the_agency_s_files(backend: Backend) {
    let w = world(&backend, "growth").await;
    // A file a contact of another client sent (an attachment of theirs).
    let rival = w.app.client(w.ws, "Rival").await;
    let up = portal_core::files::upload::Upload {
        workspace_id: w.ws,
        client_id: Some(rival),
        name: "Their brief.png",
        declared: Some("image/png"),
        uploaded_by: "Rob",
        cap: None,
        max_bytes: u64::MAX,
        quota: None,
    };
    let theirs = portal_core::files::upload::store_bytes(
        &w.app.state.db,
        &w.app.state.files,
        &up,
        PNG.to_vec(),
    )
    .await
    .unwrap()
    .id;
    let id = w.draft("Ads").await;
    let As::Bearer(token) = &w.bearer else {
        unreachable!()
    };
    let before = snapshot(w.app.db()).await;
    let res = w
        .app
        .request_raw(
            "POST",
            &format!("/w/acme/api/approvals/{id}/files"),
            &[
                ("authorization", &format!("Bearer {token}")),
                ("content-type", "application/json"),
            ],
            Some(format!(r#"{{"file_ids": [{theirs}]}}"#)),
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.body);
    assert_eq!(snapshot(w.app.db()).await, before);
    // A contact who may approve but not see the work cannot act blind.
    let (_, blind) = w
        .app
        .contact(
            w.ws,
            w.client,
            "blind@client.example",
            &["can_approve_work"],
        )
        .await;
    let sent = w.sent("Banner").await;
    assert_eq!(
        w.decide(&blind, sent, "approve", &[("version", "1")])
            .await
            .status,
        404
    );
    assert_eq!(w.status(sent).await, ("pending".into(), 1));
}

async fn a_workspace_with_deliverables_can_still_be_deleted(backend: Backend) {
    let w = world(&backend, "growth").await;
    let id = w.sent("Homepage mockups").await;
    assert_eq!(
        w.decide(&w.ann, id, "approve", &[("version", "1")])
            .await
            .status,
        303
    );
    portal_core::workspace::delete(w.app.db(), w.ws)
        .await
        .unwrap();
    let left: i64 = w
        .app
        .db()
        .query_scalar("SELECT COUNT(*) FROM approval_files")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(left, 0);
}
