//! Who hears about an invoice: when one is issued, the client's contacts who may see invoices
//! (`can_view_invoices`) — in the portal and by email — and nobody else.
use portal_core::notifications::{self, Delivery, Notice, Recipients};
use portal_core::prelude::*;

use crate::store::Invoice;
use crate::CAN_VIEW;

pub const ISSUED: &str = "invoice_issued";

pub const KINDS: &[NotificationKind] = &[NotificationKind {
    key: ISSUED,
    label: "A new invoice is issued",
    permission: Some(CAN_VIEW),
    default_delivery: Delivery::Immediately,
}];

/// `inv` was just issued as `number`.
pub async fn issued(
    state: &AppState,
    ctx: &StaffContext,
    tx: &mut ScopedTx,
    inv: &Invoice,
    number: &str,
) -> Result<()> {
    let total = inv.currency()?.format(inv.total);
    let notice = Notice {
        kind: ISSUED,
        title: format!("New invoice {number}: {total}"),
        body: match &inv.due_date {
            Some(due) => format!("Due {due}."),
            None => String::new(),
        },
        link: format!("/billing/{}", inv.id),
        source: Some(format!("billing:{}", inv.id)),
        about: None,
    };
    notifications::notify(
        &state.notifier,
        &ctx.tenant,
        tx,
        inv.client_id,
        &Recipients::Client,
        &notice,
    )
    .await?;
    Ok(())
}
