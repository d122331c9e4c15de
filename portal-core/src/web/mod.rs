//! The request flow: tenant → surface → session → gate → handler → render.
mod account;
mod admin;
mod api;
pub mod archive;
mod assets;
pub mod client_addr;
mod context;
pub mod csrf;
pub mod download;
mod error_response;
mod extract;
pub mod flash;
mod form;
pub(crate) mod form_again;
mod gate;
mod home;
mod me;
pub mod module;
mod notifications;
mod one_time;
pub mod prelude;
mod render;
pub(crate) mod routes;
pub(crate) mod security;
pub mod session;
mod sign_in;
pub(crate) mod tenant;
mod two_step;
mod two_step_setup;
pub mod upload_form;

pub use context::{PortalContext, StaffContext};

/// Role presets a module's permissions can join; issue-level UI applies them in one step.
pub const ROLE_PRESETS: &[(&str, &str)] = &[
    ("client_admin", "Client Admin"),
    ("client_finance", "Client Finance"),
    ("client_viewer", "Client Viewer"),
];
