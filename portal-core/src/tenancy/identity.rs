//! Who is asking: a client's contact or a member of the agency's staff. The web layer loads
//! them from a session; the domain takes them to decide and to record who did what.
use std::collections::BTreeSet;

use serde::Serialize;

/// A signed-in client contact.
#[derive(Clone, Debug, Serialize)]
pub struct PortalUser {
    pub workspace_id: i64,
    pub contact_id: i64,
    pub client_id: i64,
    pub name: String,
    pub email: String,
    pub client_name: String,
    pub permissions: BTreeSet<String>,
    /// Set when a staff member is previewing this contact's portal ("view as"): their name.
    /// Such a session can change nothing.
    pub preview_by: Option<String>,
}

impl PortalUser {
    pub fn can(&self, permission: &str) -> bool {
        self.permissions.contains(permission)
    }
}

/// A signed-in staff member of the workspace.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct StaffUser {
    pub id: i64,
    pub workspace_id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
}
