//! The module contract's web half: the trait a module implements to hand the portal its
//! handlers and hooks, and how it registers.
//!
//! A module crate implements [`PortalModule`] and registers with
//! `portal_core::register_module!(MyModule)`, which submits a [`ModuleRegistration`] to
//! `inventory`: a small const record holding a constructor function, never a router —
//! `inventory` needs const values, and building routers at link time would be impossible
//! anyway. What a module declares (its [`Manifest`]: features, permissions, menu items, …)
//! is domain data: `crate::module`.
mod registry;
mod routes;

pub use registry::{ModuleRegistry, StartupFailure};
pub use routes::Routes;

use async_trait::async_trait;

use crate::app::AppState;
use crate::db::{ModuleMigration, ScopedTx};
use crate::error::Result;
use crate::module::{
    EmbeddedTemplate, FeatureDecl, Manifest, MenuItem, NotificationKind, PermissionDecl,
    QuickAction, WidgetKind,
};
use crate::web::{PortalContext, StaffContext};

/// One widget being drawn on a contact's home page.
pub struct HomeWidget<'a> {
    /// Which of the module's declared [`WidgetKind`]s.
    pub key: &'static str,
    /// The workspace's choices for it (a kind with `choices`), or the kind's defaults.
    pub choices: Vec<String>,
    pub ctx: &'a PortalContext,
    /// The home render's one scoped connection, shared by every widget: read on it, and
    /// neither commit it nor open another (a second connection taken while one is held can
    /// wait on a busy pool, and one connection per module was most of the home page's cost).
    pub tx: &'a mut ScopedTx,
}

/// What [`PortalModule::seed`] returns: for each `{parameter}` of the module's routes, the
/// id of one record it created.
pub type Seeded = Vec<(&'static str, String)>;

/// One linked module, as `inventory` collects it: how to build it, nothing else — its id
/// and declarations are its [`Manifest`]'s. Written by [`register_module!`](crate::register_module).
pub struct ModuleRegistration {
    pub build: fn() -> Box<dyn PortalModule>,
}

inventory::collect!(ModuleRegistration);

#[async_trait]
pub trait PortalModule: Send + Sync + 'static {
    /// Who the module is and what it declares, as one constant: the registry reads its id,
    /// dependencies, features, permissions, menu, widgets, notification kinds, migrations
    /// and templates from here, and nowhere else.
    fn manifest(&self) -> &'static Manifest;
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
    async fn seed(&self, _state: &AppState, _workspace_id: i64, _client_id: i64) -> Result<Seeded> {
        Ok(Vec::new())
    }
    /// The HTML of one of the module's declared widgets, or `None` to leave it out this
    /// time. Called only for a widget the workspace shows on its home page, the plan
    /// entitles and the contact may see (its declared feature and permission): the gate is
    /// the declaration, never the module's code.
    async fn widget(&self, _widget: HomeWidget<'_>) -> Result<Option<String>> {
        Ok(None)
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

/// The manifest's parts, read from any module: `module.id()`, `module.migrations()`, …
impl dyn PortalModule {
    pub fn id(&self) -> &'static str {
        self.manifest().id
    }
    pub fn name(&self) -> &'static str {
        self.manifest().name
    }
    pub fn version(&self) -> &'static str {
        self.manifest().version
    }
    pub fn depends_on(&self) -> &'static [&'static str] {
        self.manifest().depends_on
    }
    pub fn features(&self) -> &'static [FeatureDecl] {
        self.manifest().features
    }
    pub fn permissions(&self) -> &'static [PermissionDecl] {
        self.manifest().permissions
    }
    pub fn menu_items(&self) -> &'static [MenuItem] {
        self.manifest().menu_items
    }
    pub fn quick_actions(&self) -> &'static [QuickAction] {
        self.manifest().quick_actions
    }
    pub fn widget_kinds(&self) -> &'static [WidgetKind] {
        self.manifest().widget_kinds
    }
    pub fn notification_kinds(&self) -> &'static [NotificationKind] {
        self.manifest().notification_kinds
    }
    pub fn record_rules(&self) -> &'static [crate::notifications::RecordRule] {
        self.manifest().record_rules
    }
    pub fn migrations(&self) -> &'static [ModuleMigration] {
        self.manifest().migrations
    }
    pub fn templates(&self) -> &'static [EmbeddedTemplate] {
        self.manifest().templates
    }
}
