//! One end-to-end test binary, a module per flow.

mod sign_in;
mod signup;
mod smoke;
