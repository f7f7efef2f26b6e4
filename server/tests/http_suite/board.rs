//! The allocation board over real HTTP (SPEC R6.1–R6.4, R2.5; issue 14):
//! the board renders on the server with each row's action; a reservation
//! is a 200, the same idempotency key again answers the same, a second
//! person from the same version is a 409 carrying the typed conflict that
//! names the winner; a manager's override needs a reason and is not an
//! agent's; a studio partner is 403, an agent outside the pool 404. Three organisations: Acme (the owner), Northstar (agency), Lumen
//! (studio).

use crate::support::TestApp;

const NORTHSTAR: &str = "northstar.offplan.localhost";
const ACME: &str = "acme.offplan.localhost";
const LUMEN: &str = "lumen.offplan.localhost";

/// A buyer recorded by the signed-in person; answers its id.
async fn buyer(app: &TestApp, cookie: &str, name: &str) -> String {
    let res = app
        .post_form(
            NORTHSTAR,
            "/api/buyers/create",
            &[
                ("name", name),
                ("email", "buyer@mail.example"),
                ("phone", "+971 50 123 4567"),
                ("notes", "Wants a sea view."),
                ("consent", "on"),
            ],
            Some(cookie),
            &[],
        )
        .await;
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, 200, "{body}");
    let url: String = serde_json::from_str(&body).unwrap();
    url.trim_start_matches("/buyers/").to_owned()
}

fn form(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// A unit's row on the board as `cookie` sees it on `host`.
async fn row(
    app: &TestApp,
    host: &str,
    owner: &str,
    cookie: &str,
    code: &str,
) -> serde_json::Value {
    let res = app
        .post_form(
            host,
            "/api/projects/board",
            &[("owner", owner), ("slug", "marina-heights")],
            Some(cookie),
            &[],
        )
        .await;
    assert_eq!(res.status(), 200);
    let v: serde_json::Value = res.json().await.unwrap();
    v["Found"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .cloned()
        .unwrap_or(serde_json::Value::Null)
}

#[tokio::test]
async fn one_reservation_wins_a_second_is_a_409_naming_it_and_a_retry_answers_the_same() {
    let app = TestApp::spawn().await;
    let omar = app.sign_in(NORTHSTAR, "omar@northstar.example").await;
    let rami = app.sign_in(NORTHSTAR, "rami@northstar.example").await;
    let sara = app.sign_in(NORTHSTAR, "sara@northstar.example").await;
    let res = app
        .post_form(NORTHSTAR, "/api/buyers/accept-terms", &[], Some(&omar), &[])
        .await;
    assert_eq!(res.status(), 200);
    let ravi = buyer(&app, &rami, "Ravi Buyer").await;
    let sami = buyer(&app, &sara, "Sami Buyer").await;

    // Server-rendered: the row and its action are in the HTML.
    let page = app
        .get_with_cookie(NORTHSTAR, "/with/acme/marina-heights/units", &rami)
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"data-unit="A-102""#), "{html}");
    assert!(html.contains("Choose a buyer"), "no reserve control");

    let seen_by_rami = row(&app, NORTHSTAR, "acme", &rami, "A-102").await;
    let seen_by_sara = row(&app, NORTHSTAR, "acme", &sara, "A-102").await;
    assert_eq!(seen_by_rami["can_reserve"], true);
    let version = seen_by_rami["version"].to_string();
    let unit = seen_by_rami["id"].as_str().unwrap().to_owned();
    let project_id = {
        let res = app
            .post_form(
                NORTHSTAR,
                "/api/projects/board",
                &[("owner", "acme"), ("slug", "marina-heights")],
                Some(&rami),
                &[],
            )
            .await;
        let v: serde_json::Value = res.json().await.unwrap();
        v["Found"]["project"]["id"].as_str().unwrap().to_owned()
    };
    let reserve = |buyer: String, key: String| {
        vec![
            ("op".to_owned(), "reserve".to_owned()),
            ("project".to_owned(), project_id.clone()),
            ("unit".to_owned(), unit.clone()),
            ("buyer".to_owned(), buyer),
            ("version".to_owned(), version.clone()),
            ("key".to_owned(), key),
        ]
    };

    let rami_key = seen_by_rami["key"].as_str().unwrap().to_owned();
    let first = reserve(ravi.clone(), rami_key.clone());
    let res = app
        .post_form(
            NORTHSTAR,
            "/api/projects/board/act",
            &form(&first),
            Some(&rami),
            &[],
        )
        .await;
    assert_eq!(res.status(), 200);
    let said: String = res.json().await.unwrap();
    assert_eq!(said, "Unit A-102 reserved.");
    // A retry with the same key (a double click, a dropped answer).
    let res = app
        .post_form(
            NORTHSTAR,
            "/api/projects/board/act",
            &form(&first),
            Some(&rami),
            &[],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<String>().await.unwrap(), "Unit A-102 reserved.");

    // Sara, from the version she saw: the stock conflict, not an error.
    let sara_key = seen_by_sara["key"].as_str().unwrap().to_owned();
    let res = app
        .post_form(
            NORTHSTAR,
            "/api/projects/board/act",
            &form(&reserve(sami.clone(), sara_key)),
            Some(&sara),
            &[],
        )
        .await;
    assert_eq!(res.status(), 409);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("UnitHeld") && body.contains("Rami Aziz"),
        "{body}"
    );
    let now = row(&app, NORTHSTAR, "acme", &sara, "A-102").await;
    assert_eq!(now["status"], "reserved");
    assert_eq!(now["can_reserve"], false);
    assert!(now["reserved"]
        .as_str()
        .unwrap()
        .starts_with("Reserved by Rami Aziz"));

    // The conflict modal's override (R6.3): not an agent's (403); a
    // manager's needs a reason (422, beside the field), then ends Rami's
    // reservation (200) and the unit is available again.
    let overrule = |reason: &str, key: &str| {
        vec![
            ("op".to_owned(), "override".to_owned()),
            ("project".to_owned(), project_id.clone()),
            ("unit".to_owned(), unit.clone()),
            ("version".to_owned(), now["version"].to_string()),
            ("reason".to_owned(), reason.to_owned()),
            ("key".to_owned(), key.to_owned()),
        ]
    };
    let priya = app.sign_in(NORTHSTAR, "priya@northstar.example").await;
    for (who, reason, key, status) in [
        (&sara, "Buyer withdrew", "override-key-sara01", 403),
        (&priya, "  ", "override-key-priya1", 422),
        (
            &priya,
            "Buyer withdrew by phone",
            "override-key-priya2",
            200,
        ),
    ] {
        let res = app
            .post_form(
                NORTHSTAR,
                "/api/projects/board/act",
                &form(&overrule(reason, key)),
                Some(who),
                &[],
            )
            .await;
        let got = res.status();
        let body = res.text().await.unwrap();
        assert_eq!(got, status, "{reason:?}: {body}");
        if status == 422 {
            assert!(body.contains("Enter a reason."), "{body}");
        }
    }
    assert_eq!(
        row(&app, NORTHSTAR, "acme", &sara, "A-102").await["status"],
        "available"
    );

    // The studio partner presents units and reserves none (403); Acme's
    // own agent does not see a unit Northstar holds (404).
    let luis = app.sign_in(LUMEN, "luis@lumen.example").await;
    let res = app
        .post_form(
            LUMEN,
            "/api/projects/board/act",
            &form(&reserve(sami.clone(), "lumen-key-000001".into())),
            Some(&luis),
            &[],
        )
        .await;
    assert_eq!(res.status(), 403);
    let ella = app.sign_in(ACME, "ella@acme.example").await;
    let res = app
        .post_form(
            ACME,
            "/api/projects/board/act",
            &form(&reserve(sami, "ella-key-0000001".into())),
            Some(&ella),
            &[],
        )
        .await;
    assert_eq!(res.status(), 404);
}
