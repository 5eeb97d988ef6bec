//! The email-code form shared by sign-up (user guide steps 3, 5 and 6) and "Forgot your
//! password?", rendering the pure state machine of `flows::email_code`. The flow id rides in the URL
//! (`?flow=`) and the typed fields (never the passwords) in sessionStorage, so a reload or a trip
//! to the mailbox resumes where it was.
//!
//! One `<form>`: its submit (Enter, or the step's primary button) does what the step is for:
//! "Send verification code", "Verify code", then "Create" (sign-up: passwords and names) or
//! "Continue" (reset: passwords only).

use crate::api::{self, ApiError};
use crate::components::card::{page_title, Card};
use crate::components::error_summary::{ErrorSummary, SummaryField};
use crate::components::field::{rule, Field, FieldProblem};
use crate::components::resend::ResendButton;
use crate::flows::email_code::{Event, Step};
use crate::flows::password::feedback;
use crate::i18n::Msg;
use crate::{focus_id, storage, use_ui};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use partner_login_contract::api::{
    CompletePasswordResetRequest, CompleteSignupRequest, EmailCodeFlowView, EmailCodeKind,
    SessionView, StartEmailCodeRequest,
};
use partner_login_contract::password::check_confirmation;
use partner_login_contract::{Email, ErrorCode, Field as F, PersonName, VerificationCode};
use std::time::Duration;

/// The sessionStorage key of a draft field of a flow.
pub fn draft_key(kind: EmailCodeKind, field: &str) -> String {
    match kind {
        EmailCodeKind::SignUp => format!("partner-login.signup.{field}"),
        EmailCodeKind::PasswordReset => format!("partner-login.reset.{field}"),
    }
}

/// The route of a flow's page.
fn route(kind: EmailCodeKind) -> &'static str {
    match kind {
        EmailCodeKind::SignUp => "/signup",
        EmailCodeKind::PasswordReset => "/forgot",
    }
}

/// The fields a flow keeps across reloads.
const DRAFT_FIELDS: [&str; 4] = ["email", "display_name", "given_name", "surname"];

fn email_rule(v: &str) -> FieldProblem {
    Email::parse(v).err().map(|c| (c, None))
}
fn code_rule(v: &str) -> FieldProblem {
    VerificationCode::parse(v).err().map(|c| (c, None))
}
fn name_rule(v: &str) -> FieldProblem {
    PersonName::parse(v).err().map(|c| {
        let limit = (c == ErrorCode::TooLong)
            .then_some(partner_login_contract::name::NAME_MAX_CHARS as u32);
        (c, limit)
    })
}

/// A text signal restored from, and saved to, the tab's sessionStorage.
fn draft(kind: EmailCodeKind, key: &'static str) -> RwSignal<String> {
    let signal = RwSignal::new(storage::get(&draft_key(kind, key)).unwrap_or_default());
    Effect::new(move |_| storage::set(&draft_key(kind, key), &signal.get()));
    signal
}

/// The email a flow starts with: its draft; for a reset, else the one typed on sign-in.
fn initial_email(kind: EmailCodeKind) -> RwSignal<String> {
    let email = draft(kind, "email");
    if kind == EmailCodeKind::PasswordReset && email.get_untracked().is_empty() {
        if let Some(typed) = storage::get("partner-login.signin.email") {
            email.set(typed);
        }
    }
    email
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

#[component]
pub fn EmailCodeFlow(kind: EmailCodeKind) -> impl IntoView {
    let ui = use_ui();
    let navigate = use_navigate();
    let query = use_query_map();
    let step = RwSignal::new(Step::EnterEmail);

    let email = initial_email(kind);
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let display_name = draft(kind, "display_name");
    let given_name = draft(kind, "given_name");
    let surname = draft(kind, "surname");
    let signup = kind == EmailCodeKind::SignUp;
    let show_password = RwSignal::new(false);

    let email_error = RwSignal::new(None);
    let code_error = RwSignal::new(None);
    let password_error = RwSignal::new(None);
    let confirmation_error = RwSignal::new(None);
    let display_error = RwSignal::new(None);
    let given_error = RwSignal::new(None);
    let surname_error = RwSignal::new(None);
    let form_error = RwSignal::new(None::<Msg>);
    // The error summary shows after a submit stopped by field errors (ours or the server's).
    let summary_shown = RwSignal::new(false);
    let busy = RwSignal::new(false);

    let apply = move |event: Event| {
        if let Some(current) = step.try_get_untracked() {
            step.set(current.next(event));
        }
    };

    // The resend countdown, one tick a second.
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if step.try_with_untracked(Step::resend_after).unwrap_or(0) > 0 {
                apply(Event::Tick);
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
                Some(id) => format!("{}?flow={id}", route(kind)),
                None => route(kind).to_owned(),
            };
            navigate(
                &url,
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                },
            );
        }
    };

    let show_error = move |err: &ApiError| {
        let msg = err.message();
        form_error.set(Some(msg));
        ui.announce(ui.t(msg).to_owned());
    };

    let on_flow = move |view: &EmailCodeFlowView| {
        email.set(view.email.clone());
    };

    // Resume a flow named in the URL.
    if let Some(flow_id) = query.read_untracked().get("flow") {
        let set_flow_in_url = set_flow_in_url.clone();
        busy.set(true);
        spawn_local(async move {
            match api::flow(kind, &flow_id).await {
                Ok(view) => {
                    on_flow(&view);
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
            busy.set(false);
        });
    }

    let send_code = {
        let set_flow_in_url = set_flow_in_url.clone();
        move || {
            email_error.set(email_rule(&email.get_untracked()));
            if email_error.get_untracked().is_some() {
                summary_shown.set(true);
                focus_id("email");
                return;
            }
            summary_shown.set(false);
            busy.set(true);
            form_error.set(None);
            let request = StartEmailCodeRequest {
                email: email.get_untracked().trim().to_owned(),
                invitation: storage::invitation(),
                language: Some(ui.lang.get_untracked().tag().to_owned()),
            };
            let set_flow_in_url = set_flow_in_url.clone();
            spawn_local(async move {
                match api::start_flow(kind, &request).await {
                    Ok(view) => {
                        on_flow(&view);
                        set_flow_in_url(Some(&view.flow_id));
                        apply(Event::CodeSent(view));
                        ui.announce(ui.t(Msg::CodeSentInfo).to_owned());
                        focus_id("code");
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

    let resend = Callback::new(move |()| {
        let Some(flow_id) = step.get_untracked().flow_id().map(str::to_owned) else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        form_error.set(None);
        spawn_local(async move {
            match api::resend_code(kind, &flow_id).await {
                Ok(view) => {
                    code.set(String::new());
                    code_error.set(None);
                    apply(Event::CodeSent(view));
                    ui.announce(ui.t(Msg::CodeSentInfo).to_owned());
                    focus_id("code");
                }
                Err(err) => {
                    if let Some(seconds) = err.retry_after() {
                        apply(Event::RetryAfter(seconds));
                    }
                    show_error(&err);
                }
            }
            busy.set(false);
        });
    });

    let verify = move || {
        let Some(flow_id) = step.get_untracked().flow_id().map(str::to_owned) else {
            return;
        };
        let parsed = match VerificationCode::parse(&code.get_untracked()) {
            Ok(parsed) => parsed,
            Err(c) => {
                code_error.set(Some((c, None)));
                focus_id("code");
                return;
            }
        };
        busy.set(true);
        form_error.set(None);
        spawn_local(async move {
            match api::verify_code(kind, &flow_id, parsed.as_str()).await {
                Ok(view) => {
                    code_error.set(None);
                    apply(Event::Verified(view));
                    ui.announce(ui.t(Msg::EmailVerified).to_owned());
                    focus_id("new-password");
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
                        focus_id("code");
                    }
                    Some(ErrorCode::FlowNotFound | ErrorCode::FlowExpired) => {
                        apply(Event::FlowLost);
                        show_error(&err);
                        focus_id("email");
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
            focus_id("email");
        }
    };

    let create = {
        let navigate = navigate.clone();
        move || {
            let Some(flow_id) = step.get_untracked().flow_id().map(str::to_owned) else {
                return;
            };
            if !step.get_untracked().can_create() {
                return;
            }
            let policy = ui.config.with_untracked(|c| c.password_policy);
            password_error.set(policy.check(&password.get_untracked()).err());
            confirmation_error.set(
                check_confirmation(&password.get_untracked(), &confirmation.get_untracked())
                    .err()
                    .map(|c| (c, None)),
            );
            if signup {
                display_error.set(name_rule(&display_name.get_untracked()));
                given_error.set(name_rule(&given_name.get_untracked()));
                surname_error.set(name_rule(&surname.get_untracked()));
            }
            let fields = [
                (password_error, "new-password"),
                (confirmation_error, "confirm-password"),
                (display_error, "display-name"),
                (given_error, "given-name"),
                (surname_error, "surname"),
            ];
            if let Some((_, id)) = fields.iter().find(|(e, _)| e.get_untracked().is_some()) {
                summary_shown.set(true);
                form_error.set(Some(Msg::Error(ErrorCode::ValidationFailed)));
                ui.announce(ui.t(Msg::Error(ErrorCode::ValidationFailed)).to_owned());
                focus_id(id);
                return;
            }
            summary_shown.set(false);
            busy.set(true);
            form_error.set(None);
            let (password, confirmation) = (password.get_untracked(), confirmation.get_untracked());
            let signup_request = CompleteSignupRequest {
                password: password.clone(),
                password_confirmation: confirmation.clone(),
                display_name: display_name.get_untracked().trim().to_owned(),
                given_name: given_name.get_untracked().trim().to_owned(),
                surname: surname.get_untracked().trim().to_owned(),
            };
            let reset_request = CompletePasswordResetRequest {
                password,
                password_confirmation: confirmation,
            };
            let navigate = navigate.clone();
            spawn_local(async move {
                let done: Result<SessionView, ApiError> = match kind {
                    EmailCodeKind::SignUp => api::complete_signup(&flow_id, &signup_request).await,
                    EmailCodeKind::PasswordReset => {
                        api::complete_reset(&flow_id, &reset_request).await
                    }
                };
                match done {
                    Ok(_) => {
                        for key in DRAFT_FIELDS {
                            storage::remove(&draft_key(kind, key));
                        }
                        storage::clear_invitation();
                        apply(Event::Completed);
                        navigate("/portal", Default::default());
                    }
                    Err(err) => {
                        let mut first = None;
                        for fe in err.field_errors() {
                            let (target, id) = match fe.field {
                                F::Password => (password_error, "new-password"),
                                F::PasswordConfirmation => (confirmation_error, "confirm-password"),
                                F::DisplayName => (display_error, "display-name"),
                                F::GivenName => (given_error, "given-name"),
                                F::Surname => (surname_error, "surname"),
                                _ => continue,
                            };
                            target.set(Some((fe.code, fe.limit)));
                            first.get_or_insert(id);
                        }
                        if matches!(
                            err.code(),
                            Some(ErrorCode::FlowNotFound | ErrorCode::FlowExpired)
                        ) {
                            apply(Event::FlowLost);
                        }
                        show_error(&err);
                        if let Some(id) = first {
                            summary_shown.set(true);
                            focus_id(id);
                        }
                    }
                }
                busy.set(false);
            });
        }
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        match step.get_untracked() {
            Step::EnterEmail => send_code(),
            Step::CodeSent { .. } => verify(),
            Step::Verified { .. } => create(),
            Step::Done => {}
        }
    };

    let cancel = {
        let navigate = navigate.clone();
        move |_| {
            apply(Event::Cancel);
            for key in DRAFT_FIELDS {
                storage::remove(&draft_key(kind, key));
            }
            navigate("/", Default::default());
        }
    };

    let resend_after = Signal::derive(move || step.with(Step::resend_after));
    // Which controls the step shows. A memo, so the countdown's tick (a new `Step` every
    // second) does not rebuild them: rebuilding re-created the code field each second, which
    // took the focus away from someone typing the code and could drop what they typed
    // (WCAG 2.2 SC 2.4.3, 3.2.2).
    let phase = Memo::new(move |_| step.with(Phase::of));
    let locked = Signal::derive(move || step.with(Step::email_locked));
    let not_verified = Signal::derive(move || !step.with(Step::can_create));
    let password_hint = Signal::derive(move || {
        let policy = ui.config.with(|c| c.password_policy);
        ui.lang
            .get()
            .password_feedback(feedback(&policy, &password.read()[..]))
    });
    let password_rule = Callback::new(move |v: String| {
        ui.config
            .with_untracked(|c| c.password_policy.check(&v).err())
    });
    let confirmation_rule = Callback::new(move |v: String| {
        check_confirmation(&password.get_untracked(), &v)
            .err()
            .map(|c| (c, None))
    });
    let password_type = Signal::derive(move || {
        if show_password.get() {
            "text"
        } else {
            "password"
        }
    });
    let busy_attr = move || busy.get().then_some("true");
    let summary_fields = vec![
        SummaryField {
            id: "email",
            label: Msg::EmailAddress,
            error: email_error,
        },
        SummaryField {
            id: "code",
            label: Msg::VerificationCode,
            error: code_error,
        },
        SummaryField {
            id: "new-password",
            label: Msg::NewPassword,
            error: password_error,
        },
        SummaryField {
            id: "confirm-password",
            label: Msg::ConfirmNewPassword,
            error: confirmation_error,
        },
        SummaryField {
            id: "display-name",
            label: Msg::DisplayName,
            error: display_error,
        },
        SummaryField {
            id: "given-name",
            label: Msg::GivenName,
            error: given_error,
        },
        SummaryField {
            id: "surname",
            label: Msg::Surname,
            error: surname_error,
        },
    ];
    page_title(move || {
        ui.t(match kind {
            EmailCodeKind::SignUp => Msg::SignUpHeading,
            EmailCodeKind::PasswordReset => Msg::ForgotHeading,
        })
        .to_owned()
    });

    view! {
        <Card>
            {match kind {
                EmailCodeKind::SignUp => view! {
                    <h1 class="visually-hidden">{move || ui.t(Msg::SignUpHeading)}</h1>
                }.into_any(),
                EmailCodeKind::PasswordReset => view! {
                    <h1>{move || ui.t(Msg::ForgotHeading)}</h1>
                }.into_any(),
            }}
            <p id="status" class="status" class:ok=move || step.with(Step::can_create)>
                {move || match step.get() {
                    Step::EnterEmail => ui.t(Msg::VerificationNecessary),
                    Step::CodeSent { .. } => ui.t(Msg::CodeSentInfo),
                    Step::Verified { .. } | Step::Done => ui.t(Msg::EmailVerified),
                }}
            </p>
            <p id="form-error" class="form-error">
                {move || form_error.get().map(|m| ui.t(m))}
            </p>
            <ErrorSummary shown=summary_shown fields=summary_fields />
            <form novalidate on:submit=submit>
                <Field id="email" label=Msg::EmailAddress value=email error=email_error
                    kind="email" autocomplete="email" inputmode="email"
                    validate=rule(email_rule) readonly=locked />
                {move || match phase.get() {
                    Phase::EnterEmail => view! {
                        <button type="submit" class="primary" class:busy=move || busy.get()
                            aria-busy=busy_attr disabled=move || busy.get()>
                            {move || ui.t(Msg::SendVerificationCode)}
                        </button>
                    }.into_any(),
                    Phase::CodeSent => view! {
                        <button type="button" class="link" on:click=change_email.clone()>
                            {move || ui.t(Msg::ChangeEmail)}
                        </button>
                        <Field id="code" label=Msg::VerificationCode value=code error=code_error
                            autocomplete="one-time-code" inputmode="numeric"
                            validate=rule(code_rule) />
                        <div class="actions">
                            <button type="submit" class="primary" class:busy=move || busy.get()
                                aria-busy=busy_attr disabled=move || busy.get()>
                                {move || ui.t(Msg::VerifyCode)}
                            </button>
                            <ResendButton seconds=resend_after busy=busy on_click=resend />
                        </div>
                        <Show when=move || ui.config.with(|c| c.dev_mailbox)>
                            <p class="hint">
                                <a href=crate::deployment::backend_page("/dev/mailbox") target="_blank"
                                    rel="noopener">
                                    {move || ui.t(Msg::DevMailbox)}
                                </a>
                            </p>
                        </Show>
                    }.into_any(),
                    Phase::Verified => view! {
                        <button type="button" class="link" on:click=change_email.clone()>
                            {move || ui.t(Msg::ChangeEmail)}
                        </button>
                    }.into_any(),
                }}
                <Field id="new-password" label=Msg::NewPassword value=password error=password_error
                    kind="password" autocomplete="new-password" validate=password_rule
                    disabled=not_verified hint=password_hint input_type=password_type />
                <label class="toggle">
                    <input type="checkbox" id="show-password"
                        prop:checked=move || show_password.get()
                        disabled=move || not_verified.get()
                        on:change=move |_| show_password.update(|s| *s = !*s) />
                    {move || ui.t(Msg::ShowPassword)}
                </label>
                <Field id="confirm-password" label=Msg::ConfirmNewPassword value=confirmation
                    error=confirmation_error kind="password" autocomplete="new-password"
                    validate=confirmation_rule disabled=not_verified input_type=password_type />
                <Show when=move || signup>
                    <Field id="display-name" label=Msg::DisplayName value=display_name
                        error=display_error autocomplete="nickname" validate=rule(name_rule)
                        disabled=not_verified />
                    <Field id="given-name" label=Msg::GivenName value=given_name
                        error=given_error autocomplete="given-name" validate=rule(name_rule)
                        disabled=not_verified />
                    <Field id="surname" label=Msg::Surname value=surname error=surname_error
                        autocomplete="family-name" validate=rule(name_rule)
                        disabled=not_verified />
                </Show>
                <div class="actions">
                    <button type="submit" class="primary" class:busy=move || busy.get()
                        aria-busy=move || (busy.get() && !not_verified.get()).then_some("true")
                        disabled=move || busy.get() || not_verified.get()>
                        {move || ui.t(if signup { Msg::Create } else { Msg::Continue })}
                    </button>
                    <button type="button" on:click=cancel>{move || ui.t(Msg::Cancel)}</button>
                </div>
            </form>
        </Card>
    }
}
