//! What a module crate needs day to day, in one import: `use portal_core::prelude::*;`.
//!
//! The contract (the `PortalModule` trait, its declarations, `Routes`), the request
//! contexts handlers take, the scoped connection queries run on, the helpers every module's
//! handlers use (ids from paths, checked forms and deferred bodies, form fields and filters,
//! JSON bodies, uploads and their storage, downloads and zip archives, the staff role
//! check, a page's messages after a change, the caller's address and session), and the
//! database statements' types. Everything else a module may use
//! is public under its own path (`portal_core::notifications`, `portal_core::files`, …);
//! `docs/modules.md` says which. Items here keep their names across releases: a module
//! written against the prelude keeps compiling when the core's files move.
pub use async_trait::async_trait;
pub use minijinja::context;

pub use crate::app::AppState;
pub use crate::db::{now, today, Day, Db, ModuleMigration, ScopedTx, Sql};
pub use crate::error::{Error, Result};
pub use crate::home::{self, Arrangement};
pub use crate::module::{
    EmbeddedTemplate, FeatureDecl, Manifest, MenuItem, NotificationKind, PermissionDecl,
    QuickAction, TierDecl, WidgetKind,
};
pub use crate::notifications::{Delivery, Notice, Recipients};
pub use crate::tenancy::{ClientScope, Role, Tenant};
pub use crate::web::admin::contacts::ContactsDone;
pub use crate::web::admin::files::receive_staff_files;
pub use crate::web::admin::form::{json_object, optional, Fields};
pub use crate::web::admin::{parse_id, require_manager};
pub use crate::web::extract::{Id, JsonBody, Later};
pub use crate::web::flash::{Done, Flash};
pub use crate::web::form::{empty_as_none, Check, FieldErrors, Form, Invalid};
pub use crate::web::module::{HomeWidget, ModuleRegistration, PortalModule, Routes, Seeded};
pub use crate::web::session::{ClientAddr, SessionMeta};
pub use crate::web::upload_form::UploadForm;
pub use crate::web::{archive, download};
pub use crate::web::{PortalContext, StaffContext};
