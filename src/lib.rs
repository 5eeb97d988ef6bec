//! The partner-login SPA: the sign-in and sign-up screens of the UN Partner Portal.
//!
//! - `pages/`: one module per route; `components/`: shared pieces (the field with its label and
//!   error, the language switcher, the card layout);
//! - `flows/`: pure state machines the pages render; `api.rs`: every HTTP call;
//! - `i18n/`: every string in every language; `storage.rs`: what survives a reload.

pub mod api;
pub mod components;
pub mod flows;
pub mod i18n;
pub mod pages;
pub mod storage;

use i18n::{Lang, Msg};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The language in force and the polite live region, shared by every screen.
#[derive(Clone, Copy)]
pub struct Ui {
    pub lang: RwSignal<Lang>,
    pub live: RwSignal<String>,
}

impl Ui {
    pub fn t(&self, msg: Msg) -> &'static str {
        self.lang.get().text(msg)
    }

    pub fn f(&self, msg: Msg, args: &[(&str, &str)]) -> String {
        self.lang.get().format(msg, args)
    }

    /// Says `text` through the polite live region (screen readers announce it).
    pub fn announce(&self, text: String) {
        self.live.set(text);
    }
}

pub fn use_ui() -> Ui {
    expect_context::<Ui>()
}

/// The language to start in: `?lang=`, then the browser's preferences, then English.
fn initial_lang() -> Lang {
    let window = web_sys::window();
    let from_query = window
        .as_ref()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| {
            q.trim_start_matches('?')
                .split('&')
                .find_map(|kv| kv.strip_prefix("lang=").map(str::to_owned))
        })
        .and_then(|tag| Lang::from_tag(&tag));
    let from_storage = storage::get("partner-login.lang").and_then(|t| Lang::from_tag(&t));
    let from_browser = window
        .and_then(|w| w.navigator().language())
        .and_then(|tag| Lang::from_tag(&tag));
    from_query
        .or(from_storage)
        .or(from_browser)
        .unwrap_or(Lang::En)
}

#[component]
pub fn App() -> impl IntoView {
    let ui = Ui {
        lang: RwSignal::new(initial_lang()),
        live: RwSignal::new(String::new()),
    };
    provide_context(ui);
    Effect::new(move |_| {
        let lang = ui.lang.get();
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("lang", lang.tag());
            let _ = html.set_attribute("dir", "ltr");
        }
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&format!(
                "{} – {}",
                lang.text(Msg::SignIn),
                lang.text(Msg::PortalName)
            ));
        }
    });
    view! {
        <Router>
            <main class="page">
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::sign_in::SignIn />
                    <Route path=path!("/signup") view=pages::sign_up::SignUp />
                    <Route path=path!("/invitation") view=pages::invitation::Invitation />
                    <Route path=path!("/portal") view=pages::portal::Portal />
                    <Route path=path!("/forgot") view=pages::forgot::Forgot />
                </Routes>
            </main>
            <div id="live" class="visually-hidden" role="status" aria-live="polite">
                {move || ui.live.get()}
            </div>
        </Router>
    }
}
