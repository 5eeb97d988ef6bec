//! The centred card every screen is drawn in, with the portal's name and the language switcher.

use crate::components::lang_switch::LangSwitch;
use crate::i18n::Msg;
use crate::ui::use_ui;
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

/// Names the screen in the tab's title, "<heading> – UN Partner Portal", in the language in
/// force: each screen its own title, not "Sign in" everywhere (WCAG 2.2 SC 2.4.2 Page Titled).
/// `heading` should read the same text as the screen's `<h1>`.
pub fn page_title(heading: impl Fn() -> String + 'static) {
    let ui = use_ui();
    Effect::new(move |_| {
        let title = format!("{} – {}", heading(), ui.t(Msg::PortalName));
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if doc.title() != title {
                doc.set_title(&title);
            }
        }
    });
}
