//! Who hears about feedback, inside the transaction of the change it is about.
//!
//! - Sent, or followed up by the contact: its assignee, by email (the workspace's owners when
//!   there is none), and the activity log.
//! - Answered (a reply, never a note) or moved to another status: the contact who sent it, in
//!   the portal and by email as they choose (`feedback_update`).
use portal_core::activity::{self, Action};
use portal_core::notifications::{self, Delivery, Notice, Recipients, TeamNotice};
use portal_core::prelude::*;

use crate::status::Status;
use crate::store::Feedback;

pub const UPDATE: &str = "feedback_update";

pub const KINDS: &[NotificationKind] = &[NotificationKind {
    key: UPDATE,
    label: "Your feedback is answered or its status changes",
    permission: None,
    default_delivery: Delivery::Immediately,
}];

fn source(f: &Feedback) -> Option<String> {
    Some(format!("feedback:{}", f.id))
}

/// The contact sent feedback (`follow_up`: wrote again on it).
pub async fn from_contact(
    state: &AppState,
    ctx: &PortalContext,
    tx: &mut ScopedTx,
    f: &Feedback,
    body: &str,
    follow_up: bool,
) -> Result<()> {
    let subject = format!("feedback:{}", f.id);
    if let Some(entry) = ctx.activity(Action::Comment, &subject, &f.subject) {
        activity::record_in(tx, &entry).await?;
    }
    let what = if follow_up {
        "wrote again on"
    } else {
        "sent feedback:"
    };
    let about = match (&f.category, &f.project_name) {
        (Some(c), Some(p)) => format!(" ({c}, {p})"),
        (Some(c), None) => format!(" ({c})"),
        (None, Some(p)) => format!(" ({p})"),
        (None, None) => String::new(),
    };
    let notice = TeamNotice {
        title: format!(
            "{} of {} {what} {}{about}",
            ctx.user.name, f.client_name, f.subject
        ),
        body: body.to_string(),
        link: format!("/feedback/{}", f.id),
    };
    let staff: Vec<i64> = f.assignee_id.into_iter().collect();
    notifications::tell_team(&state.notifier, &ctx.tenant, tx, &staff, &notice).await?;
    Ok(())
}

/// The team answered (`reply`) and/or moved it to `status`: the contact who sent it hears.
pub async fn to_contact(
    state: &AppState,
    tenant: &Tenant,
    tx: &mut ScopedTx,
    f: &Feedback,
    reply: Option<&str>,
    status: Option<Status>,
) -> Result<()> {
    let Some(contact) = f.contact_id else {
        return Ok(());
    };
    let (title, body) = match (reply, status) {
        (Some(text), _) => (
            format!("New reply on your feedback: {}", f.subject),
            text.to_string(),
        ),
        (None, Some(s)) => (
            format!(
                "Your feedback is {}: {}",
                s.label().to_lowercase(),
                f.subject
            ),
            String::new(),
        ),
        (None, None) => return Ok(()),
    };
    let notice = Notice {
        kind: UPDATE,
        title,
        body,
        link: format!("/feedback/{}", f.id),
        source: source(f),
        // Shown while the thread is: the contact's feedback follows its own rule (a project
        // taken from them hides it), not the projects module's "see projects".
        about: Some((crate::RECORD, f.id)),
    };
    notifications::notify(
        &state.notifier,
        tenant,
        tx,
        f.client_id,
        &Recipients::Contacts(vec![contact]),
        &notice,
    )
    .await?;
    Ok(())
}
