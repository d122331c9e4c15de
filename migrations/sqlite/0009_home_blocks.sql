-- How a workspace arranges its portal home: which quick-action cards and widgets show, in
-- what order, under which titles, with which choices. A block without a row keeps the
-- module's defaults. Block keys: 'card:{module}.{key}', 'widget:{module}.{key}'.
CREATE TABLE home_blocks (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    block        TEXT    NOT NULL,
    position     INTEGER NOT NULL,
    shown        BOOLEAN NOT NULL DEFAULT TRUE,
    -- NULL: the module's own title and text.
    title        TEXT,
    text         TEXT,
    -- Comma-separated picked values; NULL: the module's defaults.
    choices      TEXT,
    PRIMARY KEY (workspace_id, block)
);

-- The home's arrangement is cached per workspace revision: any change bumps it.
CREATE TRIGGER home_blocks_bump_revision_ins AFTER INSERT ON home_blocks
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id = NEW.workspace_id; END;
CREATE TRIGGER home_blocks_bump_revision_upd AFTER UPDATE ON home_blocks
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id IN (OLD.workspace_id, NEW.workspace_id); END;
CREATE TRIGGER home_blocks_bump_revision_del AFTER DELETE ON home_blocks
BEGIN UPDATE workspaces SET revision = revision + 1 WHERE id = OLD.workspace_id; END;
