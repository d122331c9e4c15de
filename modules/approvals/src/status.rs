//! The review's state machine, in one place: which step may follow which status, and what a
//! refused step is told. Every handler asks [`Status::after`] before it writes, and the write
//! itself is conditional on the status (and version) it started from — so when two people act
//! at once, one move applies and the other is refused with what happened instead.
//!
//! ```text
//!   Draft ──submit──▶ Pending ──approve──▶ Approved (locked)
//!                       │  ▲
//!        request_revision  submit (a new version)
//!                       ▼  │
//!                 RevisionRequested
//! ```
use portal_core::prelude::*;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The team is preparing it; the client never sees it.
    Draft,
    /// With the client, waiting for their decision.
    Pending,
    /// Approved: locked for good.
    Approved,
    /// Sent back with what must change; the team prepares the next version.
    RevisionRequested,
}

/// Something someone wants to do to an approval request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Staff send the newest version to the client (first time, or after a revision).
    Submit,
    /// A contact approves the version under review.
    Approve,
    /// A contact sends it back, saying what must change.
    RequestRevision,
    /// Staff add or remove files of the version being prepared.
    ChangeFiles,
    /// Staff change the title, description or due date.
    Edit,
    /// Staff delete the request.
    Delete,
    /// Anyone who may comment, comments.
    Comment,
}

portal_core::text_enum!(Status);

pub const LOCKED: &str =
    "This deliverable is approved and locked: its versions, details and files can no longer change.";

impl Status {
    pub fn parse(raw: &str) -> Option<Status> {
        match raw {
            "draft" => Some(Status::Draft),
            "pending" => Some(Status::Pending),
            "approved" => Some(Status::Approved),
            "revision_requested" => Some(Status::RevisionRequested),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::RevisionRequested => "revision_requested",
        }
    }

    /// As the client and the team read it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Pending => "Pending",
            Status::Approved => "Approved",
            Status::RevisionRequested => "Revision Requested",
        }
    }

    /// The status `step` leads to from this one, or why it cannot be taken (a 409 with a
    /// message saying what to do instead).
    pub fn after(self, step: Step) -> Result<Status, Error> {
        use Status::*;
        use Step::*;
        let refused = |msg: &str| Err(Error::Conflict(msg.to_string()));
        match (self, step) {
            (Approved, Comment) => Ok(Approved),
            (Approved, _) => refused(LOCKED),
            (Draft | RevisionRequested, Submit) => Ok(Pending),
            (Pending, Submit) => refused("It is already with the client for review."),
            (Pending, Approve) => Ok(Approved),
            (Pending, RequestRevision) => Ok(RevisionRequested),
            (RevisionRequested, Approve | RequestRevision) => refused(
                "Changes were already requested: the team is preparing a new version.",
            ),
            (Draft, Approve | RequestRevision) => {
                refused("It has not been sent for review yet.")
            }
            (Draft | RevisionRequested, ChangeFiles) => Ok(self),
            (Pending, ChangeFiles) => refused(
                "It is with the client for review: wait for their decision before changing its files.",
            ),
            (_, Edit) => Ok(self),
            (Draft, Delete) => Ok(Draft),
            (_, Delete) => refused(
                "It has been sent to the client, so its history is kept: it cannot be deleted.",
            ),
            (Draft, Comment) => refused("Comments open once it is sent for review."),
            (_, Comment) => Ok(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conflict(r: Result<Status, Error>) -> String {
        match r {
            Err(Error::Conflict(m)) => m,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn the_review_moves_only_forward_through_its_steps() {
        use Status::*;
        use Step::*;
        assert_eq!(Draft.after(Submit).ok(), Some(Pending));
        assert_eq!(Pending.after(Approve).ok(), Some(Approved));
        assert_eq!(Pending.after(RequestRevision).ok(), Some(RevisionRequested));
        assert_eq!(
            RevisionRequested.after(ChangeFiles).ok(),
            Some(RevisionRequested)
        );
        assert_eq!(RevisionRequested.after(Submit).ok(), Some(Pending));
        assert_eq!(Approved.after(Comment).ok(), Some(Approved));
        assert_eq!(Draft.after(Delete).ok(), Some(Draft));
    }

    #[test]
    fn every_other_step_is_refused_with_a_reason() {
        use Status::*;
        use Step::*;
        for step in [Submit, Approve, RequestRevision, ChangeFiles, Edit, Delete] {
            assert_eq!(conflict(Approved.after(step)), LOCKED);
        }
        assert!(conflict(Pending.after(Submit)).contains("already with the client"));
        assert!(conflict(Pending.after(ChangeFiles)).contains("wait for their decision"));
        assert!(conflict(RevisionRequested.after(Approve)).contains("already requested"));
        assert!(conflict(Draft.after(Approve)).contains("not been sent"));
        assert!(conflict(Pending.after(Delete)).contains("history is kept"));
        assert!(conflict(Draft.after(Comment)).contains("once it is sent"));
    }

    #[test]
    fn statuses_round_trip_and_read_as_the_client_does() {
        for s in [
            Status::Draft,
            Status::Pending,
            Status::Approved,
            Status::RevisionRequested,
        ] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::RevisionRequested.label(), "Revision Requested");
        assert_eq!(Status::parse("approved "), None);
    }

    #[test]
    fn statuses_serialize_as_their_stored_word() {
        for s in [
            Status::Draft,
            Status::Pending,
            Status::Approved,
            Status::RevisionRequested,
        ] {
            assert_eq!(serde_json::json!(s), serde_json::json!(s.as_str()));
        }
    }
}
