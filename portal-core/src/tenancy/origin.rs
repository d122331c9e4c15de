//! Where a session was started from.

/// What the owner's list of sessions and the activity log show about a sign-in's origin.
/// The web layer fills it from the request (`web::session`).
#[derive(Clone, Debug, Default)]
pub struct SessionMeta {
    pub user_agent: String,
    pub ip: String,
}
