//! The fields of a client record, shared by the add and edit forms (R1.5):
//! each with its error beside it after a refused submit.

use leptos::prelude::*;

use crate::ui::{Field, LastError, TextArea};

/// What the fields start with: empty to add a client, its record to edit.
#[derive(Clone, Debug, Default)]
pub(super) struct Values {
    pub name: String,
    pub contact_name: String,
    pub contact_email: String,
    pub notes: String,
}

#[component]
pub(super) fn ClientFields(error: LastError, values: Values) -> impl IntoView {
    view! {
        <Field name="name" label="Company name" error value=values.name
            autocomplete="off" hint="Up to 200 characters." />
        // The person at the client, not the person typing: no autofill.
        <Field name="contact_name" label="Contact name" error value=values.contact_name
            required=false autocomplete="off" hint="Optional: who you deal with there." />
        <Field name="contact_email" label="Contact email" kind="email" error
            value=values.contact_email required=false autocomplete="off" hint="Optional." />
        <TextArea name="notes" label="Notes" error value=values.notes
            hint="Optional, up to 2000 characters. Everyone in your studio can read them." />
    }
}
