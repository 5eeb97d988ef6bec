//! The operator's branding from `config.json` (the contract's `brand`), applied: the product
//! name in the card's header and the tab's title, the logo beside it, the colours as CSS custom
//! properties, the links in a footer under every screen.
//!
//! What the contract's rules refuse is left out piece by piece, with the reason in the
//! browser's console; a broken brand never stops the page (a broken `api_base` does). The
//! colours go through the CSSOM (`style.setProperty` on `<html>`), which the CSP's
//! `style-src 'self'` allows: no `style` attribute, no `<style>` element.

use crate::deployment;
use crate::i18n::{Lang, Msg};
use crate::ui::use_ui;
use leptos::prelude::*;
use partner_login_contract::brand::{Brand, ColorKey, Colors};
use partner_login_contract::config_file::Json;
use std::sync::Arc;

/// `config.json`'s `brand` as far as it passes the contract's rules; each refusal is a
/// warning in the console, naming the key and the default kept.
pub fn read(json: Option<&Json>) -> Brand {
    let Some(json) = json.filter(|j| **j != Json::Null) else {
        return Brand::default();
    };
    let (brand, problems) = Brand::read(json);
    for problem in problems {
        web_sys::console::warn_1(&format!("config.json: {problem}").into());
    }
    brand
}

/// Sets `--brand-*` on `<html>` for each colour the operator gave and passed, and removes the
/// others, so `style/main.css`'s defaults apply.
pub fn apply_colors(colors: &Colors) {
    use wasm_bindgen::JsCast;
    let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let style = html.style();
    for key in ColorKey::ALL {
        let _ = match colors.get(key) {
            Some(rgb) => style.set_property(key.property(), &rgb.css()),
            None => style.remove_property(key.property()).map(|_| ()),
        };
    }
}

/// Makes `brand` the one the screens draw (the app does it once; component tests each time).
pub fn provide(brand: Brand) {
    provide_context(Arc::new(brand));
}

/// The brand in force: none (the defaults) until [`provide`]d.
pub fn use_brand() -> Arc<Brand> {
    use_context::<Arc<Brand>>().unwrap_or_default()
}

/// The product name in `lang`: the operator's in that language, else in English, else the
/// built-in "UN Partner Portal" translated.
pub fn product_name(brand: &Brand, lang: Lang) -> String {
    brand
        .name
        .get(lang.tag())
        .unwrap_or_else(|| lang.text(Msg::PORTAL_NAME))
        .to_owned()
}

/// The header's product name, after the logo if there is one.
#[component]
pub fn BrandName() -> impl IntoView {
    let ui = use_ui();
    let brand = use_brand();
    let logo = brand.logo.clone().map(|logo| {
        let brand = brand.clone();
        let src = format!("{}{}", deployment::base_path(), logo.src);
        // The alternative text in the language, else in English, else the product name.
        let alt = move || {
            let lang = ui.lang.get();
            logo.alt
                .get(lang.tag())
                .map_or_else(|| product_name(&brand, lang), str::to_owned)
        };
        view! { <img class="brand-logo" src=src alt=alt /> }
    });
    view! {
        <p class="brand">
            {logo}
            <span class="brand-name">{move || product_name(&brand, ui.lang.get())}</span>
        </p>
    }
}

/// The operator's links under every screen (nothing without any).
#[component]
pub fn BrandFooter() -> impl IntoView {
    let ui = use_ui();
    let brand = use_brand();
    (!brand.links.is_empty()).then(|| {
        let links = brand
            .links
            .iter()
            .cloned()
            .map(|link| {
                let href = link.href;
                let label = link.label;
                let label = move || {
                    label
                        .get(ui.lang.get().tag())
                        .unwrap_or_default()
                        .to_owned()
                };
                // The same tab: a link opens like any other (no surprise new window).
                view! { <li><a href=href>{label}</a></li> }
            })
            .collect_view();
        view! {
            <footer class="brand-footer">
                <nav aria-label=move || ui.t(Msg::FOOTER_LINKS)>
                    // `role="list"`: Safari drops a list's semantics under `list-style: none`.
                    <ul role="list">{links}</ul>
                </nav>
            </footer>
        }
    })
}
