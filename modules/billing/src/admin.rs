//! The team's side: invoices for every client — draft one (lines, quantities, prices,
//! discounts and tax per line or for the whole invoice, notes, payment instructions), issue
//! it (numbered from the workspace's sequence; the client's billing contacts are told),
//! record payments received by transfer or cheque, void. Numbering prefix and default
//! payment instructions are the workspace's settings. Owners and admins do all of it;
//! members look.
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use portal_core::clients;
use portal_core::prelude::*;
use serde::Deserialize;

use crate::form::{self, currency, long_text, PaymentForm, TermsForm};
use crate::money::{self, CURRENCIES};
use crate::news;
use crate::portal::{breakdown, invoice_view};
use crate::status::Status;
use crate::store::{self, Invoice, NewLine};
use crate::stripe;

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    status: String,
}

portal_core::flash! {
    /// What the list of invoices says after a change.
    pub enum BillingDone {
        Deleted = "deleted" => "The draft is deleted.",
        Settings = "settings" => "Invoice settings saved.",
    }
}

portal_core::flash! {
    /// What an invoice's page says after a change.
    pub enum InvoiceDone {
        Created = "created" => "Draft created: add its lines, then issue it. The client sees nothing until then.",
        Saved = "saved" => "Saved.",
        Line = "line" => "Line added.",
        Removed = "removed" => "Line removed.",
        Issued = "issued" => "Issued: the client's billing contacts have been told.",
        Payment = "payment" => "Payment recorded.",
        Void = "void" => "The invoice is void.",
    }
}

portal_core::flash! {
    /// What the Stripe page says after a change.
    pub enum StripeDone {
        Connected = "connected" => "Stripe is connected: clients can pay their invoices online.",
        Disconnected = "disconnected" => "Stripe is disconnected: invoices show the payment instructions only.",
    }
}

/// `GET /admin/billing[?status=…]`.
pub async fn list(
    State(state): State<AppState>,
    ctx: StaffContext,
    Query(f): Query<Filter>,
    done: Done<BillingDone>,
) -> Result<Html<String>> {
    let status = optional(&f.status, Status::parse, "status")?;
    let ws = ctx.tenant.workspace.id;
    let found = store::list_for_workspace(&state.db, ws, status).await?;
    let today = Day::today();
    let mut rows = Vec::with_capacity(found.len());
    for inv in &found {
        let row = invoice_view(inv, today)?;
        rows.push(context! { href => ctx.link(&format!("/billing/{}", inv.id)), ..row });
    }
    let clients = clients::list_clients(&state.db, ws).await?;
    let settings = store::settings(&state.db, ws).await?;
    ctx.render(
        "billing/admin_list.html",
        context! {
            invoices => rows,
            clients => clients,
            currencies => CURRENCIES.iter().map(|c| c.code).collect::<Vec<_>>(),
            statuses => ["draft", "sent", "paid", "void"],
            status => f.status,
            next_number => format!("{}{:04}", settings.prefix, settings.next_number),
            settings => settings,
            can_manage => ctx.can_manage(),
            action => ctx.link("/billing"),
            settings_action => ctx.link("/billing/settings"),
            stripe => ctx.link("/billing/stripe"),
            notice => done.message(),
        },
    )
}

/// `POST /admin/billing`: `client`, `currency`, `due_date` — a draft.
pub async fn create(
    State(state): State<AppState>,
    ctx: StaffContext,
    body: Bytes,
) -> Result<Response> {
    let form = Fields::parse(&body);
    let client = form
        .get("client")
        .parse::<i64>()
        .map_err(|_| Error::BadRequest("Choose one of your clients.".into()))?;
    let cur = currency(form.get("currency"))?;
    let due = form.date("due_date")?;
    let ws = ctx.tenant.workspace.id;
    let mut tx = ScopedTx::begin_staff_write(&state.db, ws).await?;
    let id = store::create_draft(&mut tx, ws, client, cur, due, &ctx.user.name).await?;
    tx.commit().await?;
    Ok(ctx
        .redirect_done(&format!("/billing/{id}"), InvoiceDone::Created)
        .into_response())
}

/// `POST /admin/billing/settings`: `prefix`, `payment_instructions`.
pub async fn save_settings(
    State(state): State<AppState>,
    ctx: StaffContext,
    body: Bytes,
) -> Result<Response> {
    let form = Fields::parse(&body);
    // Both fields are always sent by the form (an empty prefix is a choice): a request
    // without them is not this form's.
    if form.all("prefix").is_empty() || form.all("payment_instructions").is_empty() {
        return Err(Error::BadRequest(
            "Send the prefix and the payment instructions (either may be empty).".into(),
        ));
    }
    let prefix = form.get("prefix").trim();
    if prefix.chars().count() > 20
        || !prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_/.#".contains(c))
    {
        return Err(Error::BadRequest(
            "A prefix is up to 20 letters, digits or - _ / . #".into(),
        ));
    }
    let instructions = long_text(&form, "payment_instructions")?;
    let mut tx = ScopedTx::begin_staff_write(&state.db, ctx.tenant.workspace.id).await?;
    store::save_settings(&mut tx, ctx.tenant.workspace.id, prefix, &instructions).await?;
    tx.commit().await?;
    Ok(ctx
        .redirect_done("/billing", BillingDone::Settings)
        .into_response())
}

/// `GET /admin/billing/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    done: Done<InvoiceDone>,
) -> Result<Html<String>> {
    let view =
        store::view_for_workspace(&state.db, ctx.tenant.workspace.id, parse_id(&id)?).await?;
    let inv = &view.invoice;
    let (lines, payments) = breakdown(&view)?;
    let cur = inv.currency()?;
    let status = inv.status;
    ctx.render(
        "billing/admin_invoice.html",
        context! {
            invoice => invoice_view(inv, Day::today())?,
            raw => context! {
                discount => money::show_percent(inv.discount_bp),
                tax => money::show_percent(inv.tax_bp),
                balance => cur.plain(inv.balance()),
            },
            lines => lines,
            payments => payments,
            draft => status == Status::Draft,
            editable => status == Status::Draft && ctx.can_manage(),
            payable => status == Status::Sent,
            can_manage => ctx.can_manage(),
            currencies => CURRENCIES.iter().map(|c| c.code).collect::<Vec<_>>(),
            methods => store::METHODS,
            base => ctx.link(&format!("/billing/{}", inv.id)),
            back => ctx.link("/billing"),
            today => today(),
            notice => done.message(),
        },
    )
}

/// Reads the invoice locked inside a new staff write transaction; owners and admins only.
pub(crate) async fn locked(
    state: &AppState,
    ctx: &StaffContext,
    id: &str,
) -> Result<(ScopedTx, Invoice)> {
    let id = parse_id(id)?;
    let mut tx = ScopedTx::begin_staff_write(&state.db, ctx.tenant.workspace.id).await?;
    let inv = store::staff_one(&mut tx, ctx.tenant.workspace.id, id).await?;
    require_manager(ctx)?;
    Ok((tx, inv))
}

fn back_to(ctx: &StaffContext, inv: &Invoice, done: InvoiceDone) -> Response {
    ctx.redirect_done(&format!("/billing/{}", inv.id), done)
        .into_response()
}

/// `POST /admin/billing/{id}/terms`: currency, dates, invoice discount and tax, notes,
/// payment instructions (a draft only).
pub async fn terms(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let (mut tx, inv) = locked(&state, &ctx, &id).await?;
    let sent = TermsForm::read(&Fields::parse(&body))?;
    let t = sent.draft();
    store::set_terms(&mut tx, &inv, &t).await?;
    tx.commit().await?;
    Ok(back_to(&ctx, &inv, InvoiceDone::Saved))
}

/// `POST /admin/billing/{id}/lines`: `description`, `quantity`, `unit_price`, optional
/// `discount` and `tax` (percent; an empty tax uses the invoice's rate).
pub async fn add_line(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let (mut tx, inv) = locked(&state, &ctx, &id).await?;
    let (description, line) = form::line(&Fields::parse(&body), &inv)?;
    store::add_line(
        &mut tx,
        &inv,
        &NewLine {
            description: &description,
            line,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(&ctx, &inv, InvoiceDone::Line))
}

/// `POST /admin/billing/{id}/lines/{line}/remove`.
pub async fn remove_line(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path((id, line)): Path<(String, String)>,
) -> Result<Response> {
    let (mut tx, inv) = locked(&state, &ctx, &id).await?;
    store::remove_line(&mut tx, &inv, parse_id(&line)?).await?;
    tx.commit().await?;
    Ok(back_to(&ctx, &inv, InvoiceDone::Removed))
}

/// `POST /admin/billing/{id}/issue`.
pub async fn issue(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Response> {
    let (mut tx, inv) = locked(&state, &ctx, &id).await?;
    let number = store::issue(&mut tx, &inv, Day::today()).await?;
    news::issued(&state, &ctx, &mut tx, &inv, &number).await?;
    tx.commit().await?;
    Ok(back_to(&ctx, &inv, InvoiceDone::Issued))
}

/// `POST /admin/billing/{id}/payments`: `amount`, `method`, `reference`, `paid_on`.
pub async fn payment(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let (mut tx, inv) = locked(&state, &ctx, &id).await?;
    let sent = PaymentForm::read(&Fields::parse(&body), &inv)?;
    let p = sent.payment(&ctx.user.name);
    store::record_payment(&mut tx, &inv, &p).await?;
    tx.commit().await?;
    stripe::close_stale(&state, inv.workspace_id, inv.id).await;
    Ok(back_to(&ctx, &inv, InvoiceDone::Payment))
}

/// `POST /admin/billing/{id}/void`.
pub async fn void(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Response> {
    let (mut tx, inv) = locked(&state, &ctx, &id).await?;
    store::void(&mut tx, &inv).await?;
    tx.commit().await?;
    stripe::close_stale(&state, inv.workspace_id, inv.id).await;
    Ok(back_to(&ctx, &inv, InvoiceDone::Void))
}

/// `POST /admin/billing/{id}/delete`: drafts only.
pub async fn delete(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Response> {
    let (mut tx, inv) = locked(&state, &ctx, &id).await?;
    store::delete(&mut tx, &inv).await?;
    tx.commit().await?;
    Ok(ctx
        .redirect_done("/billing", BillingDone::Deleted)
        .into_response())
}

/// `GET /admin/billing/stripe`: whether the workspace takes online payments, and the form to
/// connect its Stripe account.
pub async fn stripe_page(
    State(state): State<AppState>,
    ctx: StaffContext,
    done: Done<StripeDone>,
) -> Result<Html<String>> {
    let connection = stripe::connection(&state.db, ctx.tenant.workspace.id).await?;
    let site = portal_core::email::workspace_url(&state.config, &ctx.tenant.workspace.slug);
    ctx.render(
        "billing/admin_stripe.html",
        context! {
            connection => connection,
            webhook_url => format!("{site}/hooks/billing/stripe"),
            can_manage => ctx.can_manage(),
            action => ctx.link("/billing/stripe"),
            disconnect => ctx.link("/billing/stripe/disconnect"),
            back => ctx.link("/billing"),
            notice => done.message(),
        },
    )
}

/// `POST /admin/billing/stripe`: `secret_key`, `webhook_secret` — stored sealed.
pub async fn stripe_connect(
    State(state): State<AppState>,
    ctx: StaffContext,
    body: Bytes,
) -> Result<Response> {
    let form = Fields::parse(&body);
    let keys = stripe::Keys {
        secret_key: form.get("secret_key").trim().to_string(),
        webhook_secret: form.get("webhook_secret").trim().to_string(),
    };
    stripe::connect(&state, ctx.tenant.workspace.id, &keys, &ctx.user.name).await?;
    Ok(ctx
        .redirect_done("/billing/stripe", StripeDone::Connected)
        .into_response())
}

/// `POST /admin/billing/stripe/disconnect`.
pub async fn stripe_disconnect(
    State(state): State<AppState>,
    ctx: StaffContext,
) -> Result<Response> {
    stripe::disconnect(&state.db, ctx.tenant.workspace.id).await?;
    Ok(ctx
        .redirect_done("/billing/stripe", StripeDone::Disconnected)
        .into_response())
}
