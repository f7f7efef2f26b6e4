//! A modal dialog (issue 14: the stock conflict modal, later the stock-wipe
//! modal): shown while `open` is true, over a dimmed page, labelled by its
//! heading, focus moved into it when it opens, Escape and its close button
//! close it. Server-rendered like everything else (a conflict answered to
//! a form post without JavaScript renders the same markup).

use leptos::{html, prelude::*};

#[component]
pub fn Modal(
    /// Whether it shows.
    open: Signal<bool>,
    /// Called by Escape and the close button.
    on_close: Callback<()>,
    /// The heading's id, for `aria-labelledby`.
    labelled_by: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let panel = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        if open.get() {
            if let Some(el) = panel.get() {
                let _ = el.focus();
            }
        }
    });
    let children = StoredValue::new(children);
    move || {
        open.get().then(|| {
            view! {
                <div class="modal" on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        on_close.run(());
                    }
                }>
                    <div class="modal__backdrop" on:click=move |_| on_close.run(())></div>
                    <div class="modal__panel" role="dialog" aria-modal="true"
                         aria-labelledby=labelled_by tabindex="-1" node_ref=panel>
                        {children.with_value(|c| c())}
                    </div>
                </div>
            }
        })
    }
}
