//! The language switcher: a signal change once the language's words are fetched
//! ([`crate::ui::Ui::choose`]), so every typed value stays where it is.
//!
//! The list first holds only the language in force; the others join it in the next task
//! (issue 21). Their names in Arabic and Chinese script send the browser's first layout
//! looking for fallback fonts: at 4× CPU the static shell painted 34–56 ms later with them
//! (xtask/src/shell.rs keeps only the chosen one too), and the app's first screen paid the
//! same before its form worked. `#lang`'s `min-inline-size` (style/main.css) keeps the list's
//! width when they arrive.

use crate::i18n::{Lang, Msg};
use crate::storage;
use crate::ui::use_ui;
use leptos::prelude::*;
use std::time::Duration;

#[component]
pub fn LangSwitch() -> impl IntoView {
    let ui = use_ui();
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(lang) = Lang::from_tag(&event_target_value(&ev)) {
            let select = ev.target();
            ui.choose(lang, move |switched| {
                if switched {
                    storage::set_lang(lang.tag());
                } else if let Some(select) = select {
                    // The fetch failed: the list shows the language still in force.
                    let current = ui.lang.get_untracked().tag();
                    let _ = js_sys::Reflect::set(&select, &"value".into(), &current.into());
                }
            });
        }
    };
    let all = RwSignal::new(false);
    set_timeout(
        move || {
            let _ = all.try_set(true);
        },
        Duration::ZERO,
    );
    let offered = move || {
        if all.get() {
            Lang::ALL.to_vec()
        } else {
            vec![ui.lang.get()]
        }
    };
    view! {
        <div class="lang-switch">
            <label for="lang">{ui.tr(Msg::LANGUAGE_LABEL)}</label>
            <select id="lang" on:change=on_change>
                {move || offered()
                    .into_iter()
                    .map(|lang| {
                        // Each language's name is written in that language, and says so
                        // (WCAG 2.2 SC 3.1.2 Language of Parts): a screen reader reads
                        // "العربية" with an Arabic voice on an English page.
                        view! {
                            <option value=lang.tag() lang=lang.tag() dir=lang.dir()
                                selected=move || ui.lang.get() == lang>
                                {lang.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
