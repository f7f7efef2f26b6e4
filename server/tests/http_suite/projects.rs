//! Projects over real HTTP (SPEC R1.6, R1.7, R2.5, R6.1, R7.1): a missing
//! permission is 403 in your own organisation, another organisation's
//! project is 404 on its address, a partner reaches it at its own
//! `/with/<owner>/<slug>`, and a renamed slug answers with a 301. Three
//! organisations: Acme owns Marina Heights; Northstar (agency) and Lumen
//! (studio) are its partners in the demo data.

use crate::support::TestApp;

const ACME: &str = "acme.offplan.localhost";
const NORTHSTAR: &str = "northstar.offplan.localhost";
const LUMEN: &str = "lumen.offplan.localhost";
const DEMO: &str = offplan::db::seed::DEMO_PROJECT_SLUG;

fn field_error<'a>(body: &'a serde_json::Value, field: &str) -> Option<&'a str> {
    body["Invalid"]
        .as_array()?
        .iter()
        .find(|e| e["field"] == field)?["message"]
        .as_str()
}

#[tokio::test]
async fn project_pages_are_403_without_the_role_and_404_across_organisations() {
    let app = TestApp::spawn().await;
    let ella = app.sign_in(ACME, "ella@acme.example").await;
    let rami = app.sign_in(NORTHSTAR, "rami@northstar.example").await;
    let home = format!("/projects/{DEMO}");
    let settings = format!("{home}/settings");

    // Signed out: asked to sign in, whatever the slug (nothing leaks).
    for path in [home.as_str(), "/projects/no-such-project"] {
        assert_eq!(app.get(ACME, path).await.status(), 401, "{path}");
    }
    // A Sales Agent sees the project, not its settings (R2.2).
    assert_eq!(app.get_with_cookie(ACME, &home, &ella).await.status(), 200);
    assert_eq!(
        app.get_with_cookie(ACME, &settings, &ella).await.status(),
        403
    );
    let res = app
        .post_form(ACME, "/api/projects/new", &[], Some(&ella), &[])
        .await;
    assert_eq!(res.status(), 403);
    // A partner's agent on the owner's address is not a member: 404 (R2.5) …
    assert_eq!(app.get_with_cookie(ACME, &home, &rami).await.status(), 404);
    let res = app
        .post_form(
            ACME,
            "/api/projects/own",
            &[("slug", DEMO)],
            Some(&rami),
            &[],
        )
        .await;
    assert_eq!(res.status(), 404);
    // … and works on it in Northstar's own workspace (R1.7).
    let partner = format!("/with/acme/{DEMO}");
    let page = app.get_with_cookie(NORTHSTAR, &partner, &rami).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Marina Heights"), "{html}");
    assert!(html.contains("Acme Homes"), "the owner is named: {html}");
    // Another organisation's address for it names nothing.
    assert_eq!(
        app.get_with_cookie(NORTHSTAR, &format!("/with/lumen/{DEMO}"), &rami)
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn a_partner_admin_may_not_change_the_owners_project() {
    let app = TestApp::spawn().await;
    let luis = app.sign_in(LUMEN, "luis@lumen.example").await;
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
    // Lumen's Owner is a partner: the project is visible to Lumen, so its
    // changes are refused with 403 on Lumen's address, 404 on Acme's.
    for (host, status) in [(LUMEN, 403), (ACME, 404)] {
        let res = app
            .post_form(
                host,
                "/api/projects/stock-mode",
                &[("id", id.as_str()), ("mode", "open")],
                Some(&luis),
                &[],
            )
            .await;
        assert_eq!(res.status(), status, "stock mode on {host}");
        let res = app
            .post_form(
                host,
                "/api/projects/settings",
                &[
                    ("id", id.as_str()),
                    ("name", "Mine now"),
                    ("slug", "mine"),
                    ("status", "active"),
                ],
                Some(&luis),
                &[],
            )
            .await;
        assert_eq!(res.status(), status, "settings on {host}");
    }
}

#[tokio::test]
async fn bad_input_is_a_field_error_and_a_renamed_slug_is_a_permanent_redirect() {
    let app = TestApp::spawn().await;
    let ben = app.sign_in(ACME, "ben@acme.example").await;
    let create = |name: &'static str, slug: &'static str| {
        let ben = ben.clone();
        let app = &app;
        async move {
            app.post_form(
                ACME,
                "/api/projects/create",
                &[("name", name), ("slug", slug), ("status", "draft")],
                Some(&ben),
                &[],
            )
            .await
        }
    };
    let res = create("Quay", "Quay Side!").await;
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        field_error(&body, "slug").unwrap().contains("lower-case"),
        "{body}"
    );
    let res = create("Quay", "new").await;
    assert_eq!(res.status(), 422, "`new` is the form's own address");
    let res = create(" ", "quay").await;
    assert_eq!(res.status(), 422);

    // An empty slug is made from the name.
    let res = create("Quay Side", "").await;
    assert_eq!(res.status(), 200);
    let url: String = res.json().await.unwrap();
    assert!(url.ends_with("/projects/quay-side"), "{url}");
    let res = create("Quay Side again", "quay-side").await;
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        field_error(&body, "slug").unwrap().contains("already used"),
        "{body}"
    );

    let loaded: serde_json::Value = app
        .post_form(
            ACME,
            "/api/projects/own",
            &[("slug", "quay-side")],
            Some(&ben),
            &[],
        )
        .await
        .json()
        .await
        .unwrap();
    let id = loaded["Found"]["id"].as_str().unwrap().to_owned();
    let res = app
        .post_form(
            ACME,
            "/api/projects/settings",
            &[
                ("id", id.as_str()),
                ("name", "Quay Side"),
                ("slug", "the-quay"),
                ("status", "active"),
            ],
            Some(&ben),
            &[],
        )
        .await;
    assert_eq!(res.status(), 200);
    let old = app.get_with_cookie(ACME, "/projects/quay-side", &ben).await;
    assert_eq!(old.status(), 301);
    assert_eq!(old.headers()["location"], "/projects/the-quay");
    let old = app
        .get_with_cookie(ACME, "/projects/quay-side/settings", &ben)
        .await;
    assert_eq!(old.status(), 301);
    assert_eq!(old.headers()["location"], "/projects/the-quay/settings");
    assert_eq!(
        app.get_with_cookie(ACME, "/projects/the-quay", &ben)
            .await
            .status(),
        200
    );
}
