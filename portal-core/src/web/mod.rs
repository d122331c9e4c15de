//! The request flow: tenant → surface → session → gate → handler → render.
pub mod account;
pub mod admin;
pub mod api;
pub mod archive;
pub mod assets;
pub mod client_addr;
pub mod context;
pub mod csrf;
pub mod download;
mod error_response;
pub mod extract;
pub mod flash;
pub mod form;
pub(crate) mod form_again;
pub mod gate;
pub mod home;
pub mod me;
pub mod module;
pub mod notifications;
pub mod one_time;
pub mod prelude;
pub mod render;
pub mod routes;
pub mod security;
pub mod session;
pub mod sign_in;
pub mod tenant;
pub mod two_step;
pub mod two_step_setup;
pub mod upload_form;

pub use context::{PortalContext, StaffContext};

/// Role presets a module's permissions can join; issue-level UI applies them in one step.
pub const ROLE_PRESETS: &[(&str, &str)] = &[
    ("client_admin", "Client Admin"),
    ("client_finance", "Client Finance"),
    ("client_viewer", "Client Viewer"),
];
