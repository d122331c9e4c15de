//! `/admin/contacts/{id}`: one contact — details, access, permissions, invitation, sessions.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;

use crate::app::AppState;
use crate::audit;
use crate::auth::links;
use crate::clients::{self, ContactChange, InvitationStatus};
use crate::db::now;
use crate::error::{Error, Result};
use crate::web::admin::clients::contact_row;
use crate::web::admin::form::Fields;
use crate::web::admin::parse_id;
use crate::web::flash::Done;
use crate::web::session::ClientAddr;
use crate::web::session::{self, SessionMeta};
use crate::web::{StaffContext, ROLE_PRESETS};

crate::flash! {
    /// What a contact's page says after a change (modules' contact panels post here too).
    pub enum ContactsDone {
        Saved = "saved" => "Changes saved.",
        Permissions = "permissions" => "Permissions saved. They apply from the contact's next click.",
        Invited = "invited" => "The invitation is on its way. Any earlier invitation link no longer works.",
        Revoked = "revoked" => "The invitation is withdrawn: its link no longer works.",
        SignedOut = "signed_out" => "The contact is signed out everywhere.",
        Access = "access" => "Project access saved. It applies from the contact's next click.",
        TwoStepReset = "two_step_reset" => "Two-step sign-in is off for this contact; they can set it up again from their account.",
    }
}

/// Sends (or sends again) a contact's invitation from the signed-in staff member.
pub async fn invite(state: &AppState, ctx: &StaffContext, contact_id: i64) -> Result<()> {
    let ws = ctx.tenant.workspace.id;
    let contact = clients::contact(&state.db, ws, contact_id).await?;
    if !contact.active {
        return Err(Error::Conflict(
            "This contact is deactivated. Reactivate them before inviting them.".into(),
        ));
    }
    let holder = links::holder_by_id(&state.db, ws, contact_id)
        .await?
        .ok_or(Error::NotFound)?;
    links::send_invitation(
        &state.db,
        &state.mailroom,
        &ctx.tenant,
        &holder,
        ctx.user.id,
        &ctx.user.name,
    )
    .await
}

/// `GET /admin/contacts/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    done: Done<ContactsDone>,
) -> Result<Html<String>> {
    let id = parse_id(&id)?;
    let ws = ctx.tenant.workspace.id;
    let contact = clients::contact(&state.db, ws, id).await?;
    let client = clients::client(&state.db, ws, contact.client_id).await?;
    let held = clients::permissions_of(&state.db, id).await?;
    let permissions: Vec<_> = state
        .registry
        .permissions()
        .into_iter()
        .map(|(module, p)| {
            context! {
                key => p.key,
                label => p.label,
                description => p.description,
                module => module,
                held => held.iter().any(|h| h == p.key),
            }
        })
        .collect();
    let presets: Vec<_> = ROLE_PRESETS
        .iter()
        .map(|(key, label)| {
            let grants = clients::preset_permissions(&state.registry, key);
            let labels: Vec<&str> = state
                .registry
                .permissions()
                .into_iter()
                .filter(|(_, p)| grants.contains(&p.key))
                .map(|(_, p)| p.label)
                .collect();
            context! { key => key, label => label, grants => labels.join(", ") }
        })
        .collect();
    let invitation = contact.invitation(now());
    let sessions = crate::web::account::contact_sessions(&state, ws, id, "").await?;
    // What each entitled module lets staff set for this contact.
    let mut panels = Vec::new();
    for m in state.registry.modules() {
        if !ctx.tenant.entitlements.has_module(m.id()) {
            continue;
        }
        match m.contact_panel(&ctx, &state, &contact).await {
            Ok(Some(html)) => panels.push(html),
            Ok(None) => {}
            Err(e) => tracing::error!(module = m.id(), error = ?e, "a contact panel failed"),
        }
    }
    let base = format!("/contacts/{id}");
    ctx.render(
        "admin/contact.html",
        context! {
            contact => contact,
            row => contact_row(&contact),
            client => client,
            permissions => permissions,
            presets => presets,
            invitation => invitation,
            can_revoke => invitation == InvitationStatus::Pending,
            invite_label => if invitation == InvitationStatus::NotInvited { "Send invitation" } else { "Send a new invitation" },
            sessions => sessions,
            notice => done.message(),
            can_manage => ctx.can_manage(),
            client_link => ctx.link(&format!("/clients/{}", contact.client_id)),
            save => ctx.link(&base),
            save_permissions => ctx.link(&format!("{base}/permissions")),
            send_invite => ctx.link(&format!("{base}/invite")),
            revoke_invite => ctx.link(&format!("{base}/invite/revoke")),
            end_sessions => ctx.link(&format!("{base}/sessions/end")),
            view_as => ctx.can_manage().then(|| ctx.link(&format!("{base}/view-as"))),
            reset_two_step => ctx.link(&format!("{base}/two-step/reset")),
            panels => panels,
        },
    )
}

/// The contact a change is about: the id is one of the workspace's contacts — any other is a
/// page that does not exist. The routes that change a contact are for owners and admins
/// (`requires_role` in `web::routes`), so a member is refused before this.
async fn contact_to_change(
    state: &AppState,
    ctx: &StaffContext,
    raw_id: &str,
) -> Result<clients::ContactSummary> {
    clients::contact(&state.db, ctx.tenant.workspace.id, parse_id(raw_id)?).await
}

fn back(ctx: &StaffContext, id: i64, done: ContactsDone) -> Response {
    ctx.redirect_done(&format!("/contacts/{id}"), done)
        .into_response()
}

/// `POST /admin/contacts/{id}`: name, email, active, access expiry.
pub async fn update(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let id = contact_to_change(&state, &ctx, &id).await?.id;
    let form = Fields::parse(&body);
    let change = ContactChange {
        name: form.name("name", "contact's name")?,
        email: form.email("email")?,
        active: form.checked("active"),
        access_expires_on: form.date("access_expires_on")?,
    };
    let limit = ctx.tenant.entitlements.limits.portal_users;
    clients::update_contact(&state.db, ctx.tenant.workspace.id, id, &change, limit).await?;
    Ok(back(&ctx, id, ContactsDone::Saved))
}

/// `POST /admin/contacts/{id}/permissions`: either a role preset (`preset=client_finance`)
/// or the checked permissions. Anything not declared by the core or a running module is
/// refused, so a form cannot grant a permission nobody defined.
pub async fn set_permissions(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let id = contact_to_change(&state, &ctx, &id).await?.id;
    let form = Fields::parse(&body);
    let declared: Vec<&'static str> = state
        .registry
        .permissions()
        .into_iter()
        .map(|(_, p)| p.key)
        .collect();
    let preset = form.get("preset");
    let chosen: Vec<&'static str> = if !preset.is_empty() {
        if !ROLE_PRESETS.iter().any(|(key, _)| *key == preset) {
            return Err(Error::BadRequest(format!("`{preset}` is not a role.")));
        }
        clients::preset_permissions(&state.registry, preset)
    } else {
        let mut chosen = Vec::new();
        for key in form.all("permission") {
            match declared.iter().find(|d| **d == key) {
                Some(d) if !chosen.contains(d) => chosen.push(*d),
                Some(_) => {}
                None => return Err(Error::BadRequest(format!("`{key}` is not a permission."))),
            }
        }
        chosen
    };
    clients::set_permissions(&state.db, id, &chosen).await?;
    Ok(back(&ctx, id, ContactsDone::Permissions))
}

/// `POST /admin/contacts/{id}/invite`: sends the invitation, or a new one (voiding the old).
pub async fn send_invite(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    invite(&state, &ctx, id).await?;
    Ok(back(&ctx, id, ContactsDone::Invited))
}

/// `POST /admin/contacts/{id}/invite/revoke`.
pub async fn revoke_invite(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Response> {
    let id = contact_to_change(&state, &ctx, &id).await?.id;
    if !links::revoke_invitation(&state.db, ctx.tenant.workspace.id, id).await? {
        return Err(Error::Conflict(
            "There is no pending invitation to withdraw: it was accepted, has expired, or was withdrawn already.".into(),
        ));
    }
    Ok(back(&ctx, id, ContactsDone::Revoked))
}

/// `POST /admin/contacts/{id}/view-as`: opens a read-only preview of exactly what the contact
/// sees, for 30 minutes, in this browser; written to the audit log first.
pub async fn view_as(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    addr: ClientAddr,
    headers: HeaderMap,
) -> Result<Response> {
    let id = parse_id(&id)?;
    if !ctx.can_manage() {
        return Err(Error::Forbidden(
            "Only the workspace's owners and admins can view the portal as a contact.".into(),
        ));
    }
    let contact = clients::contact(&state.db, ctx.tenant.workspace.id, id).await?;
    let client = clients::client(&state.db, ctx.tenant.workspace.id, contact.client_id).await?;
    if !contact.active || !client.active || contact.access_expired(crate::db::Day::today()) {
        return Err(Error::Conflict(
            "This contact cannot use the portal now (deactivated, inactive client or access expired): there is nothing to preview.".into(),
        ));
    }
    let ip = addr.0;
    let meta = SessionMeta::from_request(&headers, ip);
    let subject = format!("{} <{}> of {}", contact.name, contact.email, client.name);
    audit::record(
        &state.db,
        &ctx.user,
        "viewed the portal as",
        &subject,
        &meta.ip,
    )
    .await?;
    let cookie = session::start_preview(&state, &ctx.tenant, id, ctx.user.id, &meta).await?;
    let to = ctx.tenant.link("/portal/");
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&to)).into_response())
}

/// `POST /admin/contacts/{id}/two-step/reset`: for a contact who lost their phone. They sign
/// in with their password alone until they set it up again; recorded in the audit log.
pub async fn reset_two_step(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    addr: ClientAddr,
) -> Result<Response> {
    let contact = contact_to_change(&state, &ctx, &id).await?;
    let (ws, id) = (ctx.tenant.workspace.id, contact.id);
    if !contact.two_step {
        return Err(Error::Conflict(
            "Two-step sign-in is not on for this contact.".into(),
        ));
    }
    crate::web::two_step_setup::clear(&state.db, crate::web::sign_in::Door::Portal, ws, id).await?;
    let ip = addr.text();
    let subject = format!("{} <{}>", contact.name, contact.email);
    audit::record(
        &state.db,
        &ctx.user,
        "reset two-step sign-in of",
        &subject,
        &ip,
    )
    .await?;
    Ok(back(&ctx, id, ContactsDone::TwoStepReset))
}

/// `POST /admin/contacts/{id}/sessions/end`: signs the contact out everywhere.
pub async fn end_sessions(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Response> {
    let id = contact_to_change(&state, &ctx, &id).await?.id;
    clients::end_contact_sessions(&state.db, ctx.tenant.workspace.id, id).await?;
    Ok(back(&ctx, id, ContactsDone::SignedOut))
}
