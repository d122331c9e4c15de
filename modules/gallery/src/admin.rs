//! The staff side: share files from the file manager with a client — one or several, under a
//! folder name, optionally tied to one of the client's projects — and unshare at once. Every
//! staff role shares and unshares.
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use portal_core::clients;
use portal_core::files;
use portal_core::prelude::*;

use crate::store;

portal_core::flash! {
    /// What the gallery's admin page says after a change.
    pub enum GalleryDone {
        Shared = "shared" => "Shared: the client sees it now.",
        Unshared = "unshared" => "Unshared: the client no longer sees it.",
    }
}

/// `GET /admin/gallery`.
pub async fn index(
    State(state): State<AppState>,
    ctx: StaffContext,
    done: Done<GalleryDone>,
) -> Result<Html<String>> {
    let ws = ctx.tenant.workspace.id;
    let shares = store::for_workspace(&state.db, ws).await?;
    let files = files::list_for_workspace(&state.db, ws).await?;
    let clients = clients::list_clients(&state.db, ws).await?;
    let projects = portico_projects::store::list_for_workspace(&state.db, ws).await?;
    let notice = done.message();
    ctx.render(
        "gallery/admin.html",
        context! {
            shares => shares,
            files => files,
            clients => clients,
            projects => projects,
            notice => notice,
            share => ctx.link("/gallery/share"),
            unshare_base => ctx.link("/gallery/shares"),
            file_manager => ctx.link("/files"),
        },
    )
}

/// `POST /admin/gallery/share`: `client`, one or more `file`, optional `folder` and `project`.
pub async fn share(
    State(state): State<AppState>,
    ctx: StaffContext,
    body: Bytes,
) -> Result<Response> {
    let form = Fields::parse(&body);
    let client = form
        .get("client")
        .parse::<i64>()
        .map_err(|_| Error::BadRequest("Choose one of your clients.".into()))?;
    let mut files = Vec::new();
    for raw in form.all("file") {
        files.push(
            raw.parse::<i64>()
                .map_err(|_| Error::BadRequest("Choose files from your file manager.".into()))?,
        );
    }
    let project =
        match form.get("project") {
            "" => None,
            raw => Some(raw.parse::<i64>().map_err(|_| {
                Error::BadRequest("Choose a project of the client, or none.".into())
            })?),
        };
    let new = store::NewShare {
        client_id: client,
        files: &files,
        folder: form.get("folder").trim(),
        project_id: project,
        by: &ctx.user.name,
    };
    store::checked(&new)?;
    store::share(&state.db, ctx.tenant.workspace.id, &new).await?;
    Ok(ctx
        .redirect_done("/gallery", GalleryDone::Shared)
        .into_response())
}

/// `POST /admin/gallery/shares/{id}/unshare`.
pub async fn unshare(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Response> {
    store::unshare(&state.db, ctx.tenant.workspace.id, parse_id(&id)?).await?;
    Ok(ctx
        .redirect_done("/gallery", GalleryDone::Unshared)
        .into_response())
}
