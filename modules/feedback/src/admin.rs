//! The team's side: the feedback inbox — what is assigned to me, or everyone's — and each
//! piece of feedback with the client, contact and project linked, its thread (replies the
//! client reads, notes only the team reads), its status and assignee, and a button that
//! turns it into a task of its project. Owners and admins set the categories and who gets
//! feedback no project lead takes.
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use portal_core::files;
use portal_core::notifications::{self, TeamNotice};
use portal_core::prelude::*;
use serde::Deserialize;

use crate::portal::{body_of, files_view, messages_view, status_view};
use crate::status::{Status, ALL};
use crate::store::{self, Author, Feedback, Filter};
use crate::{news, work, MAX_TEXT};

#[derive(Deserialize, Default)]
pub struct InboxQuery {
    /// `mine` (the default), `all`.
    #[serde(default)]
    view: String,
    /// A status, `open` (the default), or `any`.
    #[serde(default)]
    status: String,
}

portal_core::flash! {
    /// What the team's page of one piece of feedback says after a change.
    pub enum StaffFeedbackDone {
        Reply = "reply" => "Reply sent: the client has been told.",
        Note = "note" => "Note added. The client does not see notes.",
        Status = "status" => "Status changed: the client has been told.",
        Assigned = "assigned" => "Assigned.",
        Task = "task" => "Turned into a task of the project.",
    }
}

portal_core::flash! {
    /// What the feedback settings page says after a change.
    pub enum FeedbackSettingsDone {
        Saved = "saved" => "Saved.",
        Added = "added" => "Category added.",
        Archived = "archived" => "Category archived: contacts no longer choose it; feedback sent with it keeps it.",
        Restored = "restored" => "Category offered again.",
    }
}

/// The status filter as the inbox and the API read it: `open` (new and in progress) unless
/// a status or `any` is asked for.
pub(crate) fn status_filter(raw: &str) -> Result<(Option<Status>, bool)> {
    match raw {
        "" | "open" => Ok((None, true)),
        "any" => Ok((None, false)),
        other => Ok((Some(Status::read(other)?), false)),
    }
}

/// `GET /admin/feedback[?view=all][&status=…]`: the inbox.
pub async fn list(
    State(state): State<AppState>,
    ctx: StaffContext,
    Query(q): Query<InboxQuery>,
) -> Result<Html<String>> {
    let ws = ctx.tenant.workspace.id;
    let everyone = q.view == "all";
    let (status, open_only) = status_filter(&q.status)?;
    let filter = Filter {
        assignee: (!everyone).then_some(ctx.user.id),
        status,
        open_only,
    };
    let found = store::list_for_workspace(&state.db, ws, &filter).await?;
    let team = portal_core::clients::team(&state.db, ws).await?;
    let name_of = |id: Option<i64>| {
        id.and_then(|id| team.iter().find(|m| m.id == id))
            .map(|m| m.name.clone())
    };
    let rows: Vec<_> = found
        .iter()
        .map(|f| {
            context! {
                subject => f.subject,
                client => f.client_name,
                sent_by => f.sent_by,
                project => f.project_name,
                category => f.category,
                status => status_view(f),
                assignee => name_of(f.assignee_id),
                updated_at => f.updated_at,
                href => ctx.link(&format!("/feedback/{}", f.id)),
            }
        })
        .collect();
    ctx.render(
        "feedback/admin_list.html",
        context! {
            items => rows,
            everyone => everyone,
            status => if q.status.is_empty() { "open" } else { q.status.as_str() },
            statuses => ALL.iter().map(|s| context! { key => s.as_str(), label => s.label() }).collect::<Vec<_>>(),
            base => ctx.link("/feedback"),
            settings => ctx.link("/feedback/settings"),
            can_manage => ctx.can_manage(),
        },
    )
}

/// `GET /admin/feedback/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    done: Done<StaffFeedbackDone>,
) -> Result<Html<String>> {
    let ws = ctx.tenant.workspace.id;
    let t = store::thread_for_staff(&state.db, ws, parse_id(&id)?).await?;
    let f = &t.feedback;
    let base = ctx.link(&format!("/feedback/{}", f.id));
    ctx.render(
        "feedback/admin_detail.html",
        context! {
            feedback => f,
            status => status_view(f),
            statuses => ALL.iter().map(|s| context! { key => s.as_str(), label => s.label() }).collect::<Vec<_>>(),
            messages => messages_view(&t.messages),
            files => files_view(&t.files, &base),
            team => portal_core::clients::team(&state.db, ws).await?,
            client_href => ctx.link(&format!("/clients/{}", f.client_id)),
            contact_href => f.contact_id.map(|c| ctx.link(&format!("/contacts/{c}"))),
            project_href => f.project_id.map(|p| ctx.link(&format!("/projects/{p}"))),
            task_href => match (f.project_id, f.task_id) {
                (Some(p), Some(t)) => Some(ctx.link(&format!("/projects/{p}/tasks/{t}"))),
                _ => None,
            },
            base => base,
            back => ctx.link("/feedback"),
            notice => done.message(),
            max => MAX_TEXT,
        },
    )
}

/// Reads the feedback locked inside a new staff write transaction.
pub(crate) async fn locked(
    state: &AppState,
    ctx: &StaffContext,
    id: &str,
) -> Result<(ScopedTx, Feedback)> {
    let id = parse_id(id)?;
    let mut tx = ScopedTx::begin_staff_write(&state.db, ctx.tenant.workspace.id).await?;
    let f = store::staff_one(&mut tx, ctx.tenant.workspace.id, id).await?;
    Ok((tx, f))
}

fn back_to(ctx: &StaffContext, f: &Feedback, done: StaffFeedbackDone) -> Response {
    ctx.redirect_done(&format!("/feedback/{}", f.id), done)
        .into_response()
}

/// A reply (the client reads it and is told) or, with `note`, a note for the team only;
/// optionally with a new status in the same step.
pub(crate) async fn answer(
    state: &AppState,
    ctx: &StaffContext,
    id: &str,
    form: &Fields,
) -> Result<(Feedback, StaffFeedbackDone)> {
    // Found first: another workspace's feedback is not found, whatever the form says.
    let (mut tx, f) = locked(state, ctx, id).await?;
    let text = body_of(form, "body")?;
    let internal = form.get("kind") == "note";
    let status = match form.get("status") {
        "" => None,
        raw => Some(Status::read(raw)?),
    };
    let author = Author::Staff {
        id: ctx.user.id,
        name: &ctx.user.name,
        internal,
    };
    store::add_message(&mut tx, &f, &author, &text).await?;
    let moved = match status {
        Some(s) => store::set_status(&mut tx, &f, s).await?.then_some(s),
        None => None,
    };
    if internal {
        news::to_contact(state, &ctx.tenant, &mut tx, &f, None, moved).await?;
    } else {
        news::to_contact(state, &ctx.tenant, &mut tx, &f, Some(&text), moved).await?;
    }
    tx.commit().await?;
    let done = if internal {
        StaffFeedbackDone::Note
    } else {
        StaffFeedbackDone::Reply
    };
    Ok((f, done))
}

/// `POST /admin/feedback/{id}/messages` (`body`, `kind` = reply | note, `status`?).
pub async fn message(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let (f, done) = answer(&state, &ctx, &id, &Fields::parse(&body)).await?;
    Ok(back_to(&ctx, &f, done))
}

/// Moves the feedback to the status `raw` names, telling the contact (unless it already was).
pub(crate) async fn move_to(
    state: &AppState,
    ctx: &StaffContext,
    id: &str,
    raw: &str,
) -> Result<Feedback> {
    let (mut tx, f) = locked(state, ctx, id).await?;
    let status = Status::read(raw)?;
    if store::set_status(&mut tx, &f, status).await? {
        news::to_contact(state, &ctx.tenant, &mut tx, &f, None, Some(status)).await?;
    }
    tx.commit().await?;
    Ok(f)
}

/// `POST /admin/feedback/{id}/status` (`status`).
pub async fn status(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let form = Fields::parse(&body);
    let f = move_to(&state, &ctx, &id, form.get("status")).await?;
    Ok(back_to(&ctx, &f, StaffFeedbackDone::Status))
}

/// The `assignee` field: a staff id, or empty for nobody in particular.
pub(crate) fn assignee_of(raw: &str) -> Result<Option<i64>> {
    match raw.trim() {
        "" => Ok(None),
        raw => raw
            .parse::<i64>()
            .map(Some)
            .map_err(|_| Error::BadRequest("Choose someone from the agency's team.".into())),
    }
}

/// Hands the feedback to the staff member `raw` names (empty: nobody in particular), who is
/// emailed unless they did it themselves.
pub(crate) async fn hand_over(
    state: &AppState,
    ctx: &StaffContext,
    id: &str,
    raw: &str,
) -> Result<Feedback> {
    let (mut tx, f) = locked(state, ctx, id).await?;
    let staff = assignee_of(raw)?;
    store::assign(&mut tx, &f, staff).await?;
    if let Some(to) = staff.filter(|s| *s != ctx.user.id) {
        let notice = TeamNotice {
            title: format!(
                "{} gave you feedback from {}: {}",
                ctx.user.name, f.client_name, f.subject
            ),
            body: f.body.clone(),
            link: format!("/feedback/{}", f.id),
        };
        notifications::tell_team(&state.notifier, &ctx.tenant, &mut tx, &[to], &notice).await?;
    }
    tx.commit().await?;
    Ok(f)
}

/// `POST /admin/feedback/{id}/assign` (`assignee`).
pub async fn assign(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let form = Fields::parse(&body);
    let f = hand_over(&state, &ctx, &id, form.get("assignee")).await?;
    Ok(back_to(&ctx, &f, StaffFeedbackDone::Assigned))
}

/// `POST /admin/feedback/{id}/task`: a task of the feedback's project, for its assignee,
/// holding the client's words; the feedback is In progress and links to it.
pub async fn task(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Response> {
    let (mut tx, f) = locked(&state, &ctx, &id).await?;
    work::turn_into_task(&state, &ctx, &mut tx, &f).await?;
    tx.commit().await?;
    Ok(back_to(&ctx, &f, StaffFeedbackDone::Task))
}

/// `GET /admin/feedback/{id}/files/{file}`.
pub async fn file(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path((id, file)): Path<(String, String)>,
    Query(q): Query<download::DownloadQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let (id, file) = (parse_id(&id)?, parse_id(&file)?);
    let ws = ctx.tenant.workspace.id;
    let mut tx = ScopedTx::begin_staff(&state.db, ws).await?;
    let f = store::staff_one(&mut tx, ws, id).await?;
    let attached = store::has_file(&mut tx, &f, file).await?;
    tx.commit().await?;
    if !attached {
        return Err(Error::NotFound);
    }
    let stored = files::get(&state.db, ws, file).await?;
    download::respond(&state, &stored, &headers, q.forced()).await
}

/// `GET /admin/feedback/settings`.
pub async fn settings(
    State(state): State<AppState>,
    ctx: StaffContext,
    done: Done<FeedbackSettingsDone>,
) -> Result<Html<String>> {
    let ws = ctx.tenant.workspace.id;
    ctx.render(
        "feedback/admin_settings.html",
        context! {
            categories => store::categories(&state.db, ws, true).await?,
            team => portal_core::clients::team(&state.db, ws).await?,
            default_assignee => store::default_assignee(&state.db, ws).await?,
            base => ctx.link("/feedback/settings"),
            back => ctx.link("/feedback"),
            can_manage => ctx.can_manage(),
            notice => done.message(),
        },
    )
}

fn to_settings(ctx: &StaffContext, done: FeedbackSettingsDone) -> Response {
    ctx.redirect_done("/feedback/settings", done)
        .into_response()
}

/// `POST /admin/feedback/settings` (`default_assignee`).
pub async fn save_settings(
    State(state): State<AppState>,
    ctx: StaffContext,
    body: Bytes,
) -> Result<Response> {
    let form = Fields::parse(&body);
    let staff = assignee_of(form.get("default_assignee"))?;
    store::set_default_assignee(&state.db, ctx.tenant.workspace.id, staff).await?;
    Ok(to_settings(&ctx, FeedbackSettingsDone::Saved))
}

/// `POST /admin/feedback/categories` (`name`).
pub async fn add_category(
    State(state): State<AppState>,
    ctx: StaffContext,
    body: Bytes,
) -> Result<Response> {
    let form = Fields::parse(&body);
    let name = form.name("name", "category's name")?;
    if name.chars().count() > 60 {
        return Err(Error::BadRequest(
            "A category's name must be at most 60 characters.".into(),
        ));
    }
    store::add_category(&state.db, ctx.tenant.workspace.id, &name).await?;
    Ok(to_settings(&ctx, FeedbackSettingsDone::Added))
}

/// `POST /admin/feedback/categories/{category}` (`archived` = true | false).
pub async fn archive_category(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(category): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let form = Fields::parse(&body);
    let archived = form.checked("archived");
    store::archive_category(
        &state.db,
        ctx.tenant.workspace.id,
        parse_id(&category)?,
        archived,
    )
    .await?;
    let done = if archived {
        FeedbackSettingsDone::Archived
    } else {
        FeedbackSettingsDone::Restored
    };
    Ok(to_settings(&ctx, done))
}
