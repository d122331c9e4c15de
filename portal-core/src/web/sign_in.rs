//! Signing in with email and password, at two doors: contacts at `/portal/sign-in`, staff at
//! `/admin/sign-in`. Same flow, separate accounts, sessions and cookies.
//!
//! Every failure reads the same — unknown email, wrong password, no password set yet,
//! deactivated account — and costs the same (see `auth::password`), so the form reveals
//! nothing about who has an account. A success replaces any session the browser presented
//! (the session id rotates at sign-in).
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use minijinja::context;
use serde::Deserialize;

use crate::app::AppState;
use crate::error::{Error, Result};
use crate::tenancy::{PortalUser, StaffUser, Tenant};
use crate::web::csrf::CsrfToken;
use crate::web::session::ClientAddr;
use crate::web::session::{self, SessionMeta};
use crate::web::{render, two_step};

/// Which accounts a form signs in; attached to each surface's `/sign-in` route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Door {
    Portal,
    Admin,
}

impl Door {
    /// The table of this door's accounts, and of their sessions with its owner column.
    pub(crate) fn accounts(self) -> &'static str {
        match self {
            Door::Portal => "contacts",
            Door::Admin => "staff_users",
        }
    }

    pub(crate) fn sessions(self) -> (&'static str, &'static str) {
        match self {
            Door::Portal => ("portal_sessions", "contact_id"),
            Door::Admin => ("staff_sessions", "staff_user_id"),
        }
    }

    pub(crate) fn prefix(self) -> &'static str {
        match self {
            Door::Portal => "/portal",
            Door::Admin => "/admin",
        }
    }

    fn heading(self, workspace: &str) -> String {
        match self {
            Door::Portal => format!("Sign in to {workspace}"),
            Door::Admin => format!("{workspace} · staff sign-in"),
        }
    }

    /// The account's id and password hash, if it may sign in.
    async fn lookup(
        self,
        state: &AppState,
        workspace_id: i64,
        email: &str,
    ) -> Result<Option<(i64, Option<String>)>> {
        let sql = match self {
            Door::Portal => format!(
                "SELECT c.id, c.password_hash FROM contacts c JOIN clients cl ON cl.id = c.client_id \
                 WHERE c.workspace_id = $1 AND c.email = $2 AND {}",
                crate::auth::links::usable_contact("$3")
            ),
            Door::Admin => "SELECT id, password_hash FROM staff_users WHERE workspace_id = $1 AND email = $2 AND deactivated_at IS NULL AND $3 <> ''".into(),
        };
        state
            .db
            .query_as(&sql)
            .bind(workspace_id)
            .bind(email)
            .bind(crate::db::Day::today())
            .fetch_optional()
            .await
    }

    /// Ends whatever session the browser presented and starts a new one.
    pub(crate) async fn start(
        self,
        state: &AppState,
        tenant: &Tenant,
        headers: &HeaderMap,
        id: i64,
        meta: &SessionMeta,
    ) -> Result<HeaderValue> {
        match self {
            Door::Portal => {
                if let Some(old) = session::portal_token(state, tenant, headers) {
                    session::delete_portal_session(state, &old).await?;
                }
                session::start_portal_session(state, tenant, id, meta).await
            }
            Door::Admin => {
                if let Some(old) = session::staff_token(state, tenant, headers) {
                    session::delete_staff_session(state, &old).await?;
                }
                session::start_staff_session(state, tenant, id, meta).await
            }
        }
    }

    /// Ends the session the browser presented, on the server; returns the `Set-Cookie` that
    /// clears it.
    async fn end(
        self,
        state: &AppState,
        tenant: &Tenant,
        headers: &HeaderMap,
    ) -> Result<HeaderValue> {
        let secure = state.config.secure_cookies;
        let spec = match self {
            Door::Portal => {
                if let Some(token) = session::portal_token(state, tenant, headers) {
                    session::delete_portal_session(state, &token).await?;
                }
                session::CookieSpec::portal(tenant, secure)
            }
            Door::Admin => {
                if let Some(token) = session::staff_token(state, tenant, headers) {
                    session::delete_staff_session(state, &token).await?;
                }
                session::CookieSpec::staff(tenant, secure)
            }
        };
        Ok(spec.set("", Some(0)))
    }

    /// Where to go after signing in: the page asked for, if it is one of this door's own.
    pub(crate) fn destination(self, tenant: &Tenant, next: &str) -> String {
        let root = tenant.link(&format!("{}/", self.prefix()));
        let bare = tenant.link(self.prefix());
        let local = (next == bare || next.starts_with(&root))
            && !next.contains("//")
            && !next.contains('\\')
            && !next.chars().any(char::is_control);
        if local {
            next.to_string()
        } else {
            root
        }
    }
}

#[derive(Deserialize, Default)]
pub struct Next {
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
pub struct Credentials {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

struct Shown<'a> {
    email: &'a str,
    next: &'a str,
    error: Option<&'a str>,
}

fn page(
    door: Door,
    tenant: &Tenant,
    state: &AppState,
    csrf: &str,
    status: StatusCode,
    form: Shown<'_>,
) -> Result<Response> {
    let html = state.templates.render(
        "sign_in.html",
        context! {
            brand => crate::branding::shown(tenant),
            heading => door.heading(&tenant.workspace.name),
            action => tenant.link(&format!("{}/sign-in", door.prefix())),
            csrf_token => csrf,
            email => form.email,
            next => form.next,
            error => form.error,
            recover => (door == Door::Portal).then(|| context! {
                reset => tenant.link("/portal/reset"),
                link => tenant.link("/portal/link"),
            }),
            ..render::globals()
        },
    )?;
    Ok((status, Html(html)).into_response())
}

/// `GET …/sign-in`: the form, or on to the destination when already signed in.
pub async fn form(
    State(state): State<AppState>,
    Extension(door): Extension<Door>,
    Extension(tenant): Extension<Arc<Tenant>>,
    Extension(csrf): Extension<CsrfToken>,
    contact: Option<Extension<Arc<PortalUser>>>,
    staff: Option<Extension<Arc<StaffUser>>>,
    Query(next): Query<Next>,
) -> Result<Response> {
    let signed_in = match door {
        Door::Portal => contact.is_some(),
        Door::Admin => staff.is_some(),
    };
    if signed_in {
        return Ok(Redirect::to(&door.destination(&tenant, &next.next)).into_response());
    }
    let shown = Shown {
        email: "",
        next: &next.next,
        error: None,
    };
    page(door, &tenant, &state, &csrf.0, StatusCode::OK, shown)
}

/// `POST …/sign-out`: ends the session on the server, clears the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    Extension(door): Extension<Door>,
    Extension(tenant): Extension<Arc<Tenant>>,
    headers: HeaderMap,
) -> Result<Response> {
    let cookie = door.end(&state, &tenant, &headers).await?;
    let html = state.templates.render(
        "signed_out.html",
        context! {
            brand => crate::branding::shown(&tenant),
            workspace => tenant.workspace.name,
            again => tenant.link(&format!("{}/sign-in", door.prefix())),
            ..render::globals()
        },
    )?;
    Ok(([(header::SET_COOKIE, cookie)], Html(html)).into_response())
}

/// `POST …/sign-in`.
pub async fn submit(
    State(state): State<AppState>,
    Extension(door): Extension<Door>,
    Extension(tenant): Extension<Arc<Tenant>>,
    Extension(csrf): Extension<CsrfToken>,
    addr: ClientAddr,
    headers: HeaderMap,
    form: std::result::Result<Form<Credentials>, FormRejection>,
) -> Result<Response> {
    let Ok(Form(form)) = form else {
        return Err(Error::BadRequest(
            "The sign-in form was not sent correctly.".into(),
        ));
    };
    let email = form.email.trim().to_ascii_lowercase();
    let malformed = if !crate::auth::plausible_email(&email) {
        Some("Enter the email address your invitation was sent to.")
    } else if form.password.is_empty() || form.password.len() > crate::auth::password::MAX_LEN {
        Some("Enter your password.")
    } else {
        None
    };
    let again = |status, error| {
        let shown = Shown {
            email: &form.email,
            next: &form.next,
            error: Some(error),
        };
        page(door, &tenant, &state, &csrf.0, status, shown)
    };
    if let Some(message) = malformed {
        return again(StatusCode::UNPROCESSABLE_ENTITY, message);
    }
    let account = format!("{}:{}:{email}", door.prefix(), tenant.workspace.id);
    let ip = addr.0;
    state.attempt_limits.before(ip, &account)?;

    let found = door.lookup(&state, tenant.workspace.id, &email).await?;
    let stored = found.as_ref().and_then(|(_, hash)| hash.as_deref());
    let ok = state.passwords.verify(&form.password, stored).await?;
    let Some((id, _)) = found.filter(|_| ok) else {
        state.attempt_limits.failed(ip, &account);
        return again(
            StatusCode::UNAUTHORIZED,
            "That email and password do not match an account here.",
        );
    };
    let meta = SessionMeta::from_request(&headers, ip);
    two_step::finish_sign_in(door, &state, &tenant, &headers, id, &meta, &form.next).await
}
