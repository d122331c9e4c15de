//! The module crates this build links.
//!
//! The linker drops a crate nothing references, and its `inventory` registrations with it:
//! naming each linked crate here, behind its cargo feature, keeps it in the binary. Leaving a
//! feature off leaves the module out entirely: routes, menu items, permissions, migrations,
//! templates, pricing rows.
#[cfg(feature = "approvals")]
use portico_approvals as _;
#[cfg(feature = "billing")]
use portico_billing as _;
#[cfg(feature = "booking")]
use portico_booking as _;
#[cfg(feature = "example-links")]
use portico_example_links as _;
// ANCHOR: example-notices
#[cfg(feature = "example-notices")]
use portico_example_notices as _;
// ANCHOR_END: example-notices
#[cfg(feature = "feedback")]
use portico_feedback as _;
#[cfg(feature = "gallery")]
use portico_gallery as _;
#[cfg(feature = "projects")]
use portico_projects as _;
