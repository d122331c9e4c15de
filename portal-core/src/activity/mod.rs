//! The portal activity log: what each contact did — signed in, looked at a record, commented,
//! approved, downloaded, paid — with who, when and from where; and the team's replies to them,
//! so staff can see how quickly contacts are answered (`figures`).
//!
//! Modules record their own actions: a page view with [`crate::PortalContext::record_view`]
//! (best effort: a page is not refused because its view could not be logged; written in
//! batches off the request path, [`LookLog`]), a change with
//! [`record_in`] inside the transaction that makes it, so the log never claims what did not
//! happen nor misses what did. Staff previews ("view as") are never logged as the contact.
pub(crate) mod figures;
mod looks;

pub use looks::LookLog;

use serde::Serialize;

use crate::db::{now, ScopedTx};
use crate::error::Result;
use crate::tenancy::SessionMeta;

/// What was done. Modules pick the nearest; `subject` says to what.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    SignIn,
    View,
    Comment,
    Approve,
    RequestChanges,
    Download,
    Payment,
    /// A staff member answered on a thread a contact wrote in.
    Reply,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SignIn => "sign_in",
            Action::View => "view",
            Action::Comment => "comment",
            Action::Approve => "approve",
            Action::RequestChanges => "request_changes",
            Action::Download => "download",
            Action::Payment => "payment",
            Action::Reply => "reply",
        }
    }

    /// How the staff's activity list says it: "Dana Lee viewed Website redesign".
    pub fn verb(raw: &str) -> &'static str {
        match raw {
            "sign_in" => "signed in",
            "view" => "viewed",
            "comment" => "commented on",
            "approve" => "approved",
            "request_changes" => "asked for changes to",
            "download" => "downloaded",
            "payment" => "paid",
            "reply" => "replied on",
            _ => "acted on",
        }
    }
}

/// Who acted, with their name at the time.
#[derive(Clone, Copy, Debug)]
pub enum Actor<'a> {
    Contact { id: i64, name: &'a str },
    Staff { id: i64, name: &'a str },
}

/// One entry to write. `subject` is a stable key (`project:3`, `task:7`) — replies are matched
/// to the comments they answer by it; `label` is the record's name for people.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    pub workspace_id: i64,
    pub client_id: i64,
    pub actor: Actor<'a>,
    pub action: Action,
    pub subject: &'a str,
    pub label: &'a str,
    pub origin: &'a SessionMeta,
}

const INSERT: &str = "INSERT INTO activity \
    (workspace_id, client_id, contact_id, staff_user_id, actor, action, subject, label, ip, user_agent, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// Writes `entry` inside `tx`, a scope of the entry's client.
pub async fn record_in(tx: &mut ScopedTx, entry: &Entry<'_>) -> Result<()> {
    insert(tx, entry, now()).await
}

/// Writes `entry` as having happened `at`.
async fn insert(tx: &mut ScopedTx, entry: &Entry<'_>, at: i64) -> Result<()> {
    let (contact, staff, name) = match entry.actor {
        Actor::Contact { id, name } => (Some(id), None, name),
        Actor::Staff { id, name } => (None, Some(id), name),
    };
    let label: String = entry.label.chars().take(200).collect();
    tx.query(INSERT)
        .bind(entry.workspace_id)
        .bind(entry.client_id)
        .bind(contact)
        .bind(staff)
        .bind(name)
        .bind(entry.action.as_str())
        .bind(entry.subject)
        .bind(&label)
        .bind(&entry.origin.ip)
        .bind(&entry.origin.user_agent)
        .bind(at)
        .execute()
        .await?;
    Ok(())
}

/// Writes `entry` on its own.
pub async fn record(db: &crate::db::Db, entry: &Entry<'_>) -> Result<()> {
    let mut tx = ScopedTx::begin_write(db, entry.workspace_id, entry.client_id).await?;
    record_in(&mut tx, entry).await?;
    tx.commit().await
}
