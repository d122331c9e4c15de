//! The contact's side: what they sent, its status and the team's answers; a form to send
//! more — subject, category, optionally a project, the message and files; and a follow-up
//! on what they sent.
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use portal_core::activity::{self, Action};
use portal_core::files::upload::{self, limits, Cap, Upload};
use portal_core::files::{self, Kind, StoredFile};
use portal_core::minijinja::Value;
use portal_core::prelude::*;
use serde::Deserialize;

use crate::status::Status;
use crate::store::{self, Attachment, Author, Feedback, Message, NewFeedback};
use crate::{news, MAX_FILES, MAX_TEXT};

pub(crate) fn status_view(f: &Feedback) -> Value {
    let s = f.status;
    context! { key => s.as_str(), label => s.label(), open => s.is_open() }
}

pub(crate) fn files_view(files: &[Attachment], base: &str) -> Vec<Value> {
    files
        .iter()
        .map(|a| {
            let src = format!("{base}/files/{}", a.file_id);
            context! {
                name => a.name,
                size => files::human_size(a.size),
                shown => Kind::of(&a.content_type).shown_as(),
                download => format!("{src}?download=1"),
                src => src,
            }
        })
        .collect()
}

pub(crate) fn messages_view(messages: &[Message]) -> Vec<Value> {
    messages
        .iter()
        .map(|m| {
            context! {
                id => m.id,
                author => m.author,
                from_team => m.staff_user_id.is_some() || m.contact_id.is_none(),
                body => m.body,
                note => m.internal,
                created_at => m.created_at,
            }
        })
        .collect()
}

portal_core::flash! {
    /// What a contact's feedback page says after they wrote.
    pub enum FeedbackDone {
        Sent = "sent" => "Sent. The team has it and will answer here; you will be told when they do.",
        FollowUp = "follow_up" => "Added.",
    }
}

/// Whether the contact is shown project names at all: only with the projects module's "see
/// projects" permission (a finance-only contact never learns what the agency is working on).
fn sees_projects(ctx: &PortalContext) -> bool {
    ctx.can(portico_projects::CAN_VIEW)
}

/// `GET /portal/feedback`.
pub async fn list(State(state): State<AppState>, ctx: PortalContext) -> Result<Html<String>> {
    let found = store::list_for_contact(&state.db, ctx.scope()).await?;
    let rows: Vec<_> = found
        .iter()
        .map(|f| {
            context! {
                subject => f.subject,
                category => f.category,
                project => f.project_name.as_ref().filter(|_| sees_projects(&ctx)),
                status => status_view(f),
                updated_at => f.updated_at,
                href => ctx.link(&format!("/feedback/{}", f.id)),
            }
        })
        .collect();
    ctx.render(
        "feedback/list.html",
        context! {
            items => rows,
            new => ctx.link("/feedback/new"),
        },
    )
}

/// `GET /portal/feedback/new[?project=…]`.
pub async fn new_form(
    State(state): State<AppState>,
    ctx: PortalContext,
    Query(q): Query<NewQuery>,
) -> Result<Html<String>> {
    let categories = store::categories(&state.db, ctx.tenant.workspace.id, false).await?;
    let projects = if sees_projects(&ctx) {
        portico_projects::store::list_for_client(&state.db, ctx.scope()).await?
    } else {
        Vec::new()
    };
    let projects: Vec<_> = projects
        .iter()
        .map(|p| context! { id => p.id, name => p.name })
        .collect();
    ctx.render(
        "feedback/new.html",
        context! {
            categories => categories,
            projects => projects,
            chosen_project => q.project,
            action => ctx.link(&format!("/feedback?csrf_token={}", ctx.csrf_token)),
            back => ctx.link("/feedback"),
            max => MAX_TEXT,
            max_files => MAX_FILES,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    project: Option<i64>,
}

/// The text of the form, checked before any file is stored.
struct Checked {
    subject: String,
    body: String,
    category: i64,
    project: Option<i64>,
}

/// A message body: required, at most [`MAX_TEXT`] characters.
pub(crate) fn body_of(form: &Fields, key: &str) -> Result<String> {
    let body = form.get(key).trim();
    if body.is_empty() {
        return Err(Error::BadRequest("Write your message.".into()));
    }
    if body.chars().count() > MAX_TEXT {
        return Err(Error::BadRequest(format!(
            "The message must be at most {MAX_TEXT} characters."
        )));
    }
    Ok(body.to_string())
}

async fn check(
    state: &AppState,
    ctx: &PortalContext,
    pairs: &[(String, String)],
) -> Result<Checked> {
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let form = Fields::from_pairs(&pairs);
    let subject = form.name("subject", "subject")?;
    let body = body_of(&form, "body")?;
    let category = form
        .get("category")
        .parse::<i64>()
        .map_err(|_| Error::BadRequest("Choose one of the categories.".into()))?;
    let project = match form.get("project") {
        "" => None,
        raw => {
            let id = raw
                .parse::<i64>()
                .map_err(|_| Error::BadRequest("Choose one of your projects.".into()))?;
            // Only a project this contact sees: another client's, one they are not given,
            // or any for a contact who may not see projects, reads as not there.
            if !sees_projects(ctx) {
                return Err(Error::BadRequest("Choose one of your projects.".into()));
            }
            portico_projects::store::get_for_client(&state.db, ctx.scope(), id)
                .await?
                .ok_or_else(|| Error::BadRequest("Choose one of your projects.".into()))?;
            Some(id)
        }
    };
    Ok(Checked {
        subject,
        body,
        category,
        project,
    })
}

/// What feedback attachments of a workspace may take together: a fifth of its plan's
/// storage, so clients' contacts can never fill the space the team works in (on plans
/// without a storage limit, each contact's hourly upload budget is the bound).
pub const ATTACHMENT_SHARE: u64 = 5;

/// Reads the multipart form: its text first (the form puts the file input last), checked
/// before the first file is stored; then each file into the core file store as the client's,
/// within the contact's hourly budget and the workspace's room for attachments.
async fn receive(
    state: &AppState,
    ctx: &PortalContext,
    mut form: UploadForm,
    stored: &mut Vec<StoredFile>,
) -> Result<Checked> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut checked: Option<Checked> = None;
    let (max_bytes, quota) = limits(&state.files, &ctx.tenant);
    let cap_bytes = quota.map(|q| q / ATTACHMENT_SHARE);
    let full = || {
        Error::PayloadTooLarge(format!(
            "Attachments to feedback may take {} in all, and that room is used up: send your feedback without the file, or ask the team for another way to share it.",
            files::human_size(i64::try_from(cap_bytes.unwrap_or(0)).unwrap_or(i64::MAX))
        ))
    };
    let contact = ctx.user.contact_id;
    let spent_up = || state.upload_budget.spent_up(contact);
    let mut attached = match cap_bytes {
        Some(_) => store::attachment_bytes(&state.db, ctx.tenant.workspace.id).await?,
        None => 0,
    };
    while let Some(field) = form.next().await? {
        let Some(name) = field.name().map(str::to_string) else {
            field.skip().await?;
            continue;
        };
        if name != "file" {
            if pairs.len() >= 20 {
                return Err(Error::BadRequest("The form has too many fields.".into()));
            }
            let text = field.text().await?;
            if text.len() > MAX_TEXT * 4 + 1024 {
                return Err(Error::BadRequest(format!(
                    "The message must be at most {MAX_TEXT} characters."
                )));
            }
            pairs.push((name, text));
            continue;
        }
        let Some(file_name) = field.file_name().map(str::to_string) else {
            field.skip().await?;
            continue;
        };
        if file_name.is_empty() {
            continue;
        }
        if checked.is_none() {
            checked = Some(check(state, ctx, &pairs).await?);
        }
        if stored.len() >= MAX_FILES {
            return Err(Error::BadRequest(format!(
                "Attach at most {MAX_FILES} files."
            )));
        }
        let allowed = state.upload_budget.reserve(contact, max_bytes)?;
        // Held to the tighter of the workspace's room for attachments and the hour's budget.
        let room = cap_bytes.map(|c| c.saturating_sub(attached));
        let cap = match room {
            Some(r) if r < allowed => Some(Cap {
                room: r,
                refusal: &full,
            }),
            _ if allowed < max_bytes => Some(Cap {
                room: allowed,
                refusal: &spent_up,
            }),
            _ => None,
        };
        let declared = field.content_type().map(str::to_string);
        let up = Upload {
            workspace_id: ctx.tenant.workspace.id,
            client_id: Some(ctx.user.client_id),
            name: &file_name,
            declared: declared.as_deref(),
            uploaded_by: &ctx.user.name,
            cap,
            max_bytes,
            quota,
        };
        let file = match upload::store(&state.db, &state.files, &up, field.into_stream()).await {
            Ok(file) => file,
            Err(e) => {
                state.upload_budget.settle(contact, allowed, None);
                return Err(e);
            }
        };
        let size = u64::try_from(file.size).unwrap_or(0);
        state.upload_budget.settle(contact, allowed, Some(size));
        attached = attached.saturating_add(size);
        stored.push(file);
    }
    match checked {
        Some(c) => Ok(c),
        None => check(state, ctx, &pairs).await,
    }
}

/// `POST /portal/feedback` (multipart): the feedback becomes a task in its assignee's inbox,
/// who is emailed. A refused form leaves nothing behind, files included.
pub async fn send(
    State(state): State<AppState>,
    ctx: PortalContext,
    req: Request,
) -> Result<Response> {
    let form = UploadForm::from_request(req, &state).await?;
    let mut stored = Vec::new();
    let outcome = async {
        let c = receive(&state, &ctx, form, &mut stored).await?;
        let ids: Vec<i64> = stored.iter().map(|f| f.id).collect();
        let scope = ctx.scope();
        let mut tx =
            portal_core::db::ScopedTx::begin_staff_write(&state.db, scope.workspace_id()).await?;
        let (id, _) = store::create(
            &mut tx,
            scope,
            &ctx.user.name,
            &NewFeedback {
                subject: &c.subject,
                body: &c.body,
                project_id: c.project,
                category_id: c.category,
                files: &ids,
            },
        )
        .await?;
        let f = store::staff_one(&mut tx, scope.workspace_id(), id).await?;
        news::from_contact(&state, &ctx, &mut tx, &f, &c.body, false).await?;
        tx.commit().await?;
        Ok::<i64, Error>(id)
    }
    .await;
    match outcome {
        Ok(id) => Ok(ctx
            .redirect_done(&format!("/feedback/{id}"), FeedbackDone::Sent)
            .into_response()),
        Err(e) => {
            for f in &stored {
                if let Err(gone) =
                    files::delete(&state.db, &state.files, ctx.tenant.workspace.id, f.id).await
                {
                    tracing::warn!(error = %gone, file = f.id, "an attachment of refused feedback stays in the file manager");
                }
            }
            Err(e)
        }
    }
}

/// `GET /portal/feedback/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
    done: Done<FeedbackDone>,
) -> Result<Html<String>> {
    let mut t = store::thread_for_contact(&state.db, ctx.scope(), parse_id(&id)?).await?;
    if !sees_projects(&ctx) {
        t.feedback.project_name = None;
    }
    let f = &t.feedback;
    let base = ctx.link(&format!("/feedback/{}", f.id));
    ctx.render(
        "feedback/detail.html",
        context! {
            feedback => f,
            status => status_view(f),
            messages => messages_view(&t.messages),
            files => files_view(&t.files, &base),
            base => base,
            back => ctx.link("/feedback"),
            max => MAX_TEXT,
            notice => done.message(),
        },
    )
}

/// `POST /portal/feedback/{id}/messages`: the contact writes again; the assignee is emailed,
/// and resolved or declined feedback is open again.
pub async fn follow_up(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let scope = ctx.scope();
    let mut tx = scope.begin(&state.db).await?;
    let f = store::one_for_contact(&mut tx, scope, parse_id(&id)?).await?;
    tx.commit().await?;
    // Checked once the feedback is found: another client's is not found, whatever was sent.
    let text = body_of(&Fields::parse(&body), "body")?;
    // The write reads settings and staff no client scope sees: a staff transaction, the
    // feedback read again in it, locked.
    let mut tx =
        portal_core::db::ScopedTx::begin_staff_write(&state.db, scope.workspace_id()).await?;
    let f = store::staff_one(&mut tx, scope.workspace_id(), f.id).await?;
    let author = Author::Contact {
        id: ctx.user.contact_id,
        name: &ctx.user.name,
    };
    store::add_message(&mut tx, &f, &author, &text).await?;
    if !f.status.is_open() {
        store::set_status(&mut tx, &f, Status::InProgress).await?;
    }
    news::from_contact(&state, &ctx, &mut tx, &f, &text, true).await?;
    tx.commit().await?;
    Ok(ctx
        .redirect_done(
            &format!("/feedback/{}#thread", f.id),
            FeedbackDone::FollowUp,
        )
        .into_response())
}

/// `GET /portal/feedback/{id}/files/{file}`: an attachment of the contact's own feedback.
pub async fn file(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path((id, file)): Path<(String, String)>,
    Query(q): Query<download::DownloadQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let (id, file) = (parse_id(&id)?, parse_id(&file)?);
    let scope = ctx.scope();
    let mut tx = scope.begin(&state.db).await?;
    let f = store::one_for_contact(&mut tx, scope, id).await?;
    let attached = store::has_file(&mut tx, &f, file).await?;
    tx.commit().await?;
    if !attached {
        return Err(Error::NotFound);
    }
    let stored = files::get_for_client(&state.db, scope, file).await?;
    if download::counts_as_download(&stored, &headers, q.forced()) {
        if let Some(entry) = ctx.activity(Action::Download, &format!("feedback:{id}"), &stored.name)
        {
            activity::record(&state.db, &entry).await?;
        }
    }
    download::respond(&state, &stored, &headers, q.forced()).await
}
