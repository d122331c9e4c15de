-- Each workspace's own Stripe account: its keys sealed with the deployment's key (never
-- stored plain), and the Checkout sessions the portal opened — what was asked for, so a
-- payment event is checked against it and applied once.
CREATE TABLE billing_stripe (
    workspace_id          INTEGER PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    secret_key_sealed     TEXT   NOT NULL,
    webhook_secret_sealed TEXT   NOT NULL,
    -- The key's last four characters, to recognise it by.
    key_hint              TEXT   NOT NULL,
    connected_by          TEXT   NOT NULL,
    connected_at          INTEGER NOT NULL
);

CREATE TABLE billing_checkouts (
    session_id   TEXT   PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id    INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    invoice_id   INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    amount       INTEGER NOT NULL,
    currency     TEXT   NOT NULL,
    -- Where the contact pays: reused while the session is open.
    url          TEXT   NOT NULL,
    created_at   INTEGER NOT NULL,
    -- When its payment was recorded (once).
    completed_at INTEGER
);
CREATE INDEX billing_checkouts_invoice ON billing_checkouts(invoice_id);
