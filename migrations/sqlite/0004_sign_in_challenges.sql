-- The step between a correct password (or one-time link) and a session, for accounts with
-- two-step sign-in: the browser holds the token, the database its hash.
CREATE TABLE sign_in_challenges (
    token_hash     TEXT    PRIMARY KEY,
    workspace_id   INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    surface        TEXT    NOT NULL CHECK (surface IN ('portal', 'admin')),
    account_id     INTEGER NOT NULL,
    -- Where to go once through.
    next           TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    failures       INTEGER NOT NULL DEFAULT 0,
    -- A secret being enrolled (staff whose workspace requires two-step sign-in).
    pending_secret TEXT
);
