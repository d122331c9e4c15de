//! Shared test helpers: every integration test spawns the real portal on `127.0.0.1:0`
//! against a fresh database — a temporary SQLite file, or a fresh schema on the PostgreSQL
//! named by `PORTICO_TEST_POSTGRES_URL` — and talks to it over HTTP as a browser would.
//!
//! `backends!(name)` runs `async fn name(backend: Backend)` once per backend: on SQLite
//! always, on PostgreSQL when the URL is set (CI sets it and fails if the server is down).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::str::FromStr;

use portal_core::db::Db;
use portal_core::plans::PlanCatalogue;
use portal_core::web::session::{self, PORTAL_COOKIE, STAFF_COOKIE};
use portal_core::workspace::{self, EntitlementChange};
use portal_core::ModuleRegistry;
use portal_core::{AppState, Portal, PortalConfig};
use reqwest::header::HeaderMap;
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;

pub use portal_core;

pub mod browser;
pub mod mail;
pub mod s3;
pub mod stripe;
pub use browser::Chrome;
pub use mail::{Mail, MailServer};
pub use s3::S3Server;
pub use stripe::StripeServer;

#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

pub const POSTGRES_ENV: &str = "PORTICO_TEST_POSTGRES_URL";

impl Backend {
    /// The PostgreSQL backend, if the suite was given a server.
    pub fn postgres() -> Option<Backend> {
        match std::env::var(POSTGRES_ENV) {
            Ok(url) if !url.is_empty() => Some(Backend::Postgres(url)),
            _ => {
                eprintln!("{POSTGRES_ENV} is not set: skipping the PostgreSQL run of this test");
                None
            }
        }
    }
}

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

/// A fresh, empty database of the given backend. Dropped with the returned guard.
pub async fn fresh_db(backend: &Backend) -> (Db, DbGuard) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let opts = SqliteConnectOptions::from_str(&format!(
                "sqlite://{}",
                dir.path().join("portico.db").display()
            ))
            .unwrap();
            let db = Db::connect_sqlite(opts).await.unwrap();
            (db, DbGuard::Sqlite(dir))
        }
        Backend::Postgres(url) => {
            let schema = format!("t_{:016x}", rand::random::<u64>());
            let admin = sqlx::PgPool::connect(url).await.unwrap_or_else(|e| {
                panic!("{POSTGRES_ENV} is set but PostgreSQL is unreachable: {e}")
            });
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(&admin)
                .await
                .unwrap();
            let opts = PgConnectOptions::from_str(url)
                .unwrap()
                .options([("search_path", schema.as_str())]);
            let db = Db::connect_postgres(opts).await.unwrap();
            (
                db,
                DbGuard::Postgres {
                    url: url.clone(),
                    schema,
                },
            )
        }
    }
}

/// The role the application connects as on PostgreSQL: it owns nothing and lacks BYPASSRLS,
/// so row-level security applies to it, as in production.
pub const APP_ROLE: &str = "portico_app";

/// The role the RLS-off runs connect as: the same grants, but with BYPASSRLS, so row-level
/// security admits every row and only the application's own checks stand (`Options::rls`).
pub const BYPASS_ROLE: &str = "portico_app_bypassrls";

/// On PostgreSQL, migrates as the owner and returns a pool of `role` ([`APP_ROLE`] or
/// [`BYPASS_ROLE`]) on the same schema, with `false`: the portal must not migrate (it may
/// not). On SQLite, the database as it is, with `true`.
pub async fn as_app_role(
    owner: Db,
    registry: &ModuleRegistry,
    guard: &DbGuard,
    role: &str,
) -> (Db, bool) {
    let (DbGuard::Postgres { url, schema }, Db::Postgres(pool)) = (guard, &owner) else {
        return (owner, true);
    };
    let mut set = portal_core::db::MigrationSet::new();
    for m in registry.modules() {
        set.extend(m.id(), m.migrations());
    }
    set.apply(&owner).await.unwrap();
    // Roles are cluster-wide and tests run in parallel: whoever comes first creates it.
    let bypass = if role == BYPASS_ROLE {
        "BYPASSRLS"
    } else {
        "NOBYPASSRLS"
    };
    let create = format!(
        "DO $$ BEGIN CREATE ROLE {role} LOGIN NOSUPERUSER {bypass}; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    );
    sqlx::query(&create).execute(pool).await.unwrap();
    portal_core::db::grant_app_role(&owner, role).await.unwrap();
    let opts = PgConnectOptions::from_str(url)
        .unwrap()
        .username(role)
        .options([("search_path", schema.as_str())]);
    (Db::connect_postgres(opts).await.unwrap(), false)
}

/// What the database said when it refused a statement. `portal_core::Error` shows only
/// "database error", which keeps SQL out of responses; a test asserting which rule refused
/// (a row-level-security policy, say) needs the driver's own message.
pub fn database_error(err: portal_core::Error) -> String {
    match err {
        portal_core::Error::Database(e) => e.to_string(),
        other => other.to_string(),
    }
}

/// Removes the test's database when the test ends.
pub enum DbGuard {
    Sqlite(tempfile::TempDir),
    Postgres { url: String, schema: String },
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let DbGuard::Postgres { url, schema } = self {
            let (url, schema) = (url.clone(), schema.clone());
            // Drop runs inside the test's runtime; clean up on a thread of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(pool) = sqlx::PgPool::connect(&url).await {
                        let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                            .execute(&pool)
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// The repository's `plans/` directory.
pub fn plans_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../plans")
}

/// The default catalogue, plus the example module's feature when it is linked: `read_only`
/// on Starter, `interactive` on Growth, absent from Scale — so the matrix sees every tier
/// and a plan without the feature.
pub fn test_catalogue(registry: &ModuleRegistry) -> PlanCatalogue {
    let (mut catalogue, _warnings) = PlanCatalogue::load(&plans_dir(), registry).unwrap();
    if registry.get("notices").is_some() {
        catalogue.grant("starter", "notices", "read_only").unwrap();
        catalogue.grant("growth", "notices", "interactive").unwrap();
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
    unpooled: reqwest::Client,
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

/// A response, read whole.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// Sends the request and reads the whole answer.
    async fn read(req: reqwest::RequestBuilder) -> Page {
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.text().await.unwrap();
        Page {
            status,
            headers,
            body,
        }
    }

    /// The value of the first `<input name="csrf_token">` on the page, as a browser would
    /// submit it.
    pub fn csrf_field(&self) -> Option<String> {
        let at = self.body.find(r#"name="csrf_token" value=""#)?;
        let rest = &self.body[at + r#"name="csrf_token" value=""#.len()..];
        Some(rest[..rest.find('"')?].to_string())
    }

    /// The number on the portal menu's Notifications link, if any.
    pub fn unread_badge(&self) -> Option<String> {
        let start = self.body.find("class=\"bell\"")?;
        let rest = &self.body[start..];
        let end = rest.find("</a>")?;
        let link = &rest[..end];
        let count = link.split("class=\"count\">").nth(1)?;
        Some(count.split('<').next()?.to_string())
    }

    /// The body with HTML entities decoded, for assertions about what a reader sees.
    pub fn text(&self) -> String {
        self.body
            .replace("&#x2f;", "/")
            .replace("&#x27;", "'")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    }

    /// What a reader sees, roughly: the text without tags, whitespace collapsed — for
    /// assertions that span elements ("Last sign-in Never").
    pub fn words(&self) -> String {
        let mut out = String::with_capacity(self.body.len() / 2);
        let mut in_tag = false;
        for ch in self.text().chars() {
            match ch {
                '<' => {
                    in_tag = true;
                    out.push(' ');
                }
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Who is asking.
#[derive(Clone, Debug)]
pub enum As {
    Anonymous,
    /// A portal session token.
    Contact(String),
    /// A staff session token (admin surface).
    Staff(String),
    /// An API bearer token.
    Bearer(String),
}

impl TestApp {
    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// A request to `path` on workspace `slug` via the `/w/{slug}` fallback.
    pub async fn request(&self, method: &str, slug: &str, path: &str, who: &As) -> Page {
        self.request_host(method, None, &format!("/w/{slug}{path}"), who)
            .await
    }

    pub async fn get(&self, slug: &str, path: &str, who: &As) -> Page {
        self.request("GET", slug, path, who).await
    }

    pub async fn post(&self, slug: &str, path: &str, who: &As) -> Page {
        self.request("POST", slug, path, who).await
    }

    /// A file upload to `path` (a staff or contact page's form action, without its
    /// `?csrf_token=`, which this adds as the browser's form would): each part is a `file`
    /// field with its name, declared type and content.
    pub async fn upload(
        &self,
        slug: &str,
        path: &str,
        who: &As,
        parts: &[(&str, &str, &[u8])],
    ) -> Page {
        self.upload_form(slug, path, who, &[], parts).await
    }

    /// A multipart form as a browser sends it: the text `fields` first, then the `file`
    /// parts (name, declared type, bytes); the CSRF token in the action's query.
    pub async fn upload_form(
        &self,
        slug: &str,
        path: &str,
        who: &As,
        fields: &[(&str, &str)],
        parts: &[(&str, &str, &[u8])],
    ) -> Page {
        let boundary = "----portico-test-boundary-7f3a";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (name, declared, data) in parts {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {declared}\r\n\r\n").as_bytes());
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let (cookie, token) = match who {
            As::Contact(t) => (
                format!("{PORTAL_COOKIE}={t}"),
                portal_core::web::csrf::token_for_session(t),
            ),
            As::Staff(t) => (
                format!("{STAFF_COOKIE}={t}"),
                portal_core::web::csrf::token_for_session(t),
            ),
            _ => (String::new(), String::new()),
        };
        let mut req = self
            .http
            .post(format!("{}/w/{slug}{path}?csrf_token={token}", self.url))
            .header("cookie", cookie);
        if let As::Bearer(t) = who {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = req
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        Page::read(req).await
    }

    /// A multipart form whose one text field `name` holds `size` bytes, generated while it is
    /// sent so this process never holds it; the answer's status and text. For proving that
    /// the server refuses such a field without buffering it.
    pub async fn post_huge_field(
        &self,
        slug: &str,
        path: &str,
        who: &As,
        name: &str,
        size: usize,
    ) -> (u16, String) {
        let boundary = "----portico-huge-field";
        let head =
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n");
        let tail = format!("\r\n--{boundary}--\r\n");
        const CHUNK: usize = 64 * 1024;
        let filler = bytes_of(CHUNK);
        let chunks = size.div_ceil(CHUNK);
        let parts = std::iter::once(head.into_bytes())
            .chain((0..chunks).map(move |_| filler.clone()))
            .chain(std::iter::once(tail.into_bytes()))
            .map(Ok::<_, std::io::Error>);
        let token = match who {
            As::Contact(t) | As::Staff(t) => portal_core::web::csrf::token_for_session(t),
            _ => String::new(),
        };
        let mut req = self
            .http
            .post(format!("{}/w/{slug}{path}?csrf_token={token}", self.url))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
                parts,
            )));
        req = match who {
            As::Contact(t) => req.header("cookie", format!("{PORTAL_COOKIE}={t}")),
            As::Staff(t) => req.header("cookie", format!("{STAFF_COOKIE}={t}")),
            As::Bearer(t) => req.header("authorization", format!("Bearer {t}")),
            As::Anonymous => req,
        };
        match req.send().await {
            Ok(res) => {
                let status = res.status().as_u16();
                (status, res.text().await.unwrap_or_default())
            }
            Err(e) => panic!("the server broke off instead of answering: {e:?}"),
        }
    }

    /// A GET of `path` on workspace `slug`, signed in as `who`, not yet sent.
    fn get_as(&self, slug: &str, path: &str, who: &As) -> reqwest::RequestBuilder {
        let req = self.http.get(format!("{}/w/{slug}{path}", self.url));
        match who {
            As::Contact(t) => req.header("cookie", format!("{PORTAL_COOKIE}={t}")),
            As::Staff(t) => req.header("cookie", format!("{STAFF_COOKIE}={t}")),
            As::Bearer(t) => req.header("authorization", format!("Bearer {t}")),
            As::Anonymous => req,
        }
    }

    /// A GET with extra headers (`Range`, `If-None-Match`).
    pub async fn get_with(
        &self,
        slug: &str,
        path: &str,
        who: &As,
        headers: &[(&str, &str)],
    ) -> Page {
        let mut req = self.get_as(slug, path, who);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Page::read(req).await
    }

    /// A GET whose answer is bytes (an archive, an image): status, headers, body.
    pub async fn get_bytes(&self, slug: &str, path: &str, who: &As) -> (u16, HeaderMap, Vec<u8>) {
        let res = self.get_as(slug, path, who).send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        (status, headers, res.bytes().await.unwrap().to_vec())
    }

    /// A request with an explicit `Host` header (or none) to a raw path.
    pub async fn request_host(
        &self,
        method: &str,
        host: Option<&str>,
        path: &str,
        who: &As,
    ) -> Page {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.url));
        if let Some(host) = host {
            req = req.header("host", host);
        }
        let mutating = !matches!(method, reqwest::Method::GET | reqwest::Method::HEAD);
        req = match who {
            As::Anonymous => req,
            As::Contact(t) => req.header("cookie", format!("{PORTAL_COOKIE}={t}")),
            As::Staff(t) => req.header("cookie", format!("{STAFF_COOKIE}={t}")),
            As::Bearer(t) => req.header("authorization", format!("Bearer {t}")),
        };
        // A browser session's forms carry its CSRF token; the protection itself is tested
        // with hand-made requests.
        if let (true, As::Contact(t) | As::Staff(t)) = (mutating, who) {
            let token = portal_core::web::csrf::token_for_session(t);
            req = req.header(portal_core::web::csrf::HEADER, token);
        }
        Page::read(req).await
    }

    /// A hand-made request: exactly these headers and this body, nothing added.
    pub async fn request_raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Page {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(body) = body {
            req = req.body(body);
        }
        Page::read(req).await
    }

    /// A JSON body POSTed to the API of workspace `slug` with a bearer token.
    pub async fn post_json(
        &self,
        slug: &str,
        path: &str,
        who: &As,
        body: &serde_json::Value,
    ) -> Page {
        assert!(
            matches!(who, As::Bearer(_)),
            "the API takes a bearer token, not {who:?}"
        );
        let body = body.to_string().into_bytes();
        self.send_body("POST", slug, path, who, "application/json", body)
            .await
    }

    /// The workspace (on `plan`) takes every add-on its plan may: tests that reach every
    /// module reach those sold as add-ons too.
    pub async fn take_every_addon(&self, workspace_id: i64, plan: &str) {
        for addon in self.state.catalogue.addons() {
            if addon.available_to.is_empty() || addon.available_to.iter().any(|p| p == plan) {
                workspace::apply_change(
                    self.db(),
                    workspace_id,
                    &workspace::EntitlementChange::AddAddon(addon.id.clone()),
                )
                .await
                .unwrap();
            }
        }
    }

    /// Seeds a workspace on a plan.
    pub async fn workspace(&self, slug: &str, plan: &str) -> i64 {
        workspace::create(self.db(), slug, &format!("{slug} agency"), plan)
            .await
            .unwrap()
    }

    pub async fn client(&self, workspace_id: i64, name: &str) -> i64 {
        portal_core::clients::create_client(self.db(), workspace_id, name)
            .await
            .unwrap()
    }

    /// A contact with the given permissions, signed in.
    pub async fn contact(
        &self,
        workspace_id: i64,
        client_id: i64,
        email: &str,
        permissions: &[&str],
    ) -> (i64, As) {
        let db = self.db();
        let id = portal_core::clients::create_contact(db, workspace_id, client_id, email, email)
            .await
            .unwrap();
        portal_core::clients::set_permissions(db, id, permissions)
            .await
            .unwrap();
        let token =
            session::create_portal_session(&self.state, workspace_id, id, &Default::default())
                .await
                .unwrap();
        (id, As::Contact(token))
    }

    /// Runs a statement straight against the database, as another instance or a SQL console
    /// would, binding `$1` to `id`.
    pub async fn sql(&self, statement: &str, id: i64) {
        self.db().query(statement).bind(id).execute().await.unwrap();
    }

    /// Every permission the running modules declare.
    pub fn all_permissions(&self) -> Vec<&'static str> {
        self.state
            .registry
            .permissions()
            .into_iter()
            .map(|(_, p)| p.key)
            .collect()
    }

    /// A staff owner with a signed-in admin session and an API token.
    pub async fn staff(&self, workspace_id: i64, email: &str) -> (As, As) {
        let (_, cookie, bearer) = self.staff_in_role(workspace_id, email, "owner").await;
        (cookie, bearer)
    }

    /// A staff member in `role` (owner, admin, member): their id, a signed-in admin session
    /// and an API token.
    pub async fn staff_in_role(&self, workspace_id: i64, email: &str, role: &str) -> (i64, As, As) {
        let id =
            portal_core::clients::create_staff_user(self.db(), workspace_id, email, email, role)
                .await
                .unwrap();
        let cookie =
            session::create_staff_session(&self.state, workspace_id, id, &Default::default())
                .await
                .unwrap();
        let bearer = session::create_api_token(self.db(), workspace_id, id, "test", 90)
            .await
            .unwrap();
        (id, As::Staff(cookie), As::Bearer(bearer))
    }

    /// A project of `client`, in progress, with nothing else to it.
    #[cfg(feature = "projects")]
    pub async fn project(&self, workspace_id: i64, client_id: i64, name: &str) -> i64 {
        let new = portico_projects::store::NewProject::in_progress(name, 0);
        portico_projects::store::create(self.db(), workspace_id, client_id, &new)
            .await
            .unwrap()
    }

    /// A staff member with the `member` role (looks, does not manage), signed in to the admin.
    pub async fn member(&self, workspace_id: i64, email: &str, name: &str) -> As {
        let id =
            portal_core::clients::create_staff_user(self.db(), workspace_id, email, name, "member")
                .await
                .unwrap();
        As::Staff(
            session::create_staff_session(&self.state, workspace_id, id, &Default::default())
                .await
                .unwrap(),
        )
    }

    /// Applies an entitlement change the way the operator's CLI does: straight to the
    /// database, bypassing this process's cache invalidation.
    pub async fn change_out_of_process(&self, workspace_id: i64, change: EntitlementChange) {
        workspace::apply_change(self.db(), workspace_id, &change)
            .await
            .unwrap();
    }
}

/// Route parameters per module: what each module's `seed` returned for one client.
pub type Samples = std::collections::BTreeMap<&'static str, Vec<(&'static str, String)>>;

impl TestApp {
    /// Seeds every running module's example records for one client, and a contact of the
    /// client for routes that take the core's `{contact}`; the core's routes get samples of
    /// their own records under [`portal_core::module::CORE`] (see [`TestApp::seed_core`]).
    pub async fn seed_modules(&self, workspace_id: i64, client_id: i64) -> Samples {
        let email = format!("seeded-{client_id}@example.test");
        let contact = portal_core::clients::create_contact(
            self.db(),
            workspace_id,
            client_id,
            &email,
            "Seeded",
        )
        .await
        .unwrap();
        let mut out = Samples::new();
        for m in self.state.registry.modules() {
            let mut params = m.seed(&self.state, workspace_id, client_id).await.unwrap();
            params.push(("contact", contact.to_string()));
            out.insert(m.id(), params);
        }
        let core = self.seed_core(workspace_id, client_id, contact).await;
        out.insert(portal_core::module::CORE, core);
        out
    }

    /// One of each record the core's routes name, belonging to `client` and its `contact`:
    /// a file shared with the client, a notification, a second session, a staff member's API
    /// token, a colleague on the team (a member, so any prober may be allowed to change them). `{link}` is a secret the visitor brings; the sample is one never issued.
    async fn seed_core(
        &self,
        workspace_id: i64,
        client_id: i64,
        contact: i64,
    ) -> Vec<(&'static str, String)> {
        let up = portal_core::files::upload::Upload {
            workspace_id,
            client_id: Some(client_id),
            name: "brief.pdf",
            declared: Some("application/pdf"),
            uploaded_by: "seed",
            max_bytes: 1 << 20,
            quota: None,
            cap: None,
        };
        let file = portal_core::files::upload::store_bytes(
            &self.state.db,
            &self.state.files,
            &up,
            b"%PDF-1.4\n%%EOF\n".to_vec(),
        )
        .await
        .unwrap();
        let sql = "INSERT INTO notifications (workspace_id, client_id, contact_id, kind, title, link, created_at) \
                   VALUES ($1, $2, $3, 'reply', 'A reply from the team', '/', 0) RETURNING id";
        let notification: i64 = self
            .db()
            .query_scalar(sql)
            .bind(workspace_id)
            .bind(client_id)
            .bind(contact)
            .fetch_one()
            .await
            .unwrap();
        let token =
            session::create_portal_session(&self.state, workspace_id, contact, &Default::default())
                .await
                .unwrap();
        let email = format!("seeded-staff-{client_id}@agency.test");
        let staff = portal_core::clients::create_staff_user(
            self.db(),
            workspace_id,
            &email,
            "Seeded",
            "owner",
        )
        .await
        .unwrap();
        let api_token = session::create_api_token(self.db(), workspace_id, staff, "seeded", 90)
            .await
            .unwrap();
        let colleague = portal_core::clients::create_staff_user(
            self.db(),
            workspace_id,
            &format!("seeded-colleague-{client_id}@agency.test"),
            "Seeded colleague",
            "member",
        )
        .await
        .unwrap();
        let handle = |token: &str| session::handle_of(&session::hash_token(token));
        vec![
            ("staff", colleague.to_string()),
            ("client", client_id.to_string()),
            ("contact", contact.to_string()),
            ("file", file.id.to_string()),
            ("notification", notification.to_string()),
            ("session", handle(&token)),
            ("api_token", handle(&api_token)),
            ("link", "never-issued-link-0000000000000000".into()),
        ]
    }
}

/// The value a route's declared record parameter takes from `samples`: the route's own
/// module's sample, another module's (`"projects.id"`, `"core.client"`), a workspace record
/// the request needs (`"context:type"`), or a fixed value (`"=EUR"`). Panics, naming the route, if none is seeded.
pub fn record_value(
    route: &portal_core::module::RouteInfo,
    samples: &Samples,
    param: &str,
    sample: &str,
) -> String {
    if let Some(fixed) = sample.strip_prefix('=') {
        return fixed.to_string();
    }
    let sample = sample.strip_prefix(CONTEXT).unwrap_or(sample);
    let (module, name) = sample.split_once('.').unwrap_or((route.module, sample));
    samples
        .get(module)
        .and_then(|params| params.iter().find(|(n, _)| *n == name))
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| {
            panic!(
                "module `{}` uses `{param}` on {} {} but no `seed` returns `{sample}`",
                route.module, route.method, route.path
            )
        })
}

/// Marks a declared parameter whose record is the workspace's, offered to every client (a
/// meeting type, a feedback category): the probe fills it with the caller's own and never
/// swaps in another client's.
const CONTEXT: &str = "context:";

/// Whether a declared parameter names a client's record (rather than a fixed value or the
/// workspace's context).
pub fn names_a_record(sample: &str) -> bool {
    !sample.starts_with('=') && !sample.starts_with(CONTEXT)
}

/// The route's declared record parameters (`RouteInfo::record_params`) as a query string
/// filled from the samples: `?type=3&move=7`, or nothing.
pub fn record_query(route: &portal_core::module::RouteInfo, samples: &Samples) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (param, sample) in route.record_params {
        form.append_pair(param, &record_value(route, samples, param, sample));
    }
    let query = form.finish();
    if query.is_empty() {
        query
    } else {
        format!("?{query}")
    }
}

const BOUNDARY: &str = "portico-record-probe";
const MULTIPART: &str = "multipart/form-data; boundary=portico-record-probe";

/// The route's declared record parameters as the body a client would send: a form on the
/// browser surfaces (multipart on an upload route), a JSON object on the API (numbers as numbers, an `…_ids` parameter as a
/// list of one). `values` gives each parameter's value, in declaration order.
pub fn record_body(
    route: &portal_core::module::RouteInfo,
    values: &[String],
) -> (&'static str, Vec<u8>) {
    let pairs = route.record_params.iter().map(|(p, _)| *p).zip(values);
    if route.upload {
        let mut body = Vec::new();
        for (param, value) in pairs {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{param}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        return (MULTIPART, body);
    }
    if route.surface == portal_core::module::Surface::Api {
        let object: serde_json::Map<String, serde_json::Value> = pairs
            .map(|(param, value)| {
                let one = match value.parse::<i64>() {
                    Ok(n) => serde_json::Value::from(n),
                    Err(_) => serde_json::Value::from(value.as_str()),
                };
                let v = if param.ends_with("_ids") {
                    serde_json::Value::Array(vec![one])
                } else {
                    one
                };
                (param.to_string(), v)
            })
            .collect();
        ("application/json", serde_json::to_vec(&object).unwrap())
    } else {
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (param, value) in pairs {
            form.append_pair(param, value);
        }
        (
            "application/x-www-form-urlencoded",
            form.finish().into_bytes(),
        )
    }
}

/// The route's path on its surface (`/portal/projects/17`), with every `{param}` filled from
/// what the route's module seeded. Panics, naming the module, if the seed lacks a parameter.
pub fn concrete_path(route: &portal_core::module::RouteInfo, samples: &Samples) -> String {
    let mut out = route.surface.prefix().to_string();
    for seg in route.path.split('/').skip(1) {
        out.push('/');
        match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            // A `{param}` is filled from the route's own module's sample of that name.
            Some(name) => out.push_str(&record_value(route, samples, name, name)),
            None => out.push_str(seg),
        }
    }
    out
}

fn bytes_of(n: usize) -> Vec<u8> {
    vec![b'a'; n]
}

/// The most this process's resident memory rose above where it was when sampling began,
/// sampled every millisecond on a thread of its own until `stop`.
pub struct MemoryPeak {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<u64>,
}

fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

impl MemoryPeak {
    pub fn start() -> MemoryPeak {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let base = resident_bytes();
        let thread = std::thread::spawn(move || {
            let mut peak = base;
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(resident_bytes());
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            peak.saturating_sub(base)
        });
        MemoryPeak { stop, thread }
    }

    /// Bytes above the start, at the highest.
    pub fn stop(self) -> u64 {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap()
    }
}

/// Columns that record that someone looked, not what anyone changed, and the counter that
/// tells other instances to drop their caches: a snapshot leaves them out, so "nothing
/// changed" still holds for a request that used an API token, and "nothing of A's changed"
/// for a colleague whose own change bumped the workspace's counter.
const LOOKED_AT: &[(&str, &str)] = &[
    ("api_tokens", "last_used_at"),
    ("staff_sessions", "last_seen_at"),
    ("portal_sessions", "last_seen_at"),
    ("workspaces", "revision"),
];

/// Every row of every table, each a JSON object of its columns, sorted.
pub type Snapshot = std::collections::BTreeMap<String, Vec<String>>;

/// Every row of every table, for "nothing changed" assertions (see [`changed_rows`]).
pub async fn snapshot(db: &Db) -> Snapshot {
    let mut out = std::collections::BTreeMap::new();
    let tables: Vec<String> = match db.backend() {
        portal_core::db::Backend::Sqlite => {
            let sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            db.query_scalar(sql).fetch_all().await.unwrap()
        }
        portal_core::db::Backend::Postgres => {
            let sql = "SELECT table_name::text FROM information_schema.tables \
                       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1";
            db.query_scalar(sql).fetch_all().await.unwrap()
        }
    };
    for table in tables {
        let skipped: Vec<&str> = LOOKED_AT
            .iter()
            .filter(|(t, _)| *t == table)
            .map(|(_, c)| *c)
            .collect();
        let rows: Vec<String> = match db {
            Db::Sqlite(pool) => {
                let cols: Vec<String> =
                    sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                        .bind(&table)
                        .fetch_all(pool)
                        .await
                        .unwrap();
                let pairs: Vec<String> = cols
                    .iter()
                    .filter(|c| !skipped.contains(&c.as_str()))
                    // JSON holds no bytes: a BLOB value goes in as its hex.
                    .map(|c| {
                        format!(
                            "'{c}', CASE WHEN typeof(\"{c}\") = 'blob' THEN hex(\"{c}\") ELSE \"{c}\" END"
                        )
                    })
                    .collect();
                let sql = format!(
                    "SELECT json_object({}) FROM \"{table}\" ORDER BY 1",
                    pairs.join(", ")
                );
                sqlx::query_scalar(&sql).fetch_all(pool).await.unwrap()
            }
            Db::Postgres(pool) => {
                let minus: String = skipped.iter().map(|c| format!(" - '{c}'")).collect();
                let sql =
                    format!("SELECT (to_jsonb(t){minus})::text FROM \"{table}\" t ORDER BY 1");
                sqlx::query_scalar(&sql).fetch_all(pool).await.unwrap()
            }
        };
        out.insert(table, rows);
    }
    out
}

/// The rows that differ between two snapshots — there in one and not in the other — with
/// their table, as column → value.
pub fn changed_rows(
    before: &Snapshot,
    after: &Snapshot,
) -> Vec<(String, serde_json::Map<String, serde_json::Value>)> {
    let mut out = Vec::new();
    let empty = Vec::new();
    let tables: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for table in tables {
        let (old, new) = (
            before.get(table).unwrap_or(&empty),
            after.get(table).unwrap_or(&empty),
        );
        let mut counts: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
        for row in old {
            *counts.entry(row).or_default() += 1;
        }
        for row in new {
            *counts.entry(row).or_default() -= 1;
        }
        for (row, n) in counts {
            if n != 0 {
                let columns = serde_json::from_str(row).unwrap();
                out.push((table.clone(), columns));
            }
        }
    }
    out
}

/// The menu labels a portal page shows.
pub fn menu_labels(html: &str) -> Vec<String> {
    let Some(start) = html.find(r#"<nav class="menu""#) else {
        return Vec::new();
    };
    let nav = &html[start..];
    let nav = &nav[..nav.find("</nav>").unwrap_or(nav.len())];
    nav.split("<a ")
        .skip(1)
        .filter_map(|a| {
            let text = &a[a.find('>')? + 1..];
            Some(text[..text.find("</a>")?].to_string())
        })
        .collect()
}

/// The start of a PNG: enough for the file store to know it as one.
pub const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
];

/// A PDF's text as a reader sees it, page by page, each page's words joined by single spaces
/// and its table rows kept on their lines (poppler's `pdftotext -layout`): what a client
/// reading the downloaded file would read.
pub fn pdf_pages(bytes: &[u8]) -> Vec<String> {
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("file.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    text.split('\x0c')
        .filter(|page| !page.trim().is_empty())
        .map(|page| page.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The value a `Set-Cookie` header of the page gives `name`.
pub fn cookie_value(page: &Page, name: &str) -> Option<String> {
    page.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or("").to_string())
        })
}

impl TestApp {
    /// What a signed-out browser does with a form: opens the page at `page` (getting its CSRF
    /// cookie), then posts `fields` with that token to `action` (both below `/w/{slug}`).
    pub async fn fill_in(
        &self,
        slug: &str,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Page {
        let form = self.get(slug, page, &As::Anonymous).await;
        // Error pages set no CSRF cookie; a browser holds the one an earlier page of the
        // workspace set (it is scoped to the workspace, not to one page).
        let csrf = match cookie_value(&form, portal_core::web::csrf::COOKIE) {
            Some(csrf) => csrf,
            None => {
                let earlier = self.get(slug, "/portal/sign-in", &As::Anonymous).await;
                cookie_value(&earlier, portal_core::web::csrf::COOKIE).unwrap()
            }
        };
        self.post_form(slug, action, &csrf, fields).await
    }

    /// A signed-out browser posting a form to `action` (below `/w/{slug}`) with the CSRF
    /// cookie `csrf` it was given earlier.
    pub async fn post_form(
        &self,
        slug: &str,
        action: &str,
        csrf: &str,
        fields: &[(&str, &str)],
    ) -> Page {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("csrf_token", csrf)
            .extend_pairs(fields)
            .finish();
        let cookie = format!("{}={csrf}", portal_core::web::csrf::COOKIE);
        let headers = [
            ("cookie", cookie.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        self.request_raw("POST", &format!("/w/{slug}{action}"), &headers, Some(body))
            .await
    }
}

impl TestApp {
    /// A signed-in browser posting a form: its session cookie, its CSRF token, these fields.
    /// Any body, sent as `who` would send it: a browser session's cookie (with its CSRF token
    /// ahead of a form's fields), an API token, or nothing — for bodies no helper would build.
    pub async fn send_body(
        &self,
        method: &str,
        slug: &str,
        path: &str,
        who: &As,
        content_type: &str,
        body: Vec<u8>,
    ) -> Page {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        // A connection of its own: a server may close one whose body a handler did not read,
        // and a pooled connection reused at that moment fails on the client's side.
        let mut req = self
            .unpooled
            .request(method, format!("{}/w/{slug}{path}", self.url))
            .header("content-type", content_type);
        let mut body = body;
        match who {
            As::Contact(t) | As::Staff(t) => {
                let cookie = if matches!(who, As::Contact(_)) {
                    PORTAL_COOKIE
                } else {
                    STAFF_COOKIE
                };
                req = req.header("cookie", format!("{cookie}={t}"));
                let token = portal_core::web::csrf::token_for_session(t);
                if content_type.starts_with("application/x-www-form-urlencoded") {
                    let mut form = format!("csrf_token={token}&").into_bytes();
                    form.extend_from_slice(&body);
                    body = form;
                } else {
                    req = req.header("x-csrf-token", token);
                }
            }
            As::Bearer(t) => req = req.bearer_auth(t),
            As::Anonymous => {}
        }
        Page::read(req.body(body)).await
    }

    pub async fn submit(&self, slug: &str, path: &str, who: &As, fields: &[(&str, &str)]) -> Page {
        let (cookie, token) = match who {
            As::Contact(t) => (format!("{PORTAL_COOKIE}={t}"), t),
            As::Staff(t) => (format!("{STAFF_COOKIE}={t}"), t),
            other => panic!("submit needs a browser session, not {other:?}"),
        };
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair(
                "csrf_token",
                &portal_core::web::csrf::token_for_session(token),
            )
            .extend_pairs(fields)
            .finish();
        let headers = [
            ("cookie", cookie.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        self.request_raw("POST", &format!("/w/{slug}{path}"), &headers, Some(body))
            .await
    }
}

impl Page {
    /// Where a redirect points.
    pub fn location(&self) -> String {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    /// The number after `/{segment}/` in the redirect's target (`/admin/clients/7?done=…` → 7).
    pub fn location_id(&self, segment: &str) -> i64 {
        let location = self.location();
        let marker = format!("/{segment}/");
        let at = location
            .find(&marker)
            .unwrap_or_else(|| panic!("no /{segment}/ in {location:?}"))
            + marker.len();
        location[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    }
}

/// A browser on one workspace: keeps the cookies it is given (by name; tests stay on one
/// workspace's paths) and submits forms with the CSRF token of the last page it opened.
pub struct Browser<'a> {
    app: &'a TestApp,
    slug: String,
    jar: std::sync::Mutex<std::collections::BTreeMap<String, String>>,
    last_csrf: std::sync::Mutex<Option<String>>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp, slug: &str) -> Browser<'a> {
        Browser {
            app,
            slug: slug.into(),
            jar: Default::default(),
            last_csrf: Default::default(),
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar.lock().unwrap().get(name).cloned()
    }

    fn keep(&self, page: &Page) {
        let mut jar = self.jar.lock().unwrap();
        for v in page
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let Some((name, rest)) = v.split_once('=') else {
                continue;
            };
            let value = rest.split(';').next().unwrap_or("");
            if v.contains("Max-Age=0") {
                jar.remove(name);
            } else {
                jar.insert(name.to_string(), value.to_string());
            }
        }
        if let Some(csrf) = page.csrf_field() {
            *self.last_csrf.lock().unwrap() = Some(csrf);
        }
    }

    fn cookie_header(&self) -> String {
        let jar = self.jar.lock().unwrap();
        jar.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Opens a page below `/w/{slug}`.
    pub async fn get(&self, path: &str) -> Page {
        let cookie = self.cookie_header();
        let page = self
            .app
            .request_raw(
                "GET",
                &format!("/w/{}{path}", self.slug),
                &[("cookie", &cookie)],
                None,
            )
            .await;
        self.keep(&page);
        page
    }

    /// Submits a form of the last page opened to `path`, with `fields`.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.last_csrf.lock().unwrap().clone().unwrap_or_default();
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("csrf_token", &csrf)
            .extend_pairs(fields)
            .finish();
        let cookie = self.cookie_header();
        let headers = [
            ("cookie", cookie.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        let page = self
            .app
            .request_raw(
                "POST",
                &format!("/w/{}{path}", self.slug),
                &headers,
                Some(body),
            )
            .await;
        self.keep(&page);
        page
    }
}
