//! Who may administer: the operator at the server's command line, or a caller of the admin API
//! with one of the `ADMIN_TOKEN`s. Every administration function of `domain/` takes an
//! [`Admin`], which only [`authorize`] (the API) and [`Admin::operator`] (the CLI) make.

use crate::audit::{Action, Audit, Outcome};
use crate::domain::secrets;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage;
use partner_login_contract::ErrorCode;

/// Proof that the caller may administer.
#[derive(Debug)]
pub struct Admin(());

impl Admin {
    /// The operator at the command line: whoever can run the server's binary against its
    /// database already holds every secret the admin token protects.
    pub fn operator() -> Self {
        Admin(())
    }
}

/// Checks the bearer token an admin API caller presented (`None`: none at all), on every call.
///
/// A client that presented wrong tokens is refused for the hour, even with the right one
/// (ASVS 5.0 V2.4.1: guessing the token is not a way in). No credentials at all is 401 (RFC
/// 9110 §15.5.2); wrong ones are 403 and logged (ASVS 5.0 V16.3.2).
pub async fn authorize(
    state: &AppState,
    presented: Option<&str>,
    client: &str,
) -> ApiResult<Admin> {
    let now = storage::now();
    let refusals = state.config.admin_refusal_limit();
    // Counted as a refusal before the comparison and forgotten when the token is right, so
    // that concurrent wrong tokens cannot pass the limit together (ASVS 5.0 V2.4.1).
    let refusal = refusals.take(&state.db, client, now).await?;
    let Some(presented) = presented else {
        refusal.forget(&state.db).await?;
        return Err(ApiError::Client(ErrorCode::Unauthenticated));
    };
    if !token_matches(&state.config.admin_tokens(), presented) {
        Audit::new(Action::AdminToken, Outcome::Refused).emit();
        refusal.keep();
        return Err(ApiError::Client(ErrorCode::Forbidden));
    }
    refusal.forget(&state.db).await?;
    Ok(Admin(()))
}

/// Whether `presented` is one of the configured tokens (several, so that one can be replaced
/// without downtime). Each is compared as a SHA-256 in constant time, and every one is compared
/// whichever matches (ASVS 5.0 V11.2.4: no timing oracle on the token, nor on which one).
fn token_matches(tokens: &[&str], presented: &str) -> bool {
    let presented = secrets::hash(presented);
    tokens.iter().fold(false, |matched, token| {
        matched | secrets::same(&presented, &secrets::hash(token))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_configured_token_matches_and_nothing_else() {
        let tokens = ["old-token-0123456789", "new-token-0123456789"];
        assert!(token_matches(&tokens, "old-token-0123456789"));
        assert!(token_matches(&tokens, "new-token-0123456789"));
        assert!(!token_matches(&tokens, "new-token-012345678"));
        assert!(!token_matches(&tokens, ""));
        assert!(!token_matches(
            &tokens,
            "old-token-0123456789,new-token-0123456789"
        ));
        assert!(
            !token_matches(&[], "anything"),
            "no token: the admin API is off"
        );
    }
}
