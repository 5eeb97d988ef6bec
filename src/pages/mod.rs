//! One module per route.

pub mod authenticator_app;
pub mod config_error;
pub mod email_code;
pub mod forgot;
pub mod invitation;
pub mod invitation_needed;
pub mod not_found;
pub mod passkeys;
pub mod portal;
pub mod protect;
pub mod second_factor;
pub mod security;
pub mod sign_in;
pub mod sign_up;
