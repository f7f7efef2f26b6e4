//! The fields of a buyer record, shared by the record and edit forms
//! (R1.9): each with its error beside it after a refused submit.

use leptos::prelude::*;

use crate::ui::{Field, LastError, TextArea};

/// What the fields start with: empty for a new buyer, the record to edit.
#[derive(Clone, Debug, Default)]
pub(super) struct Values {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub notes: String,
    pub consent: bool,
}

#[component]
pub(super) fn BuyerFields(error: LastError, values: Values) -> impl IntoView {
    // The buyer's details, not the person typing: no autofill.
    view! {
        <Field name="name" label="Name" error value=values.name
            autocomplete="off" hint="Up to 200 characters." />
        <Field name="email" label="Email" kind="email" error value=values.email
            required=false autocomplete="off" hint="Optional: where links can be emailed." />
        <Field name="phone" label="Phone" kind="tel" error value=values.phone
            required=false autocomplete="off" hint="Optional, e.g. +44 20 7946 0000." />
        <TextArea name="notes" label="Notes" error value=values.notes
            hint="Optional, up to 4000 characters. Your managers can read them too." />
        <label class="choice">
            <input type="checkbox" name="consent" value="on" checked=values.consent />
            " The buyer agreed to be contacted"
        </label>
    }
}
