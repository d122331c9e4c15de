//! # portal-core
//!
//! The Portico framework. A portal is built from a database ([`db::Db`]), a plan catalogue
//! ([`plans::PlanCatalogue`]), the modules linked into the binary ([`ModuleRegistry`])
//! and a [`config::PortalConfig`]; [`app::Portal::router`] gives an axum `Router` to serve or
//! to mount next to your own routes.
//!
//! The crate is in layers, each importing only those below it (`docs/architecture.md`,
//! enforced by `tests/suite/layers.rs`): [`app`] composes; [`web`] is the axum adapter; the domain
//! — [`tenancy`], [`clients`], [`team`], [`auth`], [`plans`], [`entitlements`], [`files`],
//! [`email`], [`notifications`], [`home`], [`activity`], `audit`, [`module`] — never names
//! axum or the application state; [`db`] holds the two backends.
//!
//! Reading order for newcomers: [`module`] (the contract a module implements), [`plans`]
//! (what operators sell), [`entitlements`] (what a workspace may use now), [`tenancy`] (who
//! asks, for which workspace and client), [`web`] (the request flow: tenant → session → gate
//! → handler → render), [`app`] (composition). Then [`auth`], [`clients`], [`email`] (the
//! mailroom and the outbox), [`notifications`] (the feed and who is emailed when),
//! [`activity`], `audit`, and [`db`] (scoped transactions for row-level security).
pub mod activity;
pub mod app;
mod audit;
pub mod auth;
pub mod bell;
pub mod branding;
pub mod clients;
pub mod clock;
mod config;
pub mod db;
pub mod email;
pub mod entitlements;
mod error;
pub mod files;
pub mod home;
pub mod module;
pub mod notifications;
pub mod plans;
pub mod secrets;
pub mod team;
pub mod templates;
pub mod tenancy;
pub mod web;
pub mod workspace;

pub use app::{AppState, Portal, PortalConfig};
pub use error::{Error, Result};
pub use module::{
    FeatureDecl, Manifest, MenuItem, NotificationKind, PermissionDecl, QuickAction, TierDecl,
    WidgetKind,
};
pub use tenancy::ClientScope;
pub use web::module::{ModuleRegistration, ModuleRegistry, PortalModule, Routes};
/// `use portal_core::prelude::*;` — what a module crate needs day to day.
pub use web::prelude;
pub use web::{PortalContext, StaffContext};

/// Defines a module crate's `TEMPLATES` and `MIGRATIONS` from its `templates/` and
/// `migrations/{sqlite,postgres}/` folders, which the crate's `build.rs`
/// (`portal_embed::module_files()`) embedded: a new file is all a new template or migration
/// takes.
#[macro_export]
macro_rules! module_files {
    () => {
        include!(concat!(env!("OUT_DIR"), "/portico_templates.rs"));
        include!(concat!(env!("OUT_DIR"), "/portico_migrations.rs"));
    };
}

/// Registers a module type with the portal: linking the crate is then all it takes.
///
/// ```ignore
/// portal_core::register_module!(Notices);
/// ```
#[macro_export]
macro_rules! register_module {
    ($module:expr) => {
        $crate::inventory::submit! {
            $crate::ModuleRegistration { build: || ::std::boxed::Box::new($module) }
        }
    };
}

/// Re-exported so module crates register with the same `inventory` the core collects from.
pub use async_trait::async_trait;
pub use inventory;
pub use minijinja;
