//! The portal activity log and the figures staff read off it, on the client's admin page.

use portico_tests::{backends, spawn_app, As, Backend, Browser, TestApp};

backends!(
    sign_ins_are_logged_with_where_from_and_counted,
    the_log_pages_back_and_stays_in_its_workspace,
    a_look_that_cannot_be_written_takes_no_other_with_it,
);

const PASSWORD: &str = "correct horse battery";

struct World {
    app: TestApp,
    ws: i64,
    staff: As,
    client: i64,
}

async fn world(backend: &Backend) -> World {
    let app = spawn_app(backend).await;
    let ws = app.workspace("acme", "growth").await;
    let (staff, _) = app.staff(ws, "owner@agency.example").await;
    let client = app.client(ws, "Client Co").await;
    World {
        app,
        ws,
        staff,
        client,
    }
}

impl World {
    /// A contact who was invited two hours ago and has chosen a password.
    async fn joined(&self, email: &str) -> i64 {
        let (id, _) = self.app.contact(self.ws, self.client, email, &[]).await;
        let hash = self.app.state.passwords.hash(PASSWORD).await.unwrap();
        portal_core::clients::set_contact_password(self.app.db(), id, &hash)
            .await
            .unwrap();
        let invited = portal_core::db::now() - 2 * 3600 - 60;
        self.app
            .sql(
                &format!(
                    "INSERT INTO contact_tokens (token_hash, workspace_id, contact_id, purpose, created_at, expires_at, used_at) \
                     SELECT 'invite-' || id, workspace_id, id, 'invite', {invited}, {invited} + 604800, {invited} + 60 \
                     FROM contacts WHERE id = $1"
                ),
                id,
            )
            .await;
        id
    }

    async fn sign_in(&self, email: &str) {
        let b = Browser::new(&self.app, "acme");
        b.get("/portal/sign-in").await;
        let res = b
            .post(
                "/portal/sign-in",
                &[("email", email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
    }
}

async fn sign_ins_are_logged_with_where_from_and_counted(backend: Backend) {
    let w = world(&backend).await;
    let page = w
        .app
        .get("acme", &format!("/admin/clients/{}", w.client), &w.staff)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.words().contains("Last sign-in Never"),
        "{}",
        page.words()
    );
    assert!(page.text().contains("No portal activity yet."));

    w.joined("dana@client.example").await;
    w.joined("eve@client.example").await;
    w.sign_in("dana@client.example").await;
    w.sign_in("dana@client.example").await;

    let page = w
        .app
        .get("acme", &format!("/admin/clients/{}", w.client), &w.staff)
        .await;
    let text = page.words();
    assert!(!text.contains("Last sign-in Never"), "{text}");
    assert!(text.contains("dana@client.example signed in"), "{text}");
    assert!(text.contains("127.0.0.1"), "where from: {text}");
    // Two sign-ins this month, and Dana took two hours from invitation to first sign-in.
    let month = portal_core::db::today()[..7].to_string();
    assert!(text.contains(&format!("{month} 2")), "{text}");
    assert!(text.contains("dana@client.example: 2 h"), "{text}");
    assert!(
        text.contains("eve@client.example: invited, not signed in yet"),
        "{text}"
    );
    assert!(text.contains("No answered comments yet"), "{text}");
}

async fn the_log_pages_back_and_stays_in_its_workspace(backend: Backend) {
    let w = world(&backend).await;
    let dana = w.joined("dana@client.example").await;
    for n in 1..=55 {
        w.app
            .sql(
                &format!(
                    "INSERT INTO activity (workspace_id, client_id, contact_id, actor, action, subject, label, created_at) \
                     SELECT workspace_id, client_id, id, 'Dana', 'view', 'project:{n}', 'Project {n:02}', {n} FROM contacts WHERE id = $1"
                ),
                dana,
            )
            .await;
    }
    let path = format!("/admin/clients/{}/activity", w.client);
    let first = w.app.get("acme", &path, &w.staff).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.words().contains("Dana viewed Project 55"));
    assert!(first.words().contains("Project 06"));
    assert!(!first.words().contains("Project 05"));
    let start = first.body.find("activity?before=").unwrap();
    let query: String = first.body[start + "activity".len()..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let older = w.app.get("acme", &format!("{path}{query}"), &w.staff).await;
    assert!(older.words().contains("Project 05"), "{}", older.words());
    assert!(older.words().contains("Project 01"));
    assert!(!older.words().contains("Project 06"));
    let bad = w
        .app
        .get("acme", &format!("{path}?before=soon"), &w.staff)
        .await;
    assert_eq!(bad.status, 400);

    // Another workspace's staff do not find the client.
    let other = w.app.workspace("globex", "growth").await;
    let (stranger, _) = w.app.staff(other, "owner@globex.example").await;
    let res = w.app.get("globex", &path, &stranger).await;
    assert_eq!(res.status, 404);
}

/// Views are written in batches; one that cannot be (its workspace deleted meanwhile) is
/// dropped alone, and the views queued with it are still logged.
async fn a_look_that_cannot_be_written_takes_no_other_with_it(backend: Backend) {
    use portal_core::activity::{Action, Actor, Entry};
    let w = world(&backend).await;
    let dana = w.joined("dana@client.example").await;
    let origin = portal_core::tenancy::SessionMeta::default();
    let view = |workspace_id, subject| Entry {
        workspace_id,
        client_id: w.client,
        actor: Actor::Contact {
            id: dana,
            name: "Dana",
        },
        action: Action::View,
        subject,
        label: "Website",
        origin: &origin,
    };
    // Queued faster than one look is written, so the bad one shares a batch with others.
    let subjects: Vec<String> = (0..200).map(|n| format!("project:{n}")).collect();
    let looks = &w.app.state.looks;
    for (n, subject) in subjects.iter().enumerate() {
        looks.record(&view(w.ws, subject)).await;
        if n == 100 {
            looks.record(&view(9_999_999, "project:gone")).await;
        }
    }
    looks.flush().await;
    let logged: Vec<String> = w
        .app
        .db()
        .query_scalar("SELECT subject FROM activity WHERE action = 'view' ORDER BY id")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(logged, subjects);
}
