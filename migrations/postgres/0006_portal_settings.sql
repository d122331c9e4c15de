-- Per-workspace portal settings: whether the portal is open at all, and the white-label
-- texts (welcome message, support email) next to the branding columns of 0001/0002.
ALTER TABLE workspaces
    ADD COLUMN portal_enabled BOOLEAN NOT NULL DEFAULT TRUE,
    ADD COLUMN welcome_message TEXT,
    ADD COLUMN support_email TEXT;

-- A settings change made anywhere (a SQL console included) moves the revision like a plan
-- change does, so whatever is cached against the revision — sessions, entitlements, and any
-- module's per-workspace cache — is rebuilt on the next request of every instance.
CREATE FUNCTION portico_bump_settings_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.portal_enabled, NEW.welcome_message, NEW.support_email, NEW.accent_color, NEW.logo_url, NEW.sender_name)
       IS DISTINCT FROM
       (OLD.portal_enabled, OLD.welcome_message, OLD.support_email, OLD.accent_color, OLD.logo_url, OLD.sender_name)
       AND NEW.revision = OLD.revision THEN
        NEW.revision := OLD.revision + 1;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER workspaces_bump_revision_settings
    BEFORE UPDATE OF portal_enabled, welcome_message, support_email, accent_color, logo_url, sender_name ON workspaces
    FOR EACH ROW EXECUTE FUNCTION portico_bump_settings_revision();
