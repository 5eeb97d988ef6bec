//! A picture of every screen with the default look (issue 22): every state of
//! `partner_login_e2e::screens::STATES` in English and Arabic at 360 and 1280 CSS px, written to
//! `docs/screens/default/` with `UPDATE_SCREENS=1` (else `target/screens/default/`), and
//! `docs/screens.md` from every picture there. The sample branding's pictures are taken by
//! `branding.rs`, which checks the branding on each screen as it passes.

use partner_login_e2e::screens::{self, Shots, LANGS, SERVER_ENV, STATES};
use partner_login_e2e::{mail::Mailbox, TestServer};

#[tokio::test]
async fn every_screen_is_pictured_with_the_default_look() {
    let mailbox = Mailbox::start().await;
    let server = TestServer::start_with(Some(&mailbox.url()), &SERVER_ENV);
    let mut shots = Shots::new("default");
    for (browser_lang, tag) in LANGS {
        shots.set_lang(tag);
        let mut capture =
            async |browser: &_, state: &'static _| shots.capture(browser, state).await;
        screens::walk(&server, &mailbox, browser_lang, tag, true, &mut capture).await;
    }
    // Every state, in both languages, at both widths.
    assert_eq!(
        shots.taken,
        STATES.len() * LANGS.len() * screens::WIDTHS.len()
    );
    shots.finish();
}
