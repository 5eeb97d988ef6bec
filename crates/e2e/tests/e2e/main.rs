//! One end-to-end test binary, a module per flow.

mod deployment;
mod sign_in;
mod signup;
mod smoke;
mod social;
