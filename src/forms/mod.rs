//! Forms declared once.
//!
//! A [`FieldSpec`] says everything about a field once (`fields.rs`): the input's id, its label,
//! the contract [`Field`] the server names in its errors, the client rule, the input's type and
//! autocomplete purpose. A [`Form`] binds specs to value and error signals ([`FormField`]) and
//! holds what every form has: busy, the form's error, the error summary. From those alone come
//! the inputs ([`Input`]), the summary ([`FormSummary`]), the check on submit
//! ([`Form::check`]), and where a refusal's field errors go ([`Form::fail`]).

pub mod fields;
mod press;

pub use press::{after_press, listen as listen_for_presses};

use crate::api::ApiError;
use crate::components::error_summary::{ErrorSummary, SummaryField};
use crate::components::field::{Field as FieldView, FieldProblem};
use crate::i18n::Msg;
use crate::storage::{self, Draft};
use crate::ui::{focus_id, use_ui, Ui};
use leptos::prelude::*;
use partner_login_contract::{Field, PasswordPolicy};

/// A field's client rule, from the contract crate; the form gives what a rule may need beyond
/// the value (the password policy, another field's value).
pub type Rule = fn(&str, &Form) -> FieldProblem;

/// One field, declared once.
#[derive(Clone, Copy, Debug)]
pub struct FieldSpec {
    /// The input's id (its error is `<id>-error`).
    pub id: &'static str,
    pub label: Msg,
    /// The field the server names in a field error.
    pub field: Field,
    pub rule: Rule,
    /// The input's `type`.
    pub kind: &'static str,
    /// The input's `autocomplete` purpose (WCAG 2.2 SC 1.3.5).
    pub autocomplete: &'static str,
    /// The virtual keyboard to show (`email`, `numeric`), if not the default.
    pub inputmode: Option<&'static str>,
}

/// A field of a form: its spec, what is typed and the error shown.
#[derive(Clone, Copy)]
pub struct FormField {
    pub spec: &'static FieldSpec,
    pub value: RwSignal<String>,
    pub error: RwSignal<FieldProblem>,
    form: Form,
}

impl FormField {
    /// Runs the field's rule on what is typed and shows its verdict.
    pub fn check(self) -> FieldProblem {
        let problem = (self.spec.rule)(&self.value.get_untracked(), &self.form);
        self.error.set(problem);
        problem
    }
}

/// The state of one form.
#[derive(Clone, Copy)]
pub struct Form {
    ui: Ui,
    /// A request is under way: the buttons say so and a second submit waits.
    pub busy: RwSignal<bool>,
    /// The form's own message: what no field says (a refusal, no answer).
    pub error: RwSignal<Option<Msg>>,
    /// The error summary shows (after a submit stopped by field errors).
    pub summary: RwSignal<bool>,
    fields: StoredValue<Vec<FormField>>,
}

impl Form {
    /// An empty form.
    pub fn new(ui: Ui) -> Self {
        Form {
            ui,
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
            summary: RwSignal::new(false),
            fields: StoredValue::new(Vec::new()),
        }
    }

    /// Adds a field, empty. Fields are listed (in the summary) in the order they are added.
    pub fn field(self, spec: &'static FieldSpec) -> FormField {
        self.add(spec, RwSignal::new(String::new()))
    }

    /// Adds a field whose value is kept for the tab in `draft` (restored now, saved as typed).
    pub fn kept(self, spec: &'static FieldSpec, draft: Draft) -> FormField {
        let value = RwSignal::new(storage::draft(draft, spec.field).unwrap_or_default());
        Effect::new(move |_| storage::save_draft(draft, spec.field, &value.read()));
        self.add(spec, value)
    }

    fn add(self, spec: &'static FieldSpec, value: RwSignal<String>) -> FormField {
        let field = FormField {
            spec,
            value,
            error: RwSignal::new(None),
            form: self,
        };
        self.fields.update_value(|fields| fields.push(field));
        field
    }

    /// What is typed into the field of `spec` (empty if the form has none).
    pub fn value_of(self, spec: &FieldSpec) -> String {
        self.fields
            .with_value(|fields| {
                fields
                    .iter()
                    .find(|f| f.spec.id == spec.id)
                    .map(|f| f.value.get_untracked())
            })
            .unwrap_or_default()
    }

    /// The password policy in force (the server's, once it has answered).
    pub fn policy(self) -> PasswordPolicy {
        self.ui.config.with_untracked(|c| c.password_policy)
    }

    /// The check on submit: each field's rule. When one fails, the errors show, the summary
    /// lists them, the form says so, and the focus goes to the first; returns false.
    pub fn check(self, fields: &[FormField]) -> bool {
        let mut first = None;
        for field in fields {
            if field.check().is_some() {
                first.get_or_insert(field.spec.id);
            }
        }
        let Some(id) = first else {
            self.summary.set(false);
            return true;
        };
        self.say(Msg::ERROR_VALIDATION_FAILED, str::to_owned);
        self.summary.set(true);
        focus_id(id);
        false
    }

    /// Starts a request, unless one is under way: busy, and the last one's messages gone.
    pub fn begin(self) -> bool {
        if self.busy.get_untracked() {
            return false;
        }
        self.busy.set(true);
        self.error.set(None);
        self.summary.set(false);
        true
    }

    /// The request is over.
    pub fn end(self) {
        self.busy.set(false);
    }

    /// Shows a refusal: each field error on its field (the summary lists them and the focus goes
    /// to the first), the message in the form's error region unless a field already says it,
    /// and the message said through the live region. Like a blur's, these changes wait for a
    /// pointer pressed meanwhile to be released ([`after_press`]).
    pub fn fail(self, err: &ApiError) {
        self.fail_saying(err, str::to_owned);
    }

    /// [`fail`](Self::fail), with `said` making what the live region says from the message.
    pub fn fail_saying(self, err: &ApiError, said: impl FnOnce(&str) -> String + 'static) {
        let err = err.clone();
        after_press(move || {
            let mut first = None;
            let mut told_by_field = false;
            self.fields.try_with_value(|fields| {
                for field in fields {
                    let errors = err.field_errors().iter();
                    if let Some(fe) = errors.into_iter().find(|fe| fe.field == field.spec.field) {
                        field.error.try_set(Some((fe.code, fe.limit)));
                        first.get_or_insert(field.spec.id);
                        told_by_field |= err.code() == Some(fe.code);
                    }
                }
            });
            let msg = err.message();
            if told_by_field {
                self.ui.announce(said(self.ui.t(msg)));
            } else {
                self.say(msg, said);
            }
            if let Some(id) = first {
                self.summary.try_set(true);
                focus_id(id);
            }
        });
    }

    /// Shows `msg` in the form's error region and says it.
    fn say(self, msg: Msg, said: impl FnOnce(&str) -> String) {
        self.error.try_set(Some(msg));
        self.ui.announce(said(self.ui.t(msg)));
    }

    /// The summary's entries: every field, in order.
    fn summary_fields(self) -> Vec<SummaryField> {
        self.fields.with_value(|fields| {
            fields
                .iter()
                .map(|f| SummaryField {
                    id: f.spec.id,
                    label: f.spec.label,
                    error: f.error,
                })
                .collect()
        })
    }
}

/// A field's input, drawn from its spec: label, input, error, ARIA wiring and its rule.
#[component]
pub fn Input(
    field: FormField,
    #[prop(into, default = Signal::from(false))] disabled: Signal<bool>,
    #[prop(into, default = Signal::from(false))] readonly: Signal<bool>,
    /// A live hint under the input (the password's feedback).
    #[prop(into, optional_no_strip)]
    hint: Option<Signal<String>>,
    /// The input's type when it changes ("Show password").
    #[prop(into, optional_no_strip)]
    input_type: Option<Signal<&'static str>>,
) -> impl IntoView {
    let FormField {
        spec,
        value,
        error,
        form,
    } = field;
    let validate = Callback::new(move |typed: String| (spec.rule)(&typed, &form));
    view! {
        <FieldView id=spec.id label=spec.label value error kind=spec.kind
            autocomplete=spec.autocomplete inputmode=spec.inputmode validate disabled readonly
            hint input_type />
    }
}

/// The form's error region (`#form-error`), with `children` after the message (sign-in's
/// "Try again in …").
#[component]
pub fn FormError(form: Form, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    let ui = use_ui();
    view! {
        <p id="form-error" class="form-error">
            {move || form.error.get().map(|m| ui.t(m))}
            {children.map(|children| children())}
        </p>
    }
}

/// The error summary of the form's fields.
#[component]
pub fn FormSummary(form: Form) -> impl IntoView {
    view! { <ErrorSummary shown=form.summary fields=form.summary_fields() /> }
}

/// The form's submit button, busy while a request is under way.
#[component]
pub fn Submit(
    form: Form,
    label: Msg,
    /// Not usable yet (the last step before the email is verified).
    #[prop(into, default = Signal::from(false))]
    disabled: Signal<bool>,
) -> impl IntoView {
    let ui = use_ui();
    let busy = move || form.busy.get() && !disabled.get();
    view! {
        <button type="submit" class="primary" class:busy=busy
            aria-busy=move || busy().then_some("true")
            disabled=move || form.busy.get() || disabled.get()>
            {ui.tr(label)}
        </button>
    }
}
