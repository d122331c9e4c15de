-- SQLite gains the trigger on add-on updates that PostgreSQL's
-- workspace_addons_bump_revision (INSERT OR UPDATE OR DELETE) always had.
SELECT 1;
