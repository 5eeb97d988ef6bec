//! One WASM per group of screens (issue 21): the sign-in group is its own, smallest WASM
//! (`src/bin/sign-in.rs`, [`crate::SignInRoot`]: `/` alone, the first load of nearly every
//! visit);
//! the sign-up group another (`src/bin/sign-up.rs`, [`crate::SignUpRoot`]: `/signup` and
//! `/invitation`, where people arrive from the sign-in's "Sign up now" or an invitation's email);
//! every other screen is in the full app (`src/main.rs`, [`crate::Root`]), which routes every
//! screen. `public/boot.js` chooses which WASM to load from the address; a route outside the
//! group reached inside it (a navigation, a link) is loaded again ([`LoadFullApp`]), so
//! `boot.js` loads the WASM of that route's group. The sign-in group has no router at all
//! ([`GroupPage`], `crate::nav`); the sign-up group navigates between its two screens with
//! leptos_router ([`GroupRoutes`]).

use leptos::prelude::*;

/// The routes of the sign-in group, as `public/boot.js` lists them (a test keeps the two
/// lists equal): exactly these paths under the base path, no trailing slash but `/`.
pub const SIGN_IN_GROUP: [&str; 1] = ["/"];

/// The routes of the sign-up group, as `public/boot.js` lists them (same rules).
pub const SIGN_UP_GROUP: [&str; 2] = ["/signup", "/invitation"];

/// The route of `pathname` under `base` (`/login/`): `/login/signup` → `/signup`; `None` when
/// the page is not under the base.
pub fn route_of(pathname: &str, base: &str) -> Option<String> {
    pathname
        .strip_prefix(base.trim_end_matches('/'))
        .map(|rest| {
            if rest.is_empty() {
                "/".to_owned()
            } else {
                rest.to_owned()
            }
        })
        .filter(|route| route.starts_with('/'))
}

/// Whether this page is one of `group`'s routes (`boot.js` then loads that group's WASM).
pub fn in_group(group: &[&str], pathname: &str, base: &str) -> bool {
    route_of(pathname, base).is_some_and(|route| group.contains(&route.as_str()))
}

/// Whether `boot.js` loads the sign-in group's WASM for this page.
pub fn in_sign_in_group(pathname: &str, base: &str) -> bool {
    in_group(&SIGN_IN_GROUP, pathname, base)
}

/// The fallback of a group's router (`group`: its routes): the address is a route of another
/// group or of the full app, so the page is loaded again from that address, replacing this
/// entry in the history, and `boot.js` loads the WASM that routes it. The address is read a moment later, not while the router renders this: the
/// router may put the new address in the bar only after (seen from a sign-in page opened with
/// `?login_hint=`, where the address still said `/` and the full app was never loaded). Were
/// `boot.js` ever to disagree with [`SIGN_IN_GROUP`] or [`SIGN_UP_GROUP`], the page shows
/// "not found" instead of reloading without end.
#[component]
pub fn LoadFullApp(group: &'static [&'static str]) -> impl IntoView {
    let stuck = RwSignal::new(false);
    set_timeout(
        move || {
            let location = web_sys::window().map(|w| w.location());
            let pathname = location
                .as_ref()
                .and_then(|l| l.pathname().ok())
                .unwrap_or_default();
            let reloaded = !in_group(group, &pathname, &crate::deployment::base_path())
                && location
                    .as_ref()
                    .and_then(|l| l.href().ok())
                    .is_some_and(|href| {
                        location.as_ref().is_some_and(|l| l.replace(&href).is_ok())
                    });
            if !reloaded {
                stuck.try_set(true);
            }
        },
        std::time::Duration::ZERO,
    );
    move || stuck.get().then(crate::pages::not_found::NotFound)
}

/// A group routed without leptos_router (the sign-in group): `view` draws the screen of the
/// page's route, read once from the address (one of `group`, as [`route_of`] gives it), else
/// [`LoadFullApp`]. Every way out of such a group is a page load (links are plain `<a>`,
/// navigation is [`crate::nav::Navigate::page_loads`]), so the route never changes while its
/// WASM runs; no `<Router>`, `<A>` or `use_location` is linked in (issue 21).
#[component]
pub fn GroupPage(group: &'static [&'static str], view: fn(&str) -> AnyView) -> impl IntoView {
    let pathname = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    match route_of(&pathname, &crate::deployment::base_path())
        .filter(|route| group.contains(&route.as_str()))
    {
        Some(route) => view(&route),
        None => view! { <LoadFullApp group /> }.into_any(),
    }
}

/// A group's router: `view` draws the screen of the group's route (one of `group`, as
/// [`route_of`] gives it), [`LoadFullApp`] takes over once a navigation or link leaves the
/// group. Not leptos_router's `<Routes>`: its matching and its choice among views cost the
/// sign-in WASM 20,957 B brotli (issue 21, `docs/first-load-levers.md`). Inside a `<Router>`
/// (for `<A>`, `use_navigate` and `use_query_map`); a screen is drawn again only when the path
/// changes, as `<Routes>` does.
#[component]
pub fn GroupRoutes(group: &'static [&'static str], view: fn(&str) -> AnyView) -> impl IntoView {
    // The router's pathname is the address's, base path included, as `boot.js` reads it.
    let pathname = leptos_router::hooks::use_location().pathname;
    let route = Memo::new(move |_| {
        pathname.with(|p| {
            route_of(p, &crate::deployment::base_path())
                .filter(|route| group.contains(&route.as_str()))
        })
    });
    // leptos_router puts a new path in the address bar (and the history) only once the routes
    // say they are ready: `<Routes>` did, after drawing the new screen; here, at every change
    // of path (after which this draws the screen, or `LoadFullApp` reads the new address).
    if let Some(browser) = use_context::<leptos_router::location::BrowserUrl>() {
        Effect::new(move |_| {
            pathname.track();
            leptos_router::location::LocationProvider::ready_to_complete(&browser);
        });
    }
    // The screen is built untracked, as `<Routes>` builds it: a signal its body reads must
    // not draw it again (the sign-up's flow would start over).
    move || {
        let route = route.get();
        untrack(|| match route {
            Some(route) => view(&route),
            None => view! { <LoadFullApp group /> }.into_any(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_group_is_read_under_the_base_path() {
        assert!(in_sign_in_group("/", "/"));
        assert!(!in_sign_in_group("/signup", "/"));
        assert!(in_group(&SIGN_UP_GROUP, "/signup", "/"));
        assert!(in_group(&SIGN_UP_GROUP, "/login/invitation", "/login/"));
        assert!(!in_group(&SIGN_UP_GROUP, "/login/", "/login/"));
        assert!(in_sign_in_group("/login/", "/login/"));
        assert!(in_sign_in_group("/login", "/login/"));
        assert!(!in_sign_in_group(
            "/login/social/invitation-needed",
            "/login/"
        ));
        assert!(!in_sign_in_group("/portal", "/"));
        assert!(!in_sign_in_group("/forgot", "/"));
        assert!(!in_sign_in_group("/signup/", "/"));
        assert!(!in_sign_in_group("/login/portal", "/login/"));
        assert!(!in_group(&SIGN_UP_GROUP, "/signup", "/login/"));
        assert!(!in_sign_in_group("/loginsignup", "/login/"));
    }

    /// `public/boot.js` chooses the WASM with the same lists: were they to differ, a page would
    /// load a group's WASM for a route it does not have.
    #[test]
    fn boot_js_lists_the_same_routes() {
        let boot = include_str!("../public/boot.js");
        let listed = |name: &str| -> Vec<&str> {
            let start = boot
                .find(&format!("{name} = ["))
                .unwrap_or_else(|| panic!("boot.js names {name}"));
            let list = &boot[start..];
            let list = &list[list.find('[').expect("[") + 1..list.find(']').expect("]")];
            list.split(',')
                .map(|r| r.trim().trim_matches('\''))
                .filter(|r| !r.is_empty())
                .collect()
        };
        assert_eq!(listed("SIGN_IN_GROUP"), SIGN_IN_GROUP);
        assert_eq!(listed("SIGN_UP_GROUP"), SIGN_UP_GROUP);
        // The routes whose download waits for their shell's paint are the sign-up group's.
        let paint_first = listed("PAINT_FIRST");
        assert!(!paint_first.is_empty());
        assert!(paint_first.iter().all(|r| SIGN_UP_GROUP.contains(r)));
    }
}
