-- When a staff member left the team: set, they cannot sign in, their sessions and API tokens
-- are gone, and pickers ("assign to", "lead", "host") no longer list them. Their name stays on
-- what they did (tasks, comments, the audit log). NULL: on the team.
ALTER TABLE staff_users ADD COLUMN deactivated_at BIGINT;
