//! `portico demo`: a fresh database with three workspaces — one per plan — and
//! development-only sign-in links.
//!
//! The sign-in links exist only here: the route that honours them is added to the router by
//! this function alone, and the tokens live only in this process's memory. No configuration
//! enables them, and `portico serve` cannot.
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use anyhow::Context;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use portal_core::branding::{BrandingTier, Settings, SettingsChange};
use portal_core::clients;
use portal_core::tenancy::Tenant;
use portal_core::web::session::{self, new_token, ClientAddr, SessionMeta};
use portal_core::{AppState, Error, Portal};

use crate::config::Config;

/// Who a development sign-in link signs in.
#[derive(Clone, Copy, Debug)]
pub enum DevIdentity {
    Contact {
        workspace_id: i64,
        contact_id: i64,
    },
    Staff {
        workspace_id: i64,
        staff_user_id: i64,
    },
}

/// Tokens of this run, in memory only.
#[derive(Clone, Default)]
pub struct DevSignIn {
    tokens: Arc<RwLock<HashMap<String, DevIdentity>>>,
}

impl DevSignIn {
    pub fn issue(&self, who: DevIdentity) -> String {
        let (token, _) = new_token();
        if let Ok(mut map) = self.tokens.write() {
            map.insert(token.clone(), who);
        }
        token
    }

    fn get(&self, token: &str) -> Option<DevIdentity> {
        self.tokens.read().ok()?.get(token).copied()
    }

    pub fn portal_routes(&self) -> Router<AppState> {
        Router::new()
            .route("/dev-sign-in/{token}", get(portal_sign_in))
            .layer(Extension(self.clone()))
    }

    pub fn admin_routes(&self) -> Router<AppState> {
        Router::new()
            .route("/dev-sign-in/{token}", get(staff_sign_in))
            .layer(Extension(self.clone()))
    }
}

async fn portal_sign_in(
    State(state): State<AppState>,
    Extension(links): Extension<DevSignIn>,
    Extension(tenant): Extension<Arc<Tenant>>,
    headers: axum::http::HeaderMap,
    addr: ClientAddr,
    Path(token): Path<String>,
) -> Result<Response, Error> {
    match links.get(&token) {
        Some(DevIdentity::Contact {
            workspace_id,
            contact_id,
        }) if workspace_id == tenant.workspace.id => {
            let cookie = session::start_portal_session(
                &state,
                &tenant,
                contact_id,
                &SessionMeta::from_request(&headers, addr.0),
            )
            .await?;
            Ok((
                [(header::SET_COOKIE, cookie)],
                Redirect::to(&tenant.link("/portal/")),
            )
                .into_response())
        }
        _ => Err(Error::NotFound),
    }
}

async fn staff_sign_in(
    State(state): State<AppState>,
    Extension(links): Extension<DevSignIn>,
    Extension(tenant): Extension<Arc<Tenant>>,
    headers: axum::http::HeaderMap,
    addr: ClientAddr,
    Path(token): Path<String>,
) -> Result<Response, Error> {
    match links.get(&token) {
        Some(DevIdentity::Staff {
            workspace_id,
            staff_user_id,
        }) if workspace_id == tenant.workspace.id => {
            let cookie = session::start_staff_session(
                &state,
                &tenant,
                staff_user_id,
                &SessionMeta::from_request(&headers, addr.0),
            )
            .await?;
            Ok((
                [(header::SET_COOKIE, cookie)],
                Redirect::to(&tenant.link("/admin/")),
            )
                .into_response())
        }
        _ => Err(Error::NotFound),
    }
}

/// Builds a portal with the development sign-in routes. Used by `portico demo` and tests.
pub async fn build_demo_portal(
    config: &Config,
    db: portal_core::db::Db,
    links: &DevSignIn,
) -> anyhow::Result<Portal> {
    let registry = crate::registry()?;
    let catalogue = crate::catalogue(config, &registry)?;
    Ok(Portal::builder(db, catalogue, registry)
        .config(config.portal_config()?)
        .portal_routes(links.portal_routes())
        .admin_routes(links.admin_routes())
        .build()
        .await?)
}

/// The demo's data, as printed: one line per sign-in link.
#[derive(Debug, Clone)]
pub struct DemoLink {
    pub workspace: String,
    pub label: String,
    pub path: String,
}

pub async fn run(mut config: Config) -> anyhow::Result<()> {
    if std::env::var_os("DATABASE_URL").is_none() {
        // The demo never touches the real database: its own file, fresh every run.
        std::fs::create_dir_all(&config.data_dir)?;
        let file = config.data_dir.join("demo.db");
        for suffix in ["", "-wal", "-shm"] {
            let path = format!("{}{suffix}", file.display());
            if std::path::Path::new(&path).exists() {
                std::fs::remove_file(&path).with_context(|| format!("cannot remove {path}"))?;
            }
        }
        config.database_url = format!("sqlite://{}", file.display());
    }
    let db = crate::connect(&config).await?;
    let links = DevSignIn::default();
    let portal = build_demo_portal(&config, db, &links).await?;
    let printed = seed(portal.state(), &links).await?;

    let host = if config.bind.ip().is_unspecified() || config.bind.ip().is_loopback() {
        format!("localhost:{}", config.bind.port())
    } else {
        config.bind.to_string()
    };
    println!("\nPortico demo — development sign-in links (valid while this process runs):\n");
    println!("Contacts and staff can also sign in at /w/{{slug}}/portal/sign-in and /w/{{slug}}/admin/sign-in\nwith their email and the password `{DEMO_PASSWORD}`.\n");
    let mut current = String::new();
    for link in &printed {
        if link.workspace != current {
            println!("{}", link.workspace);
            current = link.workspace.clone();
        }
        println!("  {:<48} http://{host}{}", link.label, link.path);
    }
    let mail = match &config.smtp_url {
        Some(_) => "to the SMTP server in PORTICO_SMTP_URL".to_string(),
        None => format!(
            "as .eml files to {}",
            config.data_dir.join("mail").display()
        ),
    };
    println!("\nEmails (invitations, sign-in links, password resets) are delivered {mail}.");
    println!("Staff invite contacts from Admin → Clients.\n");
    crate::serve(&config, &portal).await
}

/// The password of every demo contact (the demo only; printed at start-up).
pub const DEMO_PASSWORD: &str = "portico-demo";

/// A demo client and its contacts: (email, name, role preset).
type DemoClient = (
    &'static str,
    &'static [(&'static str, &'static str, &'static str)],
);

struct DemoWorkspace {
    slug: &'static str,
    name: &'static str,
    plan: &'static str,
    accent: &'static str,
    /// Welcome message, support email and email sender: white-label plans only.
    words: Option<(&'static str, &'static str, &'static str)>,
    staff: (&'static str, &'static str),
    clients: &'static [DemoClient],
    domain: Option<&'static str>,
}

const WORKSPACES: &[DemoWorkspace] = &[
    DemoWorkspace {
        slug: "northwind",
        name: "Northwind Studio",
        plan: "starter",
        accent: "#0f766e",
        words: None,
        staff: ("nora@northwind.example", "Nora North"),
        clients: &[
            (
                "Acme Bakery",
                &[
                    ("ada@acme.example", "Ada Park", "client_admin"),
                    ("ben@acme.example", "Ben Ortiz", "client_finance"),
                ],
            ),
            (
                "Blue Harbor Hotels",
                &[("cleo@blueharbor.example", "Cleo Tan", "client_admin")],
            ),
        ],
        domain: None,
    },
    DemoWorkspace {
        slug: "brightpath",
        name: "Brightpath Digital",
        plan: "growth",
        accent: "#b45309",
        words: Some((
            "Welcome to your Brightpath project space.\nHere you can follow each project week by week, review designs and find every file we have shared with you.",
            "hello@brightpath.example",
            "Brightpath Digital Team",
        )),
        staff: ("bo@brightpath.example", "Bo Bright"),
        clients: &[
            (
                "Cedar Health",
                &[
                    ("dana@cedar.example", "Dana Wells", "client_admin"),
                    ("eli@cedar.example", "Eli Moss", "client_viewer"),
                ],
            ),
            (
                "Delta Outdoor",
                &[("fay@delta.example", "Fay Lund", "client_admin")],
            ),
        ],
        domain: None,
    },
    DemoWorkspace {
        slug: "summit",
        name: "Summit Creative",
        plan: "scale",
        accent: "#7c3aed",
        words: Some((
            "Good to have you here.\nEverything we make together lives in this portal: progress, approvals, invoices and files. Questions are always welcome — just write to us.",
            "studio@summit.example",
            "Summit Creative",
        )),
        staff: ("sam@summit.example", "Sam Summit"),
        clients: &[
            (
                "Evergreen Foods",
                &[("gus@evergreen.example", "Gus Hale", "client_admin")],
            ),
            (
                "Fjord Shipping",
                &[
                    ("hana@fjord.example", "Hana Berg", "client_admin"),
                    ("ivo@fjord.example", "Ivo Dahl", "client_viewer"),
                ],
            ),
        ],
        domain: Some("portal.summit.example"),
    },
];

/// Seeds the demo data and issues a sign-in link per contact and staff user. Demo
/// workspaces left by an earlier run (on a PostgreSQL `DATABASE_URL`) are replaced.
pub async fn seed(state: &AppState, links: &DevSignIn) -> anyhow::Result<Vec<DemoLink>> {
    let db = &state.db;
    let mut out = Vec::new();
    // Every demo contact and staff owner can also sign in with this password.
    let password_hash = state.passwords.hash(DEMO_PASSWORD).await?;
    for w in WORKSPACES {
        let heading = format!("{} — plan {} (/w/{}/portal/)", w.name, w.plan, w.slug);
        if let Some(old) = portal_core::workspace::by_slug(db, w.slug).await? {
            tracing::info!(
                slug = w.slug,
                "replacing the demo workspace from an earlier run"
            );
            portal_core::workspace::delete(db, old.id).await?;
        }
        let workspace_id = portal_core::workspace::create(db, w.slug, w.name, w.plan).await?;
        let change = SettingsChange {
            accent_color: Some(w.accent.into()),
            welcome_message: w.words.map(|(welcome, _, _)| welcome.into()),
            support_email: w.words.map(|(_, support, _)| support.into()),
            sender_name: w.words.map(|(_, _, sender)| sender.into()),
            ..Default::default()
        };
        let created = portal_core::workspace::by_slug(db, w.slug)
            .await?
            .context("the demo workspace just created is missing")?;
        let (settings, _) = Settings::of(&created).apply(&change, BrandingTier::Full)?;
        portal_core::branding::save(db, workspace_id, &settings).await?;
        if let Some(domain) = w.domain {
            clients::add_domain(db, workspace_id, domain, true).await?;
        }
        let staff_id =
            clients::create_staff_user(db, workspace_id, w.staff.0, w.staff.1, "owner").await?;
        clients::set_staff_password(db, staff_id, &password_hash).await?;
        let token = links.issue(DevIdentity::Staff {
            workspace_id,
            staff_user_id: staff_id,
        });
        out.push(DemoLink {
            workspace: heading.clone(),
            label: format!("staff: {} (owner)", w.staff.1),
            path: format!("/w/{}/admin/dev-sign-in/{token}", w.slug),
        });
        let api_token = session::create_api_token(db, workspace_id, staff_id, "demo", 365).await?;
        out.push(DemoLink {
            workspace: heading.clone(),
            label: format!("API: Authorization: Bearer {api_token}"),
            path: format!("/w/{}/api/projects", w.slug),
        });
        for (client_name, contacts) in w.clients.iter() {
            let client_id = clients::create_client(db, workspace_id, client_name).await?;
            let mut seeded = Vec::new();
            for m in state.registry.modules() {
                seeded.push((m.id(), m.seed(state, workspace_id, client_id).await?));
            }
            for (email, name, preset) in contacts.iter() {
                let contact_id =
                    clients::create_contact(db, workspace_id, client_id, email, name).await?;
                let perms = clients::preset_permissions(&state.registry, preset);
                clients::set_permissions(db, contact_id, &perms).await?;
                clients::set_contact_password(db, contact_id, &password_hash).await?;
                let token = links.issue(DevIdentity::Contact {
                    workspace_id,
                    contact_id,
                });
                out.push(DemoLink {
                    workspace: heading.clone(),
                    label: format!("{name} ({client_name}, {preset})"),
                    path: format!("/w/{}/portal/dev-sign-in/{token}", w.slug),
                });
            }
            first_news(state, workspace_id, client_id, &seeded).await?;
        }
    }
    Ok(out)
}

/// A first few notifications for the demo's contacts, sent the way the modules send them,
/// about the records the projects module seeded.
async fn first_news(
    state: &AppState,
    workspace_id: i64,
    client_id: i64,
    seeded: &[(&str, Vec<(&str, String)>)],
) -> anyhow::Result<()> {
    use portal_core::notifications::{self, Notice, Recipients};
    let Some((_, params)) = seeded.iter().find(|(m, _)| *m == "projects") else {
        return Ok(());
    };
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (project, task) = (param("id"), param("task"));
    // The projects module's record name, written out: the demo builds without it too.
    let about = project.parse::<i64>().ok();
    let tenant = state
        .tenants()
        .of_workspace(workspace_id)
        .await?
        .context("the demo workspace just created is missing")?;
    let news = [
        Notice {
            kind: "task_done",
            title: "Done: Sitemap and navigation".into(),
            body: "In Website redesign.".into(),
            link: format!("/projects/{project}"),
            source: None,
            about: about.map(|id| ("project", id)),
        },
        Notice {
            kind: "reply",
            title: "Your team replied on Homepage design".into(),
            body: "Desktop and mobile mock-ups are attached to this task.".into(),
            link: format!("/projects/{project}/tasks/{task}"),
            source: None,
            about: about.map(|id| ("project", id)),
        },
    ];
    let mut tx = portal_core::db::ScopedTx::begin_staff_write(&state.db, workspace_id).await?;
    for notice in &news {
        notifications::notify(
            &state.notifier,
            &tenant,
            &mut tx,
            client_id,
            &Recipients::Client,
            notice,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
