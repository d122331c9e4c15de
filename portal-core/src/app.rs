//! Building a portal: the state every handler shares, and the one place routers are composed.
//!
//! ```ignore
//! let portal = Portal::builder(db, catalogue, registry).config(config).build().await?;
//! let app: axum::Router = portal.router(); // mount it next to your own routes
//! ```
use std::collections::HashMap;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::FromRef;
use axum::routing::get;
use axum::Router;
use tower::Layer;

use crate::auth::{AttemptLimits, Passwords};
use crate::db::{Db, MigrationSet};
use crate::entitlements::EntitlementCache;
use crate::error::{Error, Result};
use crate::module::{ModuleRegistry, RouteInfo, StartupFailure, Surface, CORE};
use crate::plans::PlanCatalogue;
use crate::templates::{Templates, CORE_TEMPLATES};
use crate::web::context::{PortalUser, StaffUser};
use crate::web::routes as core_routes;
use crate::web::{assets, csrf, security, session, tenant};
use crate::workspace::{self, EntitlementChange, Workspace};

/// Settings an integrator chooses. Defaults need no editing for local use.
#[derive(Clone, Debug)]
pub struct PortalConfig {
    /// Workspaces are served at `{slug}.{base_domain}`; on the base domain itself (and on
    /// `localhost` or an IP) the `/w/{slug}/` path prefix is used instead.
    pub base_domain: String,
    /// Templates here override embedded ones by name.
    pub template_dir: Option<PathBuf>,
    /// Mark cookies `Secure` (serve over TLS).
    pub secure_cookies: bool,
    /// Absolute lifetime of a session.
    pub session_ttl_secs: i64,
    /// A session unused for this long ends.
    pub session_idle_secs: i64,
    /// Sign-in attempts allowed per minute from one address, and for one account.
    pub attempts_per_address: u32,
    pub attempts_per_account: u32,
    /// Proxies whose `X-Forwarded-For` / `Forwarded` headers name the client (see
    /// `web::client_addr`); none by default, so the TCP peer is the client.
    pub trusted_proxies: crate::web::client_addr::TrustedProxies,
    /// The address users reach the base domain at (scheme, host, port), for links in emails:
    /// `https://portal.example` gives `https://{slug}.portal.example`; on `localhost` links
    /// use the `/w/{slug}` prefix.
    pub public_url: String,
    pub mail: crate::email::MailConfig,
    /// The hour (UTC, 0–23) daily notification digests go out.
    pub digest_hour: u8,
    /// Where uploaded files are stored.
    pub files: crate::files::FileBackend,
    /// The largest upload, in MB, for workspaces without their own limit.
    pub max_file_mb: u64,
    /// What one contact may upload in an hour, in MB (`files::UploadBudget`).
    pub contact_upload_mb_per_hour: u64,
    /// Make image thumbnails in a background task of this process (tests call
    /// `files::thumbnails::make_due` themselves).
    pub thumbnails_in_background: bool,
    /// The deployment's key for secrets kept at rest (`secrets::SecretBox`). Keep it: values
    /// sealed under a lost key cannot be opened. A fresh random one by default.
    pub secret_key: crate::secrets::SecretKey,
    /// Where the Stripe API is (`https://api.stripe.com`); the tests point it at their own
    /// Stripe-compatible server.
    pub stripe_api_base: String,
}

/// Files one contact may upload in an hour, whatever their size.
const CONTACT_FILES_PER_HOUR: u32 = 200;

impl Default for PortalConfig {
    fn default() -> Self {
        PortalConfig {
            base_domain: "localhost".into(),
            template_dir: None,
            secure_cookies: false,
            session_ttl_secs: 14 * 24 * 3600,
            session_idle_secs: 12 * 3600,
            attempts_per_address: 30,
            attempts_per_account: 5,
            trusted_proxies: Default::default(),
            public_url: "http://localhost:3000".into(),
            mail: crate::email::MailConfig::default(),
            digest_hour: 7,
            files: crate::files::FileBackend::default(),
            max_file_mb: 100,
            contact_upload_mb_per_hour: 1024,
            thumbnails_in_background: true,
            secret_key: crate::secrets::SecretKey::random(),
            stripe_api_base: "https://api.stripe.com".into(),
        }
    }
}

pub struct Inner {
    pub db: Db,
    pub catalogue: PlanCatalogue,
    /// The modules that are running: linked, and whose start-up succeeded.
    pub registry: ModuleRegistry,
    /// Every route: the core's, then each running module's.
    pub routes: Vec<RouteInfo>,
    pub entitlements: EntitlementCache,
    pub sessions: session::SessionCache,
    pub unread: crate::notifications::UnreadCache,
    /// What of a contact's notifications they may still see, from the linked modules.
    pub feed_rules: crate::notifications::FeedRules,
    /// What each contact has uploaded this hour.
    pub upload_budget: crate::files::UploadBudget,
    pub home: crate::home::HomeCache,
    pub files: crate::files::FileStore,
    pub passwords: Passwords,
    pub attempt_limits: Arc<AttemptLimits>,
    pub templates: Templates,
    pub mailer: crate::email::Mailer,
    /// Wakes the email sender after a transaction queued mail.
    pub outbox_wake: Arc<tokio::sync::Notify>,
    /// Wakes the thumbnail maker after an image was uploaded.
    pub thumbnails_wake: Arc<tokio::sync::Notify>,
    pub config: PortalConfig,
    pub startup_failures: Vec<StartupFailure>,
}

/// Shared by every handler through axum's `State`.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Db {
        state.db.clone()
    }
}

impl AppState {
    /// Tells the email sender there is mail to deliver now.
    pub fn wake_outbox(&self) {
        self.outbox_wake.notify_one();
    }

    /// Changes a workspace's plan, add-ons or enabled modules after checking the change
    /// against the catalogue and the build. Takes effect on the workspace's next request.
    pub async fn change_entitlements(
        &self,
        workspace: &Workspace,
        change: EntitlementChange,
    ) -> Result<()> {
        check_change(&self.catalogue, &self.registry, workspace, &change)?;
        workspace::apply_change(&self.db, workspace.id, &change).await?;
        self.entitlements.invalidate(workspace.id).await;
        Ok(())
    }
}

/// Validates an entitlement change; shared by the API and the CLI.
pub fn check_change(
    catalogue: &PlanCatalogue,
    registry: &ModuleRegistry,
    workspace: &Workspace,
    change: &EntitlementChange,
) -> Result<()> {
    match change {
        EntitlementChange::SetPlan(plan) if catalogue.plan(plan).is_none() => {
            let known: Vec<&str> = catalogue.plans().iter().map(|p| p.id.as_str()).collect();
            Err(Error::BadRequest(format!(
                "unknown plan `{plan}` (plans: {})",
                known.join(", ")
            )))
        }
        EntitlementChange::AddAddon(addon) if catalogue.addon(addon).is_none() => {
            let known: Vec<&str> = catalogue.addons().iter().map(|a| a.id.as_str()).collect();
            Err(Error::BadRequest(format!(
                "unknown add-on `{addon}` (add-ons: {})",
                known.join(", ")
            )))
        }
        EntitlementChange::AddAddon(addon)
            if catalogue
                .addon(addon)
                .is_some_and(|a| !a.available_to(&workspace.plan_id)) =>
        {
            Err(Error::BadRequest(format!(
                "add-on `{addon}` is not available on plan `{}`",
                workspace.plan_id
            )))
        }
        EntitlementChange::SetModuleEnabled { module, .. } if registry.get(module).is_none() => {
            Err(Error::BadRequest(format!(
                "module `{module}` is not linked into this build (modules: {})",
                registry.ids().join(", ")
            )))
        }
        _ => Ok(()),
    }
}

pub struct PortalBuilder {
    db: Db,
    catalogue: PlanCatalogue,
    registry: ModuleRegistry,
    config: PortalConfig,
    extra_portal_routes: Router<AppState>,
    extra_admin_routes: Router<AppState>,
    migrate: bool,
}

impl PortalBuilder {
    /// Whether `build` applies pending migrations (the default). Turn it off when the portal
    /// connects as an application role that may not change the schema, and migrate as the
    /// owner beforehand (`portico migrate`).
    pub fn migrate(mut self, migrate: bool) -> Self {
        self.migrate = migrate;
        self
    }

    pub fn config(mut self, config: PortalConfig) -> Self {
        self.config = config;
        self
    }

    /// Routes of the integrator's own under `/portal`, outside any module: they get the
    /// tenant and the portal session like module routes, but no module gate.
    pub fn portal_routes(mut self, routes: Router<AppState>) -> Self {
        self.extra_portal_routes = self.extra_portal_routes.merge(routes);
        self
    }

    /// Routes of the integrator's own under `/admin`, with the staff layer.
    pub fn admin_routes(mut self, routes: Router<AppState>) -> Self {
        self.extra_admin_routes = self.extra_admin_routes.merge(routes);
        self
    }

    /// Migrates, starts every module (leaving out those whose start-up fails, and their
    /// dependents), and prepares templates.
    pub async fn build(self) -> Result<Portal> {
        let mut migrations = MigrationSet::new();
        for m in self.registry.modules() {
            migrations.extend(m.id(), m.migrations());
        }
        if self.migrate {
            migrations.apply(&self.db).await?;
        }

        let passwords = Passwords::owasp()?;
        let mailer = crate::email::Mailer::new(&self.config.mail.transport)?;
        let files = crate::files::FileStore::open(&self.config.files)?;
        // Start-up hooks see the database, catalogue and configuration; routes and templates
        // are not ready yet, so they get an otherwise empty state.
        let starting = AppState(Arc::new(Inner {
            db: self.db.clone(),
            catalogue: self.catalogue.clone(),
            registry: self.registry.clone(),
            routes: Vec::new(),
            entitlements: EntitlementCache::new(),
            sessions: session::SessionCache::default(),
            unread: crate::notifications::UnreadCache::default(),
            feed_rules: crate::notifications::FeedRules::of(&self.registry),
            upload_budget: crate::files::UploadBudget::new(
                self.config.contact_upload_mb_per_hour,
                CONTACT_FILES_PER_HOUR,
            ),
            home: crate::home::HomeCache::default(),
            files: files.clone(),
            passwords: passwords.clone(),
            attempt_limits: Arc::new(AttemptLimits::default()),
            templates: Templates::new(HashMap::new(), None),
            mailer: mailer.clone(),
            outbox_wake: Arc::new(tokio::sync::Notify::new()),
            thumbnails_wake: Arc::new(tokio::sync::Notify::new()),
            config: self.config.clone(),
            startup_failures: Vec::new(),
        }));
        let mut registry = self.registry;
        let mut failures = Vec::new();
        let mut pending: std::collections::VecDeque<_> =
            registry.modules().iter().cloned().collect();
        while let Some(module) = pending.pop_front() {
            if let Err(e) = module.start(&starting).await {
                let (kept, dropped) = registry.without(module.id());
                tracing::error!(
                    module = module.id(),
                    error = %e,
                    also_left_out = ?dropped,
                    "module failed to start and is left out; the rest of the portal serves"
                );
                pending.retain(|m| !dropped.iter().any(|d| d == m.id()));
                failures.push(StartupFailure {
                    module: module.id().into(),
                    reason: format!("{e:?}"),
                    also_left_out: dropped,
                });
                registry = kept;
            }
        }

        let mut embedded: HashMap<String, &'static str> = CORE_TEMPLATES
            .iter()
            .map(|(n, s)| (n.to_string(), *s))
            .collect();
        for m in registry.modules() {
            for (name, source) in m.templates() {
                embedded.insert(name.to_string(), source);
            }
        }
        let templates = Templates::new(embedded, self.config.template_dir.clone());
        let mut routes = core_routes::infos();
        routes.extend(registry.routes());
        let feed_rules = crate::notifications::FeedRules::of(&registry);
        let portal = Portal {
            state: AppState(Arc::new(Inner {
                db: self.db,
                catalogue: self.catalogue,
                registry,
                routes,
                entitlements: EntitlementCache::new(),
                sessions: session::SessionCache::default(),
                unread: crate::notifications::UnreadCache::default(),
                feed_rules,
                upload_budget: crate::files::UploadBudget::new(
                    self.config.contact_upload_mb_per_hour,
                    CONTACT_FILES_PER_HOUR,
                ),
                home: crate::home::HomeCache::default(),
                files: files.clone(),
                passwords,
                attempt_limits: Arc::new(AttemptLimits::new(
                    self.config.attempts_per_address,
                    self.config.attempts_per_account,
                )),
                templates,
                mailer,
                outbox_wake: Arc::new(tokio::sync::Notify::new()),
                thumbnails_wake: Arc::new(tokio::sync::Notify::new()),
                config: self.config,
                startup_failures: failures,
            })),
            extra_portal_routes: self.extra_portal_routes,
            extra_admin_routes: self.extra_admin_routes,
        };
        if portal.state.config.thumbnails_in_background {
            tokio::spawn(crate::files::thumbnails::run(portal.state.clone()));
        }
        if portal.state.config.mail.deliver {
            tokio::spawn(crate::email::outbox::run(portal.state.clone()));
            tokio::spawn(crate::notifications::digest::run(portal.state.clone()));
        }
        Ok(portal)
    }
}

async fn not_found() -> Error {
    Error::NotFound
}

/// Whether the session layer attached a `T` to the request.
fn has<T: Send + Sync + 'static>(req: &axum::extract::Request) -> bool {
    req.extensions().get::<Arc<T>>().is_some()
}

pub struct Portal {
    state: AppState,
    extra_portal_routes: Router<AppState>,
    extra_admin_routes: Router<AppState>,
}

impl Portal {
    pub fn builder(db: Db, catalogue: PlanCatalogue, registry: ModuleRegistry) -> PortalBuilder {
        PortalBuilder {
            db,
            catalogue,
            registry,
            config: PortalConfig::default(),
            extra_portal_routes: Router::new(),
            extra_admin_routes: Router::new(),
            migrate: true,
        }
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The whole portal as one router: tenancy outside, then the three surfaces.
    pub fn router(&self) -> Router {
        let state = self.state.clone();

        // The core's routes first, from the same kind of table the modules fill (`web::routes`).
        let mut portal = core_routes::portal()
            .into_router(CORE, Surface::Portal)
            .merge(self.extra_portal_routes.clone());
        let mut admin = core_routes::admin()
            .into_router(CORE, Surface::Admin)
            .merge(self.extra_admin_routes.clone());
        let mut api = core_routes::api().into_router(CORE, Surface::Api);
        let mut hooks: Router<AppState> = Router::new();
        for m in state.registry.modules() {
            portal = portal.merge(m.portal_routes().into_router(m.id(), Surface::Portal));
            admin = admin.merge(m.admin_routes().into_router(m.id(), Surface::Admin));
            api = api.merge(m.api_routes().into_router(m.id(), Surface::Api));
            hooks = hooks.merge(m.hook_routes().into_router(m.id(), Surface::Hook));
        }
        // Each surface gets only its own session layer; the browser surfaces get CSRF
        // protection inside it (it needs to know who is signed in).
        // Each surface has its own fallback inside its layers, so a path that never existed
        // passes the same checks as a gated one and the two stay indistinguishable.
        let secure = state.config.secure_cookies;
        let portal = portal
            .fallback(not_found)
            .layer(axum::middleware::from_fn(move |req, next| {
                csrf::protect(
                    session::CookieSpec::portal,
                    secure,
                    has::<PortalUser>,
                    req,
                    next,
                )
            }))
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                session::portal_layer,
            ));
        let admin = admin
            .fallback(not_found)
            .layer(axum::middleware::from_fn(move |req, next| {
                csrf::protect(
                    session::CookieSpec::staff,
                    secure,
                    has::<StaffUser>,
                    req,
                    next,
                )
            }))
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                session::admin_layer,
            ));
        let api = api.layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::api_layer,
        ));

        let inner = Router::new()
            .route("/", get(tenant::root))
            .route("/assets/logo/{id}", get(assets::logo))
            .nest("/portal", portal)
            .nest("/admin", admin)
            .nest("/api", api)
            // Other services' calls: no session layer, no CSRF; each handler checks its caller.
            .nest("/hooks", hooks.fallback(not_found))
            .fallback(not_found)
            .with_state(state.clone());

        // Tenancy must run before routing (it strips the `/w/{slug}` prefix), so it wraps
        // the routed service instead of being a route layer.
        let tenanted =
            axum::middleware::from_fn_with_state(state.clone(), tenant::resolve).layer(inner);
        Router::new()
            .route("/assets/portico.css", get(assets::stylesheet))
            .route("/assets/accent.css", get(assets::accent))
            .fallback_service(tenanted)
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                security::headers,
            ))
            .layer(axum::middleware::from_fn_with_state(
                state,
                crate::web::client_addr::resolve,
            ))
    }
}
