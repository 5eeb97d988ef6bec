//! The partner-login SPA: the sign-in and sign-up screens of the UN Partner Portal.
//!
//! - `pages/`: one module per route; `components/`: shared pieces (the field with its label and
//!   error, the language switcher, the card layout);
//! - `flows/`: pure state machines the pages render; `api.rs`: every HTTP call;
//! - `i18n/`: every string in every language; `storage.rs`: what survives a reload;
//! - `deployment.rs`: the base path and `config.json` (where the API is).

pub mod api;
pub mod components;
pub mod deployment;
pub mod flows;
pub mod i18n;
pub mod pages;
pub mod retry;
pub mod storage;

use i18n::{Lang, Msg};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use partner_login_contract::api::PublicConfig;
use partner_login_contract::PasswordPolicy;

/// The language in force, the polite live region and the server's public configuration,
/// shared by every screen (provided as context by [`App`]).
#[derive(Clone, Copy)]
pub struct Ui {
    pub lang: RwSignal<Lang>,
    pub live: RwSignal<String>,
    /// `GET /api/config`; the defaults (standard policy, no social buttons) until it arrives.
    pub config: RwSignal<PublicConfig>,
}

impl Ui {
    /// A fresh state in `lang`, with the default configuration.
    pub fn new(lang: Lang) -> Self {
        Ui {
            lang: RwSignal::new(lang),
            live: RwSignal::new(String::new()),
            config: RwSignal::new(PublicConfig {
                password_policy: PasswordPolicy::STANDARD,
                providers: Vec::new(),
                resend_cooldown_seconds: 60,
                dev_mailbox: false,
            }),
        }
    }

    /// Provides a fresh state as context (for the app and for component tests).
    pub fn provide(lang: Lang) -> Self {
        let ui = Ui::new(lang);
        provide_context(ui);
        ui
    }

    pub fn t(&self, msg: Msg) -> &'static str {
        self.lang.get().text(msg)
    }

    pub fn f(&self, msg: Msg, args: &[(&str, &str)]) -> String {
        self.lang.get().format(msg, args)
    }

    /// A number written the current language's way.
    pub fn n(&self, n: u64) -> String {
        self.lang.get().number(n)
    }

    /// Says `text` through the polite live region (screen readers announce it). The region is
    /// emptied first, so the same message said twice (two wrong codes) is announced twice.
    pub fn announce(&self, text: String) {
        let live = self.live;
        live.set(String::new());
        request_animation_frame(move || live.set(text));
    }
}

/// Moves the keyboard focus to the element with `id` once the DOM has been updated (WCAG 2.2
/// SC 2.4.3: focus goes to what changed).
pub fn focus_id(id: &'static str) {
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}

pub fn use_ui() -> Ui {
    expect_context::<Ui>()
}

/// The language the person chose with `?lang=` or the switcher, if any.
pub fn chosen_lang() -> Option<Lang> {
    let from_query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| {
            q.trim_start_matches('?')
                .split('&')
                .find_map(|kv| kv.strip_prefix("lang=").map(str::to_owned))
        })
        .and_then(|tag| Lang::from_tag(&tag));
    from_query.or_else(|| storage::get(LANG_KEY).and_then(|t| Lang::from_tag(&t)))
}

/// Where the switcher's choice is kept for the tab.
pub const LANG_KEY: &str = "partner-login.lang";

/// The language to start in: `?lang=`, the switcher's choice, then the browser's preferences,
/// then English. (An invitation's language applies when nothing was chosen.)
pub fn initial_lang() -> Lang {
    if let Some(lang) = chosen_lang() {
        return lang;
    }
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or(Lang::En)
}

/// What is mounted: `config.json` is read first (where the API is), then the [`App`] starts;
/// without a usable configuration, a page that says so.
#[component]
pub fn Root() -> impl IntoView {
    let loaded = RwSignal::new(None::<Result<(), deployment::ConfigProblem>>);
    spawn_local(async move {
        let result = deployment::load().await.map(|c| deployment::install(&c));
        loaded.set(Some(result));
    });
    move || match loaded.get() {
        None => ().into_any(),
        Some(Ok(())) => view! { <App /> }.into_any(),
        Some(Err(problem)) => view! { <pages::config_error::ConfigError problem /> }.into_any(),
    }
}

#[component]
pub fn App() -> impl IntoView {
    let ui = Ui::provide(initial_lang());
    spawn_local(async move {
        // Without the configuration the screens still work, on the defaults.
        if let Ok(config) = api::config().await {
            ui.config.set(config);
        }
    });
    Effect::new(move |_| {
        let lang = ui.lang.get();
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("lang", lang.tag());
            let _ = html.set_attribute("dir", lang.dir());
        }
        // The title is each page's own (components::card::page_title).
    });
    view! {
        <Router base=deployment::router_base()>
            <main class="page">
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::sign_in::SignIn />
                    <Route path=path!("/signup") view=pages::sign_up::SignUp />
                    <Route path=path!("/invitation") view=pages::invitation::Invitation />
                    <Route path=path!("/portal") view=pages::portal::Portal />
                    <Route path=path!("/forgot") view=pages::forgot::Forgot />
                    <Route path=path!("/social/invitation-needed")
                        view=pages::invitation_needed::InvitationNeeded />
                </Routes>
            </main>
            <div id="live" class="visually-hidden" role="status" aria-live="polite">
                {move || ui.live.get()}
            </div>
        </Router>
    }
}
