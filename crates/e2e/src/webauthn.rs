//! Chromium's virtual authenticator, through the W3C WebAuthn WebDriver extension commands
//! (Web Authentication Level 3, §11 "WebDriver Extension Capability"), which chromedriver
//! implements. It is a real CTAP2 authenticator inside the browser: the browser signs real
//! WebAuthn data with it and the server's webauthn-rs checks that data, so nothing is faked on
//! either side. fantoccini has no helper for these commands; [`WebAuthnCommand`] sends them
//! through `Client::issue_cmd`.
//!
//! Browsers refuse WebAuthn on an IP address: the page must be on `http://localhost:PORT`
//! ([`crate::TestServer::start_on_localhost`]).

use crate::Browser;
use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::{json, Value};

/// One command of the extension, relative to the session: `path` after
/// `/session/{id}/webauthn/`.
#[derive(Debug)]
struct WebAuthnCommand {
    method: http::Method,
    path: String,
    body: Option<Value>,
}

impl WebDriverCompatibleCommand for WebAuthnCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/webauthn/{}", self.path))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        (
            self.method.clone(),
            self.body.as_ref().map(Value::to_string),
        )
    }
}

/// A credential the virtual authenticator holds, as `GET …/credentials` lists it.
#[derive(Debug, Clone)]
pub struct StoredCredential {
    /// base64url, as the browser's `credential.id`.
    pub id: String,
    /// Whether it is discoverable (a passkey that autofill can offer).
    pub resident: bool,
    /// The relying party it is for (the page's host).
    pub rp_id: String,
    /// The user handle the relying party gave it (base64url).
    pub user_handle: Option<String>,
    pub sign_count: u64,
    /// The private key (base64url PKCS#8), which a virtual authenticator, unlike a real one,
    /// gives out: [`VirtualAuthenticator::add_credential`] copies it to a second device.
    pub private_key: String,
}

/// A virtual authenticator added to one browser: a platform authenticator ("this device",
/// `internal` transport) with resident keys and user verification, as a phone or laptop has.
pub struct VirtualAuthenticator {
    id: String,
}

impl Browser {
    async fn webauthn(&self, method: http::Method, path: String, body: Option<Value>) -> Value {
        let what = format!("{method} webauthn/{path}");
        self.client
            .issue_cmd(WebAuthnCommand { method, path, body })
            .await
            .unwrap_or_else(|e| panic!("{what} failed: {e}"))
    }

    /// Adds a CTAP2 platform authenticator with resident keys and user verification that
    /// verifies the user (until [`VirtualAuthenticator::set_user_verified`] says otherwise).
    pub async fn add_virtual_authenticator(&self) -> VirtualAuthenticator {
        let answer = self
            .webauthn(
                http::Method::POST,
                "authenticator".to_owned(),
                Some(json!({
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": true,
                    "hasUserVerification": true,
                    "isUserVerified": true,
                    "isUserConsenting": true,
                    "automaticPresenceSimulation": true,
                })),
            )
            .await;
        let id = answer
            .as_str()
            .unwrap_or_else(|| panic!("an authenticator id, not {answer}"))
            .to_owned();
        VirtualAuthenticator { id }
    }
}

impl VirtualAuthenticator {
    /// The credentials it holds now.
    pub async fn credentials(&self, browser: &Browser) -> Vec<StoredCredential> {
        let answer = browser
            .webauthn(
                http::Method::GET,
                format!("authenticator/{}/credentials", self.id),
                None,
            )
            .await;
        answer
            .as_array()
            .unwrap_or_else(|| panic!("a list of credentials, not {answer}"))
            .iter()
            .map(|c| StoredCredential {
                id: c["credentialId"].as_str().unwrap_or_default().to_owned(),
                resident: c["isResidentCredential"].as_bool().unwrap_or(false),
                rp_id: c["rpId"].as_str().unwrap_or_default().to_owned(),
                user_handle: c["userHandle"].as_str().map(str::to_owned),
                sign_count: c["signCount"].as_u64().unwrap_or(0),
                private_key: c["privateKey"].as_str().unwrap_or_default().to_owned(),
            })
            .collect()
    }

    /// Whether the next ceremonies verify the user (a fingerprint or PIN that succeeds, or not).
    pub async fn set_user_verified(&self, browser: &Browser, verified: bool) {
        browser
            .webauthn(
                http::Method::POST,
                format!("authenticator/{}/uv", self.id),
                Some(json!({ "isUserVerified": verified })),
            )
            .await;
    }

    /// Removes the authenticator from the browser (a lost phone).
    pub async fn remove(self, browser: &Browser) {
        browser
            .webauthn(
                http::Method::DELETE,
                format!("authenticator/{}", self.id),
                None,
            )
            .await;
    }
}

impl VirtualAuthenticator {
    /// Copies `credential` (with its private key, as [`credentials`](Self::credentials) read it
    /// from another authenticator) into this one: the same passkey synced to a second device.
    pub async fn add_credential(&self, browser: &Browser, credential: &StoredCredential) {
        browser
            .webauthn(
                http::Method::POST,
                format!("authenticator/{}/credential", self.id),
                Some(json!({
                    "credentialId": credential.id,
                    "isResidentCredential": credential.resident,
                    "rpId": credential.rp_id,
                    "privateKey": credential.private_key,
                    "userHandle": credential.user_handle,
                    "signCount": credential.sign_count,
                })),
            )
            .await;
    }
}
