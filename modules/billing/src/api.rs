//! `/api/invoices`: invoices for integrations, with the admin's checks. Amounts are sent as
//! decimal strings in the invoice's currency ("1500.00", "1.5", "20" percent), read exactly as
//! the admin's forms are, and returned both in minor units and formatted.
//!
//! - `GET /api/invoices`, `GET /api/invoices/{id}`, `GET /api/invoices/{id}/pdf` (the file)
//! - `POST /api/invoices` `{"client_id", "currency", "due_date"?, "issue_date"?, "discount"?,
//!   "tax"?, "notes"?, "payment_instructions"?, "lines": [{"description", "quantity",
//!   "unit_price", "discount"?, "tax"?}]}` → `201 {"id"}`, a draft
//! - `POST /api/invoices/{id}/issue`, `…/payments` `{"amount", "method", "reference"?,
//!   "paid_on"}`, `…/void`
//!
//! Owners and admins only, as in the admin.
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use portal_core::prelude::*;
use serde_json::{json, Value};

use crate::admin::locked;
use crate::form::{self, currency, PaymentForm, TermsForm};
use crate::news;
use crate::status::shown;
use crate::store::{self, Invoice, InvoiceView, NewLine};
use crate::stripe;

fn summary(inv: &Invoice, today: Day) -> Result<Value> {
    let cur = inv.currency()?;
    let (status, _) = shown(inv.status, inv.due_date, inv.balance(), today);
    Ok(json!({
        "id": inv.id,
        "number": inv.number,
        "client_id": inv.client_id,
        "client": inv.client_name,
        "status": status,
        "currency": inv.currency,
        "issue_date": inv.issue_date,
        "due_date": inv.due_date,
        "subtotal": inv.subtotal,
        "discount": inv.discount,
        "tax": inv.tax,
        "total": inv.total,
        "paid": inv.paid,
        "balance": inv.balance(),
        "total_formatted": cur.format(inv.total),
        "balance_formatted": cur.format(inv.balance()),
    }))
}

fn detail(view: &InvoiceView) -> Result<Value> {
    let mut out = summary(&view.invoice, Day::today())?;
    if let Value::Object(map) = &mut out {
        map.insert("notes".into(), json!(view.invoice.notes));
        map.insert(
            "payment_instructions".into(),
            json!(view.invoice.payment_instructions),
        );
        map.insert("lines".into(), json!(view.lines));
        map.insert("payments".into(), json!(view.payments));
    }
    Ok(out)
}

/// `GET /api/invoices`.
pub async fn list(State(state): State<AppState>, ctx: StaffContext) -> Result<Json<Value>> {
    let found = store::list_for_workspace(&state.db, ctx.tenant.workspace.id, None).await?;
    let today = Day::today();
    let invoices = found
        .iter()
        .map(|i| summary(i, today))
        .collect::<Result<Vec<_>>>()?;
    Ok(Json(json!({ "invoices": invoices })))
}

/// `GET /api/invoices/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let view =
        store::view_for_workspace(&state.db, ctx.tenant.workspace.id, parse_id(&id)?).await?;
    Ok(Json(detail(&view)?))
}

/// `POST /api/invoices`: a draft with its lines, in one transaction — all of it or nothing.
pub async fn create(
    State(state): State<AppState>,
    ctx: StaffContext,
    raw: Bytes,
) -> Result<Response> {
    let body = json_object(&raw)?;
    let client = body
        .get("client_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| Error::BadRequest("Give the client_id.".into()))?;
    let sent = Fields::from_json(&body);
    let cur = currency(sent.get("currency"))?;
    let terms = TermsForm::read(&sent)?;
    let lines = match body.get("lines") {
        None => Vec::new(),
        Some(Value::Array(lines)) => lines.clone(),
        Some(_) => return Err(Error::BadRequest("lines is a list.".into())),
    };
    let ws = ctx.tenant.workspace.id;
    let mut tx = ScopedTx::begin_staff_write(&state.db, ws).await?;
    let id = store::create_draft(
        &mut tx,
        ws,
        client,
        cur,
        terms.draft().due_date,
        &ctx.user.name,
    )
    .await?;
    let inv = store::staff_one(&mut tx, ws, id).await?;
    store::set_terms(&mut tx, &inv, &terms.draft()).await?;
    for line in &lines {
        let Value::Object(line) = line else {
            return Err(Error::BadRequest("Each line is an object.".into()));
        };
        let inv = store::staff_one(&mut tx, ws, id).await?;
        let (description, line) = form::line(&Fields::from_json(line), &inv)?;
        store::add_line(
            &mut tx,
            &inv,
            &NewLine {
                description: &description,
                line,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

/// `POST /api/invoices/{id}/issue`: `{"number"}`.
pub async fn issue(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let (mut tx, inv) = locked(&state, &ctx, &id).await?;
    let number = store::issue(&mut tx, &inv, Day::today()).await?;
    news::issued(&state, &ctx, &mut tx, &inv, &number).await?;
    tx.commit().await?;
    Ok(Json(json!({ "number": number })))
}

/// `POST /api/invoices/{id}/payments`.
pub async fn payment(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let (mut tx, inv) = locked(&state, &ctx, &id).await?;
    let sent = PaymentForm::read(&Fields::from_json(&json_object(&raw)?), &inv)?;
    store::record_payment(&mut tx, &inv, &sent.payment(&ctx.user.name)).await?;
    tx.commit().await?;
    stripe::close_stale(&state, inv.workspace_id, inv.id).await;
    let view = store::view_for_workspace(&state.db, ctx.tenant.workspace.id, inv.id).await?;
    Ok((StatusCode::CREATED, Json(detail(&view)?)).into_response())
}

/// `POST /api/invoices/{id}/void`.
pub async fn void(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let (mut tx, inv) = locked(&state, &ctx, &id).await?;
    store::void(&mut tx, &inv).await?;
    tx.commit().await?;
    stripe::close_stale(&state, inv.workspace_id, inv.id).await;
    Ok(StatusCode::NO_CONTENT)
}
