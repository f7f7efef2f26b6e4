//! Uploaded images on their own origin (SPEC R3.4; issue 13): checked by
//! content, size- and dimension-limited, re-encoded, served only from the
//! media origin with sandboxing headers, never from `*.<base>`. Fixtures
//! are generated here, not checked in.

use crate::support::{TestApp, BASE};
use std::io::Cursor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ACME: &str = "acme.offplan.localhost";
const MEDIA: &str = "media.offplan-usercontent.localhost";
const DEMO: &str = "marina-heights";

async fn spawn() -> (TestApp, tempdir::Dir) {
    let dir = tempdir::Dir::new();
    let app = TestApp::spawn_with(&[("MEDIA_STORE", dir.path())]).await;
    (app, dir)
}

/// A throwaway directory for the media store, removed afterwards.
mod tempdir {
    pub struct Dir(std::path::PathBuf);
    impl Dir {
        pub fn new() -> Self {
            let p = std::env::temp_dir().join(format!("offplan-media-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
        pub fn path(&self) -> &str {
            self.0.to_str().unwrap()
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Marina Heights' id, as its Admin's Partners page reports it.
async fn project_id(app: &TestApp) -> String {
    let ben = app.sign_in(ACME, "ben@acme.example").await;
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
    loaded["Found"]["project_id"].as_str().unwrap().to_owned()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7) as u8, (y * 5) as u8, 90])
    }));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A few hundred bytes claiming to be a 12000×12000 greyscale PNG: the
/// header alone must refuse it, before anything is decoded.
fn huge_png_header() -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&12_000u32.to_be_bytes());
    ihdr.extend_from_slice(&12_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]); // 1-bit greyscale
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    out.extend(chunk(b"IEND", &[]));
    out
}

async fn upload_raw(
    app: &TestApp,
    cookie: Option<&str>,
    query: &str,
    body: Vec<u8>,
    content_type: &str,
) -> reqwest::Response {
    upload_on(app, ACME, cookie, query, body, content_type).await
}

async fn upload_on(
    app: &TestApp,
    host: &str,
    cookie: Option<&str>,
    query: &str,
    body: Vec<u8>,
    content_type: &str,
) -> reqwest::Response {
    let port = app.addr.port();
    let mut req = app
        .client
        .post(format!("http://{}/media/upload?{query}", app.addr))
        .header("host", format!("{host}:{port}"))
        .header("origin", format!("http://{host}:{port}"))
        .header("accept", "application/json")
        .header("content-type", content_type)
        .body(body);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.unwrap()
}

/// A plain form's multipart body with one `file` field.
fn multipart(filename: &str, content_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----offplan-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn get_on(app: &TestApp, host: &str, path: &str) -> reqwest::Response {
    app.get(host, path).await
}

/// R3.4: a PNG with a script appended comes back re-encoded (an image
/// type, no script in the bytes), served only from the media origin with
/// nosniff, immutable caching and a sandboxing CSP; the same path on every
/// `*.<base>` host is 404, and the media origin answers nothing else.
#[tokio::test]
async fn a_polyglot_png_is_re_encoded_and_served_only_from_the_media_origin() {
    let (app, _dir) = spawn().await;
    let project = project_id(&app).await;
    let dan = app.sign_in(ACME, "dan@acme.example").await;
    let mut bytes = png(64, 48);
    bytes.extend_from_slice(b"<script>alert(document.cookie)</script>");
    let res = upload_raw(
        &app,
        Some(&dan),
        &format!("project={project}&role=gallery"),
        bytes,
        "image/png",
    )
    .await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["ok"], true, "{body}");
    let url = body["url"].as_str().unwrap();
    assert!(
        url.starts_with("http://media.offplan-usercontent.localhost:"),
        "{url}"
    );
    let path = format!("/{}", url.rsplit('/').next().unwrap());

    let served = get_on(&app, MEDIA, &path).await;
    assert_eq!(served.status(), 200);
    let h = served.headers().clone();
    assert_eq!(h["content-type"], "image/jpeg");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(h["content-security-policy"], "default-src 'none'; sandbox");
    assert_eq!(h["cross-origin-resource-policy"], "cross-origin");
    assert!(h.get("set-cookie").is_none());
    let served = served.bytes().await.unwrap();
    assert!(served.starts_with(&[0xFF, 0xD8, 0xFF]));
    assert!(!served.windows(8).any(|w| w == b"<script>"));
    // The thumbnail too.
    let thumb = format!(
        "/{}",
        body["thumb_url"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
    );
    assert_eq!(get_on(&app, MEDIA, &thumb).await.status(), 200);

    // Never from `*.<base>`.
    for host in [
        ACME,
        BASE,
        "app.offplan.localhost",
        "northstar.offplan.localhost",
    ] {
        assert_eq!(get_on(&app, host, &path).await.status(), 404, "{host}");
    }
    // The media origin answers media only.
    for other in [
        "/",
        "/login",
        "/projects",
        "/healthz",
        "/pkg/offplan.js",
        "/media/upload",
    ] {
        let res = get_on(&app, MEDIA, other).await;
        assert_eq!(res.status(), 404, "{other}");
        assert_eq!(
            res.headers()["content-security-policy"],
            "default-src 'none'; sandbox"
        );
    }
    // The right name with another extension, or an unknown name: 404.
    let as_png = path.replace(".jpg", ".png");
    assert_eq!(get_on(&app, MEDIA, &as_png).await.status(), 404);
    let unknown = format!("/{}.jpg", "0".repeat(64));
    assert_eq!(get_on(&app, MEDIA, &unknown).await.status(), 404);

    // The page CSP lets images come from the media origin.
    let page = app.get_with_cookie(ACME, "/projects", &dan).await;
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("img-src 'self' data: blob: http://media.offplan-usercontent.localhost:"),
        "{csp}"
    );
}

/// R3.4: checked by content, not by name: an SVG, an HTML file named
/// `.jpg` and a 12000×12000 image are refused, each with a sentence.
#[tokio::test]
async fn svg_html_and_huge_images_are_refused() {
    let (app, _dir) = spawn().await;
    let project = project_id(&app).await;
    let dan = app.sign_in(ACME, "dan@acme.example").await;
    let q = format!("project={project}&role=hero");

    let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    let res = upload_raw(&app, Some(&dan), &q, svg.to_vec(), "image/svg+xml").await;
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("SVG"), "{body}");

    let (ct, form) = multipart(
        "holiday.jpg",
        "image/jpeg",
        b"<!doctype html><script>alert(1)</script>",
    );
    let res = upload_raw(&app, Some(&dan), &q, form, &ct).await;
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "markup", "{body}");

    let res = upload_raw(
        &app,
        Some(&dan),
        &q,
        b"GIF89a\x01\x00".to_vec(),
        "image/jpeg",
    )
    .await;
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("isn't a JPEG, PNG or WebP"),
        "{body}"
    );

    let huge = huge_png_header();
    assert!(huge.len() < 200);
    let res = upload_raw(&app, Some(&dan), &q, huge, "image/png").await;
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "too_many_pixels", "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("12000 × 12000"),
        "{body}"
    );

    // A declared length over the upload limit: 413 before anything.
    let res = app
        .client
        .post(format!("http://{}/media/upload?{q}", app.addr))
        .header("host", format!("{ACME}:{}", app.addr.port()))
        .header("accept", "application/json")
        .header("cookie", &dan)
        .header("content-type", "image/png")
        .body(vec![0u8; 11 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
}

/// R3.4, R2.2: without a session the upload is refused before its body is
/// read (the answer comes while most of the declared body is unsent); an
/// agency partner's member is refused (403), and a cross-site post never
/// reaches the handler (R3.7a).
#[tokio::test]
async fn uploads_are_authorised_before_the_body_is_read() {
    let (app, _dir) = spawn().await;
    let project = project_id(&app).await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /media/upload?project={project}&role=hero HTTP/1.1\r\nHost: {ACME}:{}\r\n\
         Accept: application/json\r\nContent-Type: image/png\r\nContent-Length: 5000000\r\n\r\n",
        app.addr.port()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&[0u8; 1024]).await.unwrap();
    let mut answer = vec![0u8; 1024];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("answered without the rest of the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");

    // The agency partner's Owner, on its own host where it reaches the
    // project: 403 (an agency presents nothing). On Acme's host it is no
    // member: 404. The studio's Content Editor may.
    const NORTHSTAR: &str = "northstar.offplan.localhost";
    let q = format!("project={project}&role=hero");
    let omar = app.sign_in(NORTHSTAR, "omar@northstar.example").await;
    let res = upload_on(&app, NORTHSTAR, Some(&omar), &q, png(8, 8), "image/png").await;
    assert_eq!(res.status(), 403);
    let res = upload_raw(&app, Some(&omar), &q, png(8, 8), "image/png").await;
    assert_eq!(res.status(), 404);
    const LUMEN: &str = "lumen.offplan.localhost";
    let marta = app.sign_in(LUMEN, "marta@lumen.example").await;
    let res = upload_on(&app, LUMEN, Some(&marta), &q, png(8, 8), "image/png").await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);

    let dan = app.sign_in(ACME, "dan@acme.example").await;
    let res = app
        .client
        .post(format!(
            "http://{}/media/upload?project={project}&role=hero",
            app.addr
        ))
        .header("host", format!("{ACME}:{}", app.addr.port()))
        .header("cookie", &dan)
        .header("sec-fetch-site", "cross-site")
        .body(png(8, 8))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

/// Without JavaScript: a plain multipart form post is answered with a
/// redirect back to the page, saying what happened.
#[tokio::test]
async fn a_plain_form_post_redirects_back() {
    let (app, _dir) = spawn().await;
    let project = project_id(&app).await;
    let dan = app.sign_in(ACME, "dan@acme.example").await;
    let next = format!("/projects/{DEMO}/settings/presentation");
    let post = |ct: String, body: Vec<u8>| {
        app.client
            .post(format!(
                "http://{}/media/upload?project={project}&role=hero&next={}",
                app.addr,
                next.replace('/', "%2F")
            ))
            .header("host", format!("{ACME}:{}", app.addr.port()))
            .header("origin", format!("http://{ACME}:{}", app.addr.port()))
            .header("cookie", &dan)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let (ct, form) = multipart("hero.png", "image/png", &png(30, 20));
    let res = post(ct, form).await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("{next}?uploaded=hero"));
    let (ct, form) = multipart("x.svg", "image/svg+xml", b"<svg/>");
    let res = post(ct, form).await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("{next}?upload_error=markup&upload_role=hero")
    );
}
