-- What a notification (and the email announcing it) is about, e.g. 'projects:comment:42', so
-- that taking the thing back — a reply deleted a minute after it was sent by mistake — takes
-- back its notifications and any email not yet handed to the mail server.
ALTER TABLE notifications ADD COLUMN source TEXT;
CREATE INDEX notifications_source ON notifications(workspace_id, source);
ALTER TABLE email_outbox ADD COLUMN source TEXT;
CREATE INDEX email_outbox_source ON email_outbox(workspace_id, source);
