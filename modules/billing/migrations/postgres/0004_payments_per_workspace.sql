-- A payment provider's event id is unique within its workspace, not across the deployment:
-- a workspace that signs its own webhooks must not be able to use up the id of another's
-- real payment. And what a payment brings beyond what the invoice still owed (paid twice, in
-- two tabs or another way, or after a void) is recorded as due back, for the team to refund.
ALTER TABLE invoice_payments DROP CONSTRAINT invoice_payments_provider_event_key;
ALTER TABLE invoice_payments ADD CONSTRAINT invoice_payments_workspace_event UNIQUE (workspace_id, provider_event);
ALTER TABLE invoice_payments ADD COLUMN refund_due BIGINT NOT NULL DEFAULT 0 CHECK (refund_due >= 0);
