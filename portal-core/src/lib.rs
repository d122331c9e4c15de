//! # portal-core
//!
//! The Portico framework. A portal is built from a database ([`db::Db`]), a plan catalogue
//! ([`plans::PlanCatalogue`]), the modules linked into the binary ([`module::ModuleRegistry`])
//! and a [`app::PortalConfig`]; [`app::Portal::router`] gives an axum `Router` to serve or to
//! mount next to your own routes.
//!
//! Reading order for newcomers: [`module`] (the contract a module implements), [`plans`]
//! (what operators sell), [`entitlements`] (what a workspace may use now), [`web`] (the
//! request flow: tenant → session → gate → handler → render), [`app`] (composition). Then
//! [`auth`] (passwords, one-time links, TOTP, rate limits), [`clients`] (clients, contacts and
//! their limits), [`email`] (the outbox), [`notifications`] (the feed and who is emailed when),
//! [`activity`] (what contacts did, and the figures staff read off it), [`audit`], and [`db`] (two backends, scoped
//! transactions for row-level security).
pub mod activity;
pub mod app;
pub mod audit;
pub mod auth;
pub mod branding;
pub mod clients;
pub mod clock;
pub mod db;
pub mod email;
pub mod entitlements;
pub mod error;
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
    FeatureDecl, MenuItem, ModuleRegistration, NotificationKind, PermissionDecl, PortalModule,
    QuickAction, Routes, TierDecl, Widget, WidgetKind,
};
pub use web::{ClientScope, PortalContext, StaffContext};

/// Re-exported so module crates register with the same `inventory` the core collects from.
pub use async_trait::async_trait;
pub use inventory;
pub use minijinja;
