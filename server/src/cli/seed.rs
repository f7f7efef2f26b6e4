//! `offplan-server seed` (the demo organisations) and `seed-bench` (the
//! benchmark organisation, issue 5). Both migrate first.

use super::BoxError;
use crate::config::Config;
use offplan::db::admin::AdminDb;

/// `seed-bench`: how big the `bench` organisation is.
#[derive(Debug, clap::Args)]
pub struct SeedBenchArgs {
    #[arg(long, default_value_t = 500)]
    pub members: i64,
    #[arg(long, default_value_t = 1_000_000)]
    pub events: i64,
}

pub async fn seed(config: &Config) -> Result<(), BoxError> {
    let db = AdminDb::connect_and_migrate(&config.db_settings()).await?;
    offplan::db::seed::demo(&db).await?;
    offplan::db::seed::demo_activity(&db).await?;
    offplan::db::seed::demo_showcase(&db).await?;
    super::seed_images::seed_images(config, &db).await?;
    offplan::db::seed::demo_passwords(&db, &offplan::db::seed::demo_password_hash().await?).await?;
    db.close().await;
    println!(
        "demo data is in place (demo people sign in with {:?})",
        offplan::db::seed::DEMO_PASSWORD
    );
    Ok(())
}

pub async fn seed_bench(
    config: &Config,
    SeedBenchArgs { members, events }: SeedBenchArgs,
) -> Result<(), BoxError> {
    let db = AdminDb::connect_and_migrate(&config.db_settings()).await?;
    let phc = offplan::db::seed::demo_password_hash().await?;
    let n = offplan::db::seed::bench_org(&db, members, events, &phc).await?;
    db.close().await;
    println!("bench organisation: {members} members, {n} audit events");
    Ok(())
}
