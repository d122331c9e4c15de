//! Invoices as the agency and its client's billing contacts live them: a draft nobody outside
//! the team sees, issued with the next number of the workspace's sequence, told to exactly
//! the contacts who may see invoices, paid in parts, overdue when the day comes, void — with
//! exact money in currencies of 0, 2 and 3 decimals, and bad input refused without a trace.

use portico_tests::stripe::{completed, signature};
use portico_tests::{
    backends, menu_labels, pdf_pages, snapshot, spawn_app_configured, As, Backend, Page,
    StripeServer, TestApp,
};

backends!(
    an_invoice_is_drafted_issued_paid_in_parts_and_closed,
    overdue_comes_with_the_date_and_goes_with_the_payment,
    billing_exists_only_for_contacts_who_may_see_invoices,
    money_is_exact_in_every_currency,
    bad_input_is_refused_and_changes_nothing,
    paying_online_records_exactly_what_stripe_confirms,
    forged_stale_replayed_and_wrong_webhooks_change_nothing,
    the_api_drafts_issues_and_takes_payments,
    a_changed_balance_closes_the_payment_page_left_open,
    amounts_stripe_cannot_charge_are_not_offered,
    two_tabs_get_one_payment_page_and_a_second_payment_is_flagged,
    a_stripe_event_id_is_unique_within_its_workspace_only,
);

struct World {
    app: TestApp,
    ws: i64,
    staff: As,
    bearer: As,
    client: i64,
    /// May see invoices (and has accepted the invitation: gets email).
    bea: As,
    bea_id: i64,
    /// Sees projects, not invoices.
    pat: As,
}

async fn world(backend: &Backend) -> World {
    world_with(backend, portal_core::PortalConfig::default()).await
}

async fn world_with(backend: &Backend, config: portal_core::PortalConfig) -> World {
    let app = spawn_app_configured(backend, config).await;
    let s = app
        .scenario("acme")
        .staff_owner("owner@agency.example")
        .client("Client Co", |c| {
            c.joined_contact(
                "bea@client.example",
                &["can_view_invoices", "can_view_projects"],
            )
            .contact("pat@client.example", &["can_view_projects"])
        })
        .build()
        .await;
    let (_, staff, bearer) = s.staff("owner@agency.example");
    let (bea_id, bea) = s.contact("bea@client.example");
    World {
        app,
        ws: s.ws,
        staff,
        bearer,
        client: s.client("Client Co"),
        bea,
        bea_id,
        pat: s.contact("pat@client.example").1,
    }
}

impl World {
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.app
            .submit(
                "acme",
                &format!("/admin/billing{path}"),
                &self.staff,
                fields,
            )
            .await
    }

    /// A draft for the client in `currency`, due `due`; its id.
    async fn draft(&self, currency: &str, due: &str) -> i64 {
        let client = self.client.to_string();
        let res = self
            .post(
                "",
                &[
                    ("client", &client),
                    ("currency", currency),
                    ("due_date", due),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        res.location_id("billing")
    }

    /// An invoice for the client, issued: one line of `description` at `price` (USD).
    async fn issued(&self, description: &str, price: &str) -> i64 {
        let staff = &self.staff;
        self.app
            .issued_invoice("acme", staff, self.client, description, price)
            .await
    }

    async fn line(&self, id: i64, fields: &[(&str, &str)]) -> Page {
        self.post(&format!("/{id}/lines"), fields).await
    }

    async fn terms(&self, id: i64, fields: &[(&str, &str)]) -> Page {
        self.post(&format!("/{id}/terms"), fields).await
    }

    async fn pay(&self, id: i64, amount: &str) -> Page {
        self.post(
            &format!("/{id}/payments"),
            &[
                ("amount", amount),
                ("method", "bank_transfer"),
                ("reference", "TR-1"),
                ("paid_on", "2026-11-20"),
            ],
        )
        .await
    }

    async fn row(&self, id: i64) -> (Option<String>, String, i64, i64) {
        self.app
            .db()
            .query_as("SELECT number, status, total, paid FROM invoices WHERE id = $1")
            .bind(id)
            .fetch_one()
            .await
            .unwrap()
    }

    async fn portal(&self, path: &str) -> Page {
        self.app.get("acme", path, &self.bea).await
    }
}

async fn an_invoice_is_drafted_issued_paid_in_parts_and_closed(backend: Backend) {
    let w = world(&backend).await;
    let id = w.draft("USD", "2030-01-31").await;
    for fields in [
        [
            ("description", "Homepage design"),
            ("quantity", "2"),
            ("unit_price", "1,500.00"),
            ("discount", ""),
        ],
        [
            ("description", "Copywriting hours"),
            ("quantity", "1.5"),
            ("unit_price", "80"),
            ("discount", "10"),
        ],
    ] {
        let res = w.line(id, &fields).await;
        assert_eq!(res.status, 303, "{}", res.body);
    }
    let res = w
        .terms(
            id,
            &[
                ("currency", "USD"),
                ("due_date", "2030-01-31"),
                ("discount", "5"),
                ("tax", "20"),
                ("notes", "Thank you!"),
                ("payment_instructions", "IBAN GB00 0000 0000 0000"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    // $3,000.00 + $120.00 − 10 % = $3,108.00; −5 % ($155.40) = $2,952.60; +20 % tax = $590.52.
    assert_eq!(w.row(id).await, (None, "draft".into(), 354_312, 0));

    // A draft is nowhere in the portal: list, page, print, PDF, home, notifications.
    let list = w.portal("/portal/billing").await.words();
    assert!(list.contains("No invoices yet."), "{list}");
    for path in [
        format!("/portal/billing/{id}"),
        format!("/portal/billing/{id}/print"),
        format!("/portal/billing/{id}/pdf"),
    ] {
        assert_eq!(w.portal(&path).await.status, 404, "{path}");
    }
    let home = w.portal("/portal/").await.words();
    assert!(home.contains("Nothing to pay right now."), "{home}");
    // Staff's PDF of the draft says what it is on every page.
    let (status, _, bytes) = w
        .app
        .get_bytes("acme", &format!("/admin/billing/{id}/pdf"), &w.staff)
        .await;
    assert_eq!(status, 200);
    let draft = pdf_pages(&bytes).join(" ");
    for expected in [
        "Invoice Draft, not issued Draft",
        "Homepage design",
        "Total $3,543.12",
        "Draft invoice Page 1 of 1",
    ] {
        assert!(draft.contains(expected), "{expected}: {draft}");
    }

    let res = w.post(&format!("/{id}/issue"), &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(w.row(id).await.0.as_deref(), Some("INV-0001"));
    // Told: Bea (invoices), in the feed and by email; Pat (no invoices) not.
    let told: Vec<(i64, String)> = w
        .app
        .db()
        .query_as("SELECT contact_id, title FROM notifications WHERE kind = 'invoice_issued'")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(
        told,
        [(w.bea_id, "New invoice INV-0001: $3,543.12".to_string())]
    );
    let mailed: Vec<String> = w
        .app
        .db()
        .query_scalar("SELECT to_address FROM email_outbox WHERE subject LIKE 'New invoice%'")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(mailed, ["bea@client.example"]);

    // The client's view: the breakdown to the cent, how to pay.
    let page = w.portal(&format!("/portal/billing/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let words = page.words();
    for expected in [
        "Invoice INV-0001 Sent",
        "Homepage design 2 $1,500.00 20 % $3,000.00",
        "Copywriting hours 1.5 $80.00 10 % 20 % $108.00",
        "Subtotal $3,108.00",
        "Discount (5 %) −$155.40",
        "Tax $590.52",
        "Total $3,543.12",
        "Balance due $3,543.12",
        "How to pay IBAN GB00 0000 0000 0000",
        "Thank you!",
    ] {
        assert!(words.contains(expected), "{expected}: {words}");
    }
    let print = w.portal(&format!("/portal/billing/{id}/print")).await;
    assert!(print.words().contains("Total $3,543.12"));
    // The PDF: the same invoice, named for its number, readable as text.
    let (status, headers, bytes) = w
        .app
        .get_bytes("acme", &format!("/portal/billing/{id}/pdf"), &w.bea)
        .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/pdf");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with(r#"attachment; filename="Invoice INV-0001.pdf""#),
        "{disposition}"
    );
    let pdf = pdf_pages(&bytes);
    assert_eq!(pdf.len(), 1);
    for expected in [
        "acme agency Invoice INV-0001 Sent",
        "Billed to Issued Due Balance due Client Co",
        "31 Jan 2030 $3,543.12",
        "Homepage design 2 $1,500.00 20 % $3,000.00",
        "Copywriting hours 1.5 $80.00 10 % 20 % $108.00",
        "Subtotal $3,108.00 Discount (5 %) −$155.40 Tax $590.52 Total $3,543.12 Paid $0.00 Balance due $3,543.12",
        "Notes Thank you!",
        "How to pay IBAN GB00 0000 0000 0000",
        "Payments No payments yet.",
        "Page 1 of 1",
    ] {
        assert!(pdf[0].contains(expected), "{expected}: {}", pdf[0]);
    }
    assert!(!pdf[0].contains("Draft"), "{}", pdf[0]);
    let list = w.portal("/portal/billing").await;
    assert!(list.text().contains("row-owing"), "unpaid is highlighted");
    assert!(list.words().contains("INV-0001"), "{}", list.words());

    // Paid in two parts; not a cent more.
    assert_eq!(w.pay(id, "1000").await.status, 303);
    assert_eq!(w.row(id).await.3, 100_000);
    let words = w.portal(&format!("/portal/billing/{id}")).await.words();
    assert!(
        words.contains("Balance due $2,543.12") && words.contains("Bank transfer TR-1 $1,000.00"),
        "{words}"
    );
    let before = snapshot(w.app.db()).await;
    let res = w.pay(id, "2543.13").await;
    assert_eq!(res.status, 400);
    assert!(
        res.words().contains("more than the $2,543.12 still owed"),
        "{}",
        res.words()
    );
    assert_eq!(snapshot(w.app.db()).await, before);
    assert_eq!(w.pay(id, "2543.12").await.status, 303);
    assert_eq!(w.row(id).await.1, "paid");
    let words = w.portal(&format!("/portal/billing/{id}")).await.words();
    assert!(
        words.contains("Invoice INV-0001 Paid") && words.contains("Balance due $0.00"),
        "{words}"
    );
    assert!(!words.contains("How to pay"), "nothing left to pay");
    let (_, _, bytes) = w
        .app
        .get_bytes("acme", &format!("/portal/billing/{id}/pdf"), &w.bea)
        .await;
    let pdf = pdf_pages(&bytes).join(" ");
    for expected in [
        "INV-0001 Paid",
        "Bank transfer · TR-1 20 Nov 2026 $1,000.00",
        "Balance due $0.00",
    ] {
        assert!(pdf.contains(expected), "{expected}: {pdf}");
    }
    assert!(!pdf.contains("How to pay"), "{pdf}");

    // Closed: no edit, payment, void or deletion.
    let before = snapshot(w.app.db()).await;
    for res in [
        w.line(
            id,
            &[
                ("description", "More"),
                ("quantity", "1"),
                ("unit_price", "1"),
            ],
        )
        .await,
        w.pay(id, "1").await,
        w.post(&format!("/{id}/void"), &[]).await,
        w.post(&format!("/{id}/delete"), &[]).await,
        w.post(&format!("/{id}/issue"), &[]).await,
    ] {
        assert_eq!(res.status, 409, "{}", res.body);
    }
    assert_eq!(snapshot(w.app.db()).await, before);

    // The next one takes the next number; voided, it stays on record and owes nothing.
    let next = w.draft("USD", "2030-02-28").await;
    w.line(
        next,
        &[
            ("description", "Retainer"),
            ("quantity", "1"),
            ("unit_price", "500"),
        ],
    )
    .await;
    assert_eq!(w.post(&format!("/{next}/issue"), &[]).await.status, 303);
    assert_eq!(w.row(next).await.0.as_deref(), Some("INV-0002"));
    assert_eq!(w.post(&format!("/{next}/void"), &[]).await.status, 303);
    let list = w.portal("/portal/billing").await.words();
    assert!(list.contains("INV-0002") && list.contains("Void"), "{list}");
    assert_eq!(w.pay(next, "1").await.status, 409);
}

async fn overdue_comes_with_the_date_and_goes_with_the_payment(backend: Backend) {
    let w = world(&backend).await;
    let id = w.draft("EUR", "2020-01-31").await;
    w.line(
        id,
        &[
            ("description", "Audit"),
            ("quantity", "1"),
            ("unit_price", "900"),
        ],
    )
    .await;
    w.terms(
        id,
        &[
            ("currency", "EUR"),
            ("issue_date", "2020-01-01"),
            ("due_date", "2020-01-31"),
        ],
    )
    .await;
    assert_eq!(w.post(&format!("/{id}/issue"), &[]).await.status, 303);
    assert_eq!(w.row(id).await.1, "sent", "overdue is not stored");
    let list = w.portal("/portal/billing").await;
    assert!(list.words().contains("Overdue"), "{}", list.words());
    assert!(list.text().contains("row-overdue"));
    let admin = w.app.get("acme", "/admin/billing", &w.staff).await.words();
    assert!(admin.contains("Overdue"), "{admin}");
    let home = w.portal("/portal/").await.words();
    assert!(home.contains("INV-0001 Overdue €900.00"), "{home}");
    assert_eq!(w.pay(id, "900").await.status, 303);
    let list = w.portal("/portal/billing").await.words();
    assert!(list.contains("Paid") && !list.contains("Overdue"), "{list}");
}

async fn billing_exists_only_for_contacts_who_may_see_invoices(backend: Backend) {
    let w = world(&backend).await;
    let id = w.issued("Design", "100").await;
    let never = w.app.get("acme", "/portal/no-such-page", &w.pat).await;
    for path in [
        "/portal/billing".to_string(),
        format!("/portal/billing/{id}"),
        format!("/portal/billing/{id}/print"),
        format!("/portal/billing/{id}/pdf"),
    ] {
        let page = w.app.get("acme", &path, &w.pat).await;
        assert_eq!((page.status, &page.body), (404, &never.body), "{path}");
        assert_eq!(w.portal(&path).await.status, 200, "{path} for Bea");
    }
    let home = w.app.get("acme", "/portal/", &w.pat).await;
    assert!(!menu_labels(&home.body).contains(&"Billing".to_string()));
    let words = home.words();
    assert!(
        !words.contains("Pay Your Bills") && !words.contains("Invoices to pay"),
        "{words}"
    );
    let choices = w
        .app
        .get("acme", "/portal/notifications/email", &w.pat)
        .await
        .words();
    assert!(!choices.contains("A new invoice is issued"), "{choices}");
    // Bea has all of it.
    let home = w.portal("/portal/").await;
    assert!(menu_labels(&home.body).contains(&"Billing".to_string()));
    assert!(home.words().contains("Pay Your Bills"));
}

async fn money_is_exact_in_every_currency(backend: Backend) {
    let w = world(&backend).await;
    // Yen have no minor unit: 3 × ¥1,005 = ¥3,015, 10 % tax ¥301.5 → ¥302.
    let yen = w.draft("JPY", "2030-01-31").await;
    w.line(
        yen,
        &[
            ("description", "Banner"),
            ("quantity", "3"),
            ("unit_price", "1005"),
        ],
    )
    .await;
    w.terms(
        yen,
        &[
            ("currency", "JPY"),
            ("due_date", "2030-01-31"),
            ("tax", "10"),
        ],
    )
    .await;
    assert_eq!(w.row(yen).await.2, 3_317);
    // A yen price with decimals is refused.
    let res = w
        .line(
            yen,
            &[
                ("description", "x"),
                ("quantity", "1"),
                ("unit_price", "1.5"),
            ],
        )
        .await;
    assert_eq!(res.status, 400);
    // Dinar have three: 1.235 KWD, 5 % tax 0.06175 → 0.062.
    let kwd = w.draft("KWD", "2030-01-31").await;
    w.line(
        kwd,
        &[
            ("description", "Consulting"),
            ("quantity", "1"),
            ("unit_price", "1.235"),
        ],
    )
    .await;
    w.terms(
        kwd,
        &[
            ("currency", "KWD"),
            ("due_date", "2030-01-31"),
            ("tax", "5"),
        ],
    )
    .await;
    assert_eq!(w.row(kwd).await.2, 1_297);
    for id in [yen, kwd] {
        assert_eq!(w.post(&format!("/{id}/issue"), &[]).await.status, 303);
    }
    let list = w.portal("/portal/billing").await.words();
    assert!(
        list.contains("¥3,317") && list.contains("1.297 KWD"),
        "{list}"
    );
}

async fn bad_input_is_refused_and_changes_nothing(backend: Backend) {
    let w = world(&backend).await;
    let id = w.draft("USD", "2030-01-31").await;
    let member = w.app.member(w.ws, "member@agency.example", "Mo").await;
    let before = snapshot(w.app.db()).await;
    for fields in [
        vec![("description", ""), ("quantity", "1"), ("unit_price", "1")],
        vec![
            ("description", "x"),
            ("quantity", "abc"),
            ("unit_price", "1"),
        ],
        vec![("description", "x"), ("quantity", "0"), ("unit_price", "1")],
        vec![
            ("description", "x"),
            ("quantity", "1"),
            ("unit_price", "12.345"),
        ],
        vec![
            ("description", "x"),
            ("quantity", "1"),
            ("unit_price", "-5"),
        ],
        vec![
            ("description", "x"),
            ("quantity", "1"),
            ("unit_price", "1"),
            ("discount", "150"),
        ],
        vec![
            ("description", "x"),
            ("quantity", "1"),
            ("unit_price", "1"),
            ("tax", "abc"),
        ],
    ] {
        assert_eq!(w.line(id, &fields).await.status, 400, "{fields:?}");
    }
    for fields in [
        vec![("currency", "XYZ")],
        vec![("currency", "USD"), ("due_date", "someday")],
        vec![("currency", "USD"), ("tax", "20.555")],
    ] {
        assert_eq!(w.terms(id, &fields).await.status, 400, "{fields:?}");
    }
    // Limits: quantities and rates no total can overflow with.
    for fields in [
        vec![
            ("description", "x"),
            ("quantity", "100001"),
            ("unit_price", "1"),
        ],
        vec![
            ("description", "x"),
            ("quantity", "1"),
            ("unit_price", "100000001"),
        ],
    ] {
        assert_eq!(w.line(id, &fields).await.status, 400, "{fields:?}");
    }
    // Nothing to bill yet: not issued.
    let res = w.post(&format!("/{id}/issue"), &[]).await;
    assert_eq!(res.status, 400);
    assert!(res.words().contains("total above zero"));
    assert_eq!(
        w.pay(id, "10").await.status,
        409,
        "a draft takes no payment"
    );
    // A member looks but does not bill.
    let client = w.client.to_string();
    let res = w
        .app
        .submit(
            "acme",
            "/admin/billing",
            &member,
            &[("client", &client), ("currency", "USD")],
        )
        .await;
    assert_eq!(res.status, 403);
    let res = w
        .app
        .submit("acme", &format!("/admin/billing/{id}/issue"), &member, &[])
        .await;
    assert_eq!(res.status, 403);
    assert_eq!(
        w.app.get("acme", "/admin/billing", &member).await.status,
        200
    );
    assert_eq!(snapshot(w.app.db()).await, before, "nothing changed");
    // A due date before the issue date is refused at issue.
    w.line(
        id,
        &[("description", "x"), ("quantity", "1"), ("unit_price", "1")],
    )
    .await;
    // With lines priced in dollars, the currency cannot change under them.
    let res = w.terms(id, &[("currency", "JPY")]).await;
    assert_eq!(res.status, 409);
    assert!(res
        .words()
        .contains("Remove the lines before changing the currency"));
    w.terms(
        id,
        &[
            ("currency", "USD"),
            ("issue_date", "2030-02-01"),
            ("due_date", "2030-01-01"),
        ],
    )
    .await;
    let res = w.post(&format!("/{id}/issue"), &[]).await;
    assert_eq!(res.status, 400);
    assert!(res.words().contains("before the issue date"));
}

/// PostgreSQL's second wall: a client's scope never reads a draft or its lines, even by a
/// query that forgets every filter.
#[tokio::test]
async fn drafts_stay_behind_the_wall() {
    use portal_core::db::ScopedTx;
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let w = world(&backend).await;
    let draft = w.draft("USD", "2030-01-31").await;
    w.line(
        draft,
        &[
            ("description", "Secret"),
            ("quantity", "1"),
            ("unit_price", "1"),
        ],
    )
    .await;
    let sent = w.issued("Shown", "1").await;
    let mut tx = ScopedTx::begin(w.app.db(), w.ws, w.client).await.unwrap();
    let ids: Vec<i64> = tx
        .query_scalar("SELECT id FROM invoices")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(ids, [sent]);
    let lines: Vec<String> = tx
        .query_scalar("SELECT description FROM invoice_lines")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(lines, ["Shown"]);
    tx.commit().await.unwrap();
}

const SECRET_KEY: &str = "sk_test_51PorticoAbcd";
const WEBHOOK_SECRET: &str = "whsec_portico_test_secret";

/// A world whose workspace connected its Stripe account (the tests' Stripe server), and an
/// issued invoice of $354.31 for Bea to pay.
async fn paying_world(backend: &Backend) -> (World, StripeServer, i64) {
    let stripe = StripeServer::start(SECRET_KEY).await;
    let config = portal_core::PortalConfig {
        stripe_api_base: stripe.url.clone(),
        ..Default::default()
    };
    let w = world_with(backend, config).await;
    let res = w
        .post(
            "/stripe",
            &[
                ("secret_key", SECRET_KEY),
                ("webhook_secret", WEBHOOK_SECRET),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let id = w.issued("Design", "354.31").await;
    (w, stripe, id)
}

impl World {
    async fn deliver(&self, body: &str, signature: Option<&str>) -> Page {
        let mut headers = vec![("content-type", "application/json")];
        if let Some(s) = signature {
            headers.push(("stripe-signature", s));
        }
        self.app
            .request_raw(
                "POST",
                "/w/acme/hooks/billing/stripe",
                &headers,
                Some(body.to_string()),
            )
            .await
    }

    async fn payments(&self, id: i64) -> Vec<(i64, String)> {
        self.app
            .db()
            .query_as(
                "SELECT amount, method FROM invoice_payments WHERE invoice_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all()
            .await
            .unwrap()
    }
}

fn now() -> i64 {
    portal_core::db::now()
}

async fn paying_online_records_exactly_what_stripe_confirms(backend: Backend) {
    let (w, stripe, id) = paying_world(&backend).await;
    // The keys are kept sealed, and shown only by their last characters.
    let stored: Vec<String> = w
        .app
        .db()
        .query_scalar(
            "SELECT secret_key_sealed || ' ' || webhook_secret_sealed || ' ' || key_hint \
             FROM billing_stripe",
        )
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(
        !stored[0].contains("sk_test") && !stored[0].contains("whsec_"),
        "{stored:?}"
    );
    let admin = w.app.get("acme", "/admin/billing/stripe", &w.staff).await;
    assert!(
        admin.words().contains("ending in Abcd"),
        "{}",
        admin.words()
    );
    assert!(!admin.body.contains(SECRET_KEY) && !admin.body.contains(WEBHOOK_SECRET));

    // Sealed under the deployment's key, for this workspace only.
    let sealed: String = w
        .app
        .db()
        .query_scalar("SELECT secret_key_sealed FROM billing_stripe")
        .fetch_one()
        .await
        .unwrap();
    let sealer = portal_core::secrets::SecretBox::new(&w.app.state.config.secret_key);
    assert_ne!(sealed, portal_core::secrets::hex(SECRET_KEY.as_bytes()));
    let context = format!("billing:stripe:secret:workspace:{}", w.ws);
    assert_eq!(sealer.open(&sealed, &context).unwrap(), SECRET_KEY);
    let elsewhere = format!("billing:stripe:secret:workspace:{}", w.ws + 1);
    assert!(sealer.open(&sealed, &elsewhere).is_err());

    // Pay now: a Checkout session for the balance, and off to Stripe.
    let page = w.portal(&format!("/portal/billing/{id}")).await;
    assert!(page.words().contains("Pay $354.31 now"), "{}", page.words());
    let res = w
        .app
        .post("acme", &format!("/portal/billing/{id}/pay"), &w.bea)
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let sessions = stripe.sessions();
    assert_eq!(sessions.len(), 1);
    let session = &sessions[0];
    assert_eq!(
        res.location(),
        format!("{}/c/pay/{}", stripe.url, session.id)
    );
    assert_eq!(
        session.field("line_items[0][price_data][unit_amount]"),
        "35431"
    );
    assert_eq!(session.field("line_items[0][price_data][currency]"), "usd");
    assert_eq!(session.field("customer_email"), "bea@client.example");
    assert!(session
        .field("success_url")
        .ends_with(&format!("/w/acme/portal/billing/{id}/paid")));
    assert!(session
        .field("cancel_url")
        .ends_with(&format!("/w/acme/portal/billing/{id}/cancelled")));
    // A second click (another tab) goes to the same session: one payment page, not two.
    let again = w
        .app
        .post("acme", &format!("/portal/billing/{id}/pay"), &w.bea)
        .await;
    assert_eq!(again.location(), res.location());
    assert_eq!(stripe.sessions().len(), 1);

    // Back from Stripe: thanked, and nothing recorded until Stripe confirms.
    let back = w
        .portal(&format!("/portal/billing/{id}/paid"))
        .await
        .words();
    assert!(
        back.contains("Stripe is confirming your payment") && back.contains("Sent"),
        "{back}"
    );
    assert!(w.payments(id).await.is_empty());

    // Stripe's signed confirmation: recorded, paid.
    let event = completed("evt_1", &session.id, 35_431, "usd");
    let res = w
        .deliver(&event, Some(&signature(WEBHOOK_SECRET, now(), &event)))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains(r#""outcome":"recorded""#), "{}", res.body);
    assert_eq!(w.payments(id).await, [(35_431, "online".to_string())]);
    assert_eq!(w.row(id).await.1, "paid");
    let words = w.portal(&format!("/portal/billing/{id}")).await.words();
    assert!(
        words.contains("Paid online (Stripe)") && words.contains("Balance due $0.00"),
        "{words}"
    );
    assert!(!words.contains("Pay $"), "nothing left to pay");

    // The same event again, or another event for the same session: applied once.
    let before = snapshot(w.app.db()).await;
    let res = w
        .deliver(&event, Some(&signature(WEBHOOK_SECRET, now(), &event)))
        .await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("already recorded"), "{}", res.body);
    let again = completed("evt_2", &session.id, 35_431, "usd");
    let res = w
        .deliver(&again, Some(&signature(WEBHOOK_SECRET, now(), &again)))
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(snapshot(w.app.db()).await, before, "one payment");
    // Paid: no new session.
    let res = w
        .app
        .post("acme", &format!("/portal/billing/{id}/pay"), &w.bea)
        .await;
    assert_eq!(res.status, 409);
    assert_eq!(stripe.sessions().len(), 1);
}

async fn forged_stale_replayed_and_wrong_webhooks_change_nothing(backend: Backend) {
    let (w, stripe, id) = paying_world(&backend).await;
    assert_eq!(
        w.app
            .post("acme", &format!("/portal/billing/{id}/pay"), &w.bea)
            .await
            .status,
        303
    );
    let session = stripe.sessions()[0].id.clone();
    let good = completed("evt_1", &session, 35_431, "usd");
    let before = snapshot(w.app.db()).await;
    let wrong_amount = completed("evt_2", &session, 100, "usd");
    let wrong_currency = completed("evt_3", &session, 35_431, "eur");
    for (what, body, sig) in [
        ("no signature", good.clone(), None),
        (
            "another secret",
            good.clone(),
            Some(signature("whsec_someone_else", now(), &good)),
        ),
        (
            "stale",
            good.clone(),
            Some(signature(WEBHOOK_SECRET, now() - 400, &good)),
        ),
        (
            "from the future",
            good.clone(),
            Some(signature(WEBHOOK_SECRET, now() + 400, &good)),
        ),
        (
            "body changed after signing",
            good.replace("35431", "99999"),
            Some(signature(WEBHOOK_SECRET, now(), &good)),
        ),
        (
            "not JSON",
            "nonsense".to_string(),
            Some(signature(WEBHOOK_SECRET, now(), "nonsense")),
        ),
    ] {
        let res = w.deliver(&body, sig.as_deref()).await;
        assert_eq!(res.status, 400, "{what}: {}", res.body);
    }
    // Believed but not ours to apply: a session this portal never opened, another kind of
    // event, a session not paid yet — acknowledged, nothing recorded.
    let unknown = completed("evt_4", "cs_test_unknown", 35_431, "usd");
    let expired = good.replace("checkout.session.completed", "checkout.session.expired");
    let unpaid = good.replace(r#""payment_status":"paid""#, r#""payment_status":"unpaid""#);
    // Signed by Stripe but not what was asked: acknowledged (Stripe would retry for days),
    // logged for the team, not recorded.
    for body in [unknown, expired, unpaid, wrong_amount, wrong_currency] {
        let res = w
            .deliver(&body, Some(&signature(WEBHOOK_SECRET, now(), &body)))
            .await;
        assert_eq!(res.status, 200, "{body}: {}", res.body);
    }
    assert_eq!(snapshot(w.app.db()).await, before, "nothing changed");
    assert_eq!(w.row(id).await.1, "sent");
    // A workspace without Stripe shows no Pay button and opens no session.
    let res = w.post("/stripe/disconnect", &[]).await;
    assert_eq!(res.status, 303);
    assert!(!w
        .portal(&format!("/portal/billing/{id}"))
        .await
        .words()
        .contains("Pay $"));
    assert_eq!(
        w.app
            .post("acme", &format!("/portal/billing/{id}/pay"), &w.bea)
            .await
            .status,
        409
    );
    let res = w
        .deliver(&good, Some(&signature(WEBHOOK_SECRET, now(), &good)))
        .await;
    assert_eq!(res.status, 400, "no secret, no belief");
    // Reconnected, the genuine confirmation still records it once.
    w.post(
        "/stripe",
        &[
            ("secret_key", SECRET_KEY),
            ("webhook_secret", WEBHOOK_SECRET),
        ],
    )
    .await;
    let res = w
        .deliver(&good, Some(&signature(WEBHOOK_SECRET, now(), &good)))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(w.payments(id).await.len(), 1);
    assert_eq!(w.row(id).await.1, "paid");
}

impl World {
    async fn api(&self, path: &str, body: &str) -> Page {
        let As::Bearer(token) = &self.bearer else {
            unreachable!()
        };
        let auth = format!("Bearer {token}");
        self.app
            .request_raw(
                "POST",
                &format!("/w/acme/api{path}"),
                &[
                    ("authorization", &auth),
                    ("content-type", "application/json"),
                ],
                Some(body.to_string()),
            )
            .await
    }
}

async fn the_api_drafts_issues_and_takes_payments(backend: Backend) {
    let w = world(&backend).await;
    let body = format!(
        r#"{{"client_id": {}, "currency": "USD", "due_date": "2030-01-31", "discount": "5", "tax": "20",
            "lines": [{{"description": "Homepage design", "quantity": "2", "unit_price": "1500.00"}},
                      {{"description": "Copywriting hours", "quantity": 1.5, "unit_price": "80", "discount": "10"}}]}}"#,
        w.client
    );
    let res = w.api("/invoices", &body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let id = serde_json::from_str::<serde_json::Value>(&res.body).unwrap()["id"]
        .as_i64()
        .unwrap();
    // The same totals as the admin's, from the same function.
    assert_eq!(w.row(id).await, (None, "draft".into(), 354_312, 0));
    let shown: serde_json::Value = serde_json::from_str(
        &w.app
            .get("acme", &format!("/api/invoices/{id}"), &w.bearer)
            .await
            .body,
    )
    .unwrap();
    assert_eq!(shown["status"], "draft");
    assert_eq!(shown["total_formatted"], "$3,543.12");
    assert_eq!(shown["lines"].as_array().unwrap().len(), 2);
    let (status, headers, bytes) = w
        .app
        .get_bytes("acme", &format!("/api/invoices/{id}/pdf"), &w.bearer)
        .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/pdf");
    let pdf = pdf_pages(&bytes).join(" ");
    assert!(
        pdf.contains("Draft, not issued") && pdf.contains("Total $3,543.12"),
        "{pdf}"
    );

    // Bad input anywhere: 400, and nothing at all is made.
    let before = snapshot(w.app.db()).await;
    for bad in [
        "not json".to_string(),
        "[]".to_string(),
        format!(r#"{{"client_id": {}, "currency": "XYZ"}}"#, w.client),
        format!(
            r#"{{"client_id": {}, "currency": "USD", "lines": [{{"description": "x", "quantity": "1", "unit_price": "1.234"}}]}}"#,
            w.client
        ),
        format!(
            r#"{{"client_id": {}, "currency": "USD", "lines": [{{"description": "ok", "quantity": "1", "unit_price": "1"}}, {{"description": "", "quantity": "1", "unit_price": "1"}}]}}"#,
            w.client
        ),
        r#"{"client_id": 9999999, "currency": "USD"}"#.to_string(),
    ] {
        assert_eq!(w.api("/invoices", &bad).await.status, 400, "{bad}");
    }
    assert_eq!(snapshot(w.app.db()).await, before);

    let res = w.api(&format!("/invoices/{id}/issue"), "").await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains("INV-0001"));
    let res = w
        .api(
            &format!("/invoices/{id}/payments"),
            r#"{"amount": "3543.12", "method": "cheque", "reference": "No 12", "paid_on": "2030-01-02"}"#,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let paid: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(
        (paid["status"].as_str(), paid["balance"].as_i64()),
        (Some("paid"), Some(0))
    );
    assert_eq!(w.api(&format!("/invoices/{id}/void"), "").await.status, 409);
    let list: serde_json::Value =
        serde_json::from_str(&w.app.get("acme", "/api/invoices", &w.bearer).await.body).unwrap();
    assert_eq!(list["invoices"][0]["number"], "INV-0001");
}

/// A contact opens the payment page, then the balance changes under it (a transfer recorded
/// by hand, a void): the open session is closed at Stripe, so the old amount cannot be paid,
/// and Pay now opens one for what is owed now. Stripe being down never blocks the team.
async fn a_changed_balance_closes_the_payment_page_left_open(backend: Backend) {
    let (w, stripe, id) = paying_world(&backend).await;
    let pay_path = format!("/portal/billing/{id}/pay");
    assert_eq!(w.app.post("acme", &pay_path, &w.bea).await.status, 303);
    assert_eq!(stripe.sessions().len(), 1);

    // $100 arrives by transfer: the $354.31 page is closed; the next one asks $254.31.
    assert_eq!(w.pay(id, "100").await.status, 303);
    let sessions = stripe.sessions();
    assert!(sessions[0].expired, "{sessions:?}");
    let res = w.app.post("acme", &pay_path, &w.bea).await;
    assert_eq!(res.status, 303);
    let sessions = stripe.sessions();
    assert_eq!(sessions.len(), 2, "not the closed one again");
    assert_eq!(
        sessions[1].field("line_items[0][price_data][unit_amount]"),
        "25431"
    );
    assert!(res.location().ends_with(&sessions[1].id));

    // Paid online in that session: recorded, and nothing else is left open.
    let event = completed("evt_9", &sessions[1].id, 25_431, "usd");
    let res = w
        .deliver(&event, Some(&signature(WEBHOOK_SECRET, now(), &event)))
        .await;
    assert!(res.body.contains("recorded"), "{}", res.body);
    assert_eq!(w.row(id).await.1, "paid");
    assert!(
        !stripe.sessions()[1].expired,
        "a paid session is not closed"
    );

    // A void closes the page too; with Stripe down, the void still happens and the session
    // stays on record as open (to be closed by Stripe's own 24 hours).
    let next = w.issued("Hosting", "50").await;
    let third = w
        .app
        .post("acme", &format!("/portal/billing/{next}/pay"), &w.bea)
        .await;
    assert_eq!(third.status, 303);
    stripe.refuse_expiry();
    assert_eq!(w.post(&format!("/{next}/void"), &[]).await.status, 303);
    assert_eq!(w.row(next).await.1, "void");
    assert!(!stripe.sessions()[2].expired);
    let open: Vec<Option<i64>> = w
        .app
        .db()
        .query_scalar("SELECT expired_at FROM billing_checkouts WHERE invoice_id = $1")
        .bind(next)
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(open, [None]);
}

/// Stripe charges three-decimal currencies to the hundredth only, and nothing below its
/// smallest charge: such a balance gets no Pay button but a reason, and a forced request
/// opens no session.
async fn amounts_stripe_cannot_charge_are_not_offered(backend: Backend) {
    let (w, stripe, _) = paying_world(&backend).await;
    for (currency, price, note) in [
        (
            "KWD",
            "1.234",
            "Stripe takes KWD in steps of 0.010, so 1.234 KWD cannot be paid by card",
        ),
        (
            "USD",
            "0.40",
            "$0.40 is less than the smallest card payment Stripe takes ($0.50)",
        ),
    ] {
        let id = w.draft(currency, "2030-01-31").await;
        w.line(
            id,
            &[
                ("description", "Fee"),
                ("quantity", "1"),
                ("unit_price", price),
            ],
        )
        .await;
        assert_eq!(w.post(&format!("/{id}/issue"), &[]).await.status, 303);
        let words = w.portal(&format!("/portal/billing/{id}")).await.words();
        assert!(words.contains(note), "{words}");
        assert!(!words.contains(" now by card"), "{words}");
        let res = w
            .app
            .post("acme", &format!("/portal/billing/{id}/pay"), &w.bea)
            .await;
        assert_eq!(res.status, 409);
        assert!(res.words().contains(note), "{}", res.words());
    }
    assert!(stripe.sessions().is_empty());
}

/// Two tabs asking at once end on one Checkout session — even when neither saw the other's
/// (Stripe's idempotency key, not a read-then-write, decides) — and money Stripe takes when
/// the invoice no longer owes it is recorded and flagged for a refund.
async fn two_tabs_get_one_payment_page_and_a_second_payment_is_flagged(backend: Backend) {
    let (w, stripe, id) = paying_world(&backend).await;
    let pay = format!("/portal/billing/{id}/pay");
    let (a, b) = tokio::join!(
        w.app.post("acme", &pay, &w.bea),
        w.app.post("acme", &pay, &w.bea)
    );
    assert_eq!((a.status, b.status), (303, 303), "{} / {}", a.body, b.body);
    assert_eq!(a.location(), b.location());
    assert_eq!(stripe.sessions().len(), 1);
    // The second tab read before the first wrote: it still gets the same session.
    w.app
        .sql("DELETE FROM billing_checkouts WHERE invoice_id = $1", id)
        .await;
    let c = w.app.post("acme", &pay, &w.bea).await;
    assert_eq!(c.location(), a.location());
    assert_eq!(stripe.sessions().len(), 1, "Stripe made no second session");
    let rows: i64 = w
        .app
        .db()
        .query_scalar("SELECT COUNT(*) FROM billing_checkouts WHERE invoice_id = $1")
        .bind(id)
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(rows, 1);

    // Most of it paid by bank transfer meanwhile; then the tab left open pays the whole
    // amount at Stripe as well: what it brought beyond the $100.00 still owed is due back.
    assert_eq!(w.pay(id, "254.31").await.status, 303);
    let session = stripe.sessions()[0].id.clone();
    let event = completed("evt_twice", &session, 35_431, "usd");
    let res = w
        .deliver(&event, Some(&signature(WEBHOOK_SECRET, now(), &event)))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let due: Vec<(String, i64)> = w
        .app
        .db()
        .query_as(
            "SELECT method, refund_due FROM invoice_payments WHERE invoice_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(
        due,
        [
            ("bank_transfer".to_string(), 0),
            ("online".to_string(), 25_431)
        ]
    );
    let admin = w
        .app
        .get("acme", &format!("/admin/billing/{id}"), &w.staff)
        .await
        .words();
    assert!(admin.contains("Refund $254.31"), "{admin}");
    // The client is not told of a refund the team has yet to make.
    assert!(!w
        .portal(&format!("/portal/billing/{id}"))
        .await
        .words()
        .contains("Refund"));
}

/// A workspace signs its own webhooks, so it can send any event id: one another workspace's
/// real payment also carries must not be spent by it. Event ids are unique per workspace.
async fn a_stripe_event_id_is_unique_within_its_workspace_only(backend: Backend) {
    let (w, stripe, id) = paying_world(&backend).await;
    // Globex, on the same deployment, bills its own client and connects Stripe.
    let g = w
        .app
        .scenario("globex")
        .staff_owner("owner@globex.example")
        .client("Globex Client", |c| {
            c.contact("gus@globex.example", &["can_view_invoices"])
                .invoice("Audit", "10")
        })
        .build()
        .await;
    let (_, staff, _) = g.staff("owner@globex.example");
    let (_, gus) = g.contact("gus@globex.example");
    let invoice = g.invoice("Audit");
    let theirs = "whsec_globex_own_secret";
    let form = [("secret_key", SECRET_KEY), ("webhook_secret", theirs)];
    let res = w
        .app
        .submit("globex", "/admin/billing/stripe", &staff, &form)
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let pay = format!("/portal/billing/{invoice}/pay");
    assert_eq!(w.app.post("globex", &pay, &gus).await.status, 303);
    let their_session = stripe.sessions().last().unwrap().id.clone();

    // Globex's webhook speaks first, with the id Acme's real payment will carry.
    let forged = completed("evt_shared", &their_session, 1_000, "usd");
    let res = w
        .app
        .request_raw(
            "POST",
            "/w/globex/hooks/billing/stripe",
            &[
                ("content-type", "application/json"),
                ("stripe-signature", &signature(theirs, now(), &forged)),
            ],
            Some(forged.clone()),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    // Acme's contact pays; Stripe's event for it has that same id, and is recorded.
    let res = w
        .app
        .post("acme", &format!("/portal/billing/{id}/pay"), &w.bea)
        .await;
    assert_eq!(res.status, 303);
    let ours = stripe.sessions().last().unwrap().id.clone();
    let real = completed("evt_shared", &ours, 35_431, "usd");
    let res = w
        .deliver(&real, Some(&signature(WEBHOOK_SECRET, now(), &real)))
        .await;
    assert!(res.body.contains(r#""outcome":"recorded""#), "{}", res.body);
    assert_eq!(w.payments(id).await, [(35_431, "online".to_string())]);
    assert_eq!(w.row(id).await.1, "paid");
}
