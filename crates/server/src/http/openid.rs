//! The OpenID Provider over HTTP: discovery, JWKS, authorization (and its continuation),
//! token, userinfo, end-session. Outside the CSRF check of the JSON API: the token endpoint is
//! called by the relying parties' servers, and the browser arrives at the others by navigation
//! from other sites. The rules are in `domain::{authorization, tokens, logout}`.

use super::client::ClientAddress;
use super::cookies::{self, HeldAuthorization, HeldSession};
use super::refusal_page;
use crate::domain::authorization::{self, Answer, Params, Refusal};
use crate::domain::logout::{self, EndSessionParams};
use crate::domain::{claims, signing_keys, tokens};
use crate::error::{ApiResult, OAuthError};
use crate::mail::templates::MailLang;
use crate::state::AppState;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use partner_login_contract::api::{paths, TokenResponse};
use serde_json::{json, Map, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::OPENID_CONFIGURATION, get(discovery))
        .route(paths::JWKS, get(jwks))
        .route(paths::AUTHORIZE, get(authorize).post(authorize_form))
        .route(paths::AUTHORIZE_CONTINUE, get(resume))
        .route(paths::TOKEN, axum::routing::post(token))
        .route(paths::USERINFO, get(userinfo).post(userinfo_form))
        .route(paths::END_SESSION, get(end_session).post(end_session_form))
}

/// Discovery at the site's root too, for an `ISSUER_URL` that is the origin alone.
pub fn root_router() -> Router<AppState> {
    Router::new().route(paths::OPENID_CONFIGURATION, get(discovery))
}

#[utoipa::path(get, path = "/api/.well-known/openid-configuration",
    responses((status = 200, description = "The OpenID Provider's metadata (OpenID Connect Discovery 1.0)", body = Object)))]
pub async fn discovery(State(state): State<AppState>) -> Json<Value> {
    let api = state.config.api_public_url();
    Json(json!({
        "issuer": state.config.issuer(),
        "authorization_endpoint": format!("{api}{}", paths::AUTHORIZE),
        "token_endpoint": format!("{api}{}", paths::TOKEN),
        "userinfo_endpoint": format!("{api}{}", paths::USERINFO),
        "jwks_uri": format!("{api}{}", paths::JWKS),
        "end_session_endpoint": format!("{api}{}", paths::END_SESSION),
        "scopes_supported": ["openid", "profile", "email"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [signing_keys::ALG],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": ["none", "login"],
        "ui_locales_supported": MailLang::ALL.map(MailLang::tag),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "sid", "amr", "acr",
            "at_hash", "azp", "email", "email_verified", "name", "given_name", "family_name",
            "locale", claims::ORGANIZATIONS, "idp"],
        "acr_values_supported": [tokens::ACR_AAL1, tokens::ACR_AAL2],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "frontchannel_logout_supported": false,
    }))
}

#[utoipa::path(get, path = "/api/oauth2/jwks",
    responses((status = 200, description = "The public signing keys (a JWK Set), each with `kid`, `use` and `alg`", body = Object)))]
pub async fn jwks(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    Ok(Json(signing_keys::jwks(&state.db).await?))
}

/// A 303 to `location`.
fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}

/// The browser's answer to the provider's decision.
fn answer(state: &AppState, answer: Answer, lang: impl FnOnce() -> MailLang) -> Response {
    match answer {
        Answer::Redirect(to) => see_other(&to),
        Answer::SignIn { url, pending } => {
            (cookies::authorization(state, &pending), see_other(&url)).into_response()
        }
        Answer::Refuse(refusal) => refusal_page::page(lang(), refusal),
    }
}

#[utoipa::path(get, path = "/api/oauth2/authorize",
    params(("client_id" = String, Query), ("redirect_uri" = String, Query),
        ("response_type" = String, Query, description = "`code`"),
        ("scope" = String, Query, description = "Must include `openid`"),
        ("state" = Option<String>, Query), ("nonce" = Option<String>, Query),
        ("code_challenge" = Option<String>, Query, description = "PKCE (required for public clients)"),
        ("code_challenge_method" = Option<String>, Query, description = "`S256`"),
        ("prompt" = Option<String>, Query, description = "`none` or `login`"),
        ("max_age" = Option<i64>, Query), ("login_hint" = Option<String>, Query),
        ("ui_locales" = Option<String>, Query)),
    responses((status = 303, description = "To the client with `code` (or `error`), `state` and `iss`; or to the sign-in screen"),
        (status = 400, description = "An unknown client or redirect uri: a page, never a redirect", content_type = "text/html")))]
pub async fn authorize(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    params: Result<Query<Params>, QueryRejection>,
) -> ApiResult<Response> {
    let params = params.map(|Query(p)| p).map_err(|_| ());
    decide(state, held, client, headers, params).await
}

/// The authorization endpoint by `POST` (a form), as OpenID Connect Core §3.1.2.1 requires.
#[utoipa::path(post, path = "/api/oauth2/authorize",
    request_body(content_type = "application/x-www-form-urlencoded", description = "The parameters of `GET /api/oauth2/authorize`, as a form"),
    responses((status = 303, description = "As `GET`"),
        (status = 400, description = "An unknown client or redirect uri, or an unreadable form: a page, never a redirect", content_type = "text/html")))]
pub async fn authorize_form(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    params: Result<Form<Params>, FormRejection>,
) -> ApiResult<Response> {
    let params = params.map(|Form(p)| p).map_err(|_| ());
    decide(state, held, client, headers, params).await
}

async fn decide(
    state: AppState,
    held: Option<String>,
    client: String,
    headers: HeaderMap,
    params: Result<Params, ()>,
) -> ApiResult<Response> {
    let Ok(params) = params else {
        let lang = refusal_page::language(None, &headers);
        return Ok(refusal_page::page(lang, Refusal::Malformed));
    };
    let ui_locales = params.ui_locales.clone();
    let decided = authorization::authorize(&state, params, held.as_deref(), &client).await?;
    Ok(answer(&state, decided, || {
        refusal_page::language(ui_locales.as_deref(), &headers)
    }))
}

#[utoipa::path(get, path = "/api/oauth2/authorize/continue",
    responses((status = 303, description = "To the client with the code of the request this browser holds; or back to the sign-in screen"),
        (status = 400, description = "No request waiting in this browser", content_type = "text/html")))]
pub async fn resume(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
    HeldAuthorization(pending): HeldAuthorization,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let decided = authorization::resume(&state, pending.as_deref(), held.as_deref()).await?;
    let answered = matches!(decided, Answer::Redirect(_));
    let response = answer(&state, decided, || refusal_page::language(None, &headers));
    Ok(if answered {
        (cookies::end_authorization(&state), response).into_response()
    } else {
        response
    })
}

/// `Authorization: Basic` credentials, each half form-decoded (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let bad = OAuthError::InvalidClient { basic: true };
    let value = value
        .to_str()
        .map_err(|_| OAuthError::InvalidClient { basic: true })?;
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return Err(OAuthError::InvalidRequest(
            "only HTTP Basic client authentication is supported",
        ));
    };
    let decoded = STANDARD
        .decode(encoded.trim())
        .map_err(|_| OAuthError::InvalidClient { basic: true })?;
    let decoded =
        String::from_utf8(decoded).map_err(|_| OAuthError::InvalidClient { basic: true })?;
    let (id, secret) = decoded.split_once(':').ok_or(bad)?;
    let form = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok(Some((form(id), form(secret))))
}

#[utoipa::path(post, path = "/api/oauth2/token",
    request_body(content_type = "application/x-www-form-urlencoded", description = "`grant_type=authorization_code`, `code`, `redirect_uri`, `code_verifier`; `client_id` and `client_secret` unless sent by HTTP Basic"),
    responses((status = 200, body = TokenResponse),
        (status = 400, body = partner_login_contract::api::OAuthErrorBody, description = "`invalid_request`, `invalid_grant`, `unsupported_grant_type`"),
        (status = 401, body = partner_login_contract::api::OAuthErrorBody, description = "`invalid_client`")))]
pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<tokens::TokenRequest>, FormRejection>,
) -> Result<Response, OAuthError> {
    let basic = basic_credentials(&headers)?;
    let Ok(Form(request)) = form else {
        return Err(OAuthError::InvalidRequest(
            "the body must be a form with each parameter once",
        ));
    };
    let issued: TokenResponse = tokens::exchange(&state, basic, request).await?;
    Ok((
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(issued),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/oauth2/userinfo",
    security(("access_token" = [])),
    responses((status = 200, description = "The claims the access token's scopes grant", body = Object),
        (status = 401, body = partner_login_contract::api::OAuthErrorBody, description = "`invalid_token`")))]
pub async fn userinfo(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Map<String, Value>>, OAuthError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    Ok(Json(tokens::userinfo(&state, bearer).await?))
}

/// The userinfo endpoint by `POST` (OpenID Connect Core §5.3.1 allows both).
#[utoipa::path(post, path = "/api/oauth2/userinfo",
    security(("access_token" = [])),
    responses((status = 200, description = "The claims the access token's scopes grant", body = Object),
        (status = 401, body = partner_login_contract::api::OAuthErrorBody, description = "`invalid_token`")))]
pub async fn userinfo_form(
    state: State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Map<String, Value>>, OAuthError> {
    userinfo(state, headers).await
}

#[utoipa::path(get, path = "/api/oauth2/logout",
    params(("id_token_hint" = Option<String>, Query), ("client_id" = Option<String>, Query),
        ("post_logout_redirect_uri" = Option<String>, Query), ("state" = Option<String>, Query),
        ("ui_locales" = Option<String>, Query)),
    responses((status = 303, description = "Signed out: to the registered `post_logout_redirect_uri` (with `state`), or to the sign-in screen"),
        (status = 400, description = "An unregistered uri or a bad `id_token_hint`: a page, and nobody is signed out", content_type = "text/html")))]
pub async fn end_session(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
    headers: HeaderMap,
    params: Result<Query<EndSessionParams>, QueryRejection>,
) -> ApiResult<Response> {
    let params = params.map(|Query(p)| p).map_err(|_| ());
    sign_out(state, held, headers, params).await
}

/// The end-session endpoint by `POST` (a form).
#[utoipa::path(post, path = "/api/oauth2/logout",
    request_body(content_type = "application/x-www-form-urlencoded", description = "The parameters of `GET /api/oauth2/logout`, as a form"),
    responses((status = 303, description = "As `GET`"),
        (status = 400, description = "An unregistered uri, a bad `id_token_hint` or an unreadable form: a page, and nobody is signed out", content_type = "text/html")))]
pub async fn end_session_form(
    State(state): State<AppState>,
    HeldSession(held): HeldSession,
    headers: HeaderMap,
    params: Result<Form<EndSessionParams>, FormRejection>,
) -> ApiResult<Response> {
    let params = params.map(|Form(p)| p).map_err(|_| ());
    sign_out(state, held, headers, params).await
}

async fn sign_out(
    state: AppState,
    held: Option<String>,
    headers: HeaderMap,
    params: Result<EndSessionParams, ()>,
) -> ApiResult<Response> {
    let Ok(params) = params else {
        let lang = refusal_page::language(None, &headers);
        return Ok(refusal_page::page(lang, Refusal::Malformed));
    };
    let ui_locales = params.ui_locales.clone();
    let decided = logout::end_session(&state, params, held.as_deref()).await?;
    let signed_out = matches!(decided, Answer::Redirect(_));
    let response = answer(&state, decided, || {
        refusal_page::language(ui_locales.as_deref(), &headers)
    });
    Ok(if signed_out {
        (cookies::end_session(&state), response).into_response()
    } else {
        response
    })
}
