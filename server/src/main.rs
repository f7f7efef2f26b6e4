//! `offplan-server`: serves the app, or runs an operator command.

use clap::{Parser, Subcommand};
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
            offplan::db::Db::connect_and_migrate(&config.db_settings()).await?;
            println!("database is migrated");
        }
        Command::Seed => {
            let db = offplan::db::Db::connect_and_migrate(&config.db_settings()).await?;
            offplan::db::seed::demo(&db).await?;
            println!("demo data is in place");
        }
    }
    Ok(())
}
