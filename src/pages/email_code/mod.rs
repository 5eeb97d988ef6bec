//! The email-code form shared by sign-up (user guide steps 3, 5 and 6) and "Forgot your
//! password?", rendering the pure state machine of `flows::email_code`. The flow id rides in
//! the URL (`?flow=`) and the typed fields (never the passwords) in sessionStorage, so a reload
//! or a trip to the mailbox resumes where it was.
//!
//! One `<form>`: its submit (Enter, or the step's primary button) does what the step is for:
//! "Send verification code" (`email_step.rs`), "Verify code" (`code_step.rs`), then the new
//! password and the kind's [`LastStep`] (`password_step.rs`): sign-up's names and "Create"
//! (`pages/sign_up.rs`), or the reset's "Continue" (`pages/forgot.rs`).

mod code_step;
mod email_step;
mod password_step;
pub mod reset_proof;

use crate::api::{self, ApiError};
use crate::components::card::{page_title, Card};
use crate::flows::email_code::{Event, Step};
use crate::forms::fields::{CODE, CONFIRM_PASSWORD, EMAIL, NEW_PASSWORD};
use crate::forms::{FieldSpec, Form, FormError, FormField, FormSummary};
use crate::i18n::Msg;
use crate::storage::{self, Draft};
use crate::ui::{use_ui, Ui};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use partner_login_contract::api::{EmailCodeKind, ResetProofView, SessionView};
use partner_login_contract::{ErrorCode, Field};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

/// The request that ends a flow, under way.
pub type Completion = Pin<Box<dyn Future<Output = Result<SessionView, ApiError>>>>;

/// What a kind of flow adds after the shared steps.
pub struct LastStep {
    /// The fields after New Password and Confirm New Password (sign-up's names), kept for the
    /// tab like the address.
    pub fields: &'static [&'static FieldSpec],
    /// The last button's words ("Create", "Continue").
    pub button: Msg,
    /// The request, given the flow id and the form to read the fields from.
    pub complete: fn(String, Form) -> Completion,
    /// What is drawn between "Verify code" and New Password: the reset's second proof
    /// ([`reset_proof::draw`], issue 20). Named by `pages/forgot.rs` alone, so a WASM without
    /// the reset's screen (the sign-in group's, `src/groups.rs`) leaves its code out.
    pub between: Option<fn(Flow) -> AnyView>,
}

/// The part of a [`Step`] that decides which controls are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    EnterEmail,
    CodeSent,
    Verified,
}

impl Phase {
    fn of(step: &Step) -> Phase {
        match step {
            Step::EnterEmail => Phase::EnterEmail,
            Step::CodeSent { .. } => Phase::CodeSent,
            Step::Verified { .. } | Step::Done => Phase::Verified,
        }
    }
}

type Navigate = Rc<dyn Fn(&str, NavigateOptions)>;

/// One flow on its screen: what its steps share.
#[derive(Clone, Copy)]
pub struct Flow {
    kind: EmailCodeKind,
    last: &'static LastStep,
    ui: Ui,
    form: Form,
    step: RwSignal<Step>,
    /// Which controls the step shows. A memo, so the countdown's tick (a new `Step` every
    /// second) does not rebuild them: rebuilding re-created the code field each second, which
    /// took the focus away from someone typing the code and could drop what they typed
    /// (WCAG 2.2 SC 2.4.3, 3.2.2).
    phase: Memo<Phase>,
    email: FormField,
    code: FormField,
    password: FormField,
    confirmation: FormField,
    last_fields: StoredValue<Vec<FormField>>,
    navigate: StoredValue<Navigate, LocalStorage>,
    /// A reset's second proof (issue 20): what the verified flow's account needs before its
    /// new password; `None` until asked.
    proof: RwSignal<Option<ResetProofView>>,
}

impl Flow {
    /// A reset whose account still owes its second proof: New Password waits (ASVS 5.0
    /// V6.4.3). Unknown yet counts as owed.
    fn proof_owed(self) -> bool {
        self.kind == EmailCodeKind::PasswordReset
            && self.proof.with(|p| {
                p.as_ref()
                    .is_none_or(|p| !p.methods.is_empty() && !p.proven)
            })
    }

    fn apply(self, event: Event) {
        if let Some(current) = self.step.try_get_untracked() {
            self.step.set(current.next(event));
        }
    }

    fn id(self) -> Option<String> {
        self.step.with_untracked(|s| s.flow_id().map(str::to_owned))
    }

    fn draft(self) -> Draft {
        Draft::EmailCode(self.kind)
    }

    fn route(self) -> &'static str {
        match self.kind {
            EmailCodeKind::SignUp => "/signup",
            EmailCodeKind::PasswordReset => "/forgot",
        }
    }

    fn go(self, url: &str, options: NavigateOptions) {
        let navigate = self.navigate.get_value();
        navigate(url, options);
    }

    /// Keeps the flow id in the URL, so a reload resumes the flow.
    fn set_flow_in_url(self, flow: Option<&str>) {
        let url = match flow {
            Some(id) => format!("{}?flow={id}", self.route()),
            None => self.route().to_owned(),
        };
        let options = NavigateOptions {
            replace: true,
            scroll: false,
            ..Default::default()
        };
        self.go(&url, options);
    }

    /// The server no longer knows the flow: start over.
    fn lost(self) {
        self.set_flow_in_url(None);
        self.apply(Event::FlowLost);
    }

    /// Leaves the flow for `path`, forgetting what was typed.
    fn leave(self, path: &str) {
        storage::forget_draft(self.draft());
        self.go(path, Default::default());
    }

    /// Leaves the completed flow, signed in: a new account to "Protect your account" when
    /// passkeys or authenticator apps are offered (where it was going is kept for after); else for the server's
    /// `continue_url` when it gave one (the form stays busy until the page goes), else for the
    /// account page.
    fn leave_for(self, continue_url: Option<&str>) {
        storage::forget_draft(self.draft());
        let protect = crate::webauthn::offered(self.ui)
            || self.ui.config.with_untracked(|c| c.authenticator_apps);
        if self.kind == EmailCodeKind::SignUp && protect {
            storage::set_after_protect(continue_url);
            self.form.end();
            self.go("/protect", Default::default());
            return;
        }
        if !crate::address::continue_to(continue_url) {
            self.form.end();
            self.go("/portal", Default::default());
        }
    }
}

/// Whether a refusal says the flow is gone (expired or unknown).
fn flow_gone(err: &ApiError) -> bool {
    matches!(
        err.code(),
        Some(ErrorCode::FlowNotFound | ErrorCode::FlowExpired)
    )
}

#[component]
pub fn EmailCodeFlow(kind: EmailCodeKind, last: &'static LastStep) -> impl IntoView {
    let ui = use_ui();
    let query = use_query_map();
    let form = Form::new(ui);
    let draft = Draft::EmailCode(kind);
    let email = form.kept(&EMAIL, draft);
    if kind == EmailCodeKind::PasswordReset && email.value.read_untracked().is_empty() {
        if let Some(typed) = storage::draft(Draft::SignIn, Field::Email) {
            email.value.set(typed);
        }
    }
    let step = RwSignal::new(Step::EnterEmail);
    let flow = Flow {
        kind,
        last,
        ui,
        form,
        step,
        phase: Memo::new(move |_| step.with(Phase::of)),
        email,
        code: form.field(&CODE),
        password: form.field(&NEW_PASSWORD),
        confirmation: form.field(&CONFIRM_PASSWORD),
        last_fields: StoredValue::new(last.fields.iter().map(|s| form.kept(s, draft)).collect()),
        navigate: StoredValue::new_local(Rc::new(use_navigate())),
        proof: RwSignal::new(None),
    };

    // The resend countdown, one tick a second.
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if step.try_with_untracked(Step::resend_after).unwrap_or(0) > 0 {
                flow.apply(Event::Tick);
            }
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }

    // A reset email's one-time link (`/forgot#<token>`, sent once the address had too many
    // wrong codes): it verifies its flow, which goes on under a new id at New Password.
    let link = match kind {
        EmailCodeKind::PasswordReset => crate::address::take_fragment(),
        EmailCodeKind::SignUp => None,
    };
    if let Some(token) = link {
        form.busy.set(true);
        spawn_local(async move {
            match api::open_reset_link(&token).await {
                Ok(view) => {
                    email.value.set(view.email.clone());
                    flow.set_flow_in_url(Some(&view.flow_id));
                    step.set(Step::from_view(&view));
                    ui.announce(ui.t(Msg::EMAIL_VERIFIED).to_owned());
                    form.end();
                    crate::ui::focus_id("new-password");
                }
                Err(err) => {
                    form.fail(&err);
                    form.end();
                }
            }
        });
    } else if let Some(flow_id) = query.read_untracked().get("flow") {
        // Resume a flow named in the URL.
        form.busy.set(true);
        spawn_local(async move {
            match api::flow(kind, &flow_id).await {
                Ok(view) => {
                    email.value.set(view.email.clone());
                    step.set(Step::from_view(&view));
                }
                Err(err) => {
                    if err.code().is_some() {
                        flow.lost();
                    }
                    form.fail(&err);
                }
            }
            form.end();
        });
    }

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        match flow.phase.get_untracked() {
            Phase::EnterEmail => email_step::send_code(flow),
            Phase::CodeSent => code_step::verify(flow),
            Phase::Verified => password_step::complete(flow),
        }
    };

    let heading = match kind {
        EmailCodeKind::SignUp => Msg::SIGN_UP_HEADING,
        EmailCodeKind::PasswordReset => Msg::FORGOT_HEADING,
    };
    page_title(move || ui.t(heading).to_owned());
    view! {
        <Card>
            // Sign-up's heading is for screen readers: the screen is the guide's, without one.
            <h1 class:visually-hidden={kind == EmailCodeKind::SignUp}>{ui.tr(heading)}</h1>
            <p id="status" class="status" class:ok=move || step.with(Step::can_create)>
                {move || ui.t(match flow.phase.get() {
                    Phase::EnterEmail => Msg::VERIFICATION_NECESSARY,
                    Phase::CodeSent => Msg::CODE_SENT_INFO,
                    Phase::Verified => Msg::EMAIL_VERIFIED,
                })}
            </p>
            <FormError form />
            <FormSummary form />
            <form novalidate on:submit=submit>
                <email_step::EmailStep flow />
                <code_step::CodeStep flow />
            </form>
            {last.between.map(|between| between(flow))}
            <form novalidate on:submit=submit>
                <password_step::PasswordStep flow />
            </form>
        </Card>
    }
}
