//! A calendar date as every date column stores it: ISO `YYYY-MM-DD` text on both backends,
//! so dates sort and compare as text the same way on SQLite and PostgreSQL. A column read as
//! [`Day`] fails loudly on a value that is not a date instead of passing a string along.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};
use time::macros::format_description;
use time::Date;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(Date);

impl Day {
    pub fn new(date: Date) -> Day {
        Day(date)
    }

    /// Today (UTC), from [`crate::clock`].
    pub fn today() -> Day {
        Day(crate::clock::today())
    }

    /// The day `days` after today (before it when negative).
    pub fn from_today(days: i64) -> Day {
        Day::today().plus_days(days)
    }

    /// `days` later (earlier when negative); saturates at the calendar's ends.
    pub fn plus_days(self, days: i64) -> Day {
        Day(self
            .0
            .checked_add(time::Duration::days(days))
            .unwrap_or(if days < 0 { Date::MIN } else { Date::MAX }))
    }

    /// Whole days from today to this day: negative when it is past.
    pub fn days_from_today(self) -> i64 {
        (self.0 - crate::clock::today()).whole_days()
    }

    pub fn date(self) -> Date {
        self.0
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    pub fn month(self) -> u8 {
        u8::from(self.0.month())
    }

    pub fn day(self) -> u8 {
        self.0.day()
    }
}

impl From<Date> for Day {
    fn from(date: Date) -> Day {
        Day(date)
    }
}

/// Why text is not a day.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a date (YYYY-MM-DD)")]
pub struct NotADay(String);

impl FromStr for Day {
    type Err = NotADay;
    fn from_str(s: &str) -> Result<Day, NotADay> {
        let fmt = format_description!("[year]-[month]-[day]");
        // Exactly ten characters: `time` would also take a six-digit year.
        if s.len() != 10 {
            return Err(NotADay(s.chars().take(40).collect()));
        }
        Date::parse(s, &fmt)
            .map(Day)
            .map_err(|_| NotADay(s.chars().take(40).collect()))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl<DB: Database> Type<DB> for Day
where
    String: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as Type<DB>>::type_info()
    }
    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as Type<DB>>::compatible(ty)
    }
}

impl<'r, DB: Database> Decode<'r, DB> for Day
where
    &'r str: Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Day, BoxDynError> {
        let text = <&'r str as Decode<'r, DB>>::decode(value)?;
        Ok(text.parse()?)
    }
}

impl<'q, DB: Database> Encode<'q, DB> for Day
where
    String: Encode<'q, DB>,
{
    fn encode_by_ref(&self, buf: &mut DB::ArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
        self.to_string().encode_by_ref(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_reads_and_writes_as_iso_text() {
        let d: Day = "2026-02-28".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.to_string(), "2026-02-28");
        assert_eq!(d.plus_days(1).to_string(), "2026-03-01");
        assert_eq!(
            serde_json::to_string(&d).unwrap_or_default(),
            "\"2026-02-28\""
        );
    }

    #[test]
    fn text_that_is_not_a_day_is_refused() {
        for bad in [
            "2026-02-30",
            "26-02-01",
            "2026-2-1",
            "",
            "tomorrow",
            "+02026-02-01",
        ] {
            assert!(bad.parse::<Day>().is_err(), "{bad:?} was taken for a day");
        }
    }
}
