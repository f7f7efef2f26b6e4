//! Changing buyers and their links (R1.9, R7.3), and accepting the terms.
//! Each parses its input (every bad field beside itself, `Invalid`) after
//! the scope is open, then makes one repository call, which authorises:
//! the role, the data-processing gate, own buyers for a Sales Agent, the
//! pool rules for the unit.

use leptos::prelude::*;
use offplan::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A link just issued: shown once (the token is in `url`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedView {
    pub link_id: Uuid,
    pub url: String,
    /// The token again, for "Email it to the buyer" (it proves the
    /// sender saw the link).
    pub token: String,
    pub emailed: bool,
    pub buyer_has_email: bool,
    pub replaced: bool,
}

#[cfg(feature = "ssr")]
fn fields(
    name: &str,
    email: &str,
    phone: &str,
    notes: &str,
    consent: &str,
) -> Result<offplan::domain::BuyerFields, AppError> {
    let consent = matches!(consent.trim(), "on" | "true" | "yes" | "1");
    offplan::domain::BuyerFields::parse(name, email, phone, notes, consent)
        .map_err(AppError::Invalid)
}

/// The buyer page's URL on the issuing organisation's subdomain (R7.3).
#[cfg(feature = "ssr")]
fn link_url(
    site: &crate::site::SiteInfo,
    subdomain: &str,
) -> impl Fn(&str, offplan::domain::UnitId, &offplan::token::Token) -> String + Send + Sync {
    let site = site.clone();
    let subdomain = subdomain.to_owned();
    move |slug, unit, token| {
        site.org_url(
            &subdomain,
            &format!("/projects/{slug}/units/{unit}?b={}", token.expose()),
        )
    }
}

/// Records a buyer; answers their page, where the browser goes next.
#[server(endpoint = "buyers/create")]
pub async fn create_buyer(
    name: String,
    #[server(default)] email: String,
    #[server(default)] phone: String,
    #[server(default)] notes: String,
    #[server(default)] consent: String,
) -> Result<String, AppError> {
    use crate::ssr;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let fields = fields(&name, &email, &phone, &notes, &consent)?;
    let buyer = offplan::db::buyers::record(&mut scope, &fields).await?;
    scope.commit().await?;
    let url = format!("/buyers/{}", buyer.id);
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// Saves the edit form; answers whether anything changed.
#[server(endpoint = "buyers/update")]
pub async fn update_buyer(
    id: String,
    name: String,
    #[server(default)] email: String,
    #[server(default)] phone: String,
    #[server(default)] notes: String,
    #[server(default)] consent: String,
) -> Result<bool, AppError> {
    use crate::ssr;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let id = super::convert::buyer_id(&id)?;
    let fields = fields(&name, &email, &phone, &notes, &consent)?;
    let changed = offplan::db::buyers::update(&mut scope, id, &fields).await?;
    scope.commit().await?;
    ssr::redirect_plain_form(&format!("/buyers/{id}"));
    Ok(changed)
}

/// R7.3: issues a link for (buyer, unit), revoking the pair's previous
/// one; with `email` ticked, mails it to the buyer too.
#[server(endpoint = "buyers/issue")]
pub async fn issue_link(
    buyer: String,
    project: String,
    unit: String,
    #[server(default)] days: String,
    #[server(default)] email: String,
) -> Result<IssuedView, AppError> {
    use crate::ssr;
    use offplan::db::buyers::links::{self, LinkLetter};
    let (mut scope, brand, user) = ssr::org_scope().await?;
    let buyer = super::convert::buyer_id(&buyer)?;
    let project = offplan::domain::ProjectId::parse(&project)
        .ok_or_else(|| AppError::invalid("project", "Choose a project."))?;
    let unit = offplan::domain::UnitId::parse(&unit)
        .ok_or_else(|| AppError::invalid("unit", "Choose a unit."))?;
    let days =
        offplan::domain::ExpiryDays::parse(&days).map_err(|m| AppError::invalid("days", m))?;
    let site = ssr::request_site()?;
    let url = link_url(&site, brand.subdomain.as_str());
    let letter = LinkLetter {
        org_name: &brand.name,
        agent_name: &user.display_name,
        url: &url,
    };
    let send = matches!(email.trim(), "on" | "true" | "yes" | "1");
    let issued = links::issue(&mut scope, buyer, project, unit, days, &letter, send).await?;
    let buyer_has_email = offplan::db::buyers::get(&mut scope, buyer)
        .await?
        .email
        .is_some();
    scope.commit().await?;
    // Without script the page cannot hold the one-time URL: back to the
    // buyer, which says the link was issued (and mailed, if it was).
    ssr::redirect_plain_form(&format!(
        "/buyers/{buyer}?issued={}",
        if issued.emailed { "emailed" } else { "1" }
    ));
    Ok(IssuedView {
        link_id: issued.link.id.as_uuid(),
        token: issued.token.expose().to_owned(),
        url: issued.url,
        emailed: issued.emailed,
        buyer_has_email,
        replaced: issued.replaced.is_some(),
    })
}

/// "Email it to the buyer": mails a link just issued (the token shown
/// once proves it); answers whether mail was queued.
#[server(endpoint = "buyers/email-link")]
pub async fn email_link(link: String, token: String) -> Result<bool, AppError> {
    use crate::ssr;
    use offplan::db::buyers::links::{self, LinkLetter};
    let (mut scope, brand, user) = ssr::org_scope().await?;
    let link = offplan::domain::BuyerLinkId::parse(&link).ok_or(AppError::NotFound)?;
    let token = offplan::token::Token::parse(&token).ok_or(AppError::NotFound)?;
    let site = ssr::request_site()?;
    let url = link_url(&site, brand.subdomain.as_str());
    let letter = LinkLetter {
        org_name: &brand.name,
        agent_name: &user.display_name,
        url: &url,
    };
    let sent = links::email(&mut scope, link, &token, &letter).await?;
    scope.commit().await?;
    Ok(sent)
}

/// Revokes a live link by hand.
#[server(endpoint = "buyers/revoke-link")]
pub async fn revoke_link(buyer: String, link: String) -> Result<bool, AppError> {
    use crate::ssr;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let link = offplan::domain::BuyerLinkId::parse(&link).ok_or(AppError::NotFound)?;
    let revoked = offplan::db::buyers::links::revoke(&mut scope, link).await?;
    scope.commit().await?;
    ssr::redirect_plain_form(&format!("/buyers/{}", buyer.trim()));
    Ok(revoked)
}

/// R1.9: an Owner or Admin accepts the current data-processing terms.
#[server(endpoint = "buyers/accept-terms")]
pub async fn accept_terms() -> Result<bool, AppError> {
    use crate::ssr;
    use offplan::db::buyers::terms;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let accepted = terms::accept(&mut scope, terms::CURRENT_VERSION).await?;
    scope.commit().await?;
    ssr::redirect_plain_form("/settings/data-processing");
    Ok(accepted)
}
