//! Reverse invitations over real HTTP (SPEC R5.3, R5.4, R5.6): without the
//! legal-basis tick the invitation is a 422 whose message sits beside the
//! box (with and without script); a developer organisation is 403 and
//! another organisation's member 404; the landing page at
//! `<studio>/client-invite/<token>` has a calm page per state and is 404 on
//! any other address or for a token that names nothing.

use crate::support::TestApp;
use offplan::AppError;
use serde_json::Value;

const APP: &str = "app.offplan.localhost";
const ACME: &str = "acme.offplan.localhost";
const LUMEN: &str = "lumen.offplan.localhost";

async fn harbourside(app: &TestApp, cookie: &str) -> String {
    let res = app
        .post_form(LUMEN, "/api/clients/load", &[], Some(cookie), &[])
        .await;
    assert_eq!(res.status(), 200);
    let view: Value = res.json().await.unwrap();
    view["active"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Harbourside Developments")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The token of the newest development-outbox mail to `to`.
async fn token_mailed_to(app: &TestApp, to: &str) -> String {
    for _ in 0..50 {
        let list: Value = app
            .post_form(APP, "/api/dev/outbox", &[], None, &[])
            .await
            .json()
            .await
            .unwrap();
        if let Some(m) = list
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["to"].as_str() == Some(to))
        {
            let link = m["body"]
                .as_str()
                .unwrap()
                .split_whitespace()
                .find(|w| w.contains("/client-invite/"))
                .unwrap_or_else(|| panic!("no link in {m}"))
                .to_owned();
            assert!(link.contains("lumen."), "{link}");
            return link.rsplit('/').next().unwrap().to_owned();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no mail to {to}")
}

async fn invite(app: &TestApp, cookie: &str, id: &str, email: &str) -> reqwest::Response {
    app.post_form(
        LUMEN,
        "/api/clients/invite",
        &[("id", id), ("email", email), ("legal_basis", "on")],
        Some(cookie),
        &[],
    )
    .await
}

#[tokio::test]
async fn without_the_legal_basis_tick_it_is_a_422_beside_the_box() {
    let app = TestApp::spawn().await;
    let luis = app.sign_in(LUMEN, "luis@lumen.example").await;
    let ava = app.sign_in(ACME, "ava@acme.example").await;
    let id = harbourside(&app, &luis).await;
    let untick = [("id", id.as_str()), ("email", "hugo@harbourside.example")];

    let res = app
        .post_form(LUMEN, "/api/clients/invite", &untick, Some(&luis), &[])
        .await;
    assert_eq!(res.status(), 422);
    let err: AppError = res.json().await.unwrap();
    assert_eq!(
        err.field_message("legal_basis"),
        Some("Tick the box to confirm you may contact this person. Nothing was sent.")
    );

    // The same form without script: back to the record, the message beside
    // the box.
    let origin = format!("http://{LUMEN}:{}", app.addr.port());
    let res = app
        .client
        .post(format!("http://{}/api/clients/invite", app.addr))
        .header("host", format!("{LUMEN}:{}", app.addr.port()))
        .header("origin", &origin)
        .header("referer", format!("{origin}/clients/{id}"))
        .header("accept", "text/html")
        .header("cookie", &luis)
        .form(&untick)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let back = res.headers()["location"].to_str().unwrap().to_owned();
    let page = app
        .get_with_cookie(LUMEN, back.trim_start_matches(&origin), &luis)
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("field-legal_basis-error"), "beside the box");
    assert!(html.contains("I confirm that our studio has a legal basis"));

    // A developer organisation is refused in its own space (403); on
    // Lumen's address Ava is nobody (404).
    let res = app
        .post_form(
            ACME,
            "/api/clients/invite",
            &[("id", &id), ("email", "x@y.example"), ("legal_basis", "on")],
            Some(&ava),
            &[],
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = invite(&app, &ava, &id, "x@y.example").await;
    assert_eq!(res.status(), 404);
    let res = app
        .post_form(LUMEN, "/api/clients/invitations", &[], Some(&ava), &[])
        .await;
    assert_eq!(res.status(), 404);

    // With the tick it goes; the funnel counts it beside the seeded one.
    let res = invite(&app, &luis, &id, "hugo@harbourside.example").await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let res = app
        .post_form(LUMEN, "/api/clients/invitations", &[], Some(&luis), &[])
        .await;
    assert_eq!(res.status(), 200);
    let funnel: Value = res.json().await.unwrap();
    assert_eq!(funnel["counts"]["sent"], 2, "{funnel}");
    let page = app
        .get_with_cookie(LUMEN, "/clients/invitations", &luis)
        .await;
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("hugo@harbourside.example"));
}

#[tokio::test]
async fn the_landing_page_has_a_calm_page_per_state() {
    let app = TestApp::spawn().await;
    let luis = app.sign_in(LUMEN, "luis@lumen.example").await;
    let id = harbourside(&app, &luis).await;
    assert_eq!(
        invite(&app, &luis, &id, "hugo@harbourside.example")
            .await
            .status(),
        200
    );
    let token = token_mailed_to(&app, "hugo@harbourside.example").await;
    let path = format!("/client-invite/{token}");

    // Valid: who invited whom, and the sign-up form.
    let page = app.get(LUMEN, &path).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Follow your projects with Lumen Studio"),
        "{html}"
    );
    assert!(html.contains("Harbourside Developments"));
    // Only on the studio's own address; a token naming nothing is a 404.
    assert_eq!(app.get(ACME, &path).await.status(), 404);
    let page = app
        .get(
            LUMEN,
            "/client-invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )
        .await;
    assert_eq!(page.status(), 404);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("This invitation link isn't valid"));
    // The funnel saw it opened.
    let funnel: Value = app
        .post_form(LUMEN, "/api/clients/invitations", &[], Some(&luis), &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(funnel["counts"]["opened"], 1, "{funnel}");

    // Declined: used up, its own page; signing up from it now is a 409.
    let res = app
        .post_form(
            LUMEN,
            "/api/client-invite/decline",
            &[("token", &token)],
            None,
            &[],
        )
        .await;
    assert_eq!(res.status(), 200);
    let page = app.get(LUMEN, &path).await;
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("This invitation was declined"));
    let res = app
        .post_form(
            LUMEN,
            "/api/client-invite/signup",
            &[
                ("token", token.as_str()),
                ("name", "Hugo Harbour"),
                ("password", "copper kettle singing at dawn"),
            ],
            None,
            &[],
        )
        .await;
    assert_eq!(res.status(), 409);
    let err: AppError = res.json().await.unwrap();
    assert_eq!(err.to_string(), "This invitation was declined.");

    // A new person signs up from a fresh invitation: their Free Guest
    // workspace, where Lumen's projects for the client are listed.
    assert_eq!(
        invite(&app, &luis, &id, "bea@harbourside.example")
            .await
            .status(),
        200
    );
    let token = token_mailed_to(&app, "bea@harbourside.example").await;
    let res = app
        .post_form(
            LUMEN,
            "/api/client-invite/signup",
            &[
                ("token", token.as_str()),
                ("name", "Bea Harbour"),
                ("password", "copper kettle singing at dawn"),
            ],
            None,
            &[],
        )
        .await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let url: String = res.json().await.unwrap();
    assert!(
        url.contains("harbourside-developments.offplan.localhost"),
        "{url}"
    );
    // Used: its own page.
    let page = app.get(LUMEN, &format!("/client-invite/{token}")).await;
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("This invitation has already been used"));
    // The client shows it joined.
    let res = app
        .post_form(LUMEN, "/api/clients/get", &[("id", &id)], Some(&luis), &[])
        .await;
    let client: Value = res.json().await.unwrap();
    assert_eq!(
        client["platform"]["Joined"], "Harbourside Developments",
        "{client}"
    );
}
