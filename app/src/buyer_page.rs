//! The buyer's page (SPEC R7.3, R7.4; issue 13 item 5): one unit in its
//! project's presentation, opened from a link on a phone, with no account.
//!
//! It is a document of its own, rendered on the server and complete
//! without JavaScript: no hydration, no script at all (so its policy can
//! say `script-src 'none'`), one stylesheet, the organisation's colour in a
//! nonce'd `<style>`, images from the media origin only (R3.4). The server
//! (`server/src/buyer_page.rs`) finds the link and sets the headers; this
//! module only turns what the repository answered into HTML.

use crate::ui::html_text;
use leptos::prelude::*;
use offplan::{
    db::units::UnitStatus,
    db::unscoped::buyer_page::{Agent, BuyerLink, BuyerPage, Ended, Image},
    domain::{money::format_price, OrgBrand},
};

/// What the document needs besides the link's answer.
pub struct Frame<'a> {
    pub brand: &'a OrgBrand,
    /// The stylesheet's address (content-hashed in a release build).
    pub stylesheet: &'a str,
    /// `MEDIA_BASE_URL`, where every image comes from.
    pub media_base: &'a str,
    /// This response's CSP nonce, for the brand `<style>`.
    pub nonce: &'a str,
}

/// The whole HTML document for `link`, and a bad or rate-limited request's.
pub fn render(frame: &Frame<'_>, outcome: &Outcome) -> String {
    let (title, body) = match outcome {
        Outcome::Link(BuyerLink::Live(page)) => (
            format!("{} · {}", page.unit.code, page.project_name),
            unit_page(frame, page).into_any(),
        ),
        Outcome::Link(BuyerLink::Ended { why, agent }) => (
            "Ask for a new link".to_owned(),
            ended(*why, agent).into_any(),
        ),
        Outcome::Link(BuyerLink::Unknown) => {
            ("This link doesn't work".to_owned(), unknown().into_any())
        }
        Outcome::TooMany => ("Please wait a moment".to_owned(), too_many().into_any()),
    };
    document(frame, title, body)
}

/// What the server answers a buyer-page request with.
pub enum Outcome {
    Link(BuyerLink),
    /// Too many link lookups from this address (R5.5).
    TooMany,
}

fn document(frame: &Frame<'_>, title: String, body: AnyView) -> String {
    let brand = frame.brand;
    let css = format!(
        ":root{{--brand:{};--brand-contrast:{}}}",
        brand.colour.as_str(),
        brand.colour.contrast_text()
    );
    let name = brand.name.clone();
    let view = view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // R7.4: never indexed, never followed, no referrer.
                <meta name="robots" content="noindex, nofollow" />
                <meta name="referrer" content="no-referrer" />
                <title>{html_text(format!("{title} · {name}"))}</title>
                <link rel="stylesheet" href=frame.stylesheet.to_owned() />
                <style nonce=frame.nonce.to_owned()>{css}</style>
            </head>
            <body class="buyer">
                <header class="site-header site-header--brand">
                    <span class="site-header__name">{brand.name.clone()}</span>
                </header>
                <main id="main" class="buyer__main">{body}</main>
            </body>
        </html>
    };
    view.to_html()
}

fn media_url(base: &str, image: &Image, thumb: bool) -> String {
    let key = if thumb { &image.thumb_key } else { &image.key };
    offplan::domain::media::url(base, key, &image.content_type)
}

fn picture(
    base: &str,
    image: &Image,
    class: &'static str,
    eager: bool,
    fallback_alt: String,
) -> impl IntoView {
    let alt = image
        .alt
        .clone()
        .filter(|a| !a.trim().is_empty())
        .unwrap_or(fallback_alt);
    view! {
        <img
            class=class
            src=media_url(base, image, false)
            srcset=format!("{} 480w, {} {}w", media_url(base, image, true), media_url(base, image, false), image.width)
            sizes="(min-width: 60rem) 56rem, 100vw"
            width=image.width
            height=image.height
            alt=alt
            loading=if eager { "eager" } else { "lazy" }
            fetchpriority=if eager { "high" } else { "auto" }
            decoding="async"
        />
    }
}

fn status_label(status: UnitStatus) -> (&'static str, &'static str) {
    match status {
        UnitStatus::Available => ("Available", "tag tag--ok"),
        UnitStatus::Reserved => ("Reserved", "tag"),
        UnitStatus::Sold => ("Sold", "tag"),
        UnitStatus::Withdrawn => ("Withdrawn", "tag"),
    }
}

fn month(date: time::Date) -> String {
    format!("{} {}", date.month(), date.year())
}

fn day(at: time::OffsetDateTime) -> String {
    format!("{} {} {}", at.day(), at.month(), at.year())
}

/// Paragraphs of a text field (blank lines separate them).
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

fn unit_page(frame: &Frame<'_>, page: &BuyerPage) -> impl IntoView {
    let base = frame.media_base;
    let unit = &page.unit;
    let (status, status_class) = status_label(unit.status);
    let hero = page
        .hero
        .as_ref()
        .map(|img| picture(base, img, "buyer__hero", true, page.project_name.clone()));
    let facts = [
        unit.price_minor
            .map(|p| ("Price", format_price(p, &unit.currency))),
        unit.bedrooms.map(|b| {
            (
                "Bedrooms",
                if b == 0 {
                    "Studio".to_owned()
                } else {
                    b.to_string()
                },
            )
        }),
        unit.floor.map(|f| ("Floor", f.to_string())),
        unit.area_m2
            .clone()
            .map(|a| ("Area", format!("{} m²", a.trim_end_matches(".00")))),
    ];
    let facts = facts
        .into_iter()
        .flatten()
        .map(|(k, v)| view! { <div class="buyer__fact"><dt>{k}</dt><dd>{v}</dd></div> })
        .collect_view();
    let floor_plan = unit.floor_plan.as_ref().map(|img| {
        view! {
            <figure class="buyer__plan">
                {picture(base, img, "buyer__plan-image", false, format!("Floor plan of unit {}", unit.code))}
                <figcaption>{format!("Floor plan, unit {}", unit.code)}</figcaption>
            </figure>
        }
    });
    let unit_text = unit
        .description
        .as_deref()
        .map(paragraphs)
        .unwrap_or_default()
        .into_iter()
        .map(|p| view! { <p>{p}</p> })
        .collect_view();
    let about = page.description.as_deref().map(|d| {
        let ps = paragraphs(d)
            .into_iter()
            .map(|p| view! { <p>{p}</p> })
            .collect_view();
        view! {
            <section class="buyer__section" aria-labelledby="about">
                <h2 id="about">"About the project"</h2>
                {ps}
            </section>
        }
    });
    let gallery = (!page.gallery.is_empty()).then(|| {
        let items = page
            .gallery
            .iter()
            .enumerate()
            .map(|(i, img)| {
                let alt = format!("{}, image {}", page.project_name, i + 1);
                view! { <li>{picture(base, img, "buyer__gallery-image", false, alt)}</li> }
            })
            .collect_view();
        view! {
            <section class="buyer__section" aria-labelledby="gallery">
                <h2 id="gallery">"Gallery"</h2>
                <ul class="buyer__gallery">{items}</ul>
            </section>
        }
    });
    let place = [
        page.location.clone(),
        page.expected_completion
            .map(|d| format!("Completion expected {}", month(d))),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    view! {
        {hero}
        <div class="buyer__body">
            <p class="buyer__eyebrow">{page.project_name.clone()}</p>
            <h1 class="buyer__title">{format!("Unit {}", unit.code)}</h1>
            {page.headline.clone().map(|h| view! { <p class="buyer__lead">{h}</p> })}
            {(!place.is_empty()).then(|| view! { <p class="buyer__place">{place}</p> })}
            <section class="buyer__card" aria-labelledby="unit-facts">
                <div class="buyer__card-head">
                    <h2 id="unit-facts">"This unit"</h2>
                    <span class=status_class>{status}</span>
                </div>
                <dl class="buyer__facts">{facts}</dl>
                {unit_text}
            </section>
            {floor_plan}
            {contact(&page.agent, Some((&unit.code, &page.project_name)))}
            {about}
            {gallery}
            <p class="buyer__note">
                {format!(
                    "{} sent you this private link; it works until {}. Please don't share it.",
                    page.agent.name,
                    day(page.expires_at)
                )}
            </p>
        </div>
    }
}

/// The agent's name and one way to reach them (a `mailto:` link: works
/// with no script, in any mail app).
fn contact(agent: &Agent, about: Option<(&str, &str)>) -> impl IntoView {
    let subject = match about {
        Some((code, project)) => format!("Unit {code}, {project}"),
        None => "A new link, please".to_owned(),
    };
    let href = format!(
        "mailto:{}?subject={}",
        agent.email,
        percent_encode(&subject)
    );
    let first = agent
        .name
        .split_whitespace()
        .next()
        .unwrap_or(&agent.name)
        .to_owned();
    view! {
        <section class="buyer__contact" aria-labelledby="agent">
            <h2 id="agent" class="buyer__contact-title">"Your agent"</h2>
            <p class="buyer__agent">{agent.name.clone()}</p>
            <a class="button button--brand button--block" href=href>{format!("Email {first}")}</a>
        </section>
    }
}

/// Enough percent-encoding for a `mailto:` subject.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn ended(why: Ended, agent: &Agent) -> impl IntoView {
    let (title, text) = match why {
        Ended::Revoked => (
            "This link has been replaced",
            "Links to a unit work for a while and are replaced when something changes.",
        ),
        Ended::Expired => (
            "This link has expired",
            "Links to a unit work for a limited time, to keep your details private.",
        ),
        Ended::Unavailable => (
            "This unit is no longer offered here",
            "The unit may have been withdrawn or passed to another agency.",
        ),
    };
    view! {
        <div class="buyer__body buyer__body--narrow">
            <h1 class="buyer__title">{title}</h1>
            <p>{text}</p>
            <p><strong>{format!("Ask {} for a new link.", agent.name)}</strong></p>
            {contact(agent, None)}
        </div>
    }
}

fn unknown() -> impl IntoView {
    view! {
        <div class="buyer__body buyer__body--narrow">
            <h1 class="buyer__title">"This link doesn't work"</h1>
            <p>"It may be incomplete, or it may have been replaced by a newer one."</p>
            <p><strong>"Ask your agent for a new link."</strong></p>
        </div>
    }
}

fn too_many() -> impl IntoView {
    view! {
        <div class="buyer__body buyer__body--narrow">
            <h1 class="buyer__title">"Please wait a moment"</h1>
            <p>"There have been many attempts to open links from your connection. Try again in a minute."</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mailto_subject_is_encoded() {
        assert_eq!(percent_encode("Unit A-1, Marina"), "Unit%20A-1%2C%20Marina");
        assert_eq!(paragraphs("a\n\n\n b \n\nc"), vec!["a", "b", "c"]);
    }
}
