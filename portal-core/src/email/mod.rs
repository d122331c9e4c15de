//! Email: composed from the workspace's branded templates, written to an outbox table in the
//! same transaction as whatever it announces, and delivered by a background sender.
//!
//! Nothing is lost on a crash or a retry: a message exists once its transaction commits, the
//! sender claims due messages for a while (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several
//! instances share the work), retries failures with growing delays, and gives up only after
//! [`outbox::MAX_ATTEMPTS`]. Once sent, the bodies are cleared: they may hold sign-in links,
//! and the outbox is a record of what was sent, not a second copy of every token.
mod compose;
pub mod outbox;
mod transport;

pub use compose::{workspace_url, Mailroom};
pub use outbox::Outbox;
pub use transport::{MailTransport, Mailer};

use crate::bell::Bell;
use crate::db::ScopedTx;
use crate::error::Result;

/// Where mail comes from and how it leaves.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// The envelope and `From` address; the display name is the workspace's sender name.
    pub from_address: String,
    pub transport: MailTransport,
    /// Run the background sender in this process.
    pub deliver: bool,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            from_address: "portal@localhost".into(),
            transport: MailTransport::Directory("data/mail".into()),
            deliver: true,
        }
    }
}

/// A message ready to queue: what [`Mailroom::compose`] returns.
#[derive(Clone, Debug)]
pub struct Email {
    pub workspace_id: Option<i64>,
    /// What the message is about (`invite`, `reset`, …): for the log and the admin.
    pub kind: String,
    pub to: String,
    pub from_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// What it announces (see `notifications::retract`), if it can be taken back.
    pub source: Option<String>,
    /// A file sent with it (a meeting's invitation as `.ics`).
    pub attachment: Option<Attachment>,
    /// The sender's bell, rung once the message's transaction commits (set by
    /// [`Mailroom::compose`]); without one the sender finds it on its next round.
    pub outbox: Option<Bell>,
}

/// A text file sent with a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    /// With its parameters: `text/calendar; method=REQUEST; charset=utf-8`.
    pub content_type: String,
    pub body: String,
}

const INSERT: &str = "INSERT INTO email_outbox \
    (workspace_id, kind, to_address, from_name, subject, text_body, html_body, created_at, next_attempt_at, source, \
     attachment_name, attachment_type, attachment_body) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12)";

impl Email {
    /// Queues the message in `tx` — the transaction that makes what it announces true, so
    /// the two commit or vanish together — and wakes the sender once `tx` commits (never for
    /// a rollback), so it goes out at once instead of on the sender's next round.
    pub async fn queue(&self, tx: &mut ScopedTx) -> Result<()> {
        let attachment = self.attachment.as_ref();
        tx.query(INSERT)
            .bind(self.workspace_id)
            .bind(&self.kind)
            .bind(&self.to)
            .bind(&self.from_name)
            .bind(&self.subject)
            .bind(&self.text)
            .bind(&self.html)
            .bind(crate::db::now())
            .bind(&self.source)
            .bind(attachment.map(|a| a.name.as_str()))
            .bind(attachment.map(|a| a.content_type.as_str()))
            .bind(attachment.map(|a| a.body.as_str()))
            .execute()
            .await?;
        if let Some(bell) = self.outbox.clone() {
            tx.after_commit(move || bell.ring());
        }
        Ok(())
    }
}
