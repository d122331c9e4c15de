//! # portico-host
//!
//! The reference platform, built from `portal-core` exactly as any integrator would: read the
//! configuration, connect, load the plan catalogue against the linked modules, build the
//! portal, serve its router. The test suite drives this crate as a library, so what it tests
//! is what `portico serve` runs.
pub mod cli;
pub mod config;
pub mod demo;
mod modules;

use anyhow::Context;
use portal_core::db::Db;
use portal_core::plans::PlanCatalogue;
use portal_core::ModuleRegistry;
use portal_core::Portal;

pub use config::Config;

/// The modules linked into this build, validated and ordered.
pub fn registry() -> anyhow::Result<ModuleRegistry> {
    ModuleRegistry::linked().context("the linked modules cannot start together")
}

/// Loads the catalogue, logging its warnings.
pub fn catalogue(config: &Config, registry: &ModuleRegistry) -> anyhow::Result<PlanCatalogue> {
    let (catalogue, warnings) = PlanCatalogue::load(&config.plans_dir, registry)?;
    for w in warnings {
        tracing::warn!("plan catalogue: {w}");
    }
    Ok(catalogue)
}

pub async fn connect(config: &Config) -> anyhow::Result<Db> {
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                config.data_dir.display()
            )
        })?;
    }
    Db::connect(&config.database_url).await.with_context(|| {
        format!(
            "cannot open the database at {}",
            redact(&config.database_url)
        )
    })
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Builds the portal with the linked modules (migrating the database on the way).
pub async fn build(config: &Config, db: Db) -> anyhow::Result<Portal> {
    let registry = registry()?;
    let catalogue = catalogue(config, &registry)?;
    Ok(Portal::builder(db, catalogue, registry)
        .config(config.portal_config()?)
        .migrate(config.migrate_on_start)
        .build()
        .await?)
}

/// Serves until SIGTERM or Ctrl-C, then finishes in-flight requests and writes what they
/// queued (page views).
pub async fn serve(config: &Config, portal: &Portal) -> anyhow::Result<()> {
    use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
    use tower_http::trace::{DefaultOnResponse, TraceLayer};

    let router = portal
        .router()
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    let path = loggable(req.uri().path());
                    tracing::info_span!("request", id, method = %req.method(), path = %path)
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid));
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    tracing::info!("serving on http://{}", listener.local_addr()?);
    // Peer addresses feed the per-address limits on sign-in.
    let app = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    portal.state().looks.flush().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// A request path as the log may keep it: without the query (an upload form carries its CSRF
/// token there) and with the token of a one-time link or the secret of a calendar feed
/// (`/hooks/booking/calendar/{secret}`, polled every few minutes) replaced — logs are read by
/// more people than should be able to sign in as a contact or read a host's meetings.
fn loggable(path: &str) -> String {
    let mut out = Vec::new();
    let mut secret_next = false;
    for segment in path.split('/') {
        if secret_next && !segment.is_empty() {
            out.push("…");
            secret_next = false;
            continue;
        }
        secret_next = matches!(
            segment,
            "welcome" | "link" | "reset" | "dev-sign-in" | "calendar"
        );
        out.push(segment);
    }
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::loggable;

    #[test]
    fn logs_keep_no_tokens() {
        assert_eq!(
            loggable("/w/acme/portal/welcome/abc123"),
            "/w/acme/portal/welcome/…"
        );
        assert_eq!(loggable("/w/acme/portal/link/abc"), "/w/acme/portal/link/…");
        assert_eq!(loggable("/w/acme/admin/files"), "/w/acme/admin/files");
        assert_eq!(loggable("/w/acme/portal/link"), "/w/acme/portal/link");
        assert_eq!(
            loggable("/w/acme/hooks/booking/calendar/9f8e7d6c5b4a"),
            "/w/acme/hooks/booking/calendar/…"
        );
    }
}
