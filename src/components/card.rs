//! The centred card every screen is drawn in, with the product's name (and logo) and the
//! language switcher above, and the operator's links below (`crate::brand`).

use crate::brand::{product_name, use_brand, BrandFooter, BrandName};
use crate::components::lang_switch::LangSwitch;
use crate::ui::use_ui;
use leptos::prelude::*;

#[component]
pub fn Card(children: Children) -> AnyView {
    view! {
        <div class="card">
            <header class="card-header">
                <BrandName />
                <LangSwitch />
            </header>
            {children()}
            <BrandFooter />
        </div>
    }
    // One type for every screen's card: the screens' own views do not each carry the card's
    // (fewer generic copies in the WASM).
    .into_any()
}

/// Names the screen in the tab's title, "<heading> – UN Partner Portal" (or the operator's
/// product name), in the language in force: each screen its own title, not "Sign in" everywhere (WCAG 2.2 SC 2.4.2 Page Titled).
/// `heading` should read the same text as the screen's `<h1>`.
pub fn page_title(heading: impl Fn() -> String + 'static) {
    let ui = use_ui();
    let brand = use_brand();
    Effect::new(move |_| {
        let title = format!("{} – {}", heading(), product_name(&brand, ui.lang.get()));
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if doc.title() != title {
                doc.set_title(&title);
            }
        }
    });
}
