//! Our OpenID Provider (issue 18) driven end to end by a certified relying party
//! (`openid-client` 6.x, started by the testkit) in headless Chromium: the authorization code
//! flow with PKCE through each way in (password sign-in, sign-up from an invitation, "Forgot
//! your password?", a social button), `prompt=none`, `login_hint` and `ui_locales`, the claims
//! of the ID token and of userinfo, RP-initiated logout, and back-channel logout.
//!
//! Every claim checked is read from the relying party's page (`<pre id="claims">`: what
//! openid-client verified and fetched), and compared with what the person typed.

use partner_login_e2e::flows::{
    reset_password, sign_in_at_the_provider, unicef_provider, verify_email, PASSPHRASE,
};
use partner_login_e2e::{mail::Mailbox, Browser, TestServer};
use partner_login_testkit::{OidcProvider, RelyingPartyUrls, TestRelyingParty};
use serde_json::Value;

const CLIENT_ID: &str = "partner-portal-test";
const SIGN_IN: &str = "Sign in with your existing account";

/// How the relying party is registered at our provider.
#[derive(Clone, Copy, Default)]
struct Registration {
    /// `--public`: no secret, PKCE alone.
    public: bool,
    /// `--initiate-login-uri` = the relying party's `/login` (third-party initiated login: a
    /// sign-in with no pending request continues there).
    initiate_login: bool,
}

/// A person: their address, names and the organization they are invited to.
struct Person {
    email: &'static str,
    display: &'static str,
    given: &'static str,
    surname: &'static str,
    organization: &'static str,
}

/// The server, its mailbox, the relying party registered at it, and a browser.
struct World {
    mailbox: Mailbox,
    server: TestServer,
    rp: TestRelyingParty,
    browser: Browser,
    _social: Option<OidcProvider>,
}

impl World {
    async fn start(registration: Registration) -> Self {
        Self::start_with(registration, false).await
    }

    /// Starts the server (with the social button `unicef` when `social`), registers the
    /// relying party with the server's own CLI, then starts it and a browser.
    async fn start_with(registration: Registration, social: bool) -> Self {
        let mailbox = Mailbox::start().await;
        let port = partner_login_e2e::free_port();
        let (social, env) = if social {
            let (provider, env) = unicef_provider(port, serde_json::json!({}));
            (Some(provider), env)
        } else {
            (None, Vec::new())
        };
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let server = TestServer::start_on(port, Some(&mailbox.url()), &env);

        let urls = RelyingPartyUrls::on_free_port();
        let (redirect, post_logout, backchannel, login) = (
            urls.redirect_uri(),
            urls.post_logout_redirect_uri(),
            urls.backchannel_logout_uri(),
            urls.login_uri(),
        );
        let mut args = vec![
            "--redirect-uri",
            &redirect,
            "--post-logout-redirect-uri",
            &post_logout,
            "--backchannel-logout-uri",
            &backchannel,
        ];
        if registration.initiate_login {
            args.extend(["--initiate-login-uri", &login]);
        }
        if registration.public {
            args.push("--public");
        }
        let secret = server.add_client(CLIENT_ID, &args).await;
        if let Some(secret) = &secret {
            assert!(
                secret.len() >= 32,
                "a client secret of {} characters",
                secret.len()
            );
        }
        let rp = TestRelyingParty::start(urls, &server.issuer(), CLIENT_ID, secret.as_deref());
        let browser = Browser::start().await;
        Self {
            mailbox,
            server,
            rp,
            browser,
            _social: social,
        }
    }

    /// Ends the browser's WebDriver session (the rest stops on drop).
    async fn close(self) {
        self.browser.close().await;
    }

    /// The administrator invites `person`; returns the link of the invitation email.
    async fn invite(&self, person: &Person) -> String {
        self.server
            .invite(person.email, person.organization, Some("Kwame Asare"))
            .await;
        let mail = self.mailbox.next_to(person.email).await;
        mail.link()
    }

    /// From an open invitation link: "Sign up now", the emailed code, the passwords and names,
    /// "Create". Where it ends is the caller's to check.
    async fn sign_up_invited(&self, person: &Person, link: &str) {
        let browser = &self.browser;
        browser.goto(link).await;
        browser.wait_text(person.organization).await;
        browser.click_button("Sign up now").await;
        browser.wait_value("Email Address", person.email).await;
        verify_email(browser, &self.mailbox, person.email).await;
        browser.fill("New Password", PASSPHRASE).await;
        browser.fill("Confirm New Password", PASSPHRASE).await;
        browser.fill("Display Name", person.display).await;
        browser.fill("Given Name", person.given).await;
        browser.fill("Surname", person.surname).await;
        browser.click_button("Create").await;
    }

    /// An invited account created through our own screens with no request pending (ends on
    /// our account page), then signed out.
    async fn create_account(&self, person: &Person) {
        let link = self.invite(person).await;
        self.sign_up_invited(person, &link).await;
        self.browser.wait_path("/portal").await;
        self.browser.wait_text(person.display).await;
        self.sign_out_in_our_spa().await;
    }

    /// "Sign out" on our own account page.
    async fn sign_out_in_our_spa(&self) {
        self.browser
            .goto(&format!("{}/portal", self.server.url))
            .await;
        self.browser.click_button("Sign out").await;
        self.browser.wait_text(SIGN_IN).await;
    }

    /// Opens the relying party's `/login` with these authorization request parameters.
    async fn start_at_the_rp(&self, params: &[(&str, &str)]) {
        self.browser.goto(&self.rp.urls.login_with(params)).await;
    }

    /// Waits until the browser is back at the relying party's callback and returns what it
    /// shows: the verified claims (`Ok`) or the provider's error (`Err`).
    async fn rp_answer(&self) -> Result<Value, String> {
        let callback = format!("{}/callback", self.rp.urls.base);
        self.browser
            .wait_until(
                || async {
                    let url = self
                        .browser
                        .client
                        .current_url()
                        .await
                        .map_err(|e| e.to_string())?;
                    if !url.as_str().starts_with(&callback) {
                        return Err(url.to_string());
                    }
                    let shown = self
                        .browser
                        .script(
                            "const c = document.getElementById('claims');
                             const e = document.getElementById('error');
                             return [c && c.textContent, e && e.textContent];",
                            vec![],
                        )
                        .await;
                    match (shown[0].as_str(), shown[1].as_str()) {
                        (Some(claims), _) => Ok(Ok(serde_json::from_str(claims)
                            .unwrap_or_else(|e| panic!("claims {claims:?}: {e}")))),
                        (None, Some(error)) => Ok(Err(error.to_owned())),
                        _ => Err(format!("{url} without #claims or #error")),
                    }
                },
                "the relying party's answer at its callback",
            )
            .await
    }

    /// The relying party's verified claims; fails the test with the provider's error.
    async fn rp_claims(&self) -> Value {
        match self.rp_answer().await {
            Ok(claims) => claims,
            Err(error) => {
                let problem = self
                    .browser
                    .script(
                        "const p = document.getElementById('problem'); return p && p.textContent;",
                        vec![],
                    )
                    .await;
                self.browser
                    .fail(&format!(
                        "the relying party signed nobody in: {error}\n{problem}"
                    ))
                    .await
            }
        }
    }

    /// Clicks "Sign out at the relying party" on its page (RP-initiated logout through our
    /// end-session endpoint) and returns what its post-logout redirect uri received: the state
    /// (`state_sent_by_us`: it is one the relying party sent) and `sent_with`.
    async fn sign_out_at_the_rp(&self) -> Value {
        let browser = &self.browser;
        browser.goto(&self.rp.urls.base).await;
        browser.click_button("Sign out at the relying party").await;
        let back = self.rp.urls.post_logout_redirect_uri();
        browser
            .wait_url_prefix(&back, "back at the post-logout redirect uri")
            .await;
        let logout = browser
            .wait_until(
                || async {
                    let shown = browser
                        .script(
                            "const p = document.getElementById('logout'); return p && p.textContent;",
                            vec![],
                        )
                        .await;
                    shown.as_str().map(str::to_owned).ok_or(format!("{shown}"))
                },
                "#logout on the relying party's page",
            )
            .await;
        let logout: Value = serde_json::from_str(&logout).expect("the logout JSON");
        assert!(
            logout["state"].is_string(),
            "the state came back: {logout:#}"
        );
        assert_eq!(logout["state_sent_by_us"], true, "{logout:#}");
        logout
    }

    /// `GET /api/session` from our own origin, as the SPA asks it: the status code.
    async fn session_status(&self) -> u64 {
        self.browser.goto(&format!("{}/", self.server.url)).await;
        let status = self
            .browser
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch('/api/session', { credentials: 'same-origin' })
                   .then((r) => done(r.status), (e) => done(String(e)));",
                vec![],
            )
            .await
            .expect("the fetch runs");
        status
            .as_u64()
            .unwrap_or_else(|| panic!("GET /api/session: {status}"))
    }

    /// Polls the relying party until it has verified `n` back-channel logout tokens.
    async fn wait_logout_tokens(&self, n: usize) -> Vec<Value> {
        self.browser
            .wait_until(
                || async {
                    let received = self.rp.received_logout_tokens().await;
                    if received.len() >= n {
                        Ok(received)
                    } else {
                        let rejected = self.rp.rejected_logout_tokens().await;
                        Err(format!(
                            "{} verified; refused: {}",
                            received.len(),
                            Value::Array(rejected)
                        ))
                    }
                },
                &format!("{n} verified back-channel logout token(s) at the relying party"),
            )
            .await
    }
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("no string {key:?} in {value:#}"))
}

/// The claims of the ID token and of userinfo, as the relying party verified them, say who
/// `person` is and how they signed in (`idp`).
fn assert_claims(world: &World, shown: &Value, person: &Person, idp: &str) {
    let id_token = &shown["id_token"];
    let userinfo = &shown["userinfo"];
    let issuer = world.server.issuer();
    let sub = str_of(id_token, "sub");
    assert!(!sub.is_empty(), "a sub: {id_token:#}");
    assert!(
        !sub.eq_ignore_ascii_case(person.email) && !sub.contains('@'),
        "sub is not the email: {sub}"
    );
    assert_eq!(str_of(id_token, "iss"), issuer, "{id_token:#}");
    let aud = &id_token["aud"];
    assert!(
        aud.as_str() == Some(CLIENT_ID)
            || aud
                .as_array()
                .is_some_and(|a| a.iter().any(|v| v == CLIENT_ID)),
        "aud names the client: {aud}"
    );
    // RFC 9207: the authorization response named the issuer (openid-client checked it).
    assert_eq!(shown["checks"]["iss"], issuer.as_str(), "{shown:#}");
    assert_eq!(shown["checks"]["at_hash"], "valid", "{id_token:#}");
    assert!(id_token["nonce"].is_string(), "nonce echoed: {id_token:#}");
    assert!(id_token["auth_time"].is_u64(), "auth_time: {id_token:#}");
    assert!(id_token["sid"].is_string(), "sid: {id_token:#}");
    assert!(
        id_token["amr"].as_array().is_some_and(|a| !a.is_empty()),
        "amr: {id_token:#}"
    );
    for claims in [id_token, userinfo] {
        assert_eq!(str_of(claims, "sub"), sub, "the same sub: {claims:#}");
        assert_eq!(str_of(claims, "email"), person.email, "{claims:#}");
        assert_eq!(claims["email_verified"], true, "{claims:#}");
        assert_eq!(str_of(claims, "name"), person.display, "{claims:#}");
        assert_eq!(str_of(claims, "given_name"), person.given, "{claims:#}");
        assert_eq!(str_of(claims, "family_name"), person.surname, "{claims:#}");
        assert_eq!(
            claims["organizations"],
            serde_json::json!([person.organization]),
            "{claims:#}"
        );
        assert_eq!(str_of(claims, "idp"), idp, "{claims:#}");
    }
}

const KOFI: Person = Person {
    email: "kofi.mensah@ngo.example",
    display: "Kofi M.",
    given: "Kofi",
    surname: "Mensah",
    organization: "Volta Clean Water",
};

#[tokio::test]
async fn a_password_sign_in_started_by_the_relying_party_returns_there_with_verified_claims() {
    let world = World::start(Registration::default()).await;
    world.create_account(&KOFI).await;
    let browser = &world.browser;

    // The relying party asks, hinting the address: our sign-in screen, the address filled in.
    world.start_at_the_rp(&[("login_hint", KOFI.email)]).await;
    browser.wait_text(SIGN_IN).await;
    browser.wait_value("Email Address", KOFI.email).await;
    browser.fill("Password", PASSPHRASE).await;
    browser.click_button("Sign in").await;

    let shown = world.rp_claims().await;
    assert_claims(&world, &shown, &KOFI, "local");
    assert!(
        shown["id_token"]["amr"]
            .as_array()
            .is_some_and(|a| a.iter().any(|m| m == "pwd")),
        "a password sign-in says amr pwd: {shown:#}"
    );

    // A second request with the session: answered at once, the same person.
    world.start_at_the_rp(&[]).await;
    let again = world.rp_claims().await;
    assert_eq!(again["id_token"]["sub"], shown["id_token"]["sub"]);
    assert_ne!(again["id_token"]["nonce"], shown["id_token"]["nonce"]);
    world.close().await;
}

#[tokio::test]
async fn login_hint_and_ui_locales_reach_the_sign_in_screen_without_overwriting_a_draft() {
    let world = World::start(Registration::default()).await;
    let browser = &world.browser;
    world
        .start_at_the_rp(&[
            ("login_hint", "Ama.Owusu@ngo.example"),
            ("ui_locales", "fr"),
        ])
        .await;
    browser
        .wait_script(
            "return document.documentElement.lang;",
            vec![],
            Value::from("fr"),
            "the sign-in screen in French",
        )
        .await;
    // Null until the screen is drawn (the wait polls again).
    let email_value = "const e = document.getElementById('email'); return e && e.value;";
    browser
        .wait_script(
            email_value,
            vec![],
            Value::from("Ama.Owusu@ngo.example"),
            "the hinted address in the email field",
        )
        .await;

    // What the person typed is kept: a later request's hint does not replace it.
    let field = browser.wait_xpath("//input[@id='email']").await;
    field.clear().await.expect("clear");
    field.send_keys("kojo@ngo.example").await.expect("typing");
    world
        .start_at_the_rp(&[("login_hint", "someone.else@ngo.example")])
        .await;
    browser
        .wait_script(
            email_value,
            vec![],
            Value::from("kojo@ngo.example"),
            "the typed address kept",
        )
        .await;

    // A hint that is not an email address fills nothing.
    let fresh = Browser::start().await;
    fresh
        .goto(
            &world
                .rp
                .urls
                .login_with(&[("login_hint", "not an address")]),
        )
        .await;
    fresh.wait_text(SIGN_IN).await;
    fresh.wait_value("Email Address", "").await;
    fresh.close().await;
    world.close().await;
}

#[tokio::test]
async fn an_invitation_link_ends_signed_in_at_the_relying_party_that_initiates_login() {
    let world = World::start(Registration {
        initiate_login: true,
        ..Registration::default()
    })
    .await;
    let ama = Person {
        email: "ama.owusu@ngo.example",
        display: "Ama O.",
        given: "Ama",
        surname: "Owusu",
        organization: "Ashanti Health Partners",
    };
    // No request pending: "Create" continues at the client's initiate_login_uri, whose own
    // authorization request succeeds at once with the new session.
    let link = world.invite(&ama).await;
    world.sign_up_invited(&ama, &link).await;
    let shown = world.rp_claims().await;
    assert_claims(&world, &shown, &ama, "local");
    world.close().await;
}

#[tokio::test]
async fn a_request_the_relying_party_started_survives_sign_up_from_an_invitation() {
    let world = World::start(Registration::default()).await;
    let abena = Person {
        email: "abena.boateng@ngo.example",
        display: "Abena B.",
        given: "Abena",
        surname: "Boateng",
        organization: "Kumasi Youth Network",
    };
    let link = world.invite(&abena).await;
    // The relying party asks first; the person then opens their invitation in the same tab.
    world.start_at_the_rp(&[]).await;
    world.browser.wait_text(SIGN_IN).await;
    world.sign_up_invited(&abena, &link).await;
    let shown = world.rp_claims().await;
    assert_claims(&world, &shown, &abena, "local");
    world.close().await;
}

#[tokio::test]
async fn forgot_your_password_continues_the_pending_request() {
    let world = World::start(Registration::default()).await;
    world.create_account(&KOFI).await;
    let browser = &world.browser;

    world.start_at_the_rp(&[("login_hint", KOFI.email)]).await;
    browser.wait_value("Email Address", KOFI.email).await;
    reset_password(browser, &world.mailbox, KOFI.email).await;

    let shown = world.rp_claims().await;
    assert_claims(&world, &shown, &KOFI, "local");
    world.close().await;
}

#[tokio::test]
async fn a_social_button_continues_the_pending_request_and_names_the_provider() {
    let world = World::start_with(Registration::default(), true).await;
    // An invited colleague whose account is made from the provider's claims.
    let efua = Person {
        email: "efua.asante@unicef.example",
        display: "",
        given: "",
        surname: "",
        organization: "Accra Child Protection",
    };
    let link = world.invite(&efua).await;
    let browser = &world.browser;
    world.start_at_the_rp(&[]).await;
    browser.wait_text(SIGN_IN).await;
    browser.goto(&link).await;
    browser.wait_text(efua.organization).await;
    browser.click_button("Sign in").await;
    browser.click_button("UNICEF Employee").await;
    sign_in_at_the_provider(browser, efua.email).await;

    let shown = world.rp_claims().await;
    let (id_token, userinfo) = (&shown["id_token"], &shown["userinfo"]);
    for claims in [id_token, userinfo] {
        assert_eq!(str_of(claims, "idp"), "unicef", "{claims:#}");
        assert_eq!(str_of(claims, "email"), efua.email, "{claims:#}");
        assert_eq!(
            claims["organizations"],
            serde_json::json!([efua.organization]),
            "{claims:#}"
        );
        assert!(!str_of(claims, "sub").contains('@'), "{claims:#}");
    }
    assert_eq!(id_token["sub"], userinfo["sub"]);
    assert_eq!(shown["checks"]["at_hash"], "valid", "{id_token:#}");
    world.close().await;
}

#[tokio::test]
async fn prompt_none_answers_with_a_code_when_signed_in_and_login_required_when_not() {
    // A public client: PKCE alone, no secret.
    let world = World::start(Registration {
        public: true,
        ..Registration::default()
    })
    .await;
    let link = world.invite(&KOFI).await;
    world.sign_up_invited(&KOFI, &link).await;
    world.browser.wait_path("/portal").await;

    // Signed in on our side: no screen, a code at once.
    world.start_at_the_rp(&[("prompt", "none")]).await;
    let shown = world.rp_claims().await;
    assert_claims(&world, &shown, &KOFI, "local");

    // Signed out: the provider answers login_required, and shows no screen.
    world.sign_out_in_our_spa().await;
    world.start_at_the_rp(&[("prompt", "none")]).await;
    match world.rp_answer().await {
        Err(error) => assert_eq!(error, "login_required"),
        Ok(claims) => panic!("prompt=none without a session signed in: {claims:#}"),
    }
    world.close().await;
}

#[tokio::test]
async fn prompt_login_and_max_age_zero_ask_for_the_password_again_despite_the_session() {
    let world = World::start(Registration::default()).await;
    let link = world.invite(&KOFI).await;
    world.sign_up_invited(&KOFI, &link).await;
    world.browser.wait_path("/portal").await;
    let browser = &world.browser;

    for params in [[("prompt", "login")], [("max_age", "0")]] {
        world.start_at_the_rp(&params).await;
        // Our sign-in screen, not a code at once.
        let sign_in = format!("{}/", world.server.url);
        browser
            .wait_url_prefix(
                &sign_in,
                &format!("the sign-in screen again for {params:?}"),
            )
            .await;
        browser.wait_text(SIGN_IN).await;
        browser.fill("Email Address", KOFI.email).await;
        browser.fill("Password", PASSPHRASE).await;
        browser.click_button("Sign in").await;
        // openid-client checked auth_time against max_age=0 itself.
        let shown = world.rp_claims().await;
        assert_claims(&world, &shown, &KOFI, "local");
    }
    world.close().await;
}

#[tokio::test]
async fn rp_initiated_logout_ends_our_session_and_returns_with_the_state() {
    let world = World::start(Registration::default()).await;
    world.create_account(&KOFI).await;
    let browser = &world.browser;
    world.start_at_the_rp(&[]).await;
    browser.wait_text(SIGN_IN).await;
    browser.fill("Email Address", KOFI.email).await;
    browser.fill("Password", PASSPHRASE).await;
    browser.click_button("Sign in").await;
    let shown = world.rp_claims().await;
    assert_eq!(world.session_status().await, 200, "signed in on our side");

    // Back at the relying party's page: its "Sign out" link, with id_token_hint and state.
    let logout = world.sign_out_at_the_rp().await;
    assert_eq!(logout["sent_with"], "id_token_hint", "{logout:#}");
    assert_eq!(world.session_status().await, 401, "our session ended");

    // The relying party that got an ID token in that session is told by a logout token too.
    let tokens = world.wait_logout_tokens(1).await;
    assert_eq!(
        tokens[0]["sub"], shown["id_token"]["sub"],
        "{:#}",
        tokens[0]
    );

    // Signed in on our side only (the relying party holds no ID token): its logout names
    // itself by client_id, and is honoured the same way.
    browser.goto(&format!("{}/", world.server.url)).await;
    browser.fill("Email Address", KOFI.email).await;
    browser.fill("Password", PASSPHRASE).await;
    browser.click_button("Sign in").await;
    browser.wait_path("/portal").await;
    let logout = world.sign_out_at_the_rp().await;
    assert_eq!(logout["sent_with"], "client_id", "{logout:#}");
    assert_eq!(world.session_status().await, 401, "our session ended");
    world.close().await;
}

#[tokio::test]
async fn sign_out_in_our_spa_sends_a_verified_back_channel_logout_token() {
    let world = World::start(Registration::default()).await;
    world.create_account(&KOFI).await;
    let browser = &world.browser;
    world.start_at_the_rp(&[("login_hint", KOFI.email)]).await;
    browser.wait_value("Email Address", KOFI.email).await;
    browser.fill("Password", PASSPHRASE).await;
    browser.click_button("Sign in").await;
    let shown = world.rp_claims().await;
    let id_token = &shown["id_token"];
    assert!(
        world.rp.received_logout_tokens().await.is_empty(),
        "no logout token before signing out"
    );

    world.sign_out_in_our_spa().await;
    let tokens = world.wait_logout_tokens(1).await;
    assert_eq!(tokens.len(), 1, "one logout token: {tokens:#?}");
    let token = &tokens[0];
    // Verified by the relying party (signature against our JWKS, typ, iss, aud, events, no
    // nonce); here: it names the session the ID token came from.
    assert_eq!(token["iss"], id_token["iss"], "{token:#}");
    assert_eq!(token["sub"], id_token["sub"], "{token:#}");
    assert_eq!(token["sid"], id_token["sid"], "{token:#}");
    assert_eq!(token["_header"]["typ"], "logout+jwt", "{token:#}");
    assert!(token["jti"].is_string(), "{token:#}");
    assert!(
        token["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object(),
        "{token:#}"
    );
    assert!(world.rp.rejected_logout_tokens().await.is_empty());
    assert_eq!(world.session_status().await, 401);

    // The relying party's checks are real: the same token with one signature character
    // changed is refused, and so is the genuine token replayed.
    let genuine = str_of(token, "_token");
    let signature_at = genuine.rfind('.').expect("a compact JWS") + 1;
    let mut forged = genuine.to_owned();
    let swap = if genuine[signature_at..].starts_with('A') {
        "B"
    } else {
        "A"
    };
    forged.replace_range(signature_at..=signature_at, swap);
    assert_eq!(world.rp.post_logout_token(&forged).await, 400);
    assert_eq!(world.rp.post_logout_token(genuine).await, 400);
    let rejected = world.rp.rejected_logout_tokens().await;
    assert_eq!(rejected.len(), 2, "{rejected:#?}");
    assert!(
        str_of(&rejected[0], "reason").contains("signature"),
        "{rejected:#?}"
    );
    assert!(
        str_of(&rejected[1], "reason").contains("jti"),
        "{rejected:#?}"
    );
    assert_eq!(world.rp.received_logout_tokens().await.len(), 1);
    world.close().await;
}
