-- Stored files: what lies under each generated key. The object itself is in the file store
-- (a directory or an S3-compatible bucket); its original name is metadata only.
CREATE TABLE files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- The client a file belongs to (a contact's attachment); NULL for the agency's own.
    client_id    INTEGER REFERENCES clients(id) ON DELETE CASCADE,
    storage_key  TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL CHECK (size >= 0),
    -- Who uploaded it, by name at the time.
    uploaded_by  TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX files_workspace ON files(workspace_id, created_at);

-- A workspace's largest upload in MB; NULL: the deployment's default.
ALTER TABLE workspaces ADD COLUMN max_file_mb INTEGER;
