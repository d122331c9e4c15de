-- An add-on row changed in place (a SQL console moving it to another add-on or workspace)
-- bumps the revision like an insert or delete does, as PostgreSQL's trigger always did:
-- entitlements are cached by revision, and a change nothing bumps would stay unseen.
CREATE TRIGGER workspace_addons_bump_revision_upd AFTER UPDATE ON workspace_addons
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id IN (OLD.workspace_id, NEW.workspace_id); END;
