//! The portal under test: [`spawn_app`] builds it as the host does, on a fresh database, and
//! serves it on `127.0.0.1:0`; [`TestApp`] holds what a test reaches it by.
use std::path::{Path, PathBuf};

use portal_core::db::Db;
use portal_core::plans::PlanCatalogue;
use portal_core::ModuleRegistry;
use portal_core::{AppState, Portal, PortalConfig};

use crate::db::{as_app_role, fresh_db, Backend, DbGuard, APP_ROLE, BYPASS_ROLE};
use crate::mail::MailServer;

/// The repository's `plans/` directory.
pub fn plans_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../plans")
}

/// The default catalogue, plus the example modules' features when they are linked: notices
/// `read_only` on Starter, `interactive` on Growth, absent from Scale — so the matrix sees
/// every tier and a plan without the feature; links on Growth.
pub fn test_catalogue(registry: &ModuleRegistry) -> PlanCatalogue {
    let (mut catalogue, _warnings) = PlanCatalogue::load(&plans_dir(), registry).unwrap();
    if registry.get("notices").is_some() {
        catalogue.grant("starter", "notices", "read_only").unwrap();
        catalogue.grant("growth", "notices", "interactive").unwrap();
    }
    if registry.get("links").is_some() {
        catalogue.grant("growth", "links", "standard").unwrap();
    }
    catalogue
}

#[derive(Default)]
pub struct Options {
    pub catalogue: Option<PlanCatalogue>,
    pub registry: Option<ModuleRegistry>,
    pub config: PortalConfig,
    /// Start a real SMTP server and deliver the portal's mail to it (`TestApp::mail`).
    /// Without it, mail stays queued in the outbox: no sender runs.
    pub mail: bool,
    /// Build as `portico demo` does, with the development sign-in routes.
    pub dev_sign_in: Option<portico_host::demo::DevSignIn>,
    /// On PostgreSQL, connect as [`BYPASS_ROLE`]: row-level security stops nothing, so a test
    /// proves the application's own checks hold every wall by themselves.
    pub without_rls: bool,
}

pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub state: AppState,
    pub http: reqwest::Client,
    /// The same, without keeping connections (`send_body`).
    pub(crate) unpooled: reqwest::Client,
    /// The SMTP server the portal mails to, when `Options::mail` asked for one.
    pub mail: Option<MailServer>,
    /// The file store's directory, unless the test chose its own.
    _files: Option<tempfile::TempDir>,
    _db: DbGuard,
}

pub async fn spawn_app(backend: &Backend) -> TestApp {
    spawn_app_with(backend, Options::default()).await
}

/// The app with `config` and every other option at its default.
pub async fn spawn_app_configured(backend: &Backend, config: PortalConfig) -> TestApp {
    spawn_app_with(
        backend,
        Options {
            config,
            ..Options::default()
        },
    )
    .await
}

/// `PORTICO_TEST_NOW` (RFC 3339, e.g. `2026-03-29T00:50:00Z`) starts the portal's clock at
/// that instant for this test process; unset, the clock is the system's. `tests/time_matrix.sh`
/// runs the time-sensitive tests under several such instants.
pub const NOW_ENV: &str = "PORTICO_TEST_NOW";

/// Starts the clock from `PORTICO_TEST_NOW`, once per process, before anything reads it.
pub fn start_clock() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Ok(raw) = std::env::var(NOW_ENV) else {
            return;
        };
        let at = time::OffsetDateTime::parse(&raw, &time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|e| panic!("{NOW_ENV}={raw} is not an RFC 3339 time: {e}"));
        assert!(
            portal_core::clock::start_at(at.unix_timestamp()),
            "the clock was read before {NOW_ENV} could start it"
        );
    });
}

pub async fn spawn_app_with(backend: &Backend, opts: Options) -> TestApp {
    start_clock();
    let (db, guard) = fresh_db(backend).await;
    let registry = opts
        .registry
        .unwrap_or_else(|| portico_host::registry().unwrap());
    let catalogue = opts.catalogue.unwrap_or_else(|| test_catalogue(&registry));
    let mut config = opts.config;
    // Files go to a directory of this test's own, not to the checkout.
    let default_files = matches!(&config.files,
        portal_core::files::FileBackend::Local(p) if p == std::path::Path::new("data/files"));
    let files_dir = default_files.then(|| tempfile::tempdir().unwrap());
    if let Some(dir) = &files_dir {
        config.files = portal_core::files::FileBackend::Local(dir.path().to_path_buf());
    }
    let mail = if opts.mail {
        Some(MailServer::start().await)
    } else {
        None
    };
    config.mail.deliver = mail.is_some();
    // Thumbnails are made when a test asks (`files::thumbnails::make_due`), never behind its back.
    config.thumbnails_in_background = false;
    if let Some(server) = &mail {
        config.mail.transport = portal_core::email::MailTransport::Smtp(server.url());
    }
    let role = if opts.without_rls {
        BYPASS_ROLE
    } else {
        APP_ROLE
    };
    let (db, migrate) = as_app_role(db, &registry, &guard, role).await;
    let mut builder = Portal::builder(db, catalogue, registry)
        .config(config)
        .migrate(migrate);
    if let Some(links) = &opts.dev_sign_in {
        builder = builder
            .portal_routes(links.portal_routes())
            .admin_routes(links.admin_routes());
    }
    let portal = builder.build().await.unwrap();
    let mut app = serve(portal, guard).await;
    app.mail = mail;
    app._files = files_dir;
    app
}

pub async fn serve(portal: Portal, guard: DbGuard) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = portal.router();
    tokio::spawn(async move {
        let app = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, app).await.unwrap();
    });
    TestApp {
        url: format!("http://{addr}"),
        state: portal.state().clone(),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        unpooled: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .build()
            .unwrap(),
        mail: None,
        _files: None,
        _db: guard,
    }
}

impl TestApp {
    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// Runs a statement, binding `$1` to `id`, on a connection of its own outside this
    /// process's statement layer, as another instance of the portal would. PostgreSQL only:
    /// several instances serve one PostgreSQL database, the embedded SQLite has one.
    pub async fn sql_as_another_instance(&self, statement: &str, id: i64) {
        use sqlx::Connection;
        use std::str::FromStr;
        let DbGuard::Postgres { url, schema } = &self._db else {
            panic!("another instance shares a PostgreSQL database, not SQLite's");
        };
        let opts = sqlx::postgres::PgConnectOptions::from_str(url)
            .unwrap()
            .options([("search_path", schema.as_str())]);
        let mut conn = sqlx::postgres::PgConnection::connect_with(&opts)
            .await
            .unwrap();
        sqlx::query(statement)
            .bind(id)
            .execute(&mut conn)
            .await
            .unwrap();
    }
}
