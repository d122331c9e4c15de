//! # portico-gallery
//!
//! Files shared with a client: the **Files** tab (search, filter by kind, download) and the
//! **Gallery** of delivered images and video. Staff share files from the core's file manager
//! (`/admin/files`) — one by one or several under a folder name — and unshare at once; a
//! client sees only what was shared with it, never the file manager, never another client's.
//! Files stream from the core's file store (`portal_core::files`), with ranges for video;
//! every download is written to the activity log.
//!
//! Laid out like every module: `lib.rs` declares and registers, `store.rs` holds the queries,
//! `portal.rs` and `admin.rs` the handlers, `migrations/` and `templates/` the rest.
mod admin;
mod portal;
pub mod store;

use portal_core::db::ModuleMigration;
use portal_core::files::upload::{store_bytes, Upload};
use portal_core::module::EmbeddedTemplate;
use portal_core::{
    async_trait, AppState, FeatureDecl, MenuItem, ModuleRegistration, PermissionDecl, PortalModule,
    QuickAction, Result, Routes, TierDecl,
};

pub const ID: &str = "gallery";
pub const FEATURE: &str = "gallery";
pub const CAN_VIEW: &str = "can_view_files";

pub struct Gallery;

portal_core::inventory::submit! {
    ModuleRegistration { id: ID, build: || Box::new(Gallery) }
}

#[async_trait]
impl PortalModule for Gallery {
    fn id(&self) -> &'static str {
        ID
    }
    fn name(&self) -> &'static str {
        "Shared files"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn features(&self) -> &'static [FeatureDecl] {
        &[FeatureDecl {
            key: FEATURE,
            label: "Gallery and shared files",
            tiers: &[TierDecl::STANDARD],
        }]
    }
    fn permissions(&self) -> &'static [PermissionDecl] {
        &[PermissionDecl {
            key: CAN_VIEW,
            label: "See shared files",
            description: "See and download the files and assets the agency shares with the client.",
            presets: &["client_admin", "client_finance", "client_viewer"],
        }]
    }
    fn menu_items(&self) -> &'static [MenuItem] {
        &[
            MenuItem {
                label: "Files",
                path: "/files",
                icon: "file",
                order: 30,
                permission: Some(CAN_VIEW),
                feature: Some(FEATURE),
            },
            MenuItem {
                label: "Gallery",
                path: "/gallery",
                icon: "image",
                order: 31,
                permission: Some(CAN_VIEW),
                feature: Some(FEATURE),
            },
        ]
    }
    fn quick_actions(&self) -> &'static [QuickAction] {
        &[QuickAction {
            key: "files",
            label: "Get Your Files",
            description: "Everything delivered to you, ready to download.",
            path: "/files",
            order: 30,
            permission: Some(CAN_VIEW),
            feature: Some(FEATURE),
        }]
    }
    fn migrations(&self) -> &'static [ModuleMigration] {
        &[ModuleMigration {
            version: 202611232001,
            description: "files shared with clients",
            sqlite: include_str!("../migrations/sqlite/20261123_2001_shared_files.sql"),
            postgres: include_str!("../migrations/postgres/20261123_2001_shared_files.sql"),
        }]
    }
    fn templates(&self) -> &'static [EmbeddedTemplate] {
        &[
            (
                "gallery/files.html",
                include_str!("../templates/files.html"),
            ),
            (
                "gallery/gallery.html",
                include_str!("../templates/gallery.html"),
            ),
            (
                "gallery/admin.html",
                include_str!("../templates/admin.html"),
            ),
        ]
    }
    fn portal_routes(&self) -> Routes {
        Routes::new()
            .get("/files", portal::list)
            .requires(CAN_VIEW)
            .get("/files/{id}", portal::fetch)
            .requires(CAN_VIEW)
            .get("/files/{id}/thumbnail", portal::thumbnail)
            .requires(CAN_VIEW)
            .get("/gallery", portal::gallery)
            .requires(CAN_VIEW)
    }
    fn admin_routes(&self) -> Routes {
        Routes::new()
            .get("/gallery", admin::index)
            .post("/gallery/share", admin::share)
            .post("/gallery/shares/{id}/unshare", admin::unshare)
    }
    /// A delivered PDF and an image (with its thumbnail made) shared with the client; the
    /// image's share is the routes' `{id}`.
    async fn seed(
        &self,
        state: &AppState,
        workspace_id: i64,
        client_id: i64,
    ) -> Result<Vec<(&'static str, String)>> {
        let mut pdf = b"%PDF-1.7\n% Brand guidelines\n".to_vec();
        pdf.extend_from_slice(&[b'.'; 2000]);
        let mut shared = Vec::new();
        for (name, declared, bytes) in [
            ("Brand guidelines.pdf", "application/pdf", pdf),
            ("Colour swatch.png", "image/png", SWATCH.to_vec()),
        ] {
            let up = Upload {
                workspace_id,
                client_id: None,
                name,
                declared: Some(declared),
                uploaded_by: "Portico demo",
                max_bytes: u64::MAX,
                quota: None,
            };
            shared.push(store_bytes(state, &up, bytes).await?.id);
        }
        portal_core::files::thumbnails::make_due(state).await?;
        store::share(
            &state.db,
            workspace_id,
            client_id,
            &shared,
            "Brand",
            "Portico demo",
        )
        .await?;
        let sql = "SELECT id FROM shared_files WHERE client_id = $1 AND file_id = $2";
        let id: i64 = portal_core::with_db!(&state.db, pool => sqlx::query_scalar(sql).bind(client_id).bind(shared[1]).fetch_one(pool).await)?;
        Ok(vec![("id", id.to_string())])
    }
}

/// A small real picture for the demo and the tests' probes.
const SWATCH: &[u8] = include_bytes!("../assets/swatch.png");
