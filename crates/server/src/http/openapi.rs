//! The OpenAPI 3.1 document, generated from the handlers and the contract's types. A copy is
//! kept in the repository (`crates/server/openapi.json`); a test fails when the two drift.

use partner_login_contract::api::*;
use partner_login_contract::{ErrorCode, Field, FieldError, PasswordPolicy, Problem};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "partner-login",
        description = "Sign-in and sign-up API of the UN Partner Portal. Errors are RFC 9457 problem documents with a stable `code`."
    ),
    paths(
        super::meta::health,
        super::meta::config,
        super::invitations::view,
        super::invitations::create,
        super::signup::start,
        super::signup::show,
        super::signup::resend,
        super::signup::verify,
        super::signup::complete,
        super::session::current,
        super::session::sign_in,
        super::session::sign_out,
        super::password_reset::start,
        super::password_reset::show,
        super::password_reset::resend,
        super::password_reset::verify,
        super::password_reset::complete,
        super::social::start,
        super::social::callback,
    ),
    components(schemas(
        PublicConfig,
        ProviderButton,
        PasswordPolicy,
        InvitationView,
        CreateInvitationRequest,
        CreateInvitationResponse,
        StartSignupRequest,
        SignupState,
        SignupFlowView,
        VerifyCodeRequest,
        CompleteSignupRequest,
        SignInRequest,
        CompletePasswordResetRequest,
        Membership,
        SessionView,
        SocialStartRequest,
        SocialStartView,
        Problem,
        FieldError,
        Field,
        ErrorCode,
    ))
)]
struct ApiDoc;

pub fn document() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
}
