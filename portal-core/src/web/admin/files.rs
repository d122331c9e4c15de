//! `/admin/files`: the agency's file manager — upload (streamed, type-checked, within the
//! workspace's size limit and the plan's storage), list, download, delete. Every staff role
//! uploads and downloads; owners and admins delete. Clients never see this page: what they
//! see of files comes through what staff share with them.
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use futures_util::TryStreamExt;
use minijinja::context;

use crate::app::AppState;
use crate::audit;
use crate::error::{Error, Result};
use crate::files::upload::{self, Upload};
use crate::files::{self, download};
use crate::web::admin::clients::Done;
use crate::web::admin::{parse_id, require_manager};
use crate::web::session::ClientAddr;
use crate::web::StaffContext;

/// The workspace's largest upload and its plan's storage, in bytes — from the workspace row
/// the request already read.
fn limits(state: &AppState, ctx: &StaffContext) -> (u64, Option<u64>) {
    let mb = ctx
        .tenant
        .workspace
        .max_file_mb
        .and_then(|m| u64::try_from(m).ok())
        .unwrap_or(state.config.max_file_mb);
    let quota = ctx
        .tenant
        .entitlements
        .limits
        .storage_mb
        .map(|m| m.saturating_mul(1024 * 1024));
    (mb.saturating_mul(1024 * 1024), quota)
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
    Query(done): Query<Done>,
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
    let notice = match done.done.as_str() {
        "uploaded" => Some("Uploaded."),
        "deleted" => Some("The file is deleted."),
        _ => None,
    };
    ctx.render(
        "admin/files.html",
        context! {
            files => rows,
            used => files::human_size(used as i64),
            quota => quota.map(|q| files::human_size(q as i64)),
            max => files::human_size(max as i64),
            upload => ctx.link(&format!("/files?csrf_token={}", ctx.csrf_token)),
            can_delete => ctx.can_manage(),
            notice => notice,
        },
    )
}

/// `POST /admin/files` (multipart, one or more `file` fields): each file streams to storage.
pub async fn upload(
    State(state): State<AppState>,
    ctx: StaffContext,
    addr: ClientAddr,
    mut form: Multipart,
) -> Result<Response> {
    let (max_bytes, quota) = limits(&state, &ctx);
    let mut stored = 0;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| Error::BadRequest(format!("The upload could not be read: {e}")))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let Some(name) = field.file_name().map(str::to_string) else {
            continue;
        };
        if name.is_empty() {
            // A file input left empty sends a part without a name or content.
            continue;
        }
        let declared = field.content_type().map(str::to_string);
        let up = Upload {
            workspace_id: ctx.tenant.workspace.id,
            client_id: None,
            name: &name,
            declared: declared.as_deref(),
            uploaded_by: &ctx.user.name,
            max_bytes,
            quota,
        };
        let file = upload::store(&state, &up, field.map_err(|e| e.to_string())).await?;
        audited(&state, &ctx, addr, "uploaded a file", &file).await?;
        stored += 1;
    }
    if stored == 0 {
        return Err(Error::BadRequest("Choose a file to upload.".into()));
    }
    Ok(Redirect::to(&ctx.link("/files?done=uploaded")).into_response())
}

/// `GET /admin/files/{id}`.
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
    require_manager(&ctx)?;
    let file = files::delete(&state, ctx.tenant.workspace.id, parse_id(&id)?).await?;
    audited(&state, &ctx, addr, "deleted a file", &file).await?;
    Ok(Redirect::to(&ctx.link("/files?done=deleted")).into_response())
}
