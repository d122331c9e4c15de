//! Who hears about a review, inside the transaction of the step it is about.
//!
//! - Sent for review (first time or a new version): the contacts who may decide —
//!   `can_approve_work`, and able to see the project — in the portal and by email.
//! - Decided, or commented on by a contact: the team member who sent the version under
//!   review, by email (the workspace's owners if they have left), and the activity log.
//! - A comment from the team: every contact who can see the request (the core's `reply`).
use portal_core::activity::{self, Action};
use portal_core::notifications::{self, Delivery, Notice, Recipients, TeamNotice};
use portal_core::prelude::*;

use crate::status::Step;
use crate::store::{self, Approval};

pub const REQUESTED: &str = "approval_requested";
/// The core's kind for a reply from the team on any thread.
const REPLY: &str = "reply";

pub const KINDS: &[NotificationKind] = &[NotificationKind {
    key: REQUESTED,
    label: "A deliverable is ready for your review",
    permission: Some(crate::CAN_APPROVE),
    default_delivery: Delivery::Immediately,
}];

fn source(a: &Approval) -> Option<String> {
    Some(format!("approvals:{}", a.id))
}

/// Staff sent version `version` for review.
pub async fn submitted(
    state: &AppState,
    ctx: &StaffContext,
    tx: &mut ScopedTx,
    a: &Approval,
    version: i64,
) -> Result<()> {
    let ids = store::deciders(tx, a).await?;
    if ids.is_empty() {
        return Ok(());
    }
    let title = if version > 1 {
        format!("Version {version} of {} is ready for your review", a.title)
    } else {
        format!("{} is ready for your review", a.title)
    };
    let notice = Notice {
        kind: REQUESTED,
        title,
        body: match &a.due_date {
            Some(due) => format!("{} · please decide by {due}", a.project_name),
            None => a.project_name.clone(),
        },
        link: format!("/approvals/{}", a.id),
        source: source(a),
        about: Some((portico_projects::RECORD, a.project_id)),
    };
    notifications::notify(
        &state.notifier,
        &ctx.tenant,
        tx,
        a.client_id,
        &Recipients::Contacts(ids),
        &notice,
    )
    .await?;
    Ok(())
}

/// A contact decided (`step`: approve or request a revision) or, with no step, commented.
pub async fn from_contact(
    state: &AppState,
    ctx: &PortalContext,
    tx: &mut ScopedTx,
    a: &Approval,
    step: Option<Step>,
    body: &str,
) -> Result<()> {
    let (action, what) = match step {
        Some(Step::Approve) => (Action::Approve, "approved"),
        Some(_) => (Action::RequestChanges, "asked for changes to"),
        None => (Action::Comment, "commented on"),
    };
    let subject = format!("approval:{}", a.id);
    if let Some(entry) = ctx.activity(action, &subject, &a.title) {
        activity::record_in(tx, &entry).await?;
    }
    let notice = TeamNotice {
        title: format!("{} {what} {} ({})", ctx.user.name, a.title, a.client_name),
        body: body.to_string(),
        link: format!("/approvals/{}", a.id),
    };
    let staff: Vec<i64> = store::sender(tx, a).await?.into_iter().collect();
    notifications::tell_team(&state.notifier, &ctx.tenant, tx, &staff, &notice).await?;
    Ok(())
}

/// The team commented: every contact who can see the request hears of it.
pub async fn from_team(
    state: &AppState,
    ctx: &StaffContext,
    tx: &mut ScopedTx,
    a: &Approval,
    body: &str,
) -> Result<()> {
    let ids = store::viewers(tx, a).await?;
    if ids.is_empty() {
        return Ok(());
    }
    let notice = Notice {
        kind: REPLY,
        title: format!("New reply on {}", a.title),
        body: body.to_string(),
        link: format!("/approvals/{}#history", a.id),
        source: source(a),
        about: Some((portico_projects::RECORD, a.project_id)),
    };
    notifications::notify(
        &state.notifier,
        &ctx.tenant,
        tx,
        a.client_id,
        &Recipients::Contacts(ids),
        &notice,
    )
    .await?;
    Ok(())
}
