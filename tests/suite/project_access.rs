//! Staff limit a contact to some of their client's projects, from the contact's admin page;
//! the portal follows on the contact's next click, in every place projects show.

use portico_projects::store::{self, NewProject, ProjectStatus};
use portico_tests::{backends, snapshot, spawn_app, As, Backend, TestApp};

backends!(
    a_limited_contact_sees_only_their_projects,
    only_the_client_s_projects_can_be_granted,
    news_of_a_project_leaves_the_feed_with_access_to_it,
);

async fn project(app: &TestApp, ws: i64, client: i64, name: &str) -> i64 {
    let soon = portal_core::db::Day::from_today(5);
    let p = NewProject {
        name,
        description: "",
        status: ProjectStatus::InProgress,
        start_date: None,
        due_date: Some(soon),
        progress: 40,
        milestones: &[("Milestone of the project", Some(soon), false)],
    };
    store::create(app.db(), ws, client, &p).await.unwrap()
}

struct World {
    app: TestApp,
    staff: As,
    contact: i64,
    dana: As,
    website: i64,
    campaign: i64,
}

async fn world(backend: &Backend) -> World {
    let app = spawn_app(backend).await;
    let ws = app.workspace("acme", "growth").await;
    let (staff, _) = app.staff(ws, "owner@agency.example").await;
    let client = app.client(ws, "Client Co").await;
    let website = project(&app, ws, client, "Website").await;
    let campaign = project(&app, ws, client, "Campaign").await;
    let (contact, dana) = app
        .contact(ws, client, "dana@client.example", &["can_view_projects"])
        .await;
    World {
        app,
        staff,
        contact,
        dana,
        website,
        campaign,
    }
}

async fn a_limited_contact_sees_only_their_projects(backend: Backend) {
    let w = world(&backend).await;
    let list = w.app.get("acme", "/portal/projects", &w.dana).await;
    assert!(list.text().contains("Website") && list.text().contains("Campaign"));

    let page = w
        .app
        .get("acme", &format!("/admin/contacts/{}", w.contact), &w.staff)
        .await;
    assert!(page.text().contains("Projects they see"), "{}", page.text());
    let path = format!("/admin/projects/access/{}", w.contact);
    let website = w.website.to_string();
    let res = w
        .app
        .submit(
            "acme",
            &path,
            &w.staff,
            &[("scope", "some"), ("project", &website)],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    // The same session, at once: the list, the detail pages, the home page.
    let list = w.app.get("acme", "/portal/projects", &w.dana).await;
    assert!(list.text().contains("Website"));
    assert!(!list.text().contains("Campaign"), "{}", list.text());
    assert_eq!(
        w.app
            .get("acme", &format!("/portal/projects/{}", w.website), &w.dana)
            .await
            .status,
        200
    );
    let hidden = w
        .app
        .get("acme", &format!("/portal/projects/{}", w.campaign), &w.dana)
        .await;
    assert_eq!(hidden.status, 404);
    let home = w.app.get("acme", "/portal/", &w.dana).await;
    assert!(
        home.text().contains("Website") && !home.text().contains("Campaign"),
        "{}",
        home.text()
    );
    let page = w
        .app
        .request_host("GET", None, &res.location(), &w.staff)
        .await;
    assert!(
        page.text().contains("Project access saved"),
        "{}",
        page.text()
    );

    // Back to all of them, new ones included.
    let res = w
        .app
        .submit("acme", &path, &w.staff, &[("scope", "all")])
        .await;
    assert_eq!(res.status, 303);
    let list = w.app.get("acme", "/portal/projects", &w.dana).await;
    assert!(list.text().contains("Campaign"));
}

async fn only_the_client_s_projects_can_be_granted(backend: Backend) {
    let w = world(&backend).await;
    let ws = portal_core::workspace::by_slug(w.app.db(), "acme")
        .await
        .unwrap()
        .unwrap()
        .id;
    let other_client = w.app.client(ws, "Other client").await;
    let foreign = project(&w.app, ws, other_client, "Someone else's").await;
    let path = format!("/admin/projects/access/{}", w.contact);
    let before = snapshot(w.app.db()).await;
    let (website, foreign) = (w.website.to_string(), foreign.to_string());
    for fields in [
        vec![
            ("scope", "some"),
            ("project", website.as_str()),
            ("project", foreign.as_str()),
        ],
        vec![("scope", "some")],
        vec![("scope", "some"), ("project", "abc")],
        vec![("scope", "everything")],
    ] {
        let res = w.app.submit("acme", &path, &w.staff, &fields).await;
        assert_eq!(res.status, 400, "{fields:?}: {}", res.body);
    }
    assert_eq!(snapshot(w.app.db()).await, before, "nothing half-saved");
}

/// What Dana was told about a project leaves her feed and her badge (the digest reads the
/// same rule) when the project is taken from her, or "see projects" is, and comes back with
/// access: nothing is deleted.
async fn news_of_a_project_leaves_the_feed_with_access_to_it(backend: Backend) {
    let w = world(&backend).await;
    for (id, name) in [(w.website, "Website"), (w.campaign, "Campaign")] {
        let res = w
            .app
            .submit(
                "acme",
                &format!("/admin/projects/{id}"),
                &w.staff,
                &[
                    ("name", name),
                    ("status", "in_progress"),
                    ("progress", "75"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
    }
    let feed = w.app.get("acme", "/portal/notifications", &w.dana).await;
    assert_eq!(
        feed.unread_badge().as_deref(),
        Some("2"),
        "{}",
        feed.words()
    );
    assert!(
        feed.words().contains("Campaign is 75% done"),
        "{}",
        feed.words()
    );

    let access = format!("/admin/projects/access/{}", w.contact);
    let website = w.website.to_string();
    let limit = [("scope", "some"), ("project", website.as_str())];
    let res = w.app.submit("acme", &access, &w.staff, &limit).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let feed = w.app.get("acme", "/portal/notifications", &w.dana).await;
    assert!(
        feed.words().contains("Website is 75% done"),
        "{}",
        feed.words()
    );
    assert!(!feed.words().contains("Campaign"), "{}", feed.words());
    assert_eq!(feed.unread_badge().as_deref(), Some("1"));
    let home = w.app.get("acme", "/portal/", &w.dana).await;
    assert!(!home.words().contains("Campaign"), "{}", home.words());

    // Access back: the news is back, unread as it was.
    let res = w
        .app
        .submit("acme", &access, &w.staff, &[("scope", "all")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let feed = w.app.get("acme", "/portal/notifications", &w.dana).await;
    assert!(feed.words().contains("Campaign is 75% done"));
    assert_eq!(feed.unread_badge().as_deref(), Some("2"));

    // Without "see projects" at all, none of it shows.
    w.app
        .sql(
            "DELETE FROM contact_permissions WHERE contact_id = $1",
            w.contact,
        )
        .await;
    let feed = w.app.get("acme", "/portal/notifications", &w.dana).await;
    assert_eq!(feed.status, 200);
    assert!(!feed.words().contains("75% done"), "{}", feed.words());
    assert_eq!(feed.unread_badge(), None);
}
