//! Building a portal: the state every handler shares, and the one place routers are composed.
//!
//! ```ignore
//! let portal = Portal::builder(db, catalogue, registry).config(config).build().await?;
//! let app: axum::Router = portal.router(); // mount it next to your own routes
//! ```
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::Arc;

use axum::extract::FromRef;
use axum::Router;
use tower::Layer;

use crate::auth::{AttemptLimits, Passwords};
use crate::bell::Bell;
pub use crate::config::PortalConfig;
use crate::db::{Db, MigrationSet};
use crate::email::{Mailroom, Outbox};
use crate::entitlements::EntitlementCache;
use crate::error::{Error, Result};
use crate::files::FileStore;
use crate::module::{RouteInfo, Surface, CORE};
use crate::notifications::digest::Digests;
use crate::notifications::{Notifier, UnreadCache};
use crate::plans::PlanCatalogue;
use crate::templates::{Templates, CORE_TEMPLATES};
use crate::tenancy::Tenants;
use crate::tenancy::{PortalUser, StaffUser};
use crate::web::form_again::ShowFormAgain;
use crate::web::module::{ModuleRegistry, StartupFailure};
use crate::web::routes as core_routes;
use crate::web::{csrf, security, session, tenant};
use crate::workspace::{self, EntitlementChange, Workspace};

/// Files one contact may upload in an hour, whatever their size.
const CONTACT_FILES_PER_HOUR: u32 = 200;

/// What the application holds. Handlers reach it through `State<AppState>`; domain functions
/// get only the parts they use (`&state.db`, `&state.files`, `&state.notifier`, …), never
/// the whole.
pub struct Inner {
    pub db: Db,
    pub catalogue: PlanCatalogue,
    /// The modules that are running: linked, and whose start-up succeeded.
    pub registry: ModuleRegistry,
    /// Every route: the core's, then each running module's.
    pub routes: Vec<RouteInfo>,
    pub entitlements: EntitlementCache,
    pub sessions: session::SessionCache,
    /// Telling contacts and the team: kinds, feed rules, unread badges, email.
    pub notifier: Notifier,
    /// Composing branded email; rings the outbox.
    pub mailroom: Mailroom,
    /// Delivering what was queued.
    pub outbox: Outbox,
    /// What each contact has uploaded this hour.
    pub upload_budget: crate::files::UploadBudget,
    pub home: crate::home::HomeCache,
    /// Contacts' page views and sessions' last-seen stamps, written in batches off the
    /// request path (readers of the activity log flush it first).
    pub looks: crate::activity::LookLog,
    pub files: FileStore,
    pub passwords: Passwords,
    pub attempt_limits: Arc<AttemptLimits>,
    pub templates: Templates,
    pub config: Arc<PortalConfig>,
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

/// The parts a handler may take on their own (`State<Db>`, `State<FileStore>`, …).
macro_rules! hand_out {
    ($($part:ty => $field:ident),* $(,)?) => {$(
        impl FromRef<AppState> for $part {
            fn from_ref(state: &AppState) -> $part {
                state.$field.clone()
            }
        }
    )*};
}

hand_out! {
    Db => db,
    PlanCatalogue => catalogue,
    FileStore => files,
    Notifier => notifier,
    Mailroom => mailroom,
}

impl AppState {
    /// Tenants for work no request names (digests, demo data).
    pub fn tenants(&self) -> Tenants<'_> {
        Tenants {
            db: &self.db,
            catalogue: &self.catalogue,
            registry: &self.registry,
            entitlements: &self.entitlements,
        }
    }

    /// The daily digest sender over this application's parts.
    pub fn digests(&self) -> Digests<'_> {
        Digests {
            tenants: self.tenants(),
            notifier: &self.notifier,
            hour: self.config.digest_hour,
        }
    }

    /// Changes a workspace's plan, add-ons or enabled modules after checking the change
    /// against the catalogue and the build. Takes effect on the workspace's next request.
    pub async fn change_entitlements(
        &self,
        workspace: &Workspace,
        change: EntitlementChange,
    ) -> Result<()> {
        workspace::check_change(&self.catalogue, &self.registry, workspace, &change)?;
        workspace::apply_change(&self.db, workspace.id, &change).await?;
        self.entitlements.invalidate(workspace.id).await;
        Ok(())
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
        let config = Arc::new(self.config);
        let mailer = crate::email::Mailer::new(&config.mail.transport)?;
        let files = FileStore::open(&config.files, config.max_file_mb)?;
        let outbox_bell = Bell::default();
        let outbox = Outbox::new(
            self.db.clone(),
            mailer,
            config.mail.from_address.clone(),
            outbox_bell.clone(),
        );
        let unread = UnreadCache::default();
        let looks = crate::activity::LookLog::start(self.db.clone());
        let upload_budget = || {
            crate::files::UploadBudget::new(
                config.contact_upload_mb_per_hour,
                CONTACT_FILES_PER_HOUR,
            )
        };
        // Start-up hooks see the database, catalogue and configuration; routes and templates
        // are not ready yet, so they get an otherwise empty state.
        let no_templates = Templates::new(HashMap::new(), None);
        let early_mail = Mailroom::new(no_templates.clone(), config.clone(), outbox_bell.clone());
        let starting = AppState(Arc::new(Inner {
            db: self.db.clone(),
            catalogue: self.catalogue.clone(),
            registry: self.registry.clone(),
            routes: Vec::new(),
            entitlements: EntitlementCache::new(),
            sessions: session::SessionCache::default(),
            notifier: Notifier::new(&self.registry, unread.clone(), early_mail.clone()),
            mailroom: early_mail,
            outbox: outbox.clone(),
            upload_budget: upload_budget(),
            home: crate::home::HomeCache::default(),
            looks: looks.clone(),
            files: files.clone(),
            passwords: passwords.clone(),
            attempt_limits: Arc::new(AttemptLimits::default()),
            templates: no_templates,
            config: config.clone(),
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
        // A module's templates are named under its id: `notices/list.html` for the
        // notices module's `templates/list.html`.
        for m in registry.modules() {
            for (name, source) in m.templates() {
                embedded.insert(format!("{}/{name}", m.id()), source);
            }
        }
        let templates = Templates::new(embedded, config.template_dir.clone());
        let mut routes = core_routes::infos();
        routes.extend(registry.routes());
        let mailroom = Mailroom::new(templates.clone(), config.clone(), outbox_bell);
        let portal = Portal {
            state: AppState(Arc::new(Inner {
                db: self.db,
                catalogue: self.catalogue,
                notifier: Notifier::new(&registry, unread, mailroom.clone()),
                registry,
                routes,
                entitlements: EntitlementCache::new(),
                sessions: session::SessionCache::default(),
                mailroom,
                outbox,
                upload_budget: upload_budget(),
                home: crate::home::HomeCache::default(),
                looks,
                files,
                passwords,
                attempt_limits: Arc::new(AttemptLimits::new(
                    config.attempts_per_address,
                    config.attempts_per_account,
                )),
                templates,
                config,
                startup_failures: failures,
            })),
            extra_portal_routes: self.extra_portal_routes,
            extra_admin_routes: self.extra_admin_routes,
        };
        let state = &portal.state;
        if state.config.thumbnails_in_background {
            tokio::spawn(crate::files::thumbnails::run(
                state.db.clone(),
                state.files.clone(),
            ));
        }
        if state.config.mail.deliver {
            tokio::spawn(state.outbox.clone().run());
            let state = state.clone();
            tokio::spawn(async move { state.digests().run().await });
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

        let inner = core_routes::workspace_root()
            .nest("/portal", portal)
            .nest("/admin", admin)
            .nest("/api", api)
            // Other services' calls: no session layer, no CSRF; each handler checks its caller.
            .nest("/hooks", hooks.fallback(not_found))
            .fallback(not_found)
            .with_state(state.clone());

        // Tenancy must run before routing (it strips the `/w/{slug}` prefix), so it wraps
        // the routed service instead of being a route layer.
        // A form that fails its checks comes back as its page (`web::form`): around the
        // routed portal, where a `POST`'s path can be asked again for its `GET` page.
        let tenanted = axum::middleware::from_fn_with_state(state.clone(), tenant::resolve)
            .layer(ShowFormAgain::new(inner));
        core_routes::deployment()
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
