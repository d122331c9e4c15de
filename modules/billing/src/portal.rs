//! The client's side: their invoices (never a draft) with the unpaid and overdue ones marked,
//! each invoice's full breakdown, payment instructions and payment history, and a page made
//! for printing, and the same invoice as a PDF file.
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use portal_core::minijinja::Value;
use portal_core::prelude::*;

use crate::money::{show_percent, show_quantity, Currency};
use crate::status::shown;
use crate::store::{self, Invoice, InvoiceView};
use crate::{pdf, stripe};

/// An invoice as a list row or a page header shows it: amounts formatted in its currency,
/// its status as it reads today.
pub(crate) fn invoice_view(inv: &Invoice, today: Day) -> Result<Value> {
    let cur = inv.currency()?;
    let (key, label) = shown(inv.status, inv.due_date, inv.balance(), today);
    Ok(context! {
        id => inv.id,
        number => inv.number,
        client => inv.client_name,
        status => context! { key => key, label => label },
        owing => key == "sent" || key == "overdue",
        currency => inv.currency,
        issue_date => inv.issue_date,
        due_date => inv.due_date,
        subtotal => cur.format(inv.subtotal),
        discount => (inv.discount > 0).then(|| cur.format(inv.discount)),
        discount_rate => show_percent(inv.discount_bp),
        tax => cur.format(inv.tax),
        tax_rate => show_percent(inv.tax_bp),
        total => cur.format(inv.total),
        paid => cur.format(inv.paid),
        balance => cur.format(inv.balance()),
        notes => inv.notes,
        payment_instructions => inv.payment_instructions,
    })
}

/// The lines with their amounts (from the same totals function the stored totals came from)
/// and the payments, formatted.
pub(crate) fn breakdown(view: &InvoiceView) -> Result<(Vec<Value>, Vec<Value>)> {
    let cur: Currency = view.invoice.currency()?;
    let t = view.totals();
    let rows = view
        .lines
        .iter()
        .zip(&t.lines)
        .map(|(l, lt)| {
            context! {
                id => l.id,
                description => l.description,
                quantity => show_quantity(l.quantity),
                unit_price => cur.format(l.unit_price),
                discount => (l.discount_bp > 0).then(|| show_percent(l.discount_bp)),
                tax => l.tax_bp.map(show_percent),
                amount => cur.format(lt.net),
            }
        })
        .collect();
    let payments = view
        .payments
        .iter()
        .map(|p| {
            context! {
                amount => cur.format(p.amount),
                method => store::method_label(&p.method),
                reference => p.reference,
                paid_on => p.paid_on,
                refund => (p.refund_due > 0).then(|| cur.format(p.refund_due)),
            }
        })
        .collect();
    Ok((rows, payments))
}

/// `GET /portal/billing`.
pub async fn list(State(state): State<AppState>, ctx: PortalContext) -> Result<Html<String>> {
    let today = Day::today();
    let found = store::list_for_client(&state.db, ctx.scope()).await?;
    let mut rows = Vec::with_capacity(found.len());
    for inv in &found {
        let mut row = invoice_view(inv, today)?;
        row = context! { href => ctx.link(&format!("/billing/{}", inv.id)), ..row };
        rows.push(row);
    }
    let owed: Vec<&Invoice> = found
        .iter()
        .filter(|i| i.status == crate::status::Status::Sent && i.balance() > 0)
        .collect();
    ctx.render(
        "billing/list.html",
        context! { invoices => rows, owing => owed.len() },
    )
}

/// The client's activity: they opened (or downloaded) the invoice.
async fn viewed(ctx: &PortalContext, inv: &Invoice) {
    ctx.record_view(
        &format!("invoice:{}", inv.id),
        inv.number.as_deref().unwrap_or("invoice"),
    )
    .await;
}

async fn page(
    state: &AppState,
    ctx: &PortalContext,
    id: &str,
    template: &str,
    notice: Option<&str>,
) -> Result<Html<String>> {
    let view = store::view_for_client(&state.db, ctx.scope(), parse_id(id)?).await?;
    let inv = &view.invoice;
    let payable = inv.status == crate::status::Status::Sent
        && inv.balance() > 0
        && ctx.user.preview_by.is_none()
        && stripe::connection(&state.db, inv.workspace_id)
            .await?
            .is_some();
    // Online payment is offered, or said why not, never offered to fail.
    let pay_note = if payable {
        stripe::cannot_charge(&inv.currency()?, inv.balance())
    } else {
        None
    };
    viewed(ctx, inv).await;
    let (lines, payments) = breakdown(&view)?;
    ctx.render(
        template,
        context! {
            invoice => invoice_view(inv, Day::today())?,
            lines => lines,
            payments => payments,
            back => ctx.link("/billing"),
            print => ctx.link(&format!("/billing/{}/print", inv.id)),
            pdf => ctx.link(&format!("/billing/{}/pdf", inv.id)),
            pay => (payable && pay_note.is_none()).then(|| ctx.link(&format!("/billing/{}/pay", inv.id))),
            pay_note => pay_note,
            notice => notice,
        },
    )
}

/// `GET /portal/billing/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
) -> Result<Html<String>> {
    page(&state, &ctx, &id, "billing/detail.html", None).await
}

/// `GET /portal/billing/{id}/print`: the invoice alone, laid out for paper.
pub async fn print(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
) -> Result<Html<String>> {
    page(&state, &ctx, &id, "billing/print.html", None).await
}

/// `GET /portal/billing/{id}/pdf`: the invoice as a PDF file.
pub async fn pdf(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
) -> Result<Response> {
    let view = store::view_for_client(&state.db, ctx.scope(), parse_id(&id)?).await?;
    let inv = &view.invoice;
    viewed(&ctx, inv).await;
    pdf::download(view, pdf::Letterhead::of(&ctx.tenant)).await
}

/// `GET /portal/billing/{id}/paid`: back from Stripe. Records nothing — the payment is
/// recorded when Stripe confirms it — and says so.
pub async fn paid(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
) -> Result<Html<String>> {
    let notice = "Thank you. Stripe is confirming your payment: this invoice shows it as paid as soon as the confirmation arrives, usually within a minute.";
    page(&state, &ctx, &id, "billing/detail.html", Some(notice)).await
}

/// `GET /portal/billing/{id}/cancelled`: back from Stripe without paying.
pub async fn cancelled(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
) -> Result<Html<String>> {
    let notice = "Payment cancelled: nothing was charged. You can pay now or later, or use the payment instructions.";
    page(&state, &ctx, &id, "billing/detail.html", Some(notice)).await
}

/// `POST /portal/billing/{id}/pay`: opens a Stripe Checkout session for the balance and sends
/// the contact there.
pub async fn pay(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
) -> Result<Response> {
    let view = store::view_for_client(&state.db, ctx.scope(), parse_id(&id)?).await?;
    let inv = &view.invoice;
    if inv.status != crate::status::Status::Sent || inv.balance() <= 0 {
        return Err(Error::Conflict(
            "This invoice has nothing left to pay.".into(),
        ));
    }
    let site = portal_core::email::workspace_url(&state.config, &ctx.tenant.workspace.slug);
    let back = format!("{site}/portal/billing/{}", inv.id);
    let url = stripe::checkout(
        &state,
        inv,
        &ctx.user.email,
        &format!("{back}/paid"),
        &format!("{back}/cancelled"),
    )
    .await?;
    Ok(Redirect::to(&url).into_response())
}
