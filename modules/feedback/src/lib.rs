//! # portico-feedback
//!
//! A Feedback tab where a client's contact sends the agency something structured — a bug, a
//! change request, a question, new work: subject, message, the category (the workspace
//! defines them), optionally the project and files — and each message becomes a task in a
//! staff member's inbox instead of an email lost in someone's mailbox.
//!
//! Laid out like every module: `lib.rs` declares and registers, `status.rs` the statuses,
//! `store.rs` the queries (and the routing rule), `news.rs` who is told, `work.rs` feedback
//! turned into a project task, `portal.rs`, `admin.rs` and `api.rs` the handlers of each
//! surface, `migrations/` and `templates/` the rest.
//!
//! - **Routing**: to the lead of the project it names; else to the workspace's default
//!   assignee; else to its first owner. The assignee is emailed; the inbox
//!   (`/admin/feedback`) shows what is theirs, or everyone's.
//! - **Answering**: a reply the client reads (and is told of), or a note only the team reads;
//!   a status (New, In progress, Resolved, Declined) the contact sees and is told of;
//!   reassigning; turning it into a task of its project, linked both ways.
//! - **Seeing**: a contact sees their client's feedback except what concerns a project they
//!   are not given, never a note; a follow-up from them reopens resolved feedback.
//! - In the default catalogue feedback is in Growth and Scale; on Starter the tab and its
//!   routes do not exist.
mod admin;
mod api;
mod news;
mod portal;
pub mod status;
pub mod store;
mod work;

use portal_core::prelude::*;

portal_core::module_files!();

pub const ID: &str = "feedback";
/// What a notification about one feedback thread names (`Notice::about`).
pub const RECORD: &str = "feedback";

/// A contact still sees a thread: it is of their client (every notification is), and not
/// about a project they are not given.
fn thread_visible(thread: &str, contact: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM feedback f WHERE f.id = {thread} AND {})",
        store::seen_by(contact)
    )
}
pub const FEATURE: &str = "feedback";
/// The longest message: as long as any comment.
pub const MAX_TEXT: usize = portico_projects::comments::MAX_BODY;
/// The most files one feedback carries.
pub const MAX_FILES: usize = 10;

pub struct Feedback;

/// What this module is and brings, read by the core without running its code.
pub const MANIFEST: Manifest = Manifest {
    id: ID,
    name: "Feedback",
    version: env!("CARGO_PKG_VERSION"),
    // Feedback names projects, routes to their leads and becomes their tasks.
    depends_on: &[portico_projects::ID],
    features: &[FeatureDecl {
        key: FEATURE,
        label: "Feedback",
        tiers: &[TierDecl::STANDARD],
    }],
    menu_items: &[MenuItem {
        label: "Feedback",
        path: "/feedback",
        icon: "message",
        order: 50,
        permission: None,
        feature: Some(FEATURE),
    }],
    quick_actions: &[QuickAction {
        key: "send",
        label: "Send Feedback",
        description: "Report a problem, ask for a change or new work, or ask a question.",
        path: "/feedback/new",
        order: 50,
        permission: None,
        feature: Some(FEATURE),
    }],
    notification_kinds: news::KINDS,
    record_rules: &[portal_core::notifications::RecordRule {
        record: RECORD,
        visible: thread_visible,
    }],
    migrations: MIGRATIONS,
    templates: TEMPLATES,
    ..Manifest::EMPTY
};

portal_core::register_module!(Feedback);

#[async_trait]
impl PortalModule for Feedback {
    fn manifest(&self) -> &'static Manifest {
        &MANIFEST
    }
    fn portal_routes(&self) -> Routes {
        Routes::new()
            .get("/feedback", portal::list)
            .get("/feedback/new", portal::new_form)
            .upload("/feedback", portal::send)
            .record_params(&[
                ("subject", "=The logo"),
                ("body", "=It is too small on phones."),
                ("category", "context:category"),
                ("project", "projects.id"),
            ])
            .get("/feedback/{id}", portal::show)
            .post("/feedback/{id}/messages", portal::follow_up)
            .get("/feedback/{id}/files/{file}", portal::file)
    }
    fn admin_routes(&self) -> Routes {
        Routes::new()
            .get("/feedback", admin::list)
            .get("/feedback/settings", admin::settings)
            .post("/feedback/settings", admin::save_settings)
            .requires_role(Role::Admin)
            .post("/feedback/categories", admin::add_category)
            .requires_role(Role::Admin)
            .post("/feedback/categories/{category}", admin::archive_category)
            .requires_role(Role::Admin)
            .get("/feedback/{id}", admin::show)
            .post("/feedback/{id}/messages", admin::message)
            .post("/feedback/{id}/status", admin::status)
            .post("/feedback/{id}/assign", admin::assign)
            .post("/feedback/{id}/task", admin::task)
            .get("/feedback/{id}/files/{file}", admin::file)
    }
    fn api_routes(&self) -> Routes {
        Routes::new()
            .get("/feedback", api::list)
            .get("/feedback/{id}", api::show)
            .post("/feedback/{id}/messages", api::message)
            .post("/feedback/{id}/status", api::status)
            .post("/feedback/{id}/assign", api::assign)
            .post("/feedback/{id}/task", api::task)
    }
    /// Feedback on the client's website project (a change request with a screenshot, answered
    /// once): the routes' `{id}`, `{file}` and `{category}`.
    async fn seed(&self, state: &AppState, workspace_id: i64, client_id: i64) -> Result<Seeded> {
        let project = portico_projects::store::find_or_create(
            &state.db,
            workspace_id,
            client_id,
            &portico_projects::store::NewProject::in_progress("Website redesign", 60),
        )
        .await?;
        let (id, file, category) = store::seed(state, workspace_id, client_id, project).await?;
        Ok(vec![
            ("id", id.to_string()),
            ("file", file.to_string()),
            ("category", category.to_string()),
        ])
    }
}
