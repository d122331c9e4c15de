//! How a message leaves: over SMTP (lettre), or as `.eml` files in a directory — the default,
//! so a fresh install sends nothing anywhere and every message can still be opened.
use std::path::PathBuf;

use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::email::Email;
use crate::error::{Error, Result};

#[derive(Clone, Debug)]
pub enum MailTransport {
    /// Write each message as `{id}.eml` here.
    Directory(PathBuf),
    /// An SMTP URL as lettre reads it: `smtp://host:25`, `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS), `smtps://user:pass@host:465` (TLS).
    Smtp(String),
}

#[derive(Clone)]
pub enum Mailer {
    Directory(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Directory(dir) => write!(f, "Mailer::Directory({})", dir.display()),
            Mailer::Smtp(_) => f.write_str("Mailer::Smtp"),
        }
    }
}

impl Mailer {
    pub fn new(transport: &MailTransport) -> Result<Mailer> {
        Ok(match transport {
            MailTransport::Directory(dir) => Mailer::Directory(dir.clone()),
            MailTransport::Smtp(url) => Mailer::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| Error::Internal(format!("the SMTP URL is not usable: {e}")))?
                    .build(),
            ),
        })
    }

    /// Delivers one message; `id` names the file in directory mode.
    pub async fn send(&self, id: i64, from_address: &str, email: &Email) -> Result<(), String> {
        let message = build(from_address, email)?;
        match self {
            Mailer::Directory(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let path = dir.join(format!("{id:08}.eml"));
                tokio::fs::write(&path, message.formatted())
                    .await
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                // No mail server: the log says where the message is and which links it holds,
                // so a local user can follow an invitation without opening the file.
                let links: Vec<&str> = email
                    .text
                    .split_whitespace()
                    .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
                    .collect();
                tracing::info!(to = %email.to, kind = %email.kind, file = %path.display(), links = ?links, "email written");
                Ok(())
            }
            Mailer::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("SMTP: {e}")),
        }
    }
}

/// A multipart message: plain text first (what simple clients show), HTML second, and the
/// attachment, if any, beside them.
fn build(from_address: &str, email: &Email) -> Result<Message, String> {
    let from: Mailbox = format!("{} <{from_address}>", quote_name(&email.from_name))
        .parse()
        .map_err(|e| format!("the sender `{from_address}` is not an address: {e}"))?;
    let to: Mailbox = email
        .to
        .parse()
        .map_err(|e| format!("`{}` is not an address: {e}", email.to))?;
    let bodies = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(email.text.clone()),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(email.html.clone()),
        );
    let body = match &email.attachment {
        None => bodies,
        Some(a) => {
            let kind = ContentType::parse(&a.content_type)
                .map_err(|e| format!("`{}` is not a content type: {e}", a.content_type))?;
            MultiPart::mixed()
                .multipart(bodies)
                .singlepart(Attachment::new(a.name.clone()).body(a.body.clone(), kind))
        }
    };
    Message::builder()
        .from(from)
        .to(to)
        .subject(email.subject.clone())
        .multipart(body)
        .map_err(|e| format!("cannot build the message: {e}"))
}

/// A display name as a quoted string, so commas and angle brackets in a workspace's name
/// cannot turn into extra addresses.
fn quote_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '"' || c == '\\' { '\'' } else { c })
        .collect();
    format!("\"{clean}\"")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn email(from_name: &str, to: &str) -> Email {
        Email {
            workspace_id: None,
            kind: "test".into(),
            to: to.into(),
            from_name: from_name.into(),
            subject: "Hello".into(),
            text: "Plain".into(),
            html: "<p>Rich</p>".into(),
            source: None,
            attachment: None,
            outbox: None,
        }
    }

    #[test]
    fn hostile_sender_names_stay_one_name() {
        let m = build(
            "portal@example.com",
            &email("Acme, <evil@x.com> \"Ltd\"", "a@b.c"),
        )
        .unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        let from = raw.lines().find(|l| l.starts_with("From:")).unwrap();
        assert!(from.ends_with("<portal@example.com>"), "{from}");
        // The name travels encoded or quoted: one address, the configured one.
        assert_eq!(from.matches('<').count(), 1, "one address only: {from}");
    }

    #[test]
    fn a_bad_recipient_is_an_error_not_a_panic() {
        assert!(build("portal@example.com", &email("Acme", "not an address")).is_err());
        assert!(build("not a sender", &email("Acme", "a@b.c")).is_err());
    }
}
