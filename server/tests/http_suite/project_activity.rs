//! Project Settings → Activity log over real HTTP (SPEC R8.4, R2.2, R2.5):
//! the page renders the project's events for the owner's Admin (and its
//! Content Editor, who reaches it from the project's home), filters by GET
//! without script, is 403 for a Sales Agent and 404 for a member of another
//! organisation. Acme owns Marina Heights; Northstar and Lumen partner it.

use crate::support::TestApp;

const ACME: &str = "acme.offplan.localhost";
const LUMEN: &str = "lumen.offplan.localhost";
const DEMO: &str = offplan::db::seed::DEMO_PROJECT_SLUG;

#[tokio::test]
async fn the_activity_log_renders_for_the_owners_roles_and_is_404_across_organisations() {
    let app = TestApp::spawn().await;
    let ben = app.sign_in(ACME, "ben@acme.example").await;
    let dan = app.sign_in(ACME, "dan@acme.example").await;
    let ella = app.sign_in(ACME, "ella@acme.example").await;
    let luis = app.sign_in(LUMEN, "luis@lumen.example").await;
    let home = format!("/projects/{DEMO}");
    let activity = format!("{home}/settings/activity");

    // Something to show: Ben opens the project's stock mode.
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
    let res = app
        .post_form(
            ACME,
            "/api/projects/stock-mode",
            &[("id", id.as_str()), ("mode", "open")],
            Some(&ben),
            &[],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());

    let page = app.get_with_cookie(ACME, &activity, &ben).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Ben Carter switched Marina Heights from Closed pool to Open"),
        "{html}"
    );
    assert!(html.contains(r#"method="GET""#) || html.contains(r#"method="get""#));
    // Project Settings links to it for the Admin.
    let settings = app
        .get_with_cookie(ACME, &format!("{home}/settings"), &ben)
        .await
        .text()
        .await
        .unwrap();
    assert!(settings.contains(&activity), "{settings}");

    // A filter in the query string (what the GET form sends): nothing
    // of another action, and a date before the event.
    let none = app
        .get_with_cookie(
            ACME,
            &format!("{activity}?action=project.updated&from=&to="),
            &ben,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(!none.contains("switched Marina Heights"), "{none}");
    assert!(none.contains("Nothing matches these filters."));
    // A malformed filter is said on the page, with a way out (as on the
    // organisation's log), never a 500.
    let bad = app
        .get_with_cookie(ACME, &format!("{activity}?from=yesterday"), &ben)
        .await;
    assert_eq!(bad.status(), 200);
    let bad = bad.text().await.unwrap();
    assert!(bad.contains("Use a date like 2026-11-22."), "{bad}");
    assert!(bad.contains("Clear the filters"), "{bad}");

    // A Content Editor may see it (R2.2) and finds it from the home page.
    assert_eq!(
        app.get_with_cookie(ACME, &activity, &dan).await.status(),
        200
    );
    let dans_home = app
        .get_with_cookie(ACME, &home, &dan)
        .await
        .text()
        .await
        .unwrap();
    assert!(dans_home.contains(&activity), "{dans_home}");
    // A Sales Agent may not, and is not offered it.
    assert_eq!(
        app.get_with_cookie(ACME, &activity, &ella).await.status(),
        403
    );
    let ellas_home = app
        .get_with_cookie(ACME, &home, &ella)
        .await
        .text()
        .await
        .unwrap();
    assert!(!ellas_home.contains(&activity));

    // Another organisation's member — here a partner's Owner — gets the
    // neutral 404, on the owner's address and through the function.
    assert_eq!(
        app.get_with_cookie(ACME, &activity, &luis).await.status(),
        404
    );
    let res = app
        .post_form(
            ACME,
            "/api/projects/activity",
            &[("slug", DEMO)],
            Some(&luis),
            &[],
        )
        .await;
    assert_eq!(res.status(), 404);
    // On its own address the owner's slug names none of its projects.
    assert_eq!(
        app.get_with_cookie(LUMEN, &activity, &luis).await.status(),
        404
    );
}
