//! Social sign-in against a real OpenID provider (`oidc-provider` from npm, on loopback): the
//! whole authorization code flow as a browser does it, following each redirect and submitting
//! the provider's own sign-in and consent forms.

use crate::helpers::{problem, Backend, TestApp, PASSPHRASE};
use crate::on_both_databases;
use partner_login_contract::api::{CSRF_HEADER, CSRF_HEADER_VALUE};
use partner_login_server::config::SocialProvider;
use partner_login_testkit::{OidcClient, OidcProvider};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

const CLIENT_ID: &str = "partner-login";
const CLIENT_SECRET: &str = "a client secret for the tests only";

/// The app with the provider behind a "UNICEF Employee" button (`unicef`); `accounts` gives the
/// provider's claims per login. `issuer`: what the app is told the issuer is (default: right).
pub(crate) async fn app_with_provider(
    backend: Backend,
    accounts: Value,
    issuer: impl FnOnce(&str) -> String,
) -> (TestApp, OidcProvider) {
    app_with_provider_for(backend, accounts, issuer, None).await
}

/// As [`app_with_provider`], with `OIDC_UNICEF_EMAIL_DOMAINS` set to `email_domains`.
async fn app_with_provider_for(
    backend: Backend,
    accounts: Value,
    issuer: impl FnOnce(&str) -> String,
    email_domains: Option<&str>,
) -> (TestApp, OidcProvider) {
    app_with_provider_trusting(backend, accounts, issuer, email_domains, false).await
}

/// As [`app_with_provider_for`]; `mfa_from_amr`: `OIDC_UNICEF_MFA=amr`.
async fn app_with_provider_trusting(
    backend: Backend,
    accounts: Value,
    issuer: impl FnOnce(&str) -> String,
    email_domains: Option<&str>,
    mfa_from_amr: bool,
) -> (TestApp, OidcProvider) {
    app_with_provider_under(
        backend,
        accounts,
        issuer,
        email_domains,
        mfa_from_amr,
        false,
    )
    .await
}

/// As [`app_with_provider_trusting`]; `required`: `MFA_POLICY=required`.
async fn app_with_provider_under(
    backend: Backend,
    accounts: Value,
    issuer: impl FnOnce(&str) -> String,
    email_domains: Option<&str>,
    mfa_from_amr: bool,
    required: bool,
) -> (TestApp, OidcProvider) {
    let mut provider = None;
    let app = TestApp::spawn_with(backend, |config| {
        if required {
            config.mfa_policy = partner_login_server::config::MfaPolicy::Required;
        }
        let redirect_uri = format!("{}/api/social/unicef/callback", config.public_url());
        let started = OidcProvider::start(
            &[OidcClient {
                client_id: CLIENT_ID.into(),
                client_secret: CLIENT_SECRET.into(),
                redirect_uri,
            }],
            accounts,
        );
        let mut provider_config = unicef(&issuer(&started.issuer), email_domains);
        provider_config.mfa_from_amr = mfa_from_amr;
        config.social = vec![provider_config];
        provider = Some(started);
    })
    .await;
    (app, provider.unwrap())
}

fn unicef(issuer: &str, email_domains: Option<&str>) -> SocialProvider {
    SocialProvider::from_vars("unicef", |name| match name {
        "OIDC_UNICEF_EMAIL_DOMAINS" => email_domains.map(str::to_owned),
        "OIDC_UNICEF_ISSUER" => Some(issuer.to_owned()),
        "OIDC_UNICEF_CLIENT_ID" => Some(CLIENT_ID.into()),
        "OIDC_UNICEF_CLIENT_SECRET" => Some(CLIENT_SECRET.into()),
        "OIDC_UNICEF_LABEL_FR" => Some("Personnel de l'UNICEF".into()),
        _ => None,
    })
    .unwrap()
}

/// A browser: its own cookies (for the app and the provider), redirects followed by hand.
pub(crate) fn new_browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Follows redirects while they stay on the provider or the API; returns the last response
/// (a page of the provider, or the redirect to the SPA).
async fn follow(client: &Client, app: &TestApp, mut response: Response) -> Response {
    for _ in 0..10 {
        if !response.status().is_redirection() {
            return response;
        }
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let next = response.url().join(&location).unwrap();
        let on_api = next.as_str().starts_with(&app.api("/"));
        let on_app = next.as_str().starts_with(&app.url);
        if on_app && !on_api {
            return response;
        }
        response = client.get(next).send().await.unwrap();
    }
    panic!("too many redirects")
}

/// The value of the first `attr="…"` after `after` in an HTML page.
fn attribute(html: &str, after: &str, attr: &str) -> String {
    let from = html
        .find(after)
        .unwrap_or_else(|| panic!("no {after} in {html}"));
    let rest = &html[from..];
    let start = rest.find(&format!("{attr}=\"")).unwrap() + attr.len() + 2;
    let end = rest[start..].find('"').unwrap();
    rest[start..start + end].replace("&amp;", "&")
}

/// Clicks a provider's button: `POST /api/social/unicef/start`, then to the provider's page.
async fn click_button(client: &Client, app: &TestApp, invitation: Option<&str>) -> Response {
    let response = client
        .post(app.api("/social/unicef/start"))
        .header(CSRF_HEADER, CSRF_HEADER_VALUE)
        .json(&json!({ "invitation": invitation }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let url = body["authorization_url"].as_str().unwrap().to_owned();
    assert!(url.contains("code_challenge_method=S256"), "PKCE: {url}");
    assert!(url.contains("nonce="), "nonce: {url}");
    let first = client.get(url).send().await.unwrap();
    follow(client, app, first).await
}

async fn submit(client: &Client, app: &TestApp, page: Response, form: &str) -> Response {
    let base = page.url().clone();
    let html = page.text().await.unwrap();
    let action = base.join(&attribute(&html, "<form", "action")).unwrap();
    let response = client
        .post(action)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_owned())
        .send()
        .await
        .unwrap();
    follow(client, app, response).await
}

/// Signs in at the provider as `login` and consents; returns where the app sends the browser.
pub(crate) async fn sign_in_with_provider(
    client: &Client,
    app: &TestApp,
    login: &str,
    invitation: Option<&str>,
) -> String {
    let login_page = click_button(client, app, invitation).await;
    assert_eq!(login_page.status(), 200);
    let login = login.replace('@', "%40").replace('+', "%2B");
    let consent = submit(
        client,
        app,
        login_page,
        &format!("prompt=login&login={login}&password=anything"),
    )
    .await;
    let back = if consent.status() == 200 {
        submit(client, app, consent, "prompt=consent").await
    } else {
        consent
    };
    assert_eq!(back.status(), StatusCode::SEE_OTHER, "{:?}", back.url());
    back.headers()["location"].to_str().unwrap().to_owned()
}

pub(crate) async fn session_of(client: &Client, app: &TestApp) -> Response {
    client.get(app.api("/session")).send().await.unwrap()
}

async fn an_invited_address_signs_up_with_its_provider(backend: Backend) {
    let accounts = json!({"amina@ngo.example": {
        "name": "Amina D.", "given_name": "Amina", "family_name": "Diallo"}});
    let (app, _provider) = app_with_provider(backend, accounts, str::to_owned).await;
    let token = app.invite("amina@ngo.example", "Sahel Relief").await;
    let browser = new_browser();
    let to = sign_in_with_provider(&browser, &app, "amina@ngo.example", Some(&token)).await;
    assert_eq!(to, format!("{}/portal", app.url));
    let session: Value = session_of(&browser, &app).await.json().await.unwrap();
    assert_eq!(session["email"], "amina@ngo.example");
    assert_eq!(session["display_name"], "Amina D.");
    assert_eq!(session["given_name"], "Amina");
    assert_eq!(session["surname"], "Diallo");
    assert_eq!(session["organizations"][0]["organization"], "Sahel Relief");
    // The invitation is used up.
    assert_eq!(
        app.get(&format!("/invitations/{token}")).await.status(),
        410
    );
    // The account has no password: none signs in.
    let response = app.sign_in("amina@ngo.example", "").await;
    assert_ne!(response.status(), 200);
    let response = app.sign_in("amina@ngo.example", PASSPHRASE).await;
    assert_eq!(problem(response).await["code"], "invalid_credentials");
    // Next time, in another browser and without the invitation, the identity is recognised.
    let other = new_browser();
    let to = sign_in_with_provider(&other, &app, "amina@ngo.example", None).await;
    assert_eq!(to, format!("{}/portal", app.url));
    let session: Value = session_of(&other, &app).await.json().await.unwrap();
    assert_eq!(session["email"], "amina@ngo.example");
}

async fn an_existing_account_is_linked_by_its_verified_address(backend: Backend) {
    let (app, _provider) = app_with_provider(backend, json!({}), str::to_owned).await;
    app.signed_up("lee@ngo.example").await;
    let browser = new_browser();
    let to = sign_in_with_provider(&browser, &app, "lee@ngo.example", None).await;
    assert_eq!(to, format!("{}/portal", app.url));
    let session: Value = session_of(&browser, &app).await.json().await.unwrap();
    assert_eq!(session["email"], "lee@ngo.example");
    assert_eq!(
        session["display_name"], "Amina D.",
        "the account is the existing one"
    );
    // The password still works.
    assert_eq!(
        app.sign_in("lee@ngo.example", PASSPHRASE).await.status(),
        200
    );
    // An invitation for another address is not accepted by this account.
    let token = app.invite("someone.else@ngo.example", "Sahel Relief").await;
    let other = new_browser();
    let to = sign_in_with_provider(&other, &app, "lee@ngo.example", Some(&token)).await;
    assert_eq!(
        to,
        format!("{}/?social_error=invitation_email_mismatch", app.url)
    );
    assert_eq!(session_of(&other, &app).await.status(), 401);
}

async fn an_address_nobody_invited_gets_the_invitation_page(backend: Backend) {
    let (app, _provider) = app_with_provider(backend, json!({}), str::to_owned).await;
    let browser = new_browser();
    let to = sign_in_with_provider(&browser, &app, "stranger+1@elsewhere.example", None).await;
    assert_eq!(
        to,
        format!(
            "{}/social/invitation-needed#email=stranger%2B1%40elsewhere.example",
            app.url
        )
    );
    assert_eq!(session_of(&browser, &app).await.status(), 401);
    let account = partner_login_server::storage::accounts::by_email(
        &app.state.db,
        "stranger+1@elsewhere.example",
    )
    .await
    .unwrap();
    assert!(account.is_none(), "no account without an invitation");
}

async fn an_unverified_address_never_links(backend: Backend) {
    let accounts = json!({
        "lee@ngo.example": {"email_verified": false},
        "ines@ngo.example": {"email_verified": false},
    });
    let (app, _provider) = app_with_provider(backend, accounts, str::to_owned).await;
    app.signed_up("lee@ngo.example").await;
    let token = app.invite("ines@ngo.example", "Sahel Relief").await;
    for (login, invitation) in [
        ("lee@ngo.example", None),
        ("ines@ngo.example", Some(&token)),
    ] {
        let browser = new_browser();
        let to = sign_in_with_provider(&browser, &app, login, invitation.map(String::as_str)).await;
        assert_eq!(
            to,
            format!("{}/?social_error=social_email_unverified", app.url)
        );
        assert_eq!(session_of(&browser, &app).await.status(), 401);
    }
    // The invitation is still there to use another way.
    assert_eq!(
        app.get(&format!("/invitations/{token}")).await.status(),
        200
    );
}

async fn a_directory_vouches_only_for_the_domains_it_was_given(backend: Backend) {
    // A workforce directory such as Microsoft Entra ID sends no `email_verified`; the operator
    // names the domains it is the authority for.
    let accounts = json!({
        "fatou@unicef.example": {"email_verified": null},
        "guest@mail.example": {"email_verified": null},
    });
    let (app, _provider) =
        app_with_provider_for(backend, accounts, str::to_owned, Some("unicef.example")).await;
    let token = app.invite("fatou@unicef.example", "Sahel Relief").await;
    let browser = new_browser();
    let to = sign_in_with_provider(&browser, &app, "fatou@unicef.example", Some(&token)).await;
    assert_eq!(to, format!("{}/portal", app.url));
    let session: Value = session_of(&browser, &app).await.json().await.unwrap();
    assert_eq!(session["organizations"][0]["organization"], "Sahel Relief");

    // Another domain of the same directory is not vouched for.
    app.signed_up("guest@mail.example").await;
    let other = new_browser();
    let to = sign_in_with_provider(&other, &app, "guest@mail.example", None).await;
    assert_eq!(
        to,
        format!("{}/?social_error=social_email_unverified", app.url)
    );
    assert_eq!(session_of(&other, &app).await.status(), 401);
}

async fn a_refusal_at_the_provider_comes_back_as_a_message(backend: Backend) {
    let (app, _provider) = app_with_provider(backend, json!({}), str::to_owned).await;
    let browser = new_browser();
    let login_page = click_button(&browser, &app, None).await;
    let base = login_page.url().clone();
    let html = login_page.text().await.unwrap();
    let cancel = base.join(&attribute(&html, "login-help", "href")).unwrap();
    assert!(cancel.path().ends_with("/abort"), "{cancel}");
    let response = browser.get(cancel).send().await.unwrap();
    let back = follow(&browser, &app, response).await;
    assert_eq!(
        back.headers()["location"],
        format!("{}/?social_error=social_denied", app.url).as_str()
    );
    assert_eq!(session_of(&browser, &app).await.status(), 401);
}

async fn a_callback_needs_its_own_browser_state_and_works_once(backend: Backend) {
    let (app, _provider) = app_with_provider(backend, json!({}), str::to_owned).await;
    app.signed_up("lee@ngo.example").await;
    let expired = format!("{}/?social_error=social_expired", app.url);
    // Another browser (no flow cookie) cannot finish a flow, even with a real code.
    let browser = new_browser();
    let login_page = click_button(&browser, &app, None).await;
    let consent = submit(
        &browser,
        &app,
        login_page,
        "prompt=login&login=lee%40ngo.example&password=x",
    )
    .await;
    let consent_action = consent.url().clone();
    let html = consent.text().await.unwrap();
    let action = consent_action
        .join(&attribute(&html, "<form", "action"))
        .unwrap();
    let to_callback = browser
        .post(action)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("prompt=consent")
        .send()
        .await
        .unwrap();
    // Follow the provider's redirects up to the callback, without calling it.
    let mut response = to_callback;
    let callback = loop {
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let next = response.url().join(&location).unwrap();
        if next.path().ends_with("/callback") {
            break next;
        }
        response = browser.get(next).send().await.unwrap();
    };
    assert!(callback.query().unwrap().contains("code="));
    let attacker = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let stolen = attacker.get(callback.clone()).send().await.unwrap();
    assert_eq!(stolen.headers()["location"], expired.as_str());
    // The right browser with a changed state: refused, and the flow is spent.
    let mut tampered = callback.clone();
    let query: String = callback
        .query_pairs()
        .map(|(k, v)| {
            if k == "state" {
                format!("state={v}x")
            } else {
                format!("{k}={}", v.replace(':', "%3A").replace('/', "%2F"))
            }
        })
        .collect::<Vec<_>>()
        .join("&");
    tampered.set_query(Some(&query));
    let response = browser.get(tampered).send().await.unwrap();
    assert_eq!(response.headers()["location"], expired.as_str());
    let response = browser.get(callback.clone()).send().await.unwrap();
    assert_eq!(
        response.headers()["location"],
        expired.as_str(),
        "used once"
    );
    assert_eq!(session_of(&browser, &app).await.status(), 401);
    // A successful callback cannot be replayed either.
    let fresh = new_browser();
    sign_in_with_provider(&fresh, &app, "lee@ngo.example", None).await;
    let response = fresh.get(callback).send().await.unwrap();
    assert_eq!(response.headers()["location"], expired.as_str());
}

async fn the_buttons_are_configured_and_a_wrong_issuer_is_refused(backend: Backend) {
    // The app is told `localhost` while the provider calls itself `127.0.0.1`: discovery's
    // issuer check fails, and the button answers "unavailable" rather than going anywhere.
    let (app, provider) = app_with_provider(backend, json!({}), |issuer| {
        issuer.replace("127.0.0.1", "localhost")
    })
    .await;
    let config: Value = app.get("/config").await.json().await.unwrap();
    assert_eq!(
        config["providers"],
        json!([{"id": "unicef", "label": "UNICEF Employee",
                "labels": {"fr": "Personnel de l'UNICEF"}}])
    );
    let response = app.post("/social/unicef/start", json!({})).await;
    assert_eq!(response.status(), 503);
    assert_eq!(problem(response).await["code"], "social_unavailable");
    let response = app.post("/social/google/start", json!({})).await;
    assert_eq!(response.status(), 404);
    assert_eq!(problem(response).await["code"], "social_unknown_provider");
    // Without the CSRF header, starting is refused like any state-changing request.
    let response = app
        .client
        .post(app.api("/social/unicef/start"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    drop(provider);
}

async fn no_provider_no_buttons(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let config: Value = app.get("/config").await.json().await.unwrap();
    assert_eq!(config["providers"], json!([]));
}

on_both_databases!(
    an_invited_address_signs_up_with_its_provider,
    an_existing_account_is_linked_by_its_verified_address,
    an_address_nobody_invited_gets_the_invitation_page,
    an_unverified_address_never_links,
    a_directory_vouches_only_for_the_domains_it_was_given,
    a_refusal_at_the_provider_comes_back_as_a_message,
    a_callback_needs_its_own_browser_state_and_works_once,
    the_buttons_are_configured_and_a_wrong_issuer_is_refused,
    no_provider_no_buttons,
    a_linked_identity_is_notified_in_the_owners_language,
    a_provider_trusted_for_its_amr_makes_a_multi_factor_session,
    under_a_required_policy_a_social_sign_in_is_two_factors_only_when_trusted,
);

/// ASVS 5.0 V6.3.7, NIST SP 800-63B-4 §4.6: a social identity linked to an existing account is
/// a new way in: its owner is told, in the account's language (the button's French label).
async fn a_linked_identity_is_notified_in_the_owners_language(backend: Backend) {
    let (app, _provider) = app_with_provider(backend, json!({}), str::to_owned).await;
    crate::mail::signed_up_in(&app, "ines@ngo.example", "fr").await;
    let browser = new_browser();
    let to = sign_in_with_provider(&browser, &app, "ines@ngo.example", None).await;
    assert_eq!(to, format!("{}/portal", app.url));
    let notice = app.nth_mail("ines@ngo.example", 2).await;
    assert_eq!(
        notice.subject,
        "Un nouveau moyen de connexion à votre compte du Portail des partenaires des Nations Unies"
    );
    assert!(
        notice
            .text
            .starts_with("Personnel de l'UNICEF a été ajouté comme moyen de connexion"),
        "{}",
        notice.text
    );
    assert!(notice.text.contains("Si ce n'était pas vous"));
    // The next sign-in with the identity links nothing new: no second notice.
    let other = new_browser();
    sign_in_with_provider(&other, &app, "ines@ngo.example", None).await;
    app.signed_up("someone@ngo.example").await;
    let all = app.mail.messages().await;
    assert_eq!(
        all.iter()
            .filter(|m| m.to.iter().any(|t| t == "ines@ngo.example"))
            .count(),
        2
    );
}

/// Issue 20, NIST SP 800-63B-4 / 63C-4, ASVS 5.0 V6.8.4: with `OIDC_UNICEF_MFA=amr` a sign-in
/// whose ID token `amr` holds `mfa` is AAL2 (the session's `aal`, its `amr` `fed mfa`); one
/// with `pwd` alone stays AAL1. (Without the setting the same `mfa` counts for nothing: seen
/// failing here with `false`, and `oidc.rs::tests`.) The provider's development sign-in page
/// gives the login the test's `amr` (`testkit/oidc/provider.mjs`).
async fn a_provider_trusted_for_its_amr_makes_a_multi_factor_session(backend: Backend) {
    let accounts = json!({
        "amina@ngo.example": {"amr": ["pwd", "mfa"]},
        "lee@ngo.example": {"amr": ["pwd"]},
    });
    let (app, _provider) =
        app_with_provider_trusting(backend, accounts, str::to_owned, None, true).await;
    app.signed_up("amina@ngo.example").await;
    app.signed_up("lee@ngo.example").await;
    assert_eq!(
        aal_and_amr(&app, "amina@ngo.example").await,
        (json!("aal2"), json!(["fed", "mfa"]))
    );
    assert_eq!(
        aal_and_amr(&app, "lee@ngo.example").await,
        (json!("aal1"), json!(["fed"]))
    );
}

/// Signs in at the provider as `login` in a new browser; the session's `aal` and `amr`.
async fn aal_and_amr(app: &TestApp, login: &str) -> (Value, Value) {
    let browser = new_browser();
    let to = sign_in_with_provider(&browser, app, login, None).await;
    assert_eq!(to, format!("{}/portal", app.url));
    let session: Value = session_of(&browser, app).await.json().await.unwrap();
    let sessions: Vec<Value> = browser
        .get(app.api("/sessions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mine = sessions.into_iter().find(|s| s["current"] == true).unwrap();
    (session["aal"].clone(), mine["amr"].clone())
}

/// `MFA_POLICY=required` (OWASP ASVS 5.0 V6.3.3; NIST SP 800-63B-4 AAL2, 63C-4): a provider
/// trusted for its `amr` that said `mfa` makes a full session; one that did not (or one not
/// trusted, whatever it says) makes an enrolment-only session for an account with no factor,
/// and for an account with a local factor no session: the second step, as after a password.
async fn under_a_required_policy_a_social_sign_in_is_two_factors_only_when_trusted(
    backend: Backend,
) {
    let accounts = json!({
        "amina@ngo.example": {"amr": ["pwd", "mfa"]},
        "lee@ngo.example": {"amr": ["pwd"]},
    });
    let (app, _provider) =
        app_with_provider_under(backend, accounts.clone(), str::to_owned, None, true, true).await;
    app.signed_up("amina@ngo.example").await;
    app.signed_up("lee@ngo.example").await;
    // Trusted and `mfa`: a full session.
    let browser = new_browser();
    let to = sign_in_with_provider(&browser, &app, "amina@ngo.example", None).await;
    assert_eq!(to, format!("{}/portal", app.url));
    let session: Value = session_of(&browser, &app).await.json().await.unwrap();
    assert_eq!(
        (&session["aal"], &session["factor_required"]),
        (&json!("aal2"), &json!(false))
    );
    let listed = browser.get(app.api("/sessions")).send().await.unwrap();
    assert_eq!(listed.status(), 200);
    // Trusted, `pwd` alone, no local factor: enrolment-only.
    let browser = new_browser();
    let to = sign_in_with_provider(&browser, &app, "lee@ngo.example", None).await;
    assert_eq!(to, format!("{}/portal", app.url));
    let session: Value = session_of(&browser, &app).await.json().await.unwrap();
    assert_eq!(
        (&session["aal"], &session["factor_required"]),
        (&json!("aal1"), &json!(true))
    );
    let listed = browser.get(app.api("/sessions")).send().await.unwrap();
    assert_eq!(listed.status(), 403);
    // It enrols recovery codes; then the provider alone is no longer enough: the second step.
    let made = browser
        .post(app.api("/recovery-codes"))
        .header("x-requested-with", "partner-login")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 200);
    let made: Value = made.json().await.unwrap();
    let code = made["codes"][0].as_str().unwrap().to_owned();
    let browser = new_browser();
    let to = sign_in_with_provider(&browser, &app, "lee@ngo.example", None).await;
    assert_eq!(
        to,
        format!("{}/?social_error=second_factor_required", app.url)
    );
    assert_eq!(session_of(&browser, &app).await.status(), 401, "no session");
    let methods: Value = browser
        .get(app.api("/session/second-factor"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(methods["methods"], json!(["recovery_code"]));
    let finished = browser
        .post(app.api("/session/second-factor"))
        .header("x-requested-with", "partner-login")
        .json(&json!({"recovery_code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(finished.status(), 200);
    let finished: Value = finished.json().await.unwrap();
    assert_eq!(
        (&finished["aal"], &finished["factor_required"]),
        (&json!("aal2"), &json!(false))
    );

    // Not trusted for its `amr`: its `mfa` counts for nothing, enrolment-only.
    let (app, _provider) =
        app_with_provider_under(backend, accounts, str::to_owned, None, false, true).await;
    app.signed_up("amina@ngo.example").await;
    let browser = new_browser();
    sign_in_with_provider(&browser, &app, "amina@ngo.example", None).await;
    let session: Value = session_of(&browser, &app).await.json().await.unwrap();
    assert_eq!(
        (&session["aal"], &session["factor_required"]),
        (&json!("aal1"), &json!(true))
    );
}
