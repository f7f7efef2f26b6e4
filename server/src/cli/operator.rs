//! Operator commands — `provision`, `lookup`, `totp-reset`,
//! `transfer-ownership`: their arguments, checking and output (the database
//! work is in `offplan::db::unscoped::operator` and
//! `offplan::db::unscoped::provision`).

use offplan::{
    db::{
        admin::AdminDb,
        unscoped::{operator::PersonReport, Provision, Provisioned, SignupError},
    },
    domain::{ClientTypes, EmailAddress, Subdomain},
};
use std::fmt::Write as _;

use super::BoxError;
use crate::config::Config;

/// The identity-verification checklist for a second-factor reset (R3.6):
/// every item must be confirmed with `--confirm <item>`.
pub const CHECKLIST: &[&str] = &[
    "email-control",
    "org-admin-vouched",
    "photo-id-matched",
    "recent-activity-matched",
];

pub fn check_checklist(confirmed: &[String]) -> Result<(), String> {
    let missing: Vec<&str> = CHECKLIST
        .iter()
        .copied()
        .filter(|item| !confirmed.iter().any(|c| c == item))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the identity checklist is incomplete; also confirm: {}",
            missing.join(", ")
        ))
    }
}

/// What an operator types that goes into audit metadata: printable, at
/// most 200 characters (issue 10: bounded before anything is written).
fn recorded_text(value: &str) -> Result<String, String> {
    offplan::domain::bounded_text(value, 200, "this value").map_err(|e| e.to_string())
}

/// `offplan-server lookup` (R8.6).
#[derive(Debug, clap::Args)]
pub struct LookupArgs {
    #[arg(long)]
    pub email: String,
    /// Who is looking (recorded).
    #[arg(long, value_parser = recorded_text)]
    pub operator: String,
    /// Why (recorded), e.g. a support ticket.
    #[arg(long, value_parser = recorded_text)]
    pub reason: String,
}

/// `offplan-server transfer-ownership` (R4.6).
#[derive(Debug, clap::Args)]
pub struct TransferOwnershipArgs {
    /// The organisation's subdomain.
    #[arg(long)]
    pub org: String,
    /// The Admin who becomes Owner.
    #[arg(long)]
    pub to_email: String,
    #[arg(long, value_parser = recorded_text)]
    pub operator: String,
    /// Confirm each item of the identity checklist (see docs/operations.md).
    #[arg(long = "confirm", value_parser = clap::builder::PossibleValuesParser::new(CHECKLIST))]
    pub confirmed: Vec<String>,
}

/// `offplan-server totp-reset` (R3.6).
#[derive(Debug, clap::Args)]
pub struct TotpResetArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long, value_parser = recorded_text)]
    pub operator: String,
    /// Confirm each item of the identity checklist (see docs/operations.md).
    #[arg(long = "confirm", value_parser = clap::builder::PossibleValuesParser::new(CHECKLIST))]
    pub confirmed: Vec<String>,
}

/// `offplan-server provision` (R3.1).
#[derive(Debug, clap::Args)]
pub struct ProvisionArgs {
    #[arg(long)]
    pub provider: String,
    #[arg(long)]
    pub customer_id: String,
    #[arg(long)]
    pub owner_email: String,
    #[arg(long)]
    pub owner_name: String,
    #[arg(long)]
    pub org_name: String,
    #[arg(long)]
    pub subdomain: String,
    /// ISO 3166-1 alpha-2, e.g. GB.
    #[arg(long)]
    pub country: String,
    /// Comma-separated: developer, studio, agency.
    #[arg(long)]
    pub client_types: String,
}

/// Validates the arguments and provisions (R3.1); the text says what
/// happened.
pub async fn provision(db: &AdminDb, a: ProvisionArgs) -> Result<String, String> {
    let owner_email = EmailAddress::parse(&a.owner_email)
        .map_err(|_| "--owner-email is not an email address".to_owned())?;
    let subdomain = Subdomain::parse(&a.subdomain).map_err(|e| format!("--subdomain: {e}"))?;
    let client_types = ClientTypes::parse(a.client_types.split(',').map(str::trim))
        .map_err(|e| format!("--client-types: {e}"))?;
    let country = a.country.trim().to_ascii_uppercase();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err("--country must be an ISO 3166-1 alpha-2 code such as GB".into());
    }
    let (provider, customer_id) = (
        a.provider.trim().to_owned(),
        a.customer_id.trim().to_owned(),
    );
    if provider.is_empty() || customer_id.is_empty() {
        return Err("--provider and --customer-id must not be empty".into());
    }
    let p = Provision {
        provider,
        customer_id,
        owner_name: a.owner_name.trim().to_owned(),
        owner_email,
        org_name: a.org_name.trim().to_owned(),
        subdomain,
        country,
        client_types,
    };
    match offplan::db::unscoped::provision(db, &p).await {
        Ok(Provisioned::Created { org, owner }) => Ok(format!(
            "created organisation {org} ({}) owned by {} ({owner}); they sign in with a password reset or Google",
            p.subdomain, p.owner_email
        )),
        Ok(Provisioned::AlreadyExists { org, subdomain }) => Ok(format!(
            "already provisioned: organisation {org} ({subdomain}) for {} {}; nothing changed",
            p.provider, p.customer_id
        )),
        Err(SignupError::SubdomainTaken) => Err(format!("the subdomain {} is taken", p.subdomain)),
        Err(e) => Err(e.to_string()),
    }
}

pub fn render_report(r: &PersonReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} <{}>  id {}", r.display_name, r.email, r.id);
    let _ = writeln!(
        out,
        "  created {}  disabled: {}  password: {}  google: {}  totp: {}",
        r.created_at, r.disabled, r.has_password, r.has_google, r.has_totp
    );
    let _ = writeln!(out, "memberships ({}):", r.memberships.len());
    for (name, sub, role, status) in &r.memberships {
        let _ = writeln!(out, "  {name} ({sub})  {role}  {status}");
    }
    let _ = writeln!(out, "live sessions ({}):", r.sessions.len());
    for (created, seen, ip, ua) in &r.sessions {
        let _ = writeln!(
            out,
            "  since {created}  last seen {seen}  {}  {}",
            ip.as_deref().unwrap_or("-"),
            ua.as_deref().unwrap_or("-")
        );
    }
    let _ = writeln!(out, "recent security events ({}):", r.events.len());
    for (at, kind, ip) in &r.events {
        let _ = writeln!(out, "  {at}  {kind}  {}", ip.as_deref().unwrap_or("-"));
    }
    let _ = writeln!(
        out,
        "this lookup is recorded in the audit log of {} organisation(s) and as a security event",
        r.audited_in
    );
    out
}

pub(super) async fn run_provision(config: &Config, args: ProvisionArgs) -> Result<(), BoxError> {
    let db = AdminDb::connect_and_migrate(&config.db_settings()).await?;
    let outcome = provision(&db, args).await;
    db.close().await;
    println!("{}", outcome?);
    Ok(())
}

pub(super) async fn lookup(
    config: &Config,
    LookupArgs {
        email,
        operator,
        reason,
    }: LookupArgs,
) -> Result<(), BoxError> {
    let db = AdminDb::connect_and_migrate(&config.db_settings()).await?;
    let report = offplan::db::unscoped::operator::lookup(&db, &email, &operator, &reason).await?;
    db.close().await;
    match report {
        Some(r) => print!("{}", render_report(&r)),
        None => return Err(format!("no account uses {email}").into()),
    }
    Ok(())
}

pub(super) async fn totp_reset(
    config: &Config,
    TotpResetArgs {
        email,
        operator,
        confirmed,
    }: TotpResetArgs,
) -> Result<(), BoxError> {
    check_checklist(&confirmed)?;
    let db = AdminDb::connect_and_migrate(&config.db_settings()).await?;
    let done =
        offplan::db::unscoped::operator::reset_totp(&db, &email, &operator, &confirmed).await?;
    db.close().await;
    if !done {
        return Err(format!("no account uses {email}").into());
    }
    println!(
        "two-step verification is off for {email}; every session ended; recorded in the audit log"
    );
    Ok(())
}

pub(super) async fn transfer_ownership(
    config: &Config,
    TransferOwnershipArgs {
        org,
        to_email,
        operator,
        confirmed,
    }: TransferOwnershipArgs,
) -> Result<(), BoxError> {
    use offplan::db::unscoped::operator::AssistedTransfer;
    check_checklist(&confirmed)?;
    let db = AdminDb::connect_and_migrate(&config.db_settings()).await?;
    let outcome = offplan::db::unscoped::operator::transfer_ownership(
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checklist_must_be_complete() {
        let all: Vec<String> = CHECKLIST.iter().map(|s| (*s).to_owned()).collect();
        assert!(check_checklist(&all).is_ok());
        let err = check_checklist(&all[1..]).unwrap_err();
        assert!(err.contains("email-control"), "{err}");
    }
}
