//! # portico-example-notices
//!
//! The example of `docs/modules.md`: staff post notices ("We are closed on Friday", "New
//! brand guidelines are up"), contacts read them and acknowledge them. Small, but it uses
//! every part of the contract: a feature with a read-only and an interactive tier, a
//! permission, a menu item, portal, admin and API routes, migrations for both backends,
//! templates, a home-page widget and a notification kind.
mod handlers;
pub mod store;

use portal_core::prelude::*;

portal_core::module_files!();

pub const ID: &str = "notices";
pub const FEATURE: &str = "notices";
pub const CAN_ACKNOWLEDGE: &str = "can_acknowledge_notices";
pub const NOTICE_POSTED: &str = "notice_posted";
/// The home page widget of unacknowledged notices.
pub const WIDGET: &str = "notices";

pub struct Notices;

/// What this module is and brings, read by the core without running its code.
pub const MANIFEST: Manifest = Manifest {
    id: ID,
    name: "Notices",
    version: env!("CARGO_PKG_VERSION"),
    features: &[FeatureDecl {
        key: FEATURE,
        label: "Notices",
        // Lowest first. On `read_only` the page shows no button and the POST route
        // answers 403 — the core does both; the module only declares the tier.
        tiers: &[
            TierDecl {
                key: "read_only",
                label: "Read notices",
                read_only: true,
            },
            TierDecl {
                key: "interactive",
                label: "Read and acknowledge",
                read_only: false,
            },
        ],
    }],
    permissions: &[PermissionDecl {
        key: CAN_ACKNOWLEDGE,
        label: "Acknowledge notices",
        description: "Confirm having read a notice from the agency.",
        presets: &["client_admin", "client_finance", "client_viewer"],
    }],
    menu_items: &[MenuItem {
        label: "Notices",
        path: "/notices",
        icon: "bell",
        order: 50,
        permission: None,
        feature: Some(FEATURE),
    }],
    widget_kinds: &[WidgetKind {
        key: WIDGET,
        label: "Notices",
        order: 50,
        choices: &[],
        default_choices: &[],
    }],
    notification_kinds: &[NotificationKind {
        key: NOTICE_POSTED,
        label: "A notice from the agency",
        permission: None,
        default_delivery: portal_core::notifications::Delivery::Daily,
    }],
    migrations: MIGRATIONS,
    templates: TEMPLATES,
    ..Manifest::EMPTY
};

// Linking this crate is all it takes: the host finds the module through `inventory`.
portal_core::register_module!(Notices);

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
        Routes::new().get("/notices", handlers::admin_list)
    }
    fn api_routes(&self) -> Routes {
        Routes::new()
            .get("/notices", handlers::api_list)
            .post("/notices", handlers::api_create)
    }
    async fn seed(
        &self,
        state: &AppState,
        workspace_id: i64,
        client_id: i64,
    ) -> Result<Vec<(&'static str, String)>> {
        let id = store::create(
            &state.db,
            workspace_id,
            Some(client_id),
            "New brand guidelines",
            "The final guidelines are ready: please have a look before Friday.",
        )
        .await?
        .unwrap_or_default();
        Ok(vec![("id", id.to_string())])
    }
    async fn widgets(
        &self,
        ctx: &PortalContext,
        _state: &AppState,
        arrangement: &Arrangement,
        tx: &mut ScopedTx,
    ) -> Result<Vec<Widget>> {
        handlers::widget(ctx, arrangement, tx).await
    }
}
