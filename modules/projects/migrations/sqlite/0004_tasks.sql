-- A project's tasks. The agency marks some client-visible; the rest, and every task's
-- internal notes, are the agency's own and never reach the portal. (SQLite has no row-level
-- security: the portal's queries are the only wall.)
CREATE TABLE tasks (
    id             INTEGER PRIMARY KEY,
    project_id     INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    workspace_id   INTEGER NOT NULL,
    client_id      INTEGER NOT NULL,
    title          TEXT    NOT NULL,
    -- Shown to the client only when the task is client-visible.
    description    TEXT    NOT NULL DEFAULT '',
    -- Task internals: never in the portal.
    internal_notes TEXT    NOT NULL DEFAULT '',
    status         TEXT    NOT NULL DEFAULT 'todo'
                   CHECK (status IN ('todo', 'in_progress', 'in_review', 'done')),
    priority       TEXT    NOT NULL DEFAULT 'normal'
                   CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee_id    INTEGER REFERENCES staff_users(id) ON DELETE SET NULL,
    due_date       TEXT,
    client_visible BOOLEAN NOT NULL DEFAULT FALSE,
    position       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    completed_at   INTEGER
);
CREATE INDEX tasks_project ON tasks(project_id, position, id);
CREATE INDEX tasks_client ON tasks(workspace_id, client_id, project_id);
