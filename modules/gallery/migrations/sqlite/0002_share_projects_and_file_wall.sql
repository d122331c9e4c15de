-- A share may be tied to one of the client's projects: the Files tab shows and filters by it,
-- and a contact limited to some projects sees only the files of those (and the untied ones).
ALTER TABLE shared_files ADD COLUMN project_id INTEGER REFERENCES projects(id) ON DELETE SET NULL;
CREATE INDEX shared_files_file ON shared_files(file_id);
