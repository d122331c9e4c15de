//! A test's world in one chained call: a workspace on a plan, its staff, and its clients with
//! their contacts, projects and invoices. Tests used to build the same world step by step,
//! ten to twenty lines repeated across files; the builder says *what* a test starts from and
//! makes it through the same real paths the single helpers take — the core's functions for
//! workspaces, clients and staff, the invitation page for joined contacts, the projects
//! module's store for projects, the admin forms for project access and invoices.
//!
//! ```ignore
//! let s = app
//!     .scenario("acme")
//!     .plan("growth")
//!     .staff_owner("owner@agency.example")
//!     .client("Client Co", |c| {
//!         c.project("Website")
//!             .joined_contact("bea@client.example", &["can_view_invoices"])
//!             .invoice("Design", "354.31")
//!     })
//!     .build()
//!     .await;
//! let (bea_id, bea) = s.contact("bea@client.example");
//! let website = s.project("Website");
//! ```
//!
//! The order things are made in is fixed, and the order of life: the workspace; its staff, in
//! the order named; then client by client, the client, its projects, its contacts (each
//! limited to some projects right after it is made, where asked), its invoices — last, so that
//! issuing one tells the contacts who may see it, as it would.
use std::collections::BTreeMap;

use crate::{As, TestApp};

impl TestApp {
    /// A world for workspace `slug` (on Growth unless [`ScenarioBuilder::plan`] says
    /// otherwise), made by [`ScenarioBuilder::build`].
    pub fn scenario(&self, slug: &str) -> ScenarioBuilder<'_> {
        ScenarioBuilder {
            app: self,
            slug: slug.to_string(),
            plan: "growth".to_string(),
            staff: Vec::new(),
            clients: Vec::new(),
        }
    }

    /// An invoice of `client` issued as staff issue one, through the admin forms: a USD draft
    /// due 2030-01-31, one line of `description` at `unit_price` (as typed: `"354.31"`), then
    /// issued — which numbers it and tells the client's contacts who may see invoices. Its id.
    /// [`ClientPlan::invoice`] uses it; a test that issues one after its world is built can
    /// too.
    #[cfg(feature = "billing")]
    pub async fn issued_invoice(
        &self,
        slug: &str,
        staff: &As,
        client: i64,
        description: &str,
        unit_price: &str,
    ) -> i64 {
        let client = client.to_string();
        let draft = [
            ("client", client.as_str()),
            ("currency", "USD"),
            ("due_date", "2030-01-31"),
        ];
        let res = self.submit(slug, "/admin/billing", staff, &draft).await;
        assert_eq!(res.status, 303, "the draft: {}", res.body);
        let id = res.location_id("billing");
        let line = [
            ("description", description),
            ("quantity", "1"),
            ("unit_price", unit_price),
        ];
        for (path, fields) in [("lines", &line[..]), ("issue", &[])] {
            let res = self
                .submit(slug, &format!("/admin/billing/{id}/{path}"), staff, fields)
                .await;
            assert_eq!(res.status, 303, "{description}, {path}: {}", res.body);
        }
        id
    }
}

/// What [`TestApp::scenario`] is to make; nothing is made until [`ScenarioBuilder::build`].
pub struct ScenarioBuilder<'a> {
    app: &'a TestApp,
    slug: String,
    plan: String,
    /// Email and role, in the order they are made.
    staff: Vec<(String, String)>,
    clients: Vec<ClientPlan>,
}

impl ScenarioBuilder<'_> {
    /// The workspace's plan (`starter`, `growth`, `scale`).
    pub fn plan(mut self, plan: &str) -> Self {
        self.plan = plan.to_string();
        self
    }

    /// A staff owner. The first owner or admin named is the one who fills in the admin forms
    /// the scenario needs (project access, invoices).
    pub fn staff_owner(self, email: &str) -> Self {
        self.staff(email, "owner")
    }

    /// A staff member in `role` (`owner`, `admin`, `member`), made as
    /// [`TestApp::staff_in_role`] makes one: signed in, with an API token.
    pub fn staff(mut self, email: &str, role: &str) -> Self {
        self.staff.push((email.to_string(), role.to_string()));
        self
    }

    /// A client called `name`, with what `with` adds to it (`|c| c` for none).
    pub fn client(mut self, name: &str, with: impl FnOnce(ClientPlan) -> ClientPlan) -> Self {
        self.clients.push(with(ClientPlan {
            name: name.to_string(),
            ..ClientPlan::default()
        }));
        self
    }

    /// Makes it all, in the order the module's doc gives.
    pub async fn build(self) -> Scenario {
        let app = self.app;
        let ws = app.workspace(&self.slug, &self.plan).await;
        let mut s = Scenario {
            ws,
            slug: self.slug,
            ..Scenario::default()
        };
        for (email, role) in &self.staff {
            let made = app.staff_in_role(ws, email, role).await;
            s.staff.insert(email.clone(), made);
        }
        // Who fills in the forms: the first who may.
        let acting = self.staff.iter().find_map(|(email, role)| {
            matches!(role.as_str(), "owner" | "admin").then(|| s.staff[email].1.clone())
        });
        for plan in self.clients {
            plan.make(app, &mut s, acting.as_ref()).await;
        }
        s
    }
}

/// One client of a scenario: what [`ScenarioBuilder::client`]'s closure adds to it.
#[derive(Default)]
pub struct ClientPlan {
    name: String,
    /// Name and progress (percent).
    #[cfg(feature = "projects")]
    projects: Vec<(String, i64)>,
    contacts: Vec<ContactPlan>,
    /// Description and unit price.
    #[cfg(feature = "billing")]
    invoices: Vec<(String, String)>,
}

struct ContactPlan {
    email: String,
    permissions: Vec<String>,
    /// Accepted an invitation ([`TestApp::joined_contact`]) rather than only signed in.
    joined: bool,
    /// The projects (by name) staff limited them to; `None`: all of the client's.
    #[cfg(feature = "projects")]
    limited_to: Option<Vec<String>>,
}

impl ClientPlan {
    /// A contact with `permissions`, signed in, as [`TestApp::contact`] makes one: never
    /// invited, no password.
    pub fn contact(self, email: &str, permissions: &[&str]) -> Self {
        self.add_contact(email, permissions, false)
    }

    /// A contact who accepted their invitation and chose [`crate::CONTACT_PASSWORD`], as
    /// [`TestApp::joined_contact`] makes one: the one kind that gets the portal's email.
    pub fn joined_contact(self, email: &str, permissions: &[&str]) -> Self {
        self.add_contact(email, permissions, true)
    }

    fn add_contact(mut self, email: &str, permissions: &[&str], joined: bool) -> Self {
        self.contacts.push(ContactPlan {
            email: email.to_string(),
            permissions: permissions.iter().map(|p| p.to_string()).collect(),
            joined,
            #[cfg(feature = "projects")]
            limited_to: None,
        });
        self
    }

    /// A project, in progress at 0 %, as [`TestApp::project`] makes one.
    #[cfg(feature = "projects")]
    pub fn project(self, name: &str) -> Self {
        self.project_at(name, 0)
    }

    /// A project in progress at `progress` percent, for tests that read or change it.
    #[cfg(feature = "projects")]
    pub fn project_at(mut self, name: &str, progress: i64) -> Self {
        self.projects.push((name.to_string(), progress));
        self
    }

    /// The contact named just before sees only these of the client's projects: staff limit
    /// them on the contact's admin page (`/admin/projects/access/{contact}`).
    #[cfg(feature = "projects")]
    pub fn limited_to(mut self, projects: &[&str]) -> Self {
        let contact = self
            .contacts
            .last_mut()
            .expect("limited_to follows the contact it limits");
        contact.limited_to = Some(projects.iter().map(|p| p.to_string()).collect());
        self
    }

    /// An invoice issued to the client, after its contacts are made: see
    /// [`TestApp::issued_invoice`]. Looked up by `description`.
    #[cfg(feature = "billing")]
    pub fn invoice(mut self, description: &str, unit_price: &str) -> Self {
        self.invoices
            .push((description.to_string(), unit_price.to_string()));
        self
    }

    #[cfg_attr(
        not(any(feature = "projects", feature = "billing")),
        allow(unused_variables)
    )]
    async fn make(self, app: &TestApp, s: &mut Scenario, acting: Option<&As>) {
        let ws = s.ws;
        let client = app.client(ws, &self.name).await;
        insert_once(&mut s.clients, "client", &self.name, client);
        #[cfg(feature = "projects")]
        for (name, progress) in &self.projects {
            let new = portico_projects::store::NewProject::in_progress(name, *progress);
            let id = portico_projects::store::create(app.db(), ws, client, &new)
                .await
                .unwrap();
            insert_once(&mut s.projects, "project", name, id);
        }
        for c in &self.contacts {
            let permissions: Vec<&str> = c.permissions.iter().map(String::as_str).collect();
            let made = if c.joined {
                app.joined_contact(ws, client, &c.email, &permissions).await
            } else {
                app.contact(ws, client, &c.email, &permissions).await
            };
            #[cfg(feature = "projects")]
            if let Some(projects) = &c.limited_to {
                let ids: Vec<String> = projects.iter().map(|p| s.project(p).to_string()).collect();
                let mut form = vec![("scope", "some")];
                form.extend(ids.iter().map(|id| ("project", id.as_str())));
                let path = format!("/admin/projects/access/{}", made.0);
                let res = app
                    .submit(&s.slug, &path, acting_staff(acting), &form)
                    .await;
                assert_eq!(res.status, 303, "limiting {}: {}", c.email, res.body);
            }
            insert_once(&mut s.contacts, "contact", &c.email, made);
        }
        #[cfg(feature = "billing")]
        for (description, unit_price) in &self.invoices {
            let staff = acting_staff(acting);
            let id = app
                .issued_invoice(&s.slug, staff, client, description, unit_price)
                .await;
            insert_once(&mut s.invoices, "invoice", description, id);
        }
    }
}

/// The staff session that fills in the admin forms, or why there is none.
#[cfg(any(feature = "projects", feature = "billing"))]
fn acting_staff(acting: Option<&As>) -> &As {
    acting.expect("the scenario needs a staff owner or admin to fill in the admin forms")
}

/// Names are how a test finds what it made: one name, one thing.
fn insert_once<T>(map: &mut BTreeMap<String, T>, kind: &str, name: &str, value: T) {
    let old = map.insert(name.to_string(), value);
    assert!(old.is_none(), "the scenario names two of {kind} {name:?}");
}

/// What [`ScenarioBuilder::build`] made, found by the names the test gave: ids, and the
/// signed-in sessions of contacts and staff.
#[derive(Default)]
pub struct Scenario {
    pub ws: i64,
    pub slug: String,
    staff: BTreeMap<String, (i64, As, As)>,
    clients: BTreeMap<String, i64>,
    contacts: BTreeMap<String, (i64, As)>,
    projects: BTreeMap<String, i64>,
    invoices: BTreeMap<String, i64>,
}

impl Scenario {
    /// A staff member by email: their id, admin session and API token (as
    /// [`TestApp::staff_in_role`] returns them).
    pub fn staff(&self, email: &str) -> (i64, As, As) {
        found(&self.staff, "staff member", email).clone()
    }

    /// A client's id by name.
    pub fn client(&self, name: &str) -> i64 {
        *found(&self.clients, "client", name)
    }

    /// A contact by email: their id and portal session (as [`TestApp::contact`] returns them).
    pub fn contact(&self, email: &str) -> (i64, As) {
        found(&self.contacts, "contact", email).clone()
    }

    /// A project's id by name.
    pub fn project(&self, name: &str) -> i64 {
        *found(&self.projects, "project", name)
    }

    /// An invoice's id by its line's description.
    pub fn invoice(&self, description: &str) -> i64 {
        *found(&self.invoices, "invoice", description)
    }
}

fn found<'a, T>(map: &'a BTreeMap<String, T>, kind: &str, name: &str) -> &'a T {
    map.get(name).unwrap_or_else(|| {
        let names: Vec<&String> = map.keys().collect();
        panic!("the scenario has no {kind} {name:?}; it has {names:?}")
    })
}
