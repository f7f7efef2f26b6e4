//! The command line: `offplan-server [serve]` serves the app; the other
//! subcommands are operator commands, one file per group. The database work
//! they do is in `offplan::db`; here are their arguments and output.

mod audit;
mod integrity_scan;
mod migrate;
mod operator;
mod seed;
mod seed_images;
mod serve;

pub use audit::AuditCommand;
pub use operator::{
    check_checklist, provision, render_report, LookupArgs, ProvisionArgs, TotpResetArgs,
    TransferOwnershipArgs, CHECKLIST,
};
pub use seed::SeedBenchArgs;

use crate::config::Config;
use clap::{Parser, Subcommand};

/// What a command failed with: printed, and the process exits non-zero.
pub type BoxError = Box<dyn std::error::Error>;

#[derive(Parser)]
#[command(
    name = "offplan-server",
    version,
    about = "The offplan web server and operator commands"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
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
    Provision(ProvisionArgs),
    /// Show a person's accounts, memberships, sessions and recent security
    /// events (R8.6). Every lookup is recorded.
    Lookup(LookupArgs),
    /// Hand a departed Owner's organisation to one of its Admins (R4.6),
    /// after the identity-verification checklist; the old Owner becomes an
    /// Admin. Recorded in the organisation's audit log.
    TransferOwnership(TransferOwnershipArgs),
    /// Benchmark data (issue 5): the `bench` organisation with MEMBERS
    /// people and EVENTS audit events. Development machines only.
    SeedBench(SeedBenchArgs),
    /// The audit log's hash chains (R8.3): verify, export.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Reset a lost second factor after verifying the person's identity
    /// (R3.6). Every checklist item must be confirmed; they are recorded
    /// in the audit log.
    TotpReset(TotpResetArgs),
}

/// Runs one command to completion.
pub async fn run(command: Command, config: Config) -> Result<(), BoxError> {
    match command {
        Command::Serve => serve::serve(config).await,
        Command::Migrate => migrate::migrate(&config).await,
        Command::Seed => seed::seed(&config).await,
        Command::SeedBench(args) => seed::seed_bench(&config, args).await,
        Command::IntegrityScan => integrity_scan::run(&config).await,
        Command::Provision(args) => operator::run_provision(&config, args).await,
        Command::Lookup(args) => operator::lookup(&config, args).await,
        Command::TotpReset(args) => operator::totp_reset(&config, args).await,
        Command::TransferOwnership(args) => operator::transfer_ownership(&config, args).await,
        Command::Audit(command) => {
            let settings = config.db_settings();
            audit::run(command, async move || {
                Ok(offplan::db::admin::AdminDb::connect_and_migrate(&settings).await?)
            })
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "offplan-server",
            "transfer-ownership",
            "--org",
            "acme",
            "--to-email",
            "ben@acme.example",
            "--operator",
            "ops",
            "--confirm",
            "email-control",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::TransferOwnership(TransferOwnershipArgs { ref org, .. })) if org == "acme"
        ));
    }
}
