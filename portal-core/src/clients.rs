//! Clients, their contacts (portal users) and staff users: the rows other code seeds and
//! manages. Authentication on top of them is its own concern.
use crate::db::{now, Day, Db, ScopedTx};
use crate::error::Result;
use crate::module::Declarations;

pub async fn create_client(db: &Db, workspace_id: i64, name: &str) -> Result<i64> {
    let sql =
        "INSERT INTO clients (workspace_id, name, created_at) VALUES ($1, $2, $3) RETURNING id";
    db.query_scalar::<i64>(sql)
        .bind(workspace_id)
        .bind(name)
        .bind(now())
        .fetch_one()
        .await
}

pub async fn create_contact(
    db: &Db,
    workspace_id: i64,
    client_id: i64,
    email: &str,
    name: &str,
) -> Result<i64> {
    let sql = "INSERT INTO contacts (workspace_id, client_id, email, name, created_at) \
               SELECT $1, id, $3, $4, $5 FROM clients WHERE id = $2 AND workspace_id = $1 RETURNING id";
    db.query_scalar::<i64>(sql)
        .bind(workspace_id)
        .bind(client_id)
        .bind(email.to_ascii_lowercase())
        .bind(name)
        .bind(now())
        .fetch_one()
        .await
}

/// Replaces a contact's permissions. Takes effect on the contact's next request.
pub async fn set_permissions(db: &Db, contact_id: i64, permissions: &[&str]) -> Result<()> {
    // Keyed by contact alone: no workspace to wall the transaction to.
    let mut tx = ScopedTx::begin_unscoped_write(db).await?;
    tx.query("DELETE FROM contact_permissions WHERE contact_id = $1")
        .bind(contact_id)
        .execute()
        .await?;
    for p in permissions {
        tx.query("INSERT INTO contact_permissions (contact_id, permission) VALUES ($1, $2)")
            .bind(contact_id)
            .bind(*p)
            .execute()
            .await?;
    }
    tx.commit().await
}

/// The permissions a role preset grants, from every running module's declarations.
pub fn preset_permissions(registry: &Declarations, preset: &str) -> Vec<&'static str> {
    registry
        .permissions()
        .into_iter()
        .filter(|(_, p)| p.presets.contains(&preset))
        .map(|(_, p)| p.key)
        .collect()
}

/// Sets a contact's password (already hashed by `auth::Passwords`).
pub async fn set_contact_password(db: &Db, contact_id: i64, password_hash: &str) -> Result<()> {
    let sql = "UPDATE contacts SET password_hash = $1 WHERE id = $2";
    db.query(sql)
        .bind(password_hash)
        .bind(contact_id)
        .execute()
        .await?;
    Ok(())
}

/// Replaces a contact's password (already hashed) as one step with its consequences: every
/// session but `keep` ends, and no outstanding reset link still works.
pub async fn replace_contact_password(
    db: &Db,
    contact_id: i64,
    password_hash: &str,
    keep: Option<&str>,
) -> Result<()> {
    // Keyed by contact alone: no workspace to wall the transaction to.
    let mut tx = ScopedTx::begin_unscoped_write(db).await?;
    tx.query("UPDATE contacts SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(contact_id)
        .execute()
        .await?;
    tx.query("DELETE FROM portal_sessions WHERE contact_id = $1 AND token_hash <> $2")
        .bind(contact_id)
        .bind(keep.unwrap_or(""))
        .execute()
        .await?;
    tx.query(
        "UPDATE contact_tokens SET revoked_at = $1 WHERE contact_id = $2 \
         AND purpose IN ('reset', 'sign_in') AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(contact_id)
    .execute()
    .await?;
    tx.commit().await
}

/// Replaces a staff member's password (already hashed): every other staff session ends, and
/// so does every API token they made (a token made by whoever knew the old password must not
/// outlive it).
pub async fn replace_staff_password(
    db: &Db,
    staff_user_id: i64,
    password_hash: &str,
    keep: Option<&str>,
) -> Result<()> {
    // Keyed by staff member alone: no workspace to wall the transaction to.
    let mut tx = ScopedTx::begin_unscoped_write(db).await?;
    tx.query("UPDATE staff_users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(staff_user_id)
        .execute()
        .await?;
    tx.query("DELETE FROM staff_sessions WHERE staff_user_id = $1 AND token_hash <> $2")
        .bind(staff_user_id)
        .bind(keep.unwrap_or(""))
        .execute()
        .await?;
    tx.query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE staff_user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(staff_user_id)
    .execute()
    .await?;
    tx.commit().await
}

/// Sets a staff member's password (already hashed by `auth::Passwords`).
pub async fn set_staff_password(db: &Db, staff_user_id: i64, password_hash: &str) -> Result<()> {
    let sql = "UPDATE staff_users SET password_hash = $1 WHERE id = $2";
    db.query(sql)
        .bind(password_hash)
        .bind(staff_user_id)
        .execute()
        .await?;
    Ok(())
}

pub async fn create_staff_user(
    db: &Db,
    workspace_id: i64,
    email: &str,
    name: &str,
    role: &str,
) -> Result<i64> {
    let sql = "INSERT INTO staff_users (workspace_id, email, name, role, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
    db.query_scalar::<i64>(sql)
        .bind(workspace_id)
        .bind(email.to_ascii_lowercase())
        .bind(name)
        .bind(role)
        .bind(now())
        .fetch_one()
        .await
}

/// A member of the agency's team, as "assign to", "lead" and "host" pickers list them.
#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct TeamMember {
    pub id: i64,
    pub name: String,
}

/// The workspace's team, by name: those on it (see [`crate::team`]), not those who left.
pub async fn team(db: &Db, workspace_id: i64) -> Result<Vec<TeamMember>> {
    let sql = "SELECT id, name FROM staff_users WHERE workspace_id = $1 AND deactivated_at IS NULL ORDER BY LOWER(name), id";
    db.query_as(sql).bind(workspace_id).fetch_all().await
}

/// Whether `client` is one of the workspace's clients, read in `tx`, the transaction about
/// to store a reference to it (a module's record "for this client").
pub async fn is_client_of(tx: &mut ScopedTx, workspace_id: i64, client: i64) -> Result<bool> {
    let sql = "SELECT COUNT(*) FROM clients WHERE id = $1 AND workspace_id = $2";
    let n: i64 = tx
        .query_scalar(sql)
        .bind(client)
        .bind(workspace_id)
        .fetch_one()
        .await?;
    Ok(n == 1)
}

/// The client's first contact, if it has one: who demo data shows as having written.
pub async fn first_contact(db: &Db, workspace_id: i64, client: i64) -> Result<Option<i64>> {
    let sql = "SELECT id FROM contacts WHERE workspace_id = $1 AND client_id = $2 \
               ORDER BY id LIMIT 1";
    let found = db.query_scalar(sql).bind(workspace_id).bind(client);
    found.fetch_optional().await
}

/// `Ok` when `staff` is nobody or one of the workspace's team; otherwise a 400 saying `why`
/// ("Choose someone from the agency's team to assign the task to."). Read in `tx`, the
/// transaction that is about to store the reference.
pub async fn check_team_member(
    tx: &mut ScopedTx,
    workspace_id: i64,
    staff: Option<i64>,
    why: &str,
) -> Result<()> {
    let Some(id) = staff else {
        return Ok(());
    };
    let sql = "SELECT COUNT(*) FROM staff_users WHERE id = $1 AND workspace_id = $2";
    let n: i64 = tx
        .query_scalar(sql)
        .bind(id)
        .bind(workspace_id)
        .fetch_one()
        .await?;
    if n == 1 {
        Ok(())
    } else {
        Err(crate::error::Error::BadRequest(why.into()))
    }
}

/// Adds a custom domain; only verified domains route to the workspace.
pub async fn add_domain(db: &Db, workspace_id: i64, domain: &str, verified: bool) -> Result<()> {
    let sql = "INSERT INTO workspace_domains (domain, workspace_id, verified) VALUES ($1, $2, $3)";
    db.query(sql)
        .bind(domain.to_ascii_lowercase())
        .bind(workspace_id)
        .bind(verified)
        .execute()
        .await?;
    Ok(())
}

pub async fn set_branding(
    db: &Db,
    workspace_id: i64,
    accent_color: &str,
    logo_url: Option<&str>,
) -> Result<()> {
    let sql = "UPDATE workspaces SET accent_color = $1, logo_url = $2, \
               logo_file_id = CASE WHEN logo_url = $2 THEN logo_file_id ELSE NULL END WHERE id = $3";
    db.query(sql)
        .bind(accent_color)
        .bind(logo_url)
        .bind(workspace_id)
        .execute()
        .await?;
    Ok(())
}

// ---- Managing clients and contacts from the admin -------------------------------------------

use serde::Serialize;

use crate::error::Error;

/// A client as the admin lists it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ClientSummary {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub created_at: i64,
    pub contacts: i64,
}

pub async fn list_clients(db: &Db, workspace_id: i64) -> Result<Vec<ClientSummary>> {
    let sql = "SELECT cl.id, cl.name, cl.active, cl.created_at, \
               (SELECT COUNT(*) FROM contacts c WHERE c.client_id = cl.id AND c.active) AS contacts \
               FROM clients cl WHERE cl.workspace_id = $1 ORDER BY cl.active DESC, LOWER(cl.name), cl.id";
    db.query_as(sql).bind(workspace_id).fetch_all().await
}

/// One client of the workspace; `NotFound` for any other id, whoever's it is.
pub async fn client(db: &Db, workspace_id: i64, client_id: i64) -> Result<ClientSummary> {
    let sql = "SELECT cl.id, cl.name, cl.active, cl.created_at, \
               (SELECT COUNT(*) FROM contacts c WHERE c.client_id = cl.id AND c.active) AS contacts \
               FROM clients cl WHERE cl.workspace_id = $1 AND cl.id = $2";
    let found: Option<ClientSummary> = db
        .query_as(sql)
        .bind(workspace_id)
        .bind(client_id)
        .fetch_optional()
        .await?;
    found.ok_or(Error::NotFound)
}

/// What a plan's limit counts: active clients, or active contacts of active clients.
#[derive(Clone, Copy, Debug)]
pub enum Counted {
    Clients,
    PortalUsers,
}

impl Counted {
    fn sql(self) -> &'static str {
        match self {
            Counted::Clients => "SELECT COUNT(*) FROM clients WHERE workspace_id = $1 AND active",
            Counted::PortalUsers => {
                "SELECT COUNT(*) FROM contacts c JOIN clients cl ON cl.id = c.client_id \
                 WHERE c.workspace_id = $1 AND c.active AND cl.active"
            }
        }
    }

    fn refusal(self, limit: u64) -> Error {
        Error::Conflict(match self {
            Counted::Clients => format!(
                "Your plan includes {limit} active clients, and all of them are in use. \
                 Deactivate a client or upgrade the plan to add another."
            ),
            Counted::PortalUsers => format!(
                "Your plan includes {limit} active portal users, and all of them are in use. \
                 Deactivate a contact or upgrade the plan to add another."
            ),
        })
    }
}

/// Locks the workspace row for the rest of the transaction (a no-op write, portable to both
/// backends), so two staff members adding at once cannot both take the last place.
const LOCK_WORKSPACE: &str = "UPDATE workspaces SET revision = revision WHERE id = $1";

/// A staff write transaction holding the workspace row, for a change the plan's limits
/// count.
async fn begin_counted(db: &Db, workspace_id: i64) -> Result<ScopedTx> {
    let mut tx = ScopedTx::begin_staff_write(db, workspace_id).await?;
    tx.query(LOCK_WORKSPACE)
        .bind(workspace_id)
        .execute()
        .await?;
    Ok(tx)
}

/// Refuses one more of `counted` when the plan's `limit` is reached, counted in `tx`.
async fn check_room(
    tx: &mut ScopedTx,
    workspace_id: i64,
    counted: Counted,
    limit: Option<u64>,
) -> Result<()> {
    let Some(limit) = limit else {
        return Ok(());
    };
    let in_use: i64 = tx
        .query_scalar(counted.sql())
        .bind(workspace_id)
        .fetch_one()
        .await?;
    if in_use >= 0 && in_use as u64 >= limit {
        return Err(counted.refusal(limit));
    }
    Ok(())
}

/// Creates a client if the plan has room for another active one.
pub async fn create_client_within(
    db: &Db,
    workspace_id: i64,
    name: &str,
    limit: Option<u64>,
) -> Result<i64> {
    let insert =
        "INSERT INTO clients (workspace_id, name, created_at) VALUES ($1, $2, $3) RETURNING id";
    let mut tx = begin_counted(db, workspace_id).await?;
    check_room(&mut tx, workspace_id, Counted::Clients, limit).await?;
    let id: i64 = tx
        .query_scalar(insert)
        .bind(workspace_id)
        .bind(name)
        .bind(now())
        .fetch_one()
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Renames a client, or (de)activates it: its contacts cannot sign in while it is inactive,
/// and their sessions end at once (the revision trigger). Reactivating needs room in the plan.
pub async fn update_client(
    db: &Db,
    workspace_id: i64,
    client_id: i64,
    name: &str,
    active: bool,
    limit: Option<u64>,
) -> Result<()> {
    let current = client(db, workspace_id, client_id).await?;
    let update = "UPDATE clients SET name = $1, active = $2 WHERE id = $3 AND workspace_id = $4";
    let mut tx = begin_counted(db, workspace_id).await?;
    if active && !current.active {
        check_room(&mut tx, workspace_id, Counted::Clients, limit).await?;
    }
    tx.query(update)
        .bind(name)
        .bind(active)
        .bind(client_id)
        .bind(workspace_id)
        .execute()
        .await?;
    tx.commit().await
}

/// A contact as the admin shows it, with their invitation's state.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ContactSummary {
    pub id: i64,
    pub client_id: i64,
    pub name: String,
    pub email: String,
    pub active: bool,
    pub access_expires_on: Option<Day>,
    pub has_password: bool,
    /// Two-step sign-in is on.
    pub two_step: bool,
    pub created_at: i64,
    pub last_active: Option<i64>,
    pub invited_at: Option<i64>,
    pub invite_expires_at: Option<i64>,
    pub invite_used_at: Option<i64>,
    pub invite_revoked_at: Option<i64>,
}

/// Where a contact's latest invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    NotInvited,
    Pending,
    Accepted,
    Expired,
    Revoked,
}

impl ContactSummary {
    pub fn invitation(&self, at: i64) -> InvitationStatus {
        match (
            self.invited_at,
            self.invite_used_at,
            self.invite_revoked_at,
            self.invite_expires_at,
        ) {
            (None, ..) => InvitationStatus::NotInvited,
            (_, Some(_), ..) => InvitationStatus::Accepted,
            (_, None, Some(_), _) => InvitationStatus::Revoked,
            (_, None, None, Some(exp)) if exp <= at => InvitationStatus::Expired,
            _ => InvitationStatus::Pending,
        }
    }

    /// Access ended by date (the day itself still counts).
    pub fn access_expired(&self, today: Day) -> bool {
        self.access_expires_on.is_some_and(|d| d < today)
    }
}

const CONTACT_COLUMNS: &str = "c.id, c.client_id, c.name, c.email, c.active, c.access_expires_on, \
    c.password_hash IS NOT NULL AS has_password, c.totp_enabled_at IS NOT NULL AS two_step, c.created_at, \
    (SELECT MAX(s.last_seen_at) FROM portal_sessions s WHERE s.contact_id = c.id) AS last_active, \
    i.created_at AS invited_at, i.expires_at AS invite_expires_at, i.used_at AS invite_used_at, \
    i.revoked_at AS invite_revoked_at \
    FROM contacts c LEFT JOIN contact_tokens i ON i.id = \
    (SELECT MAX(t.id) FROM contact_tokens t WHERE t.contact_id = c.id AND t.purpose = 'invite')";

pub async fn contacts_of(
    db: &Db,
    workspace_id: i64,
    client_id: i64,
) -> Result<Vec<ContactSummary>> {
    let sql = format!(
        "SELECT {CONTACT_COLUMNS} WHERE c.workspace_id = $1 AND c.client_id = $2 \
         ORDER BY c.active DESC, LOWER(c.name), c.id"
    );
    db.query_as(&sql)
        .bind(workspace_id)
        .bind(client_id)
        .fetch_all()
        .await
}

/// One contact of the workspace; `NotFound` for any other id.
pub async fn contact(db: &Db, workspace_id: i64, contact_id: i64) -> Result<ContactSummary> {
    let sql = format!("SELECT {CONTACT_COLUMNS} WHERE c.workspace_id = $1 AND c.id = $2");
    let found: Option<ContactSummary> = db
        .query_as(&sql)
        .bind(workspace_id)
        .bind(contact_id)
        .fetch_optional()
        .await?;
    found.ok_or(Error::NotFound)
}

/// Whether an address is taken by another contact of the workspace (emails are unique per
/// workspace: they are the sign-in name).
async fn email_taken(db: &Db, workspace_id: i64, email: &str, except: i64) -> Result<bool> {
    let sql = "SELECT COUNT(*) FROM contacts WHERE workspace_id = $1 AND email = $2 AND id <> $3";
    let n: i64 = db
        .query_scalar(sql)
        .bind(workspace_id)
        .bind(email)
        .bind(except)
        .fetch_one()
        .await?;
    Ok(n > 0)
}

fn email_taken_error(email: &str) -> Error {
    Error::Conflict(format!("{email} is already a contact in this workspace."))
}

/// Adds a contact to a client of the workspace with a set of permissions, if the plan has
/// room for another portal user.
pub async fn create_contact_within(
    db: &Db,
    workspace_id: i64,
    client_id: i64,
    email: &str,
    name: &str,
    permissions: &[&str],
    limit: Option<u64>,
) -> Result<i64> {
    client(db, workspace_id, client_id).await?;
    let email = email.to_ascii_lowercase();
    if email_taken(db, workspace_id, &email, 0).await? {
        return Err(email_taken_error(&email));
    }
    let insert = "INSERT INTO contacts (workspace_id, client_id, email, name, created_at) \
                  VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let grant = "INSERT INTO contact_permissions (contact_id, permission) VALUES ($1, $2)";
    let mut tx = begin_counted(db, workspace_id).await?;
    check_room(&mut tx, workspace_id, Counted::PortalUsers, limit).await?;
    let id: i64 = tx
        .query_scalar(insert)
        .bind(workspace_id)
        .bind(client_id)
        .bind(&email)
        .bind(name)
        .bind(now())
        .fetch_one()
        .await?;
    for p in permissions {
        tx.query(grant).bind(id).bind(*p).execute().await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// What staff may change about a contact in one go.
#[derive(Clone, Debug)]
pub struct ContactChange {
    pub name: String,
    pub email: String,
    pub active: bool,
    pub access_expires_on: Option<Day>,
}

/// Applies a change to a contact. Deactivation and a past expiry end their sessions at once
/// (the revision trigger, and the session loader's checks); a new email voids their pending
/// one-time links, which were sent to the old address, ends their sessions and clears their
/// password and two-step sign-in: whoever signed in as the old address (a shared mailbox, the
/// person who left) is out and cannot sign in again; the new address gets in by an invitation
/// or a sign-in link. Reactivating needs room in the plan.
pub async fn update_contact(
    db: &Db,
    workspace_id: i64,
    contact_id: i64,
    change: &ContactChange,
    limit: Option<u64>,
) -> Result<()> {
    let current = contact(db, workspace_id, contact_id).await?;
    let email = change.email.to_ascii_lowercase();
    if email_taken(db, workspace_id, &email, contact_id).await? {
        return Err(email_taken_error(&email));
    }
    let update = "UPDATE contacts SET name = $1, email = $2, active = $3, access_expires_on = $4 \
                  WHERE id = $5 AND workspace_id = $6";
    let void = "UPDATE contact_tokens SET revoked_at = $1 WHERE contact_id = $2 \
                AND used_at IS NULL AND revoked_at IS NULL";
    let end_sessions = "DELETE FROM portal_sessions WHERE contact_id = $1";
    let forget_credentials = "UPDATE contacts SET password_hash = NULL, totp_secret = NULL, \
                              totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1";
    let mut tx = begin_counted(db, workspace_id).await?;
    if change.active && !current.active {
        check_room(&mut tx, workspace_id, Counted::PortalUsers, limit).await?;
    }
    tx.query(update)
        .bind(&change.name)
        .bind(&email)
        .bind(change.active)
        .bind(change.access_expires_on)
        .bind(contact_id)
        .bind(workspace_id)
        .execute()
        .await?;
    if email != current.email {
        tx.query(void)
            .bind(now())
            .bind(contact_id)
            .execute()
            .await?;
        tx.query(forget_credentials)
            .bind(contact_id)
            .execute()
            .await?;
    }
    if !change.active || email != current.email {
        tx.query(end_sessions).bind(contact_id).execute().await?;
    }
    tx.commit().await
}

/// A contact's permissions, sorted.
pub async fn permissions_of(db: &Db, contact_id: i64) -> Result<Vec<String>> {
    let sql =
        "SELECT permission FROM contact_permissions WHERE contact_id = $1 ORDER BY permission";
    db.query_scalar(sql).bind(contact_id).fetch_all().await
}

/// Ends every session of a contact (staff's "sign out everywhere").
pub async fn end_contact_sessions(db: &Db, workspace_id: i64, contact_id: i64) -> Result<u64> {
    let sql = "DELETE FROM portal_sessions WHERE contact_id = $1 AND workspace_id = $2";
    db.query(sql)
        .bind(contact_id)
        .bind(workspace_id)
        .execute()
        .await
}
