//! What every screen shares: the language in force, the polite live region and the server's
//! public configuration ([`Ui`], provided as context), and moving the focus.

use crate::i18n::{Lang, Msg};
use crate::{api, storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use partner_login_contract::api::PublicConfig;
use partner_login_contract::PasswordPolicy;

/// The language in force, the polite live region and the server's public configuration,
/// shared by every screen.
#[derive(Clone, Copy)]
pub struct Ui {
    pub lang: RwSignal<Lang>,
    pub live: RwSignal<String>,
    /// `GET /api/config`; the defaults (standard policy, no social buttons) until it arrives.
    pub config: RwSignal<PublicConfig>,
    /// The language last asked for whose file is being fetched ([`Ui::choose`]): a later
    /// choice wins over an earlier one that arrives late.
    requested: StoredValue<Option<Lang>>,
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
                passkeys: false,
                authenticator_apps: false,
            }),
            requested: StoredValue::new(None),
        }
    }

    /// Provides a fresh state as context (for the app and for component tests).
    pub fn provide(lang: Lang) -> Self {
        let ui = Ui::new(lang);
        provide_context(ui);
        ui
    }

    /// The app's state: the language to start in, the server's configuration once it answers,
    /// and `<html lang dir>` kept to the language in force.
    pub fn start() -> Self {
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
        ui
    }

    /// Switches to `lang` once its words are here (at once for English or a language already
    /// fetched), then calls `done(true)`. While its file is fetched the current language stays;
    /// if the fetch fails it still stays, the live region says so, and `done(false)`. Only the
    /// language changes: every typed value stays where it is.
    pub fn choose(self, lang: Lang, done: impl FnOnce(bool) + 'static) {
        self.requested.set_value(Some(lang));
        if lang.is_ready() {
            self.requested.set_value(None);
            self.lang.set(lang);
            done(true);
            return;
        }
        spawn_local(async move {
            let loaded = lang.load().await;
            if self.requested.get_value() != Some(lang) {
                return; // Another language was chosen meanwhile.
            }
            self.requested.set_value(None);
            match loaded {
                Ok(()) => self.lang.set(lang),
                Err(problem) => {
                    web_sys::console::warn_1(&problem.into());
                    self.announce(self.t(Msg::NETWORK_ERROR).to_owned());
                }
            }
            done(self.lang.get_untracked() == lang);
        });
    }

    pub fn t(&self, msg: Msg) -> &'static str {
        self.lang.get().text(msg)
    }

    /// The text of `msg` as a view that follows the language. Every text of every screen is
    /// this one closure type, so the WASM holds one copy of its rendering code, not one per
    /// text (a closure written at each place is a type, and code, of its own).
    pub fn tr(self, msg: Msg) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || self.t(msg)
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

/// `aria-busy` while `busy`: one closure type for every busy button (see [`Ui::tr`]).
pub fn aria_busy(busy: RwSignal<bool>) -> impl Fn() -> Option<&'static str> + Copy + Send + Sync {
    move || busy.get().then_some("true")
}

pub fn use_ui() -> Ui {
    expect_context::<Ui>()
}

/// The polite live region [`Ui::announce`] speaks through.
#[component]
pub fn LiveRegion() -> impl IntoView {
    let ui = use_ui();
    view! {
        <div id="live" class="visually-hidden" role="status" aria-live="polite">
            {move || ui.live.get()}
        </div>
    }
}

/// Moves the keyboard focus to the element with `id` once the DOM has been updated (WCAG 2.2
/// SC 2.4.3: focus goes to what changed).
pub fn focus_id(id: impl Into<String>) {
    let id = id.into();
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}

/// The language the person chose with `?lang=` or the switcher, if any.
pub fn chosen_lang() -> Option<Lang> {
    let from_query =
        crate::address::param(&crate::address::search(), "lang").and_then(|t| Lang::from_tag(&t));
    from_query.or_else(|| storage::lang().and_then(|t| Lang::from_tag(&t)))
}

/// The language wanted at start-up: `?lang=`, the switcher's choice, then the browser's
/// preferences, then English. (An invitation's language applies when nothing was chosen.)
/// [`crate::deployment::Configured`] fetches its words before the first render.
pub fn wanted_lang() -> Lang {
    if let Some(lang) = chosen_lang() {
        return lang;
    }
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or(Lang::En)
}

/// The language to start in: the wanted one if its words are here, else English (its file
/// could not be fetched: English throughout rather than a mix).
pub fn initial_lang() -> Lang {
    Some(wanted_lang())
        .filter(|lang| lang.is_ready())
        .unwrap_or(Lang::En)
}
