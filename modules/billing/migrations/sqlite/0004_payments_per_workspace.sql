-- A payment provider's event id is unique within its workspace, not across the deployment:
-- a workspace that signs its own webhooks must not be able to use up the id of another's
-- real payment. And what a payment brings beyond what the invoice still owed (paid twice, in
-- two tabs or another way, or after a void) is recorded as due back, for the team to refund.
-- SQLite cannot drop a column's UNIQUE: the table is rebuilt as it was, with the new keys.
CREATE TABLE invoice_payments_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id   INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id      INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    invoice_id     INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    amount         INTEGER NOT NULL CHECK (amount > 0),
    method         TEXT   NOT NULL CHECK (method IN ('bank_transfer', 'cheque', 'cash', 'card', 'online', 'other')),
    reference      TEXT   NOT NULL DEFAULT '',
    paid_on        TEXT   NOT NULL,
    recorded_by    TEXT   NOT NULL,
    provider_event TEXT,
    created_at     INTEGER NOT NULL,
    refund_due     INTEGER NOT NULL DEFAULT 0 CHECK (refund_due >= 0),
    UNIQUE (workspace_id, provider_event)
);
INSERT INTO invoice_payments_new
    (id, workspace_id, client_id, invoice_id, amount, method, reference, paid_on, recorded_by, provider_event, created_at)
    SELECT id, workspace_id, client_id, invoice_id, amount, method, reference, paid_on, recorded_by, provider_event, created_at
    FROM invoice_payments;
DROP TABLE invoice_payments;
ALTER TABLE invoice_payments_new RENAME TO invoice_payments;
CREATE INDEX invoice_payments_invoice ON invoice_payments(invoice_id, id);
