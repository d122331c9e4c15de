//! `/admin/clients`: the workspace's clients, one client with its contacts, adding both.
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::clients::{self, ContactSummary};
use crate::db::{now, Day};
use crate::error::{Error, Result};
use crate::web::admin::activity;
use crate::web::admin::parse_id;
use crate::web::extract::Later;
use crate::web::flash::Done;
use crate::web::form::{Check, FieldErrors, Form};
use crate::web::{StaffContext, ROLE_PRESETS};

crate::flash! {
    /// What the clients' pages say after a change.
    pub enum ClientsDone {
        Created = "created" => "The client is added.",
        Saved = "saved" => "Changes saved.",
        Contact = "contact" => "The contact is added.",
        Invited = "invited" => "The contact is added and their invitation is on its way.",
    }
}

/// `GET /admin/clients`.
pub async fn list(
    State(state): State<AppState>,
    ctx: StaffContext,
    done: Done<ClientsDone>,
) -> Result<Html<String>> {
    let list = clients::list_clients(&state.db, ctx.tenant.workspace.id).await?;
    let limits = &ctx.tenant.entitlements.limits;
    let active = list.iter().filter(|c| c.active).count();
    ctx.render(
        "admin/clients.html",
        context! {
            clients => list,
            active => active,
            limit => limits.clients,
            notice => done.message(),
            can_manage => ctx.can_manage(),
            action => ctx.link("/clients"),
        },
    )
}

/// The "Add a client" form.
#[derive(Deserialize)]
pub struct NewClient {
    #[serde(default)]
    name: String,
}

impl Check for NewClient {
    fn check(&self, errors: &mut FieldErrors) {
        errors.name("name", &self.name, "client's name");
    }
}

/// `POST /admin/clients`: adds a client, within the plan's limit; a name that will not do
/// brings the clients page back with it.
pub async fn create(
    State(state): State<AppState>,
    ctx: StaffContext,
    Form(new): Form<NewClient>,
) -> Result<Response> {
    let limit = ctx.tenant.entitlements.limits.clients;
    let ws = ctx.tenant.workspace.id;
    let id = clients::create_client_within(&state.db, ws, new.name.trim(), limit).await?;
    Ok(ctx
        .redirect_done(&format!("/clients/{id}"), ClientsDone::Created)
        .into_response())
}

/// A contact row as the admin table shows it.
#[derive(Serialize)]
pub struct ContactRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub detail: String,
    pub last_active: String,
}

pub fn contact_row(c: &ContactSummary) -> ContactRow {
    let (at, day) = (now(), Day::today());
    use crate::clients::InvitationStatus as I;
    let (status, status_class, detail) = if !c.active {
        ("Deactivated", "", String::new())
    } else if c.access_expired(day) {
        (
            "Access expired",
            "on_hold",
            format!(
                "on {}",
                c.access_expires_on
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            ),
        )
    } else {
        match c.invitation(at) {
            I::Accepted => ("Active", "completed", "invitation accepted".into()),
            I::Pending => (
                "Invited",
                "in_progress",
                format!(
                    "pending, {} left",
                    crate::web::account::until(at, c.invite_expires_at.unwrap_or(at))
                ),
            ),
            I::Expired => ("Invitation expired", "on_hold", "send it again".into()),
            I::Revoked => ("Invitation revoked", "", String::new()),
            I::NotInvited if c.has_password => ("Active", "completed", String::new()),
            I::NotInvited => ("Not invited", "", String::new()),
        }
    };
    ContactRow {
        id: c.id,
        name: c.name.clone(),
        email: c.email.clone(),
        status,
        status_class,
        detail,
        last_active: c
            .last_active
            .map(|t| crate::web::account::ago(at, t))
            .unwrap_or_else(|| "never".into()),
    }
}

/// `GET /admin/clients/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    done: Done<ClientsDone>,
) -> Result<Html<String>> {
    let id = parse_id(&id)?;
    let ws = ctx.tenant.workspace.id;
    let client = clients::client(&state.db, ws, id).await?;
    let contacts: Vec<ContactRow> = clients::contacts_of(&state.db, ws, id)
        .await?
        .iter()
        .map(contact_row)
        .collect();
    let presets: Vec<_> = ROLE_PRESETS
        .iter()
        .map(|(key, label)| context! { key => key, label => label })
        .collect();
    ctx.render(
        "admin/client.html",
        context! {
            client => client,
            contacts => contacts,
            presets => presets,
            notice => done.message(),
            can_manage => ctx.can_manage(),
            save => ctx.link(&format!("/clients/{id}")),
            add_contact => ctx.link(&format!("/clients/{id}/contacts")),
            contact_base => ctx.link("/contacts"),
            clients => ctx.link("/clients"),
            activity => activity::summary(&state, ws, id).await?,
            activity_log => ctx.link(&format!("/clients/{id}/activity")),
        },
    )
}

/// `POST /admin/clients/{id}`: rename, (de)activate.
pub async fn update(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Later<Bytes>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    // Another workspace's client is "not found" before its form is read.
    clients::client(&state.db, ctx.tenant.workspace.id, id).await?;
    let form = body.fields().await?;
    let name = form.name("name", "client's name")?;
    let active = form.checked("active");
    let limit = ctx.tenant.entitlements.limits.clients;
    clients::update_client(&state.db, ctx.tenant.workspace.id, id, &name, active, limit).await?;
    Ok(ctx
        .redirect_done(&format!("/clients/{id}"), ClientsDone::Saved)
        .into_response())
}

/// `POST /admin/clients/{id}/contacts`: adds a contact with a role preset's permissions, and
/// invites them unless asked not to.
pub async fn add_contact(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Later<Bytes>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    clients::client(&state.db, ctx.tenant.workspace.id, id).await?;
    let form = body.fields().await?;
    let name = form.name("name", "contact's name")?;
    let email = form.email("email")?;
    let preset = form.get("preset");
    if !preset.is_empty() && !ROLE_PRESETS.iter().any(|(key, _)| *key == preset) {
        return Err(Error::BadRequest(format!("`{preset}` is not a role.")));
    }
    let permissions = clients::preset_permissions(&state.registry, preset);
    let ws = ctx.tenant.workspace.id;
    let limit = ctx.tenant.entitlements.limits.portal_users;
    let contact_id =
        clients::create_contact_within(&state.db, ws, id, &email, &name, &permissions, limit)
            .await?;
    let done = if form.checked("invite") {
        super::contacts::invite(&state, &ctx, contact_id).await?;
        ClientsDone::Invited
    } else {
        ClientsDone::Contact
    };
    Ok(ctx
        .redirect_done(&format!("/clients/{id}"), done)
        .into_response())
}
