//! # portico-projects
//!
//! The client's projects: status, timeline, milestones, percentage done and upcoming
//! deadlines. The reference module: every other module is laid out the same way —
//! `lib.rs` declares and registers, `store.rs` holds the scoped queries, `portal.rs`,
//! `admin.rs` and `api.rs` the handlers of each surface, `migrations/` and `templates/` the
//! rest.
mod admin;
mod api;
mod portal;
pub mod store;

use portal_core::clients::ContactSummary;
use portal_core::db::ModuleMigration;
use portal_core::module::EmbeddedTemplate;
use portal_core::{
    async_trait, AppState, FeatureDecl, MenuItem, ModuleRegistration, PermissionDecl,
    PortalContext, PortalModule, Result, Routes, StaffContext, TierDecl, Widget,
};

pub const ID: &str = "projects";
pub const FEATURE: &str = "projects";
pub const CAN_VIEW: &str = "can_view_projects";

pub struct Projects;

portal_core::inventory::submit! {
    ModuleRegistration { id: ID, build: || Box::new(Projects) }
}

#[async_trait]
impl PortalModule for Projects {
    fn id(&self) -> &'static str {
        ID
    }
    fn name(&self) -> &'static str {
        "Projects"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn features(&self) -> &'static [FeatureDecl] {
        &[FeatureDecl {
            key: FEATURE,
            label: "Project progress view",
            tiers: &[TierDecl::STANDARD],
        }]
    }
    fn permissions(&self) -> &'static [PermissionDecl] {
        &[PermissionDecl {
            key: CAN_VIEW,
            label: "View projects",
            description: "See the client's projects, their progress, milestones and deadlines.",
            presets: &["client_admin", "client_viewer"],
        }]
    }
    fn menu_items(&self) -> &'static [MenuItem] {
        &[MenuItem {
            label: "Projects",
            path: "/projects",
            icon: "folder",
            order: 10,
            permission: Some(CAN_VIEW),
            feature: Some(FEATURE),
        }]
    }
    fn migrations(&self) -> &'static [ModuleMigration] {
        &[
            ModuleMigration {
                version: 202611231001,
                description: "projects and milestones",
                sqlite: include_str!("../migrations/sqlite/20261123_1001_projects.sql"),
                postgres: include_str!("../migrations/postgres/20261123_1001_projects.sql"),
            },
            ModuleMigration {
                version: 202611231002,
                description: "contacts limited to some projects",
                sqlite: include_str!("../migrations/sqlite/20261123_1002_project_access.sql"),
                postgres: include_str!("../migrations/postgres/20261123_1002_project_access.sql"),
            },
            ModuleMigration {
                version: 202611231003,
                description: "row-level security",
                sqlite: include_str!("../migrations/sqlite/20261123_1003_row_level_security.sql"),
                postgres: include_str!(
                    "../migrations/postgres/20261123_1003_row_level_security.sql"
                ),
            },
        ]
    }
    fn templates(&self) -> &'static [EmbeddedTemplate] {
        &[
            ("projects/list.html", include_str!("../templates/list.html")),
            (
                "projects/detail.html",
                include_str!("../templates/detail.html"),
            ),
            (
                "projects/widget.html",
                include_str!("../templates/widget.html"),
            ),
            (
                "projects/admin_list.html",
                include_str!("../templates/admin_list.html"),
            ),
            (
                "projects/contact_access.html",
                include_str!("../templates/contact_access.html"),
            ),
        ]
    }
    fn portal_routes(&self) -> Routes {
        Routes::new()
            .get("/projects", portal::list)
            .requires(CAN_VIEW)
            .get("/projects/{id}", portal::detail)
            .requires(CAN_VIEW)
    }
    fn admin_routes(&self) -> Routes {
        Routes::new()
            .get("/projects", admin::list)
            .post("/projects/access/{contact}", admin::set_access)
    }
    fn api_routes(&self) -> Routes {
        Routes::new()
            .get("/projects", api::list)
            .get("/projects/{id}", api::detail)
    }
    async fn seed(
        &self,
        state: &AppState,
        workspace_id: i64,
        client_id: i64,
    ) -> Result<Vec<(&'static str, String)>> {
        let first = store::seed_examples(&state.db, workspace_id, client_id).await?;
        Ok(vec![("id", first.to_string())])
    }
    async fn contact_panel(
        &self,
        ctx: &StaffContext,
        state: &AppState,
        contact: &ContactSummary,
    ) -> Result<Option<String>> {
        admin::contact_panel(ctx, state, contact).await.map(Some)
    }
    async fn widgets(&self, ctx: &PortalContext, state: &AppState) -> Result<Vec<Widget>> {
        if !ctx.can(CAN_VIEW) {
            return Ok(Vec::new());
        }
        portal::widget(ctx, state).await.map(|w| vec![w])
    }
}
