//! The second step of a sign-in (route `/second-factor`, issue 20; OWASP ASVS 5.0 V6.3.3): after
//! a right password that answered `second_factor_required`, and after a social sign-in that
//! came back with `?social_error=second_factor_required`. The waiting sign-in is the server's
//! HttpOnly cookie; this page asks what it may use (`GET /api/session/second-factor`) and shows
//! [`SecondProof`]. Signed in, it goes where a sign-in goes (the OpenID client's
//! `continue_url`, or the account page); after a recovery code it first says how many are
//! left, with a link to the account page to make new ones.

use crate::api::{self, ApiError};
use crate::components::card::{page_title, Card};
use crate::components::second_proof::{Proven, SecondProof, Target};
use crate::i18n::Msg;
use crate::ui::{focus_id, use_ui};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use partner_login_contract::api::{SecondFactorView, SessionView};

/// Where a sign-in goes once it is whole.
fn go_on(view: &SessionView, navigate: &dyn Fn(&str)) {
    crate::storage::clear_invitation();
    if view.factor_required {
        crate::storage::set_after_protect(view.continue_url.as_deref());
        navigate("/protect");
        return;
    }
    if !crate::address::continue_to(view.continue_url.as_deref()) {
        navigate("/portal");
    }
}

#[component]
pub fn SecondFactor() -> impl IntoView {
    let ui = use_ui();
    let navigate = use_navigate();
    let methods = RwSignal::new(None::<SecondFactorView>);
    let failed = RwSignal::new(None::<Msg>);
    // Signed in with a recovery code: the count is said before going on.
    let signed_in = RwSignal::new(None::<(SessionView, u32)>);
    spawn_local(async move {
        match api::second_factor().await {
            Ok(view) => {
                methods.set(Some(view));
                focus_id("app-code");
            }
            Err(ApiError::Network) => failed.set(Some(Msg::NETWORK_ERROR)),
            Err(_) => failed.set(Some(Msg::SECOND_PROOF_EXPIRED)),
        }
    });
    let go = StoredValue::new_local({
        let navigate = navigate.clone();
        move |view: &SessionView| go_on(view, &|path| navigate(path, Default::default()))
    });
    let done = move |proven: Proven| {
        let Some(view) = proven.session else {
            return;
        };
        match proven.recovery_codes_left {
            Some(left) => {
                let text = ui.f(
                    Msg::RECOVERY_CODE_ACCEPTED,
                    &[("count", &ui.n(left.into()))],
                );
                ui.announce(text);
                signed_in.set(Some((view, left)));
                focus_id("continue");
            }
            None => go.with_value(|go| go(&view)),
        }
    };
    page_title(move || ui.t(Msg::SECOND_PROOF_HEADING).to_owned());
    view! {
        <Card>
            <h1>{ui.tr(Msg::SECOND_PROOF_HEADING)}</h1>
            {move || failed.get().map(|msg| view! {
                <p id="form-error" class="form-error" role="alert">{ui.t(msg)}</p>
                <p><a href=crate::deployment::route("/")>{ui.tr(Msg::BACK_TO_SIGN_IN)}</a></p>
            })}
            {move || match (signed_in.get(), methods.get()) {
                (Some((view, left)), _) => view! {
                    <p id="recovery-codes-left" class="status ok">
                        {move || ui.f(Msg::RECOVERY_CODE_ACCEPTED, &[("count", &ui.n(left.into()))])}
                    </p>
                    <p><a id="make-new-codes" href=crate::deployment::route("/portal")>
                        {ui.tr(Msg::MAKE_NEW_RECOVERY_CODES)}
                    </a></p>
                    <button type="button" id="continue" class="primary"
                        on:click=move |_| go.with_value(|go| go(&view))>
                        {ui.tr(Msg::CONTINUE_BUTTON)}
                    </button>
                }.into_any(),
                (None, Some(found)) => view! {
                    <SecondProof target=Target::SignIn methods=found.methods on_done=done />
                }.into_any(),
                (None, None) => view! {
                    <Show when=move || failed.get().is_none()>
                        <p>{ui.tr(Msg::LOADING)}</p>
                    </Show>
                }.into_any(),
            }}
        </Card>
    }
}
