//! English: the user guide's screen strings, word for word.

use super::Msg;
use partner_login_contract::ErrorCode as E;

pub fn text(msg: Msg) -> &'static str {
    match msg {
        Msg::PortalName => "UN Partner Portal",
        Msg::LanguageLabel => "Language",
        Msg::SocialHeading => "Sign in with your social account",
        Msg::Or => "OR",
        Msg::ExistingHeading => "Sign in with your existing account",
        Msg::EmailAddress => "Email Address",
        Msg::Password => "Password",
        Msg::ForgotPassword => "Forgot your password?",
        Msg::SignIn => "Sign in",
        Msg::NoAccount => "Don't have an account?",
        Msg::SignUpNow => "Sign up now",
        Msg::VerificationNecessary => "Verification is necessary. Please click Send button.",
        Msg::SendVerificationCode => "Send verification code",
        Msg::NewPassword => "New Password",
        Msg::ConfirmNewPassword => "Confirm New Password",
        Msg::DisplayName => "Display Name",
        Msg::GivenName => "Given Name",
        Msg::Surname => "Surname",
        Msg::Create => "Create",
        Msg::Cancel => "Cancel",
        Msg::CodeSentInfo => {
            "Verification code has been sent to your inbox. Please copy it to the input box below."
        }
        Msg::VerificationCode => "Verification code",
        Msg::VerifyCode => "Verify code",
        Msg::SendNewCode => "Send new code",
        Msg::SendNewCodeIn => "Send new code ({seconds} s)",
        Msg::EmailVerified => "E-mail address verified. You can now continue.",
        Msg::ChangeEmail => "Change e-mail",
        Msg::ShowPassword => "Show password",
        Msg::HidePassword => "Hide password",
        Msg::PasswordHint => {
            "At least {min} characters; {recommended} or more is best. Any characters, spaces included."
        }
        Msg::PasswordBelowRecommended => {
            "Long enough. A password of {recommended} characters or more is harder to guess."
        }
        Msg::PasswordTooShortCount => "{count} characters: at least {min} needed.",
        Msg::PasswordGood => "Good: a long password is hard to guess.",
        Msg::Busy => "Please wait…",
        Msg::DevMailbox => "Open the development mailbox (new tab)",
        Msg::SignUpHeading => "Sign up",
        Msg::InvitationNeededHeading => "This email address has not been invited",
        Msg::InvitationNeededFor => {
            "You signed in as {email}, but there is no account and no invitation for this address on the UN Partner Portal."
        }
        Msg::InvitationNeededUnknown => {
            "There is no account and no invitation for the address of that account on the UN Partner Portal."
        }
        Msg::InvitationNeededAdvice => {
            "Ask your organization's administrator to invite this address, or sign in with another account."
        }
        Msg::InvitationHeading => "You have been invited",
        Msg::InvitedBy => {
            "You have been invited by {inviter} to join {organization} on the UN Partner Portal."
        }
        Msg::Invited => "You have been invited to join {organization} on the UN Partner Portal.",
        Msg::InvitationFor => "This invitation is for {email}.",
        Msg::InvitationProblemHeading => "This invitation cannot be used",
        Msg::AskAdministrator => {
            "Ask your organization's administrator to send you a new invitation."
        }
        Msg::Welcome => "Welcome, {name}",
        Msg::Organization => "Organization",
        Msg::SignOut => "Sign out",
        Msg::ContinueToPortal => "Continue to the portal",
        Msg::Loading => "Loading…",
        Msg::NotFoundHeading => "Page not found",
        Msg::BackToSignIn => "Back to sign in",
        Msg::ForgotHeading => "Forgot your password?",
        Msg::Continue => "Continue",
        Msg::ConfigMissing => {
            "This sign-in page is not set up: its configuration file (config.json) cannot be found. Please tell the portal's administrators."
        }
        Msg::ConfigBroken => {
            "This sign-in page is not set up correctly: its configuration file (config.json) cannot be read. Please tell the portal's administrators."
        }
        Msg::TryAgainInSeconds => "Try again in {seconds} s.",
        Msg::TryAgainInMinutes => "Try again in {minutes} min.",
        Msg::NetworkError => {
            "The portal cannot be reached. Check your connection and try again; what you typed is kept."
        }
        Msg::Error(code) => error(code),
    }
}

fn error(code: E) -> &'static str {
    match code {
        E::Required => "This field is required.",
        E::EmailInvalid => "Enter an email address such as name@example.org.",
        E::TooShort => "Too short: at least {limit} characters.",
        E::TooLong => "Too long: at most {limit} characters.",
        E::InvalidCharacters => "This contains characters that cannot be used here.",
        E::PasswordTooCommon => {
            "This password is one of the most common passwords, which attackers try first. Choose another."
        }
        E::PasswordNeedsClasses => {
            "Use at least 3 of: lower-case letters, upper-case letters, digits, symbols."
        }
        E::PasswordMismatch => "The two passwords are not the same.",
        E::CodeFormat => "The code has 6 digits.",
        E::CodeWrong => "That code is not right. Check the latest email and try again.",
        E::CodeExpired => "That code has expired. Click \"Send new code\".",
        E::CodeExhausted => "Too many wrong codes. Click \"Send new code\" to get a new one.",
        E::ResendCooldown => "Please wait a moment before asking for a new code.",
        E::FlowNotFound | E::FlowExpired => {
            "This request has expired. Enter your email address again to get a new code."
        }
        E::FlowNotVerified => "Verify your email address first.",
        E::InvitationNotFound => "This invitation link is not valid.",
        E::InvitationExpired => "This invitation has expired.",
        E::InvitationUsed => "This invitation has already been used.",
        E::InvitationEmailMismatch => {
            "This invitation was sent to another email address. Sign in with that address."
        }
        E::AccountExists => {
            "An account already exists for this email address. Sign in instead, or reset your password."
        }
        E::InvalidCredentials => "The email address or the password is not right.",
        E::AccountLocked => {
            "Too many failed attempts: sign-in for this email address is paused for a while, to keep the account safe."
        }
        E::Unauthenticated => "Please sign in.",
        E::Forbidden | E::CsrfRejected => "This request was refused. Reload the page and try again.",
        E::RateLimited => "Too many attempts from this network. Please wait and try again.",
        E::ValidationFailed => "Some fields need your attention.",
        E::BadRequest | E::NotFound => "Something went wrong. Reload the page and try again.",
        E::ServiceUnavailable | E::Internal => {
            "The portal is having a problem. Try again in a moment; what you typed is kept."
        }
        E::SocialUnknownProvider => "This sign-in option is no longer offered. Reload the page.",
        E::SocialUnavailable => {
            "This sign-in option cannot be reached right now. Try again in a moment, or sign in with your email address."
        }
        E::SocialDenied => "Sign-in was cancelled. Choose an option to try again.",
        E::SocialExpired => {
            "That sign-in took too long, or was started in another browser. Please try again."
        }
        E::SocialFailed => {
            "The answer of your account provider could not be checked. Please try again, or sign in with your email address."
        }
        E::SocialEmailUnverified => {
            "Your account provider has not confirmed your email address, so it cannot be used here. Confirm it there, or sign in with your email address."
        }
    }
}
