//! Money, exactly: integer amounts in a currency's minor unit (cents, fils, yen) and the
//! currency's exponent — never floating point. Amounts typed by staff are parsed digit by
//! digit; amounts shown are formatted from the integer.
use portal_core::prelude::*;

/// A currency this portal invoices in: ISO 4217 code and how many decimal places its minor
/// unit has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Currency {
    pub code: &'static str,
    pub exponent: u32,
    /// Written before the amount ("$12.00"); `None`: the code after it ("12.000 KWD").
    pub symbol: Option<&'static str>,
}

/// The currencies offered, by the usual agency markets; exponents per ISO 4217.
pub const CURRENCIES: &[Currency] = &[
    Currency {
        code: "USD",
        exponent: 2,
        symbol: Some("$"),
    },
    Currency {
        code: "EUR",
        exponent: 2,
        symbol: Some("€"),
    },
    Currency {
        code: "GBP",
        exponent: 2,
        symbol: Some("£"),
    },
    Currency {
        code: "CAD",
        exponent: 2,
        symbol: Some("CA$"),
    },
    Currency {
        code: "AUD",
        exponent: 2,
        symbol: Some("A$"),
    },
    Currency {
        code: "CHF",
        exponent: 2,
        symbol: None,
    },
    Currency {
        code: "SEK",
        exponent: 2,
        symbol: None,
    },
    Currency {
        code: "JPY",
        exponent: 0,
        symbol: Some("¥"),
    },
    Currency {
        code: "KRW",
        exponent: 0,
        symbol: Some("₩"),
    },
    Currency {
        code: "KWD",
        exponent: 3,
        symbol: None,
    },
    Currency {
        code: "BHD",
        exponent: 3,
        symbol: None,
    },
];

impl Currency {
    pub fn of(code: &str) -> Option<Currency> {
        CURRENCIES.iter().copied().find(|c| c.code == code)
    }

    /// `12.5` → 1250 for USD; refuses more decimals than the currency has, signs, and
    /// anything but digits and one point. Thousands separators (`,` or spaces) are allowed.
    pub fn parse(&self, raw: &str) -> Result<i64, Error> {
        let bad = || {
            Error::BadRequest(format!(
                "`{raw}` is not an amount in {} (up to {} decimal place{}).",
                self.code,
                self.exponent,
                if self.exponent == 1 { "" } else { "s" }
            ))
        };
        let cleaned: String = raw
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != ' ')
            .collect();
        let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !fraction.chars().all(|c| c.is_ascii_digit())
            || fraction.len() > self.exponent as usize
            || whole.len() > 12
        {
            return Err(bad());
        }
        let scale = 10_i64.pow(self.exponent);
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad())?
        };
        let mut minor: i64 = 0;
        for (i, d) in fraction.chars().enumerate() {
            let digit = i64::from(d.to_digit(10).ok_or_else(bad)?);
            minor += digit * 10_i64.pow(self.exponent - 1 - i as u32);
        }
        whole
            .checked_mul(scale)
            .and_then(|w| w.checked_add(minor))
            .ok_or_else(bad)
    }

    /// 123456 → "$1,234.56"; -500 → "-$5.00"; 1500 JPY → "¥1,500"; 1234 KWD → "1.234 KWD".
    pub fn format(&self, minor: i64) -> String {
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        let scale = 10_u64.pow(self.exponent);
        let whole = group(abs / scale);
        let number = if self.exponent == 0 {
            whole
        } else {
            format!(
                "{whole}.{:0width$}",
                abs % scale,
                width = self.exponent as usize
            )
        };
        match self.symbol {
            Some(symbol) => format!("{sign}{symbol}{number}"),
            None => format!("{sign}{number} {}", self.code),
        }
    }

    /// The amount as typed back into a form: "1234.50".
    pub fn plain(&self, minor: i64) -> String {
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        let scale = 10_u64.pow(self.exponent);
        if self.exponent == 0 {
            format!("{sign}{abs}")
        } else {
            format!(
                "{sign}{}.{:0width$}",
                abs / scale,
                abs % scale,
                width = self.exponent as usize
            )
        }
    }
}

/// 1234567 → "1,234,567".
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The largest quantity on a line, and the largest unit price (in minor units): with at most
/// 200 lines, no total can overflow.
pub const MAX_QUANTITY: i64 = 100_000 * 1000;
pub const MAX_UNIT_PRICE: i64 = 10_000_000_000;

/// A quantity as typed ("2", "1.5", "0.25"): thousandths, up to three decimals.
pub fn parse_quantity(raw: &str) -> Result<i64, Error> {
    let thousandths = Currency {
        code: "",
        exponent: 3,
        symbol: None,
    };
    let q = thousandths.parse(raw).map_err(|_| {
        Error::BadRequest(format!(
            "`{raw}` is not a quantity (a number, up to 3 decimals)."
        ))
    })?;
    if q == 0 {
        return Err(Error::BadRequest(
            "A quantity must be more than zero.".into(),
        ));
    }
    if q > MAX_QUANTITY {
        return Err(Error::BadRequest("A quantity is at most 100,000.".into()));
    }
    Ok(q)
}

/// Thousandths back to "1.5".
pub fn show_quantity(thousandths: i64) -> String {
    let whole = thousandths / 1000;
    let rest = thousandths % 1000;
    if rest == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{rest:03}")
            .trim_end_matches('0')
            .to_string()
    }
}

/// A percentage as typed ("20", "7.5", "8.25"), in hundredths of a percent (basis points):
/// 0 to 100 %.
pub fn parse_percent(raw: &str) -> Result<i64, Error> {
    if raw.trim().is_empty() {
        return Ok(0);
    }
    let bp = Currency {
        code: "",
        exponent: 2,
        symbol: None,
    }
    .parse(raw.trim().trim_end_matches('%'))
    .map_err(|_| {
        Error::BadRequest(format!(
            "`{raw}` is not a percentage (0 to 100, up to 2 decimals)."
        ))
    })?;
    if bp > 10_000 {
        return Err(Error::BadRequest(format!("`{raw}` is more than 100 %.")));
    }
    Ok(bp)
}

/// Basis points back to "7.5".
pub fn show_percent(bp: i64) -> String {
    let s = format!("{}.{:02}", bp / 100, bp % 100);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::of(code).unwrap_or_else(|| panic!("{code}"))
    }

    #[test]
    fn amounts_parse_exactly_in_each_currency_s_minor_unit() {
        assert_eq!(cur("USD").parse("12.5").ok(), Some(1250));
        assert_eq!(cur("USD").parse("1,234.56").ok(), Some(123_456));
        assert_eq!(cur("USD").parse(".07").ok(), Some(7));
        assert_eq!(cur("USD").parse("0.1").ok(), Some(10), "no float drift");
        assert_eq!(cur("JPY").parse("1500").ok(), Some(1500));
        assert_eq!(cur("KWD").parse("1.234").ok(), Some(1234));
        for bad in [
            "",
            ".",
            "1.234",
            "-5",
            "1e3",
            "12.3.4",
            "abc",
            "9999999999999",
        ] {
            assert!(cur("USD").parse(bad).is_err(), "{bad}");
        }
        assert!(cur("JPY").parse("1.5").is_err(), "yen have no decimals");
        assert!(cur("KWD").parse("1.2345").is_err());
    }

    #[test]
    fn amounts_read_as_people_write_them() {
        assert_eq!(cur("USD").format(123_456), "$1,234.56");
        assert_eq!(cur("USD").format(-500), "-$5.00");
        assert_eq!(cur("USD").format(7), "$0.07");
        assert_eq!(cur("JPY").format(1_500_000), "¥1,500,000");
        assert_eq!(cur("KWD").format(1234), "1.234 KWD");
        assert_eq!(cur("EUR").plain(1050), "10.50");
        assert_eq!(cur("JPY").plain(1050), "1050");
    }

    #[test]
    fn quantities_and_percentages() {
        assert_eq!(parse_quantity("1.5").ok(), Some(1500));
        assert_eq!(parse_quantity("3").ok(), Some(3000));
        assert!(parse_quantity("0").is_err());
        assert!(parse_quantity("1.2345").is_err());
        assert_eq!(show_quantity(1500), "1.5");
        assert_eq!(show_quantity(3000), "3");
        assert_eq!(show_quantity(250), "0.25");
        assert_eq!(parse_percent("20").ok(), Some(2000));
        assert_eq!(parse_percent("8.875").ok(), None, "two decimals at most");
        assert_eq!(parse_percent("7.5%").ok(), Some(750));
        assert_eq!(parse_percent("").ok(), Some(0));
        assert!(parse_percent("101").is_err());
        assert_eq!(show_percent(750), "7.5");
        assert_eq!(show_percent(2000), "20");
    }
}
