-- SQLite rebuilds notices so their ids are never reused; PostgreSQL's sequences never
-- hand out an id twice.
SELECT 1;
