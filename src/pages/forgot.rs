//! "Forgot your password?": the email-code form, ending with New Password, Confirm New Password
//! and "Continue", which signs in.

use crate::pages::email_code::EmailCodeFlow;
use leptos::prelude::*;
use partner_login_contract::api::EmailCodeKind;

#[component]
pub fn Forgot() -> impl IntoView {
    view! { <EmailCodeFlow kind=EmailCodeKind::PasswordReset /> }
}
