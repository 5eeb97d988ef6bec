//! The rules of the flows, independent of HTTP: one module per flow, named as a user names it,
//! with functions that take plain values and the state and return domain results. Nothing here
//! knows axum or `http/`; status codes live only in `error.rs`.
//!
//! Flows: `sign_in` (with its lockout, `lockout`), `email_code` (start, show, resend, verify:
//! both kinds) and each kind's last step (`sign_up`, "Create"; `password_reset`, "Continue"),
//! `invitation` (create, view, accept: written once, with its `Acceptance` policy),
//! `social_link`, `session`, `active_sessions` (the person's list of their sessions, and
//! ending one). The OpenID Provider: `authorization` (the authorization endpoint
//! and its continuation after any way in), `tokens` (token and userinfo endpoints), `logout`
//! (sign-out everywhere, end-session, back-channel logout), `clients` (the registered relying
//! parties), `claims` (what is said about a person), `signing_keys` (the keys and the JWTs they
//! sign). Administration: `admin` (who may: the admin token, the command line) and `accounts`
//! (list, show, disable, enable, end sessions, unlink, delete). Helpers: `limits` (the one "N an hour, then 429" mechanism),
//! `new_password`, `passwords`, `secrets`, `notify` (the owner told of a new way in).

pub mod accounts;
pub mod active_sessions;
pub mod admin;
pub mod attempts;
pub mod authorization;
pub mod claims;
pub mod clients;
pub mod email_code;
pub mod invitation;
pub mod limits;
pub mod lockout;
pub mod logout;
pub mod mfa;
pub mod new_password;
pub mod notify;
pub mod passkeys;
pub mod password_reset;
pub mod passwords;
pub mod policy;
pub mod redirect;
pub mod secrets;
pub mod session;
pub mod sign_in;
pub mod sign_up;
pub mod signing_keys;
pub mod social_link;
pub mod tokens;
pub mod totp;
