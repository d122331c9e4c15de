-- What record a notification is about ('project', 3): while the contact may not see that
-- record (a project taken from them), the feed, the unread count and the digest leave the
-- notification out, and show it again if access comes back.
ALTER TABLE notifications ADD COLUMN about_type TEXT;
ALTER TABLE notifications ADD COLUMN about_id INTEGER;
