//! The integration suite: every test file is a module of this one binary, so the whole app is
//! linked once, not once per file. Run one file's tests with a filter on the test path, e.g.
//! `cargo test -p portico-tests --test suite -- billing::`.
//!
//! All of it runs in one process, in parallel: a test must not depend on process-wide state
//! another test could change (environment variables, the working directory, a global
//! subscriber). The portal's clock is the one such thing, and every test starts it the same
//! way (`portico_tests::start_clock`, from `PORTICO_TEST_NOW`, through `spawn_app` and
//! `fresh_db`). Tests that measure the process itself live in `tests/process/`, the browser
//! checks, which measure layout timing, in `tests/browser/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod account;
mod activity;
mod admin;
#[cfg(feature = "approvals")]
mod approvals;
#[cfg(feature = "billing")]
mod billing;
#[cfg(feature = "booking")]
mod booking;
#[cfg(feature = "projects")]
mod branding;
mod catalogue;
mod csrf;
#[cfg(feature = "feedback")]
mod feedback;
mod files;
#[cfg(feature = "links")]
mod first_module;
#[cfg(feature = "notices")]
mod forms;
#[cfg(feature = "gallery")]
mod gallery;
mod gating;
#[cfg(feature = "projects")]
mod home;
mod host;
mod isolation;
mod layers;
mod links;
mod module_left_out;
#[cfg(feature = "notices")]
mod notifications;
mod outbox;
mod permissions;
mod portal;
#[cfg(feature = "projects")]
mod project_access;
#[cfg(feature = "projects")]
mod project_news;
#[cfg(feature = "projects")]
mod project_work;
mod query_plans;
mod registry;
mod rls;
mod schema;
mod sign_in;
mod storage;
mod team;
mod tenancy;
mod transactions;
mod two_step;
