-- Core schema (SQLite). Timestamps are Unix seconds; dates are ISO 'YYYY-MM-DD' text.
-- Ids are AUTOINCREMENT: SQLite would otherwise reuse a deleted row's id, and a cached
-- session or entitlement keyed by a reused id could then reach another tenant's data.

CREATE TABLE workspaces (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    slug         TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    plan_id      TEXT    NOT NULL,
    -- Bumped in the same transaction as any change to the plan, add-ons or enabled modules;
    -- the entitlement cache compares it on every request.
    revision     INTEGER NOT NULL DEFAULT 1,
    accent_color TEXT    NOT NULL DEFAULT '#4f46e5',
    logo_url     TEXT,
    created_at   INTEGER NOT NULL
);

CREATE TABLE workspace_domains (
    domain       TEXT    PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    verified     BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX workspace_domains_workspace ON workspace_domains(workspace_id);

CREATE TABLE workspace_addons (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    addon_id     TEXT    NOT NULL,
    PRIMARY KEY (workspace_id, addon_id)
);

-- A linked module is enabled unless a row here says otherwise.
CREATE TABLE workspace_modules (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    module_id    TEXT    NOT NULL,
    enabled      BOOLEAN NOT NULL,
    PRIMARY KEY (workspace_id, module_id)
);

CREATE TABLE clients (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at   INTEGER NOT NULL
);
CREATE INDEX clients_workspace ON clients(workspace_id, id);

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id    INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    email        TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    -- argon2id PHC string; NULL until the contact sets a password.
    password_hash TEXT,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, email)
);
CREATE INDEX contacts_client ON contacts(workspace_id, client_id);

CREATE TABLE contact_permissions (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    permission TEXT    NOT NULL,
    PRIMARY KEY (contact_id, permission)
);

-- Only a SHA-256 of the session token is stored.
CREATE TABLE portal_sessions (
    token_hash   TEXT    PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id   INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    -- Seen at most a minute ago; an idle session ends after `session_idle_secs`.
    last_seen_at  INTEGER NOT NULL,
    -- What the contact sees in their list of sessions.
    user_agent    TEXT   NOT NULL DEFAULT '',
    ip            TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX portal_sessions_contact ON portal_sessions(contact_id);

CREATE TABLE staff_users (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    email        TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    role         TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    password_hash TEXT,
    created_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, email)
);

CREATE TABLE staff_sessions (
    token_hash    TEXT   PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    staff_user_id INTEGER NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    -- Seen at most a minute ago; an idle session ends after `session_idle_secs`.
    last_seen_at  INTEGER NOT NULL,
    -- What the contact sees in their list of sessions.
    user_agent    TEXT   NOT NULL DEFAULT '',
    ip            TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX staff_sessions_user ON staff_sessions(staff_user_id);

-- Bearer tokens for the staff JSON API; only a SHA-256 of each token is stored.
CREATE TABLE api_tokens (
    token_hash    TEXT   PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    staff_user_id INTEGER NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
    name          TEXT   NOT NULL,
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(staff_user_id);

-- Anything that changes what a request may see or do bumps its workspace's revision, whoever
-- writes it (this process, the CLI, another instance, a SQL console). The revision is read
-- on every request with the workspace, and cached entitlements and sessions are only used
-- while it is unchanged: no cache to clear, ever.
CREATE TRIGGER clients_bump_revision_upd AFTER UPDATE ON clients
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id IN (OLD.workspace_id, NEW.workspace_id); END;
CREATE TRIGGER clients_bump_revision_del AFTER DELETE ON clients
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id = OLD.workspace_id; END;
CREATE TRIGGER contacts_bump_revision_upd AFTER UPDATE ON contacts
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id IN (OLD.workspace_id, NEW.workspace_id); END;
CREATE TRIGGER contacts_bump_revision_del AFTER DELETE ON contacts
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id = OLD.workspace_id; END;
CREATE TRIGGER contact_permissions_bump_revision_ins AFTER INSERT ON contact_permissions
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id = (SELECT workspace_id FROM contacts WHERE id = NEW.contact_id); END;
CREATE TRIGGER contact_permissions_bump_revision_del AFTER DELETE ON contact_permissions
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id = (SELECT workspace_id FROM contacts WHERE id = OLD.contact_id); END;
-- Not on last_seen_at: touching a session must not invalidate every cache.
CREATE TRIGGER portal_sessions_bump_revision_upd AFTER UPDATE OF expires_at, contact_id, workspace_id ON portal_sessions
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id IN (OLD.workspace_id, NEW.workspace_id); END;
CREATE TRIGGER contact_permissions_bump_revision_upd AFTER UPDATE ON contact_permissions
BEGIN UPDATE workspaces SET revision = revision + 1
      WHERE id IN (SELECT workspace_id FROM contacts WHERE id IN (OLD.contact_id, NEW.contact_id)); END;
-- Plan, add-ons and modules: apply_change bumps too, but a SQL console must not be able to
-- get around it. (SQLite runs no trigger recursively, so this one does not re-fire itself.)
CREATE TRIGGER workspaces_bump_revision_plan AFTER UPDATE OF plan_id ON workspaces
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id = NEW.id; END;
CREATE TRIGGER workspace_addons_bump_revision_ins AFTER INSERT ON workspace_addons
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id = NEW.workspace_id; END;
CREATE TRIGGER workspace_addons_bump_revision_del AFTER DELETE ON workspace_addons
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id = OLD.workspace_id; END;
CREATE TRIGGER workspace_modules_bump_revision_ins AFTER INSERT ON workspace_modules
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id = NEW.workspace_id; END;
CREATE TRIGGER workspace_modules_bump_revision_upd AFTER UPDATE ON workspace_modules
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id IN (OLD.workspace_id, NEW.workspace_id); END;
CREATE TRIGGER workspace_modules_bump_revision_del AFTER DELETE ON workspace_modules
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id = OLD.workspace_id; END;
CREATE TRIGGER portal_sessions_bump_revision_del AFTER DELETE ON portal_sessions
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id = OLD.workspace_id; END;
