CREATE TABLE notices (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- NULL: every client of the workspace sees it.
    client_id    INTEGER REFERENCES clients(id) ON DELETE CASCADE,
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX notices_workspace ON notices(workspace_id, client_id, id);

CREATE TABLE notice_acks (
    notice_id       INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    contact_id      INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    acknowledged_at INTEGER NOT NULL,
    PRIMARY KEY (notice_id, contact_id)
);
