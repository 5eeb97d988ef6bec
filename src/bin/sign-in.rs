//! The sign-in group's WASM (issue 21): the first load of `/` (`public/boot.js` chooses;
//! `src/groups.rs`). `src/bin/sign-up.rs` is the sign-up group's, `src/main.rs` the full app.

fn main() {
    partner_login::log_panics();
    leptos::mount::mount_to_body(partner_login::SignInRoot);
}
