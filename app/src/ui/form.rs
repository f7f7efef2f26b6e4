//! Form pieces every form uses: a labelled field (one line, or several in
//! a [`TextArea`]) with its error next to it, the form-level error, the
//! password strength meter, the submit button, and the full-page
//! navigation a successful sign-in ends with.

use leptos::prelude::*;
use offplan::{domain::Strength, AppError};

/// The latest error of an action, if its last call failed.
pub type LastError = Signal<Option<AppError>>;

pub fn last_error<I, O>(action: ServerAction<I>) -> LastError
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Signal::derive(move || match action.value().get() {
        Some(Err(e)) => Some(e),
        _ => None,
    })
}

/// After a successful call that answered a URL, load that page in full:
/// the session changed, so every part of the page must be rendered afresh
/// (and another subdomain is another origin).
pub fn navigate_on_success<I>(action: ServerAction<I>)
where
    I: leptos::server_fn::ServerFn<Output = String, Error = AppError>
        + Clone
        + Send
        + Sync
        + 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(url)) = action.value().get() {
            let _ = window().location().set_href(&url);
        }
    });
}

/// A message for the whole form: anything that is not a field error.
#[component]
pub fn FormError(error: LastError) -> impl IntoView {
    move || {
        error.get().and_then(|e| {
            let message = match &e {
                AppError::Invalid(_) => e.field_message("form").map(str::to_owned),
                other => Some(other.to_string()),
            }?;
            Some(view! {
                <div class="alert alert--error" role="alert">{message}</div>
            })
        })
    }
}

/// The ids a field's label, hint and error refer to each other by.
struct FieldIds {
    id: String,
    hint_id: String,
    error_id: String,
}

impl FieldIds {
    fn new(name: &str) -> Self {
        let id = format!("field-{name}");
        Self {
            hint_id: format!("{id}-hint"),
            error_id: format!("{id}-error"),
            id,
        }
    }
}

/// The message beside field `name` after a failed submit, if any.
fn field_message(error: LastError, name: &'static str) -> impl Fn() -> Option<String> + Copy {
    move || {
        error
            .get()
            .and_then(|e| e.field_message(name).map(str::to_owned))
    }
}

/// The field's `aria-describedby`: its hint, and its error while it has one.
fn described_by(
    hint_id: &str,
    error_id: &str,
    has_hint: bool,
    message: impl Fn() -> Option<String> + Copy,
) -> impl Fn() -> Option<String> {
    let hint_id = hint_id.to_owned();
    let error_id = error_id.to_owned();
    move || {
        let mut ids = Vec::new();
        if has_hint {
            ids.push(hint_id.clone());
        }
        if message().is_some() {
            ids.push(error_id.clone());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// A labelled input with its hint and, after a failed submit, its error
/// (linked by `aria-describedby`, announced by `role="alert"`).
#[component]
pub fn Field(
    name: &'static str,
    label: &'static str,
    error: LastError,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(default = true)] required: bool,
    #[prop(optional)] readonly: bool,
    #[prop(optional)] autofocus: bool,
    #[prop(optional, into)] on_input: Option<Callback<String>>,
) -> impl IntoView {
    let FieldIds {
        id,
        hint_id,
        error_id,
    } = FieldIds::new(name);
    let message = field_message(error, name);
    let described = described_by(&hint_id, &error_id, hint.is_some(), message);
    view! {
        <div class="field" class:field--invalid=move || message().is_some()>
            <label class="field__label" for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="field__hint" id=hint_id.clone()>{h}</p> })}
            <input
                class="field__input"
                id=id.clone()
                name=name
                type=kind
                value=value
                required=required
                readonly=readonly
                autofocus=autofocus
                autocomplete=autocomplete
                aria-invalid=move || message().is_some().then_some("true")
                aria-describedby=described
                on:input=move |ev| {
                    if let Some(cb) = on_input {
                        cb.run(event_target_value(&ev));
                    }
                }
            />
            {move || message().map(|m| view! {
                <p class="field__error" id=error_id.clone() role="alert">{m}</p>
            })}
        </div>
    }
}

/// A labelled `<textarea>` with its hint and error, like [`Field`]: for
/// text of several lines (notes).
#[component]
pub fn TextArea(
    name: &'static str,
    label: &'static str,
    error: LastError,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(default = 4)] rows: u32,
) -> impl IntoView {
    // One plain text child: a textarea's content is raw text, where the
    // markers an optional child renders would show as characters, and
    // which the server's HTML does not escape by itself.
    let text = super::html_text(value.unwrap_or_default());
    let FieldIds {
        id,
        hint_id,
        error_id,
    } = FieldIds::new(name);
    let message = field_message(error, name);
    let described = described_by(&hint_id, &error_id, hint.is_some(), message);
    view! {
        <div class="field" class:field--invalid=move || message().is_some()>
            <label class="field__label" for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="field__hint" id=hint_id.clone()>{h}</p> })}
            <textarea
                class="field__input"
                id=id.clone()
                name=name
                rows=rows
                aria-invalid=move || message().is_some().then_some("true")
                aria-describedby=described
            >{text}</textarea>
            {move || message().map(|m| view! {
                <p class="field__error" id=error_id.clone() role="alert">{m}</p>
            })}
        </div>
    }
}

/// A new-password field with a passphrase hint and a strength meter that
/// follows what is typed (R3.2: advice, not policy).
#[component]
pub fn NewPasswordField(
    error: LastError,
    #[prop(default = "password")] name: &'static str,
    #[prop(default = "Password")] label: &'static str,
    #[prop(default = 15)] min: usize,
) -> impl IntoView {
    let (strength, set_strength) = signal(Strength::estimate("", min));
    let (typed, set_typed) = signal(false);
    view! {
        <Field
            name
            label
            error
            kind="password"
            autocomplete="new-password"
            hint="At least 15 characters. A short sentence is easy to remember and hard to guess — for example, four unrelated words."
            on_input=Callback::new(move |v: String| {
                set_typed.set(!v.is_empty());
                set_strength.set(Strength::estimate(&v, min));
            })
        />
        <div class="meter" aria-live="polite" hidden=move || !typed.get()>
            <div class="meter__bar" data-level=move || strength.get().level().to_string()></div>
            <p class="meter__label">{move || strength.get().label()}</p>
        </div>
    }
}

/// The submit button, disabled with a pending label while the call runs.
#[component]
pub fn Submit(
    pending: Memo<bool>,
    label: &'static str,
    busy: &'static str,
    #[prop(default = "button button--brand")] class: &'static str,
) -> impl IntoView {
    view! {
        <button type="submit" class=class disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
            {move || if pending.get() { busy } else { label }}
        </button>
    }
}
