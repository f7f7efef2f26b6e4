//! Changing client records (R1.5): add, edit, archive, restore. Each
//! parses its input into bounded fields (every bad field reported beside
//! itself, `AppError::Invalid`) after the scope is open, then makes one
//! repository call, which authorises (Owner or Admin of a Studio).

use leptos::prelude::*;
use offplan::AppError;

#[cfg(feature = "ssr")]
fn fields(
    name: &str,
    contact_name: &str,
    contact_email: &str,
    notes: &str,
) -> Result<offplan::domain::ClientFields, AppError> {
    offplan::domain::ClientFields::parse(name, contact_name, contact_email, notes)
        .map_err(AppError::Invalid)
}

/// Adds a client; answers its page, where the browser goes next (a form
/// posted without script is sent there too).
#[server(endpoint = "clients/create")]
pub async fn create_client(
    name: String,
    contact_name: String,
    contact_email: String,
    notes: String,
) -> Result<String, AppError> {
    use crate::ssr;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let fields = fields(&name, &contact_name, &contact_email, &notes)?;
    let client = offplan::db::clients::create(&mut scope, &fields).await?;
    scope.commit().await?;
    let url = format!("/clients/{}", client.id);
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// Saves the edit form; answers whether anything changed.
#[server(endpoint = "clients/update")]
pub async fn update_client(
    id: String,
    name: String,
    contact_name: String,
    contact_email: String,
    notes: String,
) -> Result<bool, AppError> {
    use crate::ssr;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let id = super::convert::client_id(&id)?;
    let fields = fields(&name, &contact_name, &contact_email, &notes)?;
    let changed = offplan::db::clients::update(&mut scope, id, &fields).await?;
    scope.commit().await?;
    Ok(changed)
}

#[server(endpoint = "clients/archive")]
pub async fn archive_client(id: String) -> Result<(), AppError> {
    use crate::ssr;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let id = super::convert::client_id(&id)?;
    offplan::db::clients::archive(&mut scope, id).await?;
    Ok(scope.commit().await?)
}

#[server(endpoint = "clients/restore")]
pub async fn restore_client(id: String) -> Result<(), AppError> {
    use crate::ssr;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let id = super::convert::client_id(&id)?;
    offplan::db::clients::restore(&mut scope, id).await?;
    Ok(scope.commit().await?)
}
