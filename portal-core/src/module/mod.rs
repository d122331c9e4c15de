//! The module contract: what a module declares and how it registers.
//!
//! The declarations are plain data and live here, in the domain: the features, permissions,
//! menu items, home blocks and notification kinds a module brings ([`Declaration`]), and the
//! routes it serves as records ([`RouteInfo`]). The trait a module implements to hand over
//! its handlers and hooks, `PortalModule`, belongs to the web layer (`web::module`), since
//! handlers are axum's; the registry there turns each module into its [`Declaration`] once,
//! at start-up, and the domain reads only those ([`Declarations`]).
mod checks;
mod declarations;
mod manifest;
mod route_info;

#[cfg(test)]
pub(crate) use checks::is_reserved;
pub use checks::RegistryError;
pub use declarations::{Declaration, Declarations};
pub use manifest::Manifest;
pub use route_info::{RouteInfo, Surface, CORE};

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
    /// tasks" widget lists), with their labels; the core hands them to the module's `widget` as `HomeWidget::choices`.
    pub choices: &'static [(&'static str, &'static str)],
    /// Picked until the workspace chooses.
    pub default_choices: &'static [&'static str],
    /// Shown only to contacts holding it, like a menu item: the core asks no module for a
    /// widget the contact may not see, and drops one returned anyway.
    pub permission: Option<&'static str>,
    /// Shown only while the workspace is entitled to it.
    pub feature: Option<&'static str>,
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

/// Constructors for a manifest written in a few lines: each takes what a declaration must
/// say, and its optional parts chain (`MenuItem::new(…).order(50).feature(FEATURE)`).
/// All `const`, so a manifest stays a constant.
impl FeatureDecl {
    pub const fn new(key: &'static str, label: &'static str, tiers: &'static [TierDecl]) -> Self {
        FeatureDecl { key, label, tiers }
    }
}

impl TierDecl {
    pub const fn new(key: &'static str, label: &'static str) -> Self {
        TierDecl {
            key,
            label,
            read_only: false,
        }
    }

    /// Pages show without action controls, and the module's mutating routes answer 403.
    pub const fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }
}

impl PermissionDecl {
    pub const fn new(key: &'static str, label: &'static str, description: &'static str) -> Self {
        PermissionDecl {
            key,
            label,
            description,
            presets: &[],
        }
    }

    /// The role presets (`client_admin`, `client_finance`, `client_viewer`) that include it.
    pub const fn presets(mut self, presets: &'static [&'static str]) -> Self {
        self.presets = presets;
        self
    }
}

impl MenuItem {
    pub const fn new(label: &'static str, path: &'static str, icon: &'static str) -> Self {
        MenuItem {
            label,
            path,
            icon,
            order: 100,
            permission: None,
            feature: None,
        }
    }

    /// Its place among the items, lowest first (100 unless set).
    pub const fn order(mut self, order: i32) -> Self {
        self.order = order;
        self
    }

    pub const fn permission(mut self, permission: &'static str) -> Self {
        self.permission = Some(permission);
        self
    }

    pub const fn feature(mut self, feature: &'static str) -> Self {
        self.feature = Some(feature);
        self
    }
}

impl WidgetKind {
    pub const fn new(key: &'static str, label: &'static str) -> Self {
        WidgetKind {
            key,
            label,
            order: 100,
            choices: &[],
            default_choices: &[],
            permission: None,
            feature: None,
        }
    }

    pub const fn permission(mut self, permission: &'static str) -> Self {
        self.permission = Some(permission);
        self
    }

    pub const fn feature(mut self, feature: &'static str) -> Self {
        self.feature = Some(feature);
        self
    }

    /// Its place among the widgets until the workspace arranges them (100 unless set).
    pub const fn order(mut self, order: i32) -> Self {
        self.order = order;
        self
    }
}

impl NotificationKind {
    pub const fn new(
        key: &'static str,
        label: &'static str,
        default_delivery: crate::notifications::Delivery,
    ) -> Self {
        NotificationKind {
            key,
            label,
            permission: None,
            default_delivery,
        }
    }

    /// Only contacts holding it are told.
    pub const fn permission(mut self, permission: &'static str) -> Self {
        self.permission = Some(permission);
        self
    }
}
