//! Telling the agency's team: an email to the staff members a change concerns (the one who
//! sent a deliverable for review, a project's lead), queued in the change's own transaction.
//! Staff have no feed of their own — their admin lists show what waits for them — so this
//! is email only, and it says nothing the staff member could not read in the admin.
use minijinja::context;

use crate::db::ScopedTx;
use crate::error::Result;
use crate::notifications::Notifier;
use crate::tenancy::{Role, Tenant};

/// What to tell the team. Plain text.
#[derive(Clone, Debug)]
pub struct TeamNotice {
    /// One line, e.g. "Dana Wells approved Homepage mockups".
    pub title: String,
    /// The client's words, if any (a comment, what must change).
    pub body: String,
    /// Where it leads, below the admin root: `/approvals/3`.
    pub link: String,
}

/// Emails `notice` to those of `staff_ids` who are staff of the tenant's workspace; when none
/// of them is (they left, or were deactivated), to the workspace's owners, so nothing goes unheard. Inside `tx`, a
/// write transaction holding the change; the mail goes out once it commits. Returns how many
/// were told.
pub async fn tell_team(
    notifier: &Notifier,
    tenant: &Tenant,
    tx: &mut ScopedTx,
    staff_ids: &[i64],
    notice: &TeamNotice,
) -> Result<usize> {
    let ws = tenant.workspace.id;
    let everyone: Vec<(i64, String, String, Role)> = tx
        .query_as(
            "SELECT id, email, name, role FROM staff_users WHERE workspace_id = $1 AND deactivated_at IS NULL ORDER BY id",
        )
        .bind(ws)
        .fetch_all()
        .await?;
    let mut told: Vec<&(i64, String, String, Role)> = everyone
        .iter()
        .filter(|(id, ..)| staff_ids.contains(id))
        .collect();
    if told.is_empty() {
        told = everyone
            .iter()
            .filter(|(.., role)| *role == Role::Owner)
            .collect();
    }
    let site = notifier.mailroom.site(&tenant.workspace.slug);
    let title: String = notice.title.trim().chars().take(200).collect();
    let body: String = notice.body.trim().chars().take(1000).collect();
    for (_, address, name, _) in &told {
        let mail = notifier.mailroom.compose(
            tenant,
            "team_notice",
            address,
            title.clone(),
            context! {
                name => name,
                title => title,
                body => body,
                link => format!("{site}/admin{}", notice.link),
            },
        )?;
        mail.queue(tx).await?;
    }
    Ok(told.len())
}
