//! An invoice's totals, computed in this one place from its lines and terms, in integer minor
//! units. Every rounding is half away from zero, once per line and step, as an accountant
//! checking the invoice by hand would do it:
//!
//! 1. a line's amount: quantity × unit price;
//! 2. minus the line's own discount (a percentage of its amount);
//! 3. the subtotal: the sum of the lines after their discounts;
//! 4. the invoice's discount: a percentage of the subtotal, spread over the lines in
//!    proportion (the cents that do not divide evenly go to the first lines), so that
//! 5. tax is charged on what each line really costs, at the line's rate or else the
//!    invoice's;
//! 6. the total: subtotal − invoice discount + tax.
use serde::Serialize;

/// One line as stored: quantity in thousandths, prices in minor units, rates in basis points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub quantity: i64,
    pub unit_price: i64,
    pub discount_bp: i64,
    /// `None`: the invoice's rate.
    pub tax_bp: Option<i64>,
}

/// The invoice's own terms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Terms {
    pub discount_bp: i64,
    pub tax_bp: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LineTotal {
    /// Quantity × unit price.
    pub amount: i64,
    pub discount: i64,
    /// After the line's discount.
    pub net: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub lines: Vec<LineTotal>,
    pub subtotal: i64,
    pub discount: i64,
    pub tax: i64,
    pub total: i64,
}

/// `value × numerator / denominator`, rounded half away from zero, in 128 bits so no product
/// overflows.
fn share(value: i64, numerator: i64, denominator: i64) -> i64 {
    let (v, n, d) = (
        i128::from(value),
        i128::from(numerator),
        i128::from(denominator),
    );
    let product = v * n;
    let half = d / 2;
    let rounded = if product >= 0 {
        (product + half) / d
    } else {
        (product - half) / d
    };
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

pub fn compute(lines: &[Line], terms: Terms) -> Totals {
    let line_totals: Vec<LineTotal> = lines
        .iter()
        .map(|l| {
            let amount = share(l.quantity, l.unit_price, 1000);
            let discount = share(amount, l.discount_bp, 10_000);
            LineTotal {
                amount,
                discount,
                net: amount - discount,
            }
        })
        .collect();
    let subtotal: i64 = line_totals.iter().map(|l| l.net).sum();
    let discount = share(subtotal, terms.discount_bp, 10_000);
    // The invoice's discount, spread over the lines by their weight.
    let mut spread: Vec<i64> = line_totals
        .iter()
        .map(|l| {
            if subtotal == 0 {
                0
            } else {
                (i128::from(discount) * i128::from(l.net) / i128::from(subtotal)) as i64
            }
        })
        .collect();
    // The cents that did not divide evenly, one each to the first lines worth something (a
    // free line never gets a discount larger than itself).
    let mut left = discount - spread.iter().sum::<i64>();
    for (s, t) in spread.iter_mut().zip(&line_totals) {
        if left == 0 {
            break;
        }
        if t.net - *s <= 0 {
            continue;
        }
        let step = left.signum();
        *s += step;
        left -= step;
    }
    let tax: i64 = lines
        .iter()
        .zip(&line_totals)
        .zip(&spread)
        .map(|((l, t), off)| share(t.net - off, l.tax_bp.unwrap_or(terms.tax_bp), 10_000))
        .sum();
    Totals {
        lines: line_totals,
        subtotal,
        discount,
        tax,
        total: subtotal - discount + tax,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(quantity: i64, unit_price: i64) -> Line {
        Line {
            quantity,
            unit_price,
            discount_bp: 0,
            tax_bp: None,
        }
    }

    #[test]
    fn a_plain_invoice_adds_up() {
        // 2 × $150.00 + 1.5 h × $80.00, 20 % VAT.
        let t = compute(
            &[line(2000, 15_000), line(1500, 8_000)],
            Terms {
                discount_bp: 0,
                tax_bp: 2000,
            },
        );
        assert_eq!(
            (t.subtotal, t.discount, t.tax, t.total),
            (42_000, 0, 8_400, 50_400)
        );
        assert_eq!(t.lines[1].amount, 12_000);
    }

    #[test]
    fn each_line_rounds_half_away_from_zero_once() {
        // 0.333 h × $10.00 = $3.33.
        let t = compute(&[line(333, 1000)], Terms::default());
        assert_eq!(t.total, 333);
        // 0.5 × 1¢ = 0.5¢ → 1¢; tax 7.5 % of 1¢ = 0.075¢ → 0¢.
        let t = compute(
            &[line(500, 1)],
            Terms {
                discount_bp: 0,
                tax_bp: 750,
            },
        );
        assert_eq!((t.subtotal, t.tax), (1, 0));
        // Yen: no minor unit; 10 % of ¥1,005 = ¥100.5 → ¥101.
        let t = compute(
            &[line(1000, 1005)],
            Terms {
                discount_bp: 0,
                tax_bp: 1000,
            },
        );
        assert_eq!(t.total, 1106);
        // Dinar, three decimals: 5 % of 1.235 KWD = 0.06175 → 0.062.
        let t = compute(
            &[line(1000, 1235)],
            Terms {
                discount_bp: 0,
                tax_bp: 500,
            },
        );
        assert_eq!((t.tax, t.total), (62, 1297));
    }

    #[test]
    fn discounts_come_before_tax_and_spread_over_the_lines() {
        // Line discount 10 % on $100; invoice discount 5 % on $190 subtotal = $9.50,
        // spread $4.50 / $5.00; tax: 20 % on line 1, 0 % on line 2 (its own rate).
        let lines = [
            Line {
                quantity: 1000,
                unit_price: 10_000,
                discount_bp: 1000,
                tax_bp: None,
            },
            Line {
                quantity: 1000,
                unit_price: 10_000,
                discount_bp: 0,
                tax_bp: Some(0),
            },
        ];
        let t = compute(
            &lines,
            Terms {
                discount_bp: 500,
                tax_bp: 2000,
            },
        );
        assert_eq!(t.lines[0].net, 9_000);
        assert_eq!(t.subtotal, 19_000);
        assert_eq!(t.discount, 950);
        assert_eq!(t.tax, share(9_000 - 450, 2000, 10_000));
        assert_eq!(t.tax, 1_710);
        assert_eq!(t.total, 19_000 - 950 + 1_710);
    }

    #[test]
    fn the_spread_discount_never_loses_a_cent() {
        // $10.00 three ways, 10 % off: $1.00 cannot split evenly in thirds of $3.33/$3.33/$3.34.
        let lines = [line(1000, 333), line(1000, 333), line(1000, 334)];
        let t = compute(
            &lines,
            Terms {
                discount_bp: 1000,
                tax_bp: 10_000,
            },
        );
        assert_eq!(t.discount, 100);
        // At 100 % tax, tax equals what is left after the discount, to the cent.
        assert_eq!(t.tax, 900);
        assert_eq!(t.total, 1_000 - 100 + 900);
    }

    #[test]
    fn a_free_line_takes_no_share_of_the_discount() {
        let lines = [
            line(1000, 0),
            line(1000, 333),
            line(1000, 333),
            line(1000, 334),
        ];
        let t = compute(
            &lines,
            Terms {
                discount_bp: 1000,
                tax_bp: 10_000,
            },
        );
        assert_eq!(t.tax, 900, "no line is taxed below zero");
    }

    #[test]
    fn an_empty_invoice_is_zero() {
        assert_eq!(
            compute(
                &[],
                Terms {
                    discount_bp: 1000,
                    tax_bp: 2000
                }
            )
            .total,
            0
        );
    }
}
