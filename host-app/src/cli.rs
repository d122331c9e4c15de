//! The command line.
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use portal_core::db::MigrationSet;
use portal_core::plans::PlanCatalogue;
use portal_core::workspace::check_change;
use portal_core::workspace::{self, EntitlementChange};
use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};

#[derive(Parser)]
#[command(
    name = "portico",
    version,
    about = "Portico: client portals for agencies"
)]
pub struct Cli {
    /// Configuration file (default: ./portico.toml if present). Environment variables
    /// (PORTICO_BIND, PORTICO_DATA_DIR, DATABASE_URL, PORTICO_BASE_DOMAIN, PORTICO_PLANS_DIR,
    /// PORTICO_TEMPLATE_DIR, PORTICO_SECURE_COOKIES, PORTICO_LOG_FORMAT) override it.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Migrate the database and serve the portal.
    Serve,
    /// Apply pending migrations (core and linked modules) and exit.
    Migrate {
        /// PostgreSQL: then grant this application role row access to every table (not
        /// ownership, so row-level security applies to it). Serve with that role.
        #[arg(long, value_name = "ROLE")]
        grant_to: Option<String>,
    },
    /// Start from a fresh demo database with three workspaces, print sign-in links, serve.
    Demo,
    /// The plan catalogue.
    Plans {
        #[command(subcommand)]
        command: PlansCommand,
    },
    /// Workspaces: list them, change plans, add-ons and enabled modules.
    Workspace {
        #[command(subcommand)]
        command: WorkspaceCommand,
    },
}

#[derive(Subcommand)]
pub enum PlansCommand {
    /// Validate the catalogue against the modules linked into this build.
    Check {
        /// Catalogue directory (default: the configured plans directory).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum WorkspaceCommand {
    /// List workspaces with their plans, add-ons and disabled modules.
    List,
    /// Create a workspace.
    Create {
        slug: String,
        name: String,
        #[arg(long)]
        plan: String,
    },
    /// Move a workspace to another plan.
    SetPlan { slug: String, plan: String },
    /// Give a workspace an add-on.
    AddAddon { slug: String, addon: String },
    /// Take an add-on away.
    RemoveAddon { slug: String, addon: String },
    /// Enable a linked module for a workspace.
    EnableModule { slug: String, module: String },
    /// Disable a linked module for a workspace (its menu items and routes disappear).
    DisableModule { slug: String, module: String },
}

fn init_logs(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::load(cli.config.as_deref(), |k| std::env::var(k).ok())?;
    match cli.command {
        Command::Serve => {
            init_logs(config.log_format);
            let db = crate::connect(&config).await?;
            let portal = crate::build(&config, db).await?;
            report_startup(portal.state());
            crate::serve(&config, &portal).await?;
        }
        Command::Migrate { grant_to } => {
            init_logs(config.log_format);
            let db = crate::connect(&config).await?;
            let registry = crate::registry()?;
            let mut set = MigrationSet::new();
            for m in registry.modules() {
                set.extend(m.id(), m.migrations());
            }
            set.apply(&db).await?;
            println!(
                "database is up to date ({})",
                crate::redact(&config.database_url)
            );
            if let Some(role) = grant_to {
                portal_core::db::grant_app_role(&db, &role).await?;
                println!("granted row access on every table to role {role}");
            }
        }
        Command::Demo => {
            init_logs(config.log_format);
            crate::demo::run(config).await?;
        }
        Command::Plans {
            command: PlansCommand::Check { dir },
        } => {
            if !plans_check(&dir.unwrap_or(config.plans_dir))? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Workspace { command } => {
            workspace_command(&config, command).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn report_startup(state: &portal_core::AppState) {
    for f in &state.startup_failures {
        tracing::error!(
            module = f.module,
            reason = f.reason,
            also_left_out = ?f.also_left_out,
            "module left out after a failed start-up"
        );
    }
    tracing::info!(modules = ?state.registry.ids(), "modules running");
}

/// Prints the check's findings; `Ok(false)` when the catalogue has errors.
pub fn plans_check(dir: &std::path::Path) -> anyhow::Result<bool> {
    let registry = crate::registry()?;
    println!(
        "checking {} against the linked modules: {}",
        dir.display(),
        registry.ids().join(", ")
    );
    match PlanCatalogue::load(dir, &registry) {
        Ok((catalogue, warnings)) => {
            for w in &warnings {
                println!("warning: {w}");
            }
            for p in catalogue.plans() {
                let grants: Vec<String> =
                    p.grants.iter().map(|(f, t)| format!("{f}={t}")).collect();
                println!("plan {} ({}): {}", p.id, p.name, grants.join(", "));
            }
            for a in catalogue.addons() {
                let grants: Vec<String> =
                    a.grants.iter().map(|(f, t)| format!("{f}={t}")).collect();
                println!("add-on {} ({}): {}", a.id, a.name, grants.join(", "));
            }
            println!(
                "ok: {} plan(s), {} add-on(s), {} warning(s)",
                catalogue.plans().len(),
                catalogue.addons().len(),
                warnings.len()
            );
            Ok(true)
        }
        Err(e) => {
            for w in &e.warnings {
                println!("warning: {w}");
            }
            for err in &e.errors {
                println!("error: {err}");
            }
            println!("failed: {} error(s)", e.errors.len());
            Ok(false)
        }
    }
}

/// Runs a `portico workspace …` command against the configured database.
pub async fn workspace_command(config: &Config, command: WorkspaceCommand) -> anyhow::Result<()> {
    let db = crate::connect(config).await?;
    let registry = crate::registry()?;
    let mut set = MigrationSet::new();
    for m in registry.modules() {
        set.extend(m.id(), m.migrations());
    }
    set.apply(&db).await?;
    let catalogue = crate::catalogue(config, &registry)?;

    let (slug, change) = match command {
        WorkspaceCommand::List => {
            for w in workspace::list(&db).await? {
                let addons = workspace::addons(&db, w.id).await?;
                let disabled = workspace::disabled_modules(&db, w.id).await?;
                println!(
                    "{:<20} {:<28} plan={:<10} add-ons=[{}] disabled-modules=[{}]",
                    w.slug,
                    w.name,
                    w.plan_id,
                    addons.join(","),
                    disabled.join(",")
                );
            }
            return Ok(());
        }
        WorkspaceCommand::Create { slug, name, plan } => {
            if catalogue.plan(&plan).is_none() {
                bail!("unknown plan `{plan}`");
            }
            workspace::create(&db, &slug, &name, &plan)
                .await
                .with_context(|| {
                    format!("cannot create workspace `{slug}` (is the slug taken?)")
                })?;
            println!("created workspace {slug} on plan {plan}");
            return Ok(());
        }
        WorkspaceCommand::SetPlan { slug, plan } => (slug, EntitlementChange::SetPlan(plan)),
        WorkspaceCommand::AddAddon { slug, addon } => (slug, EntitlementChange::AddAddon(addon)),
        WorkspaceCommand::RemoveAddon { slug, addon } => {
            (slug, EntitlementChange::RemoveAddon(addon))
        }
        WorkspaceCommand::EnableModule { slug, module } => (
            slug,
            EntitlementChange::SetModuleEnabled {
                module,
                enabled: true,
            },
        ),
        WorkspaceCommand::DisableModule { slug, module } => (
            slug,
            EntitlementChange::SetModuleEnabled {
                module,
                enabled: false,
            },
        ),
    };
    let Some(ws) = workspace::by_slug(&db, &slug).await? else {
        bail!("no workspace `{slug}` (see `portico workspace list`)");
    };
    check_change(&catalogue, &registry, &ws, &change)?;
    workspace::apply_change(&db, ws.id, &change).await?;
    println!("{slug}: {change:?} applied; running portals see it on the next request");
    Ok(())
}
