//! # portico-billing
//!
//! Invoices for the client: numbered from each workspace's sequence (its own prefix), line
//! items with quantities, unit prices, discounts and tax per line or for the whole invoice,
//! in the invoice's currency — money as integer minor units with the currency's exponent,
//! never floating point (`money.rs`), totals computed in one place (`totals.rs`).
//!
//! Laid out like every module: `lib.rs` declares and registers, `status.rs` is the invoice's
//! life (Draft, Sent, Paid, Void; Overdue derived when read, never stored), `store.rs` the
//! queries, `news.rs` who is told, `portal.rs` and `admin.rs` the handlers, `migrations/` and
//! `templates/` the rest.
//!
//! Only contacts holding the core's `can_view_invoices` ever see billing: for everyone else
//! it is absent from the menu, the home page and the notification choices, and its routes
//! answer 404. A draft never reaches the portal, in any form.
mod admin;
mod api;
mod form;
pub mod money;
mod news;
pub mod pdf;
mod portal;
pub mod status;
pub mod store;
pub mod stripe;
pub mod totals;
mod webhook;

use portal_core::prelude::*;

portal_core::module_files!();

pub const ID: &str = "billing";
pub const FEATURE: &str = "billing";
/// The core permission that opens billing to a contact.
pub const CAN_VIEW: &str = "can_view_invoices";
const UNPAID_WIDGET: &str = "unpaid";

pub struct Billing;

/// What this module is and brings, read by the core without running its code.
pub const MANIFEST: Manifest = Manifest {
    id: ID,
    name: "Billing",
    version: env!("CARGO_PKG_VERSION"),
    features: &[FeatureDecl {
        key: FEATURE,
        label: "Invoices and online payment",
        tiers: &[TierDecl::STANDARD],
    }],
    menu_items: &[MenuItem {
        label: "Billing",
        path: "/billing",
        icon: "receipt",
        order: 40,
        permission: Some(CAN_VIEW),
        feature: Some(FEATURE),
    }],
    quick_actions: &[QuickAction {
        key: "pay",
        label: "Pay Your Bills",
        description: "Your invoices, what is due, and how to pay.",
        path: "/billing",
        order: 40,
        permission: Some(CAN_VIEW),
        feature: Some(FEATURE),
    }],
    widget_kinds: &[WidgetKind::new(UNPAID_WIDGET, "Invoices to pay")
        .order(40)
        .permission(CAN_VIEW)],
    notification_kinds: news::KINDS,
    migrations: MIGRATIONS,
    templates: TEMPLATES,
    ..Manifest::EMPTY
};

portal_core::register_module!(Billing);

#[async_trait]
impl PortalModule for Billing {
    fn manifest(&self) -> &'static Manifest {
        &MANIFEST
    }
    fn portal_routes(&self) -> Routes {
        Routes::new()
            .get("/billing", portal::list)
            .requires(CAN_VIEW)
            .get("/billing/{id}", portal::show)
            .requires(CAN_VIEW)
            .get("/billing/{id}/print", portal::print)
            .requires(CAN_VIEW)
            .get("/billing/{id}/pdf", portal::pdf)
            .requires(CAN_VIEW)
            .post("/billing/{id}/pay", portal::pay)
            .requires(CAN_VIEW)
            .get("/billing/{id}/paid", portal::paid)
            .requires(CAN_VIEW)
            .get("/billing/{id}/cancelled", portal::cancelled)
            .requires(CAN_VIEW)
    }
    fn api_routes(&self) -> Routes {
        Routes::new()
            .get("/invoices", api::list)
            .post("/invoices", api::create)
            .requires_role(Role::Admin)
            .record_params(&[("client_id", "core.client"), ("currency", "=EUR")])
            .get("/invoices/{id}", api::show)
            .get("/invoices/{id}/pdf", pdf::for_staff)
            .post("/invoices/{id}/issue", api::issue)
            .post("/invoices/{id}/payments", api::payment)
            .post("/invoices/{id}/void", api::void)
    }
    fn hook_routes(&self) -> Routes {
        Routes::new().post("/billing/stripe", webhook::stripe)
    }
    fn admin_routes(&self) -> Routes {
        Routes::new()
            .get("/billing", admin::list)
            .post("/billing", admin::create)
            .requires_role(Role::Admin)
            .record_params(&[("client", "core.client"), ("currency", "=EUR")])
            .post("/billing/settings", admin::save_settings)
            .requires_role(Role::Admin)
            .get("/billing/stripe", admin::stripe_page)
            .post("/billing/stripe", admin::stripe_connect)
            .requires_role(Role::Admin)
            .post("/billing/stripe/disconnect", admin::stripe_disconnect)
            .requires_role(Role::Admin)
            .get("/billing/{id}", admin::show)
            .get("/billing/{id}/pdf", pdf::for_staff)
            .post("/billing/{id}/terms", admin::terms)
            .post("/billing/{id}/lines", admin::add_line)
            .post("/billing/{id}/lines/{line}/remove", admin::remove_line)
            .post("/billing/{id}/issue", admin::issue)
            .post("/billing/{id}/payments", admin::payment)
            .post("/billing/{id}/void", admin::void)
            .post("/billing/{id}/delete", admin::delete)
    }
    /// An issued invoice of two lines, part paid, and a draft the client must never see;
    /// the issued one is the routes' `{id}`, its first line the `{line}`.
    async fn seed(&self, state: &AppState, workspace_id: i64, client_id: i64) -> Result<Seeded> {
        let usd =
            money::Currency::of("USD").ok_or_else(|| portal_core::Error::Internal("USD".into()))?;
        let mut tx = ScopedTx::begin_staff_write(&state.db, workspace_id).await?;
        let due = Day::from_today(14);
        let id = store::create_draft(
            &mut tx,
            workspace_id,
            client_id,
            usd,
            Some(due),
            "Portico demo",
        )
        .await?;
        let inv = store::staff_one(&mut tx, workspace_id, id).await?;
        for (description, quantity, unit_price) in [
            ("Website design", 1000, 240_000),
            ("Copywriting, hours", 6500, 9_500),
        ] {
            let line = totals::Line {
                quantity,
                unit_price,
                discount_bp: 0,
                tax_bp: None,
            };
            store::add_line(&mut tx, &inv, &store::NewLine { description, line }).await?;
        }
        let inv = store::staff_one(&mut tx, workspace_id, id).await?;
        store::issue(&mut tx, &inv, Day::today()).await?;
        let inv = store::staff_one(&mut tx, workspace_id, id).await?;
        let part = store::NewPayment {
            amount: 100_000,
            method: "bank_transfer",
            reference: "Deposit",
            paid_on: Day::today(),
            by: "Portico demo",
        };
        store::record_payment(&mut tx, &inv, &part).await?;
        let draft =
            store::create_draft(&mut tx, workspace_id, client_id, usd, None, "Portico demo")
                .await?;
        let draft_inv = store::staff_one(&mut tx, workspace_id, draft).await?;
        let line = totals::Line {
            quantity: 1000,
            unit_price: 50_000,
            discount_bp: 0,
            tax_bp: None,
        };
        store::add_line(
            &mut tx,
            &draft_inv,
            &store::NewLine {
                description: "Not ready yet",
                line,
            },
        )
        .await?;
        let first_line = tx
            .query_scalar::<i64>("SELECT MIN(id) FROM invoice_lines WHERE invoice_id = $1")
            .bind(id)
            .fetch_one()
            .await?;
        tx.commit().await?;
        Ok(vec![
            ("id", id.to_string()),
            ("line", first_line.to_string()),
        ])
    }
    /// `unpaid`, its one widget: the contact's invoices still to pay.
    async fn widget(&self, w: HomeWidget<'_>) -> Result<Option<String>> {
        let HomeWidget { ctx, tx, .. } = w;
        let unpaid = store::unpaid_in(tx, ctx.scope()).await?;
        let today = Day::today();
        let mut items = Vec::with_capacity(unpaid.len());
        for inv in &unpaid {
            let row = portal::invoice_view(inv, today)?;
            items.push(context! { href => ctx.link(&format!("/billing/{}", inv.id)), ..row });
        }
        let html = ctx.render_fragment(
            "billing/widget.html",
            context! { items => items, all => ctx.link("/billing") },
        )?;
        Ok(Some(html))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A contact without `can_view_invoices` must find nothing here: a route added without
    /// `.requires` would be open to every contact of the client.
    #[test]
    fn every_portal_route_asks_for_the_invoice_permission() {
        let routes = Billing
            .portal_routes()
            .infos("billing", portal_core::module::Surface::Portal);
        assert!(routes.len() >= 7);
        for r in routes {
            assert_eq!(r.permission, Some(CAN_VIEW), "{} {}", r.method, r.path);
        }
    }
}
