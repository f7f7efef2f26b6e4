//! Buyers over real HTTP (SPEC R1.9, R2.2, R2.5; issue 13): before the
//! data-processing terms are accepted every buyer server function is a 403
//! that names the reason; an Owner accepts them; then a Sales Agent's
//! colleague's buyer is 403 and another organisation's buyer 404, page and
//! server function alike. Two organisations (Northstar, Acme).

use crate::support::TestApp;

const NORTHSTAR: &str = "northstar.offplan.localhost";
const ACME: &str = "acme.offplan.localhost";

fn buyer_form(name: &str) -> Vec<(&str, &str)> {
    vec![
        ("name", name),
        ("email", "ivan@mail.example"),
        ("phone", "+971 50 123 4567"),
        ("notes", "Wants a sea view."),
        ("consent", "on"),
    ]
}

#[tokio::test]
async fn buyer_functions_are_403_with_the_reason_until_the_terms_are_accepted() {
    let app = TestApp::spawn().await;
    let rami = app.sign_in(NORTHSTAR, "rami@northstar.example").await;
    let omar = app.sign_in(NORTHSTAR, "omar@northstar.example").await;

    let res = app
        .post_form(
            NORTHSTAR,
            "/api/buyers/create",
            &buyer_form("Ivan Petrov"),
            Some(&rami),
            &[],
        )
        .await;
    assert_eq!(res.status(), 403);
    let body = res.text().await.unwrap();
    assert!(body.contains("TermsNotAccepted"), "{body}");
    // The list page explains the closed gate instead of failing.
    let res = app
        .post_form(NORTHSTAR, "/api/buyers/load", &[], Some(&rami), &[])
        .await;
    assert_eq!(res.status(), 200);
    let view: serde_json::Value = res.json().await.unwrap();
    assert_eq!(view["gate"]["open"], false);
    assert_eq!(view["gate"]["may_accept"], false);

    // A Sales Agent may not accept; the Owner may.
    let res = app
        .post_form(NORTHSTAR, "/api/buyers/accept-terms", &[], Some(&rami), &[])
        .await;
    assert_eq!(res.status(), 403);
    let res = app
        .post_form(NORTHSTAR, "/api/buyers/accept-terms", &[], Some(&omar), &[])
        .await;
    assert_eq!(res.status(), 200);

    let res = app
        .post_form(
            NORTHSTAR,
            "/api/buyers/create",
            &buyer_form("Ivan Petrov"),
            Some(&rami),
            &[],
        )
        .await;
    assert_eq!(res.status(), 200);
    let url: String = res.json().await.unwrap();
    assert!(url.starts_with("/buyers/"), "{url}");
}

#[tokio::test]
async fn a_colleagues_buyer_is_403_and_another_organisations_is_404() {
    let app = TestApp::spawn().await;
    let omar = app.sign_in(NORTHSTAR, "omar@northstar.example").await;
    let rami = app.sign_in(NORTHSTAR, "rami@northstar.example").await;
    let sara = app.sign_in(NORTHSTAR, "sara@northstar.example").await;
    let ava = app.sign_in(ACME, "ava@acme.example").await;
    let res = app
        .post_form(NORTHSTAR, "/api/buyers/accept-terms", &[], Some(&omar), &[])
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .post_form(
            NORTHSTAR,
            "/api/buyers/create",
            &buyer_form("Ivan Petrov"),
            Some(&rami),
            &[],
        )
        .await;
    let url: String = res.json().await.unwrap();
    let id = url.trim_start_matches("/buyers/").to_owned();

    // R2.2 own buyers: Sara may not read or edit Rami's buyer.
    let res = app
        .post_form(
            NORTHSTAR,
            "/api/buyers/get",
            &[("id", &id)],
            Some(&sara),
            &[],
        )
        .await;
    assert_eq!(res.status(), 403);
    let mut edit = buyer_form("Ivan P.");
    edit.push(("id", &id));
    let res = app
        .post_form(NORTHSTAR, "/api/buyers/update", &edit, Some(&sara), &[])
        .await;
    assert_eq!(res.status(), 403);
    // Their manager may.
    let res = app
        .post_form(
            NORTHSTAR,
            "/api/buyers/get",
            &[("id", &id)],
            Some(&omar),
            &[],
        )
        .await;
    assert_eq!(res.status(), 200);

    // R2.5: Acme's Owner, on Acme's own address, finds no such buyer; on
    // Northstar's address she is nobody. Page and function alike.
    accept_acme(&app, &ava).await;
    let res = app
        .post_form(ACME, "/api/buyers/get", &[("id", &id)], Some(&ava), &[])
        .await;
    assert_eq!(res.status(), 404);
    let res = app
        .post_form(
            NORTHSTAR,
            "/api/buyers/get",
            &[("id", &id)],
            Some(&ava),
            &[],
        )
        .await;
    assert_eq!(res.status(), 404);
    let page = app
        .get_with_cookie(ACME, &format!("/buyers/{id}"), &ava)
        .await;
    assert_eq!(page.status(), 404);
}

async fn accept_acme(app: &TestApp, ava: &str) {
    let res = app
        .post_form(ACME, "/api/buyers/accept-terms", &[], Some(ava), &[])
        .await;
    assert_eq!(res.status(), 200);
}
