//! An invoice's life, in one place. Stored: Draft, Sent, Paid, Void. **Overdue** is not
//! stored: it is a sent invoice with money owed past its due date, derived when read, so it
//! is never stale.
use portal_core::prelude::*;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being written; never shown to the client.
    Draft,
    /// Issued: numbered, shown to the client, payable.
    Sent,
    /// Paid in full.
    Paid,
    /// Cancelled after issue; kept, with its number, for the record.
    Void,
}

portal_core::text_enum!(Status);

/// Something staff (or a payment) does to an invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Change lines or terms.
    Edit,
    /// Number it and show it to the client.
    Issue,
    /// Money received (staff's record, or a confirmed online payment).
    Pay,
    /// Cancel an issued invoice.
    Void,
    /// Remove a draft.
    Delete,
}

impl Status {
    pub fn parse(raw: &str) -> Option<Status> {
        match raw {
            "draft" => Some(Status::Draft),
            "sent" => Some(Status::Sent),
            "paid" => Some(Status::Paid),
            "void" => Some(Status::Void),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Sent => "sent",
            Status::Paid => "paid",
            Status::Void => "void",
        }
    }

    /// Whether `step` may be taken now; a 409 saying why not otherwise.
    pub fn allows(self, step: Step) -> Result<(), Error> {
        use Status as S;
        use Step as T;
        let refused = |m: &str| Err(Error::Conflict(m.into()));
        match (self, step) {
            (S::Draft, T::Edit | T::Issue | T::Delete) => Ok(()),
            (S::Sent, T::Pay | T::Void) => Ok(()),
            (S::Draft, T::Pay) => refused("Issue the invoice before recording a payment."),
            (S::Draft, T::Void) => refused("A draft is deleted, not voided."),
            (S::Void, _) => refused("This invoice is void."),
            (_, T::Edit) => {
                refused("An issued invoice cannot change: void it and issue a corrected one.")
            }
            (_, T::Issue) => refused("This invoice is issued already."),
            (_, T::Delete) => refused("An issued invoice is kept for the record: void it instead."),
            (S::Paid, T::Pay) => refused("This invoice is paid in full."),
            (S::Paid, T::Void) => refused("A paid invoice cannot be voided."),
        }
    }
}

/// How an invoice reads now: its status, or Overdue for a sent one owing money past its due
/// date.
pub fn shown(
    status: Status,
    due: Option<Day>,
    balance: i64,
    today: Day,
) -> (&'static str, &'static str) {
    match status {
        Status::Sent if balance > 0 && due.is_some_and(|d| d < today) => ("overdue", "Overdue"),
        Status::Draft => ("draft", "Draft"),
        Status::Sent => ("sent", "Sent"),
        Status::Paid => ("paid", "Paid"),
        Status::Void => ("void", "Void"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(iso: &str) -> Day {
        iso.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn overdue_is_derived_from_the_date_and_the_balance() {
        let today = day("2026-11-23");
        assert_eq!(
            shown(Status::Sent, Some(day("2026-11-22")), 100, today).0,
            "overdue"
        );
        assert_eq!(
            shown(Status::Sent, Some(day("2026-11-23")), 100, today).0,
            "sent",
            "due today is not late"
        );
        assert_eq!(
            shown(Status::Sent, Some(day("2026-11-22")), 0, today).0,
            "sent"
        );
        assert_eq!(
            shown(Status::Paid, Some(day("2020-01-01")), 0, today).0,
            "paid"
        );
        assert_eq!(
            shown(Status::Void, Some(day("2020-01-01")), 100, today).0,
            "void"
        );
        assert_eq!(shown(Status::Sent, None, 100, today).0, "sent");
    }

    #[test]
    fn each_status_allows_its_steps_only() {
        use Step as T;
        assert!(Status::Draft.allows(T::Issue).is_ok());
        assert!(Status::Draft.allows(T::Pay).is_err());
        assert!(Status::Sent.allows(T::Pay).is_ok());
        assert!(Status::Sent.allows(T::Edit).is_err());
        assert!(Status::Sent.allows(T::Delete).is_err());
        assert!(Status::Paid.allows(T::Pay).is_err());
        assert!(Status::Paid.allows(T::Void).is_err());
        for step in [T::Edit, T::Issue, T::Pay, T::Void, T::Delete] {
            assert!(Status::Void.allows(step).is_err(), "{step:?}");
        }
    }

    #[test]
    fn statuses_round_trip_and_serialize_as_their_stored_word() {
        for s in [Status::Draft, Status::Sent, Status::Paid, Status::Void] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::json!(s), serde_json::json!(s.as_str()));
        }
        assert_eq!(Status::parse("overdue"), None);
    }
}
