-- One attachment a message may carry (a meeting's .ics): text, cleared with the bodies once
-- the message is sent.
ALTER TABLE email_outbox ADD COLUMN attachment_name TEXT;
ALTER TABLE email_outbox ADD COLUMN attachment_type TEXT;
ALTER TABLE email_outbox ADD COLUMN attachment_body TEXT;
