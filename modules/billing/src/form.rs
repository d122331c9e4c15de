//! What staff send about an invoice — from the admin's forms or the API's JSON, read into the
//! same `Fields` — checked in one place: terms, a line, a payment.
use portal_core::prelude::*;

use crate::money::{self, Currency};
use crate::store::{self, DraftTerms, Invoice, NewPayment};
use crate::totals::{Line, Terms};

pub fn currency(raw: &str) -> Result<Currency> {
    Currency::of(raw)
        .ok_or_else(|| Error::BadRequest("Choose one of the currencies offered.".into()))
}

pub fn long_text(form: &Fields, key: &str) -> Result<String> {
    let v = form.get(key).trim();
    if v.chars().count() > 4000 {
        return Err(Error::BadRequest("Keep it to 4,000 characters.".into()));
    }
    Ok(v.to_string())
}

/// A draft's terms as sent.
pub struct TermsForm {
    currency: Currency,
    issue_date: Option<Day>,
    due_date: Option<Day>,
    terms: Terms,
    notes: String,
    payment_instructions: String,
}

impl TermsForm {
    pub fn read(form: &Fields) -> Result<TermsForm> {
        Ok(TermsForm {
            currency: currency(form.get("currency"))?,
            issue_date: form.date("issue_date")?,
            due_date: form.date("due_date")?,
            terms: Terms {
                discount_bp: money::parse_percent(form.get("discount"))?,
                tax_bp: money::parse_percent(form.get("tax"))?,
            },
            notes: long_text(form, "notes")?,
            payment_instructions: long_text(form, "payment_instructions")?,
        })
    }

    pub fn draft(&self) -> DraftTerms<'_> {
        DraftTerms {
            currency: self.currency,
            issue_date: self.issue_date,
            due_date: self.due_date,
            terms: self.terms,
            notes: &self.notes,
            payment_instructions: &self.payment_instructions,
        }
    }
}

/// A line as sent: `description`, `quantity`, `unit_price` (in the invoice's currency),
/// optional `discount` and `tax` (percent; an empty tax uses the invoice's rate).
pub fn line(form: &Fields, inv: &Invoice) -> Result<(String, Line)> {
    let description = form.name("description", "description")?;
    let cur = inv.currency()?;
    let unit_price = cur.parse(form.get("unit_price"))?;
    if unit_price > money::MAX_UNIT_PRICE {
        return Err(Error::BadRequest(format!(
            "A rate is at most {}.",
            cur.format(money::MAX_UNIT_PRICE)
        )));
    }
    let line = Line {
        quantity: money::parse_quantity(form.get("quantity"))?,
        unit_price,
        discount_bp: money::parse_percent(form.get("discount"))?,
        tax_bp: match form.get("tax").trim() {
            "" => None,
            raw => Some(money::parse_percent(raw)?),
        },
    };
    Ok((description, line))
}

/// A payment received, as sent: `amount`, `method`, `reference`, `paid_on`.
pub struct PaymentForm {
    amount: i64,
    method: String,
    reference: String,
    paid_on: Day,
}

impl PaymentForm {
    pub fn read(form: &Fields, inv: &Invoice) -> Result<PaymentForm> {
        let amount = inv.currency()?.parse(form.get("amount"))?;
        if amount <= 0 {
            return Err(Error::BadRequest("A payment is more than zero.".into()));
        }
        let method = form.get("method");
        if !store::METHODS.iter().any(|(k, _)| *k == method) {
            return Err(Error::BadRequest("Choose how it was paid.".into()));
        }
        let paid_on = form
            .date("paid_on")?
            .ok_or_else(|| Error::BadRequest("Enter the date it was paid.".into()))?;
        let reference = form.get("reference").trim();
        if reference.chars().count() > 200 {
            return Err(Error::BadRequest(
                "Keep the reference to 200 characters.".into(),
            ));
        }
        Ok(PaymentForm {
            amount,
            method: method.to_string(),
            reference: reference.to_string(),
            paid_on,
        })
    }

    pub fn payment<'a>(&'a self, by: &'a str) -> NewPayment<'a> {
        NewPayment {
            amount: self.amount,
            method: &self.method,
            reference: &self.reference,
            paid_on: self.paid_on,
            by,
        }
    }
}
