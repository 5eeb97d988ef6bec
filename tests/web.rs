//! Component tests in a real browser (wasm-bindgen-test, headless Chromium): mount a piece of
//! the UI, act on the DOM as a person would, `tick().await`, check what the DOM says.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown
//! -p partner-login --test web`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use leptos_router::components::Router;
use partner_login::components::field::{rule, Field, FieldProblem};
use partner_login::components::lang_switch::LangSwitch;
use partner_login::components::resend::ResendButton;
use partner_login::flows::password::feedback;
use partner_login::i18n::{self, Lang, Msg};
use partner_login::nav::RouterNavigate;
use partner_login::pages::forgot::Forgot;
use partner_login::pages::passkeys::{Errors, Passkeys};
use partner_login::pages::security::{SecondFactors, Sessions};
use partner_login::pages::sign_in::SignIn;
use partner_login::pages::sign_up::SignUp;
use partner_login::ui::Ui;
use partner_login_contract::api::ProviderButton;
use partner_login_contract::{Email, PasswordPolicy};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlButtonElement, HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh container for one test, and an empty sessionStorage (drafts would leak between
/// tests otherwise).
/// The real words of `lang` (the JSON text of `locales/<tag>.json`), installed through the
/// function the app's fetch uses: the test runner's server does not serve the app's files.
/// Russian is never installed here: it is the language whose fetch fails.
fn install_real(lang: Lang) {
    let json = match lang {
        Lang::Fr => include_str!("../locales/fr.json"),
        Lang::Ar => include_str!("../locales/ar.json"),
        other => panic!("{other:?} is not installed by these tests"),
    };
    i18n::install(lang, json).unwrap();
    assert!(lang.is_ready());
}

fn container() -> HtmlElement {
    let window = web_sys::window().unwrap();
    window.session_storage().unwrap().unwrap().clear().unwrap();
    let document = window.document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

/// One of the credential screens ("sign-in", "sign-up", else "forgot") in English, mounted;
/// the screen stays until the returned handle is dropped.
async fn mount_screen(screen: &'static str) -> (HtmlElement, impl Sized) {
    let root = container();
    let handle = mount_to(root.clone(), move || {
        Ui::provide(Lang::En);
        match screen {
            "sign-in" => {
                view! { <Router><RouterNavigate><SignIn /></RouterNavigate></Router> }.into_any()
            }
            "sign-up" => view! { <Router><SignUp /></Router> }.into_any(),
            _ => view! { <Router><Forgot /></Router> }.into_any(),
        }
    });
    tick().await;
    (root, handle)
}

fn by_id<T: JsCast>(root: &HtmlElement, id: &str) -> T {
    root.query_selector(&format!("#{id}"))
        .unwrap()
        .unwrap_or_else(|| panic!("no #{id}"))
        .unchecked_into()
}

fn button(root: &HtmlElement, text: &str) -> HtmlButtonElement {
    let buttons = root.query_selector_all("button").unwrap();
    (0..buttons.length())
        .filter_map(|i| buttons.item(i))
        .map(|n| n.unchecked_into::<HtmlButtonElement>())
        .find(|b| b.text_content().unwrap_or_default().trim() == text)
        .unwrap_or_else(|| panic!("no button {text:?}"))
}

fn fire(target: &web_sys::EventTarget, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(kind != "blur");
    let event = web_sys::Event::new_with_event_init_dict(kind, &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

/// Types `text` into `input` the way a browser reports it: value, then an `input` event.
fn type_into(input: &HtmlInputElement, text: &str) {
    input.set_value(text);
    fire(input, "input");
}

fn email_rule(v: &str) -> FieldProblem {
    Email::parse(v).err().map(|c| (c, None))
}

#[wasm_bindgen_test]
async fn field_shows_its_error_after_blur_then_revalidates_live() {
    let root = container();
    let _handle = mount_to(root.clone(), || {
        Ui::provide(Lang::En);
        let value = RwSignal::new(String::new());
        let error = RwSignal::new(None);
        view! {
            <Field id="email" label=Msg::EMAIL_ADDRESS value=value error=error kind="email"
                autocomplete="email" validate=rule(email_rule) />
        }
    });
    tick().await;
    let input: HtmlInputElement = by_id(&root, "email");
    let label = root.query_selector("label[for=email]").unwrap().unwrap();
    assert_eq!(label.text_content().unwrap(), "Email Address");
    assert_eq!(input.get_attribute("autocomplete").unwrap(), "email");

    // Typing alone says nothing: the rule runs on blur first.
    type_into(&input, "amina@");
    tick().await;
    assert_eq!(input.get_attribute("aria-invalid").unwrap(), "false");

    fire(&input, "blur");
    tick().await;
    assert_eq!(input.get_attribute("aria-invalid").unwrap(), "true");
    assert_eq!(
        input.get_attribute("aria-describedby").unwrap(),
        "email-error"
    );
    let error: HtmlElement = by_id(&root, "email-error");
    assert_eq!(
        error.text_content().unwrap(),
        "Enter an email address such as name@example.org."
    );

    // After the first error, every keystroke re-checks.
    type_into(&input, "amina@example.org");
    tick().await;
    assert_eq!(input.get_attribute("aria-invalid").unwrap(), "false");
    assert!(input.get_attribute("aria-describedby").is_none());
    assert_eq!(error.text_content().unwrap(), "");
}

#[wasm_bindgen_test]
async fn blurring_an_empty_field_does_not_scold() {
    let root = container();
    let _handle = mount_to(root.clone(), || {
        Ui::provide(Lang::En);
        let value = RwSignal::new(String::new());
        let error = RwSignal::new(None);
        view! { <Field id="email" label=Msg::EMAIL_ADDRESS value=value error=error
        validate=rule(email_rule) /> }
    });
    tick().await;
    let input: HtmlInputElement = by_id(&root, "email");
    fire(&input, "blur");
    tick().await;
    assert_eq!(input.get_attribute("aria-invalid").unwrap(), "false");
}

#[wasm_bindgen_test]
async fn password_hint_follows_what_is_typed() {
    let root = container();
    let _handle = mount_to(root.clone(), || {
        let ui = Ui::provide(Lang::En);
        let value = RwSignal::new(String::new());
        let error = RwSignal::new(None);
        let hint = Signal::derive(move || {
            ui.lang
                .get()
                .password_feedback(feedback(&PasswordPolicy::STANDARD, &value.get()))
        });
        view! { <Field id="new-password" label=Msg::NEW_PASSWORD value=value error=error
        kind="password" autocomplete="new-password" hint=hint /> }
    });
    tick().await;
    let input: HtmlInputElement = by_id(&root, "new-password");
    let hint: HtmlElement = by_id(&root, "new-password-hint");
    assert_eq!(
        input.get_attribute("aria-describedby").unwrap(),
        "new-password-hint"
    );
    assert!(hint
        .text_content()
        .unwrap()
        .starts_with("At least 8 characters"));
    type_into(&input, "abc");
    tick().await;
    assert_eq!(
        hint.text_content().unwrap(),
        "3 characters: at least 8 needed."
    );
    type_into(&input, "abcdefgh");
    tick().await;
    assert!(hint
        .text_content()
        .unwrap()
        .contains("15 characters or more"));
    type_into(&input, "correct horse battery staple");
    tick().await;
    assert!(hint.text_content().unwrap().starts_with("Good"));
}

#[wasm_bindgen_test]
async fn resend_button_counts_down_then_enables() {
    let root = container();
    let seconds = RwSignal::new(27u32);
    let clicks = RwSignal::new(0u32);
    let _handle = mount_to(root.clone(), move || {
        Ui::provide(Lang::En);
        view! {
            <ResendButton seconds=seconds busy=Signal::from(false)
                on_click=Callback::new(move |()| clicks.update(|c| *c += 1)) />
        }
    });
    tick().await;
    let resend: HtmlButtonElement = by_id(&root, "resend");
    assert_eq!(resend.text_content().unwrap(), "Send new code (27 s)");
    assert!(resend.disabled());
    seconds.set(0);
    tick().await;
    assert_eq!(resend.text_content().unwrap(), "Send new code");
    assert!(!resend.disabled());
    resend.click();
    tick().await;
    assert_eq!(clicks.get_untracked(), 1);
}

#[wasm_bindgen_test]
async fn sign_up_starts_at_step_three_with_the_seed_words() {
    let root = container();
    let _handle = mount_to(root.clone(), || {
        Ui::provide(Lang::En);
        view! { <Router><SignUp /></Router> }
    });
    tick().await;
    let status: HtmlElement = by_id(&root, "status");
    assert_eq!(
        status.text_content().unwrap(),
        "Verification is necessary. Please click Send button."
    );
    for (id, label) in [
        ("email", "Email Address"),
        ("new-password", "New Password"),
        ("confirm-password", "Confirm New Password"),
        ("display-name", "Display Name"),
        ("given-name", "Given Name"),
        ("surname", "Surname"),
    ] {
        let el = root
            .query_selector(&format!("label[for={id}]"))
            .unwrap()
            .unwrap_or_else(|| panic!("no label for {id}"));
        assert_eq!(el.text_content().unwrap(), label);
    }
    let new_password: HtmlInputElement = by_id(&root, "new-password");
    assert!(
        new_password.disabled(),
        "locked until the email is verified"
    );
    assert!(button(&root, "Create").disabled());
    assert!(!button(&root, "Cancel").disabled());

    // "Send verification code" with a bad address: the error is on the field, no request.
    let email: HtmlInputElement = by_id(&root, "email");
    type_into(&email, "not-an-address");
    button(&root, "Send verification code").click();
    tick().await;
    assert_eq!(email.get_attribute("aria-invalid").unwrap(), "true");
    let error: HtmlElement = by_id(&root, "email-error");
    assert!(!error.text_content().unwrap().is_empty());
    assert_eq!(
        email.value(),
        "not-an-address",
        "the form keeps what was typed"
    );
}

#[wasm_bindgen_test]
async fn switching_language_keeps_what_was_typed() {
    let root = container();
    let _handle = mount_to(root.clone(), || {
        Ui::provide(Lang::En);
        view! { <Router><SignUp /></Router> }
    });
    tick().await;
    let email: HtmlInputElement = by_id(&root, "email");
    type_into(&email, "amina@example.org");
    let display: HtmlInputElement = by_id(&root, "display-name");
    type_into(&display, "Amina");
    tick().await;

    install_real(Lang::Fr);
    choose_language(&root, "fr").await;
    tick().await;
    let label = root.query_selector("label[for=email]").unwrap().unwrap();
    assert_eq!(label.text_content().unwrap(), "Adresse électronique");
    assert!(button(&root, "Envoyer le code de vérification").is_connected());
    assert_eq!(email.value(), "amina@example.org");
    assert_eq!(display.value(), "Amina");
    let lang = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
        .get_item("partner-login.lang")
        .unwrap();
    assert_eq!(lang.as_deref(), Some("fr"));
}

#[wasm_bindgen_test]
async fn language_switcher_offers_the_six_languages_by_their_own_names() {
    let root = container();
    install_real(Lang::Fr);
    let _handle = mount_to(root.clone(), || {
        Ui::provide(Lang::Fr);
        view! { <LangSwitch /> }
    });
    // The language in force first; the other names a task later (issue 21: their scripts'
    // fallback fonts stay out of the first layout).
    let select: HtmlSelectElement = by_id(&root, "lang");
    assert_eq!((select.length(), select.value()), (1, "fr".to_owned()));
    until(|| select.length() == 6).await;
    assert_eq!(select.value(), "fr");
    let text = select.text_content().unwrap();
    for name in [
        "English",
        "Français",
        "Español",
        "العربية",
        "中文",
        "Русский",
    ] {
        assert!(text.contains(name), "{name} missing from {text}");
    }
    let arabic = root.query_selector("option[value=ar]").unwrap().unwrap();
    assert_eq!(arabic.get_attribute("lang").as_deref(), Some("ar"));
    assert_eq!(arabic.get_attribute("dir").as_deref(), Some("rtl"));
}

/// A language whose file cannot be fetched (the test runner's server has no `ru.json`: a real
/// 404 through the app's own fetch) is not switched to: the screen stays in the language in
/// force, with what was typed, the list shows that language again, and the live region says
/// the network failed.
#[wasm_bindgen_test]
async fn a_language_that_cannot_be_fetched_keeps_the_current_one_and_says_so() {
    assert!(!Lang::Ru.is_ready());
    let root = container();
    let slot = std::rc::Rc::new(std::cell::Cell::new(None::<Ui>));
    let _handle = mount_to(root.clone(), {
        let slot = slot.clone();
        move || {
            slot.set(Some(Ui::provide(Lang::En)));
            view! { <Router><SignUp /></Router> }
        }
    });
    let ui = slot.get().unwrap();
    tick().await;
    let email: HtmlInputElement = by_id(&root, "email");
    type_into(&email, "amina@example.org");
    tick().await;

    let select = choose_language(&root, "ru").await;
    // While the file is fetched, the current language stays.
    tick().await;
    assert_eq!(ui.lang.get_untracked(), Lang::En);
    let network_error = Lang::En.text(Msg::NETWORK_ERROR);
    until(|| ui.live.get_untracked() == network_error).await;
    assert_eq!(ui.lang.get_untracked(), Lang::En);
    assert_eq!(select.value(), "en", "the list shows the language in force");
    let label = root.query_selector("label[for=email]").unwrap().unwrap();
    assert_eq!(label.text_content().unwrap(), "Email Address");
    assert_eq!(email.value(), "amina@example.org");
    assert!(!Lang::Ru.is_ready());
}

/// Numbers and dates come from the browser's Intl, in each language's own way.
#[wasm_bindgen_test]
fn numbers_and_dates_are_written_the_language_s_way() {
    assert_eq!(Lang::En.number(12345), "12,345");
    assert_eq!(Lang::Es.number(7), "7");
    // French and Russian group thousands with a (narrow) no-break space, not a comma.
    for lang in [Lang::Fr, Lang::Ru] {
        let n = lang.number(12345);
        assert!(
            n.starts_with("12") && n.ends_with("345") && !n.contains(','),
            "{lang:?}: {n}"
        );
    }
    // 2026-12-01 12:00 UTC, in the month words of each language.
    let when = 1_796_140_800;
    assert!(
        Lang::En.date_time(when).contains("December"),
        "{}",
        Lang::En.date_time(when)
    );
    assert!(
        Lang::Fr.date_time(when).contains("décembre"),
        "{}",
        Lang::Fr.date_time(when)
    );
    assert!(
        Lang::Es.date_time(when).contains("diciembre"),
        "{}",
        Lang::Es.date_time(when)
    );
    assert!(
        Lang::Ru.date_time(when).contains("декабря"),
        "{}",
        Lang::Ru.date_time(when)
    );
    assert!(
        Lang::Zh.date_time(when).contains("12月"),
        "{}",
        Lang::Zh.date_time(when)
    );
    assert!(
        Lang::Ar.date_time(when).contains("ديسمبر"),
        "{}",
        Lang::Ar.date_time(when)
    );
}

/// The error summary lists the fields' errors in order, goes when they are fixed, and an
/// entry focuses its field.
#[wasm_bindgen_test]
async fn error_summary_lists_errors_and_focuses_their_fields() {
    use partner_login::components::error_summary::{ErrorSummary, SummaryField};
    use partner_login_contract::ErrorCode;
    let root = container();
    let email_error = RwSignal::new(None);
    let surname_error = RwSignal::new(None);
    let shown = RwSignal::new(false);
    let _handle = mount_to(root.clone(), move || {
        Ui::provide(Lang::En);
        view! {
            <ErrorSummary shown fields=vec![
                SummaryField { id: "email", label: Msg::EMAIL_ADDRESS, error: email_error },
                SummaryField { id: "surname", label: Msg::SURNAME, error: surname_error },
            ] />
            <input id="email" />
            <input id="surname" />
        }
    });
    email_error.set(Some((ErrorCode::Required, None)));
    surname_error.set(Some((ErrorCode::TooLong, Some(64))));
    tick().await;
    assert!(
        root.query_selector("#error-summary").unwrap().is_none(),
        "not before a submit"
    );
    shown.set(true);
    tick().await;
    let summary = root.query_selector("#error-summary").unwrap().unwrap();
    assert!(summary
        .text_content()
        .unwrap()
        .starts_with("There is a problem"));
    let entries = summary.query_selector_all("li").unwrap();
    assert_eq!(entries.length(), 2);
    let second = entries.item(1).unwrap().text_content().unwrap();
    assert!(
        second.starts_with("Surname: ") && second.contains("64"),
        "{second}"
    );
    entries
        .item(1)
        .unwrap()
        .dyn_into::<web_sys::Element>()
        .unwrap()
        .query_selector("button")
        .unwrap()
        .unwrap()
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    until(|| {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .is_some_and(|e| e.id() == "surname")
    })
    .await;
    email_error.set(None);
    surname_error.set(None);
    tick().await;
    assert!(
        root.query_selector("#error-summary").unwrap().is_none(),
        "gone once fixed"
    );
}

#[wasm_bindgen_test]
async fn sign_in_draws_the_configured_buttons_in_order_and_in_the_language() {
    let root = container();
    let _handle = mount_to(root.clone(), || {
        let ui = Ui::provide(Lang::En);
        ui.config.update(|c| {
            c.providers = ["unicef", "unhcr", "wfp", "google"]
                .into_iter()
                .map(|id| ProviderButton {
                    id: id.to_owned(),
                    label: format!("{} Employee", id.to_uppercase()),
                    labels: [("fr".to_owned(), format!("Personnel {id}"))].into(),
                })
                .collect();
        });
        view! { <Router><RouterNavigate><SignIn /></RouterNavigate></Router> }
    });
    tick().await;
    let heading: HtmlElement = by_id(&root, "social-heading");
    assert_eq!(
        heading.text_content().unwrap(),
        "Sign in with your social account"
    );
    let labels = |root: &HtmlElement| {
        let buttons = root.query_selector_all("button.provider").unwrap();
        (0..buttons.length())
            .filter_map(|i| buttons.item(i))
            .map(|b| b.text_content().unwrap_or_default().trim().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        labels(&root),
        [
            "UNICEF Employee",
            "UNHCR Employee",
            "WFP Employee",
            "GOOGLE Employee"
        ]
    );
    assert!(
        button(&root, "UNICEF Employee").type_() == "button",
        "not a form submit"
    );
    let or = root.query_selector(".or").unwrap().unwrap();
    assert_eq!(or.text_content().unwrap(), "OR");
    // In French, the operator's French labels.
    install_real(Lang::Fr);
    choose_language(&root, "fr").await;
    tick().await;
    assert_eq!(
        labels(&root),
        [
            "Personnel unicef",
            "Personnel unhcr",
            "Personnel wfp",
            "Personnel google"
        ]
    );
    assert_eq!(
        heading.text_content().unwrap(),
        "Connectez-vous avec votre compte de réseau social"
    );
}

/// Waits (polling each frame or so, at most 2 s) until `cond` holds.
/// Chooses the language `tag` in the switcher as a person would, once it offers all six.
async fn choose_language(root: &HtmlElement, tag: &str) -> HtmlSelectElement {
    let select: HtmlSelectElement = by_id(root, "lang");
    until(|| select.length() == 6).await;
    select.set_value(tag);
    fire(&select, "change");
    select
}

async fn until(mut cond: impl FnMut() -> bool) {
    for _ in 0..120 {
        if cond() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(16).await;
    }
    panic!("condition not met within 2 s");
}

#[wasm_bindgen_test]
async fn the_live_region_announces_a_repeated_message_again() {
    let root = container();
    let slot = std::rc::Rc::new(std::cell::Cell::new(None::<Ui>));
    let _handle = mount_to(root.clone(), {
        let slot = slot.clone();
        move || {
            let ui = Ui::provide(Lang::En);
            slot.set(Some(ui));
            view! { <div id="live" aria-live="polite">{move || ui.live.get()}</div> }
        }
    });
    let ui = slot.get().unwrap();
    let live: HtmlElement = by_id(&root, "live");
    ui.announce("That code is not right.".to_owned());
    until(|| live.text_content().unwrap() == "That code is not right.").await;
    // The same words again: the region is emptied first, so a screen reader hears them again.
    ui.announce("That code is not right.".to_owned());
    tick().await;
    assert_eq!(live.text_content().unwrap(), "");
    until(|| live.text_content().unwrap() == "That code is not right.").await;
}

/// The `type` and `autocomplete` attributes of the input `#id`.
fn kind_and_autocomplete(root: &HtmlElement, id: &str) -> (String, String) {
    let input: HtmlInputElement = by_id(root, id);
    (
        input.get_attribute("type").unwrap_or_default(),
        input.get_attribute("autocomplete").unwrap_or_default(),
    )
}

/// OWASP ASVS 5.0 V6.2.6, V6.2.7, NIST SP 800-63B-4 §3.1.1.2 (password managers): password
/// fields are masked, and every field names its `autocomplete` purpose.
#[wasm_bindgen_test]
async fn password_fields_are_masked_and_tell_password_managers_what_they_are() {
    let (root, handle) = mount_screen("sign-in").await;
    assert_eq!(
        kind_and_autocomplete(&root, "email"),
        ("email".to_owned(), "email".to_owned())
    );
    assert_eq!(
        kind_and_autocomplete(&root, "password"),
        ("password".to_owned(), "current-password".to_owned())
    );
    drop(handle);

    for flow in ["sign-up", "forgot"] {
        let (root, _handle) = mount_screen(flow).await;
        assert_eq!(
            kind_and_autocomplete(&root, "email"),
            ("email".to_owned(), "email".to_owned()),
            "{flow}"
        );
        for id in ["new-password", "confirm-password"] {
            assert_eq!(
                kind_and_autocomplete(&root, id),
                ("password".to_owned(), "new-password".to_owned()),
                "{flow}: #{id}"
            );
        }
        let show: HtmlInputElement = by_id(&root, "show-password");
        assert_eq!(show.type_(), "checkbox", "{flow}");
        assert!(!show.checked(), "{flow}: masked by default");
    }
}

/// OWASP ASVS 5.0 V6.2.6: "Show password" unmasks New Password and Confirm New Password, and
/// masks them again. (The checkbox is enabled once the server has verified the emailed code,
/// which needs a backend; the `change` event it fires when ticked is dispatched here.)
#[wasm_bindgen_test]
async fn show_password_unmasks_both_new_password_fields_and_masks_them_again() {
    for flow in ["sign-up", "forgot"] {
        let (root, _handle) = mount_screen(flow).await;
        let show: HtmlInputElement = by_id(&root, "show-password");
        let types = |root: &HtmlElement| {
            ["new-password", "confirm-password"]
                .map(|id| by_id::<HtmlInputElement>(root, id).type_())
        };
        assert_eq!(types(&root), ["password", "password"], "{flow}");
        show.set_checked(true);
        fire(&show, "change");
        tick().await;
        assert_eq!(types(&root), ["text", "text"], "{flow}: shown");
        assert!(show.checked());
        show.set_checked(false);
        fire(&show, "change");
        tick().await;
        assert_eq!(
            types(&root),
            ["password", "password"],
            "{flow}: masked again"
        );
        assert!(!show.checked());
    }
}

/// OWASP ASVS 5.0 V6.2.7, NIST SP 800-63B-4 §3.1.1.2 (paste SHOULD be allowed): no field of the
/// sign-in, sign-up or reset screens cancels a paste.
#[wasm_bindgen_test]
async fn no_field_blocks_paste() {
    for screen in ["sign-in", "sign-up", "forgot"] {
        let (root, _handle) = mount_screen(screen).await;
        let inputs = root.query_selector_all("input").unwrap();
        assert!(inputs.length() >= 2, "{screen}: no fields");
        for i in 0..inputs.length() {
            let input: HtmlInputElement = inputs.item(i).unwrap().unchecked_into();
            assert!(
                input.get_attribute("onpaste").is_none(),
                "{screen}: #{} has an onpaste attribute",
                input.id()
            );
            let init = web_sys::EventInit::new();
            init.set_bubbles(true);
            init.set_cancelable(true);
            init.set_composed(true);
            let paste = web_sys::Event::new_with_event_init_dict("paste", &init).unwrap();
            let not_cancelled = input.dispatch_event(&paste).unwrap();
            assert!(
                not_cancelled && !paste.default_prevented(),
                "{screen}: a paste into #{} is cancelled",
                input.id()
            );
        }
    }
}

/// A problem the server could answer, with these field errors.
fn refusal(
    code: partner_login_contract::ErrorCode,
    errors: Vec<partner_login_contract::FieldError>,
) -> partner_login::api::ApiError {
    partner_login::api::ApiError::Problem(partner_login_contract::Problem {
        kind: String::new(),
        title: String::new(),
        status: 422,
        detail: None,
        code,
        errors,
        retry_after: None,
    })
}

/// The id of the element that has the focus.
fn focused_id() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .map(|e| e.id())
        .unwrap_or_default()
}

type TestForm = (
    partner_login::forms::Form,
    [partner_login::forms::FormField; 4],
);

/// A form of four fields declared by their specs, drawn with its summary and error region.
async fn mount_form() -> (HtmlElement, TestForm, impl Sized) {
    use partner_login::forms::fields::{CODE, DISPLAY_NAME, EMAIL, NEW_PASSWORD};
    use partner_login::forms::{Form, FormError, FormSummary, Input};
    let root = container();
    let slot = std::rc::Rc::new(std::cell::Cell::new(None::<TestForm>));
    let handle = mount_to(root.clone(), {
        let slot = slot.clone();
        move || {
            let ui = Ui::provide(Lang::En);
            let form = Form::new(ui);
            let fields = [&EMAIL, &CODE, &NEW_PASSWORD, &DISPLAY_NAME].map(|s| form.field(s));
            slot.set(Some((form, fields)));
            view! {
                <FormError form />
                <FormSummary form />
                {fields.map(|field| view! { <Input field /> })}
            }
        }
    });
    tick().await;
    (root, slot.get().unwrap(), handle)
}

/// The server's field errors go to the fields it names, in the form's order: each shows its
/// message, the summary lists them, the form says what no field says, and the first takes the
/// focus.
#[wasm_bindgen_test]
async fn the_server_s_field_errors_are_routed_to_their_fields_and_the_first_is_focused() {
    use partner_login_contract::{ErrorCode, Field, FieldError};
    let (root, (form, _), _handle) = mount_form().await;
    form.fail(&refusal(
        ErrorCode::ValidationFailed,
        vec![
            FieldError::with_limit(Field::DisplayName, ErrorCode::TooLong, 64),
            FieldError::new(Field::Password, ErrorCode::PasswordTooCommon),
            FieldError::new(Field::Inviter, ErrorCode::Required),
        ],
    ));
    until(|| focused_id() == "new-password").await;
    let password: HtmlInputElement = by_id(&root, "new-password");
    assert_eq!(password.get_attribute("aria-invalid").unwrap(), "true");
    assert!(by_id::<HtmlElement>(&root, "new-password-error")
        .text_content()
        .unwrap()
        .contains("most common passwords"));
    assert_eq!(
        by_id::<HtmlElement>(&root, "display-name-error")
            .text_content()
            .unwrap(),
        "Too long: at most 64 characters."
    );
    for quiet in ["email", "code"] {
        let input: HtmlInputElement = by_id(&root, quiet);
        assert_eq!(
            input.get_attribute("aria-invalid").unwrap(),
            "false",
            "{quiet}"
        );
    }
    let entries = root.query_selector_all("#error-summary li").unwrap();
    let entries: Vec<String> = (0..entries.length())
        .map(|i| entries.item(i).unwrap().text_content().unwrap())
        .collect();
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert!(entries[0].starts_with("New Password: "), "{entries:?}");
    assert!(entries[1].starts_with("Display Name: "), "{entries:?}");
    assert_eq!(
        by_id::<HtmlElement>(&root, "form-error")
            .text_content()
            .unwrap(),
        "Some fields need your attention."
    );

    // A refusal its field says in full ("That code is not right") is not said twice.
    form.error.set(None);
    form.fail(&refusal(
        ErrorCode::CodeWrong,
        vec![FieldError::new(Field::Code, ErrorCode::CodeWrong)],
    ));
    until(|| focused_id() == "code").await;
    assert!(by_id::<HtmlElement>(&root, "code-error")
        .text_content()
        .unwrap()
        .starts_with("That code is not right."));
    assert_eq!(
        by_id::<HtmlElement>(&root, "form-error")
            .text_content()
            .unwrap(),
        ""
    );

    // No answer at all: the form's message, no field blamed.
    form.fail(&partner_login::api::ApiError::Network);
    tick().await;
    assert!(by_id::<HtmlElement>(&root, "form-error")
        .text_content()
        .unwrap()
        .starts_with("The portal cannot be reached."));
}

/// The check on submit runs each field's rule from its spec; the first invalid field takes
/// the focus and the summary lists every error.
#[wasm_bindgen_test]
async fn the_submit_check_uses_each_spec_s_rule_and_focuses_the_first_invalid_field() {
    let (root, (form, fields), _handle) = mount_form().await;
    type_into(&by_id(&root, "email"), "amina@example.org");
    type_into(&by_id(&root, "code"), "12");
    type_into(&by_id(&root, "new-password"), "short");
    tick().await;
    assert!(!form.check(&fields));
    until(|| focused_id() == "code").await;
    assert_eq!(
        by_id::<HtmlElement>(&root, "code-error")
            .text_content()
            .unwrap(),
        "The code has 6 digits."
    );
    assert_eq!(
        by_id::<HtmlElement>(&root, "new-password-error")
            .text_content()
            .unwrap(),
        "Too short: at least 8 characters."
    );
    assert_eq!(
        by_id::<HtmlElement>(&root, "display-name-error")
            .text_content()
            .unwrap(),
        "This field is required."
    );
    assert_eq!(
        by_id::<HtmlInputElement>(&root, "email")
            .get_attribute("aria-invalid")
            .unwrap(),
        "false"
    );
    assert_eq!(
        root.query_selector_all("#error-summary li")
            .unwrap()
            .length(),
        3
    );
}

/// Dispatches a pointer event of `kind` (`pointerdown`, `pointerup`) at the window, where the
/// form listens for presses.
fn pointer(kind: &str) {
    let window = web_sys::window().unwrap();
    let event = web_sys::Event::new(kind).unwrap();
    window.dispatch_event(&event).unwrap();
}

/// A field whose value changes under a pointer press: the blur the press causes shows nothing
/// until the release (the click lands where it was pressed), and an error the server gave stays
/// on blur while the value is unchanged.
#[wasm_bindgen_test]
async fn a_blur_changes_nothing_before_the_pointer_is_released_and_never_removes_an_error() {
    use partner_login_contract::ErrorCode;
    let root = container();
    let error = RwSignal::new(None);
    let _handle = mount_to(root.clone(), move || {
        Ui::provide(Lang::En);
        let value = RwSignal::new(String::new());
        view! {
            <Field id="email" label=Msg::EMAIL_ADDRESS value=value error=error kind="email"
                validate=rule(email_rule) />
        }
    });
    tick().await;
    let input: HtmlInputElement = by_id(&root, "email");
    type_into(&input, "amina@");
    pointer("pointerdown");
    fire(&input, "blur");
    tick().await;
    assert_eq!(
        input.get_attribute("aria-invalid").unwrap(),
        "false",
        "nothing shows while the pointer is pressed"
    );
    pointer("pointerup");
    until(|| input.get_attribute("aria-invalid").as_deref() == Some("true")).await;

    // The server's verdict on a value stays until the value changes.
    type_into(&input, "amina@example.org");
    tick().await;
    assert_eq!(input.get_attribute("aria-invalid").unwrap(), "false");
    error.set(Some((ErrorCode::AccountExists, None)));
    tick().await;
    fire(&input, "blur");
    tick().await;
    let message: HtmlElement = by_id(&root, "email-error");
    assert!(
        message
            .text_content()
            .unwrap()
            .starts_with("An account already exists"),
        "a blur removed the server's error"
    );
}

/// With the page's stylesheet: a field's error line keeps its space, so a button below does
/// not move when a message of one line comes or goes.
#[wasm_bindgen_test]
async fn a_field_s_error_line_reserves_its_space() {
    let document = web_sys::window().unwrap().document().unwrap();
    let style = document.create_element("style").unwrap();
    style.set_text_content(Some(include_str!("../style/main.css")));
    document.head().unwrap().append_child(&style).unwrap();
    let root = container();
    let error = RwSignal::new(None);
    let _handle = mount_to(root.clone(), move || {
        Ui::provide(Lang::En);
        let value = RwSignal::new(String::new());
        view! {
            <form>
                <Field id="email" label=Msg::EMAIL_ADDRESS value=value error=error kind="email"
                    validate=rule(email_rule) />
                <button type="button" id="below">"Below"</button>
            </form>
        }
    });
    tick().await;
    let below: HtmlElement = by_id(&root, "below");
    let message: HtmlElement = by_id(&root, "email-error");
    let top = below.offset_top();
    assert!(
        message.offset_height() > 0,
        "the empty error line has a height"
    );
    let input: HtmlInputElement = by_id(&root, "email");
    type_into(&input, "amina@");
    fire(&input, "blur");
    until(|| !message.text_content().unwrap_or_default().is_empty()).await;
    assert_eq!(below.offset_top(), top, "the message moved the button down");
    type_into(&input, "amina@example.org");
    until(|| message.text_content().unwrap_or_default().is_empty()).await;
    assert_eq!(
        below.offset_top(),
        top,
        "the message going moved the button up"
    );
    style.remove();
}

/// Answers the page's `fetch` with `answer(method, url)` (JavaScript returning a Response or
/// null for "no such route": 404) until the returned guard is dropped. The API is the only
/// thing stood in for: the screens' own code runs as in the app.
fn serve(answer: &str) -> impl Drop {
    struct Restore(wasm_bindgen::JsValue);
    impl Drop for Restore {
        fn drop(&mut self) {
            let window = web_sys::window().unwrap();
            js_sys::Reflect::set(&window, &"fetch".into(), &self.0).unwrap();
        }
    }
    let window = web_sys::window().unwrap();
    let original = js_sys::Reflect::get(&window, &"fetch".into()).unwrap();
    let body = format!(
        "const req = new Request(input, init); \
         const answer = (function (method, url) {{ {answer} }})(req.method, new URL(req.url).pathname); \
         return Promise.resolve(answer || new Response('not found', {{status: 404}}));"
    );
    let stub = js_sys::Function::new_with_args("input, init", &body);
    js_sys::Reflect::set(&window, &"fetch".into(), &stub).unwrap();
    Restore(original)
}

/// `public/boot.js`'s passkey part (the ceremony and the sign-in screen's button), which the
/// app's page loads and the test runner's does not.
fn install_boot_js_passkeys() {
    let boot = include_str!("../public/boot.js");
    js_sys::eval(&boot[boot.find("// Passkeys").unwrap()..]).unwrap();
}

/// Issue 20: the sign-in screen offers passkeys (the button, the email field's autofill) only
/// when the server says it does; with them off it is the user guide's screen, unchanged.
#[wasm_bindgen_test]
async fn sign_in_offers_passkeys_only_when_the_server_does() {
    install_boot_js_passkeys();
    // The autofill's ceremony starts when passkeys are on: the server answers it with nothing.
    let _api = serve("return null;");
    let root = container();
    let slot = std::rc::Rc::new(std::cell::Cell::new(None::<Ui>));
    let _handle = mount_to(root.clone(), {
        let slot = slot.clone();
        move || {
            slot.set(Some(Ui::provide(Lang::En)));
            view! { <Router><RouterNavigate><SignIn /></RouterNavigate></Router> }
        }
    });
    tick().await;
    let ui = slot.get().unwrap();
    assert!(root.query_selector("#passkey-sign-in").unwrap().is_none());
    assert_eq!(kind_and_autocomplete(&root, "email").1, "email");

    ui.config.update(|c| c.passkeys = true);
    tick().await;
    // `boot.js` draws the button a moment later (after the router has mounted the screen).
    gloo_timers::future::TimeoutFuture::new(0).await;
    let passkey: HtmlButtonElement = by_id(&root, "passkey-sign-in");
    assert_eq!(
        passkey.text_content().unwrap().trim(),
        "Sign in with a passkey"
    );
    assert_eq!(passkey.type_(), "button", "not the form's submit");
    assert!(!passkey.disabled());
    assert_eq!(
        passkey
            .previous_element_sibling()
            .and_then(|or| or.text_content()),
        Some("OR".to_owned()),
        "its \"or\" line above it"
    );
    assert_eq!(
        kind_and_autocomplete(&root, "email"),
        ("email".to_owned(), "username webauthn".to_owned())
    );
    // The autofill's ceremony could not begin: nothing alarming is said.
    gloo_timers::future::TimeoutFuture::new(50).await;
    let error: HtmlElement = by_id(&root, "form-error");
    assert_eq!(error.text_content().unwrap(), "");
    // In French, the button's words follow.
    install_real(Lang::Fr);
    choose_language(&root, "fr").await;
    tick().await;
    gloo_timers::future::TimeoutFuture::new(0).await;
    assert_eq!(
        passkey.text_content().unwrap().trim(),
        "Se connecter avec une clé d'accès"
    );
}

/// Issue 20: the account page lists the passkeys the server answers with (name, dates written
/// the language's way, synced or this device only); "Remove" asks first; a stale sign-in is
/// told to sign in again; a removal that succeeds takes the line away and says so.
#[wasm_bindgen_test]
async fn the_account_page_lists_passkeys_and_removes_one_after_a_confirmation() {
    let _api = serve(
        r#"
        const json = (status, body) => new Response(JSON.stringify(body), {status,
            headers: {'content-type': status < 400 ? 'application/json' : 'application/problem+json'}});
        if (method === 'GET' && url === '/api/passkeys') return json(200, [
            {id: 'k1', name: 'Laptop', created_at: 1767225600, last_used_at: 1767312000, synced: true},
            {id: 'k2', name: 'Security key', created_at: 1767225600, synced: false}]);
        if (method === 'DELETE' && url === '/api/passkeys/k2') {
            window.__removals = (window.__removals || 0) + 1;
            if (window.__removals === 1) return json(401, {type: 'urn:partner-login:problem:reauthentication_required',
                title: 'Unauthorized', status: 401, code: 'reauthentication_required'});
            return new Response(null, {status: 204});
        }
        if (method === 'PATCH' && url === '/api/passkeys/k1') return new Response(null, {status: 204});
        return null;"#,
    );
    let root = container();
    let errors = std::rc::Rc::new(std::cell::Cell::new(None::<Errors>));
    let _handle = mount_to(root.clone(), {
        let errors = errors.clone();
        move || {
            Ui::provide(Lang::En);
            let e = Errors {
                message: RwSignal::new(None),
                sign_in_again: RwSignal::new(false),
            };
            errors.set(Some(e));
            view! { <Passkeys errors=e /> }
        }
    });
    let errors = errors.get().unwrap();
    let items = |root: &HtmlElement| {
        root.query_selector_all("#passkey-list > li.passkey")
            .unwrap()
    };
    until(|| items(&root).length() == 2).await;
    let names: Vec<String> = (0..2)
        .map(|i| {
            items(&root)
                .item(i)
                .unwrap()
                .unchecked_into::<HtmlElement>()
                .query_selector(".passkey-name")
                .unwrap()
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert_eq!(names, ["Laptop", "Security key"]);
    let text = |i: u32| items(&root).item(i).unwrap().text_content().unwrap();
    let created = Lang::En.date_time(1767225600);
    assert!(
        text(0).contains(&format!("Created {created}")),
        "{}",
        text(0)
    );
    assert!(
        text(0).contains("Last used") && text(0).contains("Synced"),
        "{}",
        text(0)
    );
    assert!(
        text(1).contains("Never used") && text(1).contains("This device only"),
        "{}",
        text(1)
    );
    let heading: HtmlElement = by_id(&root, "passkeys-heading");
    assert_eq!(heading.text_content().unwrap(), "Passkeys");
    assert!(root.query_selector("#add-passkey").unwrap().is_some());

    // "Remove" asks first; the question names the passkey.
    let remove: HtmlButtonElement = root
        .query_selector_all("button.remove-passkey")
        .unwrap()
        .item(1)
        .unwrap()
        .unchecked_into();
    remove.click();
    tick().await;
    let confirm: HtmlButtonElement = root
        .query_selector("button.confirm-remove")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(confirm.text_content().unwrap().trim(), "Remove");
    assert!(
        text(1).contains("Remove the passkey Security key?"),
        "{}",
        text(1)
    );
    // Signed in too long ago: the server's own code, and "Sign in again" offered.
    confirm.click();
    until(|| errors.sign_in_again.get_untracked()).await;
    assert_eq!(
        errors.message.get_untracked(),
        Some(Msg::ERROR_REAUTHENTICATION_REQUIRED)
    );
    assert_eq!(items(&root).length(), 2, "nothing removed");
    // Once allowed: the line goes, and the page says so.
    confirm.click();
    until(|| items(&root).length() == 1).await;
    let notice: HtmlElement = by_id(&root, "passkey-notice");
    assert_eq!(notice.text_content().unwrap(), "Passkey removed.");
    assert_eq!(errors.message.get_untracked(), None);

    // "Rename": a labelled field in the line, shown on demand, then the new name.
    let form: HtmlElement = root
        .query_selector(".rename-passkey-form")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(form.hidden(), "no field until asked");
    let rename: HtmlButtonElement = root
        .query_selector("button.rename-passkey")
        .unwrap()
        .unwrap()
        .unchecked_into();
    rename.click();
    tick().await;
    assert!(!form.hidden());
    let label = root
        .query_selector("label[for=passkey-k1-new-name]")
        .unwrap()
        .unwrap();
    assert_eq!(label.text_content().unwrap(), "Passkey name");
    let input: HtmlInputElement = by_id(&root, "passkey-k1-new-name");
    assert_eq!(input.value(), "Laptop");
    type_into(&input, "Work laptop");
    fire(&form, "submit");
    let name = || {
        root.query_selector(".passkey-name")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap()
    };
    until(|| name() == "Work laptop").await;
    let notice: HtmlElement = by_id(&root, "passkey-notice");
    assert_eq!(notice.text_content().unwrap(), "Passkey renamed.");
}

/// Issue 20: an account with no passkeys is told so.
#[wasm_bindgen_test]
async fn the_account_page_says_when_there_are_no_passkeys() {
    let _api = serve(
        "if (url === '/api/passkeys') return new Response('[]', {status: 200, \
         headers: {'content-type': 'application/json'}}); return null;",
    );
    let root = container();
    let _handle = mount_to(root.clone(), move || {
        Ui::provide(Lang::En);
        let errors = Errors {
            message: RwSignal::new(None),
            sign_in_again: RwSignal::new(false),
        };
        view! { <Passkeys errors /> }
    });
    until(|| root.query_selector("#no-passkeys").unwrap().is_some()).await;
    let empty: HtmlElement = by_id(&root, "no-passkeys");
    assert_eq!(empty.text_content().unwrap(), "You have no passkeys yet.");
    assert_eq!(
        root.query_selector_all("#passkey-list > li")
            .unwrap()
            .length(),
        0
    );
}

/// The server's QR code as `qrcode` 0.14 draws it (a tiny one), for the served answers below.
const QR_SVG: &str = concat!(
    r#"<?xml version="1.0" standalone="yes"?><svg xmlns="http://www.w3.org/2000/svg""#,
    r#" version="1.1" width="232" height="232" viewBox="0 0 232 232" shape-rendering="crispEdges">"#,
    r##"<rect x="0" y="0" width="232" height="232" fill="#fff"/>"##,
    r##"<path fill="#000" d="M32 32h8v8H32V32M40 32h8v8H40V32"/></svg>"##
);

/// The served answers of "Protect your account" with an app: the session (`factor_required`
/// as given), the app's seed with `svg`, a confirmation that takes `123456` only, and a set of
/// 10 codes (counted in `window.__codeSets`).
fn serve_app_enrolment(factor_required: bool, svg: &str) -> impl Drop {
    reset_counts();
    serve(&format!(
        r#"
        const json = (status, body) => new Response(JSON.stringify(body), {{status,
            headers: {{'content-type': status < 400 ? 'application/json' : 'application/problem+json'}}}});
        if (method === 'GET' && url === '/api/session') return json(200, {{email: 'a@example.org',
            display_name: 'Amina', given_name: 'Amina', surname: 'Diallo', organizations: [],
            aal: 'aal1', factor_required: {factor_required}}});
        if (method === 'POST' && url === '/api/authenticator-app') return json(200, {{
            secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', uri: 'otpauth://totp/x', qr_svg: {svg}}});
        if (method === 'POST' && url === '/api/authenticator-app/confirm') {{
            return req.clone().json().then(b => b.code === '123456' ? new Response(null, {{status: 204}})
                : json(422, {{type: 'urn:partner-login:problem:code_wrong', title: 'x', status: 422,
                    code: 'code_wrong', errors: [{{field: 'code', code: 'code_wrong'}}]}}));
        }}
        if (method === 'POST' && url === '/api/recovery-codes') {{
            window.__codeSets = (window.__codeSets || 0) + 1;
            return json(200, {{codes: Array.from({{length: 10}}, (_, i) => 'AAAA-BBBB-CCCC-DDDD-EEEE-000' + i)}});
        }}
        return null;"#,
        svg = serde_json::to_string(svg).unwrap()
    ))
}

/// Forgets what an earlier test's served answers counted on `window`.
fn reset_counts() {
    let window = web_sys::window().unwrap();
    for name in ["__codeSets", "__sets", "__appRemoved"] {
        js_sys::Reflect::delete_property(&window, &name.into()).unwrap();
    }
}

/// Mounts "Protect your account" with authenticator apps on (passkeys off).
async fn mount_protect() -> (HtmlElement, impl Sized) {
    let root = container();
    let handle = mount_to(root.clone(), move || {
        let ui = Ui::provide(Lang::En);
        ui.config.update(|c| c.authenticator_apps = true);
        view! { <Router><partner_login::pages::protect::Protect /></Router> }
    });
    tick().await;
    (root, handle)
}

fn code_sets() -> f64 {
    js_sys::Reflect::get(&web_sys::window().unwrap(), &"__codeSets".into())
        .unwrap()
        .as_f64()
        .unwrap_or(0.0)
}

/// Issue 20: "Use an authenticator app" shows the server's QR code as an image, the key in
/// groups of four, a one-time-code field; a malformed code is said at once, a wrong one by the
/// server in the field; a right one shows 10 recovery codes once, with Copy, Download, Print.
#[wasm_bindgen_test]
async fn protect_adds_an_authenticator_app_then_shows_the_recovery_codes() {
    let _api = serve_app_enrolment(false, QR_SVG);
    let (root, _handle) = mount_protect().await;
    let use_app: HtmlButtonElement = by_id(&root, "use-app");
    assert_eq!(
        use_app.text_content().unwrap().trim(),
        "Use an authenticator app"
    );
    assert!(root.query_selector("#not-now").unwrap().is_some());
    use_app.click();
    until(|| root.query_selector("#app-secret").unwrap().is_some()).await;
    let secret: HtmlElement = by_id(&root, "app-secret");
    assert_eq!(
        secret.text_content().unwrap(),
        "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"
    );
    assert_eq!(secret.get_attribute("dir").unwrap(), "ltr");
    let img: HtmlElement = by_id(&root, "app-qr");
    assert!(img
        .get_attribute("src")
        .unwrap()
        .starts_with("data:image/svg+xml,%3Csvg"));
    assert_eq!(
        img.get_attribute("alt").unwrap(),
        "QR code for your authenticator app"
    );
    let input: HtmlInputElement = by_id(&root, "app-code");
    assert_eq!(
        input.get_attribute("autocomplete").unwrap(),
        "one-time-code"
    );
    assert_eq!(input.get_attribute("inputmode").unwrap(), "numeric");
    let label = root.query_selector("label[for=app-code]").unwrap().unwrap();
    assert_eq!(label.text_content().unwrap(), "Authenticator app code");

    let form: HtmlElement = by_id(&root, "app-form");
    let error: HtmlElement = by_id(&root, "app-code-error");
    type_into(&input, "12a");
    fire(&form, "submit");
    tick().await;
    assert_eq!(input.get_attribute("aria-invalid").unwrap(), "true");
    assert_eq!(
        error.text_content().unwrap(),
        Lang::En.text(Msg::ERROR_CODE_FORMAT)
    );
    type_into(&input, "000000");
    fire(&form, "submit");
    until(|| error.text_content().unwrap() == Lang::En.text(Msg::ERROR_CODE_WRONG)).await;
    assert_eq!(code_sets(), 0.0, "no codes before the app is confirmed");

    type_into(&input, "123 456");
    fire(&form, "submit");
    until(|| {
        root.query_selector_all("#recovery-code-list li")
            .unwrap()
            .length()
            == 10
    })
    .await;
    assert_eq!(code_sets(), 1.0);
    let list: HtmlElement = by_id(&root, "recovery-code-list");
    assert!(list
        .text_content()
        .unwrap()
        .starts_with("AAAA-BBBB-CCCC-DDDD-EEEE-0000"));
    for text in ["Copy", "Download", "Print", "Continue"] {
        button(&root, text);
    }
    let notice: HtmlElement = by_id(&root, "app-notice");
    assert_eq!(
        notice.text_content().unwrap(),
        "Your authenticator app is set up."
    );
}

/// Issue 20: a QR code that is not the server's drawing (here with a `style` attribute, which
/// the CSP would refuse and which our server never sends) is not shown; the key still is.
#[wasm_bindgen_test]
async fn a_qr_code_that_is_not_the_server_s_drawing_is_not_shown() {
    let styled = QR_SVG.replace("<rect ", "<rect style=\"fill:red\" ");
    let _api = serve_app_enrolment(false, &styled);
    let (root, _handle) = mount_protect().await;
    by_id::<HtmlButtonElement>(&root, "use-app").click();
    until(|| root.query_selector("#app-secret").unwrap().is_some()).await;
    assert!(root.query_selector("#app-qr").unwrap().is_none());
    assert!(root.query_selector("img").unwrap().is_none());
    assert!(root
        .text_content()
        .unwrap()
        .contains("The QR code cannot be shown."));
}

/// Issue 20, `MFA_POLICY=required`: the session that confirmed the app stays enrolment-only,
/// so no recovery codes are asked for (the server would refuse them); the page says to sign in
/// again with the password and the app, and offers "Sign in again"; no "Not now".
#[wasm_bindgen_test]
async fn under_a_required_policy_a_confirmed_app_leads_to_a_new_sign_in() {
    let _api = serve_app_enrolment(true, QR_SVG);
    let (root, _handle) = mount_protect().await;
    until(|| root.query_selector("#not-now").unwrap().is_none()).await;
    by_id::<HtmlButtonElement>(&root, "use-app").click();
    until(|| root.query_selector("#app-secret").unwrap().is_some()).await;
    let input: HtmlInputElement = by_id(&root, "app-code");
    type_into(&input, "123456");
    fire(&by_id::<HtmlElement>(&root, "app-form"), "submit");
    until(|| root.query_selector("#sign-in-again").unwrap().is_some()).await;
    let notice: HtmlElement = by_id(&root, "app-notice");
    assert_eq!(
        notice.text_content().unwrap(),
        Lang::En.text(Msg::APP_SIGN_IN_AGAIN)
    );
    assert_eq!(code_sets(), 0.0, "no recovery codes on one factor");
    assert!(root
        .query_selector("#recovery-code-list")
        .unwrap()
        .is_none());
}

/// Issue 20: the account page's app (added on …, "Remove" after a confirmation), recovery
/// codes (how many left; "Generate new codes" asks for a recent sign-in, then shows the set
/// once), and sessions ("This session"; "Sign out of this session" on the others).
#[wasm_bindgen_test]
async fn the_account_page_shows_the_app_the_codes_and_the_sessions() {
    reset_counts();
    let _api = serve(
        r#"
        const json = (status, body) => new Response(JSON.stringify(body), {status,
            headers: {'content-type': status < 400 ? 'application/json' : 'application/problem+json'}});
        if (method === 'GET' && url === '/api/account/factors') return json(200, {passkeys: 0,
            authenticator_app: !window.__appRemoved, authenticator_app_added_at: window.__appRemoved ? undefined : 1767225600,
            recovery_codes_left: 3});
        if (method === 'GET' && url === '/api/sessions') return json(200, [
            {id: 's1', created_at: 1767225600, last_seen_at: 1767312000, idp: 'local', amr: ['pop', 'mfa'], aal: 'aal2', current: true},
            {id: 's2', created_at: 1767225600, last_seen_at: 1767225600, idp: 'local', amr: ['pwd'], aal: 'aal1', current: false}]);
        if (method === 'DELETE' && url === '/api/sessions/s2') return new Response(null, {status: 204});
        if (method === 'DELETE' && url === '/api/authenticator-app') {
            window.__appRemoved = true;
            return new Response(null, {status: 204});
        }
        if (method === 'POST' && url === '/api/recovery-codes') {
            window.__sets = (window.__sets || 0) + 1;
            if (window.__sets === 1) return json(401, {type: 'urn:partner-login:problem:reauthentication_required',
                title: 'Unauthorized', status: 401, code: 'reauthentication_required'});
            return json(200, {codes: Array.from({length: 10}, (_, i) => 'ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-000' + i)});
        }
        return null;"#,
    );
    let root = container();
    let errors = std::rc::Rc::new(std::cell::Cell::new(None::<Errors>));
    let _handle = mount_to(root.clone(), {
        let errors = errors.clone();
        move || {
            let ui = Ui::provide(Lang::En);
            ui.config.update(|c| c.authenticator_apps = true);
            let e = Errors {
                message: RwSignal::new(None),
                sign_in_again: RwSignal::new(false),
            };
            errors.set(Some(e));
            view! { <SecondFactors errors=e /><Sessions errors=e /> }
        }
    });
    let errors = errors.get().unwrap();
    until(|| root.query_selector("#app-added").unwrap().is_some()).await;
    let added: HtmlElement = by_id(&root, "app-added");
    assert_eq!(
        added.text_content().unwrap(),
        format!("Added {}", Lang::En.date_time(1767225600))
    );
    let left: HtmlElement = by_id(&root, "codes-left");
    assert_eq!(left.text_content().unwrap(), "Codes left: 3");

    // Sessions: this one marked, the other with its button.
    until(|| {
        root.query_selector_all("#session-list li.session")
            .unwrap()
            .length()
            == 2
    })
    .await;
    let sessions: HtmlElement = by_id(&root, "session-list");
    let text = sessions.text_content().unwrap();
    assert!(
        text.contains("This session") && text.contains("Passkey"),
        "{text}"
    );
    assert!(text.contains("Password"), "{text}");
    assert_eq!(
        root.query_selector_all("button.end-session")
            .unwrap()
            .length(),
        1
    );
    button(&root, "Sign out of this session").click();
    until(|| {
        root.query_selector_all("#session-list li.session")
            .unwrap()
            .length()
            == 1
    })
    .await;
    let notice: HtmlElement = by_id(&root, "sessions-notice");
    assert_eq!(notice.text_content().unwrap(), "Session signed out.");

    // New codes: a stale sign-in first ("Sign in again"), then the set, shown once.
    button(&root, "Generate new codes").click();
    until(|| errors.sign_in_again.get_untracked()).await;
    assert_eq!(
        errors.message.get_untracked(),
        Some(Msg::ERROR_REAUTHENTICATION_REQUIRED)
    );
    button(&root, "Generate new codes").click();
    until(|| {
        root.query_selector_all("#recovery-code-list li")
            .unwrap()
            .length()
            == 10
    })
    .await;
    button(&root, "Continue").click();
    until(|| {
        root.query_selector("#recovery-code-list")
            .unwrap()
            .is_none()
    })
    .await;

    // "Remove" asks first, then the app goes and "Add an authenticator app" shows.
    by_id::<HtmlButtonElement>(&root, "remove-app").click();
    tick().await;
    let question: HtmlElement = by_id(&root, "confirm-remove-app");
    assert!(question
        .text_content()
        .unwrap()
        .starts_with("Remove the authenticator app?"));
    by_id::<HtmlButtonElement>(&root, "confirm-remove-app-button").click();
    until(|| root.query_selector("#add-app").unwrap().is_some()).await;
    let notice: HtmlElement = by_id(&root, "app-notice");
    assert_eq!(notice.text_content().unwrap(), "Authenticator app removed.");
    assert!(root.query_selector("#no-app").unwrap().is_some());
}

/// Issue 20: in Arabic the app's step reads right to left in Arabic words, while the key and
/// the recovery codes (Latin letters and digits) stay left to right.
#[wasm_bindgen_test]
async fn the_app_step_speaks_arabic_and_keeps_the_key_and_codes_left_to_right() {
    install_real(Lang::Ar);
    let _api = serve_app_enrolment(false, QR_SVG);
    let root = container();
    let _handle = mount_to(root.clone(), move || {
        let ui = Ui::provide(Lang::Ar);
        ui.config.update(|c| c.authenticator_apps = true);
        view! { <Router><partner_login::pages::protect::Protect /></Router> }
    });
    tick().await;
    let use_app: HtmlButtonElement = by_id(&root, "use-app");
    assert_eq!(
        use_app.text_content().unwrap().trim(),
        Lang::Ar.text(Msg::USE_APP)
    );
    assert_ne!(Lang::Ar.text(Msg::USE_APP), Lang::En.text(Msg::USE_APP));
    use_app.click();
    until(|| root.query_selector("#app-secret").unwrap().is_some()).await;
    let label = root.query_selector("label[for=app-code]").unwrap().unwrap();
    assert_eq!(label.text_content().unwrap(), "رمز تطبيق المصادقة");
    let secret: HtmlElement = by_id(&root, "app-secret");
    assert_eq!(secret.get_attribute("dir").unwrap(), "ltr");
    let input: HtmlInputElement = by_id(&root, "app-code");
    type_into(&input, "123456");
    fire(&by_id::<HtmlElement>(&root, "app-form"), "submit");
    until(|| {
        root.query_selector("#recovery-code-list")
            .unwrap()
            .is_some()
    })
    .await;
    let list: HtmlElement = by_id(&root, "recovery-code-list");
    assert_eq!(list.get_attribute("dir").unwrap(), "ltr");
    button(&root, Lang::Ar.text(Msg::COPY));
    button(&root, Lang::Ar.text(Msg::PRINT));
}

/// Issue 20: the second proof (`components::second_proof`) offers the app's 6-digit code
/// (`one-time-code`, a numeric keyboard), says a wrong code in its own words and keeps what
/// was typed, then "Use a recovery code instead" finishes and reports the codes left. No
/// passkey button unless the methods say passkey.
#[wasm_bindgen_test]
async fn the_second_proof_takes_an_app_code_or_a_recovery_code_and_keeps_what_was_typed() {
    use partner_login::components::second_proof::{Proven, SecondProof, Target};
    use partner_login_contract::api::SecondFactorMethod;
    let _api = serve(
        r#"
        const json = (status, body) => new Response(JSON.stringify(body), {status,
            headers: {'content-type': status < 400 ? 'application/json' : 'application/problem+json'}});
        if (method === 'POST' && url === '/api/session/second-factor') {
            window.__proofs = (window.__proofs || 0) + 1;
            if (window.__proofs === 1) return json(422, {type: 'urn:partner-login:problem:code_wrong',
                title: 'Unprocessable', status: 422, code: 'code_wrong'});
            return json(200, {email: 'amina@example.org', display_name: 'Amina', given_name: 'Amina',
                surname: 'K', organizations: [], aal: 'aal2', recovery_codes_left: 9});
        }
        return null;"#,
    );
    let root = container();
    let done = RwSignal::new(None::<Proven>);
    let _handle = mount_to(root.clone(), move || {
        Ui::provide(Lang::En);
        let methods = vec![SecondFactorMethod::App, SecondFactorMethod::RecoveryCode];
        view! {
            <SecondProof target=Target::SignIn methods
                on_done=move |proven: Proven| done.set(Some(proven)) />
        }
    });
    tick().await;
    assert_eq!(
        kind_and_autocomplete(&root, "app-code"),
        ("text".to_owned(), "one-time-code".to_owned())
    );
    let code: HtmlInputElement = by_id(&root, "app-code");
    assert_eq!(code.get_attribute("inputmode").as_deref(), Some("numeric"));
    let label = root.query_selector("label[for=app-code]").unwrap().unwrap();
    assert_eq!(label.text_content().unwrap(), "Authenticator app code");
    assert!(root.query_selector("#use-passkey").unwrap().is_none());
    assert!(root.query_selector("#recovery-code").unwrap().is_none());

    // A wrong code: the app's words (not the emailed code's), the code kept.
    type_into(&code, "123456");
    let form: HtmlElement = root
        .query_selector("form")
        .unwrap()
        .unwrap()
        .unchecked_into();
    fire(&form, "submit");
    let error: HtmlElement = by_id(&root, "second-proof-error");
    until(|| !error.text_content().unwrap().is_empty()).await;
    assert_eq!(
        error.text_content().unwrap(),
        "That code is not right. Check your authenticator app and try again."
    );
    assert_eq!(error.get_attribute("role").as_deref(), Some("alert"));
    assert_eq!(code.value(), "123456", "what was typed stays");

    // A recovery code instead: its own field, then done with the count left.
    let switch: HtmlButtonElement = by_id(&root, "use-recovery-code");
    assert_eq!(
        switch.text_content().unwrap().trim(),
        "Use a recovery code instead"
    );
    switch.click();
    tick().await;
    assert!(root.query_selector("#app-code").unwrap().is_none());
    let recovery: HtmlInputElement = by_id(&root, "recovery-code");
    type_into(&recovery, "abcd-efgh-jkmn-pqrs-tvwx-yz01");
    fire(&form, "submit");
    until(|| done.get_untracked().is_some()).await;
    let proven = done.get_untracked().unwrap();
    assert_eq!(proven.recovery_codes_left, Some(9));
    assert_eq!(proven.session.unwrap().email, "amina@example.org");
}

/// Issue 20: in French the second proof speaks French (a recovery code alone: its field
/// first), an empty code is refused before any request, and a passkey is offered when the
/// methods say so and the browser can.
#[wasm_bindgen_test]
async fn the_second_proof_speaks_the_language_and_offers_a_passkey_when_it_may() {
    use partner_login::components::second_proof::{SecondProof, Target};
    use partner_login_contract::api::SecondFactorMethod;
    let _api = serve("window.__asked = true; return null;");
    install_real(Lang::Fr);
    let root = container();
    let _handle = mount_to(root.clone(), move || {
        Ui::provide(Lang::Fr);
        let methods = vec![
            SecondFactorMethod::RecoveryCode,
            SecondFactorMethod::Passkey,
        ];
        view! {
            <SecondProof target=Target::Reset("flow".to_owned()) methods on_done=|_| {} />
        }
    });
    tick().await;
    assert!(root.query_selector("#app-code").unwrap().is_none());
    assert!(root.query_selector("#use-recovery-code").unwrap().is_none());
    let label = root
        .query_selector("label[for=recovery-code]")
        .unwrap()
        .unwrap();
    assert_eq!(label.text_content().unwrap(), "Code de récupération");
    let form: HtmlElement = root
        .query_selector("form")
        .unwrap()
        .unwrap()
        .unchecked_into();
    fire(&form, "submit");
    tick().await;
    let error: HtmlElement = by_id(&root, "second-proof-error");
    assert!(!error.text_content().unwrap().is_empty(), "required");
    let asked = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__asked".into()).unwrap();
    assert!(asked.is_undefined(), "no request for an empty code");
    if partner_login::webauthn::supported() {
        let passkey: HtmlButtonElement = by_id(&root, "use-passkey");
        assert_eq!(
            passkey.text_content().unwrap().trim(),
            "Utiliser une clé d'accès"
        );
    }
}

/// What the browser's `JSON.parse` and `partner_login::json` read is what serde_json (the
/// server's writer, and the SPA's parser before issue 21) reads, for the answers and files the
/// SPA takes: nested types, maps, options, integers of each sign, enums by name.
#[wasm_bindgen_test]
fn json_is_read_as_serde_json_reads_it() {
    use partner_login::json::parse;
    use partner_login_contract::api::{ActiveSession, PublicConfig, SessionView};
    use partner_login_contract::config_file::Json;
    use partner_login_contract::Problem;
    use serde::de::DeserializeOwned;
    use std::fmt::Debug;

    fn same<T: DeserializeOwned + PartialEq + Debug>(text: &str) {
        let expected: T = serde_json::from_str(text).unwrap();
        assert_eq!(parse::<T>(text).unwrap(), expected, "{text}");
    }
    same::<Problem>(
        r#"{"type":"urn:partner-login:problem:validation_failed","title":"Validation failed",
        "status":422,"code":"validation_failed","errors":[{"field":"password","code":"too_short",
        "limit":8},{"field":"email","code":"required"}],"retry_after":null}"#,
    );
    same::<Problem>(
        r#"{"type":"x","title":"Busy","status":503,"code":"service_unavailable","retry_after":2}"#,
    );
    same::<PublicConfig>(
        r#"{"password_policy":{"min_chars":8,"recommended_chars":15,"max_chars":256,
        "require_three_classes":true},"providers":[{"id":"unicef","label":"UNICEF Employee",
        "labels":{"fr":"Personnel de l'UNICEF","ar":"موظفو اليونيسف"}}],
        "resend_cooldown_seconds":60,"passkeys":true}"#,
    );
    same::<SessionView>(
        r#"{"email":"a@example.org","display_name":"A \"B\" \u00e9\ud83d\ude00","given_name":"A",
        "surname":"B","organizations":[{"organization":"UNDP"}],"aal":"aal2",
        "recovery_codes_left":0,"factor_required":false}"#,
    );
    same::<ActiveSession>(
        r#"{"id":"s1","created_at":-1,"last_seen_at":1764504000,"idp":"local","amr":["pwd","otp"],
        "aal":"aal1","current":true}"#,
    );
    // Any JSON as the contract's tree (config.json's brand, a language file), members in order.
    same::<Json>(r#"{"b":[1,2.5,-3e10,true,null,{}],"a":{"z":"y","x":[]},"c":""}"#);
    same::<Json>(include_str!("../locales/ar.json"));
}

/// A JSON text that is not the type asked for is refused with a message that says why; one
/// nested deeper than serde_json allows is refused without exhausting the stack (bounded
/// work); the field types stay strict.
#[wasm_bindgen_test]
fn json_that_is_not_the_type_is_refused_with_its_reason() {
    use partner_login::deployment::{ConfigProblem, DeploymentConfig};
    use partner_login::json::parse;
    use partner_login_contract::config_file::Json;
    use partner_login_contract::Problem;

    let broken = |text: &str| match DeploymentConfig::parse(text) {
        Err(ConfigProblem::Broken(why)) => why,
        other => panic!("{text}: {other:?}"),
    };
    assert!(!broken("{\"api_base\": ").is_empty());
    assert!(broken(r#"{"apibase": "/api"}"#).contains("apibase"));
    assert!(broken(r#"{"api_base": 1.5}"#).contains("a number"));
    assert!(broken(r#"{"api_base": "javascript:alert(1)"}"#).contains("api_base"));
    assert!(broken("\"red\"").contains("string \"red\""));
    let config = DeploymentConfig::parse(r##"{"brand": {"colors": {"text": "#123"}}}"##).unwrap();
    assert_eq!(config.api_base(), "/api");
    assert!(matches!(config.brand, Some(Json::Object(_))));

    let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    assert!(parse::<Json>(&nested(128)).is_ok());
    assert_eq!(parse::<Json>(&nested(129)).unwrap_err(), "nested too deep");
    assert_eq!(
        parse::<Json>(&nested(100_000)).unwrap_err(),
        "nested too deep"
    );

    // A status that does not fit its type, a limit with a fraction, an unknown code.
    let problem = |status: &str, code: &str| {
        format!(r#"{{"type":"x","title":"t","status":{status},"code":"{code}"}}"#)
    };
    assert!(parse::<Problem>(&problem("422", "too_short")).is_ok());
    assert!(parse::<Problem>(&problem("70000", "too_short")).is_err());
    assert!(parse::<Problem>(&problem("-1", "too_short")).is_err());
    assert!(parse::<Problem>(&problem("4.5", "too_short")).is_err());
    assert!(parse::<Problem>(&problem("422", "no_such_code")).is_err());
    assert!(parse::<Problem>("<html>").is_err());
    // A struct is read from an object only: serde's positional form (an array) is refused,
    // as a code that is not a text is.
    let positional = parse::<Problem>(r#"["x","t",422,"too_short"]"#).unwrap_err();
    assert!(positional.contains("an array"), "{positional}");
    let numbered = parse::<Problem>(&problem("422", "x").replace("\"x\"}", "5}")).unwrap_err();
    assert!(numbered.contains("integer `5`"), "{numbered}");
}

/// Issue 21 (gloo-net out: `src/http.rs`): what the API's calls send and how their answers are
/// read. Every request sends the session cookie (`credentials: include`, also to an API on
/// another origin); a POST or DELETE carries the CSRF header (OWASP ASVS 5.0 V3.5.1), a POST
/// its body as JSON text with its type; a GET neither. A problem is the server's, with its
/// code; no answer is `Network`; a GET the server could not serve is tried again after the
/// backoff (`retry.rs`), and its second answer stands.
#[wasm_bindgen_test]
async fn requests_send_the_cookie_the_csrf_header_and_json_and_read_the_answers() {
    use partner_login::api::{self, ApiError};
    use partner_login_contract::api::SignInRequest;
    use partner_login_contract::ErrorCode;

    let session = r#"{"email":"a@example.org","display_name":"A","given_name":"A","surname":"B",
        "organizations":[],"aal":"aal1","recovery_codes_left":0,"factor_required":false}"#;
    let _api = serve(&format!(
        "const sent = (window.__sent = window.__sent || []); \
         sent.push([method, url, req.credentials, req.headers.get('x-requested-with'), \
           req.headers.get('content-type'), init.body === undefined ? null : init.body]); \
         if (method === 'GET' && sent.length === 1) return new Response(JSON.stringify( \
           {{type: 'x', title: 't', status: 503, code: 'service_unavailable'}}), {{status: 503}}); \
         if (method === 'GET') return new Response({session:?}); \
         if (method === 'DELETE') return Promise.reject(new TypeError('Failed to fetch')); \
         return new Response(JSON.stringify({{type: 'x', title: 't', status: 401, \
           code: 'invalid_credentials'}}), {{status: 401, \
           headers: {{'content-type': 'application/problem+json'}}}});"
    ));
    let started = js_sys::Date::now();
    let signed_in = api::session().await.unwrap();
    assert_eq!(signed_in.email, "a@example.org");
    assert!(
        js_sys::Date::now() - started >= f64::from(partner_login::retry::BACKOFF_MS),
        "the second try waited"
    );
    let refused = api::sign_in(&SignInRequest {
        email: "a@example.org".into(),
        password: "p\"w\\".into(),
        invitation: None,
    })
    .await
    .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::InvalidCredentials));
    assert_eq!(api::sign_out().await, Err(ApiError::Network));

    let sent = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__sent".into()).unwrap();
    let sent: Vec<String> = js_sys::Array::from(&sent)
        .iter()
        .map(|r| js_sys::JSON::stringify(&r).unwrap().as_string().unwrap())
        .collect();
    let get = r#"["GET","/api/session","include",null,null,null]"#;
    assert_eq!(
        sent,
        [
            get,
            get,
            r#"["POST","/api/session","include","partner-login","application/json","{\"email\":\"a@example.org\",\"password\":\"p\\\"w\\\\\"}"]"#,
            r#"["DELETE","/api/session","include","partner-login",null,null]"#,
        ]
    );
}

/// Issue 21: the SPA lower-cases an email with the browser's `toLowerCase`
/// (`forms::fields::parse_email`), the server with Rust's `to_lowercase` (`Email::parse`, the
/// truth): the same Unicode mapping, its special cases included (`İ` into two characters, which
/// the length limits see; a final sigma; the capital sharp s; a title-case digraph; letters
/// outside the BMP).
#[wasm_bindgen_test]
fn an_email_is_lower_cased_in_the_browser_as_the_server_does() {
    use partner_login::forms::fields::parse_email;
    let local = "İ".repeat(32);
    for typed in [
        "  Name.Surname@Example.ORG ",
        "İSTANBUL@EXAMPLE.ORG",
        "ΟΔΟΣ.ΣΑΣ@EXAMPLE.GR",
        "ẞTRASSE@EXAMPLE.DE",
        "ǅEMAL@EXAMPLE.HR",
        "𐐀𐐁@EXAMPLE.ORG",
        "ÅSA@ÖREBRO.SE",
        &format!("{local}@example.org"),
        &format!("{}@example.org", "İ".repeat(33)),
        "not an address",
        "",
    ] {
        assert_eq!(parse_email(typed), Email::parse(typed), "{typed:?}");
    }
    assert_eq!(
        parse_email("İSTANBUL@EXAMPLE.ORG").unwrap().as_str(),
        "i\u{307}stanbul@example.org"
    );
}
