-- Email outbox, one-time contact tokens (invitations, sign-in links, password resets), and
-- the name a workspace's emails come from.

ALTER TABLE workspaces ADD COLUMN sender_name TEXT;

-- The last day (ISO date, inclusive) a contact may use the portal; NULL for no limit.
ALTER TABLE contacts ADD COLUMN access_expires_on TEXT;

-- Written in the same transaction as what a message announces; delivered by the sender.
CREATE TABLE email_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id    INTEGER REFERENCES workspaces(id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL,
    to_address      TEXT    NOT NULL,
    from_name       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    -- Cleared once sent: they may hold sign-in links.
    text_body       TEXT    NOT NULL,
    html_body       TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER,
    sent_at         INTEGER,
    failed_at       INTEGER,
    last_error      TEXT
);
CREATE INDEX email_outbox_due ON email_outbox(next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- Links that sign a contact in once. Only a SHA-256 of each token is stored.
CREATE TABLE contact_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   TEXT    NOT NULL UNIQUE,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id   INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    purpose      TEXT    NOT NULL CHECK (purpose IN ('invite', 'sign_in', 'reset')),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER,
    revoked_at   INTEGER,
    -- The staff member who sent an invitation.
    created_by   INTEGER REFERENCES staff_users(id) ON DELETE SET NULL
);
CREATE INDEX contact_tokens_contact ON contact_tokens(contact_id, purpose, id);
