//! The error summary above a form (the GOV.UK Design System's pattern): when a submit is
//! stopped by field errors, a box headed "There is a problem" lists each one, and each entry
//! moves the focus to its field. WCAG 2.2 SC 3.3.1 (errors identified in text) and 3.3.3 (with
//! a suggestion), SC 2.4.3 (a way to each field in order). The per-field messages stay where
//! they are (`aria-describedby`); the summary repeats them for a person who sees the page
//! from its top, or whose screen reader reads the form from its start.

use crate::components::field::{problem_text, FieldProblem};
use crate::i18n::Msg;
use crate::ui::{focus_id, use_ui};
use leptos::prelude::*;

/// One field the summary can list: its input's id, its label and its error signal.
#[derive(Clone, Copy)]
pub struct SummaryField {
    pub id: &'static str,
    pub label: Msg,
    pub error: RwSignal<FieldProblem>,
}

/// Shown while `shown` is true and any listed field has an error; entries follow the fields'
/// order and disappear as their errors are fixed.
#[component]
pub fn ErrorSummary(fields: Vec<SummaryField>, shown: RwSignal<bool>) -> impl IntoView {
    let ui = use_ui();
    let fields = StoredValue::new(fields);
    let entries = move || {
        fields.with_value(|fields| {
            fields
                .iter()
                .filter_map(|f| f.error.get().map(|problem| (f.id, f.label, problem)))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || shown.get() && !entries().is_empty()>
            <div class="error-summary" id="error-summary" aria-labelledby="error-summary-heading">
                <h2 id="error-summary-heading">{ui.tr(Msg::ERROR_SUMMARY_HEADING)}</h2>
                <ul>
                    {move || {
                        entries()
                            .into_iter()
                            .map(|(id, label, problem)| {
                                view! {
                                    <li>
                                        <button type="button" class="link" on:click=move |_| focus_id(id)>
                                            {ui.tr(label)} ": " {move || problem_text(problem)}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </div>
        </Show>
    }
}
