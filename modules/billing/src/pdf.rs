//! The invoice as a PDF file: what the client downloads and keeps, and what staff attach to
//! their own records.
//!
//! It holds what the print view holds — who bills whom, the dates, every line with its rate,
//! discount and tax, the totals, notes, how to pay and the payments — on A4, in two steps:
//! [`layout`] places text and bars on pages (so every footer can say "page 1 of 3", and tests
//! can read where things went), then [`write`] draws them with krilla. krilla embeds the
//! subset of DejaVu Sans the text uses, so names and descriptions in any script the font
//! covers print as typed (the 14 standard PDF fonts stop at Latin-1), and text stays
//! selectable and searchable.
use std::sync::LazyLock;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use portal_core::prelude::*;
use portal_core::templates::date;
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use crate::money::{show_percent, show_quantity};
use crate::status::shown;
use crate::store::{method_label, InvoiceView};

/// A4 in points.
pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
const LEFT: f32 = 50.0;
const RIGHT: f32 = PAGE_W - 50.0;
const TOP: f32 = 60.0;
/// Where content stops; the footer sits below.
pub const BOTTOM: f32 = PAGE_H - 64.0;
const FOOTER_Y: f32 = PAGE_H - 36.0;
const BODY: f32 = 9.5;
const SMALL: f32 = 8.0;
const LEAD: f32 = 13.0;
const GAP: f32 = 14.0;

pub type Rgb = [u8; 3];
const INK: Rgb = [0x1f, 0x29, 0x37];
const MUTED: Rgb = [0x6b, 0x72, 0x80];
const RULE: Rgb = [0xd1, 0xd5, 0xdb];
const ALERT: Rgb = [0xb9, 0x1c, 0x1c];
const GOOD: Rgb = [0x04, 0x78, 0x57];
const STAMP: Rgb = [0xe5, 0xe7, 0xeb];

/// Who the invoice is from, as the portal shows them: the workspace's name and accent colour.
pub struct Letterhead {
    pub from: String,
    pub accent: Rgb,
}

impl Letterhead {
    /// The workspace's name, and its accent colour where its plan allows branding.
    pub fn of(tenant: &Tenant) -> Letterhead {
        Letterhead::new(
            &tenant.workspace.name,
            portal_core::branding::accent(tenant),
        )
    }

    /// `accent` as `#rrggbb` (what [`portal_core::branding::accent`] gives).
    pub fn new(from: &str, accent: &str) -> Letterhead {
        let hex = accent.trim_start_matches('#');
        let channel = |i: usize| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .unwrap_or(0x4f)
        };
        Letterhead {
            from: from.to_string(),
            accent: [channel(0), channel(2), channel(4)],
        }
    }
}

/// One thing placed on a page; `y` is the text's baseline or the bar's top, from the top.
#[derive(Clone, Debug, PartialEq)]
pub enum Mark {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        ink: Rgb,
        text: String,
    },
    Bar {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        ink: Rgb,
    },
    /// Large, pale and diagonal behind the content: DRAFT or VOID (the status line and the
    /// footer say it in words).
    Stamp(String),
}

/// The invoice as PDF bytes.
pub fn render(view: &InvoiceView, head: &Letterhead, today: Day) -> Result<Vec<u8>> {
    let pages = layout(view, head, today)?;
    let number = view.invoice.number.as_deref().unwrap_or("draft");
    write(&pages, &format!("Invoice {number} — {}", head.from))
}

/// A regular and a bold face: one for drawing (krilla) and the same bytes for measuring.
struct Face {
    font: Font,
    data: FontRef<'static>,
}

struct Faces {
    regular: Face,
    bold: Face,
}

static FACES: LazyLock<Option<Faces>> = LazyLock::new(|| {
    let face = |bytes: &'static [u8]| {
        Some(Face {
            font: Font::new(bytes.into(), 0)?,
            data: FontRef::new(bytes).ok()?,
        })
    };
    Some(Faces {
        regular: face(dejavu::sans::regular())?,
        bold: face(dejavu::sans::bold())?,
    })
});

fn faces() -> Result<&'static Faces> {
    FACES
        .as_ref()
        .ok_or_else(|| Error::Internal("the PDF fonts did not load".into()))
}

impl Faces {
    fn face(&self, bold: bool) -> &Face {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }

    /// The advance width of `text` in points (without kerning, which moves figures and
    /// labels by less than a hair).
    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let data = &self.face(bold).data;
        let charmap = data.charmap();
        let metrics = data.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .filter_map(|c| charmap.map(c).and_then(|g| metrics.advance_width(g)))
            .sum()
    }

    /// `text` broken into lines no wider than `width`: at spaces where it can, inside a word
    /// longer than a line where it must, and at every line break the text has.
    fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let joined = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&joined, size, bold) <= width {
                    line = joined;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for c in word.chars() {
                    let mut longer = line.clone();
                    longer.push(c);
                    if !line.is_empty() && self.width(&longer, size, bold) > width {
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    } else {
                        line = longer;
                    }
                }
            }
            lines.push(line);
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }
}

/// Content flowing down pages: a mark at a time, a new page when the next block would not fit.
struct Flow<'f> {
    faces: &'f Faces,
    pages: Vec<Vec<Mark>>,
    y: f32,
}

impl Flow<'_> {
    fn marks(&mut self) -> &mut Vec<Mark> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, ink: Rgb, text: &str) {
        if text.is_empty() {
            return;
        }
        self.marks().push(Mark::Text {
            x,
            y,
            size,
            bold,
            ink,
            text: text.to_string(),
        });
    }

    /// Text ending at `right`.
    fn right(&mut self, right: f32, y: f32, size: f32, bold: bool, ink: Rgb, text: &str) {
        let w = self.faces.width(text, size, bold);
        self.text(right - w, y, size, bold, ink, text);
    }

    fn bar(&mut self, x: f32, y: f32, w: f32, h: f32, ink: Rgb) {
        self.marks().push(Mark::Bar { x, y, w, h, ink });
    }

    fn rule(&mut self, y: f32) {
        self.bar(LEFT, y, RIGHT - LEFT, 0.6, RULE);
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Starts a new page unless `height` more fits on this one; says whether it did.
    fn room(&mut self, height: f32) -> bool {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
            true
        } else {
            false
        }
    }

    fn heading(&mut self, text: &str) {
        self.room(LEAD * 3.0);
        self.y += LEAD * 1.6;
        self.text(LEFT, self.y, 10.5, true, INK, text);
        self.y += LEAD * 0.6;
    }

    /// Wrapped text over the content's width, moving to the next page line by line.
    fn paragraph(&mut self, text: &str) {
        for line in self.faces.wrap(text, BODY, false, RIGHT - LEFT) {
            self.room(LEAD);
            self.y += LEAD;
            self.text(LEFT, self.y, BODY, false, INK, &line);
        }
    }
}

/// A table column: its heading, whether it aligns right, and where it sits.
struct Column {
    title: &'static str,
    numeric: bool,
    x: f32,
    width: f32,
}

/// Columns for rows of cells: numbers as wide as their widest cell, packed from the right;
/// the first (text) column takes what is left.
fn columns(faces: &Faces, titles: &[&'static str], rows: &[Vec<String>], size: f32) -> Vec<Column> {
    let mut cols: Vec<Column> = Vec::with_capacity(titles.len());
    let mut right = RIGHT;
    for (i, title) in titles.iter().enumerate().skip(1).rev() {
        let widest = rows
            .iter()
            .filter_map(|r| r.get(i))
            .map(|c| faces.width(c, size, false))
            .fold(faces.width(title, SMALL, true), f32::max);
        cols.push(Column {
            title,
            numeric: true,
            x: right - widest,
            width: widest,
        });
        right -= widest + GAP;
    }
    cols.reverse();
    cols.insert(
        0,
        Column {
            title: titles[0],
            numeric: false,
            x: LEFT,
            width: (right - LEFT).max(60.0),
        },
    );
    cols
}

/// Rows of cells under a heading row that repeats on every page the table reaches. The
/// first cell wraps; the others stay on its first line.
fn table(flow: &mut Flow, titles: &[&'static str], rows: &[Vec<String>]) {
    let size = BODY;
    let cols = columns(flow.faces, titles, rows, size);
    let header = |flow: &mut Flow| {
        flow.y += LEAD;
        for c in &cols {
            if c.numeric {
                flow.right(c.x + c.width, flow.y, SMALL, true, MUTED, c.title);
            } else {
                flow.text(c.x, flow.y, SMALL, true, MUTED, c.title);
            }
        }
        flow.y += 5.0;
        flow.rule(flow.y);
    };
    flow.room(LEAD * 3.0);
    header(flow);
    for row in rows {
        let first = row.first().map(String::as_str).unwrap_or("");
        let wrapped = flow.faces.wrap(first, size, false, cols[0].width);
        let height = LEAD * wrapped.len() as f32 + 6.0;
        if flow.room(height) {
            header(flow);
        }
        let top = flow.y + LEAD;
        for (i, line) in wrapped.iter().enumerate() {
            flow.text(LEFT, top + LEAD * i as f32, size, false, INK, line);
        }
        for (c, cell) in cols.iter().zip(row).skip(1) {
            flow.right(c.x + c.width, top, size, false, INK, cell);
        }
        flow.y += height;
        flow.rule(flow.y);
    }
}

/// Places the invoice on pages.
pub fn layout(view: &InvoiceView, head: &Letterhead, today: Day) -> Result<Vec<Vec<Mark>>> {
    let faces = faces()?;
    let inv = &view.invoice;
    let cur = inv.currency()?;
    let totals = view.totals();
    let (key, label) = shown(inv.status, inv.due_date, inv.balance(), today);
    let mut flow = Flow {
        faces,
        pages: Vec::new(),
        y: TOP,
    };

    // Letterhead: the agency's colour and name, the document's kind, number and status.
    flow.bar(0.0, 0.0, PAGE_W, 8.0, head.accent);
    for (i, line) in faces
        .wrap(&head.from, 16.0, true, 300.0)
        .iter()
        .take(2)
        .enumerate()
    {
        flow.text(LEFT, TOP + 20.0 * i as f32, 16.0, true, INK, line);
    }
    flow.right(RIGHT, TOP, 20.0, true, head.accent, "Invoice");
    let number = inv.number.as_deref().unwrap_or("Draft, not issued");
    flow.right(RIGHT, TOP + 18.0, 10.0, false, INK, number);
    let status_ink = match key {
        "overdue" => ALERT,
        "paid" => GOOD,
        "draft" | "void" => MUTED,
        _ => INK,
    };
    flow.right(RIGHT, TOP + 32.0, 10.0, true, status_ink, label);

    // The facts: to whom, when, and what is owed.
    let facts_y = TOP + 66.0;
    let fact = |flow: &mut Flow, x: f32, title: &str, value: &str| {
        flow.text(x, facts_y, SMALL, true, MUTED, title);
        flow.text(x, facts_y + LEAD + 1.0, BODY, false, INK, value);
    };
    flow.text(LEFT, facts_y, SMALL, true, MUTED, "Billed to");
    let client = faces.wrap(&inv.client_name, BODY, true, 190.0);
    for (i, line) in client.iter().enumerate() {
        flow.text(
            LEFT,
            facts_y + LEAD * (i + 1) as f32 + 1.0,
            BODY,
            true,
            INK,
            line,
        );
    }
    let issued = inv
        .issue_date
        .map(|d| date(d.to_string()))
        .unwrap_or_default();
    let due = inv
        .due_date
        .map(|d| date(d.to_string()))
        .unwrap_or_default();
    fact(&mut flow, LEFT + 210.0, "Issued", &issued);
    fact(&mut flow, LEFT + 300.0, "Due", &due);
    flow.right(RIGHT, facts_y, SMALL, true, MUTED, "Balance due");
    flow.right(
        RIGHT,
        facts_y + LEAD + 3.0,
        13.0,
        true,
        INK,
        &cur.format(inv.balance()),
    );
    flow.y = facts_y + LEAD * (client.len().max(2) as f32) + 14.0;

    // The lines.
    let discounted = view.lines.iter().any(|l| l.discount_bp > 0);
    let mut titles = vec!["Description", "Quantity", "Rate"];
    if discounted {
        titles.push("Discount");
    }
    titles.extend(["Tax", "Amount"]);
    let rows: Vec<Vec<String>> = view
        .lines
        .iter()
        .zip(&totals.lines)
        .map(|(l, t)| {
            let mut row = vec![
                l.description.clone(),
                show_quantity(l.quantity),
                cur.format(l.unit_price),
            ];
            if discounted {
                row.push(if l.discount_bp > 0 {
                    format!("{} %", show_percent(l.discount_bp))
                } else {
                    String::new()
                });
            }
            row.push(format!(
                "{} %",
                show_percent(l.tax_bp.unwrap_or(inv.tax_bp))
            ));
            row.push(cur.format(t.net));
            row
        })
        .collect();
    table(&mut flow, &titles, &rows);

    // The totals, right-aligned under the amounts.
    let mut sums = vec![("Subtotal".to_string(), cur.format(inv.subtotal), false)];
    if inv.discount > 0 {
        sums.push((
            format!("Discount ({} %)", show_percent(inv.discount_bp)),
            format!("−{}", cur.format(inv.discount)),
            false,
        ));
    }
    sums.push(("Tax".into(), cur.format(inv.tax), false));
    sums.push(("Total".into(), cur.format(inv.total), true));
    sums.push(("Paid".into(), cur.format(inv.paid), false));
    sums.push(("Balance due".into(), cur.format(inv.balance()), true));
    let value_w = sums
        .iter()
        .map(|(_, v, bold)| faces.width(v, BODY, *bold))
        .fold(0.0, f32::max);
    flow.room(LEAD * (sums.len() as f32 + 1.0));
    flow.y += 6.0;
    for (title, value, bold) in &sums {
        flow.y += LEAD + if *bold { 3.0 } else { 0.0 };
        flow.right(RIGHT - value_w - GAP, flow.y, BODY, *bold, INK, title);
        flow.right(RIGHT, flow.y, BODY, *bold, INK, value);
    }

    if !inv.notes.trim().is_empty() {
        flow.heading("Notes");
        flow.paragraph(&inv.notes);
    }
    let owing = key == "sent" || key == "overdue";
    if owing && !inv.payment_instructions.trim().is_empty() {
        flow.heading("How to pay");
        flow.paragraph(&inv.payment_instructions);
    }

    flow.heading("Payments");
    if view.payments.is_empty() {
        flow.y += LEAD;
        flow.text(LEFT, flow.y, BODY, false, MUTED, "No payments yet.");
    } else {
        let rows: Vec<Vec<String>> = view
            .payments
            .iter()
            .map(|p| {
                let how = if p.reference.is_empty() {
                    method_label(&p.method).to_string()
                } else {
                    format!("{} · {}", method_label(&p.method), p.reference)
                };
                vec![how, date(p.paid_on.to_string()), cur.format(p.amount)]
            })
            .collect();
        table(
            &mut flow,
            &["Method and reference", "Date", "Amount"],
            &rows,
        );
    }

    // Every page: a stamp when the invoice is not a live one, and a footer that says where
    // the reader is.
    let mut pages = flow.pages;
    let count = pages.len();
    let stamp = match key {
        "draft" => Some("DRAFT"),
        "void" => Some("VOID"),
        _ => None,
    };
    let title = match &inv.number {
        Some(n) => format!("{} · Invoice {n}", head.from),
        None => format!("{} · Draft invoice", head.from),
    };
    for (i, marks) in pages.iter_mut().enumerate() {
        if let Some(s) = stamp {
            marks.insert(0, Mark::Stamp(s.into()));
        }
        let page = format!("Page {} of {count}", i + 1);
        for (x, text) in [
            (LEFT, title.clone()),
            (RIGHT - faces.width(&page, SMALL, false), page),
        ] {
            marks.push(Mark::Text {
                x,
                y: FOOTER_Y,
                size: SMALL,
                bold: false,
                ink: MUTED,
                text,
            });
        }
    }
    Ok(pages)
}

fn fill(ink: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(ink[0], ink[1], ink[2]).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

/// Draws placed pages into a PDF file titled `title`.
pub fn write(pages: &[Vec<Mark>], title: &str) -> Result<Vec<u8>> {
    let faces = faces()?;
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .creator("Portico".into()),
    );
    let size = PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or_else(|| Error::Internal("bad PDF page size".into()))?;
    for marks in pages {
        let mut page = doc.start_page_with(size.clone());
        let mut surface = page.surface();
        for mark in marks {
            match mark {
                Mark::Text {
                    x,
                    y,
                    size,
                    bold,
                    ink,
                    text,
                } => {
                    surface.set_fill(Some(fill(*ink)));
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        faces.face(*bold).font.clone(),
                        *size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Mark::Bar { x, y, w, h, ink } => {
                    let mut path = PathBuilder::new();
                    if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                        path.push_rect(rect);
                    }
                    if let Some(path) = path.finish() {
                        surface.set_fill(Some(fill(*ink)));
                        surface.draw_path(&path);
                    }
                }
                Mark::Stamp(text) => {
                    let size = 110.0;
                    let w = faces.width(text, size, true);
                    let (cx, cy) = (PAGE_W / 2.0, PAGE_H / 2.0);
                    surface.push_transform(&Transform::from_rotate_at(-35.0, cx, cy));
                    surface.set_fill(Some(fill(STAMP)));
                    surface.draw_text(
                        Point::from_xy(cx - w / 2.0, cy + size / 3.0),
                        faces.bold.font.clone(),
                        size,
                        text,
                        // As outlines, not text: copying, searching or reading the page
                        // aloud should not meet a giant word across it.
                        true,
                        TextDirection::Auto,
                    );
                    surface.pop();
                }
            }
        }
        surface.finish();
        page.finish();
    }
    doc.finish()
        .map_err(|e| Error::Internal(format!("the PDF could not be written: {e:?}")))
}

/// `GET /admin/billing/{id}/pdf` and `GET /api/invoices/{id}/pdf`: any of the workspace's
/// invoices; a draft's says DRAFT on every page.
pub async fn for_staff(
    axum::extract::State(state): axum::extract::State<portal_core::AppState>,
    ctx: portal_core::StaffContext,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<axum::response::Response> {
    let id = parse_id(&id)?;
    let view = crate::store::view_for_workspace(&state.db, ctx.tenant.workspace.id, id).await?;
    download(view, Letterhead::of(&ctx.tenant)).await
}

/// The invoice as a PDF download, named after its number. Laying out and subsetting the
/// font is CPU work of a few milliseconds: it runs off the async workers.
pub async fn download(view: InvoiceView, head: Letterhead) -> Result<axum::response::Response> {
    let name = match &view.invoice.number {
        Some(n) => format!("Invoice {n}.pdf"),
        None => format!("Draft invoice {}.pdf", view.invoice.id),
    };
    let today = Day::today();
    let bytes = tokio::task::spawn_blocking(move || render(&view, &head, today))
        .await
        .map_err(|e| Error::Internal(format!("the PDF task failed: {e}")))??;
    download::attachment(bytes, "application/pdf", &name)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::store::{Invoice, LineRow, Payment};

    fn day(iso: &str) -> Day {
        iso.parse().unwrap()
    }

    fn view(status: &str, lines: usize, description: &str) -> InvoiceView {
        let mut invoice = Invoice {
            id: 7,
            workspace_id: 1,
            client_id: 1,
            client_name: "Brightpath Studio".into(),
            number: (status != "draft").then(|| "INV-0042".to_string()),
            status: crate::status::Status::parse(status).unwrap(),
            currency: "EUR".into(),
            issue_date: Some(day("2026-11-01")),
            due_date: Some(day("2026-12-01")),
            discount_bp: 0,
            tax_bp: 2000,
            notes: "Thank you for your business.".into(),
            payment_instructions: "IBAN DE00 1234".into(),
            subtotal: 0,
            discount: 0,
            tax: 0,
            total: 0,
            paid: 0,
            created_by: "staff".into(),
            created_at: 0,
            updated_at: 0,
        };
        let lines: Vec<LineRow> = (0..lines)
            .map(|i| LineRow {
                id: i as i64,
                description: format!("{description} {}", i + 1),
                quantity: 1000,
                unit_price: 12_345,
                discount_bp: 0,
                tax_bp: None,
            })
            .collect();
        let mut v = InvoiceView {
            invoice: invoice.clone(),
            lines,
            payments: vec![Payment {
                id: 1,
                amount: 5_000,
                method: "bank_transfer".into(),
                reference: "TR-9".into(),
                paid_on: day("2026-11-10"),
                recorded_by: "staff".into(),
                created_at: 0,
                refund_due: 0,
            }],
        };
        let t = v.totals();
        invoice.subtotal = t.subtotal;
        invoice.tax = t.tax;
        invoice.total = t.total;
        invoice.paid = 5_000;
        v.invoice = invoice;
        v
    }

    fn head() -> Letterhead {
        Letterhead::new("Northwind Agency", "#0f766e")
    }

    fn texts(page: &[Mark]) -> Vec<&str> {
        page.iter()
            .filter_map(|m| match m {
                Mark::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Where a text ends on the page.
    fn right_edge(page: &[Mark], wanted: &str) -> Option<f32> {
        let faces = faces().ok()?;
        page.iter().find_map(|m| match m {
            Mark::Text {
                x,
                text,
                size,
                bold,
                ..
            } if text == wanted => Some(x + faces.width(text, *size, *bold)),
            _ => None,
        })
    }

    #[test]
    fn amounts_line_up_on_the_right_and_totals_add_up() {
        let pages = layout(
            &view("sent", 3, "Design sprint"),
            &head(),
            day("2026-11-23"),
        )
        .unwrap();
        assert_eq!(pages.len(), 1);
        let page = &pages[0];
        let all = texts(page);
        for expected in [
            "Northwind Agency",
            "Invoice",
            "INV-0042",
            "Sent",
            "Brightpath Studio",
            "1 Nov 2026",
            "1 Dec 2026",
            "Design sprint 3",
            "€123.45",
            "20 %",
            "Subtotal",
            "€370.35",
            "€74.07",
            "€444.42",
            "€50.00",
            "€394.42",
            "How to pay",
            "IBAN DE00 1234",
            "Thank you for your business.",
            "Bank transfer · TR-9",
            "10 Nov 2026",
            "Page 1 of 1",
        ] {
            assert!(all.contains(&expected), "{expected} in {all:?}");
        }
        // The Amount column, the line amounts and the totals end at the right margin.
        for t in ["Amount", "€370.35", "€444.42", "Page 1 of 1"] {
            let edge = right_edge(page, t).unwrap();
            assert!((edge - RIGHT).abs() < 0.01, "{t} ends at {edge}");
        }
        assert!(!page.iter().any(|m| matches!(m, Mark::Stamp(_))));
    }

    #[test]
    fn long_invoices_continue_on_pages_that_repeat_the_table_heading() {
        let pages = layout(
            &view("sent", 80, "Illustration"),
            &head(),
            day("2026-11-23"),
        )
        .unwrap();
        assert!(pages.len() >= 3, "{} pages", pages.len());
        let count = pages.len();
        for (i, page) in pages.iter().enumerate() {
            let all = texts(page);
            assert!(all.contains(&format!("Page {} of {count}", i + 1).as_str()));
            for m in page {
                if let Mark::Text { y, text, .. } = m {
                    assert!(*y <= BOTTOM || *y == FOOTER_Y, "{text} at {y}");
                }
            }
            if i < count - 1 {
                assert!(
                    all.contains(&"Description"),
                    "page {} has the heading",
                    i + 1
                );
            }
        }
        // Every line is there once, in order.
        let lines: Vec<&str> = pages
            .iter()
            .flat_map(|p| texts(p))
            .filter(|t| t.starts_with("Illustration "))
            .collect();
        let expected: Vec<String> = (1..=80).map(|i| format!("Illustration {i}")).collect();
        assert_eq!(lines, expected);
    }

    #[test]
    fn a_long_description_wraps_inside_its_column() {
        let words = "Responsive landing page with hero animation, pricing table and newsletter sign-up form".repeat(3);
        let pages = layout(&view("sent", 1, &words), &head(), day("2026-11-23")).unwrap();
        let faces = faces().unwrap();
        let rate_x = pages[0]
            .iter()
            .find_map(|m| match m {
                Mark::Text { x, text, .. } if text == "€123.45" => Some(*x),
                _ => None,
            })
            .unwrap();
        let pieces: Vec<(f32, String)> = pages[0]
            .iter()
            .filter_map(|m| match m {
                Mark::Text { x, text, size, .. }
                    if *x == LEFT && (text.contains("landing") || text.contains("sign")) =>
                {
                    Some((x + faces.width(text, *size, false), text.clone()))
                }
                _ => None,
            })
            .collect();
        assert!(pieces.len() > 2, "{pieces:?}");
        for (end, text) in &pieces {
            assert!(*end < rate_x, "{text} runs into the next column");
        }
    }

    #[test]
    fn drafts_and_void_invoices_say_so_on_every_page() {
        for (status, stamp) in [("draft", "DRAFT"), ("void", "VOID")] {
            let pages = layout(&view(status, 70, "Line"), &head(), day("2026-11-23")).unwrap();
            assert!(pages.len() > 1);
            for page in &pages {
                assert_eq!(page.first(), Some(&Mark::Stamp(stamp.into())));
            }
        }
        let draft = layout(&view("draft", 1, "Line"), &head(), day("2026-11-23")).unwrap();
        let all = texts(&draft[0]);
        assert!(
            all.contains(&"Draft, not issued") && all.contains(&"Northwind Agency · Draft invoice")
        );
        assert!(!all.contains(&"How to pay"), "a draft is not owed");
    }

    #[test]
    fn the_file_is_a_pdf_with_its_title() {
        let bytes = render(
            &view("sent", 2, "Ünïcödé — Дизайн — Σχέδιο"),
            &head(),
            day("2026-11-23"),
        )
        .unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(bytes.windows(5).any(|w| w == b"%%EOF"));
    }

    #[test]
    fn the_accent_comes_from_the_colour_or_falls_back() {
        assert_eq!(Letterhead::new("A", "#0f766e").accent, [0x0f, 0x76, 0x6e]);
        assert_eq!(Letterhead::new("A", "nonsense").accent, [0x4f, 0x4f, 0x4f]);
    }
}
