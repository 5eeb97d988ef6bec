//! Going to another screen, as the root in force does it: a screen shared by several WASM
//! (`pages::sign_in`) asks for [`Navigate`] instead of leptos_router's `use_navigate`.
//!
//! - The full app ([`crate::App`]) navigates in the page, with leptos_router
//!   ([`RouterNavigate`], inside its `<Router>`).
//! - The sign-in group ([`crate::SignInApp`]) loads the page again ([`Navigate::page_loads`]):
//!   it routes `/` alone, so every screen it goes to is another WASM's (`public/boot.js`
//!   chooses). It links no leptos_router at all: its `<Router>`, `<A>`, `use_navigate` and
//!   `use_location` cost the first load of `/` about 15 KB brotli (issue 21,
//!   `docs/first-load-levers.md`).
//!
//! Links need none of this: a plain `<a href=deployment::route(…)>` is a page load in the
//! sign-in group and, inside the full app's `<Router>`, a navigation in the page
//! (leptos_router 0.8 handles every click on an anchor of the document under its base:
//! `location::handle_anchor_click`).

use leptos::prelude::*;
use std::sync::Arc;

/// Goes to a client route (`/portal`), under the deployment's base path; given by the root.
#[derive(Clone)]
pub struct Navigate(Arc<dyn Fn(&str) + Send + Sync>);

impl Navigate {
    /// Every route is a page load of `deployment::route(route)` (a new entry in the history),
    /// after which `boot.js` loads the WASM of that route's group.
    pub fn page_loads() -> Self {
        Navigate(Arc::new(|route| {
            if let Some(window) = web_sys::window() {
                let _ = window.location().assign(&crate::deployment::route(route));
            }
        }))
    }

    /// Goes to `route`.
    pub fn to(&self, route: &str) {
        (self.0)(route)
    }

    /// Gives this navigation to the screens below.
    pub fn provide(self) {
        provide_context(self);
    }
}

/// The [`Navigate`] the root gave.
pub fn use_navigate() -> Navigate {
    use_context().expect("the root provides nav::Navigate")
}

/// The full app's [`Navigate`]: leptos_router's navigation in the page; inside `<Router>`.
#[component]
pub fn RouterNavigate(children: Children) -> impl IntoView {
    let navigate = leptos_router::hooks::use_navigate();
    Navigate(Arc::new(move |route| navigate(route, Default::default()))).provide();
    children()
}
