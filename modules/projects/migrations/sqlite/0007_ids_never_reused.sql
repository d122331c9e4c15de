-- Ids are never handed out twice: a deleted project's, milestone's, task's or comment's id
-- must not come back as another's while links, notifications and the audit log still name
-- it. The core's tables said AUTOINCREMENT from the start; these four did not, and SQLite
-- cannot add it to a table, so each is rebuilt with its rows, ids and indexes as they were.
--
-- SQLite's way to change a table (its "12 steps"): build the new one beside it, copy the
-- rows, drop the old, rename the new. Other tables keep naming `projects`, `tasks`, … and so
-- reach the rebuilt tables. The migrator runs SQLite migrations with foreign keys off, so
-- dropping the old table cascades to nothing, and checks every reference afterwards.
CREATE TABLE projects_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
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
    updated_at   INTEGER NOT NULL,
    lead_id      INTEGER REFERENCES staff_users(id) ON DELETE SET NULL
);
INSERT INTO projects_new (id, workspace_id, client_id, name, description, status, start_date,
                      due_date, progress, created_at, updated_at, lead_id)
    SELECT id, workspace_id, client_id, name, description, status, start_date,
           due_date, progress, created_at, updated_at, lead_id
    FROM projects;
DROP TABLE projects;
ALTER TABLE projects_new RENAME TO projects;
CREATE INDEX projects_client ON projects(workspace_id, client_id, id);

CREATE TABLE milestones_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    client_id    INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    due_date     TEXT,
    completed_at INTEGER,
    position     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO milestones_new (id, project_id, workspace_id, client_id, title, due_date, completed_at, position)
    SELECT id, project_id, workspace_id, client_id, title, due_date, completed_at, position
    FROM milestones;
DROP TABLE milestones;
ALTER TABLE milestones_new RENAME TO milestones;
CREATE INDEX milestones_project ON milestones(project_id, position);
CREATE INDEX milestones_client_due ON milestones(workspace_id, client_id, due_date);

CREATE TABLE tasks_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO tasks_new (id, project_id, workspace_id, client_id, title, description, internal_notes,
                   status, priority, assignee_id, due_date, client_visible, position,
                   created_at, updated_at, completed_at)
    SELECT id, project_id, workspace_id, client_id, title, description, internal_notes,
           status, priority, assignee_id, due_date, client_visible, position,
           created_at, updated_at, completed_at
    FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_new RENAME TO tasks;
CREATE INDEX tasks_project ON tasks(project_id, position, id);
CREATE INDEX tasks_client ON tasks(workspace_id, client_id, project_id);

CREATE TABLE comments_new (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id      INTEGER NOT NULL,
    client_id         INTEGER NOT NULL,
    project_id        INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    task_id           INTEGER REFERENCES tasks(id) ON DELETE CASCADE,
    kind              TEXT    NOT NULL CHECK (kind IN ('reply', 'note')),
    body              TEXT    NOT NULL,
    author_staff_id   INTEGER REFERENCES staff_users(id) ON DELETE CASCADE,
    author_contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
    created_at        INTEGER NOT NULL,
    edited_at         INTEGER,
    CHECK ((author_staff_id IS NULL) <> (author_contact_id IS NULL)),
    CHECK (author_contact_id IS NULL OR kind = 'reply')
);
INSERT INTO comments_new (id, workspace_id, client_id, project_id, task_id, kind, body,
                      author_staff_id, author_contact_id, created_at, edited_at)
    SELECT id, workspace_id, client_id, project_id, task_id, kind, body,
           author_staff_id, author_contact_id, created_at, edited_at
    FROM comments;
DROP TABLE comments;
ALTER TABLE comments_new RENAME TO comments;
CREATE INDEX comments_project ON comments(workspace_id, client_id, project_id, task_id, created_at);

