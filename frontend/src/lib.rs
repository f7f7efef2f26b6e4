//! The hydrate entry point: the wasm the browser loads. Nothing else.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // `hydrate_lazy`, not `hydrate_body`: the first page is a lazy route
    // (app/src/routes.rs), whose chunk must load before hydration.
    leptos::mount::hydrate_lazy(app::App);
}
