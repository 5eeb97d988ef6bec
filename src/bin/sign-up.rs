//! The sign-up group's WASM (issue 21): `/signup` and `/invitation` (`public/boot.js`
//! chooses; `src/groups.rs`). `src/bin/sign-in.rs` is the first load of `/`, `src/main.rs` the
//! full app.

fn main() {
    partner_login::log_panics();
    leptos::mount::mount_to_body(partner_login::SignUpRoot);
}
