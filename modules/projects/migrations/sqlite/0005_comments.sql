-- Comments on a project or on one of its tasks. A reply is for the client; a note is the
-- agency's own and never reaches a portal user. Staff write either; a contact only replies.
CREATE TABLE comments (
    id                INTEGER PRIMARY KEY,
    workspace_id      INTEGER NOT NULL,
    client_id         INTEGER NOT NULL,
    project_id        INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    task_id           INTEGER REFERENCES tasks(id) ON DELETE CASCADE,
    kind              TEXT    NOT NULL CHECK (kind IN ('reply', 'note')),
    body              TEXT    NOT NULL,
    author_staff_id   INTEGER REFERENCES staff_users(id) ON DELETE CASCADE,
    author_contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
    created_at        INTEGER NOT NULL,
    edited_at         INTEGER,
    -- Exactly one author. Accounts are deactivated, not deleted; a workspace's deletion takes
    -- everything with it.
    CHECK ((author_staff_id IS NULL) <> (author_contact_id IS NULL)),
    CHECK (author_contact_id IS NULL OR kind = 'reply')
);
CREATE INDEX comments_project ON comments(workspace_id, client_id, project_id, task_id, created_at);
