-- Deliverables sent to the client for review. `status` moves only through the module's state
-- machine (status.rs), each move a conditional UPDATE on the status and version the actor
-- saw, so two people acting at once cannot both move it.
CREATE TABLE approvals (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id     INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    project_id    INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    title         TEXT   NOT NULL,
    description   TEXT   NOT NULL DEFAULT '',
    due_date      TEXT,
    status        TEXT   NOT NULL DEFAULT 'draft'
                  CHECK (status IN ('draft', 'pending', 'approved', 'revision_requested')),
    -- The newest version's number.
    version       INTEGER NOT NULL DEFAULT 1,
    created_by_id INTEGER REFERENCES staff_users(id) ON DELETE SET NULL,
    created_by    TEXT   NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX approvals_client ON approvals(workspace_id, client_id, updated_at);

-- Each version of the deliverable: files are added to the newest while it is not yet sent.
CREATE TABLE approval_versions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id    INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    approval_id  INTEGER NOT NULL REFERENCES approvals(id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    -- When it went to the client; NULL while the team is still preparing it.
    submitted_at INTEGER,
    UNIQUE (approval_id, number)
);

-- A version's files. A file in a deliverable cannot be deleted from the file manager (the
-- reference is checked at the end of the statement): the review's record keeps what was
-- reviewed. Deleting the whole workspace or client still works: the cascade takes these
-- rows in the same statement.
CREATE TABLE approval_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id    INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    approval_id  INTEGER NOT NULL REFERENCES approvals(id) ON DELETE CASCADE,
    version_id   INTEGER NOT NULL REFERENCES approval_versions(id) ON DELETE CASCADE,
    file_id      INTEGER NOT NULL REFERENCES files(id),
    UNIQUE (version_id, file_id)
);
CREATE INDEX approval_files_file ON approval_files(file_id);
CREATE INDEX approval_files_approval ON approval_files(approval_id);

-- The review's history: every status change, comment and version, who and when. Rows are
-- only ever added.
CREATE TABLE approval_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id     INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    approval_id   INTEGER NOT NULL REFERENCES approvals(id) ON DELETE CASCADE,
    kind          TEXT   NOT NULL
                  CHECK (kind IN ('submitted', 'approved', 'revision_requested', 'comment')),
    version       INTEGER NOT NULL,
    body          TEXT   NOT NULL DEFAULT '',
    actor         TEXT   NOT NULL,
    contact_id    INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    staff_user_id INTEGER REFERENCES staff_users(id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX approval_events_approval ON approval_events(approval_id, id);

-- Row-level security is PostgreSQL's; on SQLite, ClientScope and the queries' own filters
-- (no drafts, no unsent versions for a client) are the wall.
