-- The uploaded file that is the workspace's logo, the one file /assets/logo/{id} serves to
-- anyone. Set only by the logo upload, cleared when the logo address changes to anything else:
-- a typed address never makes a file public. Logos uploaded before this are kept: a PNG,
-- JPEG, GIF or WebP of the agency's own (the types the upload takes), at most 2 MB, whose id
-- ends the logo address.
ALTER TABLE workspaces ADD COLUMN logo_file_id INTEGER;
UPDATE workspaces SET logo_file_id = (
    SELECT f.id FROM files f
    WHERE f.workspace_id = workspaces.id AND f.client_id IS NULL
      AND f.content_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp') AND f.size <= 2097152
      AND workspaces.logo_url LIKE '%/assets/logo/' || f.id
) WHERE logo_url LIKE '%/assets/logo/%';
