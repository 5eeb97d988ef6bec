//! Every field of every form, declared once: id, label, contract field, rule, input purpose.
//! The rules are the contract crate's parsers (the server runs the same ones as the truth).

use super::{FieldSpec, Form};
use crate::components::field::FieldProblem;
use crate::i18n::Msg;
use partner_login_contract::name::NAME_MAX_CHARS;
use partner_login_contract::password::check_confirmation;
use partner_login_contract::{Email, ErrorCode, Field, PersonName, VerificationCode};

fn email(typed: &str, _: &Form) -> FieldProblem {
    parse_email(typed).err().map(|c| (c, None))
}

/// The contract's [`Email::parse`], lower-cased by the browser: `toLowerCase` is Unicode's
/// default case mapping, as Rust's `to_lowercase`, and core's case tables stay out of the WASM
/// (issue 21: 15 KB, 5.3 KB brotli of the sign-in WASM). The server parses again with its own.
pub fn parse_email(typed: &str) -> Result<Email, ErrorCode> {
    #[cfg(target_arch = "wasm32")]
    let lowered = String::from(js_sys::JsString::from(typed.trim()).to_lower_case());
    #[cfg(not(target_arch = "wasm32"))]
    let lowered = typed.trim().to_lowercase();
    Email::parse_lowered(lowered)
}

fn required(typed: &str, _: &Form) -> FieldProblem {
    typed.is_empty().then_some((ErrorCode::Required, None))
}

fn code(typed: &str, _: &Form) -> FieldProblem {
    VerificationCode::parse(typed).err().map(|c| (c, None))
}

fn new_password(typed: &str, form: &Form) -> FieldProblem {
    form.policy().check(typed).err()
}

fn confirmation(typed: &str, form: &Form) -> FieldProblem {
    check_confirmation(&form.value_of(&NEW_PASSWORD), typed)
        .err()
        .map(|c| (c, None))
}

fn name(typed: &str, _: &Form) -> FieldProblem {
    PersonName::parse(typed).err().map(|c| {
        let limit = (c == ErrorCode::TooLong).then_some(NAME_MAX_CHARS as u32);
        (c, limit)
    })
}

pub static EMAIL: FieldSpec = FieldSpec {
    id: "email",
    label: Msg::EMAIL_ADDRESS,
    field: Field::Email,
    rule: email,
    kind: "email",
    autocomplete: "email",
    inputmode: Some("email"),
};

/// Sign-in's password: only required (the policy applies to new passwords).
pub static PASSWORD: FieldSpec = FieldSpec {
    id: "password",
    label: Msg::PASSWORD,
    field: Field::Password,
    rule: required,
    kind: "password",
    autocomplete: "current-password",
    inputmode: None,
};

pub static CODE: FieldSpec = FieldSpec {
    id: "code",
    label: Msg::VERIFICATION_CODE,
    field: Field::Code,
    rule: code,
    kind: "text",
    autocomplete: "one-time-code",
    inputmode: Some("numeric"),
};

pub static NEW_PASSWORD: FieldSpec = FieldSpec {
    id: "new-password",
    label: Msg::NEW_PASSWORD,
    field: Field::Password,
    rule: new_password,
    kind: "password",
    autocomplete: "new-password",
    inputmode: None,
};

pub static CONFIRM_PASSWORD: FieldSpec = FieldSpec {
    id: "confirm-password",
    label: Msg::CONFIRM_NEW_PASSWORD,
    field: Field::PasswordConfirmation,
    rule: confirmation,
    kind: "password",
    autocomplete: "new-password",
    inputmode: None,
};

pub static DISPLAY_NAME: FieldSpec = FieldSpec {
    id: "display-name",
    label: Msg::DISPLAY_NAME,
    field: Field::DisplayName,
    rule: name,
    kind: "text",
    autocomplete: "nickname",
    inputmode: None,
};

pub static GIVEN_NAME: FieldSpec = FieldSpec {
    id: "given-name",
    label: Msg::GIVEN_NAME,
    field: Field::GivenName,
    rule: name,
    kind: "text",
    autocomplete: "given-name",
    inputmode: None,
};

pub static SURNAME: FieldSpec = FieldSpec {
    id: "surname",
    label: Msg::SURNAME,
    field: Field::Surname,
    rule: name,
    kind: "text",
    autocomplete: "family-name",
    inputmode: None,
};
