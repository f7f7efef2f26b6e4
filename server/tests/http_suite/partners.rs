//! Project Settings → Partners and the forward invitation's landing page
//! over real HTTP (SPEC R1.7, R2.2, R2.5, R5.2, R5.4): the owner's Admin
//! sees and invites; a Sales Manager gets 403; a partner's member on the
//! owner's address gets 404; bad input is a message beside the field; an
//! unknown link is the 404 page. Three organisations: Acme owns Marina
//! Heights; Northstar and Lumen are its partners.

use crate::support::TestApp;

const ACME: &str = "acme.offplan.localhost";
const NORTHSTAR: &str = "northstar.offplan.localhost";
const DEMO: &str = offplan::db::seed::DEMO_PROJECT_SLUG;

fn field_error<'a>(body: &'a serde_json::Value, field: &str) -> Option<&'a str> {
    body["Invalid"]
        .as_array()?
        .iter()
        .find(|e| e["field"] == field)?["message"]
        .as_str()
}

#[tokio::test]
async fn the_partners_page_is_the_owners_admins_and_refuses_everyone_else() {
    let app = TestApp::spawn().await;
    let ben = app.sign_in(ACME, "ben@acme.example").await;
    let chloe = app.sign_in(ACME, "chloe@acme.example").await;
    let omar = app.sign_in(NORTHSTAR, "omar@northstar.example").await;
    let path = format!("/projects/{DEMO}/settings/partners");

    let page = app.get_with_cookie(ACME, &path, &ben).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for seen in [
        "Northstar Realty",
        "Lumen Studio",
        "Invite a partner",
        "Units held",
    ] {
        assert!(html.contains(seen), "{seen}: {html}");
    }
    // A Sales Manager toggles stock mode but does not manage partners.
    assert_eq!(app.get_with_cookie(ACME, &path, &chloe).await.status(), 403);
    // A partner's Owner on the owner's address is not a member (R2.5).
    assert_eq!(app.get_with_cookie(ACME, &path, &omar).await.status(), 404);
    let res = app
        .post_form(
            ACME,
            "/api/projects/partners",
            &[("slug", DEMO)],
            Some(&omar),
            &[],
        )
        .await;
    assert_eq!(res.status(), 404);
    // Signed out: asked to sign in.
    assert_eq!(app.get(ACME, &path).await.status(), 401);
}

#[tokio::test]
async fn inviting_says_what_is_wrong_beside_the_field_and_lists_what_was_sent() {
    let app = TestApp::spawn().await;
    let ben = app.sign_in(ACME, "ben@acme.example").await;
    let loaded: serde_json::Value = app
        .post_form(
            ACME,
            "/api/projects/own",
            &[("slug", DEMO)],
            Some(&ben),
            &[],
        )
        .await
        .json()
        .await
        .unwrap();
    let id = loaded["Found"]["id"].as_str().unwrap().to_owned();
    let invite = |to: &'static str, kind: &'static str| {
        let (app, ben, id) = (&app, ben.clone(), id.clone());
        async move {
            app.post_form(
                ACME,
                "/api/projects/partners/invite",
                &[("id", id.as_str()), ("to", to), ("kind", kind)],
                Some(&ben),
                &[],
            )
            .await
        }
    };
    for (to, kind, field, says) in [
        ("", "agency", "to", "Enter an email"),
        (
            "not an address!",
            "agency",
            "to",
            "organisation's offplan address",
        ),
        ("nowhere", "agency", "to", "No organisation on offplan"),
        ("northstar", "agency", "to", "already a partner"),
        (
            "acme.offplan.localhost",
            "agency",
            "to",
            "your organisation's own",
        ),
        (
            "someone@new.example",
            "developer",
            "kind",
            "studio or agency",
        ),
    ] {
        let res = invite(to, kind).await;
        assert_eq!(res.status(), 422, "{to}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert!(
            field_error(&body, field).is_some_and(|m| m.contains(says)),
            "{to}: {body}"
        );
    }
    let res = invite("nina@new-agency.example", "agency").await;
    assert_eq!(res.status(), 200);
    let said: String = res.json().await.unwrap();
    assert!(
        said.contains("Invitation sent to nina@new-agency.example"),
        "{said}"
    );
    let page = app
        .get_with_cookie(ACME, &format!("/projects/{DEMO}/settings/partners"), &ben)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("nina@new-agency.example"), "{page}");
}

#[tokio::test]
async fn an_unknown_or_malformed_partner_link_is_the_calm_404() {
    let app = TestApp::spawn().await;
    for token in ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "nope"] {
        let page = app.get(ACME, &format!("/partner-invite/{token}")).await;
        assert_eq!(page.status(), 404, "{token}");
        let html = page.text().await.unwrap();
        assert!(html.contains("This invitation link isn"), "{html}");
    }
}

#[tokio::test]
async fn removing_a_partner_shows_its_set_aside_units_in_the_workspace() {
    let app = TestApp::spawn().await;
    let ben = app.sign_in(ACME, "ben@acme.example").await;
    let rami = app.sign_in(NORTHSTAR, "rami@northstar.example").await;
    let loaded: serde_json::Value = app
        .post_form(
            ACME,
            "/api/projects/partners",
            &[("slug", DEMO)],
            Some(&ben),
            &[],
        )
        .await
        .json()
        .await
        .unwrap();
    let found = &loaded["Found"];
    let id = found["project_id"].as_str().unwrap().to_owned();
    let northstar = found["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["subdomain"] == "northstar")
        .unwrap()["org_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .post_form(
            ACME,
            "/api/projects/partners/remove",
            &[("id", id.as_str()), ("partner", northstar.as_str())],
            Some(&ben),
            &[],
        )
        .await;
    assert_eq!(res.status(), 200);
    let n: i64 = res.json().await.unwrap();
    assert_eq!(n, 11);
    let home = app
        .get_with_cookie(ACME, "/", &ben)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("11 units set aside when a partner was removed"),
        "{home}"
    );
    // Northstar's agent: the project is gone from its workspace at once.
    let partner = format!("/with/acme/{DEMO}");
    assert_eq!(
        app.get_with_cookie(NORTHSTAR, &partner, &rami)
            .await
            .status(),
        404
    );
}
