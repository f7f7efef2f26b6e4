//! Operator commands' argument checking and output (the database work is
//! in `offplan::db::operator` and `offplan::db::identity::provision`).

use offplan::{
    db::{
        admin::AdminDb,
        identity::{Provision, Provisioned, SignupError},
        operator::PersonReport,
    },
    domain::{ClientTypes, EmailAddress, Subdomain},
};
use std::fmt::Write as _;

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
    match offplan::db::identity::provision(db, &p).await {
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
