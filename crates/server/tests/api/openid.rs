//! The OpenID Provider over HTTP, on both databases: the authorization code flow with PKCE and
//! each of its refusals, the claims, `prompt`, the continuation after a sign-in, key rotation,
//! RP-initiated and back-channel logout. Tokens are verified here with the published JWKS
//! (ring, RS256), as a relying party would.

use crate::helpers::{Backend, TestApp, PASSPHRASE};
use crate::on_both_databases;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use partner_login_server::domain::clients::{self, Registration};
use reqwest::redirect::Policy;
use reqwest::{Client, Response};
use serde_json::{json, Value};
use std::collections::HashMap;

const REDIRECT: &str = "http://127.0.0.1:9/callback";
const AFTER_LOGOUT: &str = "http://127.0.0.1:9/signed-out";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// A browser: a cookie jar, and redirects seen rather than followed.
pub(crate) fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// Registers a confidential client (`public`: a public one); returns its secret.
async fn register(app: &TestApp, id: &str, public: bool, backchannel: Option<String>) -> String {
    let registration = Registration {
        id: id.into(),
        redirect_uris: vec![REDIRECT.into()],
        post_logout_redirect_uris: vec![AFTER_LOGOUT.into()],
        backchannel_logout_uri: backchannel,
        initiate_login_uri: None,
        public,
    };
    clients::add(&app.state.db, &registration)
        .await
        .unwrap()
        .unwrap_or_default()
}

/// The answer to a password sign-in in `browser` (its cookie jar keeps the session).
async fn sign_in_with(app: &TestApp, browser: &Client, email: &str) -> Response {
    app.post_as(
        browser,
        "/session",
        json!({"email": email, "password": PASSPHRASE}),
    )
    .await
}

/// An account `email` and a browser signed in as it.
async fn signed_in(app: &TestApp, email: &str) -> Client {
    app.signed_up(email).await;
    let browser = browser();
    let answer = sign_in_with(app, &browser, email).await;
    assert_eq!(answer.status(), 200);
    browser
}

/// The standard request of client `id`, with `extra` parameters added or replacing.
fn request(id: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = [
        ("client_id", id),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "openid profile email"),
        ("state", "st-1"),
        ("nonce", "n-0S6_WzA2Mj"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
    .into_iter()
    .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
    .chain(extra.iter().copied())
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    params.sort();
    params
}

async fn authorize(app: &TestApp, browser: &Client, params: &[(String, String)]) -> Response {
    browser
        .get(app.api("/oauth2/authorize"))
        .query(params)
        .send()
        .await
        .unwrap()
}

fn location(response: &Response) -> String {
    assert_eq!(response.status(), 303, "a redirect");
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The query parameters of a redirect to the client.
fn answer_params(response: &Response) -> HashMap<String, String> {
    let to = url::Url::parse(&location(response)).unwrap();
    to.query_pairs().into_owned().collect()
}

/// The claims of the ID token a client gets through `browser`, signed in (registers the
/// confidential client `portal`, which must not be registered yet).
pub(crate) async fn id_token_claims(app: &TestApp, browser: &Client) -> Value {
    let secret = register(app, "portal", false, None).await;
    let answer = authorize(app, browser, &request("portal", &[])).await;
    let code = answer_params(&answer)["code"].clone();
    let issued = redeem(app, &code_form(&code, VERIFIER), Some(("portal", &secret))).await;
    assert_eq!(issued.status(), 200);
    let issued = json(issued).await;
    verified(app, issued["id_token"].as_str().unwrap()).await.1
}

/// A code for client `id` through a signed-in browser.
async fn code_for(app: &TestApp, browser: &Client, id: &str) -> String {
    let answer = authorize(app, browser, &request(id, &[])).await;
    let params = answer_params(&answer);
    assert_eq!(params["state"], "st-1");
    assert_eq!(params["iss"], app.api(""));
    params["code"].clone()
}

async fn redeem(app: &TestApp, form: &[(&str, &str)], basic: Option<(&str, &str)>) -> Response {
    let mut post = Client::new().post(app.api("/oauth2/token")).form(form);
    if let Some((id, secret)) = basic {
        post = post.basic_auth(id, Some(secret));
    }
    post.send().await.unwrap()
}

fn code_form<'a>(code: &'a str, verifier: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier),
    ]
}

/// The claims of a JWT after checking its RS256 signature with the published JWKS.
async fn verified(app: &TestApp, jwt: &str) -> (Value, Value) {
    let jwks: Value = Client::new()
        .get(app.api("/oauth2/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (input, signature) = jwt.rsplit_once('.').unwrap();
    let (header, claims) = input.split_once('.').unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    assert_eq!(header["alg"], "RS256");
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .expect("the token's kid is published");
    assert_eq!(
        (key["use"].as_str(), key["alg"].as_str()),
        (Some("sig"), Some("RS256"))
    );
    let component = |name: &str| URL_SAFE_NO_PAD.decode(key[name].as_str().unwrap()).unwrap();
    ring::signature::RsaPublicKeyComponents {
        n: component("n"),
        e: component("e"),
    }
    .verify(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        input.as_bytes(),
        &URL_SAFE_NO_PAD.decode(signature).unwrap(),
    )
    .expect("a valid signature");
    (header, claims)
}

async fn json(response: Response) -> Value {
    response.json().await.unwrap()
}

on_both_databases!(
    discovery_names_every_endpoint_and_what_it_supports,
    a_signed_in_browser_gets_a_code_and_the_client_verified_claims,
    every_refusal_of_the_token_endpoint,
    a_replayed_code_revokes_what_it_issued,
    unknown_clients_and_redirect_uris_get_a_page_never_a_redirect,
    errors_go_back_to_the_registered_redirect_uri,
    prompt_none_and_prompt_login,
    the_request_waits_for_the_sign_in_and_continues,
    waiting_requests_are_capped_per_client_address,
    a_sign_in_with_nothing_pending_goes_to_the_one_initiate_login_uri,
    rotated_keys_sign_new_tokens_and_old_ones_verify_until_retired,
    a_rotated_secret_and_a_removed_client_stop_working_at_once,
    rp_initiated_logout,
    back_channel_logout_tells_the_clients_of_the_session,
    a_disabled_account_gets_nothing_more_from_the_provider,
);

async fn discovery_names_every_endpoint_and_what_it_supports(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let issuer = app.api("");
    let meta = json(app.get("/.well-known/openid-configuration").await).await;
    assert_eq!(meta["issuer"], issuer.as_str());
    for (name, path) in [
        ("authorization_endpoint", "/oauth2/authorize"),
        ("token_endpoint", "/oauth2/token"),
        ("userinfo_endpoint", "/oauth2/userinfo"),
        ("jwks_uri", "/oauth2/jwks"),
        ("end_session_endpoint", "/oauth2/logout"),
    ] {
        assert_eq!(meta[name], format!("{issuer}{path}"), "{name}");
    }
    assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(
        meta["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    assert_eq!(meta["grant_types_supported"], json!(["authorization_code"]));
    assert_eq!(meta["authorization_response_iss_parameter_supported"], true);
    assert_eq!(meta["backchannel_logout_supported"], true);
    assert_eq!(
        meta["acr_values_supported"],
        json!([
            "http://idmanagement.gov/ns/assurance/aal/1",
            "http://idmanagement.gov/ns/assurance/aal/2"
        ])
    );
    // The site's root serves the same document (an ISSUER_URL that is the origin alone).
    let root = json(
        Client::new()
            .get(format!("{}/.well-known/openid-configuration", app.url))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(root, meta);
    let jwks = json(app.get("/oauth2/jwks").await).await;
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "the first start made one key");
    assert!(
        keys[0].get("d").is_none() && keys[0].get("p").is_none(),
        "no private part"
    );
}

async fn a_signed_in_browser_gets_a_code_and_the_client_verified_claims(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let secret = register(&app, "portal", false, None).await;
    let invitation = app
        .invite("amina@ngo.example", "Red Crescent Society")
        .await;
    let flow = app
        .start_signup("amina@ngo.example", Some(&invitation))
        .await;
    let code = app.nth_mail("amina@ngo.example", 2).await.code();
    app.verify(&flow, &code).await;
    assert_eq!(app.complete(&flow, PASSPHRASE).await.status(), 201);
    let browser = browser();
    let answer = sign_in_with(&app, &browser, "amina@ngo.example").await;
    assert_eq!(answer.status(), 200);
    assert!(
        json(answer).await.get("continue_url").is_none(),
        "no request, no client to start"
    );

    let code = code_for(&app, &browser, "portal").await;
    let issued = redeem(&app, &code_form(&code, VERIFIER), Some(("portal", &secret))).await;
    assert_eq!(issued.status(), 200);
    assert_eq!(issued.headers()["cache-control"], "no-store");
    let issued = json(issued).await;
    assert_eq!(issued["token_type"], "Bearer");
    assert!(issued.get("refresh_token").is_none());
    let access = issued["access_token"].as_str().unwrap();
    let (_, claims) = verified(&app, issued["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["iss"], app.api("").as_str());
    assert_eq!(claims["aud"], "portal");
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["email"], "amina@ngo.example");
    assert_eq!(claims["email_verified"], true);
    assert_eq!(claims["name"], "Amina D.");
    assert_eq!(claims["given_name"], "Amina");
    assert_eq!(claims["family_name"], "Diallo");
    assert_eq!(claims["organizations"], json!(["Red Crescent Society"]));
    assert_eq!(claims["idp"], "local");
    assert_eq!(claims["amr"], json!(["pwd"]));
    // A password alone: NIST SP 800-63B-4 AAL1, said in `acr` (OpenID Connect Core §2).
    assert_eq!(claims["acr"], "http://idmanagement.gov/ns/assurance/aal/1");
    let sub = claims["sub"].as_str().unwrap();
    assert!(
        !sub.contains('@') && sub.len() >= 32,
        "sub is the account's random id: {sub}"
    );
    assert!(claims["sid"].as_str().is_some_and(|s| !s.is_empty()));
    let now = partner_login_server::storage::now();
    assert!((now - 60..=now).contains(&claims["auth_time"].as_i64().unwrap()));
    assert!(claims["exp"].as_i64().unwrap() > now);
    // at_hash: the left half of the access token's SHA-256 (python-social-auth checks it).
    let digest = ring::digest::digest(&ring::digest::SHA256, access.as_bytes());
    assert_eq!(
        claims["at_hash"],
        URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16])
    );

    let userinfo = Client::new()
        .get(app.api("/oauth2/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), 200);
    let userinfo = json(userinfo).await;
    for claim in [
        "sub",
        "email",
        "email_verified",
        "name",
        "given_name",
        "family_name",
        "organizations",
        "idp",
    ] {
        assert_eq!(userinfo[claim], claims[claim], "{claim}");
    }
    // The scopes decide the claims: `openid` alone says who, not their email or name.
    let narrow = authorize(&app, &browser, &request("portal", &[("scope", "openid")])).await;
    let code = answer_params(&narrow)["code"].clone();
    let issued =
        json(redeem(&app, &code_form(&code, VERIFIER), Some(("portal", &secret))).await).await;
    let userinfo = Client::new()
        .get(app.api("/oauth2/userinfo"))
        .bearer_auth(issued["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let userinfo = json(userinfo).await;
    assert_eq!(userinfo["sub"], sub);
    assert!(
        userinfo.get("email").is_none() && userinfo.get("name").is_none(),
        "{userinfo}"
    );
    // client_secret_post works as well as Basic.
    let code = code_for(&app, &browser, "portal").await;
    let mut form = code_form(&code, VERIFIER);
    form.extend([("client_id", "portal"), ("client_secret", secret.as_str())]);
    assert_eq!(redeem(&app, &form, None).await.status(), 200);
}

async fn every_refusal_of_the_token_endpoint(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let secret = register(&app, "portal", false, None).await;
    let other = register(&app, "other", false, None).await;
    register(&app, "spa", true, None).await;
    let browser = signed_in(&app, "lee@ngo.example").await;
    let error = |r: Value| r["error"].as_str().unwrap().to_owned();

    let code = code_for(&app, &browser, "portal").await;
    let wrong_secret = redeem(
        &app,
        &code_form(&code, VERIFIER),
        Some(("portal", "not-the-secret")),
    )
    .await;
    assert_eq!(wrong_secret.status(), 401);
    assert!(wrong_secret.headers().contains_key("www-authenticate"));
    assert_eq!(error(json(wrong_secret).await), "invalid_client");
    let unknown = redeem(&app, &code_form(&code, VERIFIER), Some(("nobody", &secret))).await;
    assert_eq!(unknown.status(), 401);
    let by_other = redeem(&app, &code_form(&code, VERIFIER), Some(("other", &other))).await;
    assert_eq!(
        (by_other.status().as_u16(), error(json(by_other).await)),
        (400, "invalid_grant".into())
    );
    let wrong_verifier = redeem(
        &app,
        &code_form(&code, &"x".repeat(43)),
        Some(("portal", &secret)),
    )
    .await;
    assert_eq!(error(json(wrong_verifier).await), "invalid_grant");
    let mut no_verifier = code_form(&code, VERIFIER);
    no_verifier.pop();
    assert_eq!(
        error(json(redeem(&app, &no_verifier, Some(("portal", &secret))).await).await),
        "invalid_grant"
    );
    let mut other_uri = code_form(&code, VERIFIER);
    other_uri[2] = ("redirect_uri", "http://127.0.0.1:9/other");
    assert_eq!(
        error(json(redeem(&app, &other_uri, Some(("portal", &secret))).await).await),
        "invalid_grant"
    );
    let mut other_grant = code_form(&code, VERIFIER);
    other_grant[0] = ("grant_type", "password");
    assert_eq!(
        error(json(redeem(&app, &other_grant, Some(("portal", &secret))).await).await),
        "unsupported_grant_type"
    );
    let mut both = code_form(&code, VERIFIER);
    both.push(("client_secret", &secret));
    assert_eq!(
        error(json(redeem(&app, &both, Some(("portal", &secret))).await).await),
        "invalid_request"
    );
    // None of the refusals used the code up.
    assert_eq!(
        redeem(&app, &code_form(&code, VERIFIER), Some(("portal", &secret)))
            .await
            .status(),
        200
    );

    // An expired code.
    let code = code_for(&app, &browser, "portal").await;
    app.exec("UPDATE authorization_codes SET expires_at = expires_at - 61 WHERE used_at IS NULL")
        .await;
    assert_eq!(
        error(
            json(redeem(&app, &code_form(&code, VERIFIER), Some(("portal", &secret))).await).await
        ),
        "invalid_grant"
    );

    // A public client: no secret, and its code only with the verifier.
    let code = code_for(&app, &browser, "spa").await;
    let mut form = code_form(&code, VERIFIER);
    form.push(("client_id", "spa"));
    let with_secret = [form.clone(), vec![("client_secret", "guess")]].concat();
    assert_eq!(redeem(&app, &with_secret, None).await.status(), 401);
    assert_eq!(redeem(&app, &form, None).await.status(), 200);
    // ...and a public client's request without PKCE goes back as invalid_request.
    let no_pkce = request(
        "spa",
        &[("code_challenge", ""), ("code_challenge_method", "")],
    );
    let params = answer_params(&authorize(&app, &browser, &no_pkce).await);
    assert_eq!(params["error"], "invalid_request");
    // A userinfo call without a valid token.
    let refused = Client::new()
        .get(app.api("/oauth2/userinfo"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
}

async fn a_replayed_code_revokes_what_it_issued(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let secret = register(&app, "portal", false, None).await;
    let browser = signed_in(&app, "lee@ngo.example").await;
    let code = code_for(&app, &browser, "portal").await;
    let first =
        json(redeem(&app, &code_form(&code, VERIFIER), Some(("portal", &secret))).await).await;
    let access = first["access_token"].as_str().unwrap();
    let userinfo = || {
        Client::new()
            .get(app.api("/oauth2/userinfo"))
            .bearer_auth(access)
            .send()
    };
    assert_eq!(userinfo().await.unwrap().status(), 200);
    let replay = redeem(&app, &code_form(&code, VERIFIER), Some(("portal", &secret))).await;
    assert_eq!(json(replay).await["error"], "invalid_grant");
    assert_eq!(
        userinfo().await.unwrap().status(),
        401,
        "the replay revoked the access token"
    );
}

async fn unknown_clients_and_redirect_uris_get_a_page_never_a_redirect(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    register(&app, "portal", false, None).await;
    let browser = browser();
    let cases = [
        (request("nobody", &[]), "not registered"),
        (
            request("portal", &[("redirect_uri", "https://evil.example/cb")]),
            "not registered",
        ),
        (
            request(
                "portal",
                &[("redirect_uri", "http://127.0.0.1:9/callback/")],
            ),
            "not registered",
        ),
        (request("portal", &[("redirect_uri", "")]), "not registered"),
    ];
    for (params, words) in cases {
        let page = authorize(&app, &browser, &params).await;
        assert_eq!(page.status(), 400);
        assert!(page.headers().get("location").is_none());
        let html = page.text().await.unwrap();
        assert!(html.contains(words), "{html}");
    }
    // In the person's language.
    let page = browser
        .get(app.api("/oauth2/authorize"))
        .query(&request("nobody", &[("ui_locales", "fr-CA en")]))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(
        html.contains("lang=\"fr\"") && html.contains("n'est pas enregistrée"),
        "{html}"
    );
    let page = browser
        .get(app.api("/oauth2/authorize?client_id=nobody"))
        .header("accept-language", "ar;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(page.text().await.unwrap().contains("dir=\"rtl\""));
}

async fn errors_go_back_to_the_registered_redirect_uri(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    register(&app, "portal", false, None).await;
    let browser = browser();
    for (extra, error) in [
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (vec![("scope", "profile")], "invalid_scope"),
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("request", "eyJ")], "request_not_supported"),
        (vec![("prompt", "none login")], "invalid_request"),
        (vec![("max_age", "soon")], "invalid_request"),
    ] {
        let params = answer_params(&authorize(&app, &browser, &request("portal", &extra)).await);
        assert_eq!(params["error"], error, "{extra:?}");
        assert_eq!(params["state"], "st-1");
        assert_eq!(params["iss"], app.api(""));
    }
}

async fn prompt_none_and_prompt_login(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    register(&app, "portal", false, None).await;
    let anonymous = browser();
    let params = answer_params(
        &authorize(&app, &anonymous, &request("portal", &[("prompt", "none")])).await,
    );
    assert_eq!(params["error"], "login_required");
    let browser = signed_in(&app, "lee@ngo.example").await;
    let params =
        answer_params(&authorize(&app, &browser, &request("portal", &[("prompt", "none")])).await);
    assert!(params.contains_key("code"), "{params:?}");
    // prompt=login (and max_age=0): the session is not enough, even one signed in this very
    // second; the sign-in screen is the answer, and only a new sign-in continues.
    for extra in [("prompt", "login"), ("max_age", "0")] {
        let browser = browser_signed_in_again(&app).await;
        let to = location(&authorize(&app, &browser, &request("portal", &[extra])).await);
        assert!(
            to.starts_with(&format!("{}/", app.url)) && !to.contains("code="),
            "{extra:?}: {to}"
        );
        let continued = browser
            .get(app.api("/oauth2/authorize/continue"))
            .send()
            .await
            .unwrap();
        assert!(
            !location(&continued).contains("code="),
            "{extra:?}: the old session continued"
        );
        let signed_in = sign_in_with(&app, &browser, "lee@ngo.example").await;
        let next = json(signed_in).await["continue_url"]
            .as_str()
            .unwrap()
            .to_owned();
        let params = answer_params(&browser.get(&next).send().await.unwrap());
        assert!(params.contains_key("code"), "{extra:?}: {params:?}");
    }
    // A recent enough sign-in answers max_age at once.
    let params =
        answer_params(&authorize(&app, &browser, &request("portal", &[("max_age", "3600")])).await);
    assert!(params.contains_key("code"), "{params:?}");
}

async fn the_request_waits_for_the_sign_in_and_continues(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let secret = register(&app, "portal", false, None).await;
    app.signed_up("lee@ngo.example").await;
    let browser = browser();
    let params = request(
        "portal",
        &[("login_hint", "lee@ngo.example"), ("ui_locales", "es")],
    );
    let to = location(&authorize(&app, &browser, &params).await);
    assert_eq!(
        to,
        format!("{}/?lang=es&login_hint=lee%40ngo.example", app.url)
    );
    // Continuing before signing in goes back to the sign-in screen.
    let early = browser
        .get(app.api("/oauth2/authorize/continue"))
        .send()
        .await
        .unwrap();
    assert!(location(&early).starts_with(&format!("{}/", app.url)));
    let answer = sign_in_with(&app, &browser, "lee@ngo.example").await;
    let next = json(answer).await["continue_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(next, app.api("/oauth2/authorize/continue"));
    let back = browser.get(&next).send().await.unwrap();
    let params = answer_params(&back);
    assert_eq!(params["state"], "st-1");
    let issued = redeem(
        &app,
        &code_form(&params["code"], VERIFIER),
        Some(("portal", &secret)),
    )
    .await;
    assert_eq!(issued.status(), 200);
    // The request is answered once; another browser cannot continue it.
    let again = browser.get(&next).send().await.unwrap();
    assert_eq!(again.status(), 400);
    assert_eq!(Client::new().get(&next).send().await.unwrap().status(), 400);
}

async fn waiting_requests_are_capped_per_client_address(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.authorization_requests_per_client_hour = 2).await;
    register(&app, "portal", false, None).await;
    for _ in 0..2 {
        let to = location(&authorize(&app, &browser(), &request("portal", &[])).await);
        assert!(to.starts_with(&format!("{}/", app.url)), "{to}");
    }
    let params = answer_params(&authorize(&app, &browser(), &request("portal", &[])).await);
    assert_eq!(params["error"], "temporarily_unavailable");
    assert_eq!(params["state"], "st-1");
    // A signed-in browser keeps getting codes: it leaves nothing waiting.
    let signed_in = signed_in(&app, "lee@ngo.example").await;
    let params = answer_params(&authorize(&app, &signed_in, &request("portal", &[])).await);
    assert!(params.contains_key("code"), "{params:?}");
}

async fn a_sign_in_with_nothing_pending_goes_to_the_one_initiate_login_uri(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("lee@ngo.example").await;
    let sign_in = || app.sign_in("lee@ngo.example", PASSPHRASE);
    assert!(json(sign_in().await).await.get("continue_url").is_none());
    let add = |id: &str, uri: &str| Registration {
        id: id.into(),
        redirect_uris: vec![REDIRECT.into()],
        initiate_login_uri: Some(uri.into()),
        ..Default::default()
    };
    clients::add(
        &app.state.db,
        &add("portal", "https://portal.example/start-login/?next=%2F"),
    )
    .await
    .unwrap();
    let next = json(sign_in().await).await["continue_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let iss: String = url::form_urlencoded::byte_serialize(app.api("").as_bytes()).collect();
    assert_eq!(
        next,
        format!("https://portal.example/start-login/?next=%2F&iss={iss}")
    );
    // Two clients that could start a login: nobody is sent to either.
    clients::add(&app.state.db, &add("other", "https://other.example/login"))
        .await
        .unwrap();
    assert!(json(sign_in().await).await.get("continue_url").is_none());
}

async fn a_rotated_secret_and_a_removed_client_stop_working_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let old = register(&app, "portal", false, None).await;
    let browser = signed_in(&app, "lee@ngo.example").await;
    let new = clients::rotate_secret(&app.state.db, "portal")
        .await
        .unwrap();
    assert_ne!(new, old);
    let code = code_for(&app, &browser, "portal").await;
    let refused = redeem(&app, &code_form(&code, VERIFIER), Some(("portal", &old))).await;
    assert_eq!(refused.status(), 401, "the old secret");
    let issued = redeem(&app, &code_form(&code, VERIFIER), Some(("portal", &new))).await;
    assert_eq!(issued.status(), 200, "the new secret");
    // The list names the client, never a secret.
    let listed = clients::list(&app.state.db).await.unwrap();
    assert_eq!(
        listed.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["portal"]
    );
    assert!(listed
        .iter()
        .all(|c| c.secret_hash.as_deref() != Some(new.as_str())));
    // A public client has no secret to rotate; a removed client is unknown at once.
    register(&app, "spa", true, None).await;
    assert!(clients::rotate_secret(&app.state.db, "spa").await.is_err());
    clients::remove(&app.state.db, "portal").await.unwrap();
    let page = authorize(&app, &browser, &request("portal", &[])).await;
    assert_eq!(page.status(), 400);
    assert!(clients::remove(&app.state.db, "portal").await.is_err());
    assert!(
        clients::add(
            &app.state.db,
            &Registration {
                id: "spa".into(),
                redirect_uris: vec![REDIRECT.into()],
                ..Default::default()
            }
        )
        .await
        .is_err(),
        "an id is registered once"
    );
}

async fn rotated_keys_sign_new_tokens_and_old_ones_verify_until_retired(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let secret = register(&app, "portal", false, None).await;
    let browser = signed_in(&app, "lee@ngo.example").await;
    let token = |code: String| {
        let app = &app;
        let secret = secret.clone();
        async move {
            let issued =
                json(redeem(app, &code_form(&code, VERIFIER), Some(("portal", &secret))).await)
                    .await;
            issued["id_token"].as_str().unwrap().to_owned()
        }
    };
    let old = token(code_for(&app, &browser, "portal").await).await;
    let (old_header, _) = verified(&app, &old).await;
    let (new_kid, _) = partner_login_server::domain::signing_keys::rotate(&app.state.db)
        .await
        .unwrap();
    let new = token(code_for(&app, &browser, "portal").await).await;
    let (new_header, _) = verified(&app, &new).await;
    assert_eq!(new_header["kid"], new_kid.as_str());
    assert_ne!(new_header["kid"], old_header["kid"]);
    verified(&app, &old).await; // still published
                                // Past the retention, the old key is no longer published, and the next rotation deletes it.
    app.exec("UPDATE signing_keys SET superseded_at = superseded_at - 3601 WHERE superseded_at IS NOT NULL").await;
    let jwks = json(app.get("/oauth2/jwks").await).await;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, [new_kid.as_str()]);
    let (_, retired) = partner_login_server::domain::signing_keys::rotate(&app.state.db)
        .await
        .unwrap();
    assert_eq!(retired, 1);
}

async fn rp_initiated_logout(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let secret = register(&app, "portal", false, None).await;
    let browser = signed_in(&app, "lee@ngo.example").await;
    let code = code_for(&app, &browser, "portal").await;
    let issued =
        json(redeem(&app, &code_form(&code, VERIFIER), Some(("portal", &secret))).await).await;
    let id_token = issued["id_token"].as_str().unwrap();
    let logout = |params: Vec<(&'static str, String)>| {
        browser.get(app.api("/oauth2/logout")).query(&params).send()
    };
    // An unregistered uri: a page, and the session lives on.
    let refused = logout(vec![
        ("id_token_hint", id_token.into()),
        ("post_logout_redirect_uri", "https://evil.example/".into()),
    ])
    .await
    .unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(app.get_as(&browser, "/session").await.status(), 200);
    // A forged hint: refused too.
    let forged = format!("{}x", &id_token[..id_token.len() - 1]);
    let refused = logout(vec![
        ("id_token_hint", forged),
        ("post_logout_redirect_uri", AFTER_LOGOUT.into()),
    ])
    .await
    .unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(app.get_as(&browser, "/session").await.status(), 200);
    // The hint and the registered uri: signed out, back with state.
    let done = logout(vec![
        ("id_token_hint", id_token.into()),
        ("post_logout_redirect_uri", AFTER_LOGOUT.into()),
        ("state", "bye-1".into()),
    ])
    .await
    .unwrap();
    assert_eq!(location(&done), format!("{AFTER_LOGOUT}?state=bye-1"));
    assert_eq!(app.get_as(&browser, "/session").await.status(), 401);
    // Only the uri (what the portal sends today), matching exactly one client: honoured.
    let browser2 = browser_signed_in_again(&app).await;
    let done = browser2
        .get(app.api("/oauth2/logout"))
        .query(&[("post_logout_redirect_uri", AFTER_LOGOUT)])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&done), AFTER_LOGOUT);
    assert_eq!(app.get_as(&browser2, "/session").await.status(), 401);
}

async fn browser_signed_in_again(app: &TestApp) -> Client {
    let browser = browser();
    let answer = sign_in_with(app, &browser, "lee@ngo.example").await;
    assert_eq!(answer.status(), 200);
    browser
}

async fn back_channel_logout_tells_the_clients_of_the_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // The client's back-channel logout endpoint: a real HTTP server that keeps what it gets.
    let (sent, mut received) = tokio::sync::mpsc::unbounded_channel::<String>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/backchannel", listener.local_addr().unwrap());
    let receiver = axum::Router::new().route(
        "/backchannel",
        axum::routing::post(
            move |axum::Form(form): axum::Form<HashMap<String, String>>| {
                let sent = sent.clone();
                async move {
                    let _ = sent.send(form.get("logout_token").cloned().unwrap_or_default());
                    axum::http::StatusCode::OK
                }
            },
        ),
    );
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });
    let secret = register(&app, "portal", false, Some(endpoint)).await;
    register(&app, "bystander", false, None).await;
    let browser = signed_in(&app, "lee@ngo.example").await;
    let code = code_for(&app, &browser, "portal").await;
    let issued =
        json(redeem(&app, &code_form(&code, VERIFIER), Some(("portal", &secret))).await).await;
    let (_, id_claims) = verified(&app, issued["id_token"].as_str().unwrap()).await;

    assert_eq!(
        app.delete_as(&browser, "/session").await.status(),
        204,
        "Sign out in our SPA"
    );
    let token = tokio::time::timeout(std::time::Duration::from_secs(10), received.recv())
        .await
        .expect("a logout token within 10 s")
        .unwrap();
    let (header, claims) = verified(&app, &token).await;
    assert_eq!(header["typ"], "logout+jwt");
    assert_eq!(claims["iss"], app.api("").as_str());
    assert_eq!(claims["aud"], "portal");
    assert_eq!(claims["sub"], id_claims["sub"]);
    assert_eq!(claims["sid"], id_claims["sid"]);
    assert!(claims["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
    assert!(claims.get("nonce").is_none());
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
}

/// Issue 19: disabling an account (admin API) tells the relying parties of its sessions
/// (back-channel logout), its live session answers no authorization request any more, a code
/// issued before cannot be redeemed and an access token issued before opens no userinfo.
async fn a_disabled_account_gets_nothing_more_from_the_provider(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (sent, mut received) = tokio::sync::mpsc::unbounded_channel::<String>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/backchannel", listener.local_addr().unwrap());
    let receiver = axum::Router::new().route(
        "/backchannel",
        axum::routing::post(
            move |axum::Form(form): axum::Form<HashMap<String, String>>| {
                let sent = sent.clone();
                async move {
                    let _ = sent.send(form.get("logout_token").cloned().unwrap_or_default());
                    axum::http::StatusCode::OK
                }
            },
        ),
    );
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });
    let secret = register(&app, "portal", false, Some(endpoint)).await;
    let browser = signed_in(&app, "lee@ngo.example").await;
    let code = code_for(&app, &browser, "portal").await;
    let issued =
        json(redeem(&app, &code_form(&code, VERIFIER), Some(("portal", &secret))).await).await;
    let access = issued["access_token"].as_str().unwrap().to_owned();
    let (_, id_claims) = verified(&app, issued["id_token"].as_str().unwrap()).await;
    let unredeemed = code_for(&app, &browser, "portal").await;

    let disabled = Client::new()
        .post(app.api("/admin/accounts/lee@ngo.example/disable"))
        .bearer_auth(crate::helpers::ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), 200);
    let token = tokio::time::timeout(std::time::Duration::from_secs(10), received.recv())
        .await
        .expect("a logout token within 10 s")
        .unwrap();
    let (_, claims) = verified(&app, &token).await;
    assert_eq!(claims["sub"], id_claims["sub"]);
    assert_eq!(claims["sid"], id_claims["sid"]);

    // The session answers nothing: the request goes to the sign-in screen.
    let to = location(&authorize(&app, &browser, &request("portal", &[])).await);
    assert!(
        to.starts_with(&format!("{}/", app.url)) && !to.contains("code="),
        "{to}"
    );
    let late = redeem(
        &app,
        &code_form(&unredeemed, VERIFIER),
        Some(("portal", &secret)),
    )
    .await;
    assert_eq!(late.status(), 400);
    assert_eq!(json(late).await["error"], "invalid_grant");
    let userinfo = Client::new()
        .get(app.api("/oauth2/userinfo"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), 401);
}

on_both_databases!(under_a_required_policy_no_code_is_issued_to_one_factor);
/// `MFA_POLICY=required` (OWASP ASVS 5.0 V6.3.3; NIST SP 800-63B-4 AAL2): a password alone
/// makes an enrolment-only session, to which the provider issues no code: the request waits
/// for a sign-in with two factors (here a recovery code, made in the enrolment-only session),
/// then continues into the portal with `acr` aal2.
async fn under_a_required_policy_no_code_is_issued_to_one_factor(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.mfa_policy = partner_login_server::config::MfaPolicy::Required;
    })
    .await;
    let secret = register(&app, "portal", false, None).await;
    let email = "lee@ngo.example";
    app.signed_up(email).await;
    let browser = browser();
    let params = request("portal", &[]);
    let to = location(&authorize(&app, &browser, &params).await);
    assert!(to.starts_with(&format!("{}/", app.url)), "{to}");
    let answer = sign_in_with(&app, &browser, email).await;
    assert_eq!(
        answer.status(),
        200,
        "no factor yet: an enrolment-only session"
    );
    let view = json(answer).await;
    assert_eq!(view["factor_required"], true);
    // Signed in on one factor: still no code, the request still waits (not taken).
    let next = app.api("/oauth2/authorize/continue");
    let early = browser.get(&next).send().await.unwrap();
    assert!(
        location(&early).starts_with(&format!("{}/", app.url)),
        "to the sign-in"
    );
    let again = location(&authorize(&app, &browser, &params).await);
    assert!(again.starts_with(&format!("{}/", app.url)), "{again}");
    let none = request("portal", &[("prompt", "none")]);
    assert_eq!(
        answer_params(&authorize(&app, &browser, &none).await)["error"],
        "login_required"
    );
    // Enrolment: recovery codes.
    let made = app.post_as(&browser, "/recovery-codes", json!({})).await;
    assert_eq!(made.status(), 200);
    let made = json(made).await;
    let code = made["codes"][0].as_str().unwrap().to_owned();
    // One factor bootstraps the first factor, never more (NIST SP 800-63B-4 §4.1.2): the same
    // enrolment-only session may not replace the codes, nor add an app.
    let again = app.post_as(&browser, "/recovery-codes", json!({})).await;
    assert_eq!(again.status(), 403);
    let app_added = app.post_as(&browser, "/authenticator-app", json!({})).await;
    assert_eq!(app_added.status(), 403);
    // Two factors: the password, then a recovery code.
    let answer = sign_in_with(&app, &browser, email).await;
    assert_eq!(answer.status(), 401);
    assert_eq!(json(answer).await["code"], "second_factor_required");
    let finished = app
        .post_as(
            &browser,
            "/session/second-factor",
            json!({"recovery_code": code}),
        )
        .await;
    assert_eq!(finished.status(), 200);
    let finished = json(finished).await;
    assert_eq!(finished["aal"], "aal2");
    assert_eq!(finished["factor_required"], false);
    assert_eq!(finished["continue_url"], next.as_str());
    let back = browser.get(&next).send().await.unwrap();
    let answer = answer_params(&back);
    let issued = redeem(
        &app,
        &code_form(&answer["code"], VERIFIER),
        Some(("portal", &secret)),
    )
    .await;
    assert_eq!(issued.status(), 200);
    let issued = json(issued).await;
    let claims = verified(&app, issued["id_token"].as_str().unwrap()).await.1;
    assert_eq!(claims["acr"], "http://idmanagement.gov/ns/assurance/aal/2");
}
