-- API tokens end: each is given a lifetime when it is made (90 days unless chosen), and the
-- list shows when it was last used. Tokens made before this run out 90 days from the upgrade
-- (not from their making: an integration must not stop the moment the portal is upgraded).
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;
UPDATE api_tokens SET expires_at = CAST(strftime('%s', 'now') AS INTEGER) + 7776000;
