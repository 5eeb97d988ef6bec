//! Passkeys in a real browser: Chromium's virtual authenticator (a CTAP2 platform
//! authenticator with resident keys and user verification) on `http://localhost:PORT`.

use partner_login_e2e::flows::sign_up_from_email;
use partner_login_e2e::{mail::Mailbox, Browser, TestServer};
use serde_json::json;

/// Signs out, then signs in with a passkey through the API: begin, `parseRequestOptionsFromJSON`,
/// `navigator.credentials.get` with `arguments[0]` as the mediation ("conditional" or
/// "optional"), `toJSON()`, finish. Returns the finish's status and the session's text.
const SIGN_IN: &str = r#"
const h = {'x-requested-with': 'partner-login', 'content-type': 'application/json'};
const mediation = arguments[0];
return (async () => {
  await fetch('/api/session', {method: 'DELETE', headers: h});
  let r = await fetch('/api/passkeys/sign-in', {method: 'POST', headers: h, body: '{}'});
  const begin = await r.json();
  if (r.status !== 200) return [r.status, JSON.stringify(begin)];
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(begin.options.publicKey);
  let credential;
  try {
    credential = await navigator.credentials.get({publicKey, mediation});
  } catch (e) { return [0, e.name + ': ' + e.message]; }
  r = await fetch('/api/passkeys/sign-in/finish', {method: 'POST', headers: h,
    body: JSON.stringify({ceremony: begin.ceremony, credential: credential.toJSON()})});
  return [r.status, await r.text()];
})();
"#;

/// Registers a passkey for the signed-in page through the API, as the SPA does: begin,
/// `parseCreationOptionsFromJSON`, `navigator.credentials.create`, `toJSON()`, finish.
const REGISTER: &str = r#"
const h = {'x-requested-with': 'partner-login', 'content-type': 'application/json'};
return (async () => {
  let r = await fetch('/api/passkeys/registration', {method: 'POST', headers: h, body: '{}'});
  const begin = await r.json();
  if (r.status !== 200) return [r.status, JSON.stringify(begin)];
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(begin.options.publicKey);
  const credential = await navigator.credentials.create({publicKey});
  r = await fetch('/api/passkeys/registration/finish', {method: 'POST', headers: h,
    body: JSON.stringify({ceremony: begin.ceremony, name: 'Probe', credential: credential.toJSON()})});
  return [r.status, await r.text()];
})();
"#;

#[tokio::test]
async fn the_servers_ceremonies_work_with_chromiums_authenticator() {
    let mailbox = Mailbox::start().await;
    let server = TestServer::start_on_localhost(Some(&mailbox.url()), &[]);
    let email = "probe@example.org";
    let link = server.invite(email, "Sahel Relief Network", None).await;
    mailbox.next_to(email).await; // the invitation
    let browser = Browser::start().await;
    let authenticator = browser.add_virtual_authenticator().await;
    browser.goto(&link).await;
    browser.click_button("Sign up now").await;
    sign_up_from_email(&browser, &mailbox, email, ["Probe", "Pro", "Be"]).await;
    browser.wait_path("/portal").await;
    let answer = browser.script(REGISTER, vec![]).await;
    assert_eq!(answer[0], json!(200), "{answer}");
    let stored = authenticator.credentials(&browser).await;
    assert_eq!(stored.len(), 1);
    assert!(stored[0].resident, "a discoverable credential");
    assert_eq!(stored[0].rp_id, "localhost");
    let modal = browser.script(SIGN_IN, vec![json!("optional")]).await;
    assert_eq!(modal[0], json!(200), "{modal}");
    let conditional = browser.script(SIGN_IN, vec![json!("conditional")]).await;
    assert_eq!(conditional[0], json!(200), "{conditional}");
    authenticator.set_user_verified(&browser, false).await;
    let unverified = browser.script(SIGN_IN, vec![json!("optional")]).await;
    println!("unverified: {unverified}");
    browser.close().await;
}
