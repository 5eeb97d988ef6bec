//! Passkeys (issue 20, server side): added to a signed-in account, used to sign in with no
//! email, listed, renamed and removed; user verification required; ceremonies single-use,
//! bound to their account and short-lived; garbage bodies refused with 4xx.
//!
//! The authenticator is [`Authenticator`] below: a P-256 key that answers the server's options
//! exactly as a browser's `PublicKeyCredential.toJSON()` does (clientDataJSON, authenticator
//! data, a "none" attestation in CBOR, an ECDSA signature), checked by the real webauthn-rs.
//! webauthn-authenticator-rs's `SoftPasskey` cannot stand in: it refuses discoverable
//! credentials and user verification, and sends no user handle.

use crate::helpers::*;
use crate::on_both_databases;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use reqwest::Client;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap()
}

/// CBOR's head of a byte or text string of `len` bytes (`major` 2 or 3).
fn cbor_head(major: u8, len: usize, out: &mut Vec<u8>) {
    let major = major << 5;
    match len {
        0..=23 => out.push(major | len as u8),
        24..=255 => out.extend([major | 24, len as u8]),
        _ => {
            out.push(major | 25);
            out.extend((len as u16).to_be_bytes());
        }
    }
}

fn cbor_text(text: &str, out: &mut Vec<u8>) {
    cbor_head(3, text.len(), out);
    out.extend(text.as_bytes());
}

fn cbor_bytes(bytes: &[u8], out: &mut Vec<u8>) {
    cbor_head(2, bytes.len(), out);
    out.extend(bytes);
}

/// A software passkey: one discoverable credential, held for one relying party.
struct Authenticator {
    key: SigningKey,
    credential_id: Vec<u8>,
    user_handle: Vec<u8>,
    counter: u32,
    /// Whether it verifies its user (biometrics, PIN); when false the UV flag is not set.
    verifies_user: bool,
    origin: String,
}

const UP: u8 = 0x01;
const UV: u8 = 0x04;
const BE: u8 = 0x08;
const BS: u8 = 0x10;
const AT: u8 = 0x40;

impl Authenticator {
    fn new(origin: &str) -> Self {
        let secret: [u8; 32] = rand::random();
        let credential_id: [u8; 32] = rand::random();
        Self {
            key: SigningKey::from_slice(&secret).unwrap(),
            credential_id: credential_id.to_vec(),
            user_handle: Vec::new(),
            counter: 0,
            verifies_user: true,
            origin: origin.to_owned(),
        }
    }

    fn flags(&self) -> u8 {
        // A synced passkey: backup eligible and backed up.
        UP | BE | BS | if self.verifies_user { UV } else { 0 }
    }

    fn client_data(&self, kind: &str, challenge: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": false
        }))
        .unwrap()
    }

    /// `navigator.credentials.create(options)` then `toJSON()`.
    fn create(&mut self, options: &Value) -> Value {
        let public_key = &options["publicKey"];
        let rp_id = public_key["rp"]["id"].as_str().unwrap();
        self.user_handle = unb64(public_key["user"]["id"].as_str().unwrap());
        let client_data =
            self.client_data("webauthn.create", public_key["challenge"].as_str().unwrap());
        let point = self.key.verifying_key().to_sec1_point(false);
        let point = point.as_bytes();
        let (x, y) = (&point[1..33], &point[33..65]);
        // COSE_Key: {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}.
        let mut cose = vec![0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21];
        cbor_bytes(x, &mut cose);
        cose.push(0x22);
        cbor_bytes(y, &mut cose);
        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(self.flags() | AT);
        auth_data.extend(self.counter.to_be_bytes());
        auth_data.extend([0u8; 16]); // AAGUID
        auth_data.extend((self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend(&self.credential_id);
        auth_data.extend(&cose);
        let mut attestation = vec![0xa3];
        cbor_text("fmt", &mut attestation);
        cbor_text("none", &mut attestation);
        cbor_text("attStmt", &mut attestation);
        attestation.push(0xa0);
        cbor_text("authData", &mut attestation);
        cbor_bytes(&auth_data, &mut attestation);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "attestationObject": b64(&attestation),
                "clientDataJSON": b64(&client_data),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        })
    }

    /// `navigator.credentials.get(options)` then `toJSON()`: no credential list is needed, the
    /// authenticator holds a discoverable credential for the relying party.
    fn get(&mut self, options: &Value) -> Value {
        let public_key = &options["publicKey"];
        let rp_id = public_key["rpId"].as_str().unwrap();
        let client_data =
            self.client_data("webauthn.get", public_key["challenge"].as_str().unwrap());
        self.counter += 1;
        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(self.flags());
        auth_data.extend(self.counter.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend(Sha256::digest(&client_data));
        let signature: Signature = self.key.sign(&signed);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(signature.to_der().as_bytes()),
                "userHandle": b64(&self.user_handle),
            },
            "clientExtensionResults": {},
        })
    }
}

/// The app with `PUBLIC_URL` on `localhost` (WebAuthn refuses IP addresses).
async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.public_url = Some(format!("http://localhost:{}", c.listen_addr.port()));
    })
    .await
}

fn origin(app: &TestApp) -> String {
    app.url.replace("127.0.0.1", "localhost")
}

/// Signs `email` up and leaves it signed in on `app.client`.
async fn signed_in(app: &TestApp, email: &str) {
    app.signed_up(email).await;
    assert_eq!(app.sign_in(email, PASSPHRASE).await.status(), 200);
}

async fn begin_registration(app: &TestApp, client: &Client) -> Value {
    let begun = app
        .post_as(client, "/passkeys/registration", json!({}))
        .await;
    assert_eq!(begun.status(), 200);
    begun.json().await.unwrap()
}

/// Adds a passkey held by `authenticator` to the account signed in on `client`.
async fn add(
    app: &TestApp,
    client: &Client,
    authenticator: &mut Authenticator,
    name: &str,
) -> Value {
    let begun = begin_registration(app, client).await;
    let credential = authenticator.create(&begun["options"]);
    let finished = app
        .post_as(
            client,
            "/passkeys/registration/finish",
            json!({"ceremony": begun["ceremony"], "name": name, "credential": credential}),
        )
        .await;
    assert_eq!(finished.status(), 200);
    finished.json().await.unwrap()
}

/// A sign-in with the passkey in a fresh browser; returns the finish answer and the browser.
async fn sign_in_with(
    app: &TestApp,
    authenticator: &mut Authenticator,
) -> (reqwest::Response, Client) {
    sign_in_in(app, TestApp::new_client(), authenticator).await
}

/// A sign-in with the passkey in `browser`; returns the finish answer and the browser.
async fn sign_in_in(
    app: &TestApp,
    browser: Client,
    authenticator: &mut Authenticator,
) -> (reqwest::Response, Client) {
    let begun = app.post_as(&browser, "/passkeys/sign-in", json!({})).await;
    assert_eq!(begun.status(), 200);
    let begun: Value = begun.json().await.unwrap();
    let credential = authenticator.get(&begun["options"]);
    let finished = app
        .post_as(
            &browser,
            "/passkeys/sign-in/finish",
            json!({"ceremony": begun["ceremony"], "credential": credential}),
        )
        .await;
    (finished, browser)
}

on_both_databases!(
    a_passkey_is_added_then_signs_in_with_no_email,
    passkeys_are_listed_renamed_and_removed,
    user_verification_is_required,
    ceremonies_are_single_use_bound_to_their_account_and_expire,
    adding_or_removing_needs_a_recent_sign_in,
    garbage_bodies_are_refused_with_4xx,
    a_ceremony_finished_twice_at_once_signs_in_once_and_a_cloned_counter_is_refused,
    a_credential_registered_already_and_a_twenty_first_passkey_are_refused,
    a_passkey_session_is_aal2_in_its_view_its_list_and_its_id_tokens,
    removing_a_passkey_ends_the_other_sessions_it_made,
    an_administrator_resets_the_factors_of_a_person_who_lost_them,
    under_a_required_policy_one_factor_only_enrols_and_passkeys_finish_the_second_step,
);

async fn a_passkey_is_added_then_signs_in_with_no_email(backend: Backend) {
    let app = spawn(backend).await;
    let email = "amina@example.org";
    signed_in(&app, email).await;
    let begun = begin_registration(&app, &app.client).await;
    // Discoverable, user verification required (NIST SP 800-63B-4 §3.1.7; autofill needs a discoverable
    // credential).
    let selection = &begun["options"]["publicKey"]["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required");
    assert_eq!(selection["userVerification"], "required");
    assert_eq!(begun["options"]["publicKey"]["rp"]["id"], "localhost");
    // ASVS 5.0 V6.7.2: a challenge of at least 64 bits, from the CSPRNG (two differ).
    let challenge = begun["options"]["publicKey"]["challenge"].as_str().unwrap();
    assert!(unb64(challenge).len() >= 8);
    let next = begin_registration(&app, &app.client).await;
    assert_ne!(
        next["options"]["publicKey"]["challenge"].as_str().unwrap(),
        challenge
    );
    let mut passkey = Authenticator::new(&origin(&app));
    let credential = passkey.create(&begun["options"]);
    let finished = app
        .post(
            "/passkeys/registration/finish",
            json!({"ceremony": begun["ceremony"], "name": "Work laptop", "credential": credential}),
        )
        .await;
    assert_eq!(finished.status(), 200);
    let view: Value = finished.json().await.unwrap();
    assert_eq!(view["name"], "Work laptop");
    assert_eq!(view["synced"], true);
    assert!(view.get("last_used_at").is_none());
    // ASVS 5.0 V6.3.7: the owner is told (mail 1 was the sign-up code).
    let notice = app.nth_mail(email, 2).await;
    assert!(
        notice.subject.contains("passkey was added"),
        "{}",
        notice.subject
    );
    assert!(notice.text.contains("Work laptop"));

    // A new browser, no email: the passkey alone signs in, with a new session.
    let (signed, browser) = sign_in_with(&app, &mut passkey).await;
    assert_eq!(signed.status(), 200);
    assert!(session_cookie(&signed).is_some());
    let view: Value = signed.json().await.unwrap();
    assert_eq!(view["email"], email);
    let who = app.get_as(&browser, "/session").await;
    assert_eq!(who.status(), 200);
    let list: Value = app
        .get_as(&browser, "/passkeys")
        .await
        .json()
        .await
        .unwrap();
    assert!(list[0]["last_used_at"].as_i64().is_some(), "{list}");
    // No mail for a sign-in.
    assert_eq!(app.mail.messages().await.len(), 2);
    // The session says how it was made (its `amr` feeds ID tokens).
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions WHERE amr = 'pop mfa'")
            .await,
        1
    );
}

async fn passkeys_are_listed_renamed_and_removed(backend: Backend) {
    let app = spawn(backend).await;
    let email = "amina@example.org";
    app.signed_up("bob@example.org").await;
    signed_in(&app, email).await;
    let mut laptop = Authenticator::new(&origin(&app));
    let mut phone = Authenticator::new(&origin(&app));
    let first = add(&app, &app.client, &mut laptop, "Laptop").await;
    // A second passkey: the first is excluded (the authenticator holding it would refuse)
    // and the same user handle is kept.
    let begun = begin_registration(&app, &app.client).await;
    let excluded = &begun["options"]["publicKey"]["excludeCredentials"];
    assert_eq!(excluded[0]["id"], b64(&laptop.credential_id));
    let credential = phone.create(&begun["options"]);
    assert_eq!(phone.user_handle, laptop.user_handle);
    let second = app
        .post(
            "/passkeys/registration/finish",
            json!({"ceremony": begun["ceremony"], "credential": credential}),
        )
        .await;
    assert_eq!(second.status(), 200);
    let second: Value = second.json().await.unwrap();
    assert_eq!(second["name"], "Passkey");

    let list: Value = app.get("/passkeys").await.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let phone_id = second["id"].as_str().unwrap();
    let renamed = app
        .client
        .patch(app.api(&format!("/passkeys/{phone_id}")))
        .header("x-requested-with", "partner-login")
        .json(&json!({"name": "  Phone  "}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), 204);
    let list: Value = app.get("/passkeys").await.json().await.unwrap();
    let names: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    assert!(names.contains(&(phone_id, "Phone")), "{list}");
    for (name, code) in [
        ("", "required"),
        (&"x".repeat(65)[..], "too_long"),
        ("<b>", "invalid_characters"),
    ] {
        let refused = app
            .client
            .patch(app.api(&format!("/passkeys/{phone_id}")))
            .header("x-requested-with", "partner-login")
            .json(&json!({"name": name}))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 422);
        let problem = problem(refused).await;
        assert_eq!(problem["errors"][0]["field"], "passkey_name");
        assert_eq!(problem["errors"][0]["code"], code);
    }

    // Another account sees none of them and can remove none.
    let other = TestApp::new_client();
    assert_eq!(
        app.post_as(
            &other,
            "/session",
            json!({"email": "bob@example.org", "password": PASSPHRASE})
        )
        .await
        .status(),
        200
    );
    let theirs: Value = app.get_as(&other, "/passkeys").await.json().await.unwrap();
    assert_eq!(theirs, json!([]));
    let first_id = first["id"].as_str().unwrap();
    let path = format!("/passkeys/{first_id}");
    assert_eq!(app.delete_as(&other, &path).await.status(), 404);

    // Removed: the owner is told, and it signs in no more; the other still does.
    assert_eq!(app.delete(&path).await.status(), 204);
    let notice = app.nth_mail(email, 4).await;
    assert!(
        notice.subject.contains("passkey was removed"),
        "{}",
        notice.subject
    );
    assert!(notice.text.contains("Laptop"));
    let (refused, _) = sign_in_with(&app, &mut laptop).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(problem(refused).await["code"], "invalid_credentials");
    let (signed, _) = sign_in_with(&app, &mut phone).await;
    assert_eq!(signed.status(), 200);
    assert_eq!(app.delete(&path).await.status(), 404);
}

async fn user_verification_is_required(backend: Backend) {
    let app = spawn(backend).await;
    signed_in(&app, "amina@example.org").await;
    // NIST SP 800-63B-4 §3.1.7: an authenticator that does not verify its user is refused at
    // registration...
    let mut unverified = Authenticator::new(&origin(&app));
    unverified.verifies_user = false;
    let begun = begin_registration(&app, &app.client).await;
    let credential = unverified.create(&begun["options"]);
    let refused = app
        .post(
            "/passkeys/registration/finish",
            json!({"ceremony": begun["ceremony"], "credential": credential}),
        )
        .await;
    assert_eq!(refused.status(), 400);
    assert_eq!(problem(refused).await["code"], "passkey_refused");
    assert_eq!(app.count("SELECT COUNT(*) FROM passkeys").await, 0);
    // ...and at sign-in, when a registered passkey answers without verifying.
    let mut passkey = Authenticator::new(&origin(&app));
    add(&app, &app.client, &mut passkey, "Laptop").await;
    passkey.verifies_user = false;
    let (refused, _) = sign_in_with(&app, &mut passkey).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(problem(refused).await["code"], "invalid_credentials");
    // A signature by another key over the same data, and an assertion for another origin
    // (phishing: NIST SP 800-63B-4 §3.2.5), are refused too.
    passkey.verifies_user = true;
    let mut impostor = Authenticator::new(&origin(&app));
    impostor.credential_id = passkey.credential_id.clone();
    impostor.user_handle = passkey.user_handle.clone();
    let (refused, _) = sign_in_with(&app, &mut impostor).await;
    assert_eq!(refused.status(), 401);
    passkey.origin = "http://localhost.evil.example".into();
    let (refused, _) = sign_in_with(&app, &mut passkey).await;
    assert_eq!(refused.status(), 401);
    passkey.origin = origin(&app);
    let (signed, _) = sign_in_with(&app, &mut passkey).await;
    assert_eq!(signed.status(), 200);
}

async fn ceremonies_are_single_use_bound_to_their_account_and_expire(backend: Backend) {
    let app = spawn(backend).await;
    app.signed_up("bob@example.org").await;
    signed_in(&app, "amina@example.org").await;
    let mut passkey = Authenticator::new(&origin(&app));
    add(&app, &app.client, &mut passkey, "Laptop").await;

    // A sign-in replayed: the ceremony was used (the same assertion, then a fresh one).
    let browser = TestApp::new_client();
    let begun: Value = app
        .post_as(&browser, "/passkeys/sign-in", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let credential = passkey.get(&begun["options"]);
    let body = json!({"ceremony": begun["ceremony"], "credential": credential});
    let first = app
        .post_as(&browser, "/passkeys/sign-in/finish", body.clone())
        .await;
    assert_eq!(first.status(), 200);
    let again = app
        .post_as(&browser, "/passkeys/sign-in/finish", body)
        .await;
    assert_eq!(again.status(), 404);
    assert_eq!(problem(again).await["code"], "flow_not_found");

    // Expired.
    let begun: Value = app
        .post_as(&browser, "/passkeys/sign-in", json!({}))
        .await
        .json()
        .await
        .unwrap();
    app.exec("UPDATE webauthn_ceremonies SET expires_at = 0")
        .await;
    let credential = passkey.get(&begun["options"]);
    let late = app
        .post_as(
            &browser,
            "/passkeys/sign-in/finish",
            json!({"ceremony": begun["ceremony"], "credential": credential}),
        )
        .await;
    assert_eq!(late.status(), 410);
    assert_eq!(problem(late).await["code"], "flow_expired");

    // A registration begun by one account cannot be finished by another.
    let begun = begin_registration(&app, &app.client).await;
    let other = TestApp::new_client();
    app.post_as(
        &other,
        "/session",
        json!({"email": "bob@example.org", "password": PASSPHRASE}),
    )
    .await;
    let mut bobs = Authenticator::new(&origin(&app));
    let credential = bobs.create(&begun["options"]);
    let stolen = app
        .post_as(
            &other,
            "/passkeys/registration/finish",
            json!({"ceremony": begun["ceremony"], "credential": credential}),
        )
        .await;
    assert_eq!(stolen.status(), 404);
    assert_eq!(problem(stolen).await["code"], "flow_not_found");
    // Nor a sign-in ceremony used as a registration.
    let begun: Value = app
        .post_as(&other, "/passkeys/sign-in", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let wrong_kind = app
        .post_as(
            &other,
            "/passkeys/registration/finish",
            json!({"ceremony": begun["ceremony"], "credential": credential}),
        )
        .await;
    assert_eq!(wrong_kind.status(), 404);
    assert_eq!(app.count("SELECT COUNT(*) FROM passkeys").await, 1);
}

async fn adding_or_removing_needs_a_recent_sign_in(backend: Backend) {
    let app = spawn(backend).await;
    signed_in(&app, "amina@example.org").await;
    let mut passkey = Authenticator::new(&origin(&app));
    let added = add(&app, &app.client, &mut passkey, "Laptop").await;
    // Signed in 6 minutes ago: the session is live, but too old to change the ways in.
    app.exec("UPDATE sessions SET created_at = created_at - 360")
        .await;
    assert_eq!(app.get("/session").await.status(), 200);
    // Its own code: the screens say "sign in again", not "you are signed out" (ASVS 5.0
    // V7.5.1).
    let begun = app.post("/passkeys/registration", json!({})).await;
    assert_eq!(begun.status(), 401);
    assert_eq!(problem(begun).await["code"], "reauthentication_required");
    let path = format!("/passkeys/{}", added["id"].as_str().unwrap());
    let refused = app.delete(&path).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(problem(refused).await["code"], "reauthentication_required");
    // Listing and renaming need no fresh sign-in.
    assert_eq!(app.get("/passkeys").await.status(), 200);
    // Not signed in at all.
    let stranger = TestApp::new_client();
    let refused = app
        .post_as(&stranger, "/passkeys/registration", json!({}))
        .await;
    assert_eq!(refused.status(), 401);
    assert_eq!(problem(refused).await["code"], "unauthenticated");
    assert_eq!(app.get_as(&stranger, "/passkeys").await.status(), 401);
    // Signing in again (here with the passkey) opens the window again.
    let (signed, browser) = sign_in_with(&app, &mut passkey).await;
    assert_eq!(signed.status(), 200);
    assert_eq!(app.delete_as(&browser, &path).await.status(), 204);

    // An account deleted by an administrator takes its passkeys and ceremonies with it (the
    // foreign keys would refuse the delete otherwise).
    add(
        &app,
        &browser,
        &mut Authenticator::new(&origin(&app)),
        "Phone",
    )
    .await;
    begin_registration(&app, &browser).await;
    let deleted = Client::new()
        .delete(app.api("/admin/accounts/amina@example.org"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    assert_eq!(app.count("SELECT COUNT(*) FROM passkeys").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM webauthn_ceremonies WHERE account_id IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM authenticator_apps").await,
        0,
        "the app is gone"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM recovery_codes").await,
        0,
        "the recovery codes are gone"
    );
}

async fn garbage_bodies_are_refused_with_4xx(backend: Backend) {
    let app = spawn(backend).await;
    signed_in(&app, "amina@example.org").await;
    let begun = begin_registration(&app, &app.client).await;
    let ceremony = begun["ceremony"].clone();
    let mut passkey = Authenticator::new(&origin(&app));
    let good = passkey.create(&begun["options"]);
    let mut bad_cbor = good.clone();
    bad_cbor["response"]["attestationObject"] = json!(b64(b"\xff\x00garbage"));
    for body in [
        json!({}),
        json!({"ceremony": ceremony}),
        json!({"ceremony": ceremony, "credential": "x"}),
        json!({"ceremony": ceremony, "credential": {"id": 1}}),
        json!({"ceremony": 7, "credential": good}),
        json!({"ceremony": ceremony, "credential": {"id": "a", "rawId": "!!", "type": "public-key",
            "response": {"attestationObject": "", "clientDataJSON": ""}}}),
    ] {
        let refused = app
            .post("/passkeys/registration/finish", body.clone())
            .await;
        let status = refused.status().as_u16();
        assert!(matches!(status, 400 | 422), "{status} for {body}");
        problem(refused).await;
    }
    // Well-formed JSON, garbage inside: refused by the checks, 400 (and the ceremony is used).
    let refused = app
        .post(
            "/passkeys/registration/finish",
            json!({"ceremony": ceremony, "credential": bad_cbor}),
        )
        .await;
    assert_eq!(refused.status(), 400);
    assert_eq!(problem(refused).await["code"], "passkey_refused");
    let not_json = app
        .client
        .post(app.api("/passkeys/sign-in/finish"))
        .header("x-requested-with", "partner-login")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    // A sign-in's assertion of garbage bytes: one answer, invalid_credentials.
    let begun: Value = app
        .post("/passkeys/sign-in", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let garbage = json!({"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {
        "authenticatorData": "AAAA", "clientDataJSON": "AAAA", "signature": "AAAA",
        "userHandle": "AAAA"}});
    let refused = app
        .post(
            "/passkeys/sign-in/finish",
            json!({"ceremony": begun["ceremony"], "credential": garbage}),
        )
        .await;
    assert_eq!(refused.status(), 401);
    assert_eq!(problem(refused).await["code"], "invalid_credentials");
}

/// Passkey sign-ins count per client like sign-ins with a password (ASVS 5.0 V2.4.1), and a
/// PUBLIC_URL with no domain name turns passkeys off (404).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkey_sign_ins_are_counted_per_client_and_off_without_a_domain() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.public_url = Some(format!("http://localhost:{}", c.listen_addr.port()));
        c.sign_ins_per_client_hour = 2;
    })
    .await;
    for _ in 0..2 {
        assert_eq!(app.post("/passkeys/sign-in", json!({})).await.status(), 200);
    }
    let capped = app.post("/passkeys/sign-in", json!({})).await;
    assert_eq!(capped.status(), 429);
    assert_eq!(problem(capped).await["code"], "rate_limited");
    // ...and a password sign-in from that client is capped too: one count.
    assert_eq!(
        app.sign_in("nobody@example.org", PASSPHRASE).await.status(),
        429
    );

    let on_ip = TestApp::spawn(Backend::Sqlite).await;
    let off = on_ip.post("/passkeys/sign-in", json!({})).await;
    assert_eq!(off.status(), 404);
    assert_eq!(problem(off).await["code"], "passkeys_unavailable");
    // The screens learn it from the public configuration, and hide the passkey buttons.
    let config: Value = on_ip.get("/config").await.json().await.unwrap();
    assert_eq!(config["passkeys"], false);
    let config: Value = app.get("/config").await.json().await.unwrap();
    assert_eq!(config["passkeys"], true);
}

async fn a_ceremony_finished_twice_at_once_signs_in_once_and_a_cloned_counter_is_refused(
    backend: Backend,
) {
    let app = spawn(backend).await;
    signed_in(&app, "amina@example.org").await;
    let mut passkey = Authenticator::new(&origin(&app));
    add(&app, &app.client, &mut passkey, "Laptop").await;
    // The same answer sent twice at once (two instances would do the same through the one
    // database): the ceremony is taken once, so exactly one session starts.
    let begun: Value = app
        .post("/passkeys/sign-in", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let body = json!({"ceremony": begun["ceremony"], "credential": passkey.get(&begun["options"])});
    let (one, two) = (TestApp::new_client(), TestApp::new_client());
    let (a, b) = tokio::join!(
        app.post_as(&one, "/passkeys/sign-in/finish", body.clone()),
        app.post_as(&two, "/passkeys/sign-in/finish", body),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 404]);
    // The stored counter follows each sign-in: an authenticator whose counter goes back (a
    // cloned key, W3C WebAuthn L3 §7.2 step 21) is refused.
    let (signed, _) = sign_in_with(&app, &mut passkey).await;
    assert_eq!(signed.status(), 200);
    passkey.counter -= 2;
    let (refused, _) = sign_in_with(&app, &mut passkey).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(problem(refused).await["code"], "invalid_credentials");
}

/// A credential id registered already, to any account, is refused with its own code (W3C
/// WebAuthn L3 §7.1 step 26); an account holds at most 20 passkeys (no unbounded work: the
/// exclusion list and the list page are bounded).
async fn a_credential_registered_already_and_a_twenty_first_passkey_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let bob = TestApp::new_client();
    app.signed_up("bob@example.org").await;
    let signed = app
        .post_as(
            &bob,
            "/session",
            json!({"email": "bob@example.org", "password": PASSPHRASE}),
        )
        .await;
    assert_eq!(signed.status(), 200);
    signed_in(&app, "amina@example.org").await;
    let mut laptop = Authenticator::new(&origin(&app));
    add(&app, &app.client, &mut laptop, "Laptop").await;
    // The same credential offered for Bob's account (a cloned or shared authenticator).
    let begun = begin_registration(&app, &bob).await;
    let credential = laptop.create(&begun["options"]);
    let refused = app
        .post_as(
            &bob,
            "/passkeys/registration/finish",
            json!({"ceremony": begun["ceremony"], "credential": credential}),
        )
        .await;
    assert_eq!(refused.status(), 409);
    assert_eq!(problem(refused).await["code"], "passkey_already_registered");

    for n in 2..=20 {
        add(
            &app,
            &app.client,
            &mut Authenticator::new(&origin(&app)),
            &format!("Key {n}"),
        )
        .await;
    }
    let refused = app.post("/passkeys/registration", json!({})).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(problem(refused).await["code"], "passkey_limit");
    assert_eq!(app.count("SELECT COUNT(*) FROM passkeys").await, 20);
}

/// NIST SP 800-63B-4 §3.1.7 / ASVS 5.0 V6.3.3: a passkey that verified its user is a
/// multi-factor cryptographic authenticator: the session it makes is AAL2 (a password's is
/// AAL1), in the sign-in's answer, in `GET /session`, in the list of sessions, and in the ID
/// tokens' `acr` and `amr` (OpenID Connect Core §2, RFC 8176).
async fn a_passkey_session_is_aal2_in_its_view_its_list_and_its_id_tokens(backend: Backend) {
    let app = spawn(backend).await;
    signed_in(&app, "amina@example.org").await;
    assert_eq!(body(app.get("/session").await).await["aal"], "aal1");
    let mut passkey = Authenticator::new(&origin(&app));
    add(&app, &app.client, &mut passkey, "Laptop").await;
    let (signed, browser) = sign_in_in(&app, crate::openid::browser(), &mut passkey).await;
    assert_eq!(signed.status(), 200);
    assert_eq!(body(signed).await["aal"], "aal2");
    assert_eq!(
        body(app.get_as(&browser, "/session").await).await["aal"],
        "aal2"
    );
    let list = body(app.get_as(&browser, "/sessions").await).await;
    let mine = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap();
    assert_eq!(mine["aal"], "aal2");
    assert_eq!(mine["amr"], json!(["pop", "mfa"]));
    assert_eq!(mine["idp"], "local");
    let claims = crate::openid::id_token_claims(&app, &browser).await;
    assert_eq!(claims["acr"], "http://idmanagement.gov/ns/assurance/aal/2");
    assert_eq!(claims["amr"], json!(["pop", "mfa"]));
}

async fn body(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// ASVS 5.0 V7.4.3 / NIST SP 800-63B-4 §4.6: a passkey removed (perhaps on a lost device)
/// keeps no session open: the sessions it made end, but the one asking (signed in just now);
/// sessions made another way, or with another passkey, stay.
async fn removing_a_passkey_ends_the_other_sessions_it_made(backend: Backend) {
    let app = spawn(backend).await;
    let email = "amina@example.org";
    signed_in(&app, email).await;
    let mut laptop = Authenticator::new(&origin(&app));
    let mut phone = Authenticator::new(&origin(&app));
    let laptop_view = add(&app, &app.client, &mut laptop, "Laptop").await;
    add(&app, &app.client, &mut phone, "Phone").await;
    let (signed, by_laptop) = sign_in_with(&app, &mut laptop).await;
    assert_eq!(signed.status(), 200);
    let (signed, lost_laptop_tab) = sign_in_with(&app, &mut laptop).await;
    assert_eq!(signed.status(), 200);
    let (signed, by_phone) = sign_in_with(&app, &mut phone).await;
    assert_eq!(signed.status(), 200);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions WHERE passkey_id IS NOT NULL")
            .await,
        3
    );

    let path = format!("/passkeys/{}", laptop_view["id"].as_str().unwrap());
    assert_eq!(app.delete_as(&by_laptop, &path).await.status(), 204);
    assert_eq!(app.get_as(&lost_laptop_tab, "/session").await.status(), 401);
    assert_eq!(app.get_as(&by_laptop, "/session").await.status(), 200);
    assert_eq!(app.get_as(&by_phone, "/session").await.status(), 200);
    assert_eq!(app.get("/session").await.status(), 200, "the password's");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 3);
}

/// `partner-login-server accounts reset-mfa --email E --reinvite` (issue 20): a person who
/// lost every factor loses their passkeys and sessions (and the OpenID Provider's grants),
/// and gets a new invitation by mail; it is an audit event. Their password is kept.
async fn an_administrator_resets_the_factors_of_a_person_who_lost_them(backend: Backend) {
    let app = spawn(backend).await;
    let email = "amina@example.org";
    app.signed_up("bob@example.org").await;
    let token = app.invite(email, "Sahel Relief").await;
    let flow = app.start_signup(email, Some(&token)).await;
    let code = app.nth_mail(email, 2).await.code();
    app.verify(&flow, &code).await;
    assert_eq!(app.complete(&flow, PASSPHRASE).await.status(), 201);
    let mut passkey = Authenticator::new(&origin(&app));
    add(&app, &app.client, &mut passkey, "Laptop").await;
    let (signed, by_passkey) = sign_in_with(&app, &mut passkey).await;
    assert_eq!(signed.status(), 200);
    begin_registration(&app, &by_passkey).await;
    // Her other factors: an authenticator app begun and a set of recovery codes.
    let app_begun = app
        .post_as(&by_passkey, "/authenticator-app", json!({}))
        .await;
    assert_eq!(app_begun.status(), 200);
    let codes = app.post_as(&by_passkey, "/recovery-codes", json!({})).await;
    assert_eq!(codes.status(), 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM recovery_codes").await, 10);
    // Their notices go through the queue: counted once they are in (invitation, code, passkey
    // added, recovery codes made).
    let notice = app.nth_mail(email, 4).await;
    assert!(
        notice.subject.contains("recovery codes"),
        "{}",
        notice.subject
    );
    let bob = TestApp::new_client();
    let answer = app
        .post_as(
            &bob,
            "/session",
            json!({"email": "bob@example.org", "password": PASSPHRASE}),
        )
        .await;
    assert_eq!(answer.status(), 200);
    let mails_before = app.mail.messages().await.len();
    let hers = app
        .mail
        .messages()
        .await
        .iter()
        .filter(|m| m.to.iter().any(|to| to == email))
        .count();

    let (ok, out, err) = crate::admin::cli(
        &app,
        &["accounts", "reset-mfa", "--email", email, "--reinvite"],
    )
    .await;
    assert!(ok, "{err}");
    assert!(
        out.contains(&format!(
            "Factors of {email} reset: 1 passkey(s) removed, 2 session(s) ended."
        )),
        "{out}"
    );
    let link = out.lines().last().unwrap();
    assert!(link.contains("/invitation#"), "{out}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM passkeys").await,
        0,
        "the passkeys are gone"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM webauthn_ceremonies WHERE account_id IS NOT NULL")
            .await,
        0
    );
    assert_eq!(app.get("/session").await.status(), 401);
    assert_eq!(app.get_as(&by_passkey, "/session").await.status(), 401);
    assert_eq!(
        app.get_as(&bob, "/session").await.status(),
        200,
        "others stay"
    );
    let (refused, _) = sign_in_with(&app, &mut passkey).await;
    assert_eq!(refused.status(), 401);
    // The invitation, mailed to the address, for the account's organization.
    assert_eq!(app.mail.messages().await.len(), mails_before + 1);
    let invitation = app.nth_mail(email, hers + 1).await;
    assert!(
        invitation.text.contains("Sahel Relief"),
        "{}",
        invitation.text
    );
    assert!(invitation.text.contains(link.rsplit('#').next().unwrap()));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM invitations WHERE used_at IS NULL")
            .await,
        1
    );
    // The password stays: the person signs in with it through the new invitation, which is
    // used up (and then adds a new passkey).
    let invitation_token = link.rsplit('#').next().unwrap();
    let back = app
        .post(
            "/session",
            json!({"email": email, "password": PASSPHRASE, "invitation": invitation_token}),
        )
        .await;
    assert_eq!(back.status(), 200);
    assert_eq!(
        app.get(&format!("/invitations/{invitation_token}"))
            .await
            .status(),
        410
    );
    add(
        &app,
        &app.client,
        &mut Authenticator::new(&origin(&app)),
        "New",
    )
    .await;

    // An unknown account, and --organization without --reinvite, are refused.
    let (ok, _, err) = crate::admin::cli(
        &app,
        &["accounts", "reset-mfa", "--email", "nobody@example.org"],
    )
    .await;
    assert!(!ok);
    assert!(err.contains("nobody@example.org: not found"), "{err}");
    let (ok, _, _) = crate::admin::cli(
        &app,
        &[
            "accounts",
            "reset-mfa",
            "--email",
            email,
            "--organization",
            "X",
        ],
    )
    .await;
    assert!(!ok);
}

/// `MFA_POLICY=required` (OWASP ASVS 5.0 V6.3.3; NIST SP 800-63B-4 AAL2): sign-up's "Create"
/// (one factor) makes an enrolment-only session, which may add and list passkeys but not list
/// sessions nor rename one; then an account with passkeys alone gets no session from its
/// password, nor from "Forgot your password?": both answer `second_factor_required` with
/// `methods: ["passkey"]`, and a passkey sign-in is a full session.
async fn under_a_required_policy_one_factor_only_enrols_and_passkeys_finish_the_second_step(
    backend: Backend,
) {
    let app = TestApp::spawn_with(backend, |c| {
        c.public_url = Some(format!("http://localhost:{}", c.listen_addr.port()));
        c.mfa_policy = partner_login_server::config::MfaPolicy::Required;
    })
    .await;
    let email = "amina@example.org";
    // Sign-up's "Create": one factor.
    let flow = app.start_signup(email, None).await;
    let code = app.nth_mail(email, 1).await.code();
    app.verify(&flow, &code).await;
    let created = app.complete(&flow, PASSPHRASE).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["aal"], "aal1");
    assert_eq!(created["factor_required"], true);
    let view = body(app.get("/session").await).await;
    assert_eq!(view["factor_required"], true);
    // Enrolment-only: no list of sessions, no other session ended.
    assert_eq!(app.get("/sessions").await.status(), 403);
    assert_eq!(app.delete("/sessions/not-a-session").await.status(), 403);
    // It may add a passkey and list it, not rename nor remove it.
    let mut passkey = Authenticator::new(&origin(&app));
    let added = add(&app, &app.client, &mut passkey, "Laptop").await;
    let id = added["id"].as_str().unwrap();
    assert_eq!(app.get("/passkeys").await.status(), 200);
    let renamed = app
        .client
        .patch(app.api(&format!("/passkeys/{id}")))
        .header("x-requested-with", "partner-login")
        .json(&json!({"name": "Phone"}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), 403);
    assert_eq!(app.delete(&format!("/passkeys/{id}")).await.status(), 403);
    assert_eq!(
        app.delete("/session").await.status(),
        204,
        "it may sign out"
    );

    // Passkeys alone: the password is not enough.
    let browser = TestApp::new_client();
    let answer = app
        .post_as(
            &browser,
            "/session",
            json!({"email": email, "password": PASSPHRASE}),
        )
        .await;
    assert_eq!(answer.status(), 401);
    assert!(session_cookie(&answer).is_none());
    assert_eq!(problem(answer).await["code"], "second_factor_required");
    let methods = body(app.get_as(&browser, "/session/second-factor").await).await;
    assert_eq!(methods["methods"], json!(["passkey"]));
    assert_eq!(app.get_as(&browser, "/session").await.status(), 401);
    // The passkey finishes it: a full session.
    let (finished, browser) = sign_in_in(&app, browser, &mut passkey).await;
    assert_eq!(finished.status(), 200);
    let finished = body(finished).await;
    assert_eq!(finished["aal"], "aal2");
    assert_eq!(finished["factor_required"], false);
    assert_eq!(app.get_as(&browser, "/sessions").await.status(), 200);

    // "Forgot your password?" (ASVS 5.0 V6.4.3; NIST SP 800-63B-4 §4.2): after the emailed
    // code, a passkey of THAT account before the new password; the password unchanged until.
    let (flow, _) = app.verified_reset(email, 3).await;
    let proofs = body(
        app.get(&format!("/password-reset/{flow}/second-factor"))
            .await,
    )
    .await;
    assert_eq!(proofs["methods"], json!(["passkey"]));
    let reset = app
        .post_as(
            &browser,
            &format!("/password-reset/{flow}/complete"),
            json!({"password": "a new river mango 43", "password_confirmation": "a new river mango 43"}),
        )
        .await;
    assert_eq!(reset.status(), 401);
    assert!(session_cookie(&reset).is_none());
    assert_eq!(problem(reset).await["code"], "second_factor_required");
    assert_eq!(
        app.get_as(&browser, "/sessions").await.status(),
        200,
        "nothing changed: the session lives on"
    );
    let new = app
        .post_as(
            &TestApp::new_client(),
            "/session",
            json!({"email": email, "password": "a new river mango 43"}),
        )
        .await;
    assert_eq!(problem(new).await["code"], "invalid_credentials", "not set");
    // A passkey of another account is refused (not in the ceremony's allowCredentials).
    let stranger = TestApp::new_client();
    app.signed_up("bob@example.org").await;
    let signed = app
        .post_as(
            &stranger,
            "/session",
            json!({"email": "bob@example.org", "password": PASSPHRASE}),
        )
        .await;
    assert_eq!(signed.status(), 200);
    let mut bobs = Authenticator::new(&origin(&app));
    add(&app, &stranger, &mut bobs, "Bob's").await;
    let begun = body(
        app.post(&format!("/password-reset/{flow}/passkey"), json!({}))
            .await,
    )
    .await;
    let finish_path = format!("/password-reset/{flow}/passkey/finish");
    let foreign = bobs.get(&begun["options"]);
    let refused = app
        .post(
            &finish_path,
            json!({"ceremony": begun["ceremony"], "credential": foreign}),
        )
        .await;
    assert_eq!(refused.status(), 400);
    assert_eq!(problem(refused).await["code"], "passkey_refused");
    // The ceremony was used by that refusal: single use.
    let reused = app
        .post(
            &finish_path,
            json!({"ceremony": begun["ceremony"], "credential": passkey.get(&begun["options"])}),
        )
        .await;
    assert_eq!(
        problem(reused).await["code"],
        "flow_not_found",
        "single use"
    );
    // A ceremony of another reset flow of the same account does not prove this one.
    let (other_flow, _) = app.verified_reset(email, 4).await;
    let elsewhere = body(
        app.post(&format!("/password-reset/{other_flow}/passkey"), json!({}))
            .await,
    )
    .await;
    let crossed = app
        .post(
            &finish_path,
            json!({"ceremony": elsewhere["ceremony"], "credential": passkey.get(&elsewhere["options"])}),
        )
        .await;
    assert_eq!(
        problem(crossed).await["code"],
        "flow_not_found",
        "bound to its flow"
    );
    // The account's passkey proves it; then "Continue" is a two-factor session.
    let begun = body(
        app.post(&format!("/password-reset/{flow}/passkey"), json!({}))
            .await,
    )
    .await;
    let proven = app
        .post(
            &finish_path,
            json!({"ceremony": begun["ceremony"], "credential": passkey.get(&begun["options"])}),
        )
        .await;
    assert_eq!(proven.status(), 200);
    assert_eq!(body(proven).await["proven"], true);
    let again = app
        .post(&format!("/password-reset/{flow}/passkey"), json!({}))
        .await;
    assert_eq!(again.status(), 400, "one proof a flow");
    let reset = app
        .post_as(
            &browser,
            &format!("/password-reset/{flow}/complete"),
            json!({"password": "a new river mango 43", "password_confirmation": "a new river mango 43"}),
        )
        .await;
    assert_eq!(reset.status(), 200);
    // The session this answer made, by its cookie's hash (the newest by `created_at` is
    // ambiguous within one second).
    let cookie = session_cookie(&reset).expect("a session cookie");
    let amr: String = sqlx::query_scalar("SELECT amr FROM sessions WHERE id_hash = $1")
        .bind(partner_login_server::domain::secrets::hash(&cookie))
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(amr, "pwd pop mfa");
    let reset = body(reset).await;
    assert_eq!(reset["aal"], "aal2");
    assert_eq!(reset["factor_required"], false);
}
