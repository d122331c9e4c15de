//! Tenants for work no request names (daily digests, demo data, the CLI): what turning a
//! workspace id into a [`Tenant`] reads, borrowed from whoever holds it.
use crate::db::Db;
use crate::entitlements::EntitlementCache;
use crate::error::Result;
use crate::module::Declarations;
use crate::plans::PlanCatalogue;
use crate::tenancy::Tenant;
use crate::workspace;

#[derive(Clone, Copy)]
pub struct Tenants<'a> {
    pub db: &'a Db,
    pub catalogue: &'a PlanCatalogue,
    pub registry: &'a Declarations,
    pub entitlements: &'a EntitlementCache,
}

impl Tenants<'_> {
    /// The workspace as a tenant on its own host, so links have no `/w/{slug}` prefix; `None`
    /// when there is no such workspace.
    pub async fn of_workspace(&self, workspace_id: i64) -> Result<Option<Tenant>> {
        let Some(workspace) = workspace::by_id(self.db, workspace_id).await? else {
            return Ok(None);
        };
        let entitlements = self
            .entitlements
            .get(self.db, self.catalogue, self.registry, &workspace)
            .await?;
        Ok(Some(Tenant {
            workspace,
            entitlements,
            base_path: String::new(),
        }))
    }
}
