//! A labelled input with its error, wired once for everyone (WCAG 2.2 SC 1.3.1, 3.3.1, 4.1.2):
//! `<label for>`, `aria-invalid`, `aria-describedby` pointing at the error and the hint.
//! A form draws it from a field's spec (`forms::Input`).
//!
//! Validation runs on blur, then live on every keystroke once an error has been shown. A blur
//! only ever adds an error, and only once the pointer that took the focus away is released
//! (`forms::after_press`): an error shown (by the rule, the submit or the server) stays until
//! what is typed changes or the form is sent again. The error's line is always there, empty
//! or not (`style/main.css`), so a one-line message coming or going moves nothing below it.

use crate::forms::{after_press, listen_for_presses};
use crate::i18n::Msg;
use crate::ui::use_ui;
use leptos::prelude::*;
use partner_login_contract::ErrorCode;

/// A field's error: a code and the number its message needs.
pub type FieldProblem = Option<(ErrorCode, Option<u32>)>;

/// Translates a field problem.
pub fn problem_text(problem: (ErrorCode, Option<u32>)) -> String {
    let ui = use_ui();
    let limit = problem.1.map(|l| ui.n(l.into())).unwrap_or_default();
    ui.f(Msg::error(problem.0), &[("limit", &limit)])
}

/// A field rule from a plain function of the contract crate.
pub fn rule(check: fn(&str) -> FieldProblem) -> Callback<String, FieldProblem> {
    Callback::new(move |value: String| check(&value))
}

#[component]
pub fn Field(
    /// The input's id; its error is `<id>-error`.
    id: &'static str,
    label: Msg,
    value: RwSignal<String>,
    error: RwSignal<FieldProblem>,
    #[prop(default = "text")] kind: &'static str,
    /// The `autocomplete` purpose (WCAG 2.2 SC 1.3.5), fixed: the sign-in's email gains
    /// `webauthn` from `boot.js`, not from here.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// The virtual keyboard to show (`email`, `numeric`); none by default.
    #[prop(into, optional_no_strip)]
    inputmode: Option<&'static str>,
    /// The client-side rule, from the contract crate (see [`rule`]).
    #[prop(optional)]
    validate: Option<Callback<String, FieldProblem>>,
    #[prop(into, default = Signal::from(false))] disabled: Signal<bool>,
    #[prop(into, default = Signal::from(false))] readonly: Signal<bool>,
    #[prop(into, optional_no_strip)] hint: Option<Signal<String>>,
    #[prop(into, optional_no_strip)] input_type: Option<Signal<&'static str>>,
) -> impl IntoView {
    let ui = use_ui();
    listen_for_presses();
    let touched = RwSignal::new(false);
    let check = move || {
        if let (Some(rule), Some(typed)) = (validate, value.try_get_untracked()) {
            error.try_set(rule.run(typed));
        }
    };
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let has_hint = hint.is_some();
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            if has_hint {
                ids.push(hint_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let input_kind = move || input_type.map(|t| t.get()).unwrap_or(kind);
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label for=id>{ui.tr(label)}</label>
            <input
                id=id
                name=id
                type=input_kind
                autocomplete=autocomplete
                inputmode=inputmode
                // Free text (the names) takes its direction from what is typed, so "Amina D."
                // reads as typed on an Arabic page, not ".Amina D" (WCAG 2.2 SC 1.3.2
                // Meaningful Sequence).
                dir=move || (input_kind() == "text").then_some("auto")
                prop:value=move || value.get()
                disabled=move || disabled.get()
                readonly=move || readonly.get()
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-required="true"
                aria-describedby=described_by
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    // Live once an error shows, whoever showed it (a blur, the submit, the
                    // server), so the message always describes what is typed (WCAG 2.2
                    // SC 3.3.1 Error Identification).
                    if touched.get_untracked() || error.get_untracked().is_some() {
                        touched.set(true);
                        check();
                    }
                }
                on:blur=move |_| {
                    // The first check of what was typed. It never takes an error away: the
                    // server's "That code is not right" stays while the code is unchanged.
                    if !value.get_untracked().is_empty() && error.get_untracked().is_none() {
                        after_press(move || {
                            // Unless the submit or the server said something meanwhile.
                            if error.try_get_untracked() == Some(None) {
                                touched.set(true);
                                check();
                            }
                        });
                    }
                }
            />
            {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{move || hint.get()}</p> })}
            <p class="error" id=error_id>
                {move || error.get().map(problem_text)}
            </p>
        </div>
    }
}
