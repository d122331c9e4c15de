-- What contacts do in the portal — sign-ins, records viewed, comments, approvals, downloads,
-- payments — and the team's replies to them, for the staff's activity view and figures.
CREATE TABLE activity (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id     INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    -- Exactly one of the two acted.
    contact_id    INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    staff_user_id INTEGER REFERENCES staff_users(id) ON DELETE SET NULL,
    -- Their name at the time: the record outlives the account.
    actor         TEXT    NOT NULL,
    action        TEXT    NOT NULL,
    -- What it was about, e.g. 'project:3', and its name then.
    subject       TEXT    NOT NULL DEFAULT '',
    label         TEXT    NOT NULL DEFAULT '',
    ip            TEXT    NOT NULL DEFAULT '',
    user_agent    TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);
CREATE INDEX activity_client ON activity(workspace_id, client_id, id);
CREATE INDEX activity_subject ON activity(workspace_id, client_id, subject, created_at);
CREATE INDEX activity_contact ON activity(contact_id, action, created_at);
