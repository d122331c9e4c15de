-- Files behind the second wall: a client's scope sees the files that are its own (what its
-- contacts sent, what staff delivered to it). The agency's own files (no client) stay hidden
-- from it unless a module adds a policy that shows some of them — the gallery shows the ones
-- shared with the client. Policies on one table are alternatives: any one admitting a row
-- admits it.
ALTER TABLE files ENABLE ROW LEVEL SECURITY;
CREATE POLICY client_scope ON files
    USING (portico_in_scope(workspace_id, client_id)) WITH CHECK (portico_in_scope(workspace_id, client_id));
