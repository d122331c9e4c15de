-- Row-level security is PostgreSQL's; on SQLite, ClientScope is the only wall.
SELECT 1;
