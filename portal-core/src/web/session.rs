//! Portal and staff sessions: separate cookies, tables and layers.
//!
//! A session token comes from `tenancy::tokens`: handed to the browser once, kept only as its
//! hash. The portal layer runs only under
//! `/portal` and reads only the portal cookie; the staff layer only under `/admin` (cookie)
//! and `/api` (bearer token).
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::db::{now, Day, Db};
use crate::error::{Error, Result};
pub(crate) use crate::tenancy::tokens::handle_pattern;
pub use crate::tenancy::tokens::{handle_of, hash_token, new_token};
pub use crate::tenancy::SessionMeta;
use crate::tenancy::{PortalUser, StaffUser, Tenant};

pub const PORTAL_COOKIE: &str = "portico_portal";
pub const STAFF_COOKIE: &str = "portico_staff";

/// What a cookie is called, and the path it is sent to, on this tenant.
///
/// Over TLS a workspace on its own host gets `__Host-` names: browsers then accept the cookie
/// only if it is `Secure`, has `Path=/` and no `Domain`, so no sibling subdomain (another
/// workspace, a custom domain's neighbour) can plant or overwrite it. The price is `Path=/`:
/// the surface separation rests on the names, each layer reading only its own. On the shared
/// `/w/{slug}` fallback host, where workspaces must not share a path, TLS gets `__Secure-`
/// names with the path kept. Without TLS, plain names scoped to the surface's path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CookieSpec {
    pub name: String,
    pub path: String,
    pub secure: bool,
}

impl CookieSpec {
    /// `base` is the plain name (`portico_portal`), `surface` the path it belongs to
    /// (`/portal`, `/admin`, or `/` for the whole site).
    pub fn new(base: &str, surface: &str, tenant: &Tenant, secure: bool) -> CookieSpec {
        let scoped = tenant.link(surface);
        let (name, path) = match (secure, tenant.base_path.is_empty()) {
            (true, true) => (format!("__Host-{base}"), "/".to_string()),
            (true, false) => (format!("__Secure-{base}"), scoped),
            (false, _) => (base.to_string(), scoped),
        };
        CookieSpec { name, path, secure }
    }

    pub fn portal(tenant: &Tenant, secure: bool) -> CookieSpec {
        CookieSpec::new(PORTAL_COOKIE, "/portal", tenant, secure)
    }

    pub fn staff(tenant: &Tenant, secure: bool) -> CookieSpec {
        CookieSpec::new(STAFF_COOKIE, "/admin", tenant, secure)
    }

    /// This cookie's value in a request, under this name only.
    pub fn read(&self, headers: &HeaderMap) -> Option<String> {
        cookie(headers, &self.name)
    }

    /// `Set-Cookie` giving the cookie `value` for `max_age` seconds (0 clears it; `None`
    /// keeps it until the browser closes).
    pub fn set(&self, value: &str, max_age: Option<i64>) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let max_age = max_age
            .map(|s| format!("; Max-Age={s}"))
            .unwrap_or_default();
        let value = format!(
            "{}={value}; Path={}; HttpOnly; SameSite=Lax{max_age}{secure}",
            self.name, self.path
        );
        HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub use crate::web::client_addr::ClientAddr;

impl SessionMeta {
    pub fn from_request(headers: &HeaderMap, peer: Option<std::net::IpAddr>) -> Self {
        let user_agent = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(300)
            .collect();
        SessionMeta {
            user_agent,
            ip: peer.map(|ip| ip.to_string()).unwrap_or_default(),
        }
    }
}

pub async fn create_portal_session(
    state: &AppState,
    workspace_id: i64,
    contact_id: i64,
    meta: &SessionMeta,
) -> Result<String> {
    let (token, hash) = new_token();
    let created = now();
    let expires = created + state.config.session_ttl_secs;
    let sql = "INSERT INTO portal_sessions (token_hash, workspace_id, contact_id, created_at, expires_at, last_seen_at, user_agent, ip) \
               VALUES ($1, $2, $3, $4, $5, $4, $6, $7)";
    state
        .db
        .query(sql)
        .bind(&hash)
        .bind(workspace_id)
        .bind(contact_id)
        .bind(created)
        .bind(expires)
        .bind(&meta.user_agent)
        .bind(&meta.ip)
        .within_workspace(workspace_id)
        .execute()
        .await?;
    Ok(token)
}

/// Ends a staff session on the server.
pub async fn delete_staff_session(state: &AppState, token: &str) -> Result<()> {
    let sql = "DELETE FROM staff_sessions WHERE token_hash = $1";
    state
        .db
        .query(sql)
        .bind(hash_token(token))
        .execute()
        .await?;
    Ok(())
}

pub fn staff_token(state: &AppState, tenant: &Tenant, headers: &HeaderMap) -> Option<String> {
    CookieSpec::staff(tenant, state.config.secure_cookies).read(headers)
}

/// Starts a portal session for a contact and returns the `Set-Cookie` that hands it to the
/// browser, scoped to this workspace's portal.
pub async fn start_portal_session(
    state: &AppState,
    tenant: &Tenant,
    contact_id: i64,
    meta: &SessionMeta,
) -> Result<HeaderValue> {
    let ws = tenant.workspace.id;
    let token = create_portal_session(state, ws, contact_id, meta).await?;
    let sql = "SELECT client_id, name FROM contacts WHERE id = $1 AND workspace_id = $2";
    let who: Option<(i64, String)> = state
        .db
        .query_as(sql)
        .bind(contact_id)
        .bind(ws)
        .fetch_optional()
        .await?;
    if let Some((client_id, name)) = who {
        let entry = crate::activity::Entry {
            workspace_id: ws,
            client_id,
            actor: crate::activity::Actor::Contact {
                id: contact_id,
                name: &name,
            },
            action: crate::activity::Action::SignIn,
            subject: "",
            label: "",
            origin: meta,
        };
        crate::activity::record(&state.db, &entry).await?;
    }
    let spec = CookieSpec::portal(tenant, state.config.secure_cookies);
    Ok(spec.set(&token, Some(state.config.session_ttl_secs)))
}

/// The same for a staff member, scoped to the admin.
pub async fn start_staff_session(
    state: &AppState,
    tenant: &Tenant,
    staff_user_id: i64,
    meta: &SessionMeta,
) -> Result<HeaderValue> {
    let token = create_staff_session(state, tenant.workspace.id, staff_user_id, meta).await?;
    let spec = CookieSpec::staff(tenant, state.config.secure_cookies);
    Ok(spec.set(&token, Some(state.config.session_ttl_secs)))
}

pub async fn create_staff_session(
    state: &AppState,
    workspace_id: i64,
    staff_user_id: i64,
    meta: &SessionMeta,
) -> Result<String> {
    let (token, hash) = new_token();
    let created = now();
    let expires = created + state.config.session_ttl_secs;
    let sql = "INSERT INTO staff_sessions (token_hash, workspace_id, staff_user_id, created_at, expires_at, last_seen_at, user_agent, ip) \
               VALUES ($1, $2, $3, $4, $5, $4, $6, $7)";
    state
        .db
        .query(sql)
        .bind(&hash)
        .bind(workspace_id)
        .bind(staff_user_id)
        .bind(created)
        .bind(expires)
        .bind(&meta.user_agent)
        .bind(&meta.ip)
        .within_workspace(workspace_id)
        .execute()
        .await?;
    Ok(token)
}

/// How long an API token may live, in days: what the form offers, the default first. A
/// token never lives for ever: one forgotten in a script or a leaked log runs out.
pub const API_TOKEN_DAYS: [i64; 5] = [90, 7, 30, 180, 365];

/// Makes a token for the staff member that works for `days` days (one of [`API_TOKEN_DAYS`]).
pub async fn create_api_token(
    db: &Db,
    workspace_id: i64,
    staff_user_id: i64,
    name: &str,
    days: i64,
) -> Result<String> {
    if !API_TOKEN_DAYS.contains(&days) {
        return Err(Error::BadRequest(
            "Choose how long the token works: 7, 30, 90, 180 or 365 days.".into(),
        ));
    }
    let (token, hash) = new_token();
    let created = now();
    let sql = "INSERT INTO api_tokens (token_hash, workspace_id, staff_user_id, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)";
    db.query(sql)
        .bind(&hash)
        .bind(workspace_id)
        .bind(staff_user_id)
        .bind(name)
        .bind(created)
        .bind(created + days * 86_400)
        .execute()
        .await?;
    Ok(token)
}

/// Ends a portal session on the server. The database trigger bumps the workspace revision,
/// so other instances drop their cached copy too.
pub async fn delete_portal_session(state: &AppState, token: &str) -> Result<()> {
    let hash = hash_token(token);
    let sql = "DELETE FROM portal_sessions WHERE token_hash = $1";
    state.db.query(sql).bind(&hash).execute().await?;
    state.sessions.invalidate(&hash).await;
    Ok(())
}

/// Signed-in contacts by session-token hash, each stamped with the workspace revision it was
/// read at. An entry is used only while the workspace's revision (read by the tenant layer
/// on every request) is unchanged and the session has not expired; any change to the
/// contact, their client, their permissions or their sessions bumps the revision (database
/// triggers), so a change takes effect on the next request, from any writer.
#[derive(Clone)]
pub struct SessionCache {
    cache: moka::future::Cache<String, Arc<CachedSession>>,
}

struct CachedSession {
    revision: i64,
    expires_at: i64,
    /// The contact's last day of access, if limited: passing midnight ends the session
    /// without any write to bump the revision.
    access_expires_on: Option<Day>,
    /// Last activity as recorded in the database; refreshed at most every `TOUCH_EVERY`.
    last_seen: AtomicI64,
    user: Arc<PortalUser>,
}

/// How stale `last_seen_at` may get before a request writes it again: activity is worth
/// knowing to the minute, not worth a write per request.
const TOUCH_EVERY: i64 = 60;

impl Default for SessionCache {
    fn default() -> Self {
        SessionCache {
            cache: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(std::time::Duration::from_secs(15 * 60))
                .build(),
        }
    }
}

impl SessionCache {
    async fn get(
        &self,
        hash: &str,
        tenant: &Tenant,
        at: i64,
        idle_cutoff: i64,
    ) -> Option<Arc<CachedSession>> {
        let hit = self.cache.get(hash).await?;
        let fresh = hit.revision == tenant.workspace.revision
            && hit.user.workspace_id == tenant.workspace.id
            && hit.expires_at > at
            && hit.last_seen.load(Ordering::Relaxed) > idle_cutoff
            && hit
                .access_expires_on
                .is_none_or(|last| last >= Day::today());
        fresh.then_some(hit)
    }

    async fn insert(&self, hash: String, entry: CachedSession) -> Arc<CachedSession> {
        let entry = Arc::new(entry);
        self.cache.insert(hash, entry.clone()).await;
        entry
    }

    pub async fn invalidate(&self, hash: &str) {
        self.cache.invalidate(hash).await;
    }
}

pub fn portal_token(state: &AppState, tenant: &Tenant, headers: &HeaderMap) -> Option<String> {
    CookieSpec::portal(tenant, state.config.secure_cookies).read(headers)
}

/// One row per permission (or one row with none): the session, its contact and the
/// contact's permissions in a single round trip.
#[derive(sqlx::FromRow)]
struct ContactRow {
    contact_id: i64,
    client_id: i64,
    name: String,
    email: String,
    client_name: String,
    expires_at: i64,
    last_seen_at: i64,
    access_expires_on: Option<Day>,
    preview_by: Option<String>,
    permission: Option<String>,
}

/// The portal layer: attaches the signed-in contact, if any. Routes decide whether they need
/// one; the layer itself refuses only when the workspace has switched its portal off — here,
/// before any handler, so no portal route of the core or a module can sign anyone in, send
/// mail or use up a link meanwhile. Sessions stay in place for when it is back on. Sessions
/// idle longer than `session_idle_secs` end.
pub async fn portal_layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let tenant = req.extensions().get::<Arc<Tenant>>().cloned();
    if let Some(t) = tenant.as_ref().filter(|t| !t.workspace.portal_enabled) {
        return crate::web::render::portal_unavailable(&state, t);
    }
    let token = tenant
        .as_ref()
        .and_then(|t| portal_token(&state, t, req.headers()));
    if let (Some(tenant), Some(token)) = (tenant, token) {
        let hash = hash_token(&token);
        let at = now();
        let idle_cutoff = at - state.config.session_idle_secs;
        let entry = match state.sessions.get(&hash, &tenant, at, idle_cutoff).await {
            Some(hit) => Some(hit),
            None => {
                match load_contact(&state.db, tenant.workspace.id, &hash, at, idle_cutoff).await {
                    Ok(Some(entry)) => {
                        let entry = CachedSession {
                            revision: tenant.workspace.revision,
                            ..entry
                        };
                        Some(state.sessions.insert(hash.clone(), entry).await)
                    }
                    Ok(None) => None,
                    Err(e) => {
                        tracing::error!(error = ?e, "loading the portal session failed");
                        None
                    }
                }
            }
        };
        if let Some(entry) = entry {
            if entry.user.preview_by.is_some() {
                if let Some(refusal) = preview_refuses(&req) {
                    return Error::Forbidden(refusal.into()).into_response();
                }
            }
            if at - entry.last_seen.swap(at, Ordering::Relaxed) >= TOUCH_EVERY {
                // Written with the other looks, off the request path (the idle check reads
                // the cached stamp, set above).
                state.looks.seen(entry.user.workspace_id, &hash, at).await;
            }
            req.extensions_mut().insert(entry.user.clone());
        }
    }
    next.run(req).await
}

/// A preview ("view as") reads the portal and signs out; every other request that could
/// change something is refused before any handler runs, whatever the module. The contact's
/// own account pages (password, two-step secret, devices) are theirs alone: a preview does
/// not even read them.
fn preview_refuses(req: &Request) -> Option<&'static str> {
    let path = req.uri().path();
    if path == "/account" || path.starts_with("/account/") {
        return Some("A preview shows the contact's portal, not their account: their password, two-step sign-in and devices stay theirs.");
    }
    let reads = matches!(*req.method(), Method::GET | Method::HEAD);
    (!reads && path != "/sign-out").then_some(
        "This is a read-only preview of the contact's portal: nothing can be changed here.",
    )
}

/// How long a staff member's preview of a contact's portal lasts.
pub const PREVIEW_SECS: i64 = 30 * 60;

/// Starts a read-only preview of a contact's portal for a staff member; returns the
/// `Set-Cookie` that hands it to their browser. Not listed among the contact's sessions.
pub async fn start_preview(
    state: &AppState,
    tenant: &Tenant,
    contact_id: i64,
    staff_user_id: i64,
    meta: &SessionMeta,
) -> Result<HeaderValue> {
    let (token, hash) = new_token();
    let created = now();
    let sql = "INSERT INTO portal_sessions (token_hash, workspace_id, contact_id, created_at, expires_at, last_seen_at, user_agent, ip, preview_by) \
               VALUES ($1, $2, $3, $4, $5, $4, $6, $7, $8)";
    state
        .db
        .query(sql)
        .bind(&hash)
        .bind(tenant.workspace.id)
        .bind(contact_id)
        .bind(created)
        .bind(created + PREVIEW_SECS)
        .bind(&meta.user_agent)
        .bind(&meta.ip)
        .bind(staff_user_id)
        .execute()
        .await?;
    let spec = CookieSpec::portal(tenant, state.config.secure_cookies);
    Ok(spec.set(&token, Some(PREVIEW_SECS)))
}

/// The contact behind a live session-token hash (stamp the revision before caching it).
async fn load_contact(
    db: &Db,
    workspace_id: i64,
    hash: &str,
    at: i64,
    idle_cutoff: i64,
) -> Result<Option<CachedSession>> {
    let sql = "SELECT c.id AS contact_id, c.client_id, c.name, c.email, cl.name AS client_name, \
               s.expires_at, s.last_seen_at, c.access_expires_on, su.name AS preview_by, p.permission \
               FROM portal_sessions s \
               JOIN contacts c ON c.id = s.contact_id AND c.workspace_id = s.workspace_id \
               JOIN clients cl ON cl.id = c.client_id AND cl.workspace_id = c.workspace_id \
               LEFT JOIN contact_permissions p ON p.contact_id = c.id \
               LEFT JOIN staff_users su ON su.id = s.preview_by AND su.workspace_id = s.workspace_id \
               WHERE s.token_hash = $1 AND s.workspace_id = $2 AND s.expires_at > $3 AND s.last_seen_at > $4 AND ";
    let sql = format!("{sql}{}", crate::auth::links::usable_contact("$5"));
    let rows: Vec<ContactRow> = db
        .query_as(&sql)
        .bind(hash)
        .bind(workspace_id)
        .bind(at)
        .bind(idle_cutoff)
        .bind(Day::today())
        .fetch_all()
        .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let user = PortalUser {
        workspace_id,
        contact_id: first.contact_id,
        client_id: first.client_id,
        name: first.name.clone(),
        email: first.email.clone(),
        client_name: first.client_name.clone(),
        permissions: rows.iter().filter_map(|r| r.permission.clone()).collect(),
        preview_by: first.preview_by.clone(),
    };
    Ok(Some(CachedSession {
        revision: 0,
        expires_at: first.expires_at,
        access_expires_on: first.access_expires_on,
        last_seen: AtomicI64::new(first.last_seen_at),
        user: Arc::new(user),
    }))
}

/// The admin layer: attaches the staff user from the staff cookie. Never the portal cookie,
/// never a bearer token.
pub async fn admin_layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let token = req
        .extensions()
        .get::<Arc<Tenant>>()
        .and_then(|t| staff_token(&state, t, req.headers()));
    attach_staff(&state, req, token, false, next).await
}

/// The API layer: attaches the staff user from `Authorization: Bearer`. Never a cookie, so
/// a browser session cannot be ridden cross-site into the API.
pub async fn api_layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    attach_staff(&state, req, token, true, next).await
}

async fn attach_staff(
    state: &AppState,
    mut req: Request,
    token: Option<String>,
    api: bool,
    next: Next,
) -> Response {
    let tenant = req.extensions().get::<Arc<Tenant>>().cloned();
    if let (Some(tenant), Some(token)) = (tenant, token) {
        match load_staff(state, tenant.workspace.id, &token, api).await {
            Ok(Some(user)) => {
                req.extensions_mut().insert(Arc::new(user));
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = ?e, "loading the staff session failed"),
        }
    }
    next.run(req).await
}

async fn load_staff(
    state: &AppState,
    workspace_id: i64,
    token: &str,
    api: bool,
) -> Result<Option<StaffUser>> {
    let db = &state.db;
    let hash = hash_token(token);
    let at = now();
    let user = if api {
        let sql = "SELECT u.id, u.workspace_id, u.name, u.email, u.role FROM api_tokens t \
                   JOIN staff_users u ON u.id = t.staff_user_id AND u.workspace_id = t.workspace_id AND u.deactivated_at IS NULL \
                   WHERE t.token_hash = $1 AND t.workspace_id = $2 AND t.revoked_at IS NULL AND t.expires_at > $3";
        let user: Option<StaffUser> = db
            .query_as(sql)
            .bind(&hash)
            .bind(workspace_id)
            .bind(at)
            .fetch_optional()
            .await?;
        if user.is_some() {
            // Last use, for the tokens page, written at most once a minute per token.
            let sql = "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 \
                       AND workspace_id = $4 AND (last_used_at IS NULL OR last_used_at < $3)";
            // Best effort: a busy database must not turn a valid token away.
            let touched = db
                .query(sql)
                .bind(at)
                .bind(&hash)
                .bind(at - TOUCH_EVERY)
                .bind(workspace_id)
                .records_a_look()
                .execute()
                .await;
            if let Err(e) = touched {
                tracing::warn!(error = ?e, "an API token's last use was not recorded");
            }
        }
        user
    } else {
        let sql = "SELECT u.id, u.workspace_id, u.name, u.email, u.role FROM staff_sessions s \
                   JOIN staff_users u ON u.id = s.staff_user_id AND u.workspace_id = s.workspace_id AND u.deactivated_at IS NULL \
                   WHERE s.token_hash = $1 AND s.workspace_id = $2 AND s.expires_at > $3 AND s.last_seen_at > $4";
        let idle_cutoff = at - state.config.session_idle_secs;
        let user: Option<StaffUser> = db
            .query_as(sql)
            .bind(&hash)
            .bind(workspace_id)
            .bind(at)
            .bind(idle_cutoff)
            .fetch_optional()
            .await?;
        if user.is_some() {
            let sql = "UPDATE staff_sessions SET last_seen_at = $1 WHERE token_hash = $2 \
                       AND workspace_id = $4 AND last_seen_at < $3";
            db.query(sql)
                .bind(at)
                .bind(&hash)
                .bind(at - TOUCH_EVERY)
                .bind(workspace_id)
                .records_a_look()
                .execute()
                .await?;
        }
        user
    };
    Ok(user)
}
