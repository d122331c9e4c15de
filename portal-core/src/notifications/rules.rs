//! Which of a contact's notifications they may still see. A notification stays in the table
//! when the contact loses access to what it speaks of — the permission its kind needs, or the
//! record it is about (a project taken from them); the feed, the unread count and the digest
//! leave it out while that lasts, and show it again if access comes back. One SQL condition,
//! built once from the linked modules, so every reader applies the same rule in its query.
use crate::module::Declarations;

/// A kind of record a notification may be about ([`super::Notice::about`]), and who may still
/// see one of them. Declared by the module that owns the record
/// ([`crate::PortalModule::record_rules`]).
#[derive(Clone, Copy, Debug)]
pub struct RecordRule {
    /// What [`super::Notice::about`] names, e.g. `project`.
    pub record: &'static str,
    /// An SQL condition, true while the contact may see the record, given the SQL
    /// expressions of the record's id and the contact's id. It runs in the contact's scope
    /// and on both backends.
    pub visible: fn(record_id: &str, contact_id: &str) -> String,
}

#[derive(Clone, Debug)]
pub struct FeedRules {
    condition: String,
}

impl Default for FeedRules {
    fn default() -> Self {
        FeedRules {
            condition: "TRUE".into(),
        }
    }
}

/// `'text'`, quotes doubled: the names come from module code, never from a request, but a
/// quote in one must not change the statement.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl FeedRules {
    pub fn of(registry: &Declarations) -> FeedRules {
        let mut parts = Vec::new();
        for (_, kind) in registry.notification_kinds() {
            if let Some(permission) = kind.permission {
                parts.push(format!(
                    "(notifications.kind <> {} OR EXISTS (SELECT 1 FROM contact_permissions cp \
                     WHERE cp.contact_id = notifications.contact_id AND cp.permission = {}))",
                    literal(kind.key),
                    literal(permission)
                ));
            }
        }
        for module in registry.all() {
            for rule in module.record_rules {
                parts.push(format!(
                    "(notifications.about_type IS NULL OR notifications.about_type <> {} OR ({}))",
                    literal(rule.record),
                    (rule.visible)("notifications.about_id", "notifications.contact_id")
                ));
            }
        }
        if parts.is_empty() {
            return FeedRules::default();
        }
        FeedRules {
            condition: parts.join(" AND "),
        }
    }

    /// An SQL condition on the unaliased `notifications` table: true for the rows their
    /// contact may see now.
    pub fn condition(&self) -> &str {
        &self.condition
    }
}
