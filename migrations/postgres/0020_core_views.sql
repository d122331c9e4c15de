-- What modules may read of the core's tables: these views, never the tables. Each names the
-- columns a module can rely on across core releases (a core change that drops or renames one
-- must keep the view's promise) and leaves out what no module should see: password hashes,
-- two-step secrets, storage keys, sessions. Modules write core data through core functions.
-- `security_invoker`: a view reads as the role and settings of the query that uses it, so the
-- tables' row-level security still holds inside a contact's scoped transaction.
CREATE VIEW core_clients WITH (security_invoker = true) AS
    SELECT id, workspace_id, name, active FROM clients;

CREATE VIEW core_contacts WITH (security_invoker = true) AS
    SELECT id, workspace_id, client_id, name, email, active FROM contacts;

CREATE VIEW core_contact_permissions WITH (security_invoker = true) AS
    SELECT contact_id, permission FROM contact_permissions;

CREATE VIEW core_staff WITH (security_invoker = true) AS
    SELECT id, workspace_id, name, email, role, deactivated_at IS NULL AS active FROM staff_users;

CREATE VIEW core_files WITH (security_invoker = true) AS
    SELECT id, workspace_id, client_id, name, content_type, size, uploaded_by, created_at,
           thumbnail_state
    FROM files;
