//! `offplan-server audit verify|export` (SPEC R8.3): checks each
//! organisation's hash chain and reports the first broken link; exports a
//! chain as JSON lines that `audit verify --file` checks with nothing but
//! the file, so a customer need not trust the server.

use clap::Subcommand;
use offplan::db::{
    admin::AdminDb,
    audit::verify::{self, OrgReport},
};
use std::{io::Write, path::PathBuf, time::Instant};

use super::BoxError;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check every organisation's chain (or one, or an exported file).
    /// Exits non-zero and names the first broken event when one is found.
    Verify {
        /// Only this organisation (its subdomain).
        #[arg(long)]
        org: Option<String>,
        /// Check an export instead of the database.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Write one organisation's chain as JSON lines.
    Export {
        #[arg(long)]
        org: String,
        #[arg(long)]
        out: PathBuf,
    },
}

/// What the personal-data check covered (R8.5): digests recomputed, parts
/// erased by pseudonymisation, and digests with no data at hand (an export
/// carries no personal data, so there they are all "not checked").
pub fn personal_data(r: &OrgReport) -> String {
    let mut out = format!(
        "{} personal-data digests checked, {} erased",
        r.pii_checked, r.pii_erased
    );
    if r.pii_unchecked > 0 {
        out.push_str(&format!(
            ", {} not checked (the export carries no personal data)",
            r.pii_unchecked
        ));
    }
    out
}

/// Prints one line per organisation; errors when any chain is broken.
pub fn report(reports: &[OrgReport], elapsed: std::time::Duration) -> Result<(), BoxError> {
    let total: u64 = reports.iter().map(|r| r.checked).sum();
    let mut broken = 0;
    for r in reports {
        let name = if r.subdomain.is_empty() {
            r.org_id.to_string()
        } else {
            r.subdomain.clone()
        };
        match &r.broken {
            None => println!(
                "ok      {name}: {} events, chain intact, {}",
                r.checked,
                personal_data(r)
            ),
            Some(b) => {
                broken += 1;
                println!(
                    "BROKEN  {name}: first broken link at seq {} — {} ({} events before it verified)",
                    b.seq, b.reason, r.checked
                );
            }
        }
    }
    let secs = elapsed.as_secs_f64().max(1e-9);
    println!(
        "audit verify: {} organisations, {total} events in {:.2} s ({:.0} events/s)",
        reports.len(),
        secs,
        total as f64 / secs
    );
    if broken > 0 {
        return Err(format!("{broken} broken chain(s)").into());
    }
    Ok(())
}

pub async fn run(
    command: AuditCommand,
    db: impl AsyncFnOnce() -> Result<AdminDb, BoxError>,
) -> Result<(), BoxError> {
    match command {
        AuditCommand::Verify {
            file: Some(path), ..
        } => {
            let started = Instant::now();
            let text = std::fs::read_to_string(&path)?;
            let reports = verify::verify_lines(text.lines().map(str::to_owned))?;
            report(&reports, started.elapsed())
        }
        AuditCommand::Verify { org, file: None } => {
            let db = db().await?;
            let started = Instant::now();
            let reports = verify::verify_database(&db, org.as_deref()).await?;
            db.close().await;
            report(&reports, started.elapsed())
        }
        AuditCommand::Export { org, out } => {
            let db = db().await?;
            let Some((org_id, _)) = verify::orgs(&db, Some(&org)).await?.pop() else {
                return Err(format!("no organisation has the subdomain {org}").into());
            };
            let mut file = std::io::BufWriter::new(std::fs::File::create(&out)?);
            let (mut after, mut n) = (0, 0u64);
            loop {
                let batch = verify::events_after(&db, org_id, after, 20_000).await?;
                let Some(last) = batch.last() else { break };
                after = last.seq;
                for e in &batch {
                    serde_json::to_writer(&mut file, e)?;
                    file.write_all(b"\n")?;
                    n += 1;
                }
            }
            file.flush()?;
            db.close().await;
            println!("wrote {n} events of {org} to {}", out.display());
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(pii_checked: u64, pii_erased: u64, pii_unchecked: u64) -> OrgReport {
        OrgReport {
            org_id: uuid::Uuid::nil(),
            subdomain: "acme".into(),
            checked: 9,
            broken: None,
            pii_checked,
            pii_erased,
            pii_unchecked,
        }
    }

    #[test]
    fn the_output_says_how_many_personal_data_digests_were_checked() {
        assert_eq!(
            personal_data(&report(5, 2, 0)),
            "5 personal-data digests checked, 2 erased"
        );
        assert!(personal_data(&report(0, 0, 4))
            .ends_with("4 not checked (the export carries no personal data)"));
    }
}
