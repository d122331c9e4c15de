//! # portico-example-notices
//!
//! The example of `docs/modules.md`: staff post notices ("We are closed on Friday"), contacts
//! read and acknowledge them. Small, but it uses every part of the contract: a feature with a
//! read-only and an interactive tier, a permission, a menu item, portal and admin pages, a
//! checked form, a table behind row-level security, templates, a widget and a notification.
mod handlers;
pub mod store;

use portal_core::prelude::*;

portal_core::module_files!();

pub const ID: &str = "notices";
pub const CAN_ACKNOWLEDGE: &str = "can_acknowledge_notices";
pub const NOTICE_POSTED: &str = "notice_posted";

// ANCHOR: manifest
pub const MANIFEST: Manifest = Manifest {
    id: ID,
    name: "Notices",
    version: env!("CARGO_PKG_VERSION"),
    // Lowest tier first. On `read_only` the core hides action buttons (`ctx.can_act`) and
    // answers 403 to the module's portal POST routes; the module only declares the tier.
    features: &[FeatureDecl::new(
        ID,
        "Notices",
        &[
            TierDecl::new("read_only", "Read notices").read_only(),
            TierDecl::new("interactive", "Read and acknowledge"),
        ],
    )],
    permissions: &[PermissionDecl::new(
        CAN_ACKNOWLEDGE,
        "Acknowledge notices",
        "Confirm having read a notice from the agency.",
    )
    .presets(&["client_admin", "client_finance", "client_viewer"])],
    menu_items: &[MenuItem::new("Notices", "/notices", "bell").feature(ID)],
    widget_kinds: &[WidgetKind::new(ID, "Notices").order(50)],
    notification_kinds: &[NotificationKind::new(
        NOTICE_POSTED,
        "A notice from the agency",
        Delivery::Daily,
    )],
    migrations: MIGRATIONS,
    templates: TEMPLATES,
    ..Manifest::EMPTY
};
// ANCHOR_END: manifest

pub struct Notices;

// Linking this crate is all it takes: the host finds the module through `inventory`.
portal_core::register_module!(Notices);

// ANCHOR: module
#[async_trait]
impl PortalModule for Notices {
    fn manifest(&self) -> &'static Manifest {
        &MANIFEST
    }
    fn portal_routes(&self) -> Routes {
        Routes::new()
            .get("/notices", handlers::list)
            .post("/notices/{id}/acknowledge", handlers::acknowledge)
            .requires(CAN_ACKNOWLEDGE)
    }
    fn admin_routes(&self) -> Routes {
        Routes::new()
            .get("/notices", handlers::admin_list)
            .post("/notices", handlers::post)
    }
    /// A notice for the client, for `portico demo` and the isolation probe's `{id}`.
    async fn seed(&self, state: &AppState, ws: i64, client: i64) -> Result<Seeded> {
        let new = store::NewNotice {
            title: "New brand guidelines".into(),
            body: "Please have a look before Friday.".into(),
            client_id: Some(client),
        };
        let id = store::create(&state.db, ws, &new).await?;
        Ok(vec![("id", id.to_string())])
    }
    async fn widget(&self, w: HomeWidget<'_>) -> Result<Option<String>> {
        handlers::widget(w.ctx, w.tx).await.map(Some)
    }
}
// ANCHOR_END: module
