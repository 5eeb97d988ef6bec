//! "Forgot your password?": the reset flow is issue 4; until then, a page that says what to do.

use crate::components::card::Card;
use crate::i18n::Msg;
use crate::use_ui;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Forgot() -> impl IntoView {
    let ui = use_ui();
    view! {
        <Card>
            <h1>{move || ui.t(Msg::ForgotHeading)}</h1>
            <p>{move || ui.t(Msg::ForgotUnavailable)}</p>
            <p><A href="/">{move || ui.t(Msg::BackToSignIn)}</A></p>
        </Card>
    }
}
