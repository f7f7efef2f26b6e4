//! `offplan-server`: serves the app, or runs an operator command.

use clap::{Parser, Subcommand};
use offplan::db::admin::AdminDb;
use offplan_server::{
    config::{Config, Environment},
    startup::{shutdown_signal, Application},
    telemetry,
};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "offplan-server",
    version,
    about = "The offplan web server and operator commands"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the app (the default): create and migrate the database if needed.
    Serve,
    /// Create the database if missing and run pending migrations, then exit.
    Migrate,
    /// Migrate, then insert the demo organisations (idempotent).
    Seed,
    /// Report tenant mismatches, orphans, nulls and missing walls (R10.5);
    /// exits non-zero when anything is found.
    IntegrityScan,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    match run(cli.command.unwrap_or(Command::Serve), config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "exiting");
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        Command::Serve => {
            let base = config.base_domain.clone();
            let scheme = config.public_scheme;
            let development = config.environment == Environment::Development;
            let app = Application::build(config).await?;
            let port = app.local_addr().port();
            tracing::info!(addr = %app.local_addr(), "listening");
            println!("offplan is serving on http://{}", app.local_addr());
            println!(
                "  {:<18} {scheme}://{}:{port}/",
                "central app",
                base.central_host()
            );
            if development {
                for org in offplan::db::seed::DEMO_ORGS {
                    println!(
                        "  {:<18} {scheme}://{}.{base}:{port}/",
                        org.name, org.subdomain
                    );
                }
            }
            app.run_until(shutdown_signal()).await?;
        }
        Command::Migrate => {
            AdminDb::connect_and_migrate(&config.db_settings())
                .await?
                .close()
                .await;
            println!("database is migrated");
        }
        Command::Seed => {
            let db = AdminDb::connect_and_migrate(&config.db_settings()).await?;
            offplan::db::seed::demo(&db).await?;
            db.close().await;
            println!("demo data is in place");
        }
        Command::IntegrityScan => {
            let db = AdminDb::connect_and_migrate(&config.db_settings()).await?;
            let findings = db.integrity_scan().await?;
            db.close().await;
            let checks = AdminDb::integrity_check_count();
            if findings.is_empty() {
                println!("integrity scan: {checks} checks, no findings");
            } else {
                for f in &findings {
                    println!("FINDING {} ({}): {}", f.check, f.count, f.detail);
                }
                return Err(format!(
                    "integrity scan: {} of {checks} checks failed",
                    findings.len()
                )
                .into());
            }
        }
    }
    Ok(())
}
