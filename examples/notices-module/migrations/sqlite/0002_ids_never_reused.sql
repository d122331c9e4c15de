-- A deleted notice's id never comes back as another's: the table is rebuilt with
-- AUTOINCREMENT, its rows and ids as they were (SQLite cannot add it in place). The
-- migrator runs with foreign keys off, so dropping the old table takes no acknowledgement
-- with it; notice_acks keeps naming `notices`, the rebuilt table.
CREATE TABLE notices_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- NULL: every client of the workspace sees it.
    client_id    INTEGER REFERENCES clients(id) ON DELETE CASCADE,
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
INSERT INTO notices_new (id, workspace_id, client_id, title, body, created_at)
    SELECT id, workspace_id, client_id, title, body, created_at FROM notices;
DROP TABLE notices;
ALTER TABLE notices_new RENAME TO notices;
CREATE INDEX notices_workspace ON notices(workspace_id, client_id, id);
