//! One image upload field (SPEC R3.4; issue 13): a real multipart form to
//! `/media/upload`, so it works without JavaScript (the server redirects
//! back with `uploaded=<role>` or `upload_error=<code>`); once hydrated the
//! form is sent by XMLHttpRequest instead, with a progress bar, a preview
//! of the chosen file, and the server's refusal shown beside the field.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The sentence for a refusal code the server redirected back with.
fn refusal(code: &str) -> &'static str {
    match code {
        "empty" => "Choose a file to upload.",
        "too_large" => "This file is too large. Choose a smaller image.",
        "markup" => "This is an SVG or web page, not a photo. Upload a JPEG, PNG or WebP image.",
        "not_an_image" => "This file isn't a JPEG, PNG or WebP image, whatever its name says. Upload one of those.",
        "too_many_pixels" => "This image has too many pixels. Make it smaller and try again.",
        "unreadable" => "This image is damaged or incomplete, so we couldn't read it.",
        "forbidden" => "You can't change this project's images.",
        "gallery_full" => "The gallery is full. Remove an image before adding another.",
        "signed_out" => "Your session has ended. Sign in again, then upload the image.",
        _ => "The upload failed. Try again.",
    }
}

/// `%`-encodes a path for the `next` query value.
fn encode(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// An upload form for `role` (`hero`, `gallery`, `floor_plan`) of
/// `project` (and `unit`); `back` is the page to come back to; `done` runs
/// after a successful XHR upload (the page reloads its data).
#[component]
pub fn UploadField(
    project: String,
    role: &'static str,
    #[prop(optional)] unit: Option<String>,
    label: &'static str,
    back: String,
    #[prop(into)] done: Callback<()>,
) -> impl IntoView {
    let query = use_query_map();
    let id = format!("upload-{role}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let action = format!(
        "/media/upload?project={project}&role={role}{}&next={}",
        unit.map(|u| format!("&unit={u}")).unwrap_or_default(),
        encode(&back)
    );
    let (progress, set_progress) = signal(None::<u32>);
    let (error, set_error) = signal(None::<String>);
    let (preview, set_preview) = signal(None::<String>);
    let redirected_error = move || {
        let q = query.read();
        (q.get("upload_role").as_deref() == Some(role))
            .then(|| q.get("upload_error"))
            .flatten()
            .map(|code| refusal(&code).to_owned())
    };
    let uploaded = move || query.read().get("uploaded").as_deref() == Some(role);
    let message = move || error.get().or_else(redirected_error);
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            let input: leptos::web_sys::HtmlInputElement = event_target(&ev);
            let file = input.files().and_then(|f| f.get(0));
            set_preview.set(file.and_then(|f| {
                leptos::web_sys::Url::create_object_url_with_blob(f.unchecked_ref()).ok()
            }));
            set_error.set(None);
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (ev, set_preview, set_error);
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            send(ev, set_progress, set_error, done);
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (ev, set_progress, done);
        }
    };
    view! {
        <form class="form upload" method="post" enctype="multipart/form-data" action=action on:submit=on_submit>
            <div class="field" class:field--invalid=move || message().is_some()>
                <label class="field__label" for=id.clone()>{label}</label>
                <p class="field__hint" id=hint_id.clone()>"JPEG, PNG or WebP, up to 10 MB. We re-encode it and remove its metadata."</p>
                <input class="field__input" type="file" name="file" id=id.clone()
                    accept="image/jpeg,image/png,image/webp" required=true
                    aria-describedby={
                        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
                        move || if message().is_some() { format!("{hint_id} {error_id}") } else { hint_id.clone() }
                    }
                    aria-invalid=move || message().is_some().then_some("true")
                    on:change=on_change />
                {move || message().map(|m| view! { <p class="field__error" id=error_id.clone() role="alert">{m}</p> })}
            </div>
            {move || preview.get().map(|src| view! { <img class="upload__preview" src=src alt="Preview of the chosen image" /> })}
            {move || progress.get().map(|p| view! {
                <progress class="upload__progress" max="100" value=p.to_string() aria-label="Upload progress">{format!("{p}%")}</progress>
            })}
            {move || uploaded().then(|| view! { <p class="alert alert--success" role="status">"Image uploaded."</p> })}
            <div class="form__actions">
                <button class="button button--outline" type="submit" disabled=move || progress.get().is_some()>
                    {move || if progress.get().is_some() { "Uploading…" } else { "Upload" }}
                </button>
            </div>
        </form>
    }
}

/// Sends the form by XMLHttpRequest: progress while the body goes up, the
/// server's sentence beside the field on a refusal.
#[cfg(feature = "hydrate")]
fn send(
    ev: leptos::ev::SubmitEvent,
    set_progress: WriteSignal<Option<u32>>,
    set_error: WriteSignal<Option<String>>,
    done: Callback<()>,
) {
    use leptos::{
        wasm_bindgen::{closure::Closure, JsCast},
        web_sys::{FormData, HtmlFormElement, ProgressEvent, XmlHttpRequest},
    };
    let Some(form) = ev
        .target()
        .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    let (Ok(data), Ok(xhr)) = (FormData::new_with_form(&form), XmlHttpRequest::new()) else {
        return; // the browser posts the form itself
    };
    ev.prevent_default();
    if xhr.open("POST", &form.action()).is_err() {
        return;
    }
    let _ = xhr.set_request_header("Accept", "application/json");
    set_error.set(None);
    set_progress.set(Some(0));
    if let Ok(upload) = xhr.upload() {
        let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                set_progress.set(Some(((e.loaded() / e.total()) * 100.0).round() as u32));
            }
        });
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        on_progress.forget();
    }
    let done_xhr = xhr.clone();
    let on_done = Closure::<dyn FnMut()>::new(move || {
        set_progress.set(None);
        let status = done_xhr.status().unwrap_or(0);
        let body = done_xhr.response_text().ok().flatten().unwrap_or_default();
        if status == 200 {
            form.reset();
            done.run(());
        } else {
            let message = serde_json_message(&body).unwrap_or_else(|| {
                "The upload failed. Check your connection and try again.".to_owned()
            });
            set_error.set(Some(message));
        }
    });
    xhr.set_onloadend(Some(on_done.as_ref().unchecked_ref()));
    on_done.forget();
    if xhr.send_with_opt_form_data(Some(&data)).is_err() {
        set_progress.set(None);
    }
}

/// The `message` of the server's JSON answer (`{"ok":false,"message":…}`),
/// read without a JSON parser in the bundle.
#[cfg(feature = "hydrate")]
fn serde_json_message(body: &str) -> Option<String> {
    let start = body.find("\"message\":\"")? + "\"message\":\"".len();
    let rest = &body[start..];
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}
