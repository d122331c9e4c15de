-- The portal's notification feed, each contact's email choices per kind, and when each
-- contact's daily digest last went out.

CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id    INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    contact_id   INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL DEFAULT '',
    -- Below the portal root, e.g. '/projects/3#reply-9'.
    link         TEXT    NOT NULL DEFAULT '/',
    created_at   INTEGER NOT NULL,
    read_at      INTEGER,
    -- Waiting for the contact's next daily digest.
    digest_pending BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX notifications_feed ON notifications(contact_id, id);
CREATE INDEX notifications_unread ON notifications(contact_id) WHERE read_at IS NULL;
CREATE INDEX notifications_digest ON notifications(contact_id) WHERE digest_pending;

-- A contact without a row for a kind gets the kind's default delivery.
CREATE TABLE notification_preferences (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    delivery   TEXT    NOT NULL CHECK (delivery IN ('immediately', 'daily', 'never')),
    PRIMARY KEY (contact_id, kind)
);

CREATE TABLE notification_digests (
    contact_id   INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
    last_sent_at INTEGER NOT NULL
);
