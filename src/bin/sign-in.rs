//! The sign-in group's WASM (issue 21): the first load of `/`, `/signup`, `/invitation`,
//! `/forgot` and `/social/invitation-needed` (`public/boot.js` chooses; `src/groups.rs`).
//! `src/main.rs` is the full app.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(partner_login::SignInRoot);
}
