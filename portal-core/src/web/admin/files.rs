//! `/admin/files`: the agency's file manager — upload (streamed, type-checked, within the
//! workspace's size limit and the plan's storage), list, download, delete. Every staff role
//! uploads and downloads; owners and admins delete. Clients never see this page: what they
//! see of files comes through what staff share with them.
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use minijinja::context;
use serde_json::{json, Value};

use crate::app::AppState;
use crate::audit;
use crate::error::{Error, Result};
use crate::files;
use crate::files::upload::{self, Upload};
use crate::web::admin::parse_id;
use crate::web::download;
use crate::web::flash::Done;
use crate::web::session::ClientAddr;
use crate::web::upload_form::UploadForm;
use crate::web::StaffContext;

crate::flash! {
    /// What the file manager says after a change.
    pub enum FilesDone {
        Uploaded = "uploaded" => "Uploaded.",
        Deleted = "deleted" => "The file is deleted.",
        Limit = "limit" => "The largest upload is changed: it applies to the next upload.",
    }
}

/// The workspace's largest upload and its plan's storage, in bytes — from the workspace row
/// the request already read.
fn limits(state: &AppState, ctx: &StaffContext) -> (u64, Option<u64>) {
    upload::limits(&state.files, &ctx.tenant)
}

async fn audited(
    state: &AppState,
    ctx: &StaffContext,
    addr: ClientAddr,
    action: &str,
    file: &files::StoredFile,
) -> Result<()> {
    let subject = format!("file {}, {}", file.id, file.name);
    audit::record(&state.db, &ctx.user, action, &subject, &addr.text()).await
}

/// `GET /admin/files`.
pub async fn list(
    State(state): State<AppState>,
    ctx: StaffContext,
    done: Done<FilesDone>,
) -> Result<Html<String>> {
    let ws = ctx.tenant.workspace.id;
    let found = files::list_for_workspace(&state.db, ws).await?;
    let used = files::usage(&state.db, ws).await?.max(0) as u64;
    let (max, quota) = limits(&state, &ctx);
    let rows: Vec<_> = found
        .iter()
        .map(|f| {
            context! {
                id => f.id,
                name => f.name,
                content_type => f.content_type,
                size => files::human_size(f.size),
                uploaded_by => f.uploaded_by,
                created_at => f.created_at,
                href => ctx.link(&format!("/files/{}", f.id)),
                delete => ctx.link(&format!("/files/{}/delete", f.id)),
            }
        })
        .collect();
    ctx.render(
        "admin/files.html",
        context! {
            files => rows,
            used => files::human_size(used as i64),
            quota => quota.map(|q| files::human_size(q as i64)),
            max => files::human_size(max as i64),
            upload => ctx.link(&format!("/files?csrf_token={}", ctx.csrf_token)),
            can_delete => ctx.can_manage(),
            limit => context! {
                action => ctx.link("/files/limit"),
                current => ctx.tenant.workspace.max_file_mb,
                ceiling => state.config.max_file_mb,
            },
            notice => done.message(),
        },
    )
}

/// `POST /admin/files/limit` (`max_mb`; empty for the deployment's default): the largest
/// file staff and contacts may upload to this workspace, up to the deployment's own limit.
/// Owners and admins only (`requires_role` in `web::routes`).
pub async fn set_limit(
    State(state): State<AppState>,
    ctx: StaffContext,
    addr: ClientAddr,
    body: axum::body::Bytes,
) -> Result<Response> {
    let form = crate::web::admin::form::Fields::parse(&body);
    let raw = form.get("max_mb").trim();
    let ceiling = state.config.max_file_mb;
    let mb = if raw.is_empty() {
        None
    } else {
        match raw.parse::<u64>() {
            Ok(n) if (1..=ceiling).contains(&n) => Some(n as i64),
            _ => {
                return Err(Error::BadRequest(format!(
                    "The largest upload is a whole number of MB from 1 to {ceiling}, or empty for the default."
                )))
            }
        }
    };
    crate::workspace::set_max_file_mb(&state.db, ctx.tenant.workspace.id, mb).await?;
    let subject = match mb {
        Some(n) => format!("largest upload to {n} MB"),
        None => format!("largest upload to the default ({ceiling} MB)"),
    };
    audit::record(&state.db, &ctx.user, "changed the", &subject, &addr.text()).await?;
    Ok(ctx
        .redirect_done("/files", FilesDone::Limit)
        .into_response())
}

/// `POST /admin/files` (multipart, one or more `file` fields): each file streams to storage.
pub async fn upload(
    State(state): State<AppState>,
    ctx: StaffContext,
    addr: ClientAddr,
    form: UploadForm,
) -> Result<Response> {
    receive_staff_files(&state, &ctx, addr, form, None).await?;
    Ok(ctx
        .redirect_done("/files", FilesDone::Uploaded)
        .into_response())
}

/// Stores every `file` part of the form as it arrives, as the agency's (`client_id` `None`)
/// or as a client's (a deliverable made for it); at least one is required. A part that
/// fails (too large, a contradicted type, past the quota) stops the upload there with its
/// message; the files before it are kept. Modules that take uploads from staff use this.
pub async fn receive_staff_files(
    state: &AppState,
    ctx: &StaffContext,
    addr: ClientAddr,
    mut form: UploadForm,
    client_id: Option<i64>,
) -> Result<Vec<files::StoredFile>> {
    let (max_bytes, quota) = limits(state, ctx);
    let mut stored = Vec::new();
    while let Some(field) = form.next().await? {
        if field.name() != Some("file") {
            field.skip().await?;
            continue;
        }
        let Some(name) = field.file_name().map(str::to_string) else {
            field.skip().await?;
            continue;
        };
        if name.is_empty() {
            // A file input left empty sends a part without a name or content.
            continue;
        }
        let declared = field.content_type().map(str::to_string);
        let up = Upload {
            workspace_id: ctx.tenant.workspace.id,
            client_id,
            name: &name,
            declared: declared.as_deref(),
            uploaded_by: &ctx.user.name,
            cap: None,
            max_bytes,
            quota,
        };
        let file = upload::store(&state.db, &state.files, &up, field.into_stream()).await?;
        audited(state, ctx, addr, "uploaded a file", &file).await?;
        stored.push(file);
    }
    if stored.is_empty() {
        return Err(Error::BadRequest("Choose a file to upload.".into()));
    }
    Ok(stored)
}

/// A file as the API shows it.
fn json(ctx: &StaffContext, f: &files::StoredFile) -> Value {
    json!({
        "id": f.id,
        "name": f.name,
        "content_type": f.content_type,
        "size": f.size,
        "uploaded_by": f.uploaded_by,
        "created_at": f.created_at,
        "thumbnail": f.thumbnail_state,
        "content_url": ctx.tenant.link(&format!("/api/files/{}/content", f.id)),
    })
}

/// `GET /api/files`: the workspace's files, newest first.
pub async fn api_list(State(state): State<AppState>, ctx: StaffContext) -> Result<Json<Value>> {
    let found = files::list_for_workspace(&state.db, ctx.tenant.workspace.id).await?;
    let used = files::usage(&state.db, ctx.tenant.workspace.id).await?;
    let (max, quota) = limits(&state, &ctx);
    Ok(Json(json!({
        "files": found.iter().map(|f| json(&ctx, f)).collect::<Vec<_>>(),
        "used_bytes": used,
        "quota_bytes": quota,
        "max_file_bytes": max,
    })))
}

/// `POST /api/files` (multipart, one or more `file` parts): `201` with the stored files.
pub async fn api_upload(
    State(state): State<AppState>,
    ctx: StaffContext,
    addr: ClientAddr,
    form: UploadForm,
) -> Result<Response> {
    let stored = receive_staff_files(&state, &ctx, addr, form, None).await?;
    let body = json!({ "files": stored.iter().map(|f| json(&ctx, f)).collect::<Vec<_>>() });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `GET /api/files/{id}`.
pub async fn api_show(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let file = files::get(&state.db, ctx.tenant.workspace.id, parse_id(&id)?).await?;
    Ok(Json(json(&ctx, &file)))
}

/// `DELETE /api/files/{id}`: `204`; owners and admins only.
pub async fn api_delete(
    State(state): State<AppState>,
    ctx: StaffContext,
    addr: ClientAddr,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    remove(&state, &ctx, addr, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a file of the workspace and records who did. Its routes are for owners and
/// admins (`requires_role` in `web::routes`).
async fn remove(state: &AppState, ctx: &StaffContext, addr: ClientAddr, id: &str) -> Result<()> {
    let file = files::delete(
        &state.db,
        &state.files,
        ctx.tenant.workspace.id,
        parse_id(id)?,
    )
    .await?;
    audited(state, ctx, addr, "deleted a file", &file).await
}

/// `GET /admin/files/{id}`, and `GET /api/files/{id}/content`.
pub async fn fetch(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    Query(q): Query<download::DownloadQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let file = files::get(&state.db, ctx.tenant.workspace.id, parse_id(&id)?).await?;
    download::respond(&state, &file, &headers, q.forced()).await
}

/// `POST /admin/files/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    ctx: StaffContext,
    addr: ClientAddr,
    Path(id): Path<String>,
) -> Result<Response> {
    remove(&state, &ctx, addr, &id).await?;
    Ok(ctx
        .redirect_done("/files", FilesDone::Deleted)
        .into_response())
}
