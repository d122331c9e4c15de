-- How a workspace arranges its portal home: which quick-action cards and widgets show, in
-- what order, under which titles, with which choices. A block without a row keeps the
-- module's defaults. Block keys: 'card:{module}.{key}', 'widget:{module}.{key}'.
CREATE TABLE home_blocks (
    workspace_id BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
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
CREATE TRIGGER home_blocks_bump_revision AFTER INSERT OR UPDATE OR DELETE ON home_blocks
    FOR EACH ROW EXECUTE FUNCTION portico_bump_revision();
