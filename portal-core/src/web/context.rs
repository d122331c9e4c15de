//! What a handler receives: who is asking, for which client, in which workspace.
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{Html, Redirect};

use crate::activity::{self, Action, Actor};
use crate::app::AppState;
use crate::db::{Db, ScopedTx};
use crate::error::{Error, Result};
use crate::notifications::{Notice, Recipients};
use crate::tenancy::{ClientScope, PortalUser, Role, StaffUser, Tenant};
use crate::web::flash::{with_done, Flash};
use crate::web::form::Invalid;
use crate::web::render;
use crate::web::session::SessionMeta;

/// Extractor for portal handlers: the tenant, the signed-in contact, their scope, and
/// rendering with the portal layout. Refuses with "sign-in required" when nobody is signed in.
#[derive(Clone)]
pub struct PortalContext {
    pub tenant: Arc<Tenant>,
    pub user: Arc<PortalUser>,
    /// The request path below the workspace's base path, e.g. `/portal/projects/3`.
    pub path: String,
    /// The token this page's forms carry (see `web::csrf`).
    pub csrf_token: String,
    /// The contact's unread count and newest notifications, for the menu's badge and the home.
    pub notifications: Arc<crate::notifications::Summary>,
    /// Where the request came from, for the activity log.
    pub origin: SessionMeta,
    /// The form this page shows again, with its problems (`web::form`); empty otherwise.
    pub invalid: Arc<Invalid>,
    state: AppState,
}

impl<S> FromRequestParts<S> for PortalContext
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        let tenant = parts
            .extensions
            .get::<Arc<Tenant>>()
            .cloned()
            .ok_or(Error::NotFound)?;
        let user = parts
            .extensions
            .get::<Arc<PortalUser>>()
            .cloned()
            .ok_or(Error::SignInRequired)?;
        let state = AppState::from_ref(state);
        let scope = ClientScope::new(tenant.workspace.id, user.client_id, user.contact_id);
        let notifications = state
            .notifier
            .unread
            .summary(
                &state.db,
                &state.notifier.rules,
                scope,
                tenant.workspace.revision,
            )
            .await?;
        let peer = crate::web::client_addr::ClientAddr::of(parts).0;
        Ok(PortalContext {
            tenant,
            user,
            path: full_path(parts),
            csrf_token: csrf_token(parts),
            notifications,
            origin: SessionMeta::from_request(&parts.headers, peer),
            invalid: invalid_form(parts),
            state,
        })
    }
}

fn invalid_form(parts: &Parts) -> Arc<Invalid> {
    parts
        .extensions
        .get::<Arc<Invalid>>()
        .cloned()
        .unwrap_or_default()
}

fn csrf_token(parts: &Parts) -> String {
    parts
        .extensions
        .get::<crate::web::csrf::CsrfToken>()
        .map(|t| t.0.clone())
        .unwrap_or_default()
}

/// `/portal/x` for a nested router sees `/x`; the layout wants the full path.
fn full_path(parts: &Parts) -> String {
    parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map(|u| u.path().to_string())
        .unwrap_or_else(|| parts.uri.path().to_string())
}

impl PortalContext {
    /// The contact's scoped transaction for reads (row-level security on PostgreSQL).
    pub async fn begin(&self) -> Result<ScopedTx> {
        self.scope().begin(&self.state.db).await
    }

    /// The contact's scoped transaction for writes that land together.
    pub async fn begin_write(&self) -> Result<ScopedTx> {
        self.scope().begin_write(&self.state.db).await
    }

    /// The database, for a statement of its own on the pool.
    pub fn db(&self) -> &Db {
        &self.state.db
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn scope(&self) -> ClientScope {
        ClientScope::new(
            self.tenant.workspace.id,
            self.user.client_id,
            self.user.contact_id,
        )
    }

    pub fn can(&self, permission: &str) -> bool {
        self.user.can(permission)
    }

    /// Whether the module's pages should show action controls: not on a read-only tier.
    pub fn can_act(&self, module: &str) -> bool {
        !self.tenant.entitlements.module_read_only(module)
    }

    /// A link inside this contact's portal: `link("/projects/3")`.
    pub fn link(&self, path: &str) -> String {
        self.tenant.link(&format!("/portal{path}"))
    }

    /// Back to a portal page after a change, which says `done`'s message (see `web::flash`).
    pub fn redirect_done(&self, path: &str, done: impl Flash) -> Redirect {
        Redirect::to(&with_done(&self.link(path), done))
    }

    /// Renders a page template that extends `portal/layout.html`.
    pub fn render(&self, template: &str, page: minijinja::Value) -> Result<Html<String>> {
        render::portal_page(&self.state, self, template, page).map(Html)
    }

    /// This contact, for the activity log — `None` in a staff preview, which is never logged
    /// as the contact's doing.
    pub fn actor(&self) -> Option<Actor<'_>> {
        self.user.preview_by.is_none().then_some(Actor::Contact {
            id: self.user.contact_id,
            name: &self.user.name,
        })
    }

    /// An activity entry by this contact about `subject` (see [`crate::activity`]), or
    /// `None` in a preview.
    pub fn activity<'a>(
        &'a self,
        action: Action,
        subject: &'a str,
        label: &'a str,
    ) -> Option<activity::Entry<'a>> {
        Some(activity::Entry {
            workspace_id: self.tenant.workspace.id,
            client_id: self.user.client_id,
            actor: self.actor()?,
            action,
            subject,
            label,
            origin: &self.origin,
        })
    }

    /// Logs that the contact looked at a record: queued, and written with other views off
    /// the request path (`activity::LookLog`). Best effort: the page is served even when the
    /// log cannot be written (the failure is logged).
    pub async fn record_view(&self, subject: &str, label: &str) {
        if let Some(entry) = self.activity(Action::View, subject, label) {
            self.state.looks.record(&entry).await;
        }
    }

    /// Renders a fragment (a widget) without the layout.
    pub fn render_fragment(&self, template: &str, ctx: minijinja::Value) -> Result<String> {
        self.state.templates.render(template, ctx)
    }
}

/// Extractor for staff handlers (`/admin`, `/api`).
#[derive(Clone)]
pub struct StaffContext {
    pub tenant: Arc<Tenant>,
    pub user: Arc<StaffUser>,
    pub path: String,
    pub csrf_token: String,
    /// The form this page shows again, with its problems (`web::form`); empty otherwise.
    pub invalid: Arc<Invalid>,
    state: AppState,
}

impl<S> FromRequestParts<S> for StaffContext
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        let tenant = parts
            .extensions
            .get::<Arc<Tenant>>()
            .cloned()
            .ok_or(Error::NotFound)?;
        let user = parts
            .extensions
            .get::<Arc<StaffUser>>()
            .cloned()
            .ok_or(Error::SignInRequired)?;
        Ok(StaffContext {
            tenant,
            user,
            path: full_path(parts),
            csrf_token: csrf_token(parts),
            invalid: invalid_form(parts),
            state: AppState::from_ref(state),
        })
    }
}

impl StaffContext {
    /// The workspace's staff transaction for reads, walled to the workspace.
    pub async fn begin(&self) -> Result<ScopedTx> {
        ScopedTx::begin_staff(&self.state.db, self.tenant.workspace.id).await
    }

    /// The workspace's staff transaction for writes that land together.
    pub async fn begin_write(&self) -> Result<ScopedTx> {
        ScopedTx::begin_staff_write(&self.state.db, self.tenant.workspace.id).await
    }

    /// The database, for a statement of its own on the pool.
    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// Owners and admins change clients, contacts and permissions; members look.
    pub fn can_manage(&self) -> bool {
        matches!(self.user.role, Role::Owner | Role::Admin)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn link(&self, path: &str) -> String {
        self.tenant.link(&format!("/admin{path}"))
    }

    /// Tells `recipients` of `client` about `notice`, in `tx` with what it announces; the
    /// email goes out once `tx` commits (`notifications::notify`).
    pub async fn notify(
        &self,
        tx: &mut ScopedTx,
        client: i64,
        recipients: &Recipients,
        notice: &Notice,
    ) -> Result<usize> {
        let notifier = &self.state.notifier;
        crate::notifications::notify(notifier, &self.tenant, tx, client, recipients, notice).await
    }

    /// Back to an admin page after a change, which says `done`'s message (see `web::flash`).
    pub fn redirect_done(&self, path: &str, done: impl Flash) -> Redirect {
        Redirect::to(&with_done(&self.link(path), done))
    }

    /// Renders a page template that extends `admin/layout.html`.
    pub fn render(&self, template: &str, page: minijinja::Value) -> Result<Html<String>> {
        render::admin_page(&self.state, self, template, page).map(Html)
    }

    /// Renders a fragment (a section of a core page) without the layout.
    pub fn render_fragment(&self, template: &str, ctx: minijinja::Value) -> Result<String> {
        self.state.templates.render(template, ctx)
    }
}
