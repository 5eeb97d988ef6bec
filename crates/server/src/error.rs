//! The one error type of the API and its mapping to RFC 9457 problem+json. Only this file knows
//! which status code an error gets; 5xx details go to the log, never to the client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use partner_login_contract::{ErrorCode, FieldError, Problem};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// A client error with a stable code and no field.
    #[error("{0}")]
    Client(ErrorCode),
    /// Try again after so many seconds (cooldowns, caps).
    #[error("{code} (retry after {retry_after} s)")]
    TooMany { code: ErrorCode, retry_after: u32 },
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Password hashing is at its bound (the queue is full, or the client has its share in
    /// flight: `domain::passwords`): 503 `busy` with `Retry-After`.
    #[error("busy (retry after {retry_after} s)")]
    Busy { retry_after: u32 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// The stable code the answer carries (the metrics count refusals by it).
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Validation(_) => ErrorCode::ValidationFailed,
            ApiError::Client(code) | ApiError::TooMany { code, .. } => *code,
            ApiError::Unavailable(_) => ErrorCode::ServiceUnavailable,
            ApiError::Busy { .. } => ErrorCode::Busy,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                ApiError::Unavailable(err.to_string())
            }
            sqlx::Error::Database(ref db) if is_briefly_unavailable(db.as_ref()) => {
                ApiError::Unavailable(err.to_string())
            }
            other => ApiError::Internal(other.into()),
        }
    }
}

/// A database error that says "busy, try again in a moment" rather than "wrong": SQLite's
/// `SQLITE_BUSY`/`SQLITE_LOCKED` (a write lock held past the busy timeout); PostgreSQL's
/// connection exceptions (class 08), insufficient resources (class 53, e.g. too many
/// connections), shutting down or starting up (57P01-57P03) and `lock_not_available` (55P03).
fn is_briefly_unavailable(db: &dyn sqlx::error::DatabaseError) -> bool {
    use sqlx::error::DatabaseError;
    if let Some(sqlite) = db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
        // The extended result code; its low byte is the primary code.
        let code = sqlite.code().and_then(|c| c.parse::<i32>().ok());
        return matches!(code.map(|c| c & 0xff), Some(5 | 6));
    }
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        let code = pg.code();
        return code.starts_with("08")
            || code.starts_with("53")
            || matches!(code, "57P01" | "57P02" | "57P03" | "55P03");
    }
    false
}

fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        Required | EmailInvalid | TooShort | TooLong | InvalidCharacters | PasswordTooCommon
        | PasswordNeedsClasses | PasswordMismatch | CodeFormat | CodeWrong | CodeExpired
        | ValidationFailed | FlowNotVerified => StatusCode::UNPROCESSABLE_ENTITY,
        CodeExhausted | ResendCooldown | RateLimited | AccountLocked => {
            StatusCode::TOO_MANY_REQUESTS
        }
        FlowNotFound
        | InvitationNotFound
        | NotFound
        | SocialUnknownProvider
        | PasskeysUnavailable => StatusCode::NOT_FOUND,
        FlowExpired | InvitationExpired | InvitationUsed => StatusCode::GONE,
        AccountExists | PasskeyAlreadyRegistered => StatusCode::CONFLICT,
        InvalidCredentials | Unauthenticated | ReauthenticationRequired | SecondFactorRequired => {
            StatusCode::UNAUTHORIZED
        }
        Forbidden
        | CsrfRejected
        | InvitationEmailMismatch
        | AccountDisabled
        | ResetLinkRequired
        | PasskeyLimit => StatusCode::FORBIDDEN,
        BadRequest | PasskeyRefused => StatusCode::BAD_REQUEST,
        ServiceUnavailable | Busy | SocialUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        // Only ever sent in a redirect's `social_error` parameter; as a body, the provider's
        // answer is what was wrong.
        SocialDenied | SocialExpired | SocialFailed | SocialEmailUnverified => {
            StatusCode::BAD_GATEWAY
        }
        Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A problem+json response for a code.
pub fn problem_response(
    code: ErrorCode,
    errors: Vec<FieldError>,
    retry_after: Option<u32>,
) -> Response {
    problem_with_status(status_of(code), code, errors, retry_after)
}

/// A problem+json response with a status chosen by the caller (a refusal axum made before any
/// handler ran keeps the status axum gave it).
pub fn problem_with_status(
    status: StatusCode,
    code: ErrorCode,
    errors: Vec<FieldError>,
    retry_after: Option<u32>,
) -> Response {
    let body = Problem {
        kind: Problem::type_uri(code),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: None,
        code,
        errors,
        retry_after,
    };
    let mut response = (status, axum::Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    if let Some(seconds) = retry_after {
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            headers.insert(header::RETRY_AFTER, value);
        }
    }
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Validation(errors) => {
                problem_response(ErrorCode::ValidationFailed, errors, None)
            }
            ApiError::Client(code) => {
                let field = match code {
                    ErrorCode::CodeWrong | ErrorCode::CodeExpired | ErrorCode::CodeFormat => {
                        vec![FieldError::new(partner_login_contract::Field::Code, code)]
                    }
                    _ => Vec::new(),
                };
                problem_response(code, field, None)
            }
            ApiError::TooMany { code, retry_after } => {
                problem_response(code, Vec::new(), Some(retry_after))
            }
            ApiError::Busy { retry_after } => {
                problem_response(ErrorCode::Busy, Vec::new(), Some(retry_after))
            }
            ApiError::Unavailable(detail) => {
                tracing::error!(%detail, "database unavailable");
                problem_response(ErrorCode::ServiceUnavailable, Vec::new(), Some(5))
            }
            ApiError::Internal(err) => {
                tracing::error!(error = ?err, "internal error");
                problem_response(ErrorCode::Internal, Vec::new(), None)
            }
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

impl From<crate::domain::passwords::Busy> for ApiError {
    fn from(_: crate::domain::passwords::Busy) -> Self {
        ApiError::Busy {
            retry_after: crate::domain::passwords::BUSY_RETRY_SECONDS,
        }
    }
}

impl From<crate::domain::passwords::HashError> for ApiError {
    fn from(err: crate::domain::passwords::HashError) -> Self {
        match err {
            crate::domain::passwords::HashError::Busy(busy) => busy.into(),
            crate::domain::passwords::HashError::Failed(err) => ApiError::Internal(err),
        }
    }
}

/// An error of the OpenID Provider's token and userinfo endpoints, answered as OAuth 2.0 says
/// (RFC 6749 §5.2, RFC 6750 §3), since relying-party libraries read those bodies.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("invalid_request: {0}")]
    InvalidRequest(&'static str),
    /// The client is unknown or its secret wrong; `basic`: it tried HTTP Basic.
    #[error("invalid_client")]
    InvalidClient { basic: bool },
    #[error("invalid_grant: {0}")]
    InvalidGrant(&'static str),
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    /// The bearer token is missing, unknown or expired.
    #[error("invalid_token")]
    InvalidToken,
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<sqlx::Error> for OAuthError {
    fn from(err: sqlx::Error) -> Self {
        OAuthError::Api(err.into())
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let (status, error, description) = match self {
            OAuthError::Api(err) => return err.into_response(),
            OAuthError::InvalidRequest(d) => (StatusCode::BAD_REQUEST, "invalid_request", Some(d)),
            OAuthError::InvalidClient { .. } => (StatusCode::UNAUTHORIZED, "invalid_client", None),
            OAuthError::InvalidGrant(d) => (StatusCode::BAD_REQUEST, "invalid_grant", Some(d)),
            OAuthError::UnsupportedGrantType => {
                (StatusCode::BAD_REQUEST, "unsupported_grant_type", None)
            }
            OAuthError::InvalidToken => (StatusCode::UNAUTHORIZED, "invalid_token", None),
        };
        let body = partner_login_contract::api::OAuthErrorBody {
            error: error.to_owned(),
            error_description: description.map(str::to_owned),
        };
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        let challenge = match error {
            "invalid_client" => Some("Basic realm=\"partner-login\""),
            "invalid_token" => Some("Bearer error=\"invalid_token\""),
            _ => None,
        };
        if let Some(challenge) = challenge {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}
