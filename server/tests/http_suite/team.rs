//! Settings → Team and the audit export over real HTTP (SPEC R2.5, R4.7,
//! R8.4): in your own organisation a missing permission is 403; another
//! organisation's people are 404; two organisations in each test.

use crate::support::TestApp;

const ACME: &str = "acme.offplan.localhost";
const LUMEN: &str = "lumen.offplan.localhost";

async fn member_id(app: &TestApp, host: &str, cookie: &str, email: &str) -> String {
    let team: serde_json::Value = app
        .post_form(host, "/api/team/load", &[], Some(cookie), &[])
        .await
        .json()
        .await
        .unwrap();
    team["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == email)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn team_refusals_are_403_in_your_organisation_and_404_in_another() {
    let app = TestApp::spawn().await;
    let ella = app.sign_in(ACME, "ella@acme.example").await;
    let ava = app.sign_in(ACME, "ava@acme.example").await;
    let luis = app.sign_in(LUMEN, "luis@lumen.example").await;

    // R4.7: a Sales Agent has no invite form, and the server refuses anyway.
    let res = app
        .post_form(
            ACME,
            "/api/team/invite",
            &[("emails", "x@new.example"), ("role", "sales_agent")],
            Some(&ella),
            &[],
        )
        .await;
    assert_eq!(res.status(), 403);

    // R2.5: on Lumen's address Ava is nobody; Lumen's people are not found
    // from Acme either.
    let res = app
        .post_form(LUMEN, "/api/team/load", &[], Some(&ava), &[])
        .await;
    assert_eq!(res.status(), 404);
    let marta = member_id(&app, LUMEN, &luis, "marta@lumen.example").await;
    for (path, form) in [
        (
            "/api/team/role",
            vec![("user", marta.as_str()), ("role", "admin")],
        ),
        ("/api/team/remove", vec![("user", marta.as_str())]),
    ] {
        let res = app.post_form(ACME, path, &form, Some(&ava), &[]).await;
        assert_eq!(res.status(), 404, "{path}");
    }

    // Nobody signed in: 401. A bad address: 422, nothing sent.
    let res = app
        .post_form(
            ACME,
            "/api/team/invite",
            &[("emails", "x@new.example"), ("role", "sales_agent")],
            None,
            &[],
        )
        .await;
    assert_eq!(res.status(), 401);
    let res = app
        .post_form(
            ACME,
            "/api/team/invite",
            &[
                ("emails", "x@new.example, not-an-address"),
                ("role", "sales_agent"),
            ],
            Some(&ava),
            &[],
        )
        .await;
    assert_eq!(res.status(), 422);

    // The Owner invites two at once.
    let res = app
        .post_form(
            ACME,
            "/api/team/invite",
            &[
                ("emails", "x@new.example\ny@new.example"),
                ("role", "sales_agent"),
            ],
            Some(&ava),
            &[],
        )
        .await;
    assert_eq!(res.status(), 200);
    let outcomes: serde_json::Value = res.json().await.unwrap();
    assert_eq!(outcomes.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_csv_export_is_for_owner_and_admin_and_is_itself_audited() {
    let app = TestApp::spawn().await;
    let ava = app.sign_in(ACME, "ava@acme.example").await;
    let ella = app.sign_in(ACME, "ella@acme.example").await;
    let luis = app.sign_in(LUMEN, "luis@lumen.example").await;
    let res = app
        .post_form(
            ACME,
            "/api/team/invite",
            &[("emails", "csv@new.example"), ("role", "content_editor")],
            Some(&ava),
            &[],
        )
        .await;
    assert_eq!(res.status(), 200);

    let res = app
        .get_with_cookie(ACME, "/settings/audit/export.csv", &ava)
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("seq,time_utc,actor,action,target,description,ip"));
    assert!(
        csv.contains("Ava Thompson invited csv@new.example as Content Editor"),
        "{csv}"
    );

    assert_eq!(
        app.get_with_cookie(ACME, "/settings/audit/export.csv", &ella)
            .await
            .status(),
        403
    );
    assert_eq!(
        app.get_with_cookie(ACME, "/settings/audit/export.csv", &luis)
            .await
            .status(),
        404
    );
    // Lumen's own export does not contain Acme's events.
    let lumen_csv = app
        .get_with_cookie(LUMEN, "/settings/audit/export.csv", &luis)
        .await
        .text()
        .await
        .unwrap();
    assert!(!lumen_csv.contains("csv@new.example"));

    // The export was recorded.
    let again = app
        .get_with_cookie(
            ACME,
            "/settings/audit/export.csv?action=audit.exported",
            &ava,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(again.contains("Ava Thompson exported"), "{again}");
}

/// R5.5: token lookups are limited per address; a malformed token is a 404
/// like an unknown one.
#[tokio::test]
async fn invitation_lookups_are_rate_limited_per_address() {
    let app = TestApp::spawn_with(&[("TOKEN_LIMIT_PER_IP", "3")]).await;
    let token = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    for _ in 0..3 {
        let res = app
            .post_form(ACME, "/api/invite/load", &[("token", token)], None, &[])
            .await;
        assert_eq!(res.status(), 404);
    }
    let res = app
        .post_form(ACME, "/api/invite/load", &[("token", token)], None, &[])
        .await;
    assert_eq!(res.status(), 429);
}
