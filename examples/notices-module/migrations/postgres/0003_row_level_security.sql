-- The second wall behind ClientScope: inside a contact's scoped transaction a query that
-- forgot its client filter still sees only the workspace-wide notices and their client's.
-- A notice for every client (client_id NULL) counts as the scope's own client's.
ALTER TABLE notices ENABLE ROW LEVEL SECURITY;
CREATE POLICY client_scope ON notices
    USING (portico_in_scope(workspace_id,
        COALESCE(client_id, NULLIF(current_setting('portico.client_id', true), '')::BIGINT)))
    WITH CHECK (portico_in_scope(workspace_id,
        COALESCE(client_id, NULLIF(current_setting('portico.client_id', true), '')::BIGINT)));
