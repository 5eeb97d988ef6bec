fn main() {
    partner_login::log_panics();
    leptos::mount::mount_to_body(partner_login::Root);
}
