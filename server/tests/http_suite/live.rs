//! The board's live status over real HTTP (SPEC R6.4, R6.5, R2.4, R2.5;
//! issue 14 items 4 and 5): an open board's stream hears another person's
//! change within a second; a member removed while their board is open is
//! told on the next change, and their stream ends; nobody signed in is a
//! 401, another organisation's address or an unknown project a 404. Three
//! organisations: Acme owns Marina Heights, Northstar sells it, Lumen
//! presents it.

use crate::{support::TestApp, team::member_id};
use std::time::{Duration, Instant};

const NORTHSTAR: &str = "northstar.offplan.localhost";
const ACME: &str = "acme.offplan.localhost";
const LUMEN: &str = "lumen.offplan.localhost";

/// A server-sent event stream, read event by event.
struct Events {
    res: reqwest::Response,
    buf: String,
}

impl Events {
    /// The next named event (`event`, `data`) within `within`; keep-alive
    /// comments are skipped. `None`: nothing in time, or the stream ended.
    async fn next(&mut self, within: Duration) -> Option<(String, String)> {
        let deadline = Instant::now() + within;
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(name))
                        .map(|v| v.trim_start().to_owned())
                };
                if let Some(event) = field("event:") {
                    return Some((event, field("data:").unwrap_or_default()));
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.res.chunk()).await {
                Ok(Ok(Some(chunk))) => self.buf.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return None,
            }
        }
    }
}

async fn open(app: &TestApp, host: &str, project: &str, cookie: &str) -> reqwest::Response {
    app.get_with_cookie(host, &format!("/live/board?project={project}"), cookie)
        .await
}

/// Marina Heights' id, the row of `code` and the whole board, as `cookie`
/// sees them.
async fn board(
    app: &TestApp,
    cookie: &str,
    code: &str,
) -> (String, serde_json::Value, serde_json::Value) {
    let res = app
        .post_form(
            NORTHSTAR,
            "/api/projects/board",
            &[("owner", "acme"), ("slug", "marina-heights")],
            Some(cookie),
            &[],
        )
        .await;
    assert_eq!(res.status(), 200);
    let v: serde_json::Value = res.json().await.unwrap();
    let row = v["Found"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .cloned()
        .unwrap();
    let project = v["Found"]["project"]["id"].as_str().unwrap().to_owned();
    (project, row, v["Found"].clone())
}

async fn act(app: &TestApp, cookie: &str, path: &str, form: &[(&str, &str)]) {
    let res = app
        .post_form(NORTHSTAR, path, form, Some(cookie), &[])
        .await;
    let status = res.status();
    assert_eq!(status, 200, "{path}: {}", res.text().await.unwrap());
}

#[tokio::test]
async fn an_open_board_hears_a_change_within_a_second_and_a_removed_member_loses_the_stream() {
    let app = TestApp::spawn().await;
    let omar = app.sign_in(NORTHSTAR, "omar@northstar.example").await;
    let rami = app.sign_in(NORTHSTAR, "rami@northstar.example").await;
    let sara = app.sign_in(NORTHSTAR, "sara@northstar.example").await;
    act(&app, &omar, "/api/buyers/accept-terms", &[]).await;
    act(
        &app,
        &rami,
        "/api/buyers/create",
        &[
            ("name", "Ravi Buyer"),
            ("email", "ravi@mail.example"),
            ("phone", ""),
            ("notes", ""),
            ("consent", "on"),
        ],
    )
    .await;
    let (project, row, view) = board(&app, &rami, "A-103").await;
    let buyer = view["buyers"][0]["id"].as_str().unwrap().to_owned();

    // Who may not watch: nobody signed in, another organisation's address,
    // a project that is not there.
    let res = app
        .get(NORTHSTAR, &format!("/live/board?project={project}"))
        .await;
    assert_eq!(res.status(), 401);
    assert_eq!(open(&app, ACME, &project, &rami).await.status(), 404);
    let luis = app.sign_in(LUMEN, "luis@lumen.example").await;
    assert_eq!(
        open(&app, LUMEN, "7d3b8f0c-1111-4a4a-9b9b-000000000001", &luis)
            .await
            .status(),
        404
    );

    // Sara's board is open.
    let res = open(&app, NORTHSTAR, &project, &sara).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut sara_events = Events {
        res,
        buf: String::new(),
    };
    // Every event carries data: a browser's EventSource drops one without.
    let (event, data) = sara_events.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!((event.as_str(), data.is_empty()), ("ready", false));

    // Rami reserves a unit: Sara's stream says so within a second.
    let started = Instant::now();
    act(
        &app,
        &rami,
        "/api/projects/board/act",
        &[
            ("op", "reserve"),
            ("project", &project),
            ("unit", row["id"].as_str().unwrap()),
            ("buyer", &buyer),
            ("version", &row["version"].to_string()),
            ("key", row["key"].as_str().unwrap()),
        ],
    )
    .await;
    let (event, data) = sara_events
        .next(Duration::from_secs(1))
        .await
        .expect("a change within 1 s");
    assert_eq!((event.as_str(), data.is_empty()), ("changed", false));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );

    // Omar removes Sara from Northstar; on the next change her stream says
    // why, and ends.
    let sara_id = member_id(&app, NORTHSTAR, &omar, "sara@northstar.example").await;
    act(&app, &omar, "/api/team/remove", &[("user", &sara_id)]).await;
    let (_, row, _) = board(&app, &rami, "A-103").await;
    act(
        &app,
        &rami,
        "/api/projects/board/act",
        &[
            ("op", "release"),
            ("project", &project),
            ("unit", row["id"].as_str().unwrap()),
            ("version", &row["version"].to_string()),
            ("key", row["key"].as_str().unwrap()),
        ],
    )
    .await;
    let (event, reason) = sara_events
        .next(Duration::from_secs(2))
        .await
        .expect("told");
    assert_eq!(event, "lost");
    assert!(
        reason.contains("signed out") || reason.contains("no longer a member"),
        "{reason}"
    );
    assert_eq!(
        sara_events.next(Duration::from_secs(2)).await,
        None,
        "the stream ends"
    );
}
