-- "View as" previews, the staff audit log, and two-factor sign-in.

-- A preview session shows a contact's portal to a staff member, read-only.
ALTER TABLE portal_sessions ADD COLUMN preview_by INTEGER REFERENCES staff_users(id) ON DELETE CASCADE;

-- What staff did that a client may ask about: who, what, when, from where.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    staff_user_id INTEGER REFERENCES staff_users(id) ON DELETE SET NULL,
    -- Kept as it was, should the staff account go.
    staff_name    TEXT    NOT NULL,
    action        TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    ip            TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);
CREATE INDEX audit_log_workspace ON audit_log(workspace_id, id);

-- TOTP (RFC 6238): the shared secret (base32), and when it was confirmed; until then it is
-- only being set up.
ALTER TABLE contacts ADD COLUMN totp_secret TEXT;
ALTER TABLE contacts ADD COLUMN totp_enabled_at INTEGER;
ALTER TABLE staff_users ADD COLUMN totp_secret TEXT;
ALTER TABLE staff_users ADD COLUMN totp_enabled_at INTEGER;
-- The last time step accepted, so one code cannot be used twice.
ALTER TABLE contacts ADD COLUMN totp_last_step INTEGER;
ALTER TABLE staff_users ADD COLUMN totp_last_step INTEGER;
ALTER TABLE workspaces ADD COLUMN require_staff_2fa BOOLEAN NOT NULL DEFAULT FALSE;
