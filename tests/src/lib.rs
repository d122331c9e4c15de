//! Shared test helpers: every integration test spawns the real portal on `127.0.0.1:0`
//! against a fresh database — a temporary SQLite file, or a fresh schema on the PostgreSQL
//! named by `PORTICO_TEST_POSTGRES_URL` — and talks to it over HTTP as a browser would.
//!
//! `backends!(name)` runs `async fn name(backend: Backend)` once per backend: on SQLite
//! always, on PostgreSQL when the URL is set (CI sets it and fails if the server is down).
//!
//! The helpers live in modules by what they hold, all re-exported here, so tests name them
//! as `portico_tests::{spawn_app, As, …}`:
//!
//! - [`app`]: building and serving the portal ([`spawn_app`], [`TestApp`], the clock);
//! - [`db`]: fresh databases, the application's role, snapshots;
//! - [`seed`]: workspaces, clients, contacts and staff, signed in or joined;
//! - [`scenario`]: a whole world of those, with projects and invoices, in one chained call;
//! - [`request`] and [`forms`]: requests as a visitor, forms as a browser sends them;
//! - [`page`]: reading what came back;
//! - [`probe`]: the record/route helpers of the isolation and hostile-input probes;
//! - [`memory`]: the process's memory peak;
//! - [`browser`], [`mail`], [`s3`], [`stripe`]: real Chromium, SMTP, S3 and Stripe stand-ins.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub use portal_core;

pub mod app;
pub mod browser;
pub mod db;
pub mod forms;
pub mod mail;
pub mod memory;
pub mod page;
pub mod probe;
pub mod request;
pub mod s3;
pub mod scenario;
pub mod seed;
pub mod stripe;

pub use app::{
    plans_dir, serve, spawn_app, spawn_app_configured, spawn_app_with, start_clock, test_catalogue,
    Options, TestApp, NOW_ENV,
};
pub use browser::Chrome;
pub use db::{
    as_app_role, changed_rows, database_error, fresh_db, snapshot, Backend, DbGuard, Snapshot,
    APP_ROLE, BYPASS_ROLE, POSTGRES_ENV,
};
pub use forms::Browser;
pub use mail::{Mail, MailServer};
pub use memory::MemoryPeak;
pub use page::{cookie_value, menu_labels, pdf_pages, Page};
pub use probe::{concrete_path, names_a_record, record_body, record_query, record_value, Samples};
pub use request::{As, PNG};
pub use s3::S3Server;
pub use scenario::{ClientPlan, Scenario, ScenarioBuilder};
pub use seed::CONTACT_PASSWORD;
pub use stripe::StripeServer;

/// Runs a test body on every backend available.
#[macro_export]
macro_rules! backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(b) = $crate::Backend::postgres() {
                    super::$name(b).await
                }
            }
        }
    )+};
}
