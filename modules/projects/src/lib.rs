//! # portico-projects
//!
//! The client's projects: status, timeline, milestones, percentage done and upcoming
//! deadlines. The reference module: every other module is laid out the same way —
//! `lib.rs` declares and registers, `store.rs` holds the scoped queries, `portal.rs`,
//! `admin.rs` and `api.rs` the handlers of each surface, `migrations/` and `templates/` the
//! rest. Tasks and comments add their own store files (`tasks.rs`, `comments.rs`) and
//! handler files (`portal_tasks.rs`, `admin_project.rs`).
//!
//! Tasks and comments: the agency marks some tasks client-visible; the others, and every
//! task's internal notes, never reach the portal. A comment is a reply (the client sees it)
//! or a note (the team's own): the portal reads only client-safe types (`ClientTask`,
//! `Reply`) from queries that filter for them, and on PostgreSQL row-level security hides
//! internal tasks and notes from a portal scope as well.
mod admin;
mod admin_project;
mod api;
pub mod comments;
mod news;
mod portal;
mod portal_tasks;
pub mod store;
pub mod tasks;

use portal_core::clients::ContactSummary;
use portal_core::prelude::*;

portal_core::module_files!();

pub const ID: &str = "projects";
pub const FEATURE: &str = "projects";
pub const CAN_VIEW: &str = "can_view_projects";
/// What a notification about one of the client's projects names (`Notice::about`).
pub const RECORD: &str = "project";

/// A contact may still see a project: they hold "see projects" and are not limited to others.
fn project_visible(project: &str, contact: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM core_contact_permissions cp WHERE cp.contact_id = {contact} AND cp.permission = '{CAN_VIEW}') AND {}",
        store::visible(project, contact)
    )
}

pub struct Projects;

/// What this module is and brings, read by the core without running its code.
pub const MANIFEST: Manifest = Manifest {
    id: ID,
    name: "Projects",
    version: env!("CARGO_PKG_VERSION"),
    features: &[FeatureDecl {
        key: FEATURE,
        label: "Project progress view",
        tiers: &[TierDecl::STANDARD],
    }],
    permissions: &[PermissionDecl {
        key: CAN_VIEW,
        label: "View projects",
        description: "See the client's projects, their progress, milestones and deadlines.",
        presets: &["client_admin", "client_viewer"],
    }],
    menu_items: &[MenuItem {
        label: "Projects",
        path: "/projects",
        icon: "folder",
        order: 10,
        permission: Some(CAN_VIEW),
        feature: Some(FEATURE),
    }],
    quick_actions: &[QuickAction {
        key: "view",
        label: "View Projects",
        description: "Progress, milestones, deadlines and the tasks in hand.",
        path: "/projects",
        order: 10,
        permission: Some(CAN_VIEW),
        feature: Some(FEATURE),
    }],
    widget_kinds: &[
        WidgetKind::new(portal::SUMMARY_WIDGET, "Your projects")
            .order(10)
            .permission(CAN_VIEW),
        WidgetKind {
            choices: tasks::TASK_STATUSES,
            default_choices: &["todo", "in_progress", "in_review"],
            ..WidgetKind::new(portal::TASKS_WIDGET, "Ongoing tasks")
                .order(20)
                .permission(CAN_VIEW)
        },
    ],
    notification_kinds: news::KINDS,
    // Notifications about a project (its replies, tasks, deliverables and feedback) leave
    // the feed of a contact who may no longer see it.
    record_rules: &[portal_core::notifications::RecordRule {
        record: RECORD,
        visible: project_visible,
    }],
    migrations: MIGRATIONS,
    templates: TEMPLATES,
    ..Manifest::EMPTY
};

portal_core::register_module!(Projects);

#[async_trait]
impl PortalModule for Projects {
    fn manifest(&self) -> &'static Manifest {
        &MANIFEST
    }
    fn portal_routes(&self) -> Routes {
        Routes::new()
            .get("/projects", portal::list)
            .requires(CAN_VIEW)
            .get("/projects/{id}", portal::detail)
            .requires(CAN_VIEW)
            .post("/projects/{id}/replies", portal_tasks::reply_on_project)
            .requires(CAN_VIEW)
            .get("/projects/{id}/tasks/{task}", portal_tasks::task_page)
            .requires(CAN_VIEW)
            .post(
                "/projects/{id}/tasks/{task}/replies",
                portal_tasks::reply_on_task,
            )
            .requires(CAN_VIEW)
    }
    fn admin_routes(&self) -> Routes {
        Routes::new()
            .get("/projects", admin::list)
            .post("/projects/access/{contact}", admin::set_access)
            .requires_role(Role::Admin)
            .record_params(&[("scope", "=some"), ("project", "id")])
            .get("/projects/{id}", admin_project::page)
            .post("/projects/{id}", admin_project::save_project)
            .post("/projects/{id}/tasks", admin_project::add_task)
            .get("/projects/{id}/tasks/{task}", admin_project::task_page)
            .post("/projects/{id}/tasks/{task}", admin_project::save_task)
            .post(
                "/projects/{id}/tasks/{task}/status",
                admin_project::task_status,
            )
            .post("/projects/{id}/comments", admin_project::add_comment)
            .post(
                "/projects/{id}/comments/{comment}",
                admin_project::edit_comment,
            )
            .post(
                "/projects/{id}/comments/{comment}/delete",
                admin_project::delete_comment,
            )
    }
    fn api_routes(&self) -> Routes {
        Routes::new()
            .get("/projects", api::list)
            .get("/projects/{id}", api::detail)
            .post("/projects/{id}/comments", api::add_comment)
    }
    async fn seed(&self, state: &AppState, workspace_id: i64, client_id: i64) -> Result<Seeded> {
        let seeded = store::seed_examples(&state.db, workspace_id, client_id).await?;
        Ok(vec![
            ("id", seeded.project.to_string()),
            ("task", seeded.task.to_string()),
            ("comment", seeded.comment.to_string()),
        ])
    }
    async fn contact_panel(
        &self,
        ctx: &StaffContext,
        state: &AppState,
        contact: &ContactSummary,
    ) -> Result<Option<String>> {
        admin::contact_panel(ctx, state, contact).await.map(Some)
    }
    async fn widget(&self, w: HomeWidget<'_>) -> Result<Option<String>> {
        portal::widget(w).await
    }
}
