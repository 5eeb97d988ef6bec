//! Component tests of the operator's branding (`src/brand.rs`, the contract's `brand`) in a
//! real browser: each key applied, each refused value left out with the default kept, the
//! fallback of texts to English then to the built-in default.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown
//! -p partner-login --test brand`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use partner_login::brand;
use partner_login::components::card::{page_title, Card};
use partner_login::deployment::DeploymentConfig;
use partner_login::i18n::{self, Lang, Msg};
use partner_login::ui::Ui;
use partner_login_contract::brand::{Brand, ColorKey, Colors};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlImageElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The sample branding the docs and the end-to-end tests use.
const SAMPLE: &str = include_str!("../crates/e2e/brand/config.json");

/// `config.json`'s text read as the page reads it: parsed, then its brand checked piece by
/// piece (refusals go to the console).
fn brand_of(config: &str) -> Brand {
    let config = DeploymentConfig::parse(config).unwrap();
    brand::read(config.brand.as_ref())
}

/// A card titled "Sign in" in `lang` with `brand`, mounted in a fresh container; the colours
/// applied as the app applies them. Stays until the handle is dropped.
async fn mount_card(brand: Brand, lang: Lang) -> (HtmlElement, Ui, impl Sized) {
    install_real(lang);
    let document = web_sys::window().unwrap().document().unwrap();
    let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    brand::apply_colors(&brand.colors);
    let ui = RwSignal::new(None);
    let handle = mount_to(root.clone(), move || {
        ui.set(Some(Ui::provide(lang)));
        brand::provide(brand);
        page_title(|| "Sign in".to_owned());
        view! { <Card><h1>"Sign in"</h1></Card> }
    });
    tick().await;
    (root, ui.get_untracked().unwrap(), handle)
}

/// The real words of `lang` (the JSON text of `locales/<tag>.json`), installed through the
/// function the app's fetch uses (the test runner's server does not serve the app's files).
fn install_real(lang: Lang) {
    let json = match lang {
        Lang::En => return,
        Lang::Fr => include_str!("../locales/fr.json"),
        Lang::Ar => include_str!("../locales/ar.json"),
        Lang::Zh => include_str!("../locales/zh.json"),
        other => panic!("{other:?} is not installed by these tests"),
    };
    i18n::install(lang, json).unwrap();
}

fn find(root: &HtmlElement, selector: &str) -> Option<Element> {
    root.query_selector(selector).unwrap()
}

fn text(root: &HtmlElement, selector: &str) -> String {
    find(root, selector)
        .unwrap_or_else(|| panic!("no {selector}"))
        .text_content()
        .unwrap_or_default()
}

/// The footer's links as (href, label).
fn links(root: &HtmlElement) -> Vec<(String, String)> {
    let all = root
        .query_selector_all("footer.brand-footer nav a")
        .unwrap();
    (0..all.length())
        .filter_map(|i| all.item(i))
        .map(|n| n.unchecked_into::<Element>())
        .map(|a| (a.get_attribute("href").unwrap(), a.text_content().unwrap()))
        .collect()
}

/// `--brand-*` as set on `<html>` ("" when not set).
fn property(key: ColorKey) -> String {
    let html: HtmlElement = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .document_element()
        .unwrap()
        .unchecked_into();
    html.style().get_property_value(key.property()).unwrap()
}

fn title() -> String {
    web_sys::window().unwrap().document().unwrap().title()
}

#[wasm_bindgen_test]
async fn each_branding_key_is_applied() {
    let (root, _ui, _handle) = mount_card(brand_of(SAMPLE), Lang::Fr).await;

    // The product name, in the header and in the tab's title, in French.
    assert_eq!(
        text(&root, "header.card-header .brand-name"),
        "Passerelle des partenaires"
    );
    assert_eq!(title(), "Sign in – Passerelle des partenaires");
    // The logo, beside index.html under the base path, with its French alternative text.
    let logo: HtmlImageElement = find(&root, "header.card-header img.brand-logo")
        .unwrap()
        .unchecked_into();
    assert_eq!(logo.get_attribute("src").unwrap(), "/logo.svg");
    assert_eq!(logo.alt(), "Passerelle des partenaires");
    // Each colour as a custom property on <html>.
    for (key, value) in [
        (ColorKey::Primary, "#00695c"),
        (ColorKey::OnPrimary, "#ffffff"),
        (ColorKey::Background, "#f1f5f3"),
        (ColorKey::Surface, "#ffffff"),
        (ColorKey::Text, "#1d2b28"),
        (ColorKey::Focus, "#b3401a"),
    ] {
        assert_eq!(property(key), value, "{}", key.property());
    }
    // The four links in a named navigation region of the footer, labelled in French.
    let nav = find(&root, "footer.brand-footer nav").unwrap();
    assert_eq!(
        nav.get_attribute("aria-label").unwrap(),
        Lang::Fr.text(Msg::FOOTER_LINKS)
    );
    assert_eq!(
        links(&root),
        [
            ("https://example.org/help".to_owned(), "Aide".to_owned()),
            (
                "https://example.org/privacy".to_owned(),
                "Avis de confidentialité".to_owned()
            ),
            (
                "https://example.org/terms".to_owned(),
                "Conditions d'utilisation".to_owned()
            ),
            (
                "https://example.org/contact".to_owned(),
                "Contact".to_owned()
            ),
        ]
    );
    // In the same tab: no target.
    assert!(find(&root, "footer a[target]").is_none());
    brand::apply_colors(&Colors::default());
}

#[wasm_bindgen_test]
async fn without_a_brand_the_page_looks_as_it_always_did() {
    let (root, _ui, _handle) = mount_card(brand_of(r#"{"api_base": "/api"}"#), Lang::En).await;
    assert_eq!(text(&root, ".brand-name"), "UN Partner Portal");
    assert_eq!(title(), "Sign in – UN Partner Portal");
    assert!(find(&root, "img.brand-logo").is_none());
    assert!(find(&root, "footer").is_none());
    for key in ColorKey::ALL {
        assert_eq!(property(key), "", "{}", key.property());
    }
}

#[wasm_bindgen_test]
async fn arabic_falls_back_to_english_then_to_the_default() {
    // The sample has its name in English and French, the logo's text and labels in Arabic too.
    let (root, ui, _handle) = mount_card(brand_of(SAMPLE), Lang::Ar).await;
    assert_eq!(text(&root, ".brand-name"), "Partner Gateway");
    assert_eq!(title(), "Sign in – Partner Gateway");
    let logo = find(&root, "img.brand-logo").unwrap();
    assert_eq!(logo.get_attribute("alt").unwrap(), "بوابة الشركاء");
    assert_eq!(links(&root)[0].1, "مساعدة");
    // Chinese has none of them: English.
    install_real(Lang::Zh);
    ui.lang.set(Lang::Zh);
    tick().await;
    assert_eq!(
        find(&root, "img.brand-logo")
            .unwrap()
            .get_attribute("alt")
            .unwrap(),
        "Partner Gateway"
    );
    assert_eq!(links(&root)[0].1, "Help");
    drop(_handle);

    // A name in French only, and a logo without any text: Arabic gets the built-in name,
    // translated, and the logo says the name.
    let brand = brand_of(
        r#"{"brand": {"name": {"fr": "Portail"}, "logo": {"src": "logo.svg"},
            "links": [{"href": "https://example.org/help", "label": {"en": "Help", "fr": "Aide"}}]}}"#,
    );
    let (root, _ui, _handle) = mount_card(brand, Lang::Ar).await;
    let built_in = Lang::Ar.text(Msg::PORTAL_NAME);
    assert_eq!(text(&root, ".brand-name"), built_in);
    assert_eq!(title(), format!("Sign in – {built_in}"));
    assert_eq!(
        find(&root, "img.brand-logo")
            .unwrap()
            .get_attribute("alt")
            .unwrap(),
        built_in
    );
    assert_eq!(
        links(&root),
        [("https://example.org/help".to_owned(), "Help".to_owned())]
    );
    brand::apply_colors(&Colors::default());
}

#[wasm_bindgen_test]
async fn each_invalid_value_is_refused_and_the_default_kept() {
    let brand = brand_of(
        r##"{"api_base": "/api", "brand": {
            "name": {"en": "Portal"},
            "tagline": {"en": "unknown key"},
            "logo": {"src": "https://evil.example/logo.svg", "alt": {"en": "Evil"}},
            "colors": {"primary": "#0a4f94", "on_primary": "#5b8fd0",
                       "background": "blue", "text": "#222222", "focus": "#7fa100",
                       "glow": "#ff0000"},
            "links": [{"href": "javascript:alert(1)", "label": {"en": "Script"}},
                      {"href": "https://example.org/help", "label": {"en": "Help"}}]}}"##,
    );
    let (root, _ui, _handle) = mount_card(brand, Lang::En).await;
    // What passed applies: the name, the text colour, the good link.
    assert_eq!(text(&root, ".brand-name"), "Portal");
    assert_eq!(property(ColorKey::Text), "#222222");
    assert_eq!(
        links(&root),
        [("https://example.org/help".to_owned(), "Help".to_owned())]
    );
    // A logo from another site: none.
    assert!(find(&root, "img.brand-logo").is_none());
    // Not a colour: the default background.
    assert_eq!(property(ColorKey::Background), "");
    // A primary button's text at 2.6:1 (needs 4.5:1): the default pair, both of its colours.
    assert_eq!(property(ColorKey::Primary), "");
    assert_eq!(property(ColorKey::OnPrimary), "");
    // A focus ring at 2.99:1 on the white card (needs 3:1): the default ring.
    assert_eq!(property(ColorKey::Focus), "");
    // A `javascript:` link is not drawn at all.
    assert!(find(&root, "a[href^=javascript]").is_none());
    brand::apply_colors(&Colors::default());
}

#[wasm_bindgen_test]
fn a_broken_brand_still_starts_the_page() {
    // Not an object, a wrong type, unknown keys: the configuration is still usable.
    for config in [
        r#"{"brand": "red"}"#,
        r#"{"brand": {"colors": 3, "links": {"href": "x"}}}"#,
        r#"{"brand": {"colours": {}}}"#,
    ] {
        let parsed = DeploymentConfig::parse(config).unwrap();
        assert_eq!(
            brand::read(parsed.brand.as_ref()),
            Brand::default(),
            "{config}"
        );
    }
}
