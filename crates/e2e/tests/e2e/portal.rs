//! The UN Partner Portal's way in (issue 18): a real Django site (`crates/e2e/django/`, Django
//! with python-social-auth's generic OpenID Connect backend, configured only as the README
//! says) signs people in through partner-login, in headless Chromium: its sign-in button, our
//! sign-in screen, back at Django signed in with the claims; an invitation's link through
//! sign-up into Django (the client's `initiate_login_uri`); "Forgot your password?" and a social
//! button from Django's sign-in; Django's sign-out ending the session at partner-login too
//! (RP-initiated logout). Prints the authorization round trip.

use partner_login_e2e::django::Client;
use partner_login_e2e::flows::{
    protect_with_a_passkey, reset_password, sign_in_at_the_provider, sign_up_from_email,
    unicef_provider, unicef_provider_at, verify_email, NEW_PASSPHRASE, PASSPHRASE,
};
use partner_login_e2e::{free_port, mail::Mailbox, Browser, DjangoSite, TestServer};
use serde_json::Value;
use std::time::Instant;

const SIGN_IN: &str = "Sign in with your existing account";
const PORTAL_SIGN_IN: &str = "Sign in with the UN Partner Portal login";
const CLIENT_ID: &str = "portal";
const ORGANIZATION: &str = "Sahel Relief Network";
const NAMES: [&str; 3] = ["Amina D.", "Amina", "Diallo"];

/// The server, and the Django site registered with it as the client `portal` (with the site's
/// login-start URL as its `initiate_login_uri` when `initiate_login`).
async fn start(mailbox: &Mailbox, initiate_login: bool) -> (TestServer, DjangoSite) {
    start_on(free_port(), mailbox, initiate_login, &[]).await
}

/// [`start`], with the server on `server_port` and these extra environment variables.
async fn start_on(
    server_port: u16,
    mailbox: &Mailbox,
    initiate_login: bool,
    env: &[(String, String)],
) -> (TestServer, DjangoSite) {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let server = TestServer::start_on(server_port, Some(&mailbox.url()), &env);
    let port = free_port();
    let redirect_uri = DjangoSite::redirect_uri(port);
    let home = format!("{}/", DjangoSite::url_on(port));
    let initiate_login_uri = DjangoSite::initiate_login_uri(port);
    let mut args = vec![
        "--redirect-uri",
        &redirect_uri,
        "--post-logout-redirect-uri",
        &home,
    ];
    if initiate_login {
        args.extend(["--initiate-login-uri", &initiate_login_uri]);
    }
    let secret = server
        .add_client(CLIENT_ID, &args)
        .await
        .expect("a confidential client has a secret");
    assert!(
        !secret.is_empty() && !secret.contains(' '),
        "client add printed {secret:?} last"
    );
    let issuer = server.issuer();
    let django = DjangoSite::start_on(
        port,
        &Client {
            issuer: &issuer,
            id: CLIENT_ID,
            secret: &secret,
        },
    );
    (server, django)
}

/// Waits until Django's page says the person is signed in.
async fn wait_signed_in_at_django(browser: &Browser, django: &DjangoSite) {
    browser
        .wait_xpath("//p[@id='status'][normalize-space(.)='Signed in']")
        .await;
    let url = browser.client.current_url().await.expect("current url");
    assert!(
        url.as_str().starts_with(&django.url),
        "signed in at {url}, not at Django ({})",
        django.url
    );
}

/// What Django got: the userinfo claims it keeps in `extra_data`, with the claims of the ID token
/// it verified under `id_token_claims`; and the user it made, as its page shows them. `idp`:
/// how the person signed in at partner-login.
async fn check_django_user(
    browser: &Browser,
    server: &TestServer,
    email: &str,
    idp: &str,
) -> Value {
    let [display, given, surname] = NAMES;
    let shown = |id: &'static str| async move {
        browser
            .wait_xpath(&format!("//*[@id='{id}']"))
            .await
            .text()
            .await
            .expect("text")
    };
    assert_eq!(shown("username").await, email);
    assert_eq!(shown("email").await, email);
    assert_eq!(shown("first-name").await, given);
    assert_eq!(shown("last-name").await, surname);
    let text = shown("claims").await;
    let claims: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("claims {text:?}: {e}"));
    let id_token = &claims["id_token_claims"];
    for (what, source) in [("userinfo", &claims), ("ID token", id_token)] {
        assert_eq!(source["email"], email, "{what}: {claims:#}");
        assert_eq!(source["email_verified"], true, "{what}: {claims:#}");
        assert_eq!(source["name"], display, "{what}: {claims:#}");
        assert_eq!(source["given_name"], given, "{what}: {claims:#}");
        assert_eq!(source["family_name"], surname, "{what}: {claims:#}");
        assert_eq!(
            source["organizations"],
            serde_json::json!([ORGANIZATION]),
            "{what}: {claims:#}"
        );
        assert_eq!(source["idp"], idp, "{what}: {claims:#}");
    }
    let sub = id_token["sub"].as_str().expect("sub");
    assert!(
        !sub.is_empty() && sub != email && !sub.contains('@'),
        "sub {sub:?}"
    );
    assert_eq!(claims["id"], sub, "python-social-auth keys the user by sub");
    assert_eq!(id_token["iss"], server.issuer().as_str());
    assert_eq!(id_token["aud"], CLIENT_ID);
    for claim in ["at_hash", "nonce", "sid", "auth_time", "amr", "iat", "exp"] {
        assert!(!id_token[claim].is_null(), "no {claim} in {id_token:#}");
    }
    claims
}

/// The administrator's invitation, its link, "Sign up now", the emailed code, "Create".
async fn sign_up_from_invitation(
    browser: &Browser,
    server: &TestServer,
    mailbox: &Mailbox,
    email: &str,
) {
    let link = server
        .invite(email, ORGANIZATION, Some("Fatou Ndiaye"))
        .await;
    let invitation = mailbox.next_to(email).await;
    assert!(invitation.text.contains(&link), "the email holds the link");
    browser.goto(&link).await;
    browser.wait_text(ORGANIZATION).await;
    browser.click_button("Sign up now").await;
    browser.wait_value("Email Address", email).await;
    sign_up_from_email(browser, mailbox, email, NAMES).await;
}

#[tokio::test]
async fn django_signs_in_through_partner_login_gets_the_claims_and_signs_out_at_the_provider() {
    let mailbox = Mailbox::start().await;
    let (server, django) = start(&mailbox, false).await;
    let browser = Browser::start().await;
    let email = "amina.diallo@example.org";

    // An invited partner signs up (no client starts a login: our own page after "Create"), and
    // so is signed in at partner-login.
    sign_up_from_invitation(&browser, &server, &mailbox, email).await;
    browser.wait_path("/portal").await;

    // The authorization round trip: Django's button, partner-login answers at once (a live
    // session), back at Django signed in with a verified ID token.
    browser.goto(&format!("{}/", django.url)).await;
    browser.wait_text("Not signed in").await;
    let clicked = Instant::now();
    browser.click_button(PORTAL_SIGN_IN).await;
    wait_signed_in_at_django(&browser, &django).await;
    let round_trip = clicked.elapsed();
    eprintln!(
        "authorization round trip (Django's sign-in click to Django signed in with a verified ID \
         token, partner-login session live): {} ms",
        round_trip.as_millis()
    );
    let first = check_django_user(&browser, &server, email, "local").await;

    // Django's "Sign out": signed out there, then at partner-login (RP-initiated logout), and
    // back at Django's home page.
    browser.click_button("Sign out").await;
    browser.wait_text("Not signed in").await;
    let url = browser.client.current_url().await.expect("url");
    assert!(url.as_str().starts_with(&django.url), "back at {url}");

    // The session at partner-login has ended: Django's button leads to our sign-in screen; a
    // password, and back at Django signed in.
    browser.click_button(PORTAL_SIGN_IN).await;
    browser.wait_text(SIGN_IN).await;
    let url = browser.client.current_url().await.expect("url");
    assert!(
        url.as_str().starts_with(&server.url),
        "the sign-in screen is partner-login's: {url}"
    );
    browser.fill("Email Address", email).await;
    browser.fill("Password", PASSPHRASE).await;
    browser.click_button("Sign in").await;
    wait_signed_in_at_django(&browser, &django).await;
    let second = check_django_user(&browser, &server, email, "local").await;
    assert_eq!(
        second["id"], first["id"],
        "the same person, the same subject"
    );
    assert_ne!(
        second["id_token_claims"]["nonce"], first["id_token_claims"]["nonce"],
        "each sign-in its own nonce"
    );
    browser.close().await;
}

#[tokio::test]
async fn an_invitation_link_ends_signed_in_at_django() {
    let mailbox = Mailbox::start().await;
    // The portal's login-start URL is the client's initiate_login_uri: "Create" continues there.
    let (server, django) = start(&mailbox, true).await;
    let browser = Browser::start().await;
    let email = "amina.diallo@example.org";

    sign_up_from_invitation(&browser, &server, &mailbox, email).await;
    wait_signed_in_at_django(&browser, &django).await;
    check_django_user(&browser, &server, email, "local").await;
    browser.close().await;
}

#[tokio::test]
async fn forgot_your_password_from_django_sign_in_ends_signed_in_at_django() {
    let mailbox = Mailbox::start().await;
    let (server, django) = start(&mailbox, false).await;
    let browser = Browser::start().await;
    let email = "amina.diallo@example.org";
    sign_up_from_invitation(&browser, &server, &mailbox, email).await;
    browser.wait_path("/portal").await;
    browser.click_button("Sign out").await;
    browser.wait_text(SIGN_IN).await;

    // Django's button, our sign-in screen, the address and "Forgot your password?": a new
    // password with the emailed code, and "Continue" goes on to Django.
    browser.goto(&format!("{}/", django.url)).await;
    browser.click_button(PORTAL_SIGN_IN).await;
    browser.wait_text(SIGN_IN).await;
    browser.fill("Email Address", email).await;
    reset_password(&browser, &mailbox, email).await;
    wait_signed_in_at_django(&browser, &django).await;
    check_django_user(&browser, &server, email, "local").await;
    browser.close().await;
}

#[tokio::test]
async fn a_social_button_from_django_sign_in_ends_signed_in_at_django_naming_the_provider() {
    let mailbox = Mailbox::start().await;
    let email = "amina.diallo@unicef.example";
    let [name, given_name, family_name] = NAMES;
    // The provider knows the person by these names; partner-login makes the account from them.
    let accounts = serde_json::json!({
        email: { "name": name, "given_name": given_name, "family_name": family_name },
    });
    let port = free_port();
    let (_provider, env) = unicef_provider(port, accounts);
    let (server, django) = start_on(port, &mailbox, false, &env).await;
    let browser = Browser::start().await;
    // An invited colleague with no account yet, who never opens the invitation's link.
    server
        .invite(email, ORGANIZATION, Some("Fatou Ndiaye"))
        .await;
    mailbox.next_to(email).await;

    browser.goto(&format!("{}/", django.url)).await;
    browser.click_button(PORTAL_SIGN_IN).await;
    browser.wait_text(SIGN_IN).await;
    browser.click_button("UNICEF Employee").await;
    sign_in_at_the_provider(&browser, email).await;
    wait_signed_in_at_django(&browser, &django).await;
    check_django_user(&browser, &server, email, "unicef").await;
    browser.close().await;
}

#[tokio::test]
async fn a_passkey_made_right_after_create_signs_in_at_django_with_nothing_typed() {
    let mailbox = Mailbox::start().await;
    // Passkeys need a domain: the server on http://localhost:PORT (its issuer too).
    let port = free_port();
    let public_url = ("PUBLIC_URL".to_owned(), format!("http://localhost:{port}"));
    let (server, django) = start_on(port, &mailbox, true, &[public_url]).await;
    let browser = Browser::start().await;
    let authenticator = browser.add_virtual_authenticator().await;
    let email = "amina.diallo@example.org";

    // The invitation's sign-up, "Create", "Protect your account", "Create a passkey": on to the
    // portal's login start, and so into Django.
    sign_up_from_invitation(&browser, &server, &mailbox, email).await;
    protect_with_a_passkey(&browser).await;
    wait_signed_in_at_django(&browser, &django).await;
    check_django_user(&browser, &server, email, "local").await;
    assert_eq!(authenticator.credentials(&browser).await.len(), 1);

    // Signed out at Django and at partner-login; Django's sign-in button leads to our sign-in
    // screen, whose email field offers the passkey (autofill, accepted at once by a headless
    // browser): back at Django with nothing typed, and the ID token says how.
    browser.click_button("Sign out").await;
    browser.wait_text("Not signed in").await;
    browser.click_button(PORTAL_SIGN_IN).await;
    wait_signed_in_at_django(&browser, &django).await;
    let claims = check_django_user(&browser, &server, email, "local").await;
    let amr = &claims["id_token_claims"]["amr"];
    assert!(
        amr.as_array().is_some_and(
            |methods| methods.iter().any(|m| m == "mfa") && !methods.iter().any(|m| m == "pwd")
        ),
        "a passkey's sign-in is multi-factor and passwordless: amr {amr}"
    );
}

/// `MFA_POLICY=required` (issue 20; OWASP ASVS 5.0 V6.3.3, NIST SP 800-63B-4 AAL2): the sign-up's
/// "Create" is one factor, so "Protect your account" offers no "Not now"; "Create a passkey"
/// makes one and signs in with it (the virtual authenticator accepts at once), and only then does
/// the portal's request get its code: into Django with an ID token whose `acr` is AAL2.
#[tokio::test]
async fn under_a_required_policy_the_sign_up_goes_through_a_passkey_into_django() {
    let mailbox = Mailbox::start().await;
    let port = free_port();
    let settings = [
        ("PUBLIC_URL".to_owned(), format!("http://localhost:{port}")),
        ("MFA_POLICY".to_owned(), "required".to_owned()),
    ];
    let (server, django) = start_on(port, &mailbox, true, &settings).await;
    let browser = Browser::start().await;
    let authenticator = browser.add_virtual_authenticator().await;
    let email = "amina.diallo@example.org";

    sign_up_from_invitation(&browser, &server, &mailbox, email).await;
    browser.wait_path("/protect").await;
    browser.wait_text("Protect your account").await;
    // The page asks the server, then hides "Not now".
    browser
        .wait_until(
            || async {
                let gone = browser
                    .script(
                        "return document.getElementById('not-now') === null;",
                        vec![],
                    )
                    .await;
                if gone == serde_json::json!(true) {
                    Ok(())
                } else {
                    Err("\"Not now\" still shown".to_owned())
                }
            },
            "\"Not now\" hidden under MFA_POLICY=required",
        )
        .await;
    browser.click_button("Create a passkey").await;
    wait_signed_in_at_django(&browser, &django).await;
    let claims = check_django_user(&browser, &server, email, "local").await;
    assert_eq!(authenticator.credentials(&browser).await.len(), 1);
    assert_eq!(
        claims["id_token_claims"]["acr"], "http://idmanagement.gov/ns/assurance/aal/2",
        "{claims:#}"
    );
}

/// Runs `fetch` in the page (same origin, with its session cookie) and answers its JSON.
async fn api_in_page(browser: &Browser, method: &str, path: &str, body: &str) -> Value {
    browser
        .script(
            "return fetch(arguments[0], {method: arguments[1], credentials: 'same-origin', \
             headers: {'content-type': 'application/json', 'x-requested-with': 'partner-login'}, \
             body: arguments[2]}).then(r => r.text()).then(t => t ? JSON.parse(t) : null);",
            vec![path.into(), method.into(), body.into()],
        )
        .await
}

/// The ID token Django holds says AAL2 and more than one factor.
fn assert_two_factors(claims: &Value, what: &str) {
    assert_eq!(
        claims["id_token_claims"]["acr"], "http://idmanagement.gov/ns/assurance/aal/2",
        "{what}: {claims:#}"
    );
    let amr = &claims["id_token_claims"]["amr"];
    assert!(
        amr.as_array()
            .is_some_and(|methods| methods.iter().any(|m| m == "mfa")),
        "{what}: amr {amr}"
    );
}

/// `MFA_POLICY=required` (issue 20; OWASP ASVS 5.0 V6.3.3, V6.4.3; NIST SP 800-63B-4 AAL2 and
/// §4.2 account recovery), clicking as a person: a right password goes to "Confirm it's you"
/// (`/second-factor`), where "Use a passkey" finishes it into Django at AAL2; "Forgot your
/// password?" asks, after the emailed code, for the second proof before New Password: the
/// authenticator app's code (the app enrolled through the API as setup, its code computed by
/// the test's own RFC 6238), then the new password, into Django at AAL2. axe-core on both new
/// screens. The virtual authenticator is taken out while the sign-in screen is shown (its
/// autofill would otherwise sign in with the passkey by itself) and put back with the same
/// passkey when it is asked for.
#[tokio::test]
async fn under_a_required_policy_a_password_and_a_reset_ask_the_second_proof_into_django() {
    let mailbox = Mailbox::start().await;
    let port = free_port();
    let keys = tempfile::tempdir().expect("a temporary folder");
    let key_file = keys.path().join("mfa.key");
    std::fs::write(&key_file, "5a".repeat(32)).expect("the key file");
    let settings = [
        ("PUBLIC_URL".to_owned(), format!("http://localhost:{port}")),
        ("MFA_POLICY".to_owned(), "required".to_owned()),
        (
            "MFA_ENCRYPTION_KEY_FILE".to_owned(),
            key_file.display().to_string(),
        ),
    ];
    let (server, django) = start_on(port, &mailbox, true, &settings).await;
    let browser = Browser::start().await;
    let authenticator = browser.add_virtual_authenticator().await;
    let email = "amina.diallo@example.org";

    // Setup: sign-up and its passkey (the required policy's path), into Django.
    sign_up_from_invitation(&browser, &server, &mailbox, email).await;
    browser.wait_path("/protect").await;
    browser.click_button("Create a passkey").await;
    wait_signed_in_at_django(&browser, &django).await;
    mailbox.next_to(email).await; // "A passkey was added"
    let passkey = authenticator.credentials(&browser).await.remove(0);
    authenticator.remove(&browser).await;

    // A password sign-in from Django: the second step, then "Use a passkey".
    browser.click_button("Sign out").await;
    browser.wait_text("Not signed in").await;
    browser.click_button(PORTAL_SIGN_IN).await;
    browser.wait_text(SIGN_IN).await;
    browser.fill("Email Address", email).await;
    browser.fill("Password", PASSPHRASE).await;
    browser.click_button("Sign in").await;
    browser.wait_path("/second-factor").await;
    browser.wait_text("Confirm it's you").await;
    browser.button("Use a passkey").await;
    browser.assert_accessible("the second step").await;
    let authenticator = browser.add_virtual_authenticator().await;
    authenticator.add_credential(&browser, &passkey).await;
    browser.click_button("Use a passkey").await;
    wait_signed_in_at_django(&browser, &django).await;
    let claims = check_django_user(&browser, &server, email, "local").await;
    assert_two_factors(&claims, "password and passkey");

    // Setup: an authenticator app, through the API, in the session just made.
    browser
        .goto(&format!("http://localhost:{port}/portal"))
        .await;
    browser.wait_path("/portal").await;
    let begun = api_in_page(&browser, "POST", "/api/authenticator-app", "{}").await;
    let secret = begun["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("a seed, not {begun}"))
        .to_owned();
    let confirm = format!(
        "{{\"code\": \"{}\"}}",
        partner_login_e2e::totp::code(&secret, 0)
    );
    api_in_page(&browser, "POST", "/api/authenticator-app/confirm", &confirm).await;
    mailbox.next_to(email).await; // "An authenticator app was added"
    authenticator.remove(&browser).await;

    // "Forgot your password?" from Django: the code, then the app's code, then New Password.
    browser.goto(&format!("{}/", django.url)).await;
    browser.click_button("Sign out").await;
    browser.wait_text("Not signed in").await;
    browser.click_button(PORTAL_SIGN_IN).await;
    browser.wait_text(SIGN_IN).await;
    browser.fill("Email Address", email).await;
    browser.click_button("Forgot your password?").await;
    browser.wait_path("/forgot").await;
    browser.wait_value("Email Address", email).await;
    verify_email(&browser, &mailbox, email).await;
    browser.wait_text("Confirm it's you").await;
    let waiting = browser
        .script(
            "return document.getElementById('new-password').disabled;",
            vec![],
        )
        .await;
    assert_eq!(waiting, serde_json::json!(true), "New Password waits");
    browser.assert_accessible("the reset's second proof").await;
    // The next step's code: the confirmation used this one (each step once).
    let code = partner_login_e2e::totp::code(&secret, 1);
    browser.fill("Authenticator app code", &code).await;
    browser.click_button("Verify").await;
    browser
        .wait_script(
            "return document.getElementById('new-password').disabled;",
            vec![],
            serde_json::json!(false),
            "New Password once proven",
        )
        .await;
    browser.fill("New Password", NEW_PASSPHRASE).await;
    browser.fill("Confirm New Password", NEW_PASSPHRASE).await;
    browser.click_button("Continue").await;
    wait_signed_in_at_django(&browser, &django).await;
    let claims = check_django_user(&browser, &server, email, "local").await;
    assert_two_factors(&claims, "new password and app");
    browser.close().await;
}

/// `MFA_POLICY=required` (issue 20; OWASP ASVS 5.0 V6.3.3): a social sign-in from a provider
/// not trusted for its `amr` (no `OIDC_UNICEF_MFA`) at an account with a passkey comes back with
/// `social_error=second_factor_required`; the sign-in screen goes on to "Confirm it's you",
/// where "Use a passkey" finishes it into Django at AAL2. Then "Forgot your password?" with the
/// passkey as the reset's second proof, into Django at AAL2.
#[tokio::test]
async fn under_a_required_policy_an_untrusted_social_sign_in_asks_the_second_step_into_django() {
    let mailbox = Mailbox::start().await;
    let email = "amina.diallo@unicef.example";
    let [name, given_name, family_name] = NAMES;
    let accounts = serde_json::json!({
        email: { "name": name, "given_name": given_name, "family_name": family_name },
    });
    let port = free_port();
    let public_url = format!("http://localhost:{port}");
    let (_provider, mut env) = unicef_provider_at(&public_url, accounts);
    env.push(("PUBLIC_URL".to_owned(), public_url.clone()));
    env.push(("MFA_POLICY".to_owned(), "required".to_owned()));
    let (server, django) = start_on(port, &mailbox, true, &env).await;
    let browser = Browser::start().await;
    let authenticator = browser.add_virtual_authenticator().await;

    // Setup: the invited person signs up and makes a passkey (the required policy's path).
    sign_up_from_invitation(&browser, &server, &mailbox, email).await;
    browser.wait_path("/protect").await;
    browser.click_button("Create a passkey").await;
    wait_signed_in_at_django(&browser, &django).await;
    let passkey = authenticator.credentials(&browser).await.remove(0);
    authenticator.remove(&browser).await;

    // UNICEF's button from Django's sign-in: the provider, then the second step.
    browser.click_button("Sign out").await;
    browser.wait_text("Not signed in").await;
    browser.click_button(PORTAL_SIGN_IN).await;
    browser.wait_text(SIGN_IN).await;
    browser.click_button("UNICEF Employee").await;
    sign_in_at_the_provider(&browser, email).await;
    browser.wait_path("/second-factor").await;
    browser.wait_text("Confirm it's you").await;
    let authenticator = browser.add_virtual_authenticator().await;
    authenticator.add_credential(&browser, &passkey).await;
    browser.click_button("Use a passkey").await;
    wait_signed_in_at_django(&browser, &django).await;
    let claims = check_django_user(&browser, &server, email, "local").await;
    assert_two_factors(&claims, "a provider, then a passkey");
    // Read again: its signature counter moved (an older copy is refused as a clone).
    let passkey = authenticator.credentials(&browser).await.remove(0);
    authenticator.remove(&browser).await;

    // "Forgot your password?" from Django with the passkey as the second proof (a ceremony of
    // this account's passkeys, bound to the reset), then New Password, into Django at AAL2.
    browser.click_button("Sign out").await;
    browser.wait_text("Not signed in").await;
    browser.click_button(PORTAL_SIGN_IN).await;
    browser.wait_text(SIGN_IN).await;
    browser.fill("Email Address", email).await;
    browser.click_button("Forgot your password?").await;
    browser.wait_path("/forgot").await;
    browser.wait_value("Email Address", email).await;
    browser.click_button("Send verification code").await;
    // The notices sent so far (a passkey added, a way in linked) come first.
    let code = loop {
        let mail = mailbox.next_to(email).await;
        if mail.subject.contains("password reset code") {
            break mail.code();
        }
    };
    browser.fill("Verification code", &code).await;
    browser.click_button("Verify code").await;
    browser.wait_text("Confirm it's you").await;
    let authenticator = browser.add_virtual_authenticator().await;
    authenticator.add_credential(&browser, &passkey).await;
    browser.click_button("Use a passkey").await;
    browser
        .wait_script(
            "return document.getElementById('new-password').disabled;",
            vec![],
            serde_json::json!(false),
            "New Password once the passkey proved the reset",
        )
        .await;
    browser.fill("New Password", NEW_PASSPHRASE).await;
    browser.fill("Confirm New Password", NEW_PASSPHRASE).await;
    browser.click_button("Continue").await;
    wait_signed_in_at_django(&browser, &django).await;
    let claims = check_django_user(&browser, &server, email, "local").await;
    assert_two_factors(&claims, "a new password and a passkey");
    let amr = &claims["id_token_claims"]["amr"];
    assert!(
        amr.as_array()
            .is_some_and(|methods| methods.iter().any(|m| m == "pwd")),
        "the new password and the passkey: amr {amr}"
    );
    browser.close().await;
}
