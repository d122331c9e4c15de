-- Thumbnails of uploaded images, made once in the background and kept beside the file
-- (`{storage_key}.thumb`). State: NULL (not an image), 'pending', 'working' (claimed until
-- thumbnail_claimed_until), 'ready', 'failed'.
ALTER TABLE files ADD COLUMN thumbnail_state TEXT;
ALTER TABLE files ADD COLUMN thumbnail_claimed_until BIGINT;
ALTER TABLE files ADD COLUMN thumbnail_type TEXT;
ALTER TABLE files ADD COLUMN thumbnail_size BIGINT;
CREATE INDEX files_thumbnail_due ON files(thumbnail_state) WHERE thumbnail_state IN ('pending', 'working');
