//! Tenancy, the bottom of the domain: the workspace a piece of work is for (`Tenant`), who
//! asks (`PortalUser`, `StaffUser`), the wall around a client's data (`ClientScope`), where a
//! request came from (`SessionMeta`) and the one-time secrets that prove a session. Nothing
//! here knows about HTTP: the web layer reads these from requests and hands them down.
mod identity;
mod origin;
mod scope;
mod tenant;
mod tenants;
pub(crate) mod tokens;

pub use identity::{PortalUser, Role, StaffUser};
pub use origin::SessionMeta;
pub use scope::ClientScope;
pub(crate) use tenant::is_local;
pub use tenant::Tenant;
pub use tenants::Tenants;
