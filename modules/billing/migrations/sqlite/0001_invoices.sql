-- Invoices. Money is integer minor units of the invoice's currency; the totals are written
-- by the module's one totals function whenever a line or term changes, so lists read them
-- without recomputing. A draft has no number: numbers come from the workspace's sequence when
-- the invoice is issued, so issued numbers have no gaps.
CREATE TABLE invoice_settings (
    workspace_id INTEGER PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    prefix       TEXT    NOT NULL DEFAULT 'INV-',
    next_number  INTEGER  NOT NULL DEFAULT 1,
    -- What new invoices say about paying (bank details), unless they say otherwise.
    payment_instructions TEXT NOT NULL DEFAULT ''
);

CREATE TABLE invoices (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id     INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    number        TEXT,
    status        TEXT   NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'paid', 'void')),
    currency      TEXT   NOT NULL,
    issue_date    TEXT,
    due_date      TEXT,
    discount_bp   INTEGER NOT NULL DEFAULT 0 CHECK (discount_bp BETWEEN 0 AND 10000),
    tax_bp        INTEGER NOT NULL DEFAULT 0 CHECK (tax_bp BETWEEN 0 AND 10000),
    notes         TEXT   NOT NULL DEFAULT '',
    payment_instructions TEXT NOT NULL DEFAULT '',
    subtotal      INTEGER NOT NULL DEFAULT 0,
    discount      INTEGER NOT NULL DEFAULT 0,
    tax           INTEGER NOT NULL DEFAULT 0,
    total         INTEGER NOT NULL DEFAULT 0,
    -- The sum of its payments.
    paid          INTEGER NOT NULL DEFAULT 0,
    created_by    TEXT   NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    issued_at     INTEGER,
    UNIQUE (workspace_id, number)
);
CREATE INDEX invoices_client ON invoices(workspace_id, client_id, status);

CREATE TABLE invoice_lines (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id    INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    invoice_id   INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    description  TEXT   NOT NULL,
    -- Thousandths: 1.5 hours is 1500.
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    unit_price   INTEGER NOT NULL CHECK (unit_price >= 0),
    discount_bp  INTEGER NOT NULL DEFAULT 0 CHECK (discount_bp BETWEEN 0 AND 10000),
    -- NULL: the invoice's rate.
    tax_bp       INTEGER CHECK (tax_bp BETWEEN 0 AND 10000)
);
CREATE INDEX invoice_lines_invoice ON invoice_lines(invoice_id, id);

-- Money received: recorded by staff (a transfer, a cheque) or, later, by the payment
-- provider's confirmed event — each event once (`provider_event`).
CREATE TABLE invoice_payments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id   INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id      INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    invoice_id     INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    amount         INTEGER NOT NULL CHECK (amount > 0),
    method         TEXT   NOT NULL CHECK (method IN ('bank_transfer', 'cheque', 'cash', 'card', 'online', 'other')),
    reference      TEXT   NOT NULL DEFAULT '',
    paid_on        TEXT   NOT NULL,
    recorded_by    TEXT   NOT NULL,
    provider_event TEXT UNIQUE,
    created_at     INTEGER NOT NULL
);
CREATE INDEX invoice_payments_invoice ON invoice_payments(invoice_id, id);

-- Row-level security is PostgreSQL's; on SQLite, ClientScope and the queries' own filters
-- (never a draft for a client) are the wall.
