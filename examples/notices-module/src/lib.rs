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

// Linking this crate is all it takes: the host finds the module through `inventory`.
portal_core::inventory::submit! {
    ModuleRegistration { id: ID, build: || Box::new(Notices) }
}

#[async_trait]
impl PortalModule for Notices {
    fn id(&self) -> &'static str {
        ID
    }
    fn name(&self) -> &'static str {
        "Notices"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn features(&self) -> &'static [FeatureDecl] {
        &[FeatureDecl {
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
        }]
    }
    fn permissions(&self) -> &'static [PermissionDecl] {
        &[PermissionDecl {
            key: CAN_ACKNOWLEDGE,
            label: "Acknowledge notices",
            description: "Confirm having read a notice from the agency.",
            presets: &["client_admin", "client_finance", "client_viewer"],
        }]
    }
    fn menu_items(&self) -> &'static [MenuItem] {
        &[MenuItem {
            label: "Notices",
            path: "/notices",
            icon: "bell",
            order: 50,
            permission: None,
            feature: Some(FEATURE),
        }]
    }
    fn widget_kinds(&self) -> &'static [WidgetKind] {
        &[WidgetKind {
            key: WIDGET,
            label: "Notices",
            order: 50,
            choices: &[],
            default_choices: &[],
        }]
    }
    fn notification_kinds(&self) -> &'static [NotificationKind] {
        &[NotificationKind {
            key: NOTICE_POSTED,
            label: "A notice from the agency",
            permission: None,
            default_delivery: portal_core::notifications::Delivery::Daily,
        }]
    }
    fn migrations(&self) -> &'static [ModuleMigration] {
        MIGRATIONS
    }
    fn templates(&self) -> &'static [EmbeddedTemplate] {
        TEMPLATES
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
