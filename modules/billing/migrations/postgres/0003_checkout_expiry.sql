-- When the portal closed a Checkout session at Stripe because the invoice's balance changed
-- under it (a payment recorded by hand, another paid online, a void): a tab left open on the
-- old amount can no longer take it, and the session is not offered again.
ALTER TABLE billing_checkouts ADD COLUMN expired_at BIGINT;
