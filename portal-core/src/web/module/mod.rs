//! The module contract's web half: the trait a module implements to hand the portal its
//! handlers and hooks, and how it registers.
//!
//! A module crate implements [`PortalModule`] and registers a [`ModuleRegistration`] with
//! `inventory::submit!`. The registration is a small const record holding a constructor
//! function, never a router: `inventory` needs const values, and building routers at link
//! time would be impossible anyway. What a module declares (features, permissions, menu
//! items, …) is domain data: `crate::module`.
mod registry;
mod routes;

pub use registry::{ModuleRegistry, StartupFailure};
pub use routes::Routes;

use async_trait::async_trait;

use crate::app::AppState;
use crate::db::{ModuleMigration, ScopedTx};
use crate::error::Result;
use crate::home::Arrangement;
use crate::module::{
    EmbeddedTemplate, FeatureDecl, MenuItem, NotificationKind, PermissionDecl, QuickAction, Widget,
    WidgetKind,
};
use crate::web::{PortalContext, StaffContext};

/// One linked module, as `inventory` collects it.
pub struct ModuleRegistration {
    pub id: &'static str,
    pub build: fn() -> Box<dyn PortalModule>,
}

inventory::collect!(ModuleRegistration);

#[async_trait]
pub trait PortalModule: Send + Sync + 'static {
    /// Stable identifier: used in URLs of menu items, feature ownership, template names.
    fn id(&self) -> &'static str;
    fn name(&self) -> &'static str;
    fn version(&self) -> &'static str;
    /// Modules that must be linked (and entitled) for this one to work.
    fn depends_on(&self) -> &'static [&'static str] {
        &[]
    }
    /// Features this module provides. A module without features is available to every
    /// workspace that enables it; otherwise it is entitled when any of its features is.
    /// The first feature is the module's own: its tier decides read-only behaviour.
    fn features(&self) -> &'static [FeatureDecl] {
        &[]
    }
    fn permissions(&self) -> &'static [PermissionDecl] {
        &[]
    }
    fn menu_items(&self) -> &'static [MenuItem] {
        &[]
    }
    fn migrations(&self) -> &'static [ModuleMigration] {
        &[]
    }
    /// Cards for the home page's quick actions.
    fn quick_actions(&self) -> &'static [QuickAction] {
        &[]
    }
    /// The widgets [`PortalModule::widgets`] may return, for the home page settings.
    fn widget_kinds(&self) -> &'static [WidgetKind] {
        &[]
    }
    /// What this module notifies contacts about.
    fn notification_kinds(&self) -> &'static [NotificationKind] {
        &[]
    }
    /// The records of this module a notification may be about ([`crate::notifications::Notice::about`]),
    /// and who may still see each: a contact's feed leaves out what they may no longer see.
    fn record_rules(&self) -> &'static [crate::notifications::RecordRule] {
        &[]
    }
    fn templates(&self) -> &'static [EmbeddedTemplate] {
        &[]
    }
    /// Routes under `/portal`, seen by signed-in contacts.
    fn portal_routes(&self) -> Routes {
        Routes::new()
    }
    /// Routes under `/admin`, seen by staff.
    fn admin_routes(&self) -> Routes {
        Routes::new()
    }
    /// Routes under `/api`, the staff JSON API.
    fn api_routes(&self) -> Routes {
        Routes::new()
    }
    /// Routes under `/hooks`, called by other services — a payment provider's webhook. No
    /// session and no CSRF token: the handler must prove the caller (a signature over the
    /// raw body) before acting. The module gate still applies.
    fn hook_routes(&self) -> Routes {
        Routes::new()
    }
    /// Called once at start-up, after migrations. An error leaves this module (and the
    /// modules depending on it) out of the running portal; the rest serves.
    async fn start(&self, _state: &AppState) -> Result<()> {
        Ok(())
    }
    /// Creates a small set of realistic records for one client — `portico demo` shows them,
    /// and the test suite's isolation probe and gating matrix use them — and returns, for
    /// each `{parameter}` the module's routes use, the id of one of the records created.
    /// A module with parameterised routes must return a value for each parameter name, except
    /// `{contact}`, a core record: callers fill it with a contact of the same client.
    async fn seed(
        &self,
        _state: &AppState,
        _workspace_id: i64,
        _client_id: i64,
    ) -> Result<Vec<(&'static str, String)>> {
        Ok(Vec::new())
    }
    /// Blocks for the contact's home page, as the workspace arranged it (`arrangement`:
    /// which of the module's widgets show, with which choices). `tx` is the home render's one
    /// scoped connection, shared by every module's widgets: read on it, and neither commit it
    /// nor open another (a second connection taken while one is held can wait on a busy
    /// pool, and one connection per module was most of the home page's cost).
    async fn widgets(
        &self,
        _ctx: &PortalContext,
        _state: &AppState,
        _arrangement: &Arrangement,
        _tx: &mut ScopedTx,
    ) -> Result<Vec<Widget>> {
        Ok(Vec::new())
    }
    /// A section for the staff's page of one contact (`/admin/contacts/{id}`): what this
    /// module lets staff set per contact (projects: which of the client's projects they see).
    /// Rendered HTML, its forms posting to the module's own admin routes.
    async fn contact_panel(
        &self,
        _ctx: &StaffContext,
        _state: &AppState,
        _contact: &crate::clients::ContactSummary,
    ) -> Result<Option<String>> {
        Ok(None)
    }
}
