//! The password policy in force and the checks of a new password: the last step of both kinds
//! of email-code flow ("Create", "Continue").

use crate::config::Config;
use crate::domain::passwords;
use partner_login_contract::password::check_confirmation;
use partner_login_contract::{ErrorCode, Field, FieldError, PasswordPolicy};

/// The policy in force: the standard one, or B2C's classes when the operator asks.
pub fn policy(config: &Config) -> PasswordPolicy {
    PasswordPolicy {
        require_three_classes: config.password_require_three_classes,
        ..PasswordPolicy::STANDARD
    }
}

/// The checks of a new password: the configured policy (length, NIST SP 800-63B-4 §3.1.1.2),
/// the common-password blocklist (ASVS 5.0 V6.2.4), and the confirmation.
pub fn errors(config: &Config, password: &str, confirmation: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Err((code, limit)) = policy(config).check(password) {
        errors.push(FieldError {
            field: Field::Password,
            code,
            limit,
        });
    } else if passwords::is_common(password) {
        errors.push(FieldError::new(
            Field::Password,
            ErrorCode::PasswordTooCommon,
        ));
    }
    if let Err(code) = check_confirmation(password, confirmation) {
        errors.push(FieldError::new(Field::PasswordConfirmation, code));
    }
    errors
}
