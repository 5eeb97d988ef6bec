//! The sign-up screen of the user guide (steps 3, 5 and 6), rendering the pure state machine of
//! `flows::signup`. The flow id rides in the URL (`?flow=`) and the typed fields (never the
//! passwords) in sessionStorage, so a reload or a trip to the mailbox resumes where it was.

use crate::api::{self, ApiError};
use crate::components::card::Card;
use crate::components::field::{Field, FieldProblem};
use crate::flows::signup::{Event, Step};
use crate::i18n::Msg;
use crate::{storage, use_ui};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use partner_login_contract::api::{CompleteSignupRequest, SignupFlowView, StartSignupRequest};
use partner_login_contract::password::check_confirmation;
use partner_login_contract::{
    Email, ErrorCode, Field as F, PasswordPolicy, PersonName, VerificationCode,
};
use std::time::Duration;

const DRAFT: &str = "partner-login.signup.";

fn email_rule(v: &str) -> FieldProblem {
    Email::parse(v).err().map(|c| (c, None))
}
fn code_rule(v: &str) -> FieldProblem {
    VerificationCode::parse(v).err().map(|c| (c, None))
}
fn password_rule(v: &str) -> FieldProblem {
    PasswordPolicy::STANDARD.check(v).err()
}
fn name_rule(v: &str) -> FieldProblem {
    PersonName::parse(v).err().map(|c| {
        let limit = (c == ErrorCode::TooLong)
            .then_some(partner_login_contract::name::NAME_MAX_CHARS as u32);
        (c, limit)
    })
}

/// A text signal restored from, and saved to, the tab's sessionStorage.
fn draft(key: &'static str) -> RwSignal<String> {
    let signal = RwSignal::new(storage::get(&format!("{DRAFT}{key}")).unwrap_or_default());
    Effect::new(move |_| storage::set(&format!("{DRAFT}{key}"), &signal.get()));
    signal
}

#[component]
pub fn SignUp() -> impl IntoView {
    let ui = use_ui();
    let navigate = use_navigate();
    let query = use_query_map();
    let step = RwSignal::new(Step::EnterEmail);

    let email = draft("email");
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let display_name = draft("display_name");
    let given_name = draft("given_name");
    let surname = draft("surname");
    let show_password = RwSignal::new(false);

    let email_error = RwSignal::new(None);
    let code_error = RwSignal::new(None);
    let password_error = RwSignal::new(None);
    let confirmation_error = RwSignal::new(None);
    let display_error = RwSignal::new(None);
    let given_error = RwSignal::new(None);
    let surname_error = RwSignal::new(None);
    let form_error = RwSignal::new(None::<Msg>);
    let busy = RwSignal::new(false);
    let resend_left = RwSignal::new(0u32);

    // The resend countdown, one tick a second.
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if resend_left.get_untracked() > 0 {
                resend_left.update(|s| *s -= 1);
            }
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }

    // Keep the flow id in the URL, so a reload resumes the flow.
    let set_flow_in_url = {
        let navigate = navigate.clone();
        move |flow: Option<&str>| {
            let url = match flow {
                Some(id) => format!("/signup?flow={id}"),
                None => "/signup".to_owned(),
            };
            navigate(
                &url,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    };

    let apply = move |event: Event| {
        let next = step.get_untracked().next(event);
        match &next {
            Step::CodeSent { .. } => ui.announce(ui.t(Msg::CodeSentInfo).to_owned()),
            Step::Verified { .. } => ui.announce(ui.t(Msg::EmailVerified).to_owned()),
            _ => {}
        }
        step.set(next);
    };

    let show_error = move |err: &ApiError| {
        let msg = match err {
            ApiError::Network => Msg::NetworkError,
            ApiError::Problem(p) => Msg::Error(p.code),
        };
        form_error.set(Some(msg));
        ui.announce(ui.t(msg).to_owned());
    };

    let on_flow = move |view: &SignupFlowView| {
        resend_left.set(view.resend_after_seconds);
        if email.get_untracked().is_empty() {
            email.set(view.email.clone());
        }
    };

    // Resume a flow named in the URL.
    if let Some(flow_id) = query.read_untracked().get("flow") {
        let set_flow_in_url = set_flow_in_url.clone();
        spawn_local(async move {
            match api::signup_flow(&flow_id).await {
                Ok(view) => {
                    on_flow(&view);
                    email.set(view.email.clone());
                    step.set(Step::from_view(&view));
                }
                Err(err) => {
                    if err.code().is_some() {
                        set_flow_in_url(None);
                        apply(Event::FlowLost);
                    }
                    show_error(&err);
                }
            }
        });
    }

    let send_code = {
        let set_flow_in_url = set_flow_in_url.clone();
        move |_| {
            if busy.get_untracked() {
                return;
            }
            email_error.set(email_rule(&email.get_untracked()));
            if email_error.get_untracked().is_some() {
                return;
            }
            busy.set(true);
            form_error.set(None);
            let request = StartSignupRequest {
                email: email.get_untracked(),
                invitation: storage::invitation(),
                language: Some(ui.lang.get_untracked().tag().to_owned()),
            };
            let set_flow_in_url = set_flow_in_url.clone();
            spawn_local(async move {
                match api::start_signup(&request).await {
                    Ok(view) => {
                        on_flow(&view);
                        set_flow_in_url(Some(&view.flow_id));
                        apply(Event::CodeSent(view));
                    }
                    Err(err) => {
                        for fe in err.field_errors() {
                            if fe.field == F::Email {
                                email_error.set(Some((fe.code, fe.limit)));
                            }
                        }
                        show_error(&err);
                    }
                }
                busy.set(false);
            });
        }
    };

    let resend = move |_| {
        let Some(flow_id) = step.get_untracked().flow_id().map(str::to_owned) else {
            return;
        };
        busy.set(true);
        form_error.set(None);
        spawn_local(async move {
            match api::resend_code(&flow_id).await {
                Ok(view) => {
                    on_flow(&view);
                    code_error.set(None);
                    apply(Event::CodeSent(view));
                }
                Err(err) => {
                    if let Some(seconds) = err.retry_after() {
                        resend_left.set(seconds);
                    }
                    show_error(&err);
                }
            }
            busy.set(false);
        });
    };

    let verify = move |_| {
        let Some(flow_id) = step.get_untracked().flow_id().map(str::to_owned) else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        let typed = code.get_untracked();
        let parsed = match VerificationCode::parse(&typed) {
            Ok(parsed) => parsed,
            Err(c) => {
                code_error.set(Some((c, None)));
                return;
            }
        };
        busy.set(true);
        form_error.set(None);
        spawn_local(async move {
            match api::verify_code(&flow_id, parsed.as_str()).await {
                Ok(view) => {
                    code_error.set(None);
                    apply(Event::Verified(view));
                }
                Err(err) => match err.code() {
                    Some(
                        c @ (ErrorCode::CodeWrong
                        | ErrorCode::CodeExpired
                        | ErrorCode::CodeExhausted
                        | ErrorCode::CodeFormat),
                    ) => {
                        code_error.set(Some((c, None)));
                        ui.announce(ui.t(Msg::Error(c)).to_owned());
                    }
                    _ => show_error(&err),
                },
            }
            busy.set(false);
        });
    };

    let change_email = {
        let set_flow_in_url = set_flow_in_url.clone();
        move |_| {
            code.set(String::new());
            code_error.set(None);
            form_error.set(None);
            set_flow_in_url(None);
            apply(Event::ChangeEmail);
        }
    };

    let create = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some(flow_id) = step.get_untracked().flow_id().map(str::to_owned) else {
                return;
            };
            if busy.get_untracked() || !step.get_untracked().can_create() {
                return;
            }
            password_error.set(password_rule(&password.get_untracked()));
            confirmation_error.set(
                check_confirmation(&password.get_untracked(), &confirmation.get_untracked())
                    .err()
                    .map(|c| (c, None)),
            );
            display_error.set(name_rule(&display_name.get_untracked()));
            given_error.set(name_rule(&given_name.get_untracked()));
            surname_error.set(name_rule(&surname.get_untracked()));
            let errors = [
                password_error,
                confirmation_error,
                display_error,
                given_error,
                surname_error,
            ];
            if errors.iter().any(|e| e.get_untracked().is_some()) {
                form_error.set(Some(Msg::Error(ErrorCode::ValidationFailed)));
                return;
            }
            busy.set(true);
            form_error.set(None);
            let request = CompleteSignupRequest {
                password: password.get_untracked(),
                password_confirmation: confirmation.get_untracked(),
                display_name: display_name.get_untracked(),
                given_name: given_name.get_untracked(),
                surname: surname.get_untracked(),
            };
            let navigate = navigate.clone();
            spawn_local(async move {
                match api::complete_signup(&flow_id, &request).await {
                    Ok(_) => {
                        for key in ["email", "display_name", "given_name", "surname"] {
                            storage::remove(&format!("{DRAFT}{key}"));
                        }
                        storage::clear_invitation();
                        apply(Event::Created);
                        navigate("/portal", Default::default());
                    }
                    Err(err) => {
                        for fe in err.field_errors() {
                            let target = match fe.field {
                                F::Password => password_error,
                                F::PasswordConfirmation => confirmation_error,
                                F::DisplayName => display_error,
                                F::GivenName => given_error,
                                F::Surname => surname_error,
                                _ => continue,
                            };
                            target.set(Some((fe.code, fe.limit)));
                        }
                        if matches!(
                            err.code(),
                            Some(ErrorCode::FlowNotFound | ErrorCode::FlowExpired)
                        ) {
                            apply(Event::FlowLost);
                        }
                        show_error(&err);
                    }
                }
                busy.set(false);
            });
        }
    };

    let cancel = {
        let navigate = navigate.clone();
        move |_| navigate("/", Default::default())
    };

    let resend_blocked = Signal::derive(move || busy.get() || resend_left.get() != 0);
    let locked = Signal::derive(move || step.get().email_locked());
    let not_verified = Signal::derive(move || !step.get().can_create());
    let password_hint = Signal::derive(move || {
        let p = PasswordPolicy::STANDARD;
        let pw = password.get();
        let (min, rec) = (p.min_chars.to_string(), p.recommended_chars.to_string());
        if !pw.is_empty() && p.check(&pw).is_ok() && p.below_recommended(&pw) {
            ui.f(Msg::PasswordBelowRecommended, &[("recommended", &rec)])
        } else {
            ui.f(Msg::PasswordHint, &[("min", &min), ("recommended", &rec)])
        }
    });
    let password_type = Signal::derive(move || {
        if show_password.get() {
            "text"
        } else {
            "password"
        }
    });

    view! {
        <Card>
            <p id="status" class="status" class:ok=move || step.get().email_locked()>
                {move || match step.get() {
                    Step::EnterEmail => ui.t(Msg::VerificationNecessary),
                    Step::CodeSent { .. } => ui.t(Msg::CodeSentInfo),
                    Step::Verified { .. } | Step::Done => ui.t(Msg::EmailVerified),
                }}
            </p>
            <p id="form-error" class="form-error" role="alert">
                {move || form_error.get().map(|m| ui.t(m))}
            </p>
            <form novalidate on:submit=create>
                <Field id="email" label=Msg::EmailAddress value=email error=email_error
                    kind="email" autocomplete="email" inputmode="email" validate=email_rule
                    readonly=locked />
                {move || match step.get() {
                    Step::EnterEmail => view! {
                        <button type="button" class="primary" on:click=send_code.clone()
                            disabled=move || busy.get()>
                            {move || ui.t(Msg::SendVerificationCode)}
                        </button>
                    }.into_any(),
                    Step::CodeSent { .. } => view! {
                        <Field id="code" label=Msg::VerificationCode value=code error=code_error
                            autocomplete="one-time-code" inputmode="numeric" validate=code_rule />
                        <div class="actions">
                            <button type="button" class="primary" on:click=verify
                                disabled=move || busy.get()>
                                {move || ui.t(Msg::VerifyCode)}
                            </button>
                            <button type="button" on:click=resend
                                disabled=resend_blocked>
                                {move || ui.t(Msg::SendNewCode)}
                            </button>
                        </div>
                        <p id="resend-countdown" class="hint" aria-live="off">
                            {move || (resend_left.get() != 0).then(|| ui.f(
                                Msg::SendNewCodeIn,
                                &[("seconds", &resend_left.get().to_string())],
                            ))}
                        </p>
                    }.into_any(),
                    Step::Verified { .. } | Step::Done => view! {
                        <button type="button" class="link" on:click=change_email.clone()>
                            {move || ui.t(Msg::ChangeEmail)}
                        </button>
                    }.into_any(),
                }}
                <Field id="new-password" label=Msg::NewPassword value=password error=password_error
                    kind="password" autocomplete="new-password" validate=password_rule
                    disabled=not_verified hint=password_hint input_type=password_type />
                <label class="toggle">
                    <input type="checkbox" prop:checked=move || show_password.get()
                        disabled=move || not_verified.get()
                        on:change=move |_| show_password.update(|s| *s = !*s) />
                    {move || ui.t(Msg::ShowPassword)}
                </label>
                <Field id="confirm-password" label=Msg::ConfirmNewPassword value=confirmation
                    error=confirmation_error kind="password" autocomplete="new-password"
                    disabled=not_verified input_type=password_type />
                <Field id="display-name" label=Msg::DisplayName value=display_name
                    error=display_error autocomplete="nickname" validate=name_rule
                    disabled=not_verified />
                <Field id="given-name" label=Msg::GivenName value=given_name error=given_error
                    autocomplete="given-name" validate=name_rule disabled=not_verified />
                <Field id="surname" label=Msg::Surname value=surname error=surname_error
                    autocomplete="family-name" validate=name_rule disabled=not_verified />
                <div class="actions">
                    <button type="submit" class="primary"
                        disabled=move || busy.get() || not_verified.get()>
                        {move || ui.t(Msg::Create)}
                    </button>
                    <button type="button" on:click=cancel>{move || ui.t(Msg::Cancel)}</button>
                </div>
            </form>
        </Card>
    }
}
