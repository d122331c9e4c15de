//! Paying online with Stripe Checkout, each workspace on its own Stripe account.
//!
//! - **Keys**: the secret key and the webhook signing secret are sealed with the deployment's
//!   key (`portal_core::secrets`), bound to the workspace, and never shown again.
//! - **Pay now** opens a Checkout session for the invoice's balance (remembered in
//!   `billing_checkouts`) and sends the contact there; they come back to a success or cancel
//!   page — which records nothing.
//! - **The payment** is recorded only from Stripe's `checkout.session.completed` webhook:
//!   `Stripe-Signature` is verified (HMAC-SHA256 over `timestamp.body`, within a tolerance),
//!   the session must be one this workspace opened, its amount and currency must be the ones
//!   asked for, and it is applied once however often or late it arrives. Anything else changes
//!   nothing and is logged.
//!
//! The API's address is configuration (`PortalConfig::stripe_api_base`), so the test suite
//! runs all of it against its own Stripe-compatible server.
use portal_core::prelude::*;
use portal_core::secrets::{self, SecretBox};
use serde::Deserialize;

use crate::money::Currency;
use crate::store::{self, Invoice};

/// How old a signed event may be: Stripe's own default.
pub const TOLERANCE_SECS: i64 = 300;

fn sealer(state: &AppState) -> SecretBox {
    SecretBox::new(&state.config.secret_key)
}

fn context(workspace_id: i64, what: &str) -> String {
    format!("billing:stripe:{what}:workspace:{workspace_id}")
}

/// The keys a workspace connected: secret key, webhook signing secret.
pub struct Keys {
    pub secret_key: String,
    pub webhook_secret: String,
}

/// How the admin shows the connection.
#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct Connection {
    pub key_hint: String,
    pub connected_by: String,
    pub connected_at: i64,
}

pub async fn connection(db: &Db, workspace_id: i64) -> Result<Option<Connection>> {
    let sql =
        "SELECT key_hint, connected_by, connected_at FROM billing_stripe WHERE workspace_id = $1";
    db.query_as::<Connection>(sql)
        .bind(workspace_id)
        .fetch_optional()
        .await
}

/// Stores (or replaces) the workspace's keys, sealed.
pub async fn connect(state: &AppState, workspace_id: i64, keys: &Keys, by: &str) -> Result<()> {
    let key_ok = (keys.secret_key.starts_with("sk_") || keys.secret_key.starts_with("rk_"))
        && keys.secret_key.len() >= 12
        && keys
            .secret_key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !key_ok {
        return Err(Error::BadRequest(
            "The secret key is the one starting with sk_ (or a restricted rk_ key) from your Stripe dashboard.".into(),
        ));
    }
    if !keys.webhook_secret.starts_with("whsec_") || keys.webhook_secret.len() < 12 {
        return Err(Error::BadRequest(
            "The webhook signing secret starts with whsec_: it is shown on the webhook's page in your Stripe dashboard.".into(),
        ));
    }
    let sealer = sealer(state);
    let secret = sealer.seal(&keys.secret_key, &context(workspace_id, "secret"))?;
    let webhook = sealer.seal(&keys.webhook_secret, &context(workspace_id, "webhook"))?;
    let hint: String = keys
        .secret_key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let sql = "INSERT INTO billing_stripe (workspace_id, secret_key_sealed, webhook_secret_sealed, key_hint, connected_by, connected_at) \
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (workspace_id) DO UPDATE SET \
               secret_key_sealed = excluded.secret_key_sealed, webhook_secret_sealed = excluded.webhook_secret_sealed, \
               key_hint = excluded.key_hint, connected_by = excluded.connected_by, connected_at = excluded.connected_at";
    state
        .db
        .query(sql)
        .bind(workspace_id)
        .bind(secret)
        .bind(webhook)
        .bind(hint)
        .bind(by)
        .bind(now())
        .execute()
        .await?;
    Ok(())
}

pub async fn disconnect(db: &Db, workspace_id: i64) -> Result<()> {
    db.query("DELETE FROM billing_stripe WHERE workspace_id = $1")
        .bind(workspace_id)
        .execute()
        .await?;
    Ok(())
}

async fn keys(state: &AppState, workspace_id: i64) -> Result<Option<Keys>> {
    let sql = "SELECT secret_key_sealed, webhook_secret_sealed FROM billing_stripe WHERE workspace_id = $1";
    let sealed = state
        .db
        .query_as::<(String, String)>(sql)
        .bind(workspace_id)
        .fetch_optional()
        .await?;
    let Some((secret, webhook)) = sealed else {
        return Ok(None);
    };
    let sealer = sealer(state);
    Ok(Some(Keys {
        secret_key: sealer.open(&secret, &context(workspace_id, "secret"))?,
        webhook_secret: sealer.open(&webhook, &context(workspace_id, "webhook"))?,
    }))
}

#[derive(Deserialize)]
struct CreatedSession {
    id: String,
    url: String,
}

/// The smallest charge Stripe accepts per currency (in minor units), from Stripe's list.
const MINIMUM_CHARGE: &[(&str, i64)] = &[
    ("USD", 50),
    ("EUR", 50),
    ("GBP", 30),
    ("CAD", 50),
    ("AUD", 50),
    ("CHF", 50),
    ("SEK", 300),
    ("JPY", 50),
];

/// Why Stripe would refuse to charge `amount` (minor units of `cur`), said for the contact:
/// below its smallest charge, or, in a three-decimal currency, not a multiple of ten (Stripe
/// charges those to the hundredth). `None` when Stripe takes it.
pub fn cannot_charge(cur: &Currency, amount: i64) -> Option<String> {
    if let Some((_, min)) = MINIMUM_CHARGE.iter().find(|(c, _)| *c == cur.code) {
        if amount < *min {
            return Some(format!(
                "{} is less than the smallest card payment Stripe takes ({}): please pay it as the payment instructions say.",
                cur.format(amount),
                cur.format(*min)
            ));
        }
    }
    if cur.exponent == 3 && amount % 10 != 0 {
        return Some(format!(
            "Stripe takes {} in steps of 0.010, so {} cannot be paid by card: please pay it as the payment instructions say.",
            cur.code,
            cur.format(amount)
        ));
    }
    None
}

/// Opens a Checkout session for what `inv` still owes and remembers it; the address to send
/// the contact to.
pub async fn checkout(
    state: &AppState,
    inv: &Invoice,
    email: &str,
    success_url: &str,
    cancel_url: &str,
) -> Result<String> {
    let keys = keys(state, inv.workspace_id).await?.ok_or_else(|| {
        Error::Conflict(
            "Online payment is not set up for this portal yet: use the payment instructions."
                .into(),
        )
    })?;
    let amount = inv.balance();
    if let Some(why) = cannot_charge(&inv.currency()?, amount) {
        return Err(Error::Conflict(why));
    }
    let currency = inv.currency.to_lowercase();
    // A session already open for this very amount is the same payment: a second tab or a
    // double click must not open a second one the contact could also pay. (Stripe keeps a
    // session open for 24 hours.)
    let open = "SELECT url FROM billing_checkouts WHERE invoice_id = $1 AND workspace_id = $2 AND amount = $3 \
                AND currency = $4 AND completed_at IS NULL AND expired_at IS NULL AND created_at > $5 \
                ORDER BY created_at DESC LIMIT 1";
    let reusable = state
        .db
        .query_scalar::<String>(open)
        .bind(inv.id)
        .bind(inv.workspace_id)
        .bind(amount)
        .bind(&currency)
        .bind(now() - 23 * 3600)
        .fetch_optional()
        .await?;
    if let Some(url) = reusable {
        return Ok(url);
    }
    // Two tabs that both found none must still end with one session: they send Stripe the
    // same idempotency key, and Stripe answers the second with the first's session rather
    // than a new one; the row is then written once, whoever writes it first. The key covers
    // every parameter sent (Stripe refuses a key reused with others) and how many of the
    // invoice's sessions were closed before — which a tab opening one does not change, so
    // both tabs compute the same — sealed with the deployment's key (a copy of the database
    // on another deployment sharing the Stripe account makes other keys).
    let before =
        "SELECT COUNT(*) FROM billing_checkouts WHERE invoice_id = $1 AND workspace_id = $2 \
                  AND (expired_at IS NOT NULL OR completed_at IS NOT NULL)";
    let opened = state
        .db
        .query_scalar::<i64>(before)
        .bind(inv.id)
        .bind(inv.workspace_id)
        .fetch_one()
        .await?;
    let number = inv.number.clone().unwrap_or_default();
    let form = [
        ("mode", "payment".to_string()),
        ("success_url", success_url.to_string()),
        ("cancel_url", cancel_url.to_string()),
        ("client_reference_id", inv.id.to_string()),
        ("customer_email", email.to_string()),
        ("metadata[invoice_id]", inv.id.to_string()),
        ("metadata[workspace_id]", inv.workspace_id.to_string()),
        ("line_items[0][quantity]", "1".to_string()),
        ("line_items[0][price_data][currency]", currency.clone()),
        ("line_items[0][price_data][unit_amount]", amount.to_string()),
        (
            "line_items[0][price_data][product_data][name]",
            format!("Invoice {number}"),
        ),
    ];
    let url = format!(
        "{}/v1/checkout/sessions",
        state.config.stripe_api_base.trim_end_matches('/')
    );
    let mut covered = format!("{}|{}|{opened}", inv.workspace_id, inv.id);
    for (k, v) in &form {
        covered.push_str(&format!("|{k}={v}"));
    }
    let sealed = portal_core::secrets::hmac_sha256_hex(
        state.config.secret_key.to_hex().as_bytes(),
        covered.as_bytes(),
    );
    let idempotency = format!("portico-checkout-{}", &sealed[..40]);
    let send = || async {
        reqwest::Client::new()
            .post(&url)
            .bearer_auth(&keys.secret_key)
            .header("Idempotency-Key", &idempotency)
            .form(&form)
            .timeout(std::time::Duration::from_secs(20))
            .send()
            .await
            .map_err(|e| Error::Internal(format!("Stripe could not be reached: {e}")))
    };
    let mut response = send().await?;
    // 409: the other tab's request with this key is still running at Stripe; once it is
    // done, the same key answers with its session.
    if response.status() == reqwest::StatusCode::CONFLICT {
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
        response = send().await?;
    }
    if !response.status().is_success() {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        tracing::warn!(%status, body = %body.chars().take(500).collect::<String>(), "Stripe refused a Checkout session");
        return Err(Error::Conflict(
            "The payment page could not be opened just now. Try again in a moment, or use the payment instructions.".into(),
        ));
    }
    let created: CreatedSession = response
        .json()
        .await
        .map_err(|e| Error::Internal(format!("Stripe's answer could not be read: {e}")))?;
    if !created.url.starts_with("https://") && !created.url.starts_with("http://") {
        return Err(Error::Internal(
            "Stripe answered without a payment page".into(),
        ));
    }
    let sql = "INSERT INTO billing_checkouts (session_id, workspace_id, client_id, invoice_id, amount, currency, url, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (session_id) DO NOTHING";
    state
        .db
        .query(sql)
        .bind(&created.id)
        .bind(inv.workspace_id)
        .bind(inv.client_id)
        .bind(inv.id)
        .bind(amount)
        .bind(&currency)
        .bind(&created.url)
        .bind(now())
        .execute()
        .await?;
    Ok(created.url)
}

/// Closes the invoice's open Checkout sessions at Stripe after its balance changed under them
/// (a payment recorded by hand, one paid online, a void): a tab left open on the old amount
/// must not take it. Best effort, after the change is committed — the change stands whatever
/// Stripe says; a session Stripe could not close is logged, and a payment made in it is still
/// recorded from its webhook like any other (and flagged if it no longer fits the balance).
pub async fn close_stale(state: &AppState, workspace_id: i64, invoice_id: i64) {
    if let Err(e) = expire_open(state, workspace_id, invoice_id).await {
        tracing::warn!(workspace_id, invoice_id, error = %e, "open Stripe sessions could not be closed");
    }
}

async fn expire_open(state: &AppState, workspace_id: i64, invoice_id: i64) -> Result<()> {
    let sql =
        "SELECT session_id FROM billing_checkouts WHERE invoice_id = $1 AND workspace_id = $2 \
               AND completed_at IS NULL AND expired_at IS NULL AND created_at > $3";
    let open = state
        .db
        .query_scalar::<String>(sql)
        .bind(invoice_id)
        .bind(workspace_id)
        .bind(now() - 24 * 3600)
        .fetch_all()
        .await?;
    if open.is_empty() {
        return Ok(());
    }
    let Some(keys) = keys(state, workspace_id).await? else {
        return Ok(());
    };
    let base = state.config.stripe_api_base.trim_end_matches('/');
    let http = reqwest::Client::new();
    for session in open {
        // Ids came from Stripe's own answers; one that is not a plain token is not put in a path.
        if !session
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        let answer = http
            .post(format!("{base}/v1/checkout/sessions/{session}/expire"))
            .bearer_auth(&keys.secret_key)
            .timeout(std::time::Duration::from_secs(10))
            .send()
            .await;
        let closed = match answer {
            Ok(r) if r.status().is_success() => true,
            // Stripe refuses sessions that are no longer open (expired already, or completed
            // — whose payment its webhook brings): nothing left to close either way.
            Ok(r) if r.status().is_client_error() && r.status() != 401 && r.status() != 429 => {
                tracing::info!(session = %session, status = %r.status(), "Stripe says the session is no longer open");
                true
            }
            Ok(r) => {
                tracing::warn!(session = %session, status = %r.status(), "Stripe did not close a stale session");
                false
            }
            Err(e) => {
                tracing::warn!(session = %session, error = %e, "Stripe could not be reached to close a stale session");
                false
            }
        };
        if closed {
            state
                .db
                .query("UPDATE billing_checkouts SET expired_at = $1 WHERE session_id = $2")
                .bind(now())
                .bind(&session)
                .execute()
                .await?;
        }
    }
    Ok(())
}

/// Why a webhook was not believed.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    NoSignature,
    Stale,
    BadSignature,
}

/// Checks `Stripe-Signature: t=…,v1=…[,v1=…]` over `body` with `secret`, at `now`.
pub fn verify(
    header: &str,
    body: &[u8],
    secret: &str,
    now: i64,
) -> std::result::Result<(), Refusal> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", s)) => signatures.push(s),
            _ => {}
        }
    }
    signatures.retain(|s| !s.is_empty());
    let (Some(t), false) = (timestamp, signatures.is_empty()) else {
        return Err(Refusal::NoSignature);
    };
    if now.abs_diff(t) > TOLERANCE_SECS.unsigned_abs() {
        return Err(Refusal::Stale);
    }
    let mut signed = t.to_string().into_bytes();
    signed.push(b'.');
    signed.extend_from_slice(body);
    let expected = secrets::hmac_sha256_hex(secret.as_bytes(), &signed);
    if !expected.is_empty() && signatures.iter().any(|s| secrets::same(s, &expected)) {
        Ok(())
    } else {
        Err(Refusal::BadSignature)
    }
}

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: SessionObject,
}

#[derive(Deserialize)]
struct SessionObject {
    id: String,
    #[serde(default)]
    amount_total: Option<i64>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    payment_status: Option<String>,
}

/// What became of a verified event.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Recorded,
    AlreadyRecorded,
    Ignored(&'static str),
}

/// A webhook delivery to workspace `workspace_id`: verified, then applied at most once.
/// `Err` for a delivery that must not be believed (answered 400, logged); `Ok` for every
/// believed one, applied or deliberately ignored (answered 200, so Stripe stops retrying).
pub async fn receive(
    state: &AppState,
    workspace_id: i64,
    signature: Option<&str>,
    body: &[u8],
) -> Result<Outcome> {
    let Some(keys) = keys(state, workspace_id).await? else {
        tracing::warn!(
            workspace_id,
            "a Stripe webhook for a workspace without Stripe"
        );
        return Err(Error::BadRequest("Stripe is not connected here.".into()));
    };
    if let Err(why) = verify(signature.unwrap_or(""), body, &keys.webhook_secret, now()) {
        tracing::warn!(workspace_id, ?why, "a Stripe webhook was refused");
        return Err(Error::BadRequest("The signature does not verify.".into()));
    }
    let event: Event = serde_json::from_slice(body).map_err(|e| {
        tracing::warn!(workspace_id, error = %e, "a signed Stripe webhook could not be read");
        Error::BadRequest("The event could not be read.".into())
    })?;
    if event.kind != "checkout.session.completed"
        && event.kind != "checkout.session.async_payment_succeeded"
    {
        return Ok(Outcome::Ignored("not a payment"));
    }
    let session = &event.data.object;
    if session.payment_status.as_deref() != Some("paid") {
        // Completed but not yet paid (a bank debit): its async_payment_succeeded follows.
        return Ok(Outcome::Ignored("not paid yet"));
    }
    apply(state, workspace_id, &event.id, session).await
}

async fn apply(
    state: &AppState,
    workspace_id: i64,
    event_id: &str,
    session: &SessionObject,
) -> Result<Outcome> {
    let mut tx = ScopedTx::begin_staff_write(&state.db, workspace_id).await?;
    let sql = format!(
        "SELECT invoice_id, amount, currency, completed_at FROM billing_checkouts WHERE session_id = $1 AND workspace_id = $2{}",
        tx.lock_for_update()
    );
    let asked = tx
        .query_as::<(i64, i64, String, Option<i64>)>(&sql)
        .bind(&session.id)
        .bind(workspace_id)
        .fetch_optional()
        .await?;
    let Some((invoice_id, amount, currency, completed)) = asked else {
        tracing::warn!(workspace_id, session = %session.id, "a paid Stripe session this portal did not open");
        return Ok(Outcome::Ignored("unknown session"));
    };
    if completed.is_some() {
        return Ok(Outcome::AlreadyRecorded);
    }
    if session.amount_total != Some(amount)
        || session.currency.as_deref() != Some(currency.as_str())
    {
        // Signed by Stripe, so not a forgery to refuse (Stripe would retry it for days): the
        // team must look at it in Stripe. Nothing is recorded.
        tracing::warn!(workspace_id, session = %session.id, asked = amount, paid = ?session.amount_total,
            currency = %currency, paid_currency = ?session.currency, "a Stripe payment does not match what was asked: not recorded");
        return Ok(Outcome::Ignored("amount or currency does not match"));
    }
    let inv = store::staff_one(&mut tx, workspace_id, invoice_id).await?;
    let recorded =
        store::record_online_payment(&mut tx, &inv, amount, event_id, &session.id, Day::today())
            .await?;
    tx.query("UPDATE billing_checkouts SET completed_at = $1 WHERE session_id = $2")
        .bind(now())
        .bind(&session.id)
        .execute()
        .await?;
    tx.commit().await?;
    if recorded {
        // Any other session still open for this invoice asks for what is no longer owed.
        close_stale(state, workspace_id, invoice_id).await;
    }
    Ok(if recorded {
        Outcome::Recorded
    } else {
        Outcome::AlreadyRecorded
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sign(secret: &str, t: i64, body: &str) -> String {
        let v1 = secrets::hmac_sha256_hex(secret.as_bytes(), format!("{t}.{body}").as_bytes());
        format!("t={t},v1={v1}")
    }

    #[test]
    fn only_amounts_stripe_can_charge_are_sent_there() {
        let usd = Currency::of("USD").unwrap();
        let kwd = Currency::of("KWD").unwrap();
        let krw = Currency::of("KRW").unwrap();
        assert_eq!(cannot_charge(&usd, 50), None);
        assert!(cannot_charge(&usd, 49)
            .unwrap()
            .contains("$0.49 is less than"));
        assert_eq!(cannot_charge(&kwd, 1230), None);
        assert!(cannot_charge(&kwd, 1234)
            .unwrap()
            .contains("1.234 KWD cannot be paid by card"));
        assert_eq!(
            cannot_charge(&krw, 1),
            None,
            "no minimum known: Stripe decides"
        );
    }

    #[test]
    fn signatures_verify_only_fresh_and_exact() {
        let body = r#"{"id":"evt_1"}"#;
        let now = 1_800_000_000;
        let good = sign("whsec_abc", now - 10, body);
        assert_eq!(verify(&good, body.as_bytes(), "whsec_abc", now), Ok(()));
        // Several v1 (during a secret's rotation): any one will do.
        let rotated = format!("{},v1={}", good, "00".repeat(32));
        assert_eq!(verify(&rotated, body.as_bytes(), "whsec_abc", now), Ok(()));
        assert_eq!(
            verify(&good, body.as_bytes(), "whsec_other", now),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            verify(&good, br#"{"id":"evt_2"}"#, "whsec_abc", now),
            Err(Refusal::BadSignature)
        );
        let old = sign("whsec_abc", now - TOLERANCE_SECS - 1, body);
        assert_eq!(
            verify(&old, body.as_bytes(), "whsec_abc", now),
            Err(Refusal::Stale)
        );
        assert_eq!(
            verify("", body.as_bytes(), "whsec_abc", now),
            Err(Refusal::NoSignature)
        );
        assert_eq!(
            verify("t=abc,v1=00", body.as_bytes(), "whsec_abc", now),
            Err(Refusal::NoSignature)
        );
        let empty = format!("t={now},v1=");
        assert_eq!(
            verify(&empty, body.as_bytes(), "whsec_abc", now),
            Err(Refusal::NoSignature)
        );
        // A timestamp at the edge of i64 is stale, not an overflow.
        let edge = format!("t={},v1=00", i64::MIN);
        assert_eq!(
            verify(&edge, body.as_bytes(), "whsec_abc", now),
            Err(Refusal::Stale)
        );
    }
}
