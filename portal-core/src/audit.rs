//! The staff audit log: actions a client may one day ask about ("who looked at our portal
//! as me?"). Append-only from the application's side.
use serde::Serialize;

use crate::db::{now, Db};
use crate::error::Result;
use crate::tenancy::StaffUser;

/// Records one action by a staff member. `subject` names what it was done to, in words a
/// reader of the log understands ("contact 12, dana@client.example").
pub async fn record(
    db: &Db,
    staff: &StaffUser,
    action: &str,
    subject: &str,
    ip: &str,
) -> Result<()> {
    let sql = "INSERT INTO audit_log (workspace_id, staff_user_id, staff_name, action, subject, ip, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7)";
    db.query(sql)
        .bind(staff.workspace_id)
        .bind(staff.id)
        .bind(&staff.name)
        .bind(action)
        .bind(subject)
        .bind(ip)
        .bind(now())
        .execute()
        .await?;
    Ok(())
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    pub staff_name: String,
    pub action: String,
    pub subject: String,
    pub ip: String,
    pub created_at: i64,
}

/// The newest entries of a workspace, newest first.
pub async fn recent(db: &Db, workspace_id: i64, limit: i64) -> Result<Vec<Entry>> {
    let sql = "SELECT id, staff_name, action, subject, ip, created_at FROM audit_log \
               WHERE workspace_id = $1 ORDER BY id DESC LIMIT $2";
    db.query_as(sql)
        .bind(workspace_id)
        .bind(limit)
        .fetch_all()
        .await
}
