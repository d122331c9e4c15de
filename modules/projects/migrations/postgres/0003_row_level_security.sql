-- The projects module's client-owned tables behind the core's row-level security wall
-- (see the core migration 20261123_0005).
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY client_scope ON projects
    USING (portico_in_scope(workspace_id, client_id)) WITH CHECK (portico_in_scope(workspace_id, client_id));

ALTER TABLE milestones ENABLE ROW LEVEL SECURITY;
CREATE POLICY client_scope ON milestones
    USING (portico_in_scope(workspace_id, client_id)) WITH CHECK (portico_in_scope(workspace_id, client_id));

ALTER TABLE project_access ENABLE ROW LEVEL SECURITY;
CREATE POLICY client_scope ON project_access
    USING (portico_in_scope(workspace_id, (SELECT c.client_id FROM contacts c WHERE c.id = contact_id)))
    WITH CHECK (portico_in_scope(workspace_id, (SELECT c.client_id FROM contacts c WHERE c.id = contact_id)));
