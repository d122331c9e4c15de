//! The team's side: open a request on a client's project, add the files of a version, send it
//! for review, follow the client's answer, prepare the next version after a revision request,
//! comment. Every staff role does all of it; a draft can be deleted, nothing sent can.
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use portal_core::files;
use portal_core::prelude::*;
use serde::Deserialize;

use crate::news;
use crate::portal::{event_view, text, versions_view};
use crate::status::{Status, Step};
use crate::store::{self, Actor, Approval, Details, NewApproval};
use crate::MAX_TEXT;

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    status: String,
}

portal_core::flash! {
    /// What the list of requests says after a change (its template words it itself).
    pub enum ApprovalsDone {
        Deleted = "deleted" => "The draft is deleted.",
    }
}

portal_core::flash! {
    /// What the team's page of one request says after a change.
    pub enum RequestDone {
        Created = "created" => "Draft created. Add the files of version 1, then send it for review.",
        Uploaded = "uploaded" => "Files added to the version being prepared.",
        Removed = "removed" => "File taken out of the version being prepared.",
        Submitted = "submitted" => "Sent for review: the client's approvers have been told.",
        Saved = "saved" => "Details saved.",
        Comment = "comment" => "Comment added; the client's contacts have been told.",
    }
}

/// `GET /admin/approvals[?status=…]`: every request, and the form to open one.
pub async fn list(
    State(state): State<AppState>,
    ctx: StaffContext,
    Query(f): Query<Filter>,
    done: Done<ApprovalsDone>,
) -> Result<Html<String>> {
    let status = optional(&f.status, Status::parse, "status")?;
    let ws = ctx.tenant.workspace.id;
    let found = store::list_for_workspace(&state.db, ws, status).await?;
    let projects = portico_projects::store::list_for_workspace(&state.db, ws).await?;
    let rows: Vec<_> = found
        .iter()
        .map(|a| {
            context! {
                title => a.title,
                client => a.client_name,
                project => a.project_name,
                status => context! { key => a.status, label => a.status.label() },
                version => a.version,
                due_date => a.due_date,
                updated_at => a.updated_at,
                href => ctx.link(&format!("/approvals/{}", a.id)),
            }
        })
        .collect();
    let statuses: Vec<_> = [
        Status::Draft,
        Status::Pending,
        Status::RevisionRequested,
        Status::Approved,
    ]
    .iter()
    .map(|s| context! { key => s.as_str(), label => s.label() })
    .collect();
    ctx.render(
        "approvals/admin_list.html",
        context! {
            items => rows,
            projects => projects,
            statuses => statuses,
            status => f.status,
            action => ctx.link("/approvals"),
            deleted => done.0 == Some(ApprovalsDone::Deleted),
            max => MAX_TEXT,
        },
    )
}

/// The details staff send, checked.
pub(crate) fn details(form: &Fields) -> Result<(String, String, Option<Day>)> {
    let title = form.name("title", "title")?;
    let description = form.get("description").trim().to_string();
    if description.chars().count() > MAX_TEXT {
        return Err(Error::BadRequest(format!(
            "Keep the description to {MAX_TEXT} characters."
        )));
    }
    let due = form.date("due_date")?;
    Ok((title, description, due))
}

/// `POST /admin/approvals`: `project`, `title`, `description`, `due_date` — a draft.
pub async fn create(
    State(state): State<AppState>,
    ctx: StaffContext,
    body: Bytes,
) -> Result<Response> {
    let form = Fields::parse(&body);
    let project = form
        .get("project")
        .parse::<i64>()
        .map_err(|_| Error::BadRequest("Choose one of your projects.".into()))?;
    let (title, description, due) = details(&form)?;
    let new = NewApproval {
        project_id: project,
        title: &title,
        description: &description,
        due_date: due,
        by_id: Some(ctx.user.id),
        by: &ctx.user.name,
    };
    let mut tx = ScopedTx::begin_staff_write(&state.db, ctx.tenant.workspace.id).await?;
    let id = store::create(&mut tx, ctx.tenant.workspace.id, &new).await?;
    tx.commit().await?;
    Ok(ctx
        .redirect_done(&format!("/approvals/{id}"), RequestDone::Created)
        .into_response())
}

/// `GET /admin/approvals/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    done: Done<RequestDone>,
) -> Result<Html<String>> {
    let view =
        store::view_for_workspace(&state.db, ctx.tenant.workspace.id, parse_id(&id)?).await?;
    let a = &view.approval;
    let base = ctx.link(&format!("/approvals/{}", a.id));
    let versions = versions_view(&view.versions, &view.files, &base);
    let status = a.status;
    ctx.render(
        "approvals/admin_detail.html",
        context! {
            approval => a,
            status => context! { key => status.as_str(), label => status.label() },
            versions => versions,
            events => view.events.iter().map(event_view).collect::<Vec<_>>(),
            can_change_files => status.after(Step::ChangeFiles).is_ok(),
            preparing => view.versions.iter().find(|v| v.submitted_at.is_none()).map(|v| v.number),
            can_submit => status.after(Step::Submit).is_ok(),
            can_edit => status.after(Step::Edit).is_ok(),
            can_delete => status.after(Step::Delete).is_ok(),
            can_comment => status.after(Step::Comment).is_ok(),
            locked => status == Status::Approved,
            upload => format!("{base}/files?csrf_token={}", ctx.csrf_token),
            base => base,
            back => ctx.link("/approvals"),
            notice => done.message(),
            max => MAX_TEXT,
        },
    )
}

/// Reads the request locked inside a new staff write transaction.
async fn locked(state: &AppState, ctx: &StaffContext, id: &str) -> Result<(ScopedTx, Approval)> {
    let id = parse_id(id)?;
    let mut tx = ScopedTx::begin_staff_write(&state.db, ctx.tenant.workspace.id).await?;
    let a = store::staff_one(&mut tx, ctx.tenant.workspace.id, id).await?;
    Ok((tx, a))
}

fn back_to(ctx: &StaffContext, a: &Approval, done: RequestDone) -> Response {
    ctx.redirect_done(&format!("/approvals/{}", a.id), done)
        .into_response()
}

/// `POST /admin/approvals/{id}/files` (multipart `file` parts): into the version being
/// prepared — a new version after a revision request. Refused before anything is stored
/// when the request cannot take files (with the client, or approved).
pub async fn upload(
    State(state): State<AppState>,
    ctx: StaffContext,
    addr: ClientAddr,
    Path(id): Path<String>,
    body: Later<UploadForm>,
) -> Result<Response> {
    let (tx, a) = locked(&state, &ctx, &id).await?;
    a.status.after(Step::ChangeFiles)?;
    // Not held across the upload: the write below reads and checks again.
    tx.rollback().await?;
    let form = body.read().await?;
    // Stored as the agency's: the client reaches them only through a sent version (on
    // PostgreSQL, the `in_approval` policy on files says the same).
    let stored = receive_staff_files(&state, &ctx, addr, form, None).await?;
    let ids: Vec<i64> = stored.iter().map(|f| f.id).collect();
    let (mut tx, a) = locked(&state, &ctx, &id).await?;
    match store::add_files(&mut tx, &a, &ids).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(back_to(&ctx, &a, RequestDone::Uploaded))
        }
        Err(e) => {
            // The request moved on while the files streamed: they are not left behind.
            tx.rollback().await?;
            for f in &stored {
                if let Err(gone) =
                    files::delete(&state.db, &state.files, a.workspace_id, f.id).await
                {
                    tracing::warn!(error = %gone, file = f.id, "an upload refused by the review stays in the file manager");
                }
            }
            Err(e)
        }
    }
}

/// `POST /admin/approvals/{id}/files/{file}/remove`.
pub async fn remove_file(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response> {
    let file = parse_id(&file)?;
    let (mut tx, a) = locked(&state, &ctx, &id).await?;
    store::remove_file(&mut tx, &a, file).await?;
    tx.commit().await?;
    Ok(back_to(&ctx, &a, RequestDone::Removed))
}

/// `POST /admin/approvals/{id}/submit`: the newest version goes to the client's approvers.
pub async fn submit(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Response> {
    let (tx, a) = locked(&state, &ctx, &id).await?;
    send_for_review(&state, &ctx, tx, &a).await?;
    Ok(back_to(&ctx, &a, RequestDone::Submitted))
}

/// Sends the version being prepared to the client's approvers, who are told; commits `tx`,
/// which read `a` locked. Returns the version's number. The admin and the API both send
/// through here.
pub(crate) async fn send_for_review(
    state: &AppState,
    ctx: &StaffContext,
    mut tx: ScopedTx,
    a: &Approval,
) -> Result<i64> {
    let by = Actor::Staff {
        id: ctx.user.id,
        name: &ctx.user.name,
    };
    let version = store::submit(&mut tx, a, by).await?;
    news::submitted(state, ctx, &mut tx, a, version).await?;
    tx.commit().await?;
    Ok(version)
}

/// `POST /admin/approvals/{id}/edit`: title, description, due date.
pub async fn edit(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let (mut tx, a) = locked(&state, &ctx, &id).await?;
    let form = Fields::parse(&body);
    let (title, description, due) = details(&form)?;
    let d = Details {
        title: &title,
        description: &description,
        due_date: due,
    };
    store::edit(&mut tx, &a, &d).await?;
    tx.commit().await?;
    Ok(back_to(&ctx, &a, RequestDone::Saved))
}

/// `POST /admin/approvals/{id}/delete`: drafts only.
pub async fn delete(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Response> {
    let (mut tx, a) = locked(&state, &ctx, &id).await?;
    store::delete(&mut tx, &a).await?;
    tx.commit().await?;
    Ok(ctx
        .redirect_done("/approvals", ApprovalsDone::Deleted)
        .into_response())
}

/// `POST /admin/approvals/{id}/comments` (`body`): the client's contacts are told.
pub async fn comment(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let (mut tx, a) = locked(&state, &ctx, &id).await?;
    let form = Fields::parse(&body);
    let body = text(&form, "body", "Write a comment first.")?;
    a.status.after(Step::Comment)?;
    let by = Actor::Staff {
        id: ctx.user.id,
        name: &ctx.user.name,
    };
    store::event(&mut tx, &a, "comment", &body, by).await?;
    news::from_team(&state, &ctx, &mut tx, &a, &body).await?;
    tx.commit().await?;
    Ok(back_to(&ctx, &a, RequestDone::Comment))
}

/// `GET /admin/approvals/{id}/files/{file}`.
pub async fn file(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path((id, file)): Path<(String, String)>,
    Query(q): Query<download::DownloadQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let (id, file) = (parse_id(&id)?, parse_id(&file)?);
    let file = store::staff_file(&state.db, ctx.tenant.workspace.id, id, file).await?;
    let stored = files::get(&state.db, ctx.tenant.workspace.id, file).await?;
    download::respond(&state, &stored, &headers, q.forced()).await
}
