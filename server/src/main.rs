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
    /// Create an organisation for a billing customer (R3.1). Idempotent:
    /// a second run for the same provider and customer id changes nothing.
    Provision(offplan_server::operator::ProvisionArgs),
    /// Show a person's accounts, memberships, sessions and recent security
    /// events (R8.6). Every lookup is recorded.
    Lookup {
        #[arg(long)]
        email: String,
        /// Who is looking (recorded).
        #[arg(long, value_parser = recorded_text)]
        operator: String,
        /// Why (recorded), e.g. a support ticket.
        #[arg(long, value_parser = recorded_text)]
        reason: String,
    },
    /// Hand a departed Owner's organisation to one of its Admins (R4.6),
    /// after the identity-verification checklist; the old Owner becomes an
    /// Admin. Recorded in the organisation's audit log.
    TransferOwnership {
        /// The organisation's subdomain.
        #[arg(long)]
        org: String,
        /// The Admin who becomes Owner.
        #[arg(long)]
        to_email: String,
        #[arg(long, value_parser = recorded_text)]
        operator: String,
        /// Confirm each item of the identity checklist (see docs/operations.md).
        #[arg(long = "confirm", value_parser = clap::builder::PossibleValuesParser::new(offplan_server::operator::CHECKLIST))]
        confirmed: Vec<String>,
    },
    /// Benchmark data (issue 5): the `bench` organisation with MEMBERS
    /// people and EVENTS audit events. Development machines only.
    SeedBench {
        #[arg(long, default_value_t = 500)]
        members: i64,
        #[arg(long, default_value_t = 1_000_000)]
        events: i64,
    },
    /// The audit log's hash chains (R8.3): verify, export.
    #[command(subcommand)]
    Audit(offplan_server::audit_cli::AuditCommand),
    /// Reset a lost second factor after verifying the person's identity
    /// (R3.6). Every checklist item must be confirmed; they are recorded
    /// in the audit log.
    TotpReset {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = recorded_text)]
        operator: String,
        /// Confirm each item of the identity checklist (see docs/operations.md).
        #[arg(long = "confirm", value_parser = clap::builder::PossibleValuesParser::new(offplan_server::operator::CHECKLIST))]
        confirmed: Vec<String>,
    },
}

/// What an operator types that goes into audit metadata: printable, at
/// most 200 characters (issue 10: bounded before anything is written).
fn recorded_text(value: &str) -> Result<String, String> {
    offplan::domain::bounded_text(value, 200, "this value").map_err(|e| e.to_string())
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
            offplan::db::seed::demo_passwords(&db, &offplan::db::seed::demo_password_hash().await?)
                .await?;
            db.close().await;
            println!(
                "demo data is in place (demo people sign in with {:?})",
                offplan::db::seed::DEMO_PASSWORD
            );
        }
        Command::Provision(args) => {
            let db = AdminDb::connect_and_migrate(&config.db_settings()).await?;
            let outcome = offplan_server::operator::provision(&db, args).await;
            db.close().await;
            println!("{}", outcome?);
        }
        Command::Lookup {
            email,
            operator,
            reason,
        } => {
            let db = AdminDb::connect_and_migrate(&config.db_settings()).await?;
            let report = offplan::db::operator::lookup(&db, &email, &operator, &reason).await?;
            db.close().await;
            match report {
                Some(r) => print!("{}", offplan_server::operator::render_report(&r)),
                None => return Err(format!("no account uses {email}").into()),
            }
        }
        Command::TotpReset {
            email,
            operator,
            confirmed,
        } => {
            offplan_server::operator::check_checklist(&confirmed)?;
            let db = AdminDb::connect_and_migrate(&config.db_settings()).await?;
            let done =
                offplan::db::operator::reset_totp(&db, &email, &operator, &confirmed).await?;
            db.close().await;
            if !done {
                return Err(format!("no account uses {email}").into());
            }
            println!("two-step verification is off for {email}; every session ended; recorded in the audit log");
        }
        Command::TransferOwnership {
            org,
            to_email,
            operator,
            confirmed,
        } => {
            use offplan::db::operator::AssistedTransfer;
            offplan_server::operator::check_checklist(&confirmed)?;
            let db = AdminDb::connect_and_migrate(&config.db_settings()).await?;
            let outcome = offplan::db::operator::transfer_ownership(
                &db, &org, &to_email, &operator, &confirmed,
            )
            .await?;
            db.close().await;
            match outcome {
                AssistedTransfer::Done { previous_owner } => println!(
                    "{to_email} now owns {org}; {previous_owner} is an Admin; recorded in the audit log"
                ),
                AssistedTransfer::NoSuchOrganisation => {
                    return Err(format!("no organisation has the subdomain {org}").into())
                }
                AssistedTransfer::NotAMember => {
                    return Err(format!("{to_email} is not an active member of {org}").into())
                }
                AssistedTransfer::Refused(why) => return Err(format!("refused: {why}").into()),
            }
        }
        Command::SeedBench { members, events } => {
            let db = AdminDb::connect_and_migrate(&config.db_settings()).await?;
            let phc = offplan::db::seed::demo_password_hash().await?;
            let n = offplan::db::seed::bench_org(&db, members, events, &phc).await?;
            db.close().await;
            println!("bench organisation: {members} members, {n} audit events");
        }
        Command::Audit(command) => {
            let settings = config.db_settings();
            offplan_server::audit_cli::run(command, async move || {
                Ok(AdminDb::connect_and_migrate(&settings).await?)
            })
            .await?;
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
