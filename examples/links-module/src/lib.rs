//! # portico-example-links
//!
//! A first module, whole — what section 10 of `docs/modules.md` builds: staff share links
//! (the staging site, the brand folder) with one client or with all of them, and contacts
//! find them on a page of their portal. A portal page, an admin page, one table and one
//! migration; the core gates it by plan, probes it for isolation, and checks its schema.
mod handlers;
pub mod store;

use portal_core::prelude::*;

portal_core::module_files!();

pub const ID: &str = "links";

pub const MANIFEST: Manifest = Manifest {
    id: ID,
    name: "Links",
    version: env!("CARGO_PKG_VERSION"),
    features: &[FeatureDecl::new(ID, "Useful links", &[TierDecl::STANDARD])],
    menu_items: &[MenuItem::new("Links", "/links", "link").feature(ID)],
    migrations: MIGRATIONS,
    templates: TEMPLATES,
    ..Manifest::EMPTY
};

pub struct Links;

portal_core::register_module!(Links);

#[async_trait]
impl PortalModule for Links {
    fn manifest(&self) -> &'static Manifest {
        &MANIFEST
    }
    fn portal_routes(&self) -> Routes {
        Routes::new().get("/links", handlers::list)
    }
    fn admin_routes(&self) -> Routes {
        Routes::new()
            .get("/links", handlers::admin_list)
            .post("/links", handlers::add)
            .post("/links/{id}/remove", handlers::remove)
    }
    /// A link for the client: `portico demo` shows it, the isolation probe removes it.
    async fn seed(&self, state: &AppState, ws: i64, client: i64) -> Result<Seeded> {
        let new = store::NewLink {
            title: "Staging site".into(),
            url: "https://staging.example.com/".into(),
            client_id: Some(client),
        };
        let mut tx = ScopedTx::begin_staff_write(&state.db, ws).await?;
        let id = store::add(&mut tx, ws, &new).await?;
        tx.commit().await?;
        Ok(vec![("id", id.to_string())])
    }
}
