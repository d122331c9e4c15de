//! What a module is, as one constant: everything the core reads without running its code.
//!
//! A module writes its identity and contributions once, in a `const` [`Manifest`], and
//! hands it over from `PortalModule::manifest`; the registration (`register_module!`) names
//! only the type. So the id exists in one place, the registry sorts and checks modules by
//! it, and a plan catalogue, a pricing page or a test can read a module's declarations
//! without building its routers.
use super::{
    EmbeddedTemplate, FeatureDecl, MenuItem, NotificationKind, PermissionDecl, QuickAction,
    WidgetKind,
};
use crate::db::ModuleMigration;
use crate::notifications::RecordRule;

#[derive(Clone, Copy, Debug)]
pub struct Manifest {
    /// Stable identifier: used in URLs of menu items, feature ownership, template names
    /// (`{id}/list.html`) and the migration history.
    pub id: &'static str,
    pub name: &'static str,
    /// Usually `env!("CARGO_PKG_VERSION")`.
    pub version: &'static str,
    /// Modules that must be linked (and entitled) for this one to work; their migrations
    /// run before this one's.
    pub depends_on: &'static [&'static str],
    /// The first is the module's own: its tier decides read-only behaviour. A module without
    /// features is available to every workspace that enables it.
    pub features: &'static [FeatureDecl],
    pub permissions: &'static [PermissionDecl],
    pub menu_items: &'static [MenuItem],
    /// Cards for the home page's quick actions.
    pub quick_actions: &'static [QuickAction],
    /// The widgets `PortalModule::widgets` may return, for the home page settings.
    pub widget_kinds: &'static [WidgetKind],
    /// What this module notifies contacts about.
    pub notification_kinds: &'static [NotificationKind],
    /// The records of this module a notification may be about, and who may still see each:
    /// a contact's feed leaves out what they may no longer see.
    pub record_rules: &'static [RecordRule],
    /// `MIGRATIONS` of `portal_core::module_files!()`: the crate's `migrations/` folder.
    pub migrations: &'static [ModuleMigration],
    /// `TEMPLATES` of `portal_core::module_files!()`: the crate's `templates/` folder.
    pub templates: &'static [EmbeddedTemplate],
}

impl Manifest {
    /// A module that declares nothing yet: fill in what it has and end with
    /// `..Manifest::EMPTY`.
    pub const EMPTY: Manifest = Manifest {
        id: "",
        name: "",
        version: "",
        depends_on: &[],
        features: &[],
        permissions: &[],
        menu_items: &[],
        quick_actions: &[],
        widget_kinds: &[],
        notification_kinds: &[],
        record_rules: &[],
        migrations: &[],
        templates: &[],
    };
}
