-- Row-level security: the second wall behind ClientScope. Policies read the transaction-local
-- settings a scoped transaction sets (set_config(..., true)); where none is set (staff pages,
-- background work) they admit the rows, and the application's own workspace and client
-- filters are the only wall. Owners bypass RLS: the application connects as another role.

-- Whether a row of (workspace, client) is inside the current transaction's scope.
CREATE FUNCTION portico_in_scope(row_workspace BIGINT, row_client BIGINT) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
    SELECT (NULLIF(current_setting('portico.workspace_id', true), '') IS NULL
            OR row_workspace = NULLIF(current_setting('portico.workspace_id', true), '')::BIGINT)
       AND (NULLIF(current_setting('portico.client_id', true), '') IS NULL
            OR row_client = NULLIF(current_setting('portico.client_id', true), '')::BIGINT)
$$;

ALTER TABLE clients ENABLE ROW LEVEL SECURITY;
CREATE POLICY client_scope ON clients
    USING (portico_in_scope(workspace_id, id)) WITH CHECK (portico_in_scope(workspace_id, id));

ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
CREATE POLICY client_scope ON contacts
    USING (portico_in_scope(workspace_id, client_id)) WITH CHECK (portico_in_scope(workspace_id, client_id));
