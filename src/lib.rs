//! The partner-login SPA: the sign-in and sign-up screens of the UN Partner Portal. This file
//! only mounts and routes:
//!
//! - `pages/`: one module per route; `components/`: shared pieces (the field with its label and
//!   error, the language switcher, the card layout); `forms/`: forms declared once (the field
//!   descriptors, the form state, where the server's errors go);
//! - `flows/`: pure state machines the pages render; `api.rs`: every HTTP call; `json.rs`:
//!   every JSON text read (the browser's `JSON.parse`, then serde);
//! - `ui.rs`: the language in force, the live region, the public configuration; `i18n/`: every
//!   string in every language; `storage.rs`: every sessionStorage key;
//! - `deployment.rs`: the base path and `config.json` (where the API is, the branding);
//!   `brand.rs`: the operator's name, logo, colours and links applied; `address.rs`: the
//!   query string, and leaving for the server's `continue_url` after a sign-in;
//! - `webauthn.rs` (with `public/boot.js`'s `partnerLoginPasskey` for a sign-in): passkeys, the
//!   browser's WebAuthn with JSON text in and out;
//! - `groups.rs`: one WASM per group of screens: `main.rs` mounts [`Root`] (the full app, every
//!   route), `bin/sign-in.rs` mounts [`SignInRoot`] (the sign-in group: `/`, the first load),
//!   `bin/sign-up.rs` mounts [`SignUpRoot`] (the sign-up group: `/signup`, `/invitation`);
//!   `public/boot.js` chooses; `nav.rs`: going to another screen as the root in force does it
//!   (a page load in the sign-in group, which links no leptos_router; the router's elsewhere).

pub mod address;
pub mod api;
pub mod brand;
pub mod components;
pub mod deployment;
pub mod flows;
pub mod forms;
pub mod groups;
pub mod http;
pub mod i18n;
pub mod json;
pub mod nav;
pub mod pages;
pub mod retry;
pub mod storage;
pub mod ui;
pub mod webauthn;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// Sends a panic's message and place to the browser's console (each `main` calls it first).
/// In release, a one-line hook of our own: `console_error_panic_hook`'s JavaScript stack
/// costs the first load 404 B more (issue 21, `docs/first-load-levers.md`); the panic's
/// `RuntimeError: unreachable` (`panic = "abort"`) follows it in the console either way.
/// The release WASM of `cargo xtask` (`-Cpanic=immediate-abort`, `xtask/src/serve.rs`) runs no
/// hook (a panic stops at once), so it has none: only the `unreachable`.
pub fn log_panics() {
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    #[cfg(not(any(debug_assertions, panic = "immediate-abort")))]
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
    }));
}

/// What `main.rs` mounts: the [`App`] once `config.json` is read.
#[component]
pub fn Root() -> impl IntoView {
    view! { <deployment::Configured><App /></deployment::Configured> }
}

/// What `bin/sign-in.rs` mounts: the [`SignInApp`] once `config.json` is read.
#[component]
pub fn SignInRoot() -> impl IntoView {
    view! { <deployment::Configured><SignInApp /></deployment::Configured> }
}

/// The sign-in group's route ([`groups::SIGN_IN_GROUP`], the first load): only this page is
/// linked into its WASM, without leptos_router ([`groups::GroupPage`]; links and
/// [`nav::Navigate`] load the page again). Any other route is loaded again
/// ([`groups::LoadFullApp`]), and `boot.js` loads the WASM of its group.
#[component]
pub fn SignInApp() -> impl IntoView {
    ui::Ui::start();
    brand::provide(deployment::brand());
    nav::Navigate::page_loads().provide();
    view! {
        <main class="page">
            <groups::GroupPage
                group=&groups::SIGN_IN_GROUP
                view=|_| view! { <pages::sign_in::SignIn /> }.into_any()
            />
        </main>
        <ui::LiveRegion />
    }
}

/// What `bin/sign-up.rs` mounts: the [`SignUpApp`] once `config.json` is read.
#[component]
pub fn SignUpRoot() -> impl IntoView {
    view! { <deployment::Configured><SignUpApp /></deployment::Configured> }
}

/// The sign-up group's routes ([`groups::SIGN_UP_GROUP`]): creating an account, by the
/// sign-up form or an invitation, routed by [`groups::GroupRoutes`]. Any other route is loaded
/// again ([`groups::LoadFullApp`]).
#[component]
pub fn SignUpApp() -> impl IntoView {
    ui::Ui::start();
    brand::provide(deployment::brand());
    view! {
        <Router base=deployment::router_base()>
            <main class="page">
                <groups::GroupRoutes
                    group=&groups::SIGN_UP_GROUP
                    view=|route| match route {
                        "/signup" => view! { <pages::sign_up::SignUp /> }.into_any(),
                        _ => view! { <pages::invitation::Invitation /> }.into_any(),
                    }
                />
            </main>
            <ui::LiveRegion />
        </Router>
    }
}

/// The full app's routes, under the deployment's base path: every screen (a new screen goes
/// here; in [`SignInApp`] or [`SignUpApp`] too only if people arrive on it cold, and then in
/// [`groups::SIGN_IN_GROUP`] or [`groups::SIGN_UP_GROUP`] and `public/boot.js`).
#[component]
pub fn App() -> impl IntoView {
    ui::Ui::start();
    brand::provide(deployment::brand());
    view! {
        <Router base=deployment::router_base()>
            <nav::RouterNavigate>
                <main class="page">
                    <Routes fallback=pages::not_found::NotFound>
                        <Route path=path!("/") view=pages::sign_in::SignIn />
                        <Route path=path!("/signup") view=pages::sign_up::SignUp />
                        <Route path=path!("/invitation") view=pages::invitation::Invitation />
                        <Route path=path!("/portal") view=pages::portal::Portal />
                        <Route path=path!("/protect") view=pages::protect::Protect />
                        <Route path=path!("/forgot") view=pages::forgot::Forgot />
                        <Route path=path!("/second-factor") view=pages::second_factor::SecondFactor />
                        <Route path=path!("/social/invitation-needed")
                            view=pages::invitation_needed::InvitationNeeded />
                    </Routes>
                </main>
            </nav::RouterNavigate>
            <ui::LiveRegion />
        </Router>
    }
}
