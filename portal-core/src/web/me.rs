//! Whoever is on their own account pages: a contact (under `/portal`) or a staff member
//! (under `/admin`). The account pages — password, devices, two-step sign-in — are the same
//! for both; the route's `Door` says which surface, and so which accounts and sessions.
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::Html;
use minijinja::context;

use crate::app::AppState;
use crate::error::{Error, Result};
use crate::tenancy::Tenant;
use crate::web::sign_in::Door;
use crate::web::{PortalContext, StaffContext};

pub enum Me {
    Contact(PortalContext),
    Staff(StaffContext),
}

impl<S> FromRequestParts<S> for Me
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        match parts.extensions.get::<Door>().copied() {
            Some(Door::Admin) => Ok(Me::Staff(
                StaffContext::from_request_parts(parts, state).await?,
            )),
            _ => Ok(Me::Contact(
                PortalContext::from_request_parts(parts, state).await?,
            )),
        }
    }
}

impl Me {
    pub fn door(&self) -> Door {
        match self {
            Me::Contact(_) => Door::Portal,
            Me::Staff(_) => Door::Admin,
        }
    }

    pub fn tenant(&self) -> &Arc<Tenant> {
        match self {
            Me::Contact(c) => &c.tenant,
            Me::Staff(s) => &s.tenant,
        }
    }

    pub fn workspace_id(&self) -> i64 {
        self.tenant().workspace.id
    }

    /// The account's id: the contact's or the staff member's.
    pub fn id(&self) -> i64 {
        match self {
            Me::Contact(c) => c.user.contact_id,
            Me::Staff(s) => s.user.id,
        }
    }

    pub fn email(&self) -> &str {
        match self {
            Me::Contact(c) => &c.user.email,
            Me::Staff(s) => &s.user.email,
        }
    }

    /// A link on this surface: `link("/account")`.
    pub fn link(&self, path: &str) -> String {
        match self {
            Me::Contact(c) => c.link(path),
            Me::Staff(s) => s.link(path),
        }
    }

    /// Renders a template that extends `{{ layout }}` — the surface's own layout.
    pub fn render(&self, template: &str, page: minijinja::Value) -> Result<Html<String>> {
        match self {
            Me::Contact(c) => c.render(
                template,
                context! {
                    layout => "portal/layout.html",
                    profile => context! {
                        name => c.user.name,
                        email => c.user.email,
                        note => format!(
                            "Contact for {}. To change your name or email, ask your team at {}.",
                            c.user.client_name, c.tenant.workspace.name
                        ),
                    },
                    ..page
                },
            ),
            Me::Staff(s) => s.render(
                template,
                context! {
                    layout => "admin/layout.html",
                    profile => context! {
                        name => s.user.name,
                        email => s.user.email,
                        note => format!("Staff of {}, {}.", s.tenant.workspace.name, s.user.role),
                    },
                    ..page
                },
            ),
        }
    }
}
