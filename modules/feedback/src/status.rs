//! Where a piece of feedback stands, as the team sets it and the contact reads it.
use portal_core::prelude::*;
use serde::Serialize;

/// Serialized as its stored word (`in_progress`), as pages and the API show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Sent, not yet looked at.
    New,
    InProgress,
    Resolved,
    /// The team will not act on it (said why in a reply).
    Declined,
}

portal_core::text_enum!(Status);

pub const ALL: [Status; 4] = [
    Status::New,
    Status::InProgress,
    Status::Resolved,
    Status::Declined,
];

impl Status {
    pub fn parse(raw: &str) -> Option<Status> {
        ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// A status from a form or the API, or a clear 400.
    pub fn read(raw: &str) -> Result<Status> {
        Status::parse(raw.trim()).ok_or_else(|| {
            Error::BadRequest(format!(
                "`{raw}` is not a status: one of new, in_progress, resolved, declined."
            ))
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::InProgress => "in_progress",
            Status::Resolved => "resolved",
            Status::Declined => "declined",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::New => "New",
            Status::InProgress => "In progress",
            Status::Resolved => "Resolved",
            Status::Declined => "Declined",
        }
    }

    /// Still waiting for the team: what an inbox shows by default.
    pub fn is_open(self) -> bool {
        matches!(self, Status::New | Status::InProgress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_unknown_ones_are_refused() {
        for s in ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert!(Status::read("done").is_err());
        assert!(Status::New.is_open() && !Status::Resolved.is_open());
    }

    #[test]
    fn statuses_serialize_as_their_stored_word() {
        for s in ALL {
            assert_eq!(serde_json::json!(s), serde_json::json!(s.as_str()));
        }
    }
}
