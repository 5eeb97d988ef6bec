//! The centred card every screen is drawn in, with the portal's name and the language switcher.

use crate::components::lang_switch::LangSwitch;
use crate::i18n::Msg;
use crate::use_ui;
use leptos::prelude::*;

#[component]
pub fn Card(children: Children) -> impl IntoView {
    let ui = use_ui();
    view! {
        <div class="card">
            <header class="card-header">
                <p class="brand">{move || ui.t(Msg::PortalName)}</p>
                <LangSwitch />
            </header>
            {children()}
        </div>
    }
}
