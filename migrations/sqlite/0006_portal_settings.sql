-- Per-workspace portal settings: whether the portal is open at all, and the white-label
-- texts (welcome message, support email) next to the branding columns of 0001/0002.
ALTER TABLE workspaces ADD COLUMN portal_enabled BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE workspaces ADD COLUMN welcome_message TEXT;
ALTER TABLE workspaces ADD COLUMN support_email TEXT;

-- A settings change made anywhere (a SQL console included) moves the revision like a plan
-- change does, so whatever is cached against the revision — sessions, entitlements, and any
-- module's per-workspace cache — is rebuilt on the next request of every instance.
-- (SQLite runs no trigger recursively, and `revision` is not among the watched columns.)
CREATE TRIGGER workspaces_bump_revision_settings
AFTER UPDATE OF portal_enabled, welcome_message, support_email, accent_color, logo_url, sender_name ON workspaces
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id = NEW.id; END;
