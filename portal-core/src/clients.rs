//! Clients, their contacts (portal users) and staff users: the rows other code seeds and
//! manages. Authentication on top of them is its own concern.
use crate::db::{now, BeginWrite, Db};
use crate::error::Result;
use crate::module::ModuleRegistry;
use crate::with_db;

pub async fn create_client(db: &Db, workspace_id: i64, name: &str) -> Result<i64> {
    let sql =
        "INSERT INTO clients (workspace_id, name, created_at) VALUES ($1, $2, $3) RETURNING id";
    Ok(
        with_db!(db, pool => sqlx::query_scalar(sql).bind(workspace_id).bind(name).bind(now()).fetch_one(pool).await)?,
    )
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
    Ok(
        with_db!(db, pool => sqlx::query_scalar(sql).bind(workspace_id).bind(client_id).bind(email.to_ascii_lowercase()).bind(name).bind(now()).fetch_one(pool).await)?,
    )
}

/// Replaces a contact's permissions. Takes effect on the contact's next request.
pub async fn set_permissions(db: &Db, contact_id: i64, permissions: &[&str]) -> Result<()> {
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query("DELETE FROM contact_permissions WHERE contact_id = $1")
            .bind(contact_id)
            .execute(&mut *tx)
            .await?;
        for p in permissions {
            sqlx::query("INSERT INTO contact_permissions (contact_id, permission) VALUES ($1, $2)")
                .bind(contact_id)
                .bind(*p)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    })
}

/// The permissions a role preset grants, from every running module's declarations.
pub fn preset_permissions(registry: &ModuleRegistry, preset: &str) -> Vec<&'static str> {
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
    with_db!(db, pool => sqlx::query(sql).bind(password_hash).bind(contact_id).execute(pool).await.map(|_| ()))?;
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
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query("UPDATE contacts SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(contact_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM portal_sessions WHERE contact_id = $1 AND token_hash <> $2")
            .bind(contact_id)
            .bind(keep.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    })
}

/// Sets a staff member's password (already hashed by `auth::Passwords`).
pub async fn set_staff_password(db: &Db, staff_user_id: i64, password_hash: &str) -> Result<()> {
    let sql = "UPDATE staff_users SET password_hash = $1 WHERE id = $2";
    with_db!(db, pool => sqlx::query(sql).bind(password_hash).bind(staff_user_id).execute(pool).await.map(|_| ()))?;
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
    Ok(
        with_db!(db, pool => sqlx::query_scalar(sql).bind(workspace_id).bind(email.to_ascii_lowercase()).bind(name).bind(role).bind(now()).fetch_one(pool).await)?,
    )
}

/// Adds a custom domain; only verified domains route to the workspace.
pub async fn add_domain(db: &Db, workspace_id: i64, domain: &str, verified: bool) -> Result<()> {
    let sql = "INSERT INTO workspace_domains (domain, workspace_id, verified) VALUES ($1, $2, $3)";
    with_db!(db, pool => sqlx::query(sql).bind(domain.to_ascii_lowercase()).bind(workspace_id).bind(verified).execute(pool).await.map(|_| ()))?;
    Ok(())
}

pub async fn set_branding(
    db: &Db,
    workspace_id: i64,
    accent_color: &str,
    logo_url: Option<&str>,
) -> Result<()> {
    let sql = "UPDATE workspaces SET accent_color = $1, logo_url = $2 WHERE id = $3";
    with_db!(db, pool => sqlx::query(sql).bind(accent_color).bind(logo_url).bind(workspace_id).execute(pool).await.map(|_| ()))?;
    Ok(())
}
