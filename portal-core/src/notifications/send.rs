//! Sending: one feed entry per recipient, and an email now for those who want it now.
use minijinja::context;

use crate::db::{Day, ScopedTx};
use crate::email::Email;
use crate::error::{Error, Result};
use crate::notifications::{Delivery, Notifier};
use crate::tenancy::Tenant;

/// What to tell contacts. Plain text: the feed and emails escape it.
#[derive(Clone, Debug)]
pub struct Notice {
    /// A declared [`crate::module::NotificationKind`] key.
    pub kind: &'static str,
    /// One line, e.g. "New reply on Website redesign".
    pub title: String,
    /// A short excerpt; cut to a few hundred characters.
    pub body: String,
    /// Where the notification leads, below the portal root: `/projects/3#reply-9`.
    pub link: String,
    /// What it is about, e.g. `projects:comment:42`, for [`retract`] when that is taken back.
    pub source: Option<String>,
    /// The record it speaks of, e.g. `("project", 3)`: while the contact may not see that
    /// record (a [`super::RecordRule`] of its module says so), their feed leaves it out.
    pub about: Option<(&'static str, i64)>,
}

impl Notice {
    /// A notice of `kind` about nothing in particular; set `source` and `about` when it
    /// speaks of a record that can be taken back or hidden.
    pub fn new(
        kind: &'static str,
        title: impl Into<String>,
        body: impl Into<String>,
        link: impl Into<String>,
    ) -> Notice {
        Notice {
            kind,
            title: title.into(),
            body: body.into(),
            link: link.into(),
            source: None,
            about: None,
        }
    }
}

/// Who, among the client's contacts, is told.
#[derive(Clone, Debug)]
pub enum Recipients {
    /// Every contact of the client who may receive the kind.
    Client,
    /// These contacts (those of another client are ignored), e.g. the contacts who can see
    /// one project.
    Contacts(Vec<i64>),
}

const TITLE_CHARS: usize = 200;
const BODY_CHARS: usize = 400;

/// Tells `recipients` about `notice`, inside `tx` — a write scope for `client_id`
/// (`ClientScope::begin_write`, or `ScopedTx::begin_write` on the staff side) that also holds
/// whatever the notice announces. Only active contacts of the client whose access has not
/// expired and who hold the kind's permission receive it; of those, contacts who have
/// accepted their invitation get an email now or in their digest, as they chose. Returns how
/// many contacts were told. The outbox is woken when `tx` commits.
pub async fn notify(
    notifier: &Notifier,
    tenant: &Tenant,
    tx: &mut ScopedTx,
    client_id: i64,
    recipients: &Recipients,
    notice: &Notice,
) -> Result<usize> {
    let Some((_, kind)) = notifier.kind(notice.kind) else {
        return Err(Error::Internal(format!(
            "notification kind `{}` is not declared by any running module",
            notice.kind
        )));
    };
    if !notice.link.starts_with('/') || notice.link.starts_with("//") || notice.link.contains('\\')
    {
        return Err(Error::Internal(format!(
            "notification link `{}` must be a path below the portal root",
            notice.link
        )));
    }
    let title = cut(notice.title.trim(), TITLE_CHARS);
    let body = cut(notice.body.trim(), BODY_CHARS);
    let ws = tenant.workspace.id;
    let permission_clause = if kind.permission.is_some() {
        " AND EXISTS (SELECT 1 FROM contact_permissions cp WHERE cp.contact_id = c.id AND cp.permission = $5)"
    } else {
        ""
    };
    let sql = format!(
        "SELECT c.id, c.email, c.name, c.password_hash IS NOT NULL, p.delivery \
         FROM contacts c LEFT JOIN notification_preferences p ON p.contact_id = c.id AND p.kind = $3 \
         WHERE c.workspace_id = $1 AND c.client_id = $2 AND c.active \
           AND (c.access_expires_on IS NULL OR c.access_expires_on >= $4){permission_clause} \
         ORDER BY c.id"
    );
    let site = notifier.mailroom.site(&tenant.workspace.slug);
    let now = crate::db::now();
    let mut told = Vec::new();
    let mut query = tx
        .query_as::<(i64, String, String, bool, Option<String>)>(&sql)
        .bind(ws)
        .bind(client_id)
        .bind(kind.key)
        .bind(Day::today());
    if let Some(p) = kind.permission {
        query = query.bind(p);
    }
    let candidates = query.fetch_all().await?;
    for (contact_id, address, name, joined, chosen) in candidates {
        if let Recipients::Contacts(ids) = recipients {
            if !ids.contains(&contact_id) {
                continue;
            }
        }
        let delivery = chosen
            .as_deref()
            .and_then(Delivery::parse)
            .unwrap_or(kind.default_delivery);
        tx.query(
            "INSERT INTO notifications \
             (workspace_id, client_id, contact_id, kind, title, body, link, created_at, digest_pending, source, about_type, about_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(ws)
        .bind(client_id)
        .bind(contact_id)
        .bind(kind.key)
        .bind(&title)
        .bind(&body)
        .bind(&notice.link)
        .bind(now)
        .bind(joined && delivery == Delivery::Daily)
        .bind(&notice.source)
        .bind(notice.about.map(|(record, _)| record))
        .bind(notice.about.map(|(_, id)| id))
        .execute()
        .await?;
        if joined && delivery == Delivery::Immediately {
            let mut mail = message(
                notifier,
                tenant,
                &site,
                &address,
                &name,
                &title,
                &body,
                &notice.link,
            )?;
            mail.source = notice.source.clone();
            mail.queue(tx).await?;
        }
        told.push(contact_id);
    }
    for contact in &told {
        notifier.unread.forget(*contact).await;
    }
    Ok(told.len())
}

#[allow(clippy::too_many_arguments)]
fn message(
    notifier: &Notifier,
    tenant: &Tenant,
    site: &str,
    to: &str,
    name: &str,
    title: &str,
    body: &str,
    link: &str,
) -> Result<Email> {
    notifier.mailroom.compose(
        tenant,
        "notification",
        to,
        title.to_string(),
        context! {
            name => name,
            title => title,
            body => body,
            link => format!("{site}/portal{link}"),
            preferences => format!("{site}/portal/notifications/email"),
        },
    )
}

/// Takes back what was said about `source` (something deleted): its notifications leave every
/// feed and digest, and emails not yet handed to the mail server are not sent. Inside the
/// transaction that deletes the thing. Returns how many notifications went.
pub async fn retract(
    notifier: &Notifier,
    tx: &mut ScopedTx,
    workspace_id: i64,
    source: &str,
) -> Result<u64> {
    let told: Vec<i64> = tx
        .query_scalar(
            "DELETE FROM notifications WHERE workspace_id = $1 AND source = $2 RETURNING contact_id",
        )
        .bind(workspace_id)
        .bind(source)
        .fetch_all()
        .await?;
    tx.query(
        "DELETE FROM email_outbox WHERE workspace_id = $1 AND source = $2 AND sent_at IS NULL \
         AND (claimed_until IS NULL OR claimed_until < $3)",
    )
    .bind(workspace_id)
    .bind(source)
    .bind(crate::db::now())
    .execute()
    .await?;
    for contact in &told {
        notifier.unread.forget(*contact).await;
    }
    Ok(told.len() as u64)
}

/// Rewrites what the notifications about `source` say (an edited reply); emails already sent
/// stay as they were.
pub async fn revise(
    notifier: &Notifier,
    tx: &mut ScopedTx,
    workspace_id: i64,
    source: &str,
    body: &str,
) -> Result<()> {
    let body = cut(body.trim(), BODY_CHARS);
    let told: Vec<i64> = tx
        .query_scalar(
            "UPDATE notifications SET body = $1 WHERE workspace_id = $2 AND source = $3 RETURNING contact_id",
        )
        .bind(&body)
        .bind(workspace_id)
        .bind(source)
        .fetch_all()
        .await?;
    for contact in &told {
        notifier.unread.forget(*contact).await;
    }
    Ok(())
}

/// At most `max` characters, cut at a character boundary with an ellipsis.
pub(crate) fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", text[..at].trim_end()),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn cutting_keeps_whole_characters() {
        assert_eq!(cut("héllo", 10), "héllo");
        assert_eq!(cut("héllo wörld", 7), "héllo w…");
        assert_eq!(
            cut("héllo wörld", 6),
            "héllo…",
            "no space before the ellipsis"
        );
        assert_eq!(cut("ééééé", 2), "éé…");
    }
}
