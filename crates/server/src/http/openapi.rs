//! The OpenAPI 3.1 document, generated from the handlers and the contract's types, and its
//! route. A copy is kept in the repository (`crates/server/openapi.json`); a test fails when the
//! two drift.
//!
//! The handlers are named here by `super::<module>::<handler>`: utoipa makes that path the
//! operation's tag, and the handler's name its `operationId`, both published. Moving or
//! renaming a handler changes the document.

use partner_login_contract::api::*;
use partner_login_contract::{ErrorCode, Field, FieldError, PasswordPolicy, Problem};
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::state::AppState;
use axum::routing::get;
use axum::{Json, Router};
use std::sync::OnceLock;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "partner-login",
        description = "Sign-in and sign-up API of the UN Partner Portal. Errors are RFC 9457 problem documents with a stable `code`."
    ),
    paths(
        super::meta::health,
        super::meta::ready,
        super::meta::config,
        super::invitations::view,
        super::invitations::create,
        super::admin::list_invitations,
        super::admin::revoke_invitation,
        super::admin::list_accounts,
        super::admin::show_account,
        super::admin::disable_account,
        super::admin::enable_account,
        super::admin::end_sessions,
        super::admin::delete_account,
        super::admin::unlink_identity,
        super::signup::start,
        super::signup::show,
        super::signup::resend,
        super::signup::verify,
        super::signup::complete,
        super::session::current,
        super::session::sign_in,
        super::session::sign_out,
        super::session::second_factor,
        super::session::finish_second_factor,
        super::mfa::begin_app,
        super::mfa::confirm_app,
        super::mfa::remove_app,
        super::mfa::new_recovery_codes,
        super::mfa::recovery_codes_left,
        super::mfa::factors,
        super::password_reset::start,
        super::password_reset::show,
        super::password_reset::resend,
        super::password_reset::verify,
        super::password_reset::complete,
        super::password_reset::open_link,
        super::password_reset::second_factor,
        super::password_reset::prove,
        super::password_reset::begin_passkey,
        super::password_reset::finish_passkey,
        super::social::start,
        super::social::callback,
        super::session::list,
        super::session::end,
        super::passkeys::list,
        super::passkeys::rename,
        super::passkeys::remove,
        super::passkeys::begin_registration,
        super::passkeys::finish_registration,
        super::passkeys::begin_sign_in,
        super::passkeys::finish_sign_in,
        super::openid::discovery,
        super::openid::jwks,
        super::openid::authorize,
        super::openid::authorize_form,
        super::openid::resume,
        super::openid::token,
        super::openid::userinfo,
        super::openid::userinfo_form,
        super::openid::end_session,
        super::openid::end_session_form,
    ),
    components(schemas(
        PublicConfig,
        ProviderButton,
        PasswordPolicy,
        InvitationView,
        CreateInvitationRequest,
        CreateInvitationResponse,
        AdminPageQuery,
        AccountSummary,
        AccountList,
        LinkedIdentity,
        AccountDetail,
        SessionsEnded,
        PendingInvitation,
        InvitationList,
        StartEmailCodeRequest,
        EmailCodeState,
        EmailCodeFlowView,
        VerifyCodeRequest,
        CompleteSignupRequest,
        SignInRequest,
        CompletePasswordResetRequest,
        OpenResetLinkRequest,
        Membership,
        SessionView,
        Aal,
        ActiveSession,
        SocialStartRequest,
        SocialStartView,
        PasskeyView,
        RenamePasskeyRequest,
        super::passkeys::RegistrationBegun,
        super::passkeys::SignInBegun,
        super::passkeys::FinishRegistrationRequest,
        super::passkeys::FinishSignInRequest,
        SecondFactorMethod,
        SecondFactorView,
        ResetProofView,
        SecondFactorRequest,
        AuthenticatorAppEnrolment,
        ConfirmAppRequest,
        RecoveryCodes,
        RecoveryCodesLeft,
        FactorsView,
        TokenResponse,
        OAuthErrorBody,
        Problem,
        FieldError,
        Field,
        ErrorCode,
    )),
    modifiers(&AdminToken, &AccessToken, &EveryStateChange)
)]
struct ApiDoc;

/// The `admin_token` scheme every `/api/admin/` operation names: `Authorization: Bearer`, one
/// of the comma-separated `ADMIN_TOKEN`s.
struct AdminToken;

impl Modify for AdminToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "admin_token",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
    }
}

/// The `access_token` scheme the userinfo endpoint names: `Authorization: Bearer`, a token from
/// the token endpoint.
struct AccessToken;

impl Modify for AccessToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "access_token",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
    }
}

/// What every state-changing operation of the JSON API may answer besides its own responses, documented once:
///
/// - 403 `csrf_rejected` (`csrf.rs`) without the CSRF header or from a foreign origin;
/// - 400 when the body is not JSON, 415 without `Content-Type: application/json`, and 422 when
///   the JSON does not have the body's shape. These three come from axum's `Json` extractor,
///   before the handler runs; `rejections.rs` turns them into problem+json like every other
///   error.
struct EveryStateChange;

impl Modify for EveryStateChange {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        // The OpenID Provider's endpoints are outside the CSRF check and take forms, not JSON.
        let json_api = openapi
            .paths
            .paths
            .iter_mut()
            .filter(|(path, _)| !path.starts_with("/api/oauth2/"))
            .map(|(_, item)| item);
        for item in json_api {
            for operation in [
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                add_problem(operation, "403", "The CSRF check failed (`csrf_rejected`)");
                if operation.request_body.is_some() {
                    add_problem(operation, "400", "The body is not JSON");
                    add_problem(
                        operation,
                        "415",
                        "The body is not sent as `application/json`",
                    );
                    add_problem(
                        operation,
                        "422",
                        "The body does not have this operation's shape, or a field breaks a rule",
                    );
                }
            }
        }
    }
}

/// Adds a problem+json response to an operation, keeping a response it already documents.
fn add_problem(operation: &mut Operation, status: &str, description: &str) {
    operation
        .responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/problem+json",
                        Content::new(Some(Ref::from_schema_name("Problem"))),
                    )
                    .build(),
            )
        });
}

/// The document, built once. It cannot fail to serialize (a failure would be a bug in a
/// derive); if it ever did, the server would fail loudly at start-up ([`router`] builds it)
/// instead of serving `null` (a check that passes vacuously is worse than none).
pub fn document() -> &'static serde_json::Value {
    static DOCUMENT: OnceLock<serde_json::Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document serializes")
    })
}

/// `GET /api/openapi.json`. Builds the document now, so that a broken one stops the start-up.
pub fn router() -> Router<AppState> {
    document();
    Router::new().route(paths::OPENAPI, get(serve))
}

async fn serve() -> Json<&'static serde_json::Value> {
    Json(document())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_is_an_openapi_object_not_null() {
        let document = super::document();
        assert!(document.is_object(), "{document}");
        assert_eq!(document["openapi"], "3.1.0");
        assert!(document["paths"]["/api/session"].is_object());
    }
}
