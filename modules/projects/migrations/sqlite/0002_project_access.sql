-- Contacts limited to some of their client's projects. A contact with no rows here sees all
-- of the client's projects; with rows, only those.
CREATE TABLE project_access (
    contact_id   INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    PRIMARY KEY (contact_id, project_id)
);
