//! "Send new code", disabled with a visible countdown while the cooldown runs
//! ("Send new code (27 s)").

use crate::i18n::Msg;
use crate::ui::use_ui;
use leptos::prelude::*;

/// The button's text: the seed's "Send new code", with the seconds left while it is disabled.
pub fn label(ui: crate::ui::Ui, seconds: u32) -> String {
    if seconds == 0 {
        ui.t(Msg::SEND_NEW_CODE).to_owned()
    } else {
        ui.f(Msg::SEND_NEW_CODE_IN, &[("seconds", &ui.n(seconds.into()))])
    }
}

#[component]
pub fn ResendButton(
    /// Seconds until a new code may be asked for.
    #[prop(into)]
    seconds: Signal<u32>,
    /// A request is under way.
    #[prop(into)]
    busy: Signal<bool>,
    on_click: Callback<()>,
) -> impl IntoView {
    let ui = use_ui();
    view! {
        <button
            type="button"
            id="resend"
            class:busy=busy
            aria-busy=move || busy.get().then_some("true")
            disabled=move || busy.get() || seconds.get() != 0
            on:click=move |_| on_click.run(())
        >
            {move || label(ui, seconds.get())}
        </button>
    }
}
