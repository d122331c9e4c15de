//! The portal home: quick-action cards and widgets as permissions and the plan allow, in the
//! arrangement the workspace chose on `/admin/home`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use portal_core::prelude::HomeWidget;
use portal_core::workspace::EntitlementChange;
use portal_core::{async_trait, Manifest, ModuleRegistry, PortalModule, WidgetKind};
use portico_tests::{backends, snapshot, spawn_app, spawn_app_with, As, Backend, Options, TestApp};

backends!(
    cards_and_widgets_follow_permissions_and_the_plan,
    staff_arrange_the_home_and_contacts_see_it_next,
    bad_arrangements_change_nothing,
    a_failing_widget_leaves_the_others_on_the_page,
    a_widget_shows_a_change_at_once,
);

struct World {
    app: TestApp,
    ws: i64,
    staff: As,
    /// Can view projects.
    dana: As,
    /// Cannot.
    finn: As,
    client: i64,
}

async fn world(backend: &Backend) -> World {
    let app = spawn_app(backend).await;
    let ws = app.workspace("acme", "growth").await;
    let (staff, _) = app.staff(ws, "owner@agency.example").await;
    let client = app.client(ws, "Client Co").await;
    app.seed_modules(ws, client).await;
    let (_, dana) = app
        .contact(ws, client, "dana@client.example", &["can_view_projects"])
        .await;
    let (_, finn) = app
        .contact(ws, client, "finn@client.example", &["can_view_invoices"])
        .await;
    World {
        app,
        ws,
        staff,
        dana,
        finn,
        client,
    }
}

impl World {
    async fn home(&self, who: &As) -> String {
        let page = self.app.get("acme", "/portal/", who).await;
        assert_eq!(page.status, 200, "{}", page.body);
        page.words()
    }

    /// The arrangement form as the page fills it in, with `changes` applied.
    async fn arrange(&self, changes: &[(&str, Option<&str>)]) -> portico_tests::Page {
        let form = self.app.get("acme", "/admin/home", &self.staff).await;
        assert_eq!(form.status, 200, "{}", form.body);
        let mut fields = current_fields(&form.body);
        for (name, value) in changes {
            fields.retain(|(n, _)| n != name);
            if let Some(v) = value {
                fields.push((name.to_string(), v.to_string()));
            }
        }
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        self.app
            .submit("acme", "/admin/home", &self.staff, &pairs)
            .await
    }
}

/// The form's fields as a browser would send them: inputs with values, checked boxes.
fn current_fields(html: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| {
        let key = format!("{name}=\"");
        tag.find(&key).map(|at| {
            let rest = &tag[at + key.len()..];
            rest[..rest.find('"').unwrap_or(0)].to_string()
        })
    };
    let mut out = Vec::new();
    for tag in html.split("<input").skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        let Some(name) = attr(tag, "name") else {
            continue;
        };
        if name == "csrf_token" {
            continue;
        }
        match attr(tag, "type").as_deref() {
            Some("checkbox") if !tag.contains(" checked") => {}
            Some("checkbox") => out.push((name, attr(tag, "value").unwrap_or_else(|| "on".into()))),
            _ => out.push((name, attr(tag, "value").unwrap_or_default())),
        }
    }
    out
}

async fn cards_and_widgets_follow_permissions_and_the_plan(backend: Backend) {
    let w = world(&backend).await;
    let dana = w.home(&w.dana).await;
    assert!(
        dana.contains("View Projects Progress, milestones"),
        "{dana}"
    );
    assert!(dana.contains("Your projects"));
    assert!(dana.contains("Recent notifications"));
    // Ongoing tasks: what is in hand, in client-visible tasks only.
    assert!(dana.contains("Ongoing tasks"));
    assert!(dana.contains("Homepage design"));
    assert!(dana.contains("Content migration"));
    assert!(
        !dana.contains("Sitemap and navigation"),
        "done is not in hand"
    );
    assert!(
        !dana.contains("Hosting cost review"),
        "internal tasks never show"
    );

    let finn = w.home(&w.finn).await;
    assert!(!finn.contains("View Projects"), "{finn}");
    assert!(!finn.contains("Your projects"));
    assert!(!finn.contains("Ongoing tasks"));
    assert!(finn.contains("Recent notifications"));

    // Off the plan (the module disabled for the workspace): card and widgets go.
    w.app
        .change_out_of_process(
            w.ws,
            EntitlementChange::SetModuleEnabled {
                module: "projects".into(),
                enabled: false,
            },
        )
        .await;
    let dana = w.home(&w.dana).await;
    assert!(!dana.contains("View Projects"), "{dana}");
    assert!(!dana.contains("Ongoing tasks"));
}

async fn staff_arrange_the_home_and_contacts_see_it_next(backend: Backend) {
    let w = world(&backend).await;
    let res = w
        .arrange(&[
            ("title.card:projects.view", Some("See your work")),
            (
                "text.card:projects.view",
                Some("Everything we are building for you."),
            ),
            ("show.widget:core.notifications", None),
            ("position.widget:projects.tasks", Some("1")),
            ("position.widget:projects.summary", Some("2")),
            ("title.widget:projects.tasks", Some("Done lately")),
            ("choice.widget:projects.tasks", Some("done")),
        ])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), "/w/acme/admin/home?done=saved");

    let home = w.home(&w.dana).await;
    assert!(
        home.contains("See your work Everything we are building for you."),
        "{home}"
    );
    assert!(!home.contains("View Projects"));
    assert!(!home.contains("Recent notifications"), "hidden");
    let tasks_at = home.find("Done lately").expect("renamed");
    let summary_at = home.find("Your projects").unwrap();
    assert!(tasks_at < summary_at, "reordered: {home}");
    assert!(home.contains("Sitemap and navigation"), "the chosen status");
    assert!(
        !home.contains("Content migration"),
        "only the chosen status"
    );

    // The form shows what was saved.
    let form = w.app.get("acme", "/admin/home", &w.staff).await;
    assert!(form.body.contains(r#"value="See your work""#));
    assert!(!form
        .body
        .contains(r#"name="show.widget:core.notifications" checked"#));

    // And back to the standard home: empty titles mean the module's own.
    let res = w
        .arrange(&[
            ("title.card:projects.view", Some("")),
            ("show.widget:core.notifications", Some("on")),
        ])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let home = w.home(&w.dana).await;
    assert!(home.contains("View Projects"));
    assert!(home.contains("Recent notifications"));
}

async fn bad_arrangements_change_nothing(backend: Backend) {
    let w = world(&backend).await;
    let long = "x".repeat(61);
    let before = snapshot(w.app.db()).await;
    for (change, message) in [
        (
            ("position.widget:projects.tasks", Some("0")),
            "position from 1 to 99",
        ),
        (
            ("position.widget:projects.tasks", Some("soon")),
            "position from 1 to 99",
        ),
        (
            ("position.widget:projects.tasks", None),
            "position from 1 to 99",
        ),
        (
            ("title.card:projects.view", Some(long.as_str())),
            "at most 60",
        ),
        (
            ("choice.widget:projects.tasks", Some("blocked")),
            "is not something",
        ),
    ] {
        let res = w.arrange(&[change]).await;
        assert_eq!(res.status, 400, "{change:?}: {}", res.body);
        assert!(res.text().contains(message), "{change:?}: {}", res.text());
    }
    // Shown, but listing nothing at all.
    let form = w.app.get("acme", "/admin/home", &w.staff).await;
    let mut fields = current_fields(&form.body);
    fields.retain(|(n, _)| n != "choice.widget:projects.tasks");
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let res = w.app.submit("acme", "/admin/home", &w.staff, &pairs).await;
    assert_eq!(res.status, 400, "{}", res.body);
    assert!(res.text().contains("Pick at least one choice"));
    assert_eq!(snapshot(w.app.db()).await, before, "nothing changed");

    // Members look but do not change.
    let mo = w.app.member(w.ws, "mo@agency.example", "Mo").await;
    let page = w.app.get("acme", "/admin/home", &mo).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<fieldset class=\"plain\" disabled>"));
    let res = w
        .app
        .submit(
            "acme",
            "/admin/home",
            &mo,
            &[("show.card:projects.view", "on")],
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.body);
}

/// A module whose widget's query fails, ordered before projects (ids tie-break the order).
/// It counts its calls, so the test knows the failure really happened.
struct Broken(Arc<AtomicUsize>);

#[async_trait]
impl PortalModule for Broken {
    fn manifest(&self) -> &'static Manifest {
        const MANIFEST: Manifest = Manifest {
            id: "a_broken",
            name: "Broken",
            version: "0.0.0",
            widget_kinds: &[WidgetKind::new("oops", "Never shown").order(1)],
            ..Manifest::EMPTY
        };
        &MANIFEST
    }
    async fn widget(&self, w: HomeWidget<'_>) -> portal_core::Result<Option<String>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        w.tx.query("SELECT nothing FROM no_such_table")
            .execute()
            .await?;
        Ok(Some("Never shown".into()))
    }
}

/// Every module's widgets read on one shared connection; one whose query fails is left out
/// and the rest still show — on PostgreSQL too, where the failed query ends the transaction
/// the others would have read on.
async fn a_failing_widget_leaves_the_others_on_the_page(backend: Backend) {
    let mut modules = portico_host::registry().unwrap().modules().to_vec();
    let calls = Arc::new(AtomicUsize::new(0));
    modules.push(Arc::new(Broken(calls.clone())) as Arc<dyn PortalModule>);
    let registry = ModuleRegistry::from_modules(modules).unwrap();
    let projects_at = registry.ids().iter().position(|id| *id == "projects");
    let broken_at = registry.ids().iter().position(|id| *id == "a_broken");
    assert!(broken_at < projects_at, "the failing widget renders first");
    let app = spawn_app_with(
        &backend,
        Options {
            registry: Some(registry),
            ..Options::default()
        },
    )
    .await;
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Client Co").await;
    app.seed_modules(ws, client).await;
    let (_, dana) = app
        .contact(ws, client, "dana@client.example", &["can_view_projects"])
        .await;
    let page = app.get("acme", "/portal/", &dana).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let words = page.words();
    assert!(!words.contains("Never shown"), "{words}");
    assert!(words.contains("Your projects"), "{words}");
    assert!(words.contains("Homepage design"), "{words}");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the failing widget was asked"
    );
}

/// The home shows a widget again without reading it while nothing changed (it keeps the
/// rendered widget); whatever writes what it shows — a staff member's form, a module's store
/// — is on the next home page, and so is a permission taken away.
async fn a_widget_shows_a_change_at_once(backend: Backend) {
    let w = world(&backend).await;
    let first = w.home(&w.dana).await;
    assert!(!first.contains("Brand new launch"), "{first}");
    assert_eq!(w.home(&w.dana).await, first, "nothing changed in between");

    w.app.project(w.ws, w.client, "Brand new launch").await;
    let home = w.home(&w.dana).await;
    assert!(home.contains("Brand new launch"), "{home}");

    let renamed = w
        .app
        .submit(
            "acme",
            &format!(
                "/admin/projects/{}",
                project_id(&w, "Brand new launch").await
            ),
            &w.staff,
            &[
                ("name", "Launch, renamed"),
                ("status", "in_progress"),
                ("progress", "10"),
            ],
        )
        .await;
    assert!(renamed.status < 400, "{}", renamed.body);
    let home = w.home(&w.dana).await;
    assert!(home.contains("Launch, renamed"), "{home}");
    assert!(!home.contains("Brand new launch"), "{home}");

    let taken = w
        .app
        .db()
        .query("DELETE FROM contact_permissions WHERE permission = 'can_view_projects'")
        .execute()
        .await
        .unwrap();
    assert!(taken > 0);
    let home = w.home(&w.dana).await;
    assert!(!home.contains("Launch, renamed"), "{home}");
}

async fn project_id(w: &World, name: &str) -> i64 {
    w.app
        .db()
        .query_scalar("SELECT id FROM projects WHERE workspace_id = $1 AND name = $2")
        .bind(w.ws)
        .bind(name)
        .fetch_one()
        .await
        .unwrap()
}

/// Several instances serve one PostgreSQL database: a write by another one is on the next
/// home as well, though this process never saw it (widgets are stamped with the database's
/// snapshot there, not with this process's count of writes).
#[tokio::test]
async fn another_instances_write_shows_on_the_next_home() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let w = world(&backend).await;
    w.app.project(w.ws, w.client, "Brand new launch").await;
    let first = w.home(&w.dana).await;
    assert!(first.contains("Brand new launch"), "{first}");
    assert_eq!(w.home(&w.dana).await, first, "nothing changed in between");

    let id = project_id(&w, "Brand new launch").await;
    w.app
        .sql_as_another_instance(
            "UPDATE projects SET name = 'Renamed elsewhere' WHERE id = $1",
            id,
        )
        .await;
    let home = w.home(&w.dana).await;
    assert!(home.contains("Renamed elsewhere"), "{home}");
    assert!(!home.contains("Brand new launch"), "{home}");
}
