//! The agency's team: who works in the workspace, in which role, and who has left.
//!
//! Leaving is a deactivation, not a deletion: the person's name stays on what they did (tasks,
//! comments, the audit log), while everything that lets them act ends in the same transaction —
//! their sessions, their API tokens, the portal previews they opened and any sign-in half done.
//! Reactivating lets them sign in again with their password; tokens stay revoked.
//!
//! The rules keep a workspace from locking itself out: only owners and admins manage the team,
//! nobody changes their own role or deactivates themselves, and only an owner touches an owner
//! or makes one — so the owner making a change is always an active owner left behind. Changes
//! in one workspace queue behind each other (the transaction first writes the workspace's row),
//! so two owners deactivating each other at the same moment cannot both succeed.
use serde::Serialize;

use crate::db::{now, Db, ScopedTx};
use crate::error::{Error, Result};

/// What a staff member may do in the admin. Defined in `tenancy`, next to the
/// [`StaffUser`](crate::tenancy::StaffUser) that holds one, and named here too.
pub(crate) use crate::tenancy::Role;

/// One person on the team, as the team page lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub two_step: bool,
    pub deactivated_at: Option<i64>,
    /// The latest activity of any of their sessions, while one is open.
    pub last_seen_at: Option<i64>,
}

impl Member {
    pub fn active(&self) -> bool {
        self.deactivated_at.is_none()
    }
}

const MEMBER_COLUMNS: &str = "u.id, u.name, u.email, u.role, (u.totp_enabled_at IS NOT NULL) AS two_step, u.deactivated_at, \
     (SELECT MAX(s.last_seen_at) FROM staff_sessions s WHERE s.staff_user_id = u.id) AS last_seen_at";

/// One member by id (`$1`) in the workspace (`$2`).
fn one_member() -> String {
    format!("SELECT {MEMBER_COLUMNS} FROM staff_users u WHERE u.id = $1 AND u.workspace_id = $2")
}

/// The workspace's team: people on it first, then those who left, each by name.
pub async fn members(db: &Db, workspace_id: i64) -> Result<Vec<Member>> {
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM staff_users u WHERE u.workspace_id = $1 \
         ORDER BY u.deactivated_at IS NOT NULL, LOWER(u.name), u.id"
    );
    db.query_as(&sql).bind(workspace_id).fetch_all().await
}

/// One person on the workspace's team (or `NotFound`: not on this workspace's team).
pub async fn member(db: &Db, workspace_id: i64, id: i64) -> Result<Member> {
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM staff_users u WHERE u.id = $1 AND u.workspace_id = $2"
    );
    let found: Option<Member> = db
        .query_as(&sql)
        .bind(id)
        .bind(workspace_id)
        .fetch_optional()
        .await?;
    found.ok_or(Error::NotFound)
}

/// A change to one person on the team.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    SetRole(Role),
    Deactivate,
    Reactivate,
    /// For someone who lost their phone: they sign in with their password alone until they
    /// set two-step sign-in up again (or are made to, when the workspace requires it).
    ResetTwoStep,
}

/// Whether `actor` may make `change` to `target`: the rules of the module doc, as the
/// message the admin shows when not.
pub fn may_change(actor_id: i64, actor_role: Role, target: &Member, change: Change) -> Result<()> {
    if actor_role < Role::Admin {
        return Err(Error::Forbidden(
            "Only the workspace's owners and admins manage the team.".into(),
        ));
    }
    if actor_id == target.id {
        return Err(Error::BadRequest(
            "You cannot change your own role or deactivate yourself: ask another owner.".into(),
        ));
    }
    let makes_owner = change == Change::SetRole(Role::Owner);
    if (target.role == Role::Owner || makes_owner) && actor_role != Role::Owner {
        return Err(Error::Forbidden(
            "Only an owner can change an owner or make someone an owner.".into(),
        ));
    }
    Ok(())
}

/// What [`apply`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Done; the person as they were before.
    Changed(Member),
    /// The person already was so (a second click, another admin first).
    Unchanged(Member),
}

/// Makes `change` to staff member `target` of the workspace on behalf of `actor`, checking
/// [`may_change`] against the team as it is inside the transaction. `NotFound` when the
/// target is not on this workspace's team.
pub async fn apply(
    db: &Db,
    workspace_id: i64,
    actor_id: i64,
    target_id: i64,
    change: Change,
) -> Result<Outcome> {
    let at = now();
    let one = one_member();
    let mut tx = ScopedTx::begin_staff_write(db, workspace_id).await?;
    // The queue: every team change of this workspace writes this row first.
    tx.query("UPDATE workspaces SET revision = revision + 1 WHERE id = $1")
        .bind(workspace_id)
        .execute()
        .await?;
    let actor: Option<Member> = tx
        .query_as(&one)
        .bind(actor_id)
        .bind(workspace_id)
        .fetch_optional()
        .await?;
    let actor = actor.filter(Member::active).ok_or_else(|| {
        Error::Forbidden("Only the workspace's owners and admins manage the team.".into())
    })?;
    let target: Option<Member> = tx
        .query_as(&one)
        .bind(target_id)
        .bind(workspace_id)
        .fetch_optional()
        .await?;
    let target = target.ok_or(Error::NotFound)?;
    may_change(actor.id, actor.role, &target, change)?;
    let already = match change {
        Change::SetRole(role) => target.role == role,
        Change::Deactivate => !target.active(),
        Change::Reactivate => target.active(),
        Change::ResetTwoStep => !target.two_step,
    };
    if already {
        return Ok(Outcome::Unchanged(target));
    }
    match change {
        Change::SetRole(role) => {
            tx.query("UPDATE staff_users SET role = $1 WHERE id = $2 AND workspace_id = $3")
                .bind(role)
                .bind(target_id)
                .bind(workspace_id)
                .execute()
                .await?;
        }
        Change::Reactivate => {
            tx.query(
                "UPDATE staff_users SET deactivated_at = NULL WHERE id = $1 AND workspace_id = $2",
            )
            .bind(target_id)
            .bind(workspace_id)
            .execute()
            .await?;
        }
        Change::ResetTwoStep => {
            tx.query(
                "UPDATE staff_users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL \
                 WHERE id = $1 AND workspace_id = $2",
            )
            .bind(target_id)
            .bind(workspace_id)
            .execute()
            .await?;
        }
        Change::Deactivate => {
            tx.query(
                "UPDATE staff_users SET deactivated_at = $1 WHERE id = $2 AND workspace_id = $3",
            )
            .bind(at)
            .bind(target_id)
            .bind(workspace_id)
            .execute()
            .await?;
            tx.query("DELETE FROM staff_sessions WHERE staff_user_id = $1 AND workspace_id = $2")
                .bind(target_id)
                .bind(workspace_id)
                .execute()
                .await?;
            tx.query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE staff_user_id = $2 AND workspace_id = $3 \
                 AND revoked_at IS NULL",
            )
            .bind(at)
            .bind(target_id)
            .bind(workspace_id)
            .execute()
            .await?;
            tx.query("DELETE FROM portal_sessions WHERE preview_by = $1 AND workspace_id = $2")
                .bind(target_id)
                .bind(workspace_id)
                .execute()
                .await?;
            tx.query(
                "DELETE FROM sign_in_challenges WHERE surface = 'admin' AND account_id = $1 \
                 AND workspace_id = $2",
            )
            .bind(target_id)
            .bind(workspace_id)
            .execute()
            .await?;
        }
    }
    tx.commit().await?;
    Ok(Outcome::Changed(target))
}

/// The person demo data and seeds hang the agency's work on: the workspace's first owner (or,
/// without one, its first staff member), or — on a workspace with no team yet — one made as
/// `email`/`name`, a member.
pub async fn demo_staff(db: &Db, workspace_id: i64, email: &str, name: &str) -> Result<i64> {
    let sql = "SELECT id FROM staff_users WHERE workspace_id = $1 \
               ORDER BY role <> 'owner', id LIMIT 1";
    let found = db.query_scalar(sql).bind(workspace_id).fetch_optional();
    match found.await? {
        Some(id) => Ok(id),
        None => crate::clients::create_staff_user(db, workspace_id, email, name, "member").await,
    }
}

/// Whether `staff` is on the workspace's team and has not left: someone work may be given to.
pub async fn is_active_member(tx: &mut ScopedTx, workspace_id: i64, staff: i64) -> Result<bool> {
    let sql = "SELECT COUNT(*) FROM staff_users WHERE id = $1 AND workspace_id = $2 \
               AND deactivated_at IS NULL";
    let n: i64 = tx
        .query_scalar(sql)
        .bind(staff)
        .bind(workspace_id)
        .fetch_one()
        .await?;
    Ok(n == 1)
}

/// The workspace's first owner still on the team: whom work goes to when nobody else is named.
pub async fn first_active_owner(tx: &mut ScopedTx, workspace_id: i64) -> Result<Option<i64>> {
    let sql = "SELECT id FROM staff_users WHERE workspace_id = $1 AND role = 'owner' \
               AND deactivated_at IS NULL ORDER BY id LIMIT 1";
    tx.query_scalar(sql)
        .bind(workspace_id)
        .fetch_optional()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: i64, role: Role) -> Member {
        Member {
            id,
            name: format!("staff {id}"),
            email: format!("{id}@agency.test"),
            role,
            two_step: false,
            deactivated_at: None,
            last_seen_at: None,
        }
    }

    fn allowed(actor: Role, target: Role, change: Change) -> bool {
        may_change(1, actor, &member(2, target), change).is_ok()
    }

    #[test]
    fn members_manage_nobody() {
        for target in Role::ALL {
            assert!(!allowed(Role::Member, target, Change::Deactivate));
            assert!(!allowed(
                Role::Member,
                target,
                Change::SetRole(Role::Member)
            ));
        }
    }

    #[test]
    fn admins_manage_members_and_admins_but_never_owners() {
        for target in [Role::Member, Role::Admin] {
            assert!(allowed(Role::Admin, target, Change::Deactivate));
            assert!(allowed(Role::Admin, target, Change::Reactivate));
            assert!(allowed(Role::Admin, target, Change::SetRole(Role::Admin)));
            assert!(!allowed(Role::Admin, target, Change::SetRole(Role::Owner)));
        }
        assert!(!allowed(Role::Admin, Role::Owner, Change::Deactivate));
        assert!(!allowed(
            Role::Admin,
            Role::Owner,
            Change::SetRole(Role::Member)
        ));
    }

    #[test]
    fn owners_manage_everyone_else() {
        for target in Role::ALL {
            for change in [
                Change::Deactivate,
                Change::Reactivate,
                Change::ResetTwoStep,
                Change::SetRole(Role::Owner),
                Change::SetRole(Role::Member),
            ] {
                assert!(
                    allowed(Role::Owner, target, change),
                    "{target:?} {change:?}"
                );
            }
        }
    }

    #[test]
    fn nobody_changes_themselves() {
        for role in Role::ALL {
            for change in [
                Change::Deactivate,
                Change::ResetTwoStep,
                Change::SetRole(Role::Member),
            ] {
                assert!(may_change(7, role, &member(7, role), change).is_err());
            }
        }
    }
}
