//! What the projects module tells contacts, and what it writes to the activity log — each
//! inside the write transaction of the change it is about, so the news and the change commit
//! together or not at all.
//!
//! Told: a new reply from the team (the core's `reply` kind), a client-visible task moved to
//! Done, a project's status or progress changed. Always to the contacts who can see the
//! project — they hold `can_view_projects` and are not limited to other projects — and never
//! about a note: a note is the team's own, so it produces no notification, no email and no
//! activity entry the portal could ever show.
use portal_core::activity::{self, Action, Actor};
use portal_core::notifications::{self, Delivery, Notice, Recipients};
use portal_core::prelude::*;

use crate::comments::{Comment, CommentPosted, REPLY};
use crate::store::{self, ProjectUpdated};
use crate::tasks::TaskChange;
use crate::CAN_VIEW;

pub const PROJECT_UPDATE: &str = "project_update";
pub const TASK_DONE: &str = "task_done";

pub const KINDS: &[NotificationKind] = &[
    NotificationKind {
        key: PROJECT_UPDATE,
        label: "A project's status or progress changes",
        permission: Some(CAN_VIEW),
        default_delivery: Delivery::Daily,
    },
    NotificationKind {
        key: TASK_DONE,
        label: "A task is done",
        permission: Some(CAN_VIEW),
        default_delivery: Delivery::Daily,
    },
];

async fn tell(
    state: &AppState,
    tenant: &Tenant,
    tx: &mut ScopedTx,
    client: i64,
    project: i64,
    notice: Notice,
) -> Result<()> {
    let ids = store::audience(tx, tenant.workspace.id, client, project, None).await?;
    if !ids.is_empty() {
        notifications::notify(
            &state.notifier,
            tenant,
            tx,
            client,
            &Recipients::Contacts(ids),
            &notice,
        )
        .await?;
    }
    Ok(())
}

/// The activity-log key of the thread a comment is in: replies are matched to the comments
/// they answer by it.
fn thread_key(posted: &CommentPosted) -> String {
    match posted.task_id {
        Some(t) => format!("task:{t}"),
        None => format!("project:{}", posted.project_id),
    }
}

fn thread_label(posted: &CommentPosted) -> &str {
    posted.task_title.as_deref().unwrap_or(&posted.project_name)
}

/// The subject and label a contact's reply is logged under.
pub fn comment_subject(posted: &CommentPosted) -> (String, String) {
    (thread_key(posted), thread_label(posted).to_string())
}

/// A staff comment: a reply tells the contacts who can see the project and is logged as the
/// team's answer; a note does neither.
pub async fn staff_commented(
    state: &AppState,
    ctx: &StaffContext,
    tx: &mut ScopedTx,
    posted: &CommentPosted,
    body: &str,
) -> Result<()> {
    if posted.kind != REPLY {
        return Ok(());
    }
    let subject = thread_key(posted);
    let origin = SessionMeta::default();
    let entry = activity::Entry {
        workspace_id: posted.workspace_id,
        client_id: posted.client_id,
        actor: Actor::Staff {
            id: ctx.user.id,
            name: &ctx.user.name,
        },
        action: Action::Reply,
        subject: &subject,
        label: thread_label(posted),
        origin: &origin,
    };
    activity::record_in(tx, &entry).await?;
    let link = match posted.task_id {
        Some(t) => format!(
            "/projects/{}/tasks/{t}#reply-{}",
            posted.project_id, posted.comment_id
        ),
        None => format!(
            "/projects/{}#reply-{}",
            posted.project_id, posted.comment_id
        ),
    };
    let notice = Notice {
        kind: "reply",
        title: format!("{} replied on {}", posted.author_name, thread_label(posted)),
        body: body.to_string(),
        link,
        source: Some(comment_source(posted.comment_id)),
        about: Some((crate::RECORD, posted.project_id)),
    };
    tell(
        state,
        &ctx.tenant,
        tx,
        posted.client_id,
        posted.project_id,
        notice,
    )
    .await
}

/// What the notifications about a reply are filed under.
fn comment_source(comment_id: i64) -> String {
    format!("projects:comment:{comment_id}")
}

/// A reply edited: the feed says what it says now (an email already sent stays as it was).
pub async fn comment_edited(
    state: &AppState,
    tx: &mut ScopedTx,
    workspace_id: i64,
    comment: &Comment,
    body: &str,
) -> Result<()> {
    if comment.kind != REPLY {
        return Ok(());
    }
    notifications::revise(
        &state.notifier,
        tx,
        workspace_id,
        &comment_source(comment.id),
        body,
    )
    .await
}

/// A reply deleted — often one sent by mistake a moment ago: its notifications leave every
/// feed and digest, and emails not yet handed to the mail server are not sent.
pub async fn comment_deleted(
    state: &AppState,
    tx: &mut ScopedTx,
    workspace_id: i64,
    comment: &Comment,
) -> Result<()> {
    if comment.kind != REPLY {
        return Ok(());
    }
    notifications::retract(
        &state.notifier,
        tx,
        workspace_id,
        &comment_source(comment.id),
    )
    .await?;
    Ok(())
}

/// A task change: tells the client when a task they can see moved to Done.
pub async fn task_changed(
    state: &AppState,
    tenant: &Tenant,
    tx: &mut ScopedTx,
    change: &TaskChange,
) -> Result<()> {
    if !(change.client_visible && change.became_done()) {
        return Ok(());
    }
    let notice = Notice {
        kind: TASK_DONE,
        title: format!("Done: {}", change.title),
        body: format!("In {}.", change.project_name),
        link: format!("/projects/{}/tasks/{}", change.project_id, change.task_id),
        source: None,
        about: Some((crate::RECORD, change.project_id)),
    };
    tell(
        state,
        tenant,
        tx,
        change.client_id,
        change.project_id,
        notice,
    )
    .await
}

/// A project update: tells the client when the status or the progress changed.
pub async fn project_updated(
    state: &AppState,
    tenant: &Tenant,
    tx: &mut ScopedTx,
    update: &ProjectUpdated,
) -> Result<()> {
    let status_changed = update.status != update.previous_status;
    let progress_changed = update.progress != update.previous_progress;
    if !status_changed && !progress_changed {
        return Ok(());
    }
    let title = if status_changed {
        format!(
            "{} is now {}",
            update.name,
            update.status.label().to_lowercase()
        )
    } else {
        format!("{} is {}% done", update.name, update.progress)
    };
    let mut changes = Vec::new();
    if status_changed {
        changes.push(format!(
            "Status: {} → {}.",
            update.previous_status.label(),
            update.status.label()
        ));
    }
    if progress_changed {
        changes.push(format!(
            "Progress: {}% → {}%.",
            update.previous_progress, update.progress
        ));
    }
    let notice = Notice {
        kind: PROJECT_UPDATE,
        title,
        body: changes.join(" "),
        link: format!("/projects/{}", update.project_id),
        source: None,
        about: Some((crate::RECORD, update.project_id)),
    };
    tell(
        state,
        tenant,
        tx,
        update.client_id,
        update.project_id,
        notice,
    )
    .await
}
