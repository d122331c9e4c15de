//! The host app: demo data and its development-only sign-in links, the operator's CLI,
//! configuration.

use portal_core::workspace;
use portico_host::cli::{workspace_command, WorkspaceCommand};
use portico_host::demo::{seed, DevSignIn};
use portico_host::Config;
use portico_tests::{backends, menu_labels, spawn_app, spawn_app_with, As, Backend, Options};

backends!(
    demo_seeds_three_plans_and_its_links_sign_people_in,
    dev_sign_in_does_not_exist_outside_the_demo,
);

async fn demo_seeds_three_plans_and_its_links_sign_people_in(backend: Backend) {
    let links = DevSignIn::default();
    let app = spawn_app_with(
        &backend,
        Options {
            dev_sign_in: Some(links.clone()),
            ..Default::default()
        },
    )
    .await;
    let printed = seed(&app.state, &links).await.unwrap();

    let plans: Vec<String> = workspace::list(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|w| w.plan_id)
        .collect();
    assert_eq!(plans.len(), 3);
    for plan in ["starter", "growth", "scale"] {
        assert!(plans.iter().any(|p| p == plan), "a workspace on {plan}");
    }

    // Every module's demo records hang on the client's own projects: none appears twice.
    if cfg!(feature = "projects") {
        let projects: Vec<(i64, String, i64)> = app
            .db()
            .query_as(
                "SELECT client_id, name, COUNT(*) FROM projects \
                 GROUP BY client_id, name ORDER BY client_id, name",
            )
            .fetch_all()
            .await
            .unwrap();
        assert!(projects
            .iter()
            .any(|(_, name, _)| name == "Website redesign"));
        let doubles: Vec<_> = projects.iter().filter(|(.., n)| *n > 1).collect();
        assert!(doubles.is_empty(), "projects seeded twice: {doubles:?}");
    }

    let contact_links: Vec<_> = printed
        .iter()
        .filter(|l| l.path.contains("/portal/dev-sign-in/"))
        .collect();
    assert!(contact_links.len() >= 6);
    for link in &contact_links {
        let res = app
            .request_host("GET", None, &link.path, &As::Anonymous)
            .await;
        assert_eq!(res.status, 303, "{}", link.label);
        let cookie = res.headers["set-cookie"].to_str().unwrap().to_string();
        let slug = link.path.split('/').nth(2).unwrap();
        assert!(
            cookie.contains(&format!("Path=/w/{slug}/portal"))
                && cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
        );
        let token = cookie
            .split(';')
            .next()
            .unwrap()
            .trim_start_matches("portico_portal=")
            .to_string();
        let home = app.get(slug, "/portal/", &As::Contact(token)).await;
        assert_eq!(home.status, 200);
        let name = link.label.split(" (").next().unwrap();
        assert!(
            home.body.contains(&format!("Welcome, {name}")),
            "{} signs in as themselves",
            link.label
        );
        if cfg!(feature = "projects") && link.label.contains("client_admin") {
            assert!(menu_labels(&home.body).contains(&"Projects".to_string()));
            assert!(
                home.body.contains("Website redesign")
                    || home.body.contains("Booking site rebuild")
            );
        }
    }
    let staff = printed
        .iter()
        .find(|l| l.path.contains("/admin/dev-sign-in/"))
        .unwrap();
    let res = app
        .request_host("GET", None, &staff.path, &As::Anonymous)
        .await;
    assert_eq!(res.status, 303);
    assert!(res.headers["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Path=/w/northwind/admin"));

    // Demo contacts have the printed password.
    let (id, hash): (i64, Option<String>) = app
        .db()
        .query_as("SELECT id, password_hash FROM contacts ORDER BY id LIMIT 1")
        .fetch_one()
        .await
        .unwrap();
    let ok = app
        .state
        .passwords
        .verify(portico_host::demo::DEMO_PASSWORD, hash.as_deref())
        .await
        .unwrap();
    assert!(ok, "contact {id} has the demo password");

    // A link presented to another workspace, or a made-up one, signs nobody in.
    let foreign = contact_links[0].path.replace("/w/northwind/", "/w/summit/");
    assert_eq!(
        app.request_host("GET", None, &foreign, &As::Anonymous)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("northwind", "/portal/dev-sign-in/0000", &As::Anonymous)
            .await
            .status,
        404
    );
}

async fn dev_sign_in_does_not_exist_outside_the_demo(backend: Backend) {
    let app = spawn_app(&backend).await;
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Client").await;
    let (contact_id, _) = app.contact(ws, client, "c@example.com", &[]).await;
    // Even a token issued by some DevSignIn is worthless to a portal built without it.
    let token = DevSignIn::default().issue(portico_host::demo::DevIdentity::Contact {
        workspace_id: ws,
        contact_id,
    });
    let never = app
        .get("acme", "/portal/no-such-page", &As::Anonymous)
        .await;
    let res = app
        .get(
            "acme",
            &format!("/portal/dev-sign-in/{token}"),
            &As::Anonymous,
        )
        .await;
    assert_eq!((res.status, &res.body), (404, &never.body));
    assert!(
        res.headers.get("set-cookie").is_none(),
        "no session, no cookie at all"
    );
}

fn config_for(url: &str) -> Config {
    let url = url.to_string();
    Config::load(None, move |k| match k {
        "DATABASE_URL" => Some(url.clone()),
        "PORTICO_PLANS_DIR" => Some(portico_tests::plans_dir().display().to_string()),
        _ => None,
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_cli_changes_a_running_portal_on_its_next_request() {
    let app = spawn_app(&Backend::Sqlite).await;
    let ws = app.workspace("acme", "scale").await;
    let client = app.client(ws, "Client").await;
    let (_, contact) = app
        .contact(ws, client, "c@example.com", &app.all_permissions())
        .await;
    let url = match &app.state.db {
        portal_core::db::Db::Sqlite(pool) => {
            let path: String =
                sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                    .fetch_one(pool)
                    .await
                    .unwrap();
            format!("sqlite://{path}")
        }
        portal_core::db::Db::Postgres(_) => unreachable!(),
    };
    let config = config_for(&url);
    let run = |cmd| workspace_command(&config, cmd);

    run(WorkspaceCommand::DisableModule {
        slug: "acme".into(),
        module: "projects".into(),
    })
    .await
    .map(|_| ())
    .or_else(|e| {
        if cfg!(feature = "projects") {
            Err(e)
        } else {
            Ok(())
        }
    })
    .unwrap();
    if cfg!(feature = "projects") {
        assert_eq!(
            app.get("acme", "/portal/projects", &contact).await.status,
            404
        );
        run(WorkspaceCommand::EnableModule {
            slug: "acme".into(),
            module: "projects".into(),
        })
        .await
        .unwrap();
        assert_eq!(
            app.get("acme", "/portal/projects", &contact).await.status,
            200
        );
    }
    if cfg!(feature = "notices") {
        // Scale lacks the example feature in the test catalogue; the CLI's catalogue is the
        // default one, so move plans and watch the menu follow.
        run(WorkspaceCommand::SetPlan {
            slug: "acme".into(),
            plan: "starter".into(),
        })
        .await
        .unwrap();
        assert_eq!(
            app.get("acme", "/portal/notices", &contact).await.status,
            200
        );
        run(WorkspaceCommand::SetPlan {
            slug: "acme".into(),
            plan: "scale".into(),
        })
        .await
        .unwrap();
        assert_eq!(
            app.get("acme", "/portal/notices", &contact).await.status,
            404
        );
    }

    // Mistakes are refused with a message naming what is wrong, and change nothing.
    let err = run(WorkspaceCommand::SetPlan {
        slug: "acme".into(),
        plan: "gold".into(),
    })
    .await
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("unknown plan `gold`"),
        "{err:#}"
    );
    let err = run(WorkspaceCommand::AddAddon {
        slug: "acme".into(),
        addon: "booking".into(),
    })
    .await
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("not available on plan `scale`"),
        "{err:#}"
    );
    for bad in ["Acme", "a.b", "-x", ""] {
        let cmd = WorkspaceCommand::Create {
            slug: bad.into(),
            name: "X".into(),
            plan: "growth".into(),
        };
        let err = run(cmd).await.unwrap_err();
        assert!(
            format!("{err:#}").contains("cannot be a workspace address"),
            "{bad}: {err:#}"
        );
    }
    let err = run(WorkspaceCommand::SetPlan {
        slug: "nope".into(),
        plan: "growth".into(),
    })
    .await
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("no workspace `nope`"),
        "{err:#}"
    );
    let err = run(WorkspaceCommand::DisableModule {
        slug: "acme".into(),
        module: "telepathy".into(),
    })
    .await
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("not linked into this build"),
        "{err:#}"
    );
    assert_eq!(
        workspace::by_slug(app.db(), "acme")
            .await
            .unwrap()
            .unwrap()
            .plan_id,
        "scale"
    );
}

#[test]
fn plans_check_reports_success_and_failure() {
    assert!(portico_host::cli::plans_check(&portico_tests::plans_dir()).unwrap());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gold.toml"), "name = 3").unwrap();
    assert!(!portico_host::cli::plans_check(dir.path()).unwrap());
}

#[test]
fn configuration_has_working_defaults_and_clear_errors() {
    let config = Config::load(None, |_| None).unwrap();
    assert_eq!(config.bind.to_string(), "127.0.0.1:3000");
    assert_eq!(config.database_url, "sqlite://data/portico.db");
    assert_eq!(config.base_domain, "localhost");
    assert!(!config.secure_cookies);

    let env = |k: &str| match k {
        "PORTICO_BIND" => Some("0.0.0.0:8080".to_string()),
        "PORTICO_DATA_DIR" => Some("/srv/portico".to_string()),
        "PORTICO_BASE_DOMAIN" => Some("Portals.Example".to_string()),
        "PORTICO_SECURE_COOKIES" => Some("true".to_string()),
        _ => None,
    };
    let config = Config::load(None, env).unwrap();
    assert_eq!(config.bind.port(), 8080);
    assert_eq!(config.database_url, "sqlite:///srv/portico/portico.db");
    assert_eq!(config.base_domain, "portals.example");
    assert!(config.secure_cookies);

    let err = Config::load(None, |k| {
        (k == "PORTICO_BIND").then(|| "localhost".to_string())
    })
    .unwrap_err();
    assert!(format!("{err:#}").contains("bind address `localhost` is not HOST:PORT"));
    let err = Config::load(None, |k| {
        (k == "PORTICO_SECURE_COOKIES").then(|| "maybe".to_string())
    })
    .unwrap_err();
    assert!(format!("{err:#}").contains("PORTICO_SECURE_COOKIES"));

    // Session lifetimes: defaults of 14 days and 12 idle hours, configurable, checked.
    let key = "ab".repeat(32);
    let portal = Config::load(None, |k| (k == "PORTICO_SECRET_KEY").then(|| key.clone()))
        .unwrap()
        .portal_config()
        .unwrap();
    assert_eq!(
        portal.secret_key,
        portal_core::secrets::SecretKey::from_bytes([0xab; 32])
    );
    assert_eq!(
        (portal.session_ttl_secs, portal.session_idle_secs),
        (14 * 24 * 3600, 12 * 3600)
    );
    let config = Config::load(None, |k| match k {
        "PORTICO_SESSION_HOURS" => Some("8".to_string()),
        "PORTICO_SESSION_IDLE_MINUTES" => Some("30".to_string()),
        "PORTICO_SECRET_KEY" => Some(key.clone()),
        _ => None,
    })
    .unwrap();
    let portal = config.portal_config().unwrap();
    assert_eq!(
        (portal.session_ttl_secs, portal.session_idle_secs),
        (8 * 3600, 30 * 60)
    );
    for (key, value, says) in [
        ("PORTICO_SESSION_HOURS", "forever", "not a whole number"),
        ("PORTICO_SESSION_HOURS", "0", "use 1 to 8784"),
        ("PORTICO_SESSION_IDLE_MINUTES", "1", "use 5 up to"),
    ] {
        let err = Config::load(None, |k| (k == key).then(|| value.to_string())).unwrap_err();
        assert!(format!("{err:#}").contains(says), "{key}={value}: {err:#}");
    }

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("portico.toml");
    std::fs::write(
        &file,
        "bind = \"127.0.0.1:4000\"\nbase_domain = \"file.example\"\n",
    )
    .unwrap();
    let config = Config::load(Some(&file), |k| {
        (k == "PORTICO_BASE_DOMAIN").then(|| "env.example".to_string())
    })
    .unwrap();
    assert_eq!(config.bind.port(), 4000, "from the file");
    assert_eq!(config.base_domain, "env.example", "the environment wins");
    std::fs::write(&file, "bnd = \"x\"\n").unwrap();
    let err = Config::load(Some(&file), |_| None).unwrap_err();
    assert!(format!("{err:#}").contains("bnd"), "{err:#}");

    assert_eq!(
        portico_host::redact("postgres://app:s3cret@db:5432/portico"),
        "postgres://app:***@db:5432/portico"
    );
}

/// Secrets at rest need a key that outlives the process: the configured one, or one made
/// once in the data directory (readable by this user only) and read back after a restart.
#[test]
fn the_secret_key_is_configured_or_kept_in_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data").display().to_string();
    let load = |key: Option<&str>| {
        let data = data.clone();
        let key = key.map(str::to_string);
        Config::load(None, move |k| match k {
            "PORTICO_DATA_DIR" => Some(data.clone()),
            "PORTICO_SECRET_KEY" => key.clone(),
            _ => None,
        })
        .unwrap()
    };
    let first = load(None).secret_key().unwrap();
    let path = dir.path().join("data/secret.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(
        load(None).secret_key().unwrap(),
        first,
        "the same after a restart"
    );
    assert_ne!(first, portal_core::secrets::SecretKey::from_bytes([0; 32]));
    let err = Config::load(None, |k| {
        (k == "PORTICO_SECRET_KEY").then(|| "not hex".to_string())
    })
    .unwrap_err();
    assert!(format!("{err:#}").contains("64 hex digits"));
}
