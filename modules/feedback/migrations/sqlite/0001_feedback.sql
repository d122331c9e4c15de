-- Feedback a contact sends: each one a task in a staff member's inbox, answered in a thread
-- the contact reads (replies) beside notes only the team reads.

-- The categories a workspace offers (bug, change request, …). Never deleted once used:
-- archived, so old feedback keeps its category.
CREATE TABLE feedback_categories (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    position     INTEGER NOT NULL DEFAULT 0,
    archived     BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (workspace_id, name)
);

-- Who gets feedback no project lead takes.
CREATE TABLE feedback_settings (
    workspace_id        INTEGER PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    default_assignee_id INTEGER REFERENCES staff_users(id) ON DELETE SET NULL
);

CREATE TABLE feedback (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id    INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    contact_id   INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    -- Who sent it, as it was then (the contact may be removed later).
    sent_by      TEXT    NOT NULL,
    project_id   INTEGER REFERENCES projects(id) ON DELETE SET NULL,
    category_id  INTEGER REFERENCES feedback_categories(id),
    subject      TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'new'
                 CHECK (status IN ('new', 'in_progress', 'resolved', 'declined')),
    assignee_id  INTEGER REFERENCES staff_users(id) ON DELETE SET NULL,
    -- The project task it became, if the team turned it into work.
    task_id      INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX feedback_client ON feedback(workspace_id, client_id, updated_at);
CREATE INDEX feedback_assignee ON feedback(workspace_id, assignee_id, status);

-- The thread: the contact's follow-ups, the team's replies (shown to the client) and notes
-- (never shown). Rows are only ever added.
CREATE TABLE feedback_messages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id     INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    feedback_id   INTEGER NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
    author        TEXT    NOT NULL,
    contact_id    INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    staff_user_id INTEGER REFERENCES staff_users(id) ON DELETE SET NULL,
    body          TEXT    NOT NULL,
    internal      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    INTEGER NOT NULL
);
CREATE INDEX feedback_messages_feedback ON feedback_messages(feedback_id, id);

-- Files the contact attached (stored as the client's, in the core file store).
CREATE TABLE feedback_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id    INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    feedback_id  INTEGER NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
    file_id      INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    UNIQUE (feedback_id, file_id)
);
