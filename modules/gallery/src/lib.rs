//! # portico-gallery
//!
//! Files shared with a client: the **Files** tab (search, filter by kind and project,
//! download), the **Gallery** of delivered images and video, a preview of each file (the
//! picture, PDF, video or sound in the page, with previous and next), and any selection
//! downloaded as one zip. Staff share files from the core's file manager (`/admin/files`) —
//! one by one or several under a folder name, optionally tied to one of the client's projects
//! — and unshare at once; a client sees only what was shared with it, never the file manager,
//! never another client's, and a contact limited to some projects only their files. Files
//! stream from the core's file store (`portal_core::files`), with ranges for video; every
//! download is written to the activity log. On PostgreSQL a policy on `files` lets a client's
//! scope read the agency's files shared with it, and nothing else of the agency's.
//!
//! Laid out like every module: `lib.rs` declares and registers, `store.rs` holds the queries,
//! `portal.rs` and `admin.rs` the handlers, `migrations/` and `templates/` the rest.
mod admin;
mod api;
mod portal;
pub mod store;

use portal_core::files::upload::{store_bytes, Upload};
use portal_core::prelude::*;

portal_core::module_files!();

pub const ID: &str = "gallery";
pub const FEATURE: &str = "gallery";
pub const CAN_VIEW: &str = "can_view_files";

pub struct Gallery;

/// What this module is and brings, read by the core without running its code.
pub const MANIFEST: Manifest = Manifest {
    id: ID,
    name: "Shared files",
    version: env!("CARGO_PKG_VERSION"),
    // Shares may be tied to a project.
    depends_on: &[portico_projects::ID],
    features: &[FeatureDecl {
        key: FEATURE,
        label: "Gallery and shared files",
        tiers: &[TierDecl::STANDARD],
    }],
    permissions: &[PermissionDecl {
        key: CAN_VIEW,
        label: "See shared files",
        description: "See and download the files and assets the agency shares with the client.",
        presets: &["client_admin", "client_finance", "client_viewer"],
    }],
    menu_items: &[
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
    ],
    quick_actions: &[QuickAction {
        key: "files",
        label: "Get Your Files",
        description: "Everything delivered to you, ready to download.",
        path: "/files",
        order: 30,
        permission: Some(CAN_VIEW),
        feature: Some(FEATURE),
    }],
    migrations: MIGRATIONS,
    templates: TEMPLATES,
    ..Manifest::EMPTY
};

portal_core::register_module!(Gallery);

#[async_trait]
impl PortalModule for Gallery {
    fn manifest(&self) -> &'static Manifest {
        &MANIFEST
    }
    fn portal_routes(&self) -> Routes {
        Routes::new()
            .get("/files", portal::list)
            .requires(CAN_VIEW)
            .get("/files/archive", portal::archive)
            .requires(CAN_VIEW)
            .record_params(&[("file", "id")])
            .get("/files/{id}", portal::fetch)
            .requires(CAN_VIEW)
            .get("/files/{id}/preview", portal::preview)
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
            .record_params(&[
                ("client", "core.client"),
                ("file", "core.file"),
                ("project", "projects.id"),
            ])
            .post("/gallery/shares/{id}/unshare", admin::unshare)
    }
    fn api_routes(&self) -> Routes {
        Routes::new()
            .get("/shares", api::list)
            .post("/shares", api::share)
            .record_params(&[
                ("client_id", "core.client"),
                ("file_ids", "core.file"),
                ("project_id", "projects.id"),
            ])
            .delete("/shares/{share}", api::unshare)
    }
    /// A delivered PDF and an image (with its thumbnail made) shared with the client; the
    /// image's share is the routes' `{id}`, the PDF's the API's `{share}` (so the probes that
    /// unshare one through the admin and the other through the API both find theirs).
    async fn seed(&self, state: &AppState, workspace_id: i64, client_id: i64) -> Result<Seeded> {
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
                cap: None,
                max_bytes: u64::MAX,
                quota: None,
            };
            shared.push(store_bytes(&state.db, &state.files, &up, bytes).await?.id);
        }
        portal_core::files::thumbnails::make_due(&state.db, &state.files).await?;
        let new = store::NewShare {
            client_id,
            files: &shared,
            folder: "Brand",
            project_id: None,
            by: "Portico demo",
        };
        store::share(&state.db, workspace_id, &new).await?;
        let sql = "SELECT id FROM shared_files WHERE client_id = $1 AND file_id = $2";
        let mut ids = Vec::new();
        for file in [shared[1], shared[0]] {
            let id: i64 = state
                .db
                .query_scalar(sql)
                .bind(client_id)
                .bind(file)
                .fetch_one()
                .await?;
            ids.push(id.to_string());
        }
        let [image, pdf] = <[String; 2]>::try_from(ids)
            .map_err(|_| portal_core::Error::Internal("two shares".into()))?;
        Ok(vec![("id", image), ("share", pdf)])
    }
}

/// A small real picture for the demo and the tests' probes.
const SWATCH: &[u8] = include_bytes!("../assets/swatch.png");
