-- Files staff share with a client: the client sees these and nothing else of the workspace's
-- files. Unsharing deletes the row, so it takes effect on the next request.
CREATE TABLE shared_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id    INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    file_id      INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    -- Files shared together under one name ("Brand guidelines v2"); '' for none.
    folder       TEXT    NOT NULL DEFAULT '',
    shared_by    TEXT    NOT NULL,
    shared_at    INTEGER NOT NULL,
    UNIQUE (client_id, file_id)
);
CREATE INDEX shared_files_client ON shared_files(workspace_id, client_id, shared_at);

