//! One end-to-end test binary, a module per flow.

mod accessibility;
mod branding;
mod deployment;
mod enrolment;
mod keyboard;
mod languages;
mod openid;
mod passkeys;
mod pointer;
mod portal;
mod screens;
mod shell;
mod sign_in;
mod signup;
mod smoke;
mod social;
mod split;
