//! The staff view: every project of the workspace, by client; and which of them a contact
//! may see.
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use portal_core::clients::{self, ContactSummary};
use portal_core::prelude::*;

use crate::store::{self, STATUSES};

pub async fn list(State(state): State<AppState>, ctx: StaffContext) -> Result<Html<String>> {
    let projects = store::list_for_workspace(&state.db, ctx.tenant.workspace.id).await?;
    ctx.render(
        "projects/admin_list.html",
        context! { projects => projects, statuses => STATUSES, base => ctx.link("/projects") },
    )
}

/// The section on the staff's page of a contact: all of the client's projects, or some.
pub async fn contact_panel(
    ctx: &StaffContext,
    state: &AppState,
    contact: &ContactSummary,
) -> Result<String> {
    let ws = ctx.tenant.workspace.id;
    let (limited, projects) =
        store::access_of(&state.db, ws, contact.client_id, contact.id).await?;
    ctx.render_fragment(
        "projects/contact_access.html",
        context! {
            limited => limited,
            projects => projects,
            can_manage => ctx.can_manage(),
            action => ctx.link(&format!("/projects/access/{}", contact.id)),
            csrf_token => ctx.csrf_token,
        },
    )
}

/// `POST /admin/projects/access/{contact}`: `scope=all`, or `scope=some` with the chosen
/// `project`s — only the contact's client's, at least one.
pub async fn set_access(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(contact): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let id = parse_id(&contact)?;
    let ws = ctx.tenant.workspace.id;
    let contact = clients::contact(&state.db, ws, id).await?;
    let form = Fields::parse(&body);
    let chosen = match form.get("scope") {
        "all" => None,
        "some" => {
            let mut ids = Vec::new();
            for raw in form.all("project") {
                let project = raw
                    .parse::<i64>()
                    .map_err(|_| Error::BadRequest(format!("`{raw}` is not a project.")))?;
                if !ids.contains(&project) {
                    ids.push(project);
                }
            }
            if ids.is_empty() {
                return Err(Error::BadRequest(
                    "Choose at least one project, or let them see all of them.".into(),
                ));
            }
            Some(ids)
        }
        _ => return Err(Error::BadRequest("Choose all projects or some.".into())),
    };
    store::set_access(&state.db, ws, contact.client_id, id, chosen.as_deref()).await?;
    // Their badge counts only news of the projects they now see.
    state.notifier.unread.forget(id).await;
    Ok(ctx
        .redirect_done(&format!("/contacts/{id}"), ContactsDone::Access)
        .into_response())
}
