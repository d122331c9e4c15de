-- A share may be tied to one of the client's projects: the Files tab shows and filters by it,
-- and a contact limited to some projects sees only the files of those (and the untied ones).
ALTER TABLE shared_files ADD COLUMN project_id BIGINT REFERENCES projects(id) ON DELETE SET NULL;
CREATE INDEX shared_files_file ON shared_files(file_id);

-- Row-level security on files admits a client's own files; this admits, for reading, the
-- agency's files shared with the client (the subquery runs under shared_files' own policy,
-- so it finds only the scope's client's shares).
CREATE POLICY shared_with_client ON files FOR SELECT
    USING (client_id IS NULL AND EXISTS (
        SELECT 1 FROM shared_files s WHERE s.file_id = files.id AND s.workspace_id = files.workspace_id));
