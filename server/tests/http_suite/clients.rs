//! Clients over real HTTP (SPEC R1.3, R1.5, R2.5): in another organisation
//! a client is 404, page and server function alike; in your own, a role
//! that may not change clients is 403, and an organisation that is no
//! Studio is 403 for everything; a bad field is a 422 naming the field,
//! and the same form posted without script comes back to its page with the
//! error. Two organisations in each test.

use crate::support::TestApp;
use offplan::AppError;

const ACME: &str = "acme.offplan.localhost";
const LUMEN: &str = "lumen.offplan.localhost";

/// The id of Lumen's seeded client, as the list answers it.
async fn harbourside(app: &TestApp, cookie: &str) -> String {
    let res = app
        .post_form(LUMEN, "/api/clients/load", &[], Some(cookie), &[])
        .await;
    assert_eq!(res.status(), 200);
    let view: serde_json::Value = res.json().await.unwrap();
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

fn form<'a>(name: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("contact_name", "Nina Brandt"),
        ("contact_email", email),
        ("notes", "Line one\nLine two"),
    ]
}

#[tokio::test]
async fn clients_are_404_in_another_organisation_and_403_without_the_right() {
    let app = TestApp::spawn().await;
    let luis = app.sign_in(LUMEN, "luis@lumen.example").await;
    let marta = app.sign_in(LUMEN, "marta@lumen.example").await;
    let ava = app.sign_in(ACME, "ava@acme.example").await;
    let id = harbourside(&app, &luis).await;
    let page = format!("/clients/{id}");

    // R2.5: on Lumen's address Ava is nobody: its client is not found, as
    // a page and through every server function.
    assert_eq!(app.get_with_cookie(LUMEN, &page, &ava).await.status(), 404);
    for (path, args) in [
        ("/api/clients/get", vec![("id", id.as_str())]),
        ("/api/clients/archive", vec![("id", id.as_str())]),
        ("/api/clients/load", vec![]),
    ] {
        let res = app.post_form(LUMEN, path, &args, Some(&ava), &[]).await;
        assert_eq!(res.status(), 404, "{path}");
    }
    let mut update = form("Taken", "x@new.example");
    update.push(("id", &id));
    let res = app
        .post_form(LUMEN, "/api/clients/update", &update, Some(&ava), &[])
        .await;
    assert_eq!(res.status(), 404);

    // R1.3: Acme is a developer, not a studio: 403 in its own space.
    assert_eq!(
        app.get_with_cookie(ACME, "/clients", &ava).await.status(),
        403
    );
    let res = app
        .post_form(ACME, "/api/clients/load", &[], Some(&ava), &[])
        .await;
    assert_eq!(res.status(), 403);

    // A Content Editor of the studio reads the record but may not change it.
    let res = app
        .post_form(LUMEN, "/api/clients/get", &[("id", &id)], Some(&marta), &[])
        .await;
    assert_eq!(res.status(), 200);
    for (path, args) in [
        ("/api/clients/create", form("New Co", "")),
        ("/api/clients/archive", vec![("id", id.as_str())]),
    ] {
        let res = app.post_form(LUMEN, path, &args, Some(&marta), &[]).await;
        assert_eq!(res.status(), 403, "{path}");
    }

    // Unknown ids are the same 404 as another organisation's; signed out, 401.
    for bad in [
        "/clients/00000000-0000-4000-8000-000000000000",
        "/clients/not-an-id",
    ] {
        assert_eq!(
            app.get_with_cookie(LUMEN, bad, &luis).await.status(),
            404,
            "{bad}"
        );
    }
    let res = app
        .post_form(LUMEN, "/api/clients/load", &[], None, &[])
        .await;
    assert_eq!(res.status(), 401);

    // The Owner's own page shows the record.
    let res = app.get_with_cookie(LUMEN, &page, &luis).await;
    assert_eq!(res.status(), 200);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Harbourside Developments"));
}

#[tokio::test]
async fn a_bad_field_is_a_422_naming_it_and_a_plain_form_post_returns_to_the_page() {
    let app = TestApp::spawn().await;
    let luis = app.sign_in(LUMEN, "luis@lumen.example").await;

    let res = app
        .post_form(
            LUMEN,
            "/api/clients/create",
            &form("New Co", "nina@nowhere"),
            Some(&luis),
            &[],
        )
        .await;
    assert_eq!(res.status(), 422);
    let err: AppError = res.json().await.unwrap();
    assert_eq!(
        err.field_message("contact_email"),
        Some("Enter an email address like name@example.com.")
    );
    assert_eq!(err.field_message("name"), None);
    let long = "n".repeat(201);
    let res = app
        .post_form(
            LUMEN,
            "/api/clients/create",
            &form(&long, ""),
            Some(&luis),
            &[],
        )
        .await;
    assert_eq!(res.status(), 422);
    let err: AppError = res.json().await.unwrap();
    assert_eq!(
        err.field_message("name"),
        Some("Keep the company name to 200 characters.")
    );

    // The same form without JavaScript: a refusal goes back to the page it
    // came from with the error, which the page shows beside the field.
    let origin = format!("http://{LUMEN}:{}", app.addr.port());
    let plain = |fields: Vec<(&'static str, &'static str)>| {
        app.client
            .post(format!("http://{}/api/clients/create", app.addr))
            .header("host", format!("{LUMEN}:{}", app.addr.port()))
            .header("origin", &origin)
            .header("referer", format!("{origin}/clients"))
            .header("accept", "text/html")
            .header("cookie", &luis)
            .form(&fields)
            .send()
    };
    let res = plain(form("New Co", "nina@nowhere")).await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let back = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with(&format!("{origin}/clients?")), "{back}");
    let path = back.trim_start_matches(&origin);
    let page = app.get_with_cookie(LUMEN, path, &luis).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("field-contact_email-error"),
        "the error is beside its field"
    );

    // A success goes to the new client's page.
    let res = plain(form("Quayside Living", "nina@quayside.example"))
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/clients/"), "{to}");
    let page = app.get_with_cookie(LUMEN, &to, &luis).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Quayside Living") && html.contains("nina@quayside.example"));
}

/// The `<title>` and a `<textarea>` are written into the server's HTML
/// unescaped by the framework: a client named with markup in it must stay
/// text on its page, in both.
#[tokio::test]
async fn markup_typed_into_a_client_stays_text_on_its_page() {
    let app = TestApp::spawn().await;
    let luis = app.sign_in(LUMEN, "luis@lumen.example").await;
    let ava = app.sign_in(ACME, "ava@acme.example").await;
    let fields = [
        ("name", "A</title><b>x"),
        ("contact_name", ""),
        ("contact_email", ""),
        ("notes", "n</textarea><b>y</b> & co"),
    ];
    let res = app
        .post_form(LUMEN, "/api/clients/create", &fields, Some(&luis), &[])
        .await;
    assert_eq!(res.status(), 200);
    let to: String = res.json().await.unwrap();
    let html = app
        .get_with_cookie(LUMEN, &to, &luis)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<title>A&lt;/title&gt;&lt;b&gt;x · Clients</title>"),
        "{html}"
    );
    assert!(html.contains(">n&lt;/textarea&gt;&lt;b&gt;y&lt;/b&gt; &amp; co</textarea>"));
    assert!(!html.contains("<b>x") && !html.contains("<b>y"));
    // Two organisations: Acme's own pages never show Lumen's client.
    let res = app.get_with_cookie(ACME, &to, &ava).await;
    assert_eq!(res.status(), 403, "Acme is no studio");
    assert!(!res.text().await.unwrap().contains("A&lt;/title"));
}
