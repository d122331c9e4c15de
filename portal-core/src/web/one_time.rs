//! The pages behind one-time links: asking for a sign-in link or a password reset, and
//! opening an invitation, a sign-in link or a reset link.
//!
//! Opening a link (`GET`) only shows a page; the link is used by the form on it (`POST`).
//! Mail scanners and link previews fetch every URL in a message, and must not burn a
//! single-use link before its owner clicks it.
//!
//! Asking for a link answers the same page, with the same status, whether or not the address
//! has an account; the lookup is the same query either way and the mail is composed and
//! queued off the request, so neither the text nor the timing tells.
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Form};
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::auth::links::{self, LinkHolder, Purpose, TokenState};
use crate::auth::Passwords;
use crate::error::{Error, Result};
use crate::tenancy::Tenant;
use crate::web::csrf::CsrfToken;
use crate::web::session::ClientAddr;
use crate::web::session::SessionMeta;
use crate::web::sign_in::Door;
use crate::web::{render, two_step};

#[derive(Serialize, Default)]
struct Action {
    href: String,
    label: &'static str,
}

/// What `one_time.html` shows: a heading, a message, maybe a form, maybe ways on.
#[derive(Serialize, Default)]
struct Screen {
    heading: String,
    message: String,
    error: Option<String>,
    /// `email`, `password` or `confirm` (a single button); none for a dead end.
    form: Option<&'static str>,
    action: String,
    button: &'static str,
    email: String,
    actions: Vec<Action>,
}

fn show(
    state: &AppState,
    tenant: &Tenant,
    csrf: &str,
    status: StatusCode,
    screen: Screen,
) -> Result<Response> {
    let html = state.templates.render(
        "one_time.html",
        context! {
            brand => crate::branding::shown(tenant),
            csrf_token => csrf,
            min_len => crate::auth::password::MIN_LEN,
            screen => screen,
            ..render::globals()
        },
    )?;
    Ok((status, Html(html)).into_response())
}

fn sign_in_action(tenant: &Tenant) -> Action {
    Action {
        href: tenant.link("/portal/sign-in"),
        label: "Go to sign-in",
    }
}

/// `/portal/link` or `/portal/reset`: where a contact asks for a link.
fn ask_path(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Reset => "/portal/reset",
        _ => "/portal/link",
    }
}

fn ask_screen(tenant: &Tenant, purpose: Purpose, email: &str, error: Option<String>) -> Screen {
    let (heading, message, button) = match purpose {
        Purpose::Reset => (
            "Reset your password",
            "Enter the email address you sign in with. We will send you a link to choose a new password.",
            "Send reset link",
        ),
        _ => (
            "Sign in with a link",
            "Enter the email address you sign in with. We will send you a link that signs you in, no password needed.",
            "Email me a link",
        ),
    };
    Screen {
        heading: heading.into(),
        message: message.into(),
        error,
        form: Some("email"),
        action: tenant.link(ask_path(purpose)),
        button,
        email: email.into(),
        actions: vec![sign_in_action(tenant)],
    }
}

/// `GET /portal/link`, `GET /portal/reset`.
pub async fn ask_form(
    State(state): State<AppState>,
    Extension(purpose): Extension<Purpose>,
    Extension(tenant): Extension<Arc<Tenant>>,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<Response> {
    let screen = ask_screen(&tenant, purpose, "", None);
    show(&state, &tenant, &csrf.0, StatusCode::OK, screen)
}

#[derive(Deserialize)]
pub struct Ask {
    #[serde(default)]
    email: String,
}

/// `POST /portal/link`, `POST /portal/reset`.
pub async fn ask_submit(
    State(state): State<AppState>,
    Extension(purpose): Extension<Purpose>,
    Extension(tenant): Extension<Arc<Tenant>>,
    Extension(csrf): Extension<CsrfToken>,
    addr: ClientAddr,
    form: std::result::Result<Form<Ask>, FormRejection>,
) -> Result<Response> {
    let Ok(Form(form)) = form else {
        return Err(Error::BadRequest("The form was not sent correctly.".into()));
    };
    let email = form.email.trim().to_ascii_lowercase();
    if !crate::auth::plausible_email(&email) {
        let error = Some("Enter the email address you sign in with.".to_string());
        let screen = ask_screen(&tenant, purpose, &form.email, error);
        return show(
            &state,
            &tenant,
            &csrf.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            screen,
        );
    }
    let ip = addr.0;
    let account = format!("{}:{}:{email}", purpose.as_str(), tenant.workspace.id);
    state.attempt_limits.before(ip, &account)?;

    // Past the account's budget of emails this minute, nothing more is sent and the page
    // says what it always says: the owner already has the links sent before.
    let holder = if state.attempt_limits.may_send(&account) {
        links::holder_by_email(&state.db, tenant.workspace.id, &email).await?
    } else {
        None
    };
    if let Some(holder) = holder {
        let (state, tenant) = (state.clone(), tenant.clone());
        tokio::spawn(async move {
            let sent = match purpose {
                Purpose::Reset => {
                    links::send_reset_link(&state.db, &state.mailroom, &tenant, &holder).await
                }
                _ => links::send_sign_in_link(&state.db, &state.mailroom, &tenant, &holder).await,
            };
            if let Err(e) = sent {
                tracing::error!(error = ?e, kind = purpose.as_str(), "queueing a link failed");
            }
        });
    }
    let minutes = purpose.lifetime_secs() / 60;
    let screen = Screen {
        heading: "Check your email".into(),
        message: format!(
            "If {email} belongs to an account with {}, a link is on its way. It works once, within {}. \
             Nothing arrived after a few minutes? Check your spam folder, or ask again.",
            tenant.workspace.name,
            if minutes >= 60 { "an hour".to_string() } else { format!("{minutes} minutes") }
        ),
        actions: vec![sign_in_action(&tenant)],
        ..Default::default()
    };
    show(&state, &tenant, &csrf.0, StatusCode::OK, screen)
}

/// The page for a link that cannot be used, with the way on that fits.
fn dead_link(tenant: &Tenant, purpose: Purpose, seen: &TokenState) -> (StatusCode, Screen) {
    let again = |label| Action {
        href: tenant.link(ask_path(purpose)),
        label,
    };
    let (status, heading, message, actions) = match (seen, purpose) {
        (TokenState::Expired, Purpose::Invite) => (
            StatusCode::GONE,
            "This invitation has expired",
            format!("Invitations are valid for 7 days. Ask your contact at {} to send you a new one.", tenant.workspace.name),
            vec![],
        ),
        (TokenState::Expired, _) => (
            StatusCode::GONE,
            "This link has expired",
            "For your security, links like this work only for a short time. Ask for a new one.".to_string(),
            vec![again("Ask for a new link")],
        ),
        (TokenState::Used, Purpose::Invite) => (
            StatusCode::GONE,
            "This invitation has already been accepted",
            "Your account is set up: sign in with your email and password.".to_string(),
            vec![sign_in_action(tenant)],
        ),
        (TokenState::Used, _) => (
            StatusCode::GONE,
            "This link has already been used",
            "Each link works once. Sign in, or ask for a new link.".to_string(),
            vec![sign_in_action(tenant), again("Ask for a new link")],
        ),
        (TokenState::Revoked, Purpose::Invite) => (
            StatusCode::GONE,
            "This invitation is no longer valid",
            format!("It was withdrawn or replaced by a newer invitation. Use the most recent email from {}, or ask them for a new one.", tenant.workspace.name),
            vec![],
        ),
        (TokenState::Revoked, _) => (
            StatusCode::GONE,
            "This link is no longer valid",
            "A newer link was sent, or your password was changed since. Use the most recent email, or ask for a new link.".to_string(),
            vec![again("Ask for a new link")],
        ),
        _ => (
            StatusCode::NOT_FOUND,
            "This link does not work",
            "Check that you opened the whole address from the email. If it still does not work, ask for a new one.".to_string(),
            vec![sign_in_action(tenant)],
        ),
    };
    let screen = Screen {
        heading: heading.into(),
        message,
        actions,
        ..Default::default()
    };
    (status, screen)
}

fn open_screen(
    tenant: &Tenant,
    purpose: Purpose,
    token: &str,
    holder: &LinkHolder,
    error: Option<String>,
) -> Screen {
    let action = tenant.link(&format!("/portal/{}/{token}", purpose.segment()));
    match purpose {
        Purpose::Invite => Screen {
            heading: format!("Welcome, {}", holder.name),
            message: format!(
                "Choose a password for {}. You will use it with your email to sign in to {}'s portal with {}.",
                holder.email, holder.client_name, tenant.workspace.name
            ),
            error,
            form: Some("password"),
            action,
            button: "Set password and continue",
            email: holder.email.clone(),
            ..Default::default()
        },
        Purpose::Reset => Screen {
            heading: "Choose a new password".into(),
            message: format!("For {}. You will be signed out everywhere else.", holder.email),
            error,
            form: Some("password"),
            action,
            button: "Save password and sign in",
            email: holder.email.clone(),
            ..Default::default()
        },
        Purpose::SignIn => Screen {
            heading: format!("Sign in to {}", tenant.workspace.name),
            message: format!("Continue as {}.", holder.email),
            error,
            form: Some("confirm"),
            action,
            button: "Sign in",
            ..Default::default()
        },
    }
}

/// `GET /portal/{welcome,link,reset}/{token}`: the page for the link, without using it.
pub async fn open(
    State(state): State<AppState>,
    Extension(purpose): Extension<Purpose>,
    Extension(tenant): Extension<Arc<Tenant>>,
    Extension(csrf): Extension<CsrfToken>,
    Path(token): Path<String>,
) -> Result<Response> {
    match links::inspect(&state.db, tenant.workspace.id, purpose, &token).await? {
        TokenState::Valid(holder) => {
            let screen = open_screen(&tenant, purpose, &token, &holder, None);
            show(&state, &tenant, &csrf.0, StatusCode::OK, screen)
        }
        seen => {
            let (status, screen) = dead_link(&tenant, purpose, &seen);
            show(&state, &tenant, &csrf.0, status, screen)
        }
    }
}

#[derive(Deserialize)]
pub struct NewPassword {
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /portal/{welcome,link,reset}/{token}`: uses the link and signs the contact in —
/// after setting their password, for invitations and resets.
#[allow(clippy::too_many_arguments)]
pub async fn complete(
    State(state): State<AppState>,
    Extension(purpose): Extension<Purpose>,
    Extension(tenant): Extension<Arc<Tenant>>,
    Extension(csrf): Extension<CsrfToken>,
    addr: ClientAddr,
    headers: HeaderMap,
    Path(token): Path<String>,
    form: std::result::Result<Form<NewPassword>, FormRejection>,
) -> Result<Response> {
    let Ok(Form(form)) = form else {
        return Err(Error::BadRequest("The form was not sent correctly.".into()));
    };
    let ip = addr.0;
    // Dead links count against the address at this workspace's links, whichever link it
    // made up: guessing tokens is slowed; a holder's typos in a new password are not.
    let key = format!("links:{}", tenant.workspace.id);
    state.attempt_limits.before(ip, &key)?;

    let holder = match links::inspect(&state.db, tenant.workspace.id, purpose, &token).await? {
        TokenState::Valid(holder) => holder,
        seen => {
            state.attempt_limits.failed(ip, &key);
            let (status, screen) = dead_link(&tenant, purpose, &seen);
            return show(&state, &tenant, &csrf.0, status, screen);
        }
    };
    // Check the new password before using the link up, so a typo does not cost the link.
    let new_hash = if purpose == Purpose::SignIn {
        None
    } else {
        let problem = if form.new != form.confirm {
            Some("The two passwords are not the same.".to_string())
        } else {
            Passwords::check_policy(&form.new).err()
        };
        if let Some(problem) = problem {
            let screen = open_screen(&tenant, purpose, &token, &holder, Some(problem));
            return show(
                &state,
                &tenant,
                &csrf.0,
                StatusCode::UNPROCESSABLE_ENTITY,
                screen,
            );
        }
        Some(state.passwords.hash(&form.new).await?)
    };
    let holder =
        match links::redeem(&state.db, tenant.workspace.id, purpose, &token, holder).await? {
            TokenState::Valid(holder) => holder,
            seen => {
                let (status, screen) = dead_link(&tenant, purpose, &seen);
                return show(&state, &tenant, &csrf.0, status, screen);
            }
        };
    if let Some(hash) = new_hash {
        // Every existing session ends: whoever else held one no longer gets in.
        crate::clients::replace_contact_password(&state.db, holder.contact_id, &hash, None).await?;
    }
    // A link proves the inbox, not the phone: two-step sign-in still asks for its code.
    let meta = SessionMeta::from_request(&headers, ip);
    let to = tenant.link("/portal/");
    two_step::finish_sign_in(
        Door::Portal,
        &state,
        &tenant,
        &headers,
        holder.contact_id,
        &meta,
        &to,
    )
    .await
}
