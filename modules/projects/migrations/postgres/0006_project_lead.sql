-- The team member who leads the project: the one client feedback about it goes to.
ALTER TABLE projects ADD COLUMN lead_id BIGINT REFERENCES staff_users(id) ON DELETE SET NULL;
