-- Links staff share: for one client, or (client_id NULL) for every client of the workspace.
CREATE TABLE links (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id    INTEGER REFERENCES clients(id) ON DELETE CASCADE,
    title        TEXT    NOT NULL,
    url          TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX links_workspace ON links(workspace_id, client_id, id);
