//! Invoices, their lines and payments. Portal reads run in the contact's scope and never see a
//! draft; every change runs in one write transaction that reads the invoice locked, asks
//! [`Status::allows`], changes it, and writes the totals again from [`totals::compute`].
use portal_core::prelude::*;
use serde::Serialize;

use crate::money::Currency;
use crate::status::{Status, Step};
use crate::totals::{self, Line, Terms};

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Invoice {
    pub id: i64,
    pub workspace_id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub number: Option<String>,
    pub status: Status,
    pub currency: String,
    pub issue_date: Option<Day>,
    pub due_date: Option<Day>,
    pub discount_bp: i64,
    pub tax_bp: i64,
    pub notes: String,
    pub payment_instructions: String,
    pub subtotal: i64,
    pub discount: i64,
    pub tax: i64,
    pub total: i64,
    pub paid: i64,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Invoice {
    pub fn balance(&self) -> i64 {
        self.total - self.paid
    }
    pub fn currency(&self) -> Result<Currency> {
        Currency::of(&self.currency)
            .ok_or_else(|| Error::Internal(format!("unknown currency {}", self.currency)))
    }
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct LineRow {
    pub id: i64,
    pub description: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub discount_bp: i64,
    pub tax_bp: Option<i64>,
}

impl LineRow {
    fn line(&self) -> Line {
        Line {
            quantity: self.quantity,
            unit_price: self.unit_price,
            discount_bp: self.discount_bp,
            tax_bp: self.tax_bp,
        }
    }
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Payment {
    pub id: i64,
    pub amount: i64,
    pub method: String,
    pub reference: String,
    pub paid_on: Day,
    pub recorded_by: String,
    pub created_at: i64,
    /// What this payment (taken online) brought beyond what the invoice still owed: the
    /// team refunds it. 0 for most.
    pub refund_due: i64,
}

const SELECT: &str = "SELECT i.id, i.workspace_id, i.client_id, c.name AS client_name, i.number, i.status, \
    i.currency, i.issue_date, i.due_date, CAST(i.discount_bp AS BIGINT) AS discount_bp, CAST(i.tax_bp AS BIGINT) AS tax_bp, \
    i.notes, i.payment_instructions, i.subtotal, i.discount, i.tax, i.total, i.paid, i.created_by, \
    i.created_at, i.updated_at FROM invoices i JOIN core_clients c ON c.id = i.client_id";

/// The client's invoices (never a draft), newest first.
pub async fn list_for_client(db: &Db, scope: ClientScope) -> Result<Vec<Invoice>> {
    let sql = format!(
        "{SELECT} WHERE i.workspace_id = $1 AND i.client_id = $2 AND i.status <> 'draft' \
         ORDER BY i.issue_date DESC, i.id DESC"
    );
    let mut tx = scope.begin(db).await?;
    let found = tx
        .query_as::<Invoice>(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .fetch_all()
        .await?;
    tx.commit().await?;
    Ok(found)
}

/// The client's invoices still owed, soonest due first (for the home page).
pub async fn unpaid_in(tx: &mut ScopedTx, scope: ClientScope) -> Result<Vec<Invoice>> {
    let sql = format!(
        "{SELECT} WHERE i.workspace_id = $1 AND i.client_id = $2 AND i.status = 'sent' AND i.total > i.paid \
         ORDER BY i.due_date, i.id LIMIT 10"
    );
    tx.query_as::<Invoice>(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .fetch_all()
        .await
}

/// Everything the portal shows of one invoice.
pub struct InvoiceView {
    pub invoice: Invoice,
    pub lines: Vec<LineRow>,
    pub payments: Vec<Payment>,
}

impl InvoiceView {
    /// Each line's amount and the invoice's totals, from the same function the stored totals
    /// came from, for the pages and the PDF that show them line by line.
    pub fn totals(&self) -> totals::Totals {
        let lines: Vec<Line> = self.lines.iter().map(LineRow::line).collect();
        let terms = Terms {
            discount_bp: self.invoice.discount_bp,
            tax_bp: self.invoice.tax_bp,
        };
        totals::compute(&lines, terms)
    }
}

/// One of the client's invoices with its lines and payments; a draft is not found.
pub async fn view_for_client(db: &Db, scope: ClientScope, id: i64) -> Result<InvoiceView> {
    let sql = format!(
        "{SELECT} WHERE i.id = $1 AND i.workspace_id = $2 AND i.client_id = $3 AND i.status <> 'draft'"
    );
    let mut tx = scope.begin(db).await?;
    let found = tx
        .query_as::<Invoice>(&sql)
        .bind(id)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .fetch_optional()
        .await?;
    let invoice = found.ok_or(Error::NotFound)?;
    let (lines, payments) = details(&mut tx, &invoice).await?;
    tx.commit().await?;
    Ok(InvoiceView {
        invoice,
        lines,
        payments,
    })
}

/// An invoice's lines, in the order they were added (the caller has found the invoice in
/// its workspace).
async fn lines_of(tx: &mut ScopedTx, invoice: i64) -> Result<Vec<LineRow>> {
    let sql = "SELECT id, description, quantity, unit_price, CAST(discount_bp AS BIGINT) AS discount_bp, \
               CAST(tax_bp AS BIGINT) AS tax_bp FROM invoice_lines WHERE invoice_id = $1 ORDER BY id";
    tx.query_as::<LineRow>(sql).bind(invoice).fetch_all().await
}

async fn details(tx: &mut ScopedTx, inv: &Invoice) -> Result<(Vec<LineRow>, Vec<Payment>)> {
    let (id, ws) = (inv.id, inv.workspace_id);
    let lines = lines_of(tx, id).await?;
    let sql = "SELECT id, amount, method, reference, paid_on, recorded_by, created_at, refund_due \
               FROM invoice_payments WHERE invoice_id = $1 AND workspace_id = $2 ORDER BY paid_on, id";
    let payments = tx
        .query_as::<Payment>(sql)
        .bind(id)
        .bind(ws)
        .fetch_all()
        .await?;
    Ok((lines, payments))
}

/// Staff's list: the workspace's invoices, optionally of one stored status.
pub async fn list_for_workspace(
    db: &Db,
    workspace_id: i64,
    status: Option<Status>,
) -> Result<Vec<Invoice>> {
    let sql = format!(
        "{SELECT} WHERE i.workspace_id = $1 AND ($2 IS NULL OR i.status = $2) ORDER BY i.created_at DESC, i.id DESC"
    );
    db.query_as::<Invoice>(&sql)
        .bind(workspace_id)
        .bind(status)
        .fetch_all()
        .await
}

pub async fn view_for_workspace(db: &Db, workspace_id: i64, id: i64) -> Result<InvoiceView> {
    let mut tx = ScopedTx::begin_staff(db, workspace_id).await?;
    let invoice = staff_read(&mut tx, workspace_id, id, false).await?;
    let (lines, payments) = details(&mut tx, &invoice).await?;
    tx.commit().await?;
    Ok(InvoiceView {
        invoice,
        lines,
        payments,
    })
}

/// One invoice of the workspace, read locked inside `tx`, a write about to change it.
pub async fn staff_one(tx: &mut ScopedTx, workspace_id: i64, id: i64) -> Result<Invoice> {
    staff_read(tx, workspace_id, id, true).await
}

async fn staff_read(tx: &mut ScopedTx, workspace_id: i64, id: i64, lock: bool) -> Result<Invoice> {
    let lock = if lock {
        tx.lock_for_update_of("i")
    } else {
        String::new()
    };
    let sql = format!("{SELECT} WHERE i.id = $1 AND i.workspace_id = $2{lock}");
    let found = tx
        .query_as::<Invoice>(&sql)
        .bind(id)
        .bind(workspace_id)
        .fetch_optional()
        .await?;
    found.ok_or(Error::NotFound)
}

/// The workspace's numbering and default payment instructions.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Settings {
    pub prefix: String,
    pub next_number: i64,
    pub payment_instructions: String,
}

pub async fn settings(db: &Db, workspace_id: i64) -> Result<Settings> {
    let sql = "SELECT prefix, next_number, payment_instructions FROM invoice_settings WHERE workspace_id = $1";
    let found = db
        .query_as::<Settings>(sql)
        .bind(workspace_id)
        .fetch_optional()
        .await?;
    Ok(found.unwrap_or(Settings {
        prefix: "INV-".into(),
        next_number: 1,
        payment_instructions: String::new(),
    }))
}

pub async fn save_settings(
    tx: &mut ScopedTx,
    workspace_id: i64,
    prefix: &str,
    instructions: &str,
) -> Result<()> {
    let sql = "INSERT INTO invoice_settings (workspace_id, prefix, payment_instructions) VALUES ($1, $2, $3) \
               ON CONFLICT (workspace_id) DO UPDATE SET prefix = excluded.prefix, \
               payment_instructions = excluded.payment_instructions";
    tx.query(sql)
        .bind(workspace_id)
        .bind(prefix)
        .bind(instructions)
        .execute()
        .await?;
    Ok(())
}

/// Opens a draft for one of the workspace's clients, with the workspace's payment
/// instructions.
pub async fn create_draft(
    tx: &mut ScopedTx,
    workspace_id: i64,
    client_id: i64,
    currency: Currency,
    due_date: Option<Day>,
    by: &str,
) -> Result<i64> {
    if !portal_core::clients::is_client_of(tx, workspace_id, client_id).await? {
        return Err(Error::BadRequest("Choose one of your clients.".into()));
    }
    let instructions = tx
        .query_scalar::<String>(
            "SELECT payment_instructions FROM invoice_settings WHERE workspace_id = $1",
        )
        .bind(workspace_id)
        .fetch_optional()
        .await?;
    let sql = "INSERT INTO invoices (workspace_id, client_id, status, currency, due_date, payment_instructions, \
               created_by, created_at, updated_at) \
               VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $7) RETURNING id";
    tx.query_scalar::<i64>(sql)
        .bind(workspace_id)
        .bind(client_id)
        .bind(currency.code)
        .bind(due_date)
        .bind(instructions.unwrap_or_default())
        .bind(by)
        .bind(now())
        .fetch_one()
        .await
}

/// What staff set on a draft besides its lines.
pub struct DraftTerms<'a> {
    pub currency: Currency,
    pub issue_date: Option<Day>,
    pub due_date: Option<Day>,
    pub terms: Terms,
    pub notes: &'a str,
    pub payment_instructions: &'a str,
}

pub async fn set_terms(tx: &mut ScopedTx, inv: &Invoice, t: &DraftTerms<'_>) -> Result<()> {
    inv.status.allows(Step::Edit)?;
    if t.currency.code != inv.currency {
        let lines = tx
            .query_scalar::<i64>("SELECT COUNT(*) FROM invoice_lines WHERE invoice_id = $1")
            .bind(inv.id)
            .fetch_one()
            .await?;
        if lines > 0 {
            // Its prices are amounts of the old currency: changing the label would change
            // what they mean.
            return Err(Error::Conflict(
                "Remove the lines before changing the currency: their prices are in the old one."
                    .into(),
            ));
        }
    }
    let sql = "UPDATE invoices SET currency = $1, issue_date = $2, due_date = $3, discount_bp = $4, tax_bp = $5, \
               notes = $6, payment_instructions = $7, updated_at = $8 WHERE id = $9 AND status = 'draft'";
    tx.query(sql)
        .bind(t.currency.code)
        .bind(t.issue_date)
        .bind(t.due_date)
        .bind(t.terms.discount_bp)
        .bind(t.terms.tax_bp)
        .bind(t.notes)
        .bind(t.payment_instructions)
        .bind(now())
        .bind(inv.id)
        .execute()
        .await?;
    recompute(tx, inv.id).await
}

/// A new line on a draft.
pub struct NewLine<'a> {
    pub description: &'a str,
    pub line: Line,
}

pub async fn add_line(tx: &mut ScopedTx, inv: &Invoice, new: &NewLine<'_>) -> Result<()> {
    inv.status.allows(Step::Edit)?;
    let count = tx
        .query_scalar::<i64>("SELECT COUNT(*) FROM invoice_lines WHERE invoice_id = $1")
        .bind(inv.id)
        .fetch_one()
        .await?;
    if count >= 200 {
        return Err(Error::BadRequest(
            "An invoice holds at most 200 lines.".into(),
        ));
    }
    let sql = "INSERT INTO invoice_lines (workspace_id, client_id, invoice_id, description, quantity, unit_price, \
               discount_bp, tax_bp) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    tx.query(sql)
        .bind(inv.workspace_id)
        .bind(inv.client_id)
        .bind(inv.id)
        .bind(new.description)
        .bind(new.line.quantity)
        .bind(new.line.unit_price)
        .bind(new.line.discount_bp)
        .bind(new.line.tax_bp)
        .execute()
        .await?;
    recompute(tx, inv.id).await
}

pub async fn remove_line(tx: &mut ScopedTx, inv: &Invoice, line: i64) -> Result<()> {
    inv.status.allows(Step::Edit)?;
    let gone = tx
        .query("DELETE FROM invoice_lines WHERE id = $1 AND invoice_id = $2")
        .bind(line)
        .bind(inv.id)
        .execute()
        .await?;
    if gone == 0 {
        return Err(Error::NotFound);
    }
    recompute(tx, inv.id).await
}

/// Writes the invoice's totals from its lines and terms — the only place they are computed.
async fn recompute(tx: &mut ScopedTx, id: i64) -> Result<()> {
    let rows = lines_of(tx, id).await?;
    let (discount_bp, tax_bp) = tx
        .query_as::<(i64, i64)>(
            "SELECT CAST(discount_bp AS BIGINT), CAST(tax_bp AS BIGINT) FROM invoices WHERE id = $1",
        )
        .bind(id)
        .fetch_one()
        .await?;
    let lines: Vec<Line> = rows.iter().map(LineRow::line).collect();
    let t = totals::compute(
        &lines,
        Terms {
            discount_bp,
            tax_bp,
        },
    );
    let sql = "UPDATE invoices SET subtotal = $1, discount = $2, tax = $3, total = $4, updated_at = $5 WHERE id = $6";
    tx.query(sql)
        .bind(t.subtotal)
        .bind(t.discount)
        .bind(t.tax)
        .bind(t.total)
        .bind(now())
        .bind(id)
        .execute()
        .await?;
    Ok(())
}

/// Numbers the draft from the workspace's sequence and shows it to the client. Returns the
/// number. It must have lines, a total above zero and a due date not before its issue date.
pub async fn issue(tx: &mut ScopedTx, inv: &Invoice, today: Day) -> Result<String> {
    inv.status.allows(Step::Issue)?;
    if inv.total <= 0 {
        return Err(Error::BadRequest(
            "Add the lines to bill first: an invoice needs a total above zero.".into(),
        ));
    }
    let issue_date = inv.issue_date.unwrap_or(today);
    match inv.due_date {
        None => return Err(Error::BadRequest("Set the due date first.".into())),
        Some(due) if due < issue_date => {
            return Err(Error::BadRequest(
                "The due date is before the issue date.".into(),
            ))
        }
        Some(_) => {}
    }
    let ws = inv.workspace_id;
    tx.query(
        "INSERT INTO invoice_settings (workspace_id) VALUES ($1) ON CONFLICT (workspace_id) DO NOTHING",
    )
    .bind(ws)
    .execute()
    .await?;
    // The row's lock makes the sequence safe under concurrent issues.
    let sql = "UPDATE invoice_settings SET next_number = next_number + 1 WHERE workspace_id = $1 \
               RETURNING prefix, CAST(next_number - 1 AS BIGINT)";
    let (prefix, n) = tx
        .query_as::<(String, i64)>(sql)
        .bind(ws)
        .fetch_one()
        .await?;
    let number = format!("{prefix}{n:04}");
    let taken = tx
        .query_scalar::<i64>("SELECT id FROM invoices WHERE workspace_id = $1 AND number = $2")
        .bind(ws)
        .bind(&number)
        .fetch_optional()
        .await?;
    if taken.is_some() {
        return Err(Error::Conflict(format!(
            "The number {number} is already used (a prefix changed). Choose another prefix in the billing settings."
        )));
    }
    let sql = "UPDATE invoices SET status = 'sent', number = $1, issue_date = $2, issued_at = $3, updated_at = $3 \
               WHERE id = $4 AND status = 'draft'";
    let moved = tx
        .query(sql)
        .bind(&number)
        .bind(issue_date)
        .bind(now())
        .bind(inv.id)
        .execute()
        .await?;
    if moved == 0 {
        return Err(Error::Conflict("Someone issued it a moment ago.".into()));
    }
    Ok(number)
}

/// A payment staff received (a transfer, a cheque).
pub struct NewPayment<'a> {
    pub amount: i64,
    pub method: &'a str,
    pub reference: &'a str,
    pub paid_on: Day,
    pub by: &'a str,
}

pub const METHODS: &[(&str, &str)] = &[
    ("bank_transfer", "Bank transfer"),
    ("cheque", "Cheque"),
    ("cash", "Cash"),
    ("card", "Card"),
    ("other", "Other"),
];

/// How a method reads, staff's choices and online payments alike.
pub fn method_label(method: &str) -> &'static str {
    METHODS
        .iter()
        .find(|(k, _)| *k == method)
        .map_or("Paid online (Stripe)", |(_, label)| label)
}

/// Records a payment of at most the balance; paid in full, the invoice is Paid.
pub async fn record_payment(tx: &mut ScopedTx, inv: &Invoice, p: &NewPayment<'_>) -> Result<()> {
    inv.status.allows(Step::Pay)?;
    let currency = inv.currency()?;
    if p.amount > inv.balance() {
        return Err(Error::BadRequest(format!(
            "That is more than the {} still owed.",
            currency.format(inv.balance())
        )));
    }
    let sql = "INSERT INTO invoice_payments (workspace_id, client_id, invoice_id, amount, method, reference, \
               paid_on, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    tx.query(sql)
        .bind(inv.workspace_id)
        .bind(inv.client_id)
        .bind(inv.id)
        .bind(p.amount)
        .bind(p.method)
        .bind(p.reference)
        .bind(p.paid_on)
        .bind(p.by)
        .bind(now())
        .execute()
        .await?;
    let status = if inv.paid + p.amount >= inv.total {
        Status::Paid
    } else {
        Status::Sent
    };
    let sql = "UPDATE invoices SET paid = paid + $1, status = $2, updated_at = $3 WHERE id = $4 AND status = 'sent'";
    tx.query(sql)
        .bind(p.amount)
        .bind(status)
        .bind(now())
        .bind(inv.id)
        .execute()
        .await?;
    Ok(())
}

/// Money Stripe confirmed for `inv`, recorded once per event of the workspace
/// (`provider_event`); returns whether this call recorded it. Money taken is never refused: a
/// payment arriving after the invoice was paid (in another tab, or another way) is recorded
/// with what it brought beyond the balance as `refund_due`, for the team; one arriving for a
/// void invoice is due back whole, and the invoice stays void.
pub async fn record_online_payment(
    tx: &mut ScopedTx,
    inv: &Invoice,
    amount: i64,
    event: &str,
    session: &str,
    paid_on: Day,
) -> Result<bool> {
    let refund_due = if inv.status == Status::Sent {
        (amount - inv.balance().max(0)).max(0)
    } else {
        amount
    };
    let sql = "INSERT INTO invoice_payments (workspace_id, client_id, invoice_id, amount, method, reference, \
               paid_on, recorded_by, provider_event, created_at, refund_due) \
               VALUES ($1, $2, $3, $4, 'online', $5, $6, 'Stripe', $7, $8, $9) \
               ON CONFLICT (workspace_id, provider_event) DO NOTHING";
    let inserted = tx
        .query(sql)
        .bind(inv.workspace_id)
        .bind(inv.client_id)
        .bind(inv.id)
        .bind(amount)
        .bind(session)
        .bind(paid_on)
        .bind(event)
        .bind(now())
        .bind(refund_due)
        .execute()
        .await?;
    if inserted == 0 {
        return Ok(false);
    }
    if refund_due > 0 {
        tracing::warn!(invoice = inv.id, status = %inv.status.as_str(), amount, balance = inv.balance(),
            refund_due, "an online payment brought more than the invoice owed: recorded, the excess is due back");
    }
    let status = match inv.status {
        Status::Sent | Status::Paid if inv.paid + amount >= inv.total => Status::Paid,
        other => other,
    };
    tx.query("UPDATE invoices SET paid = paid + $1, status = $2, updated_at = $3 WHERE id = $4")
        .bind(amount)
        .bind(status)
        .bind(now())
        .bind(inv.id)
        .execute()
        .await?;
    Ok(true)
}

pub async fn void(tx: &mut ScopedTx, inv: &Invoice) -> Result<()> {
    inv.status.allows(Step::Void)?;
    tx.query(
        "UPDATE invoices SET status = 'void', updated_at = $1 WHERE id = $2 AND status = 'sent'",
    )
    .bind(now())
    .bind(inv.id)
    .execute()
    .await?;
    Ok(())
}

pub async fn delete(tx: &mut ScopedTx, inv: &Invoice) -> Result<()> {
    inv.status.allows(Step::Delete)?;
    tx.query("DELETE FROM invoices WHERE id = $1 AND status = 'draft'")
        .bind(inv.id)
        .execute()
        .await?;
    Ok(())
}
