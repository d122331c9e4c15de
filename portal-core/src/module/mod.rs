//! The module contract: what a module declares and how it registers.
//!
//! A module crate implements [`PortalModule`] and registers a [`ModuleRegistration`] with
//! `inventory::submit!`. The registration is a small const record holding a constructor
//! function, never a router: `inventory` needs const values, and building routers at link
//! time would be impossible anyway.
pub(crate) mod registry;
mod routes;

pub use registry::{ModuleRegistry, RegistryError, StartupFailure};
pub use routes::{RouteInfo, Routes, Surface, CORE};

use async_trait::async_trait;

use crate::app::AppState;
use crate::db::ModuleMigration;
use crate::error::Result;
use crate::web::{PortalContext, StaffContext};

/// One linked module, as `inventory` collects it.
pub struct ModuleRegistration {
    pub id: &'static str,
    pub build: fn() -> Box<dyn PortalModule>,
}

inventory::collect!(ModuleRegistration);

/// A feature a module provides, with the tiers it understands, lowest first.
#[derive(Clone, Copy, Debug)]
pub struct FeatureDecl {
    pub key: &'static str,
    pub label: &'static str,
    pub tiers: &'static [TierDecl],
}

/// A level of a feature. A `read_only` tier shows pages without action controls and refuses
/// the module's mutating routes with 403.
#[derive(Clone, Copy, Debug)]
pub struct TierDecl {
    pub key: &'static str,
    pub label: &'static str,
    pub read_only: bool,
}

impl TierDecl {
    /// The tier of a feature that is simply on or off.
    pub const STANDARD: TierDecl = TierDecl {
        key: "standard",
        label: "Included",
        read_only: false,
    };
}

/// A permission one portal user may hold.
#[derive(Clone, Copy, Debug)]
pub struct PermissionDecl {
    pub key: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    /// Role presets (e.g. `client_admin`) that include this permission.
    pub presets: &'static [&'static str],
}

/// Permissions the core defines for every portal, whichever module honours them: billing
/// shows invoices only to `can_view_invoices`, approvals take decisions only from
/// `can_approve_work`, and comments anywhere need `can_add_comments`.
pub const CORE_PERMISSIONS: &[PermissionDecl] = &[
    PermissionDecl {
        key: "can_view_invoices",
        label: "View invoices",
        description: "See invoices and payments, download them, and pay online.",
        presets: &["client_admin", "client_finance"],
    },
    PermissionDecl {
        key: "can_approve_work",
        label: "Approve work",
        description: "Approve deliverables or ask for revisions.",
        presets: &["client_admin"],
    },
    PermissionDecl {
        key: "can_add_comments",
        label: "Add comments",
        description: "Reply on projects, tasks and deliverables.",
        presets: &["client_admin", "client_finance"],
    },
];

/// Something a contact can be told about — in the portal's feed always, and by email as they
/// choose per kind ([`crate::notifications::Delivery`]). Modules declare the kinds they send,
/// so the preferences page lists exactly the kinds of the modules a workspace has.
#[derive(Clone, Copy, Debug)]
pub struct NotificationKind {
    /// Globally unique, e.g. `task_done`.
    pub key: &'static str,
    /// What the contact chooses about, e.g. "A task is done".
    pub label: &'static str,
    /// Only contacts holding this permission are told (and see the kind in their preferences).
    pub permission: Option<&'static str>,
    /// The delivery until the contact chooses.
    pub default_delivery: crate::notifications::Delivery,
}

/// Kinds the core sends for every module: a reply from the team on any thread (a project, a
/// task, a deliverable) — one choice for the contact, wherever the conversation is.
pub const CORE_NOTIFICATION_KINDS: &[NotificationKind] = &[NotificationKind {
    key: "reply",
    label: "A new reply from the team",
    permission: None,
    default_delivery: crate::notifications::Delivery::Immediately,
}];

/// An entry of the portal menu. Shown only when the workspace is entitled to the module (and
/// to `feature`, if set) and the contact holds `permission`, if set.
#[derive(Clone, Copy, Debug)]
pub struct MenuItem {
    pub label: &'static str,
    /// Relative to the portal root, e.g. `/projects`.
    pub path: &'static str,
    /// A name from the layout's icon set (`folder`, `check`, `receipt`, `image`, …).
    pub icon: &'static str,
    pub order: i32,
    pub permission: Option<&'static str>,
    pub feature: Option<&'static str>,
}

/// A template embedded in the module binary, named `module_id/file.html`. An operator's
/// template directory overrides it by the same name.
pub type EmbeddedTemplate = (&'static str, &'static str);

/// A block a module contributes to the portal home page.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Widget {
    /// One of the module's declared [`WidgetKind`] keys: its title, order and the
    /// workspace's home settings are found by it.
    pub key: &'static str,
    /// Already rendered (autoescaped) HTML.
    pub html: String,
}

/// A widget a module can put on the home page, declared so that staff can arrange the home
/// page without rendering it.
#[derive(Clone, Copy, Debug)]
pub struct WidgetKind {
    pub key: &'static str,
    /// Its default title, e.g. "Ongoing tasks".
    pub label: &'static str,
    /// Where it goes among the widgets until the workspace arranges them, lowest first.
    pub order: i32,
    /// Values the workspace may pick among for this widget (the task statuses an "ongoing
    /// tasks" widget lists), with their labels; read them with `home::choices`.
    pub choices: &'static [(&'static str, &'static str)],
    /// Picked until the workspace chooses.
    pub default_choices: &'static [&'static str],
}

/// A quick-action card on the home page ("View Projects", "Pay Your Bills"): a big link to
/// the place a contact most often goes. Shown when the module is entitled (and `feature`,
/// if set) and the contact holds `permission`, if set — and the workspace has not hidden it.
#[derive(Clone, Copy, Debug)]
pub struct QuickAction {
    pub key: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    /// Relative to the portal root, e.g. `/projects`.
    pub path: &'static str,
    pub order: i32,
    pub permission: Option<&'static str>,
    pub feature: Option<&'static str>,
}

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
    /// Blocks for the contact's home page.
    async fn widgets(&self, _ctx: &PortalContext, _state: &AppState) -> Result<Vec<Widget>> {
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
