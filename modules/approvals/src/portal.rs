//! The client's side: the deliverables sent for review, each with its files shown in the page
//! where a browser can, its full history, and — for contacts who may — approve, ask for a
//! revision (saying what must change), or comment. On a read-only tier, or without the
//! permission, the controls are absent and the routes refuse.
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use portal_core::activity::{self, Action};
use portal_core::files::{self, Kind};
use portal_core::minijinja::Value;
use portal_core::prelude::*;

use crate::news;
use crate::status::{Status, Step};
use crate::store::{self, Actor, Approval, Event, Version, VersionFile};
use crate::{CAN_APPROVE, CAN_COMMENT, ID, MAX_TEXT};

fn status_view(a: &Approval) -> Value {
    let status = a.status;
    context! { key => status.as_str(), label => status.label() }
}

fn row(ctx: &PortalContext, a: &Approval) -> Value {
    context! {
        title => a.title,
        project => a.project_name,
        status => status_view(a),
        version => a.version,
        due_date => a.due_date,
        updated_at => a.updated_at,
        href => ctx.link(&format!("/approvals/{}", a.id)),
    }
}

/// `GET /portal/approvals`.
pub async fn list(State(state): State<AppState>, ctx: PortalContext) -> Result<Html<String>> {
    let found = store::list_for_client(&state.db, ctx.scope()).await?;
    let waiting = found.iter().filter(|a| a.status == Status::Pending).count();
    let rows: Vec<_> = found.iter().map(|a| row(&ctx, a)).collect();
    ctx.render(
        "approvals/list.html",
        context! { items => rows, waiting => waiting },
    )
}

/// A file as the detail page shows it (the stage partial's `file`).
pub(crate) fn file_view(f: &VersionFile, src: String) -> Value {
    context! {
        id => f.file_id,
        name => f.name,
        content_type => f.content_type,
        size => files::human_size(f.size),
        shown => Kind::of(&f.content_type).shown_as(),
        download => format!("{src}?download=1"),
        src => src,
    }
}

/// The versions, newest first, each with its files; `base` is the request's page, whose
/// `/files/{id}` serves them.
pub(crate) fn versions_view(versions: &[Version], files: &[VersionFile], base: &str) -> Vec<Value> {
    versions
        .iter()
        .map(|v| {
            let files: Vec<_> = files
                .iter()
                .filter(|f| f.version_id == v.id)
                .map(|f| file_view(f, format!("{base}/files/{}", f.file_id)))
                .collect();
            context! {
                number => v.number,
                submitted_at => v.submitted_at,
                open => v.submitted_at.is_none(),
                files => files,
            }
        })
        .collect()
}

/// What happened, as the history reads it.
pub(crate) fn event_view(e: &Event) -> Value {
    let what = match e.kind.as_str() {
        "submitted" if e.version > 1 => format!("sent version {} for review", e.version),
        "submitted" => "sent it for review".to_string(),
        "approved" => format!("approved version {}", e.version),
        "revision_requested" => format!("asked for changes to version {}", e.version),
        _ => "commented".to_string(),
    };
    context! {
        id => e.id,
        kind => e.kind,
        actor => e.actor,
        team => e.contact_id.is_none(),
        what => what,
        body => e.body,
        at => e.created_at,
    }
}

/// `GET /portal/approvals/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
    done: Done<ApprovalDone>,
) -> Result<Html<String>> {
    let view = store::view_for_client(&state.db, ctx.scope(), parse_id(&id)?).await?;
    let a = &view.approval;
    ctx.record_view(&format!("approval:{}", a.id), &a.title)
        .await;
    let base = ctx.link(&format!("/approvals/{}", a.id));
    let versions = versions_view(&view.versions, &view.files, &base);
    let live = ctx.user.preview_by.is_none() && ctx.can_act(ID);
    let pending = a.status == Status::Pending;
    ctx.render(
        "approvals/detail.html",
        context! {
            approval => a,
            status => status_view(a),
            versions => versions,
            events => view.events.iter().map(event_view).collect::<Vec<_>>(),
            can_decide => live && pending && ctx.can(CAN_APPROVE),
            can_comment => live && ctx.can(CAN_COMMENT),
            read_only => !ctx.can_act(ID),
            approve => format!("{base}/approve"),
            revise => format!("{base}/revision"),
            comment => format!("{base}/comments"),
            back => ctx.link("/approvals"),
            max => MAX_TEXT,
            notice => done.message(),
        },
    )
}

portal_core::flash! {
    /// What a deliverable's page says back to the contact after a step.
    pub enum ApprovalDone {
        Approved = "approved" => "Approved. The team has been told; this deliverable is now locked.",
        Revision = "revision" => "Sent back with your changes. The team has been told and will send a new version.",
        Comment = "comment" => "Comment added.",
    }
}

/// A text someone sends (a comment, what must change): required, and checked like every
/// comment of the portal.
pub(crate) fn text(form: &Fields, key: &str, required: &str) -> Result<String> {
    let raw = form.get(key);
    if raw.trim().is_empty() {
        return Err(Error::BadRequest(required.into()));
    }
    portico_projects::comments::checked_body(raw)
}

/// Not found unless the contact may see deliverables and this one: the action routes are
/// gated on the permission to act, and acting blind is no better than not acting.
async fn require_visible(state: &AppState, ctx: &PortalContext, id: i64) -> Result<()> {
    if !ctx.can(crate::CAN_VIEW) {
        return Err(Error::NotFound);
    }
    store::require_for_client(&state.db, ctx.scope(), id).await
}

/// The version the contact was looking at when they decided.
fn seen_version(form: &Fields) -> Result<i64> {
    form.get("version")
        .parse::<i64>()
        .map_err(|_| Error::BadRequest("Reload the page, then decide again.".into()))
}

/// `POST /portal/approvals/{id}/approve` (`version`).
pub async fn approve(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let id = parse_id(&id)?;
    require_visible(&state, &ctx, id).await?;
    let form = Fields::parse(&body);
    decide(&state, &ctx, id, seen_version(&form)?, Step::Approve, "").await
}

/// `POST /portal/approvals/{id}/revision` (`version`, `comment`: what must change).
pub async fn request_revision(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let id = parse_id(&id)?;
    require_visible(&state, &ctx, id).await?;
    let form = Fields::parse(&body);
    let seen = seen_version(&form)?;
    let comment = text(
        &form,
        "comment",
        "Say what must change, so the team can prepare the next version.",
    )?;
    decide(&state, &ctx, id, seen, Step::RequestRevision, &comment).await
}

async fn decide(
    state: &AppState,
    ctx: &PortalContext,
    id: i64,
    seen: i64,
    step: Step,
    comment: &str,
) -> Result<Response> {
    let scope = ctx.scope();
    let by = Actor::Contact {
        id: scope.contact_id(),
        name: &ctx.user.name,
    };
    let mut tx = scope.begin_write(&state.db).await?;
    let a = store::decide(&mut tx, scope, id, seen, step, comment, by).await?;
    news::from_contact(state, ctx, &mut tx, &a, Some(step), comment).await?;
    tx.commit().await?;
    let done = if step == Step::Approve {
        ApprovalDone::Approved
    } else {
        ApprovalDone::Revision
    };
    Ok(ctx
        .redirect_done(&format!("/approvals/{id}"), done)
        .into_response())
}

/// `POST /portal/approvals/{id}/comments` (`body`).
pub async fn comment(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let id = parse_id(&id)?;
    require_visible(&state, &ctx, id).await?;
    let form = Fields::parse(&body);
    let body = text(&form, "body", "Write a comment first.")?;
    let scope = ctx.scope();
    let by = Actor::Contact {
        id: scope.contact_id(),
        name: &ctx.user.name,
    };
    let mut tx = scope.begin_write(&state.db).await?;
    let a = store::client_comment(&mut tx, scope, id, &body, by).await?;
    news::from_contact(&state, &ctx, &mut tx, &a, None, &body).await?;
    tx.commit().await?;
    Ok(ctx
        .redirect_done(&format!("/approvals/{id}#history"), ApprovalDone::Comment)
        .into_response())
}

/// `GET /portal/approvals/{id}/files/{file}[?download=1]`: a file of a sent version; saving
/// it is logged as a download.
pub async fn file(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path((id, file)): Path<(String, String)>,
    Query(q): Query<download::DownloadQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let (id, file) = (parse_id(&id)?, parse_id(&file)?);
    let file_id = store::client_file(&state.db, ctx.scope(), id, file).await?;
    let stored = files::get_for_client(&state.db, ctx.scope(), file_id).await?;
    if download::counts_as_download(&stored, &headers, q.forced()) {
        let subject = format!("approval:{id}");
        if let Some(entry) = ctx.activity(Action::Download, &subject, &stored.name) {
            activity::record(&state.db, &entry).await?;
        }
    }
    download::respond(&state, &stored, &headers, q.forced()).await
}
