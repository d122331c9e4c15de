//! The email outbox: delivery over real SMTP, retries with growing delays, giving up, and
//! claims that a crashed sender leaves behind.

use portal_core::db::ScopedTx;
use portal_core::email::outbox::MAX_ATTEMPTS;
use portal_core::email::{Email, MailTransport};
use portico_tests::{backends, spawn_app_configured, spawn_app_with, Backend, Options, TestApp};

backends!(
    mail_is_delivered_once_and_its_bodies_cleared,
    failures_retry_later_and_finally_give_up,
    a_claim_left_by_a_crashed_sender_expires,
    without_smtp_mail_is_written_as_eml_files,
    an_attachment_travels_with_its_message,
);

fn email(to: &str) -> Email {
    Email {
        workspace_id: None,
        kind: "test".into(),
        to: to.into(),
        from_name: "Acme, \"the\" agency".into(),
        subject: "Your sign-in link".into(),
        text: "Plain: https://example.test/portal/link/abc".into(),
        html: "<p>Rich</p>".into(),
        source: None,
        attachment: None,
        outbox: None,
    }
}

async fn queue(app: &TestApp, to: &str) -> i64 {
    let mut tx = ScopedTx::begin_unscoped_write(app.db()).await.unwrap();
    email(to).queue(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    app.db()
        .query_scalar("SELECT MAX(id) FROM email_outbox")
        .fetch_one()
        .await
        .unwrap()
}

#[derive(sqlx::FromRow, Debug)]
struct Row {
    attempts: i64,
    next_attempt_at: i64,
    sent_at: Option<i64>,
    failed_at: Option<i64>,
    last_error: Option<String>,
    text_body: String,
}

async fn row(app: &TestApp, id: i64) -> Row {
    let sql = "SELECT attempts, next_attempt_at, sent_at, failed_at, last_error, text_body FROM email_outbox WHERE id = $1";
    app.db().query_as(sql).bind(id).fetch_one().await.unwrap()
}

async fn mail_is_delivered_once_and_its_bodies_cleared(backend: Backend) {
    // The background sender and this test's own round race for the message: claims make
    // sure it goes out once either way.
    let app = spawn_app_with(
        &backend,
        Options {
            mail: true,
            ..Default::default()
        },
    )
    .await;
    let id = queue(&app, "ann@example.test").await;
    app.state.outbox.deliver_due().await.unwrap();
    let server = app.mail.as_ref().unwrap();
    let got = server.wait_for("ann@example.test", 1).await;
    assert_eq!(got[0].subject, "Your sign-in link");
    assert!(got[0].text.contains("https://example.test/portal/link/abc"));
    assert!(got[0].from.contains("portal@localhost"), "{}", got[0].from);
    let r = row(&app, id).await;
    assert!(r.sent_at.is_some(), "{r:?}");
    assert_eq!(r.text_body, "", "a sent message keeps no copy of its links");
    // Further rounds send nothing again.
    assert_eq!(app.state.outbox.deliver_due().await.unwrap(), 0);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(server.received().len(), 1);
}

/// A message with an attachment (a meeting's .ics) arrives with it, beside the text and
/// HTML bodies; once sent, the outbox keeps no copy of it either.
async fn an_attachment_travels_with_its_message(backend: Backend) {
    let app = spawn_app_with(
        &backend,
        Options {
            mail: true,
            ..Default::default()
        },
    )
    .await;
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";
    let mut mail = email("ann@example.test");
    mail.attachment = Some(portal_core::email::Attachment {
        name: "invite.ics".into(),
        content_type: "text/calendar; method=REQUEST; charset=utf-8".into(),
        body: ics.into(),
    });
    let mut tx = ScopedTx::begin_unscoped_write(app.db()).await.unwrap();
    mail.queue(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    app.state.outbox.deliver_due().await.unwrap();
    let got = app
        .mail
        .as_ref()
        .unwrap()
        .wait_for("ann@example.test", 1)
        .await;
    assert!(got[0].text.contains("https://example.test/portal/link/abc"));
    assert_eq!(got[0].html.trim(), "<p>Rich</p>");
    assert_eq!(got[0].attachments.len(), 1, "{:?}", got[0].attachments);
    let (name, kind, body) = &got[0].attachments[0];
    assert_eq!(name, "invite.ics");
    assert!(kind.starts_with("text/calendar"), "{kind}");
    assert!(kind.contains("method=REQUEST"), "{kind}");
    assert_eq!(body.replace("\r\n", "\n"), ics.replace("\r\n", "\n"));
    let kept: Vec<Option<String>> = app
        .db()
        .query_scalar("SELECT attachment_body FROM email_outbox")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(kept, [None]);
}

/// An app whose SMTP server does not answer, with no background sender.
async fn unreachable_smtp(backend: &Backend) -> TestApp {
    let mut config = portal_core::PortalConfig::default();
    config.mail.transport = MailTransport::Smtp("smtp://127.0.0.1:9".into());
    let app = spawn_app_configured(backend, config).await;
    assert!(!app.state.config.mail.deliver);
    app
}

async fn failures_retry_later_and_finally_give_up(backend: Backend) {
    let app = unreachable_smtp(&backend).await;
    let id = queue(&app, "ann@example.test").await;
    let before = portal_core::db::now();
    assert_eq!(app.state.outbox.deliver_due().await.unwrap(), 0);
    let r = row(&app, id).await;
    assert_eq!(r.attempts, 1);
    assert!(
        r.last_error.as_deref().unwrap_or("").contains("SMTP"),
        "{r:?}"
    );
    assert!(r.next_attempt_at >= before + 30, "retried later: {r:?}");
    assert!(r.sent_at.is_none() && r.failed_at.is_none());
    assert!(!r.text_body.is_empty(), "kept for the retry");
    // Not due yet: the next round leaves it alone.
    app.state.outbox.deliver_due().await.unwrap();
    assert_eq!(row(&app, id).await.attempts, 1);

    // The last allowed attempt fails too: the message is marked failed and left alone.
    let sql = format!(
        "UPDATE email_outbox SET attempts = {}, next_attempt_at = 0 WHERE id = $1",
        MAX_ATTEMPTS - 1
    );
    app.sql(&sql, id).await;
    app.state.outbox.deliver_due().await.unwrap();
    let r = row(&app, id).await;
    assert_eq!(r.attempts, MAX_ATTEMPTS);
    assert!(r.failed_at.is_some(), "{r:?}");
    app.sql(
        "UPDATE email_outbox SET next_attempt_at = 0 WHERE id = $1",
        id,
    )
    .await;
    app.state.outbox.deliver_due().await.unwrap();
    assert_eq!(row(&app, id).await.attempts, MAX_ATTEMPTS);
}

async fn a_claim_left_by_a_crashed_sender_expires(backend: Backend) {
    let app = unreachable_smtp(&backend).await;
    let id = queue(&app, "ann@example.test").await;
    // Another sender claimed it and died: nobody touches it while the claim lasts…
    app.sql(
        "UPDATE email_outbox SET claimed_until = 4102444800 WHERE id = $1",
        id,
    )
    .await;
    app.state.outbox.deliver_due().await.unwrap();
    assert_eq!(row(&app, id).await.attempts, 0);
    // …and once it has run out, the message is taken up again.
    app.sql(
        "UPDATE email_outbox SET claimed_until = 1 WHERE id = $1",
        id,
    )
    .await;
    app.state.outbox.deliver_due().await.unwrap();
    assert_eq!(row(&app, id).await.attempts, 1);
}

async fn without_smtp_mail_is_written_as_eml_files(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = portal_core::PortalConfig::default();
    config.mail.transport = MailTransport::Directory(dir.path().join("mail"));
    let app = spawn_app_with(
        &backend,
        Options {
            config,
            ..Default::default()
        },
    )
    .await;
    let id = queue(&app, "ann@example.test").await;
    assert_eq!(app.state.outbox.deliver_due().await.unwrap(), 1);
    let file = dir.path().join("mail").join(format!("{id:08}.eml"));
    let raw = std::fs::read(&file).unwrap();
    let parsed = mailparse::parse_mail(&raw).unwrap();
    let text = parsed.subparts[0].get_body().unwrap();
    assert!(
        text.contains("https://example.test/portal/link/abc"),
        "{text}"
    );
    assert!(row(&app, id).await.sent_at.is_some());
}
