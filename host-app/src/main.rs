//! `portico`: serve, migrate, run the demo, check plans, manage workspaces.
use clap::Parser;

/// Measured with `tests/bench.sh`: see the README's Performance section.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = portico_host::cli::Cli::parse();
    match portico_host::cli::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
