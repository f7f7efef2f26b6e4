//! `offplan-server serve` (the default): build the application, say where
//! it listens, and serve until SIGTERM or ctrl-c.

use super::BoxError;
use crate::{
    config::{Config, Environment},
    startup::{shutdown_signal, Application},
};

pub async fn serve(config: Config) -> Result<(), BoxError> {
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
    Ok(())
}
