-- API tokens end: each is given a lifetime when it is made (90 days unless chosen), and the
-- list shows when it was last used. Tokens made before this run out 90 days after they were
-- made.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
UPDATE api_tokens SET expires_at = created_at + 7776000;
