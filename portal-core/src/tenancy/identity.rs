//! Who is asking: a client's contact or a member of the agency's staff. The web layer loads
//! them from a session; the domain takes them to decide and to record who did what.
use std::collections::BTreeSet;
use std::fmt;

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

/// What a staff member may do in the admin (`staff_users.role`). Ordered: a member is below
/// an admin, an admin below an owner. Read straight from the column: a word this code does
/// not know fails the query instead of passing for a lesser role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Looks at everything, manages their own account and tokens.
    Member,
    /// Changes clients, contacts, files and settings; manages members and admins.
    Admin,
    /// All of that, and security settings, billing of the workspace and other owners.
    Owner,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Admin, Role::Member];

    pub fn parse(raw: &str) -> Option<Role> {
        match raw {
            "owner" => Some(Role::Owner),
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }
}

/// The stored word (`owner`), as pages and messages show it.
impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::text_enum!(Role);

/// A signed-in staff member of the workspace.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct StaffUser {
    pub id: i64,
    pub workspace_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn roles_round_trip_and_show_as_stored() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(role.to_string(), role.as_str());
        }
        assert_eq!(Role::parse("Owner"), None);
        assert!(Role::Member < Role::Admin && Role::Admin < Role::Owner);
        for role in Role::ALL {
            assert_eq!(serde_json::json!(role), serde_json::json!(role.as_str()));
        }
    }
}
