//! `offplan-server integrity-scan` (R10.5): tenant mismatches, orphans,
//! nulls and missing walls; exits non-zero when anything is found.

use super::BoxError;
use crate::config::Config;
use offplan::db::admin::AdminDb;

pub async fn run(config: &Config) -> Result<(), BoxError> {
    let db = AdminDb::connect_and_migrate(&config.db_settings()).await?;
    let findings = db.integrity_scan().await?;
    db.close().await;
    let checks = AdminDb::integrity_check_count();
    if findings.is_empty() {
        println!("integrity scan: {checks} checks, no findings");
        return Ok(());
    }
    for f in &findings {
        println!("FINDING {} ({}): {}", f.check, f.count, f.detail);
    }
    Err(format!(
        "integrity scan: {} of {checks} checks failed",
        findings.len()
    )
    .into())
}
