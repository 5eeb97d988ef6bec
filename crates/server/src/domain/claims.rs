//! What the OpenID Provider says about a person: the claims of ID tokens and of the userinfo
//! endpoint (OpenID Connect Core §5.1, §5.4), the same in both, by the scopes granted.
//!
//! - `sub`: the account's id (random, stable, never the email: §5.7).
//! - `profile` scope: `name` (the Display Name), `given_name`, `family_name` (the Surname),
//!   `locale` (when known).
//! - `email` scope: `email`, `email_verified` (always true: an account's address is proven by
//!   an emailed code, or by a provider that vouches for it).
//! - Always: `organizations` (the organizations the person belongs to, an array of names) and
//!   `idp` (`local`, or the social provider's id exactly as configured): the portal decides
//!   agency membership from `idp` and the email's domain.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage;
use serde_json::{Map, Value};

/// The name of the claim listing the person's organizations.
pub const ORGANIZATIONS: &str = "organizations";

/// The claims about `account_id` that `scope` grants, with `idp`.
pub async fn of(
    state: &AppState,
    account_id: &str,
    scope: &str,
    idp: &str,
) -> ApiResult<Map<String, Value>> {
    let account = storage::accounts::by_id(&state.db, account_id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the account of a grant is gone")))?;
    let organizations = storage::accounts::organizations(&state.db, account_id).await?;
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let mut claims = Map::new();
    claims.insert("sub".into(), account.id.into());
    if scopes.contains(&"profile") {
        claims.insert("name".into(), account.display_name.into());
        claims.insert("given_name".into(), account.given_name.into());
        claims.insert("family_name".into(), account.surname.into());
        if let Some(locale) = account.locale {
            claims.insert("locale".into(), locale.into());
        }
    }
    if scopes.contains(&"email") {
        claims.insert("email".into(), account.email.into());
        claims.insert("email_verified".into(), true.into());
    }
    claims.insert(ORGANIZATIONS.into(), organizations.into());
    claims.insert("idp".into(), idp.into());
    Ok(claims)
}
