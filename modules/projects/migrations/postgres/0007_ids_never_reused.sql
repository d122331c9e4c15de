-- SQLite rebuilds projects, milestones, tasks and comments so their ids are never reused.
-- PostgreSQL's sequences never hand out an id twice: nothing to change here.
SELECT 1;
