//! The last step of sign-up (user guide steps 3 to 6): "Create", on a verified email-code flow
//! (`domain::email_code`): names and a password make the account, and the person is signed in.

use crate::audit::{self, Action, Outcome};
use crate::domain::email_code;
use crate::domain::invitation::{self, Acceptance};
use crate::domain::new_password;
use crate::domain::secrets;
use crate::domain::session::{self, NewSession, WayIn};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage::{self, accounts::NewAccount};
use partner_login_contract::api::{CompleteSignupRequest, EmailCodeKind};
use partner_login_contract::{ErrorCode, FieldError, PersonName};

/// Checks every field of "Create" at once, so the form can show all its errors together.
fn validate(state: &AppState, request: &CompleteSignupRequest) -> Vec<FieldError> {
    let mut errors = new_password::errors(
        &state.config,
        &request.password,
        &request.password_confirmation,
    );
    for (field, value) in [
        (
            partner_login_contract::Field::DisplayName,
            &request.display_name,
        ),
        (
            partner_login_contract::Field::GivenName,
            &request.given_name,
        ),
        (partner_login_contract::Field::Surname, &request.surname),
    ] {
        if let Err(code) = PersonName::parse(value) {
            let limit = (code == ErrorCode::TooLong)
                .then_some(partner_login_contract::name::NAME_MAX_CHARS as u32);
            errors.push(FieldError { field, code, limit });
        }
    }
    errors
}

/// "Create": the account of the flow's verified address, a member of the invitation's
/// organization if the flow has one; signed in at once, ending the session the browser held
/// (`held`). Returns the new session and the account id. `client`: the client address, which
/// has a share of password hashes in flight (`Passwords::admit`).
pub async fn create(
    state: &AppState,
    flow_id: &str,
    request: &CompleteSignupRequest,
    client: &str,
    held: Option<&str>,
) -> ApiResult<(NewSession, String)> {
    let flow = email_code::verified_flow(state, EmailCodeKind::SignUp, flow_id).await?;
    let errors = validate(state, request);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let invitation = invitation::by_id(state, flow.invitation_id.as_deref()).await?;
    // Before the (slow) password hash: an invitation used or expired meanwhile is the answer.
    if let Some(invitation) = &invitation {
        invitation::check_usable(invitation)?;
    }
    // ASVS 5.0 V2.4.1: the password (at most 256 characters, checked above) is hashed within
    // the client's share of hashes in flight.
    let _in_flight = state.passwords.admit(client)?;
    let password_hash = state.passwords.hash(request.password.clone()).await?;
    let account_id = secrets::new_token();
    let now = storage::now();
    let mut tx = state.db.begin().await?;
    // One account per flow and per email, even on a double click (unique constraint + the
    // completed_at guard, in one transaction).
    if !storage::email_code_flows::mark_completed(&mut tx, &flow.id_hash, now).await? {
        return Err(ApiError::Client(ErrorCode::AccountExists));
    }
    let new = NewAccount {
        id: &account_id,
        email: &flow.email,
        password_hash: &password_hash,
        display_name: request.display_name.trim(),
        given_name: request.given_name.trim(),
        surname: request.surname.trim(),
    };
    if let Err(err) = storage::accounts::insert(&mut tx, &new, now).await {
        return Err(if storage::is_unique_violation(&err) {
            ApiError::Client(ErrorCode::AccountExists)
        } else {
            err.into()
        });
    }
    if let Some(language) = &flow.language {
        storage::accounts::set_locale(&mut tx, &account_id, language).await?;
    }
    if let Some(invitation) = &invitation {
        let policy = Acceptance::SameAddressRequired;
        invitation::accept(&mut tx, &account_id, &flow.email, invitation, policy, now).await?;
    }
    // The session the browser held, if any, ends (ASVS 5.0 V7.2.4).
    // A new account's credential version is the column's default, 0.
    let session =
        session::start(state, &mut tx, held, &account_id, 0, WayIn::Password, now).await?;
    tx.commit().await?;
    audit::emit(Action::SignUp, Outcome::Success, Some(&account_id));
    Ok((session, account_id))
}
