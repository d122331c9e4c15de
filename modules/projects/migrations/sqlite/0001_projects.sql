CREATE TABLE projects (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id    INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL DEFAULT 'planning'
                 CHECK (status IN ('planning', 'in_progress', 'in_review', 'on_hold', 'completed')),
    start_date   TEXT,
    due_date     TEXT,
    progress     INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX projects_client ON projects(workspace_id, client_id, id);

CREATE TABLE milestones (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    client_id    INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    due_date     TEXT,
    completed_at INTEGER,
    position     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX milestones_project ON milestones(project_id, position);
CREATE INDEX milestones_client_due ON milestones(workspace_id, client_id, due_date);
