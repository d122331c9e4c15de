//! Tasks and comments: what the agency keeps internal — tasks not marked client-visible,
//! every task's internal notes, notes in a thread — never reaches a portal user, on any of
//! the module's portal pages; replies go both ways; who may write and change what.

use portal_core::module::Surface;
use portico_projects::tasks::{self, TaskFields, TaskPriority, TaskStatus};
use portico_tests::{
    backends, concrete_path, database_error, snapshot, spawn_app, As, Backend, Samples, TestApp,
};

backends!(
    internals_never_reach_the_portal,
    contacts_reply_and_everyone_on_the_client_sees_it,
    without_the_permission_there_is_no_form_and_nothing_posts,
    bad_comment_bodies_change_nothing,
    staff_write_either_kind_and_change_only_their_own,
    other_clients_and_restricted_projects_are_not_found,
    the_api_shows_staff_everything,
);

/// Unique strings planted in what must stay internal.
const INTERNAL_TASK: &str = "Margin check XQ7-internal-task";
const INTERNAL_NOTES: &str = "ZK4-internal-notes: resold at cost plus 20%";
const NOTE: &str = "W9-internal-note: client approves late on Fridays";
const VISIBLE_TASK: &str = "Homepage design";
const DESCRIPTION: &str = "The new homepage for your review";
const STAFF_REPLY: &str = "Mock-ups are ready for you";

struct World {
    app: TestApp,
    ws: i64,
    owner: As,
    member: As,
    bearer: As,
    /// Client A's contacts: Dana may comment, Eve may only look.
    dana: As,
    eve: As,
    dana_id: i64,
    /// Client B's contact, allowed everything.
    bob: As,
    project: i64,
    other_project: i64,
    task: i64,
    internal_task: i64,
}

fn fields(title: &str, description: &str, notes: &str, visible: bool) -> TaskFields {
    TaskFields {
        title: title.into(),
        description: description.into(),
        internal_notes: notes.into(),
        status: TaskStatus::InProgress,
        priority: TaskPriority::High,
        assignee_id: None,
        due_date: Some(portal_core::db::Day::from_today(-2)),
        client_visible: visible,
    }
}

/// Adds a task straight through the store, in its own write scope.
async fn add_task(app: &TestApp, ws: i64, project: i64, f: &tasks::TaskFields) -> i64 {
    let mut tx = portal_core::db::ScopedTx::begin_staff_write(app.db(), ws)
        .await
        .unwrap();
    let made = tasks::create_task(&mut tx, ws, project, f).await.unwrap();
    tx.commit().await.unwrap();
    made.task_id
}

async fn world(backend: &Backend) -> World {
    let app = spawn_app(backend).await;
    let everything = app.all_permissions();
    let s = app
        .scenario("acme")
        .staff_owner("owner@agency.example")
        .client("Client A", |c| {
            c.project_at("Website", 30)
                .project_at("Campaign", 30)
                .contact("dana@a.example", &["can_view_projects", "can_add_comments"])
                .contact("eve@a.example", &["can_view_projects"])
        })
        .client("Client B", |c| {
            c.project_at("B's own project", 30)
                .contact("bob@b.example", &everything)
        })
        .build()
        .await;
    let (ws, project) = (s.ws, s.project("Website"));
    let (_, owner, bearer) = s.staff("owner@agency.example");
    let member = app.member(ws, "mo@agency.example", "Mo").await;
    let task = add_task(
        &app,
        ws,
        project,
        &fields(VISIBLE_TASK, DESCRIPTION, INTERNAL_NOTES, true),
    )
    .await;
    let internal_task = add_task(
        &app,
        ws,
        project,
        &fields(INTERNAL_TASK, "not for the client", INTERNAL_NOTES, false),
    )
    .await;
    let (dana_id, dana) = s.contact("dana@a.example");
    let w = World {
        app,
        ws,
        owner,
        member,
        bearer,
        dana,
        eve: s.contact("eve@a.example").1,
        dana_id,
        bob: s.contact("bob@b.example").1,
        project,
        other_project: s.project("Campaign"),
        task,
        internal_task,
    };
    // The thread: a note and a reply on the project, a note on each task.
    for (path, kind, body) in [
        (None, "note", NOTE),
        (None, "reply", STAFF_REPLY),
        (Some(w.task), "note", NOTE),
        (Some(w.internal_task), "note", NOTE),
    ] {
        let task = path.map(|t: i64| t.to_string()).unwrap_or_default();
        let res = w
            .app
            .submit(
                "acme",
                &format!("/admin/projects/{}/comments", w.project),
                &w.owner,
                &[("kind", kind), ("body", body), ("task", &task)],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
    }
    w
}

fn assert_clean(page: &str, what: &str) {
    for marker in [INTERNAL_TASK, "ZK4-internal-notes", "W9-internal-note"] {
        assert!(!page.contains(marker), "{what} shows `{marker}`");
    }
}

/// The module's portal pages (every GET route it registers), filled with this world's ids.
fn portal_pages(w: &World) -> Vec<String> {
    let mut samples = Samples::new();
    samples.insert(
        "projects",
        vec![("id", w.project.to_string()), ("task", w.task.to_string())],
    );
    let mut pages: Vec<String> = w
        .app
        .state
        .routes
        .iter()
        .filter(|r| r.module == "projects" && r.surface == Surface::Portal && !r.is_mutating())
        .map(|r| concrete_path(r, &samples))
        .collect();
    pages.push("/portal/".into());
    pages
}

async fn internals_never_reach_the_portal(backend: Backend) {
    let w = world(&backend).await;
    let pages = portal_pages(&w);
    assert!(pages.len() >= 4, "{pages:?}");
    for path in &pages {
        for who in [&w.dana, &w.eve] {
            let page = w.app.get("acme", path, who).await;
            assert_eq!(page.status, 200, "{path}: {}", page.body);
            assert_clean(&page.text(), path);
        }
    }
    // What the client may see is there.
    let detail = w
        .app
        .get("acme", &format!("/portal/projects/{}", w.project), &w.dana)
        .await
        .text();
    assert!(detail.contains(VISIBLE_TASK) && detail.contains(STAFF_REPLY));
    assert!(detail.contains("overdue"), "the late task is highlighted");
    let task_path = format!("/portal/projects/{}/tasks/{}", w.project, w.task);
    let task = w.app.get("acme", &task_path, &w.dana).await.text();
    assert!(task.contains(DESCRIPTION), "{task}");
    // The internal task has no page.
    let hidden = format!("/portal/projects/{}/tasks/{}", w.project, w.internal_task);
    assert_eq!(w.app.get("acme", &hidden, &w.dana).await.status, 404);

    // Staff see all of it, and the note says what it is.
    let staff = w
        .app
        .get("acme", &format!("/admin/projects/{}", w.project), &w.owner)
        .await
        .text();
    assert!(staff.contains(INTERNAL_TASK) && staff.contains(NOTE));
    assert!(staff.contains("Internal note — never shown to the client"));
    assert!(staff.contains("Reply — visible to the client"));
    let staff_task = w
        .app
        .get(
            "acme",
            &format!("/admin/projects/{}/tasks/{}", w.project, w.internal_task),
            &w.owner,
        )
        .await
        .text();
    assert!(staff_task.contains("ZK4-internal-notes") && staff_task.contains(NOTE));

    // Made client-visible by staff, the task shows — its internal notes still do not.
    let path = format!("/admin/projects/{}/tasks/{}", w.project, w.internal_task);
    let res = w
        .app
        .submit(
            "acme",
            &path,
            &w.member,
            &[
                ("title", "Hosting review"),
                ("description", "Now shared"),
                ("internal_notes", INTERNAL_NOTES),
                ("status", "done"),
                ("priority", "low"),
                ("assignee", ""),
                ("due_date", ""),
                ("client_visible", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let shown = w.app.get("acme", &hidden, &w.dana).await;
    assert_eq!(shown.status, 200);
    assert!(shown.text().contains("Now shared"));
    assert_clean(&shown.text(), "the task made visible");
}

async fn contacts_reply_and_everyone_on_the_client_sees_it(backend: Backend) {
    let w = world(&backend).await;
    let path = format!("/portal/projects/{}", w.project);
    let page = w.app.get("acme", &path, &w.dana).await;
    assert!(page.body.contains(r#"name="body""#), "Dana has the form");
    let res = w
        .app
        .submit(
            "acme",
            &format!("{path}/replies"),
            &w.dana,
            &[("body", "  Can the logo be bigger?  ")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(res.location().contains("#reply-"), "{}", res.location());
    let mine = w.app.get("acme", &path, &w.dana).await.text();
    assert!(mine.contains("Can the logo be bigger?") && mine.contains("You"));
    let eves = w.app.get("acme", &path, &w.eve).await.text();
    assert!(eves.contains("Can the logo be bigger?") && eves.contains("dana@a.example"));
    let staff = w
        .app
        .get("acme", &format!("/admin/projects/{}", w.project), &w.owner)
        .await
        .text();
    assert!(staff.contains("Can the logo be bigger?"));

    // On a task, too.
    let task = format!("/portal/projects/{}/tasks/{}", w.project, w.task);
    let res = w
        .app
        .submit(
            "acme",
            &format!("{task}/replies"),
            &w.dana,
            &[("body", "Approved from my side")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(res
        .location()
        .contains(&format!("/tasks/{}#reply-", w.task)));
    assert!(w
        .app
        .get("acme", &task, &w.eve)
        .await
        .text()
        .contains("Approved from my side"));
    let staff_task = w
        .app
        .get(
            "acme",
            &format!("/admin/projects/{}/tasks/{}", w.project, w.task),
            &w.member,
        )
        .await
        .text();
    assert!(staff_task.contains("Approved from my side"));
}

async fn without_the_permission_there_is_no_form_and_nothing_posts(backend: Backend) {
    let w = world(&backend).await;
    let path = format!("/portal/projects/{}", w.project);
    let task = format!("{path}/tasks/{}", w.task);
    for page in [&path, &task] {
        let body = w.app.get("acme", page, &w.eve).await.body;
        assert!(!body.contains(r#"name="body""#), "{page}: Eve has no form");
    }
    let before = snapshot(w.app.db()).await;
    for action in [format!("{path}/replies"), format!("{task}/replies")] {
        let res = w
            .app
            .submit("acme", &action, &w.eve, &[("body", "Let me in")])
            .await;
        assert_eq!(res.status, 403, "{action}: {}", res.body);
    }
    assert_eq!(snapshot(w.app.db()).await, before);
}

async fn bad_comment_bodies_change_nothing(backend: Backend) {
    let w = world(&backend).await;
    let long = "x".repeat(5001);
    let before = snapshot(w.app.db()).await;
    let portal = format!("/portal/projects/{}/replies", w.project);
    let admin = format!("/admin/projects/{}/comments", w.project);
    for body in ["", "   \n ", long.as_str()] {
        let res = w
            .app
            .submit("acme", &portal, &w.dana, &[("body", body)])
            .await;
        assert_eq!(res.status, 400, "portal {:?}", body.len());
        let res = w
            .app
            .submit(
                "acme",
                &admin,
                &w.owner,
                &[("kind", "reply"), ("body", body)],
            )
            .await;
        assert_eq!(res.status, 400, "admin {:?}", body.len());
    }
    let res = w
        .app
        .submit(
            "acme",
            &admin,
            &w.owner,
            &[("kind", "shout"), ("body", "hi")],
        )
        .await;
    assert_eq!(res.status, 400, "a kind that is neither");
    // A reply on a task the client cannot see would go nowhere: refused.
    let internal = w.internal_task.to_string();
    let res = w
        .app
        .submit(
            "acme",
            &admin,
            &w.owner,
            &[("kind", "reply"), ("body", "hi"), ("task", &internal)],
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(snapshot(w.app.db()).await, before);
    // 5000 characters is fine.
    let res = w
        .app
        .submit("acme", &portal, &w.dana, &[("body", &long[..5000])])
        .await;
    assert_eq!(res.status, 303);
}

/// The id in the `#comment-N` anchor a staff comment redirects to.
fn comment_id(res: &portico_tests::Page) -> String {
    let location = res.location();
    location
        .rsplit_once("#comment-")
        .map(|(_, id)| id.to_string())
        .unwrap_or_else(|| panic!("no comment anchor in {location}"))
}

async fn staff_write_either_kind_and_change_only_their_own(backend: Backend) {
    let w = world(&backend).await;
    let base = format!("/admin/projects/{}", w.project);
    let post = |who: &As, kind: &'static str, body: &'static str| {
        let (who, base) = (who.clone(), base.clone());
        let app = &w.app;
        async move {
            app.submit(
                "acme",
                &format!("{base}/comments"),
                &who,
                &[("kind", kind), ("body", body)],
            )
            .await
        }
    };
    let mine = post(&w.owner, "reply", "Owner's reply").await;
    assert_eq!(mine.status, 303, "{}", mine.body);
    let mine = comment_id(&mine);
    let theirs = post(&w.member, "note", "Member's note").await;
    assert_eq!(theirs.status, 303, "{}", theirs.body);
    let theirs = comment_id(&theirs);

    // The owner's page offers to change their own comment only.
    let page = w.app.get("acme", &base, &w.owner).await.text();
    assert!(page.contains(&format!("/comments/{mine}/delete\"")));
    assert!(!page.contains(&format!("/comments/{theirs}/delete\"")));

    let before = snapshot(w.app.db()).await;
    let edit = w
        .app
        .submit(
            "acme",
            &format!("{base}/comments/{theirs}"),
            &w.owner,
            &[("body", "Rewritten")],
        )
        .await;
    assert_eq!(edit.status, 403, "{}", edit.body);
    let delete = w
        .app
        .submit(
            "acme",
            &format!("{base}/comments/{theirs}/delete"),
            &w.owner,
            &[],
        )
        .await;
    assert_eq!(delete.status, 403);
    assert_eq!(
        snapshot(w.app.db()).await,
        before,
        "another's comment stays"
    );

    let edit = w
        .app
        .submit(
            "acme",
            &format!("{base}/comments/{mine}"),
            &w.owner,
            &[("body", "Owner's reply, corrected")],
        )
        .await;
    assert_eq!(edit.status, 303, "{}", edit.body);
    let portal = format!("/portal/projects/{}", w.project);
    let seen = w.app.get("acme", &portal, &w.dana).await.text();
    assert!(seen.contains("Owner's reply, corrected") && seen.contains("edited"));
    assert!(
        !seen.contains("Member's note"),
        "a note never reaches the portal"
    );
    let delete = w
        .app
        .submit(
            "acme",
            &format!("{base}/comments/{mine}/delete"),
            &w.owner,
            &[],
        )
        .await;
    assert_eq!(delete.status, 303);
    let seen = w.app.get("acme", &portal, &w.dana).await.text();
    assert!(!seen.contains("Owner's reply"));

    // Members manage tasks: add one, move it to Done from the table.
    let add = w
        .app
        .submit(
            "acme",
            &format!("{base}/tasks"),
            &w.member,
            &[
                ("title", "Launch checklist"),
                ("description", ""),
                ("internal_notes", ""),
                ("status", "todo"),
                ("priority", "urgent"),
                ("assignee", ""),
                ("due_date", "2030-01-31"),
                ("client_visible", "on"),
            ],
        )
        .await;
    assert_eq!(add.status, 303, "{}", add.body);
    let location = add.location();
    let (_, task) = location.rsplit_once("#task-").unwrap();
    let done = w
        .app
        .submit(
            "acme",
            &format!("{base}/tasks/{task}/status"),
            &w.member,
            &[("status", "done")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let shown = w
        .app
        .get("acme", &format!("{portal}/tasks/{task}"), &w.dana)
        .await
        .text();
    assert!(
        shown.contains("Launch checklist") && shown.contains("Done"),
        "{shown}"
    );
    let bad = w
        .app
        .submit(
            "acme",
            &format!("{base}/tasks/{task}/status"),
            &w.member,
            &[("status", "finished")],
        )
        .await;
    assert_eq!(bad.status, 400);
}

/// Each page, and replying on it, answers "not found" to `who`.
async fn not_found(w: &World, who: &As, pages: &[&String]) {
    for path in pages {
        assert_eq!(w.app.get("acme", path, who).await.status, 404, "{path}");
        let replies = format!("{path}/replies");
        let res = w.app.submit("acme", &replies, who, &[("body", "hi")]).await;
        assert_eq!(res.status, 404, "{path}");
    }
}

async fn other_clients_and_restricted_projects_are_not_found(backend: Backend) {
    let w = world(&backend).await;
    let project = format!("/portal/projects/{}", w.project);
    let task = format!("{project}/tasks/{}", w.task);
    let before = snapshot(w.app.db()).await;
    not_found(&w, &w.bob, &[&project, &task]).await;
    // A task of another project, under this one's id, does not exist either.
    let crossed = format!(
        "/portal/projects/{}/tasks/{}/replies",
        w.other_project, w.task
    );
    let res = w
        .app
        .submit("acme", &crossed, &w.dana, &[("body", "hi")])
        .await;
    assert_eq!(res.status, 404);
    // Nor does an internal task to reply on.
    let internal = format!("{project}/tasks/{}/replies", w.internal_task);
    let res = w
        .app
        .submit("acme", &internal, &w.dana, &[("body", "hi")])
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(snapshot(w.app.db()).await, before);

    // Dana limited to the other project: this one is gone for her, replies included.
    let access = format!("/admin/projects/access/{}", w.dana_id);
    let other = w.other_project.to_string();
    let res = w
        .app
        .submit(
            "acme",
            &access,
            &w.owner,
            &[("scope", "some"), ("project", &other)],
        )
        .await;
    assert_eq!(res.status, 303);
    let before = snapshot(w.app.db()).await;
    not_found(&w, &w.dana, &[&project, &task]).await;
    assert_eq!(snapshot(w.app.db()).await, before);
}

async fn the_api_shows_staff_everything(backend: Backend) {
    let w = world(&backend).await;
    let path = format!("/api/projects/{}", w.project);
    let page = w.app.get("acme", &path, &w.bearer).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let json: serde_json::Value = serde_json::from_str(&page.body).unwrap();
    let tasks = json["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2);
    assert!(tasks
        .iter()
        .any(|t| t["client_visible"] == false
            && t["internal_notes"].as_str().unwrap().contains("ZK4")));
    let comments = json["comments"].as_array().unwrap();
    assert!(comments.iter().any(|c| c["kind"] == "note"));
    assert!(comments.iter().any(|c| c["kind"] == "reply"));

    let post = |body: &str| {
        let req = w
            .app
            .http
            .post(format!("{}/w/acme{path}/comments", w.app.url))
            .header("content-type", "application/json")
            .body(body.to_string());
        let As::Bearer(token) = &w.bearer else {
            unreachable!()
        };
        req.bearer_auth(token).send()
    };
    let res = post(r#"{"kind": "note", "body": "From the API"}"#)
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let before = snapshot(w.app.db()).await;
    for bad in [
        r#"{"kind": "memo", "body": "x"}"#,
        r#"{"kind": "note", "body": " "}"#,
        "not json",
    ] {
        let res = post(bad).await.unwrap();
        assert_eq!(res.status().as_u16(), 400, "{bad}");
    }
    assert_eq!(snapshot(w.app.db()).await, before);
    let portal = format!("/portal/projects/{}", w.project);
    assert!(!w
        .app
        .get("acme", &portal, &w.dana)
        .await
        .text()
        .contains("From the API"));
}

/// PostgreSQL's second wall: inside a portal scope, a query that forgets to filter still
/// finds no internal task and no note.
#[tokio::test]
async fn row_level_security_hides_internal_work_from_a_portal_scope() {
    use portal_core::db::ScopedTx;
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let w = world(&backend).await;
    let client: i64 = w
        .app
        .db()
        .query_scalar("SELECT client_id FROM projects WHERE id = $1")
        .bind(w.project)
        .fetch_one()
        .await
        .unwrap();
    let mut tx = ScopedTx::begin(w.app.db(), w.ws, client).await.unwrap();
    let titles: Vec<String> = tx
        .query_scalar("SELECT title FROM tasks ORDER BY id")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(titles, [VISIBLE_TASK]);
    let kinds: Vec<String> = tx
        .query_scalar("SELECT kind FROM comments ORDER BY id")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(kinds, ["reply"], "only the reply, not the notes");
    tx.commit().await.unwrap();

    // Nor can a portal scope write a note.
    let staff: i64 = w
        .app
        .db()
        .query_scalar("SELECT MIN(id) FROM staff_users WHERE workspace_id = $1")
        .bind(w.ws)
        .fetch_one()
        .await
        .unwrap();
    let mut tx = ScopedTx::begin(w.app.db(), w.ws, client).await.unwrap();
    let planted = tx
        .query(
            "INSERT INTO comments (workspace_id, client_id, project_id, kind, body, \
             author_staff_id, created_at) VALUES ($1, $2, $3, 'note', 'x', $4, 0)",
        )
        .bind(w.ws)
        .bind(client)
        .bind(w.project)
        .bind(staff)
        .execute()
        .await;
    let err = database_error(planted.expect_err("the policy refuses it"));
    assert!(err.contains("row-level security"), "{err}");
    tx.rollback().await.unwrap();

    // Staff, with no scope, see everything.
    let n: i64 = w
        .app
        .db()
        .query_scalar("SELECT COUNT(*) FROM comments WHERE kind = 'note'")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(n, 3);
}
