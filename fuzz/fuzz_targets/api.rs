//! The whole API in process, on a real SQLite database: sequences of up to four requests whose
//! method, route, headers and JSON body the fuzzer shapes, with flow ids, invitation tokens
//! and session cookies carried from one answer to the next request, so it reaches past the
//! first screen. What must hold for every answer (OWASP ASVS 5.0 V16.5: errors handled):
//! - never a 5xx, but a 503 that says when to retry;
//! - every refusal under `/api` is an RFC 9457 problem whose `status` is the HTTP status, but
//!   the OpenID Provider's, which are OAuth 2.0 errors (`{"error": …}`) or its own page;
//! - every answer carries the security headers, and `/api` answers are never cached;
//! - no answer repeats a password the request carried.
#![no_main]

use arbitrary::Arbitrary;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use clap::Parser;
use libfuzzer_sys::fuzz_target;
use partner_login_contract::api::{CreateInvitationRequest, CSRF_HEADER, CSRF_HEADER_VALUE};
use partner_login_contract::Problem;
use partner_login_server::cli::{Cli, Command};
use serde_json::{Map, Value};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::OnceLock;
use tower::ServiceExt;

const PUBLIC_URL: &str = "http://login.fuzz.test";
const ADMIN_TOKEN: &str = "fuzz-admin-token";
/// A password the fuzzer can put in any field; no answer may contain it.
const PASSWORD: &str = "Fuzzing-Passw0rd-Never-Echoed";
/// The OpenID Provider's registered client and its redirect uri.
const CLIENT_ID: &str = "fuzz-portal";
const REDIRECT_URI: &str = "http://127.0.0.1/complete/oidc/";

struct Server {
    runtime: tokio::runtime::Runtime,
    app: Router,
    /// The token of an open invitation, so that invitation routes get past "unknown".
    invitation: String,
    _dir: std::path::PathBuf,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("partner-login-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        let database = format!("sqlite://{}?mode=rwc", dir.join("fuzz.db").display());
        // Authenticator apps on (issue 20): a key for their seeds.
        let mfa_key = dir.join("mfa.key");
        std::fs::write(&mfa_key, "42".repeat(32)).expect("the MFA key file");
        let mfa_key = mfa_key.display().to_string();
        let cli = Cli::try_parse_from([
            "partner-login-server",
            "serve",
            "--database-url",
            &database,
            "--public-url",
            PUBLIC_URL,
            "--admin-token",
            ADMIN_TOKEN,
            "--static-dir",
            "/nonexistent",
            // Mail goes to the database's outbox; no SMTP server is needed.
            "--dev-mailbox",
            "true",
            // The lowest argon2id cost: the fuzzer is after parsing, not hashing.
            "--password-hash-memory-kib",
            "64",
            "--password-hash-iterations",
            "1",
            "--mfa-encryption-key-file",
            &mfa_key,
        ])
        .expect("the fuzz configuration parses");
        let Command::Serve { config } = cli.command else {
            unreachable!("serve was asked for")
        };
        let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
        let (app, invitation) = runtime.block_on(async {
            let state = partner_login_server::state(config)
                .await
                .expect("the server starts");
            let invited = partner_login_server::http::create_invitation(
                &state,
                &CreateInvitationRequest {
                    email: "invited@example.org".into(),
                    organization: "Fuzz Relief".into(),
                    inviter: None,
                    language: None,
                },
            )
            .await
            .unwrap_or_else(|_| panic!("the invitation is stored"));
            let token = invited
                .link
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            let client = partner_login_server::domain::clients::Registration {
                id: CLIENT_ID.into(),
                redirect_uris: vec![REDIRECT_URI.into()],
                post_logout_redirect_uris: vec![REDIRECT_URI.into()],
                ..Default::default()
            };
            partner_login_server::domain::clients::add(&state.db, &client)
                .await
                .expect("the client is registered");
            (partner_login_server::app(state), token)
        });
        Server {
            runtime,
            app,
            invitation,
            _dir: dir,
        }
    })
}

#[derive(Arbitrary, Debug)]
enum Verb {
    Get,
    Post,
    Delete,
    Put,
    Options,
    Head,
    Patch,
}

/// A path segment that is either the one the server handed out last, or anything.
#[derive(Arbitrary, Debug)]
enum Segment {
    Known,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Route {
    Config,
    Health,
    OpenApi,
    Invitation(Segment),
    AdminInvitations,
    Signup,
    SignupFlow(Segment, Suffix),
    Session,
    PasswordReset,
    PasswordResetFlow(Segment, Suffix),
    SocialStart(String),
    SocialCallback(String, String),
    /// An endpoint of the OpenID Provider with its parameters (in the query, or as a form when
    /// the verb is POST).
    OpenId(Endpoint, Vec<(Param, Segment)>),
    Other(String),
    Ready,
    /// `/api/passkeys/…` (issue 20): the routes that read the browser's WebAuthn JSON.
    Passkeys(PasskeyRoute),
    /// The second factors (issue 20): the app, recovery codes, factors, the second step.
    SecondFactors(SecondFactorRoute),
}

#[derive(Arbitrary, Debug)]
enum SecondFactorRoute {
    App,
    AppConfirm,
    RecoveryCodes,
    Factors,
    SecondStep,
    /// The person's active sessions (ASVS 5.0 V7.5.2), and one of them by its id.
    Sessions,
    Session(Segment),
}

#[derive(Arbitrary, Debug)]
enum PasskeyRoute {
    List,
    One(Segment),
    Registration,
    RegistrationFinish,
    SignIn,
    SignInFinish,
}

#[derive(Arbitrary, Debug)]
enum Endpoint {
    Discovery,
    Jwks,
    Authorize,
    Continue,
    Token,
    Userinfo,
    Logout,
}

/// The OpenID Provider's parameters; a `Known` value is the registered client's, the code the
/// provider handed out last, or a well-formed one.
#[derive(Arbitrary, Debug)]
enum Param {
    ClientId,
    RedirectUri,
    ResponseType,
    Scope,
    State,
    Nonce,
    CodeChallenge,
    CodeChallengeMethod,
    Prompt,
    MaxAge,
    LoginHint,
    UiLocales,
    GrantType,
    Code,
    CodeVerifier,
    ClientSecret,
    IdTokenHint,
    PostLogoutRedirectUri,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Suffix {
    None,
    Code,
    Verify,
    Complete,
    /// The reset's second proof (issue 20): `GET`/`POST …/second-factor`, and its passkey.
    SecondFactor,
    Passkey,
    PasskeyFinish,
}

#[derive(Arbitrary, Debug)]
enum Origin {
    None,
    Own,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum ContentType {
    Json,
    JsonUtf8,
    None,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Admin {
    None,
    Right,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Field {
    Email,
    Password,
    PasswordConfirmation,
    DisplayName,
    GivenName,
    Surname,
    Code,
    Invitation,
    Language,
    Organization,
    Inviter,
    Other(String),
    Ceremony,
    Credential,
    Name,
    RecoveryCode,
}

#[derive(Arbitrary, Debug)]
enum Json {
    Text(String),
    Number(i64),
    Bool(bool),
    Null,
    List(Vec<String>),
    /// The invited address, the password above, a six-digit code, a language, the invitation.
    InvitedEmail,
    Password,
    Code(u32),
    Language,
    Invitation,
    /// The last WebAuthn ceremony id an answer carried.
    Ceremony,
    /// A credential of the browser's `toJSON()` shape (both the registration's and the
    /// sign-in's members), its binary members fuzzed and base64url-encoded.
    Credential {
        id: Vec<u8>,
        client_data: Vec<u8>,
        attestation: Vec<u8>,
        authenticator_data: Vec<u8>,
        signature: Vec<u8>,
        user_handle: Option<Vec<u8>>,
    },
}

#[derive(Arbitrary, Debug)]
enum Payload {
    Fields(Vec<(Field, Json)>),
    Raw(Vec<u8>),
    Empty,
}

#[derive(Arbitrary, Debug)]
struct Step {
    verb: Verb,
    route: Route,
    client: u32,
    csrf_header: bool,
    origin: Origin,
    content_type: ContentType,
    admin: Admin,
    send_cookies: bool,
    payload: Payload,
}

/// What one exchange learned from the answers so far.
#[derive(Default)]
struct Carried {
    flow: Option<String>,
    /// The last authorization code the provider redirected with.
    code: Option<String>,
    cookies: Vec<String>,
    /// The last WebAuthn ceremony id an answer carried.
    ceremony: Option<String>,
}

fn segment(segment: &Segment, known: Option<&str>) -> String {
    match segment {
        Segment::Known => known.unwrap_or("unknown").to_owned(),
        Segment::Other(text) => encode(text),
    }
}

/// Percent-encodes what a URI path or query cannot hold as is.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn path(route: &Route, invitation: &str, carried: &Carried) -> String {
    let flow = carried.flow.as_deref();
    let suffix = |s: &Suffix| match s {
        Suffix::None => "",
        Suffix::Code => "/code",
        Suffix::Verify => "/verify",
        Suffix::Complete => "/complete",
        Suffix::SecondFactor => "/second-factor",
        Suffix::Passkey => "/passkey",
        Suffix::PasskeyFinish => "/passkey/finish",
    };
    match route {
        Route::Config => "/api/config".into(),
        Route::Health => "/api/health".into(),
        Route::Ready => "/api/ready".into(),
        Route::OpenApi => "/api/openapi.json".into(),
        Route::Invitation(s) => format!("/api/invitations/{}", segment(s, Some(invitation))),
        Route::AdminInvitations => "/api/admin/invitations".into(),
        Route::Signup => "/api/signup".into(),
        Route::SignupFlow(s, x) => format!("/api/signup/{}{}", segment(s, flow), suffix(x)),
        Route::Session => "/api/session".into(),
        Route::PasswordReset => "/api/password-reset".into(),
        Route::PasswordResetFlow(s, x) => {
            format!("/api/password-reset/{}{}", segment(s, flow), suffix(x))
        }
        Route::SocialStart(p) => format!("/api/social/{}/start", encode(p)),
        Route::SocialCallback(p, q) => format!("/api/social/{}/callback?{}", encode(p), encode(q)),
        Route::OpenId(endpoint, params) => {
            let path = match endpoint {
                Endpoint::Discovery => "/api/.well-known/openid-configuration",
                Endpoint::Jwks => "/api/oauth2/jwks",
                Endpoint::Authorize => "/api/oauth2/authorize",
                Endpoint::Continue => "/api/oauth2/authorize/continue",
                Endpoint::Token => "/api/oauth2/token",
                Endpoint::Userinfo => "/api/oauth2/userinfo",
                Endpoint::Logout => "/api/oauth2/logout",
            };
            format!("{path}?{}", form(params, carried))
        }
        Route::Other(p) => format!("/api/{}", encode(p)),
        Route::Passkeys(route) => match route {
            PasskeyRoute::List => "/api/passkeys".into(),
            PasskeyRoute::One(s) => format!("/api/passkeys/{}", segment(s, None)),
            PasskeyRoute::Registration => "/api/passkeys/registration".into(),
            PasskeyRoute::RegistrationFinish => "/api/passkeys/registration/finish".into(),
            PasskeyRoute::SignIn => "/api/passkeys/sign-in".into(),
            PasskeyRoute::SignInFinish => "/api/passkeys/sign-in/finish".into(),
        },
        Route::SecondFactors(route) => match route {
            SecondFactorRoute::App => "/api/authenticator-app".into(),
            SecondFactorRoute::AppConfirm => "/api/authenticator-app/confirm".into(),
            SecondFactorRoute::RecoveryCodes => "/api/recovery-codes".into(),
            SecondFactorRoute::Factors => "/api/account/factors".into(),
            SecondFactorRoute::SecondStep => "/api/session/second-factor".into(),
            SecondFactorRoute::Sessions => "/api/sessions".into(),
            SecondFactorRoute::Session(s) => format!("/api/sessions/{}", segment(s, None)),
        },
    }
}

/// The parameters, form-encoded.
fn form(params: &[(Param, Segment)], carried: &Carried) -> String {
    params
        .iter()
        .map(|(param, value)| {
            let (name, known) = match param {
                Param::ClientId => ("client_id", CLIENT_ID),
                Param::RedirectUri => ("redirect_uri", REDIRECT_URI),
                Param::ResponseType => ("response_type", "code"),
                Param::Scope => ("scope", "openid profile email"),
                Param::State => ("state", "af0ifjsldkj"),
                Param::Nonce => ("nonce", "n-0S6_WzA2Mj"),
                Param::CodeChallenge => ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
                Param::CodeChallengeMethod => ("code_challenge_method", "S256"),
                Param::Prompt => ("prompt", "none"),
                Param::MaxAge => ("max_age", "0"),
                Param::LoginHint => ("login_hint", "invited@example.org"),
                Param::UiLocales => ("ui_locales", "fr-CA ar"),
                Param::GrantType => ("grant_type", "authorization_code"),
                Param::Code => ("code", carried.code.as_deref().unwrap_or("unknown")),
                Param::CodeVerifier => ("code_verifier", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
                Param::ClientSecret => ("client_secret", "not-the-secret"),
                Param::IdTokenHint => ("id_token_hint", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"),
                Param::PostLogoutRedirectUri => ("post_logout_redirect_uri", REDIRECT_URI),
                Param::Other(name) => (name.as_str(), ""),
            };
            let value = match value {
                Segment::Known => encode(known),
                Segment::Other(text) => encode(text),
            };
            format!("{}={value}", encode(name))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Base64url without padding, as WebAuthn's JSON carries bytes.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

fn json(value: &Json, invitation: &str, carried: &Carried) -> Value {
    match value {
        Json::Text(t) => Value::String(t.clone()),
        Json::Number(n) => Value::from(*n),
        Json::Bool(b) => Value::Bool(*b),
        Json::Null => Value::Null,
        Json::List(items) => Value::from(items.clone()),
        Json::InvitedEmail => Value::from("invited@example.org"),
        Json::Password => Value::from(PASSWORD),
        Json::Code(n) => Value::from(format!("{:06}", n % 1_000_000)),
        Json::Language => Value::from("fr"),
        Json::Invitation => Value::from(invitation),
        Json::Ceremony => Value::from(carried.ceremony.as_deref().unwrap_or("unknown")),
        Json::Credential {
            id,
            client_data,
            attestation,
            authenticator_data,
            signature,
            user_handle,
        } => {
            serde_json::json!({
                "id": base64url(id),
                "rawId": base64url(id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": base64url(client_data),
                    "attestationObject": base64url(attestation),
                    "authenticatorData": base64url(authenticator_data),
                    "signature": base64url(signature),
                    "userHandle": user_handle.as_deref().map(base64url),
                },
                "clientExtensionResults": {},
            })
        }
    }
}

fn field_name(field: &Field) -> String {
    match field {
        Field::Email => "email",
        Field::Password => "password",
        Field::PasswordConfirmation => "password_confirmation",
        Field::DisplayName => "display_name",
        Field::GivenName => "given_name",
        Field::Surname => "surname",
        Field::Code => "code",
        Field::Invitation => "invitation",
        Field::Language => "language",
        Field::Organization => "organization",
        Field::Inviter => "inviter",
        Field::Ceremony => "ceremony",
        Field::Credential => "credential",
        Field::Name => "name",
        Field::RecoveryCode => "recovery_code",
        Field::Other(name) => return name.clone(),
    }
    .to_owned()
}

fn request(step: &Step, invitation: &str, carried: &Carried) -> Option<Request<Body>> {
    let method = match step.verb {
        Verb::Get => "GET",
        Verb::Post => "POST",
        Verb::Delete => "DELETE",
        Verb::Put => "PUT",
        Verb::Options => "OPTIONS",
        Verb::Head => "HEAD",
        Verb::Patch => "PATCH",
    };
    let mut builder = Request::builder()
        .method(method)
        .uri(path(&step.route, invitation, carried));
    if step.csrf_header {
        builder = builder.header(CSRF_HEADER, CSRF_HEADER_VALUE);
    }
    match &step.origin {
        Origin::None => {}
        Origin::Own => builder = builder.header(header::ORIGIN, PUBLIC_URL),
        Origin::Other(o) => builder = builder.header(header::ORIGIN, o.as_str()),
    }
    match &step.content_type {
        ContentType::Json => builder = builder.header(header::CONTENT_TYPE, "application/json"),
        ContentType::JsonUtf8 => {
            builder = builder.header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        }
        ContentType::None => {}
        ContentType::Other(t) => builder = builder.header(header::CONTENT_TYPE, t.as_str()),
    }
    match &step.admin {
        Admin::None => {}
        Admin::Right => {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {ADMIN_TOKEN}"))
        }
        Admin::Other(t) => builder = builder.header(header::AUTHORIZATION, t.as_str()),
    }
    if step.send_cookies && !carried.cookies.is_empty() {
        builder = builder.header(header::COOKIE, carried.cookies.join("; "));
    }
    if let (Route::OpenId(_, params), Verb::Post) = (&step.route, &step.verb) {
        builder = builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        let mut request = builder.body(Body::from(form(params, carried))).ok()?;
        let client = SocketAddr::from((Ipv4Addr::from(step.client), 40_000));
        request.extensions_mut().insert(ConnectInfo(client));
        return Some(request);
    }
    let body = match &step.payload {
        Payload::Fields(fields) => {
            let object: Map<String, Value> = fields
                .iter()
                .map(|(f, v)| (field_name(f), json(v, invitation, carried)))
                .collect();
            serde_json::to_vec(&object).ok()?
        }
        Payload::Raw(bytes) => bytes.clone(),
        Payload::Empty => Vec::new(),
    };
    let mut request = builder.body(Body::from(body)).ok()?;
    let client = SocketAddr::from((Ipv4Addr::from(step.client), 40_000));
    request.extensions_mut().insert(ConnectInfo(client));
    Some(request)
}

fn check(response: &Response<Body>, body: &[u8], path: &str, head: bool) {
    let status = response.status();
    let headers = response.headers();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    assert!(
        !status.is_server_error() || status == StatusCode::SERVICE_UNAVAILABLE,
        "{status} for {path}: {}",
        String::from_utf8_lossy(body)
    );
    if status == StatusCode::SERVICE_UNAVAILABLE {
        assert!(header("retry-after").is_some(), "a 503 without Retry-After");
    }
    assert!(
        !String::from_utf8_lossy(body).contains(PASSWORD),
        "{path} repeats the password"
    );
    assert!(
        header("content-security-policy").is_some_and(|csp| csp.contains("default-src")),
        "no CSP on {status} {path}"
    );
    assert_eq!(header("x-content-type-options"), Some("nosniff"), "{path}");
    // `/api/` itself is no API route: like any unknown page, the SPA's files answer it.
    if path == "/api/" {
        return;
    }
    assert!(
        header("cache-control").is_some_and(|c| c.contains("no-store")),
        "{path} may be cached"
    );
    let content_type = header("content-type").unwrap_or_default();
    let provider = path.starts_with("/api/oauth2/") || path.starts_with("/api/.well-known/");
    if provider && status.is_client_error() && !head && content_type != "application/problem+json" {
        // The OpenID Provider refuses as OAuth 2.0 says (an `error` code), or with its own
        // page (never a redirect to an unregistered uri).
        if content_type.starts_with("application/json") {
            let error: Value = serde_json::from_slice(body).expect("an OAuth error is JSON");
            assert!(error["error"].is_string(), "{status} for {path}: {error}");
        } else {
            assert!(content_type.starts_with("text/html"), "{status} for {path}: {content_type}");
            assert!(header("location").is_none(), "{path} redirects with a page");
        }
        return;
    }
    if status.is_client_error() && !head {
        assert_eq!(
            header("content-type"),
            Some("application/problem+json"),
            "{status} for {path}"
        );
        let problem: Problem = serde_json::from_slice(body).unwrap_or_else(|e| {
            panic!(
                "{status} for {path} is no problem ({e}): {}",
                String::from_utf8_lossy(body)
            )
        });
        assert_eq!(problem.status, status.as_u16(), "{path}");
        assert_eq!(problem.kind, Problem::type_uri(problem.code), "{path}");
    }
}

fuzz_target!(|steps: Vec<Step>| {
    let server = server();
    let mut carried = Carried::default();
    for step in steps.iter().take(4) {
        let Some(request) = request(step, &server.invitation, &carried) else {
            continue;
        };
        let path = request.uri().path().to_owned();
        let head = request.method() == axum::http::Method::HEAD;
        server.runtime.block_on(async {
            let response = server
                .app
                .clone()
                .oneshot(request)
                .await
                .expect("the router is infallible");
            // A redirect to the registered client carries the code the token endpoint takes.
            let location = response.headers().get(header::LOCATION).and_then(|l| l.to_str().ok());
            if let Some(code) = location
                .filter(|l| l.starts_with(REDIRECT_URI))
                .and_then(|l| l.split(['?', '&']).find_map(|p| p.strip_prefix("code=")))
            {
                carried.code = Some(code.to_owned());
            }
            for cookie in response.headers().get_all(header::SET_COOKIE) {
                if let Some(pair) = cookie.to_str().ok().and_then(|c| c.split(';').next()) {
                    carried.cookies.push(pair.to_owned());
                }
            }
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, 1 << 20)
                .await
                .expect("the answer is read whole");
            let response = Response::from_parts(parts, Body::empty());
            check(&response, &bytes, &path, head);
            if let Ok(Value::Object(answer)) = serde_json::from_slice::<Value>(&bytes) {
                if let Some(Value::String(flow)) = answer.get("flow_id") {
                    carried.flow = Some(flow.clone());
                }
                if let Some(Value::String(ceremony)) = answer.get("ceremony") {
                    carried.ceremony = Some(ceremony.clone());
                }
            }
        });
    }
});
