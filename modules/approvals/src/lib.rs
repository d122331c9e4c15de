//! # portico-approvals
//!
//! Deliverables the team sends a client for review — design mockups, ad creatives, copy, any
//! file — approved or sent back with what must change, version after version, with the full
//! history kept: every version and its files, every comment and decision, who and when.
//!
//! Laid out like every module: `lib.rs` declares and registers, `status.rs` is the state
//! machine (the one place that decides which step may follow which status), `store.rs` holds
//! the queries, `news.rs` who is told, `portal.rs`, `admin.rs` and `api.rs` the handlers of
//! each surface, `migrations/` and `templates/` the rest.
//!
//! - Staff open a request on a client's project (a draft, never shown to the client), add
//!   the files of version 1 and send it for review; the contacts who may decide
//!   (`can_approve_work`, and able to see the project) are told in the portal and by email.
//! - A contact approves, or requests a revision saying what must change (the team member who
//!   sent it is emailed); staff then add the files of the next version and send it again.
//! - An approved deliverable is locked: no new version, edit or file removal (409), and its
//!   files cannot be deleted from the file manager either.
//! - Every decision is a conditional write on the status and version the contact saw, inside
//!   a transaction that read the request locked: of two people acting at once, one moves it
//!   and the other is told what happened.
//! - On the `read_only` tier (Starter) contacts see everything and act on nothing.
mod admin;
mod api;
mod news;
mod portal;
pub mod status;
pub mod store;

use portal_core::files::upload::{store_bytes, Upload};
use portal_core::prelude::*;

portal_core::module_files!();

pub const ID: &str = "approvals";
pub const FEATURE: &str = "approvals";
/// Core permissions this module honours.
pub const CAN_APPROVE: &str = "can_approve_work";
pub const CAN_COMMENT: &str = "can_add_comments";
/// Seeing deliverables is seeing the project's work.
pub const CAN_VIEW: &str = portico_projects::CAN_VIEW;
/// The longest comment, description or revision request: as long as any comment.
pub const MAX_TEXT: usize = portico_projects::comments::MAX_BODY;
const PENDING_WIDGET: &str = "pending";

pub struct Approvals;

/// What this module is and brings, read by the core without running its code.
pub const MANIFEST: Manifest = Manifest {
    id: ID,
    name: "Approvals",
    version: env!("CARGO_PKG_VERSION"),
    // Deliverables belong to projects.
    depends_on: &[portico_projects::ID],
    features: &[FeatureDecl {
        key: FEATURE,
        label: "Deliverable approvals",
        tiers: &[
            TierDecl {
                key: "read_only",
                label: "See deliverables",
                read_only: true,
            },
            TierDecl {
                key: "interactive",
                label: "Approve and request revisions",
                read_only: false,
            },
        ],
    }],
    menu_items: &[MenuItem {
        label: "Approvals",
        path: "/approvals",
        icon: "check",
        order: 20,
        permission: Some(CAN_VIEW),
        feature: Some(FEATURE),
    }],
    quick_actions: &[QuickAction {
        key: "review",
        label: "Review Deliverables",
        description: "Approve the work sent to you, or say what must change.",
        path: "/approvals",
        order: 20,
        permission: Some(CAN_VIEW),
        feature: Some(FEATURE),
    }],
    widget_kinds: &[WidgetKind::new(PENDING_WIDGET, "Waiting for your approval")
        .order(15)
        .permission(CAN_VIEW)],
    notification_kinds: news::KINDS,
    migrations: MIGRATIONS,
    templates: TEMPLATES,
    ..Manifest::EMPTY
};

portal_core::register_module!(Approvals);

#[async_trait]
impl PortalModule for Approvals {
    fn manifest(&self) -> &'static Manifest {
        &MANIFEST
    }
    fn portal_routes(&self) -> Routes {
        Routes::new()
            .get("/approvals", portal::list)
            .requires(CAN_VIEW)
            .get("/approvals/{id}", portal::show)
            .requires(CAN_VIEW)
            .get("/approvals/{id}/files/{file}", portal::file)
            .requires(CAN_VIEW)
            .post("/approvals/{id}/approve", portal::approve)
            .requires(CAN_APPROVE)
            .post("/approvals/{id}/revision", portal::request_revision)
            .requires(CAN_APPROVE)
            .post("/approvals/{id}/comments", portal::comment)
            .requires(CAN_COMMENT)
    }
    fn admin_routes(&self) -> Routes {
        Routes::new()
            .get("/approvals", admin::list)
            .post("/approvals", admin::create)
            .record_params(&[("project", "projects.id"), ("title", "=Homepage")])
            .get("/approvals/{id}", admin::show)
            .upload("/approvals/{id}/files", admin::upload)
            .get("/approvals/{id}/files/{file}", admin::file)
            .post("/approvals/{id}/files/{file}/remove", admin::remove_file)
            .post("/approvals/{id}/submit", admin::submit)
            .post("/approvals/{id}/edit", admin::edit)
            .post("/approvals/{id}/delete", admin::delete)
            .post("/approvals/{id}/comments", admin::comment)
    }
    fn api_routes(&self) -> Routes {
        Routes::new()
            .get("/approvals", api::list)
            .post("/approvals", api::create)
            // Its `file_ids` go through the check adding files later does; that route's own
            // `{id}` sample is with the client, where adding files is refused regardless.
            .record_params(&[
                ("project_id", "projects.id"),
                ("title", "=Homepage"),
                ("file_ids", "core.file"),
            ])
            .get("/approvals/{id}", api::show)
            .post("/approvals/{id}/files", api::add_files)
            .post("/approvals/{id}/submit", api::submit)
    }
    /// A deliverable sent for review (version 1, one image) on the client's website project:
    /// the routes' `{id}` and `{file}`.
    async fn seed(&self, state: &AppState, workspace_id: i64, client_id: i64) -> Result<Seeded> {
        // The homepage is part of the website the projects module's seed is redesigning.
        let project = portico_projects::store::find_or_create(
            &state.db,
            workspace_id,
            client_id,
            &portico_projects::store::NewProject::in_progress("Website redesign", 60),
        )
        .await?;
        let (id, file) = store::seed(state, workspace_id, project).await?;
        Ok(vec![("id", id.to_string()), ("file", file.to_string())])
    }
    /// `pending`, its one widget: the deliverables waiting for the contact.
    async fn widget(&self, w: HomeWidget<'_>) -> Result<Option<String>> {
        let HomeWidget { ctx, tx, .. } = w;
        let pending = store::pending_in(tx, ctx.scope()).await?;
        let items: Vec<_> = pending
            .iter()
            .map(|a| {
                context! {
                    title => a.title,
                    project => a.project_name,
                    version => a.version,
                    due_date => a.due_date,
                    href => ctx.link(&format!("/approvals/{}", a.id)),
                }
            })
            .collect();
        let html = ctx.render_fragment(
            "approvals/widget.html",
            context! { items => items, all => ctx.link("/approvals") },
        )?;
        Ok(Some(html))
    }
}

/// A small real picture for the demo and the tests' probes.
pub(crate) const SAMPLE: &[u8] = include_bytes!("../assets/mockup.png");

/// The seed's file, stored as the agency's (the client reaches it through the review).
pub(crate) async fn sample_file(state: &AppState, workspace_id: i64) -> Result<i64> {
    let up = Upload {
        workspace_id,
        client_id: None,
        name: "Homepage mockup.png",
        declared: Some("image/png"),
        uploaded_by: "Portico demo",
        cap: None,
        max_bytes: u64::MAX,
        quota: None,
    };
    Ok(store_bytes(&state.db, &state.files, &up, SAMPLE.to_vec())
        .await?
        .id)
}
