//! The second proof (issue 20), wherever it is asked: after a right password
//! (`/second-factor`, `pages::second_factor`: the sign-in's second step, also after a social
//! sign-in that needs one) and between "Verify code" and New Password in "Forgot your
//! password?" (`pages::email_code`). OWASP ASVS 5.0 V6.3.3, V6.4.3.
//!
//! It offers what the server's `methods` say: the authenticator app's 6-digit code
//! (`autocomplete="one-time-code"`, `inputmode="numeric"`), "Use a recovery code instead", and
//! "Use a passkey" (when the browser can). Refusals are said in `#second-proof-error`, in the
//! person's language, and what was typed stays. It reports success to its parent, which goes
//! on: after a recovery code, the parent says how many are left.

use crate::api::{self, ApiError};
use crate::components::field::Field;
use crate::i18n::Msg;
use crate::ui::{focus_id, use_ui};
use crate::webauthn::{self, Failure};
use leptos::prelude::*;
use leptos::task::spawn_local;
use partner_login_contract::api::{SecondFactorMethod, SecondFactorRequest, SessionView};
use partner_login_contract::ErrorCode;

/// Which flow asks for the proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The sign-in waiting for its second step (its HttpOnly cookie).
    SignIn,
    /// A verified password reset, by its flow id.
    Reset(String),
}

/// What a proof ended in.
#[derive(Clone, Debug, PartialEq)]
pub struct Proven {
    /// The new session, after a sign-in's second step.
    pub session: Option<SessionView>,
    /// After a recovery code: how many are left.
    pub recovery_codes_left: Option<u32>,
}

/// The message a refusal gets here: the codes' own words (an app's code, a recovery code),
/// not the emailed code's.
pub fn refusal(err: &ApiError, recovery: bool) -> Msg {
    match err.code() {
        Some(ErrorCode::CodeWrong) if recovery => Msg::RECOVERY_CODE_WRONG,
        Some(ErrorCode::CodeWrong) => Msg::APP_CODE_WRONG,
        Some(ErrorCode::CodeFormat) if recovery => Msg::RECOVERY_CODE_FORMAT,
        Some(ErrorCode::FlowNotFound | ErrorCode::FlowExpired) => Msg::SECOND_PROOF_EXPIRED,
        Some(ErrorCode::InvalidCredentials | ErrorCode::PasskeyRefused) => {
            Msg::SECOND_PROOF_PASSKEY_REFUSED
        }
        _ => err.message(),
    }
}

#[component]
pub fn SecondProof(
    target: Target,
    methods: Vec<SecondFactorMethod>,
    #[prop(into)] on_done: Callback<Proven>,
) -> impl IntoView {
    let ui = use_ui();
    let has = |m| methods.contains(&m);
    let (app, codes, passkey) = (
        has(SecondFactorMethod::App),
        has(SecondFactorMethod::RecoveryCode),
        has(SecondFactorMethod::Passkey) && webauthn::supported(),
    );
    // The recovery code's field first when there is no app.
    let recovery = RwSignal::new(!app && codes);
    let typed = app || codes;
    let code = RwSignal::new(String::new());
    // The refusals are said once, in `#second-proof-error` (the fields' own error lines would
    // say the emailed code's words).
    let code_error = RwSignal::new(None::<(ErrorCode, Option<u32>)>);
    let recovery_code = RwSignal::new(String::new());
    let recovery_error = RwSignal::new(None::<(ErrorCode, Option<u32>)>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let target = StoredValue::new(target);

    let fail = move |text: String, field: &'static str| {
        ui.announce(text.clone());
        error.set(Some(text));
        if !field.is_empty() {
            focus_id(field);
        }
    };
    let refused = move |err: ApiError, in_recovery: bool| {
        let field = if in_recovery {
            "recovery-code"
        } else {
            "app-code"
        };
        let msg = refusal(&err, in_recovery);
        let mut text = ui.t(msg).to_owned();
        if let Some(seconds) = err.retry_after() {
            text = format!("{text} {}", ui.lang.get_untracked().try_again_in(seconds));
        }
        fail(text, field);
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || !typed {
            return;
        }
        let in_recovery = recovery.get_untracked();
        let value = if in_recovery {
            recovery_code.get_untracked()
        } else {
            code.get_untracked()
        };
        if value.trim().is_empty() {
            let field = if in_recovery {
                "recovery-code"
            } else {
                "app-code"
            };
            fail(ui.t(Msg::ERROR_REQUIRED).to_owned(), field);
            return;
        }
        let request = SecondFactorRequest {
            code: (!in_recovery).then(|| value.clone()),
            recovery_code: in_recovery.then_some(value),
            invitation: crate::storage::invitation(),
        };
        busy.set(true);
        error.set(None);
        let target = target.get_value();
        spawn_local(async move {
            let result = match target {
                Target::SignIn => api::finish_second_factor(&request)
                    .await
                    .map(|view| Proven {
                        recovery_codes_left: view.recovery_codes_left,
                        session: Some(view),
                    }),
                Target::Reset(flow) => api::prove_reset(&flow, &request).await.map(|view| Proven {
                    session: None,
                    recovery_codes_left: view.recovery_codes_left,
                }),
            };
            if busy.try_get_untracked().is_none() {
                return;
            }
            busy.set(false);
            match result {
                Ok(proven) => on_done.run(proven),
                Err(err) => refused(err, in_recovery),
            }
        });
    };

    let use_passkey = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let target = target.get_value();
        spawn_local(async move {
            let result = match target {
                Target::SignIn => webauthn::sign_in(false).await.map(|view| Proven {
                    recovery_codes_left: None,
                    session: Some(view),
                }),
                Target::Reset(flow) => webauthn::prove_reset(&flow).await.map(|_| Proven {
                    session: None,
                    recovery_codes_left: None,
                }),
            };
            if busy.try_get_untracked().is_none() {
                return;
            }
            busy.set(false);
            match result {
                Ok(proven) => on_done.run(proven),
                Err(Failure::Api(err) | Failure::NotBegun(err)) => {
                    fail(ui.t(refusal(&err, false)).to_owned(), "")
                }
                // The prompt closed: nothing alarming to say.
                Err(_) => {}
            }
        });
    };

    let switch = move |_| {
        recovery.update(|r| *r = !*r);
        error.set(None);
        focus_id(if recovery.get_untracked() {
            "recovery-code"
        } else {
            "app-code"
        });
    };

    view! {
        <form novalidate class="second-proof" on:submit=submit>
            <p id="second-proof-error" class="form-error" role="alert" tabindex="-1">
                {move || error.get()}
            </p>
            <Show when=move || app && !recovery.get()>
                <p id="app-code-text">{ui.tr(Msg::APP_CODE_TEXT)}</p>
                <Field id="app-code" label=Msg::APP_CODE value=code error=code_error
                    autocomplete="one-time-code" inputmode="numeric" />
            </Show>
            <Show when=move || codes && recovery.get()>
                <p id="recovery-code-text">{ui.tr(Msg::RECOVERY_CODE_TEXT)}</p>
                <Field id="recovery-code" label=Msg::RECOVERY_CODE value=recovery_code
                    error=recovery_error autocomplete="off" />
            </Show>
            <Show when=move || typed>
                <button type="submit" id="verify-second-proof" class="primary"
                    class:busy=busy aria-busy=crate::ui::aria_busy(busy)
                    disabled=move || busy.get()>
                    {ui.tr(Msg::VERIFY)}
                </button>
            </Show>
            <Show when=move || app && codes>
                <p>
                    <button type="button" id="use-recovery-code" class="link" on:click=switch>
                        {move || ui.t(if recovery.get() { Msg::USE_APP_CODE } else { Msg::USE_RECOVERY_CODE })}
                    </button>
                </p>
            </Show>
            <Show when=move || passkey>
                <button type="button" id="use-passkey" class="passkey" on:click=use_passkey
                    disabled=move || busy.get()>
                    {ui.tr(Msg::USE_PASSKEY)}
                </button>
            </Show>
        </form>
    }
}
