//! Workspaces (tenants): lookup for tenancy, the staff's portal settings, and the operator's
//! changes to plans, add-ons and enabled modules. Each change bumps `revision` in the same
//! transaction (database triggers, so no writer can forget), which is what makes cached
//! entitlements and sessions stale on the next request.
use std::sync::LazyLock;

use serde::Serialize;

use crate::db::{now, Db, ScopedTx, Sql};
use crate::error::{Error, Result};
use crate::module::Declarations;
use crate::plans::PlanCatalogue;

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Workspace {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub plan_id: String,
    pub revision: i64,
    pub accent_color: String,
    pub logo_url: Option<String>,
    /// The uploaded file that is the logo: the one file served publicly, set by the upload
    /// alone (never read off `logo_url`, which staff may type).
    pub logo_file_id: Option<i64>,
    /// The name emails come from on white-label plans; the workspace's name otherwise.
    pub sender_name: Option<String>,
    /// Off: every portal page answers "unavailable" and nobody signs in; staff pages work.
    pub portal_enabled: bool,
    /// Shown on the portal home on white-label plans, as plain text.
    pub welcome_message: Option<String>,
    /// In the portal's and the emails' footer on white-label plans.
    pub support_email: Option<String>,
    /// The largest upload, in MB; `None` for the deployment's default.
    pub max_file_mb: Option<i32>,
    /// PostgreSQL's snapshot when the tenant layer read this row (`pg_current_snapshot()`),
    /// before anything else the request reads: what caches of rendered data are stamped with
    /// (`db::writes::WriteMark`). `None` on SQLite and from every other lookup.
    #[serde(skip)]
    #[sqlx(default)]
    pub snapshot: Option<String>,
}

const COLUMNS: &str =
    "id, slug, name, plan_id, revision, accent_color, logo_url, logo_file_id, sender_name, \
                       portal_enabled, welcome_message, support_email, max_file_mb";

/// On PostgreSQL, the columns and the snapshot the statement ran in (`Workspace::snapshot`).
fn with_snapshot(sqlite: String) -> (String, String) {
    let postgres = sqlite.replacen(
        " FROM ",
        ", pg_current_snapshot()::text AS snapshot FROM ",
        1,
    );
    (sqlite, postgres)
}

/// The tenant layer's lookups, run on every request: their text is made once.
static BY_SLUG: LazyLock<(String, String)> =
    LazyLock::new(|| with_snapshot(format!("SELECT {COLUMNS} FROM workspaces WHERE slug = $1")));
static BY_DOMAIN: LazyLock<(String, String)> = LazyLock::new(|| {
    let columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("w.{c}")).collect();
    with_snapshot(format!(
        "SELECT {} FROM workspaces w JOIN workspace_domains d ON d.workspace_id = w.id \
         WHERE d.domain = $1 AND d.verified",
        columns.join(", ")
    ))
});

fn each(texts: &'static (String, String)) -> Sql<'static> {
    Sql::each(texts.0.as_str(), texts.1.as_str())
}

/// The tenant layer's lookup, once per request.
pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<Workspace>> {
    db.query_as(each(&BY_SLUG))
        .bind(slug)
        .fetch_optional()
        .await
}

/// A workspace by one of its verified custom domains: the tenant layer's lookup there.
pub async fn by_domain(db: &Db, domain: &str) -> Result<Option<Workspace>> {
    db.query_as(each(&BY_DOMAIN))
        .bind(domain)
        .fetch_optional()
        .await
}

pub async fn list(db: &Db) -> Result<Vec<Workspace>> {
    let sql = format!("SELECT {COLUMNS} FROM workspaces ORDER BY slug");
    db.query_as(&sql).fetch_all().await
}

/// The uploaded logo: its file, and the address that serves it (from `upload_logo`).
pub async fn set_logo(db: &Db, workspace_id: i64, file_id: i64, url: &str) -> Result<()> {
    let sql = "UPDATE workspaces SET logo_url = $1, logo_file_id = $2 WHERE id = $3";
    db.query(sql)
        .bind(url)
        .bind(file_id)
        .bind(workspace_id)
        .execute()
        .await?;
    Ok(())
}

/// The workspace's largest upload in MB; `None` goes back to the deployment's default.
pub async fn set_max_file_mb(db: &Db, workspace_id: i64, mb: Option<i64>) -> Result<()> {
    let sql = "UPDATE workspaces SET max_file_mb = $1 WHERE id = $2";
    let n = db.query(sql).bind(mb).bind(workspace_id).execute().await?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// A slug is one DNS label: it names the workspace in `{slug}.{base domain}` and `/w/{slug}/`.
pub fn check_slug(slug: &str) -> Result<()> {
    let ok = (1..=63).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "`{slug}` cannot be a workspace address: use 1 to 63 lowercase letters, digits and inner hyphens"
        )))
    }
}

pub async fn create(db: &Db, slug: &str, name: &str, plan_id: &str) -> Result<i64> {
    check_slug(slug)?;
    let sql = "INSERT INTO workspaces (slug, name, plan_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id";
    db.query_scalar::<i64>(sql)
        .bind(slug)
        .bind(name)
        .bind(plan_id)
        .bind(now())
        .fetch_one()
        .await
}

/// Deletes a workspace and, through the schema's cascades, everything it owns.
pub async fn delete(db: &Db, workspace_id: i64) -> Result<()> {
    let sql = "DELETE FROM workspaces WHERE id = $1";
    db.query(sql).bind(workspace_id).execute().await?;
    Ok(())
}

pub async fn addons(db: &Db, workspace_id: i64) -> Result<Vec<String>> {
    let sql = "SELECT addon_id FROM workspace_addons WHERE workspace_id = $1 ORDER BY addon_id";
    db.query_scalar(sql).bind(workspace_id).fetch_all().await
}

pub async fn disabled_modules(db: &Db, workspace_id: i64) -> Result<Vec<String>> {
    let sql = "SELECT module_id FROM workspace_modules WHERE workspace_id = $1 AND NOT enabled ORDER BY module_id";
    db.query_scalar(sql).bind(workspace_id).fetch_all().await
}

/// A change to what a workspace is entitled to.
#[derive(Clone, Debug)]
pub enum EntitlementChange {
    SetPlan(String),
    AddAddon(String),
    RemoveAddon(String),
    SetModuleEnabled { module: String, enabled: bool },
}

/// Validates an entitlement change; shared by the API and the CLI.
pub fn check_change(
    catalogue: &PlanCatalogue,
    registry: &Declarations,
    workspace: &Workspace,
    change: &EntitlementChange,
) -> Result<()> {
    match change {
        EntitlementChange::SetPlan(plan) if catalogue.plan(plan).is_none() => {
            let known: Vec<&str> = catalogue.plans().iter().map(|p| p.id.as_str()).collect();
            Err(Error::BadRequest(format!(
                "unknown plan `{plan}` (plans: {})",
                known.join(", ")
            )))
        }
        EntitlementChange::AddAddon(addon) if catalogue.addon(addon).is_none() => {
            let known: Vec<&str> = catalogue.addons().iter().map(|a| a.id.as_str()).collect();
            Err(Error::BadRequest(format!(
                "unknown add-on `{addon}` (add-ons: {})",
                known.join(", ")
            )))
        }
        EntitlementChange::AddAddon(addon)
            if catalogue
                .addon(addon)
                .is_some_and(|a| !a.available_to(&workspace.plan_id)) =>
        {
            Err(Error::BadRequest(format!(
                "add-on `{addon}` is not available on plan `{}`",
                workspace.plan_id
            )))
        }
        EntitlementChange::SetModuleEnabled { module, .. }
            if registry.declared(module).is_none() =>
        {
            Err(Error::BadRequest(format!(
                "module `{module}` is not linked into this build (modules: {})",
                registry.ids().join(", ")
            )))
        }
        _ => Ok(()),
    }
}

/// Applies the change; triggers bump the workspace's revision in the same transaction.
/// Validation against the catalogue and registry is the caller's ([`check_change`]).
pub async fn apply_change(db: &Db, workspace_id: i64, change: &EntitlementChange) -> Result<()> {
    let mut tx = ScopedTx::begin_staff_write(db, workspace_id).await?;
    // The revision is bumped by the database's triggers, for this path and every other.
    let found: Option<i64> = tx
        .query_scalar("SELECT id FROM workspaces WHERE id = $1")
        .bind(workspace_id)
        .fetch_optional()
        .await?;
    if found.is_none() {
        return Err(Error::NotFound);
    }
    match change {
        EntitlementChange::SetPlan(plan) => {
            tx.query("UPDATE workspaces SET plan_id = $1 WHERE id = $2")
                .bind(plan)
                .bind(workspace_id)
                .execute()
                .await?
        }
        EntitlementChange::AddAddon(addon) => {
            tx.query(
                "INSERT INTO workspace_addons (workspace_id, addon_id) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(workspace_id)
            .bind(addon)
            .execute()
            .await?
        }
        EntitlementChange::RemoveAddon(addon) => {
            tx.query("DELETE FROM workspace_addons WHERE workspace_id = $1 AND addon_id = $2")
                .bind(workspace_id)
                .bind(addon)
                .execute()
                .await?
        }
        EntitlementChange::SetModuleEnabled { module, enabled } => {
            tx.query(
                "INSERT INTO workspace_modules (workspace_id, module_id, enabled) VALUES ($1, $2, $3) \
                 ON CONFLICT (workspace_id, module_id) DO UPDATE SET enabled = excluded.enabled",
            )
            .bind(workspace_id)
            .bind(module)
            .bind(*enabled)
            .execute()
            .await?
        }
    };
    tx.commit().await
}

/// A workspace by id, for background work that has no request to name it.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<Workspace>> {
    let sql = format!("SELECT {COLUMNS} FROM workspaces WHERE id = $1");
    db.query_as(&sql).bind(id).fetch_optional().await
}
