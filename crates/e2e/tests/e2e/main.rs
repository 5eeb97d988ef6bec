//! One end-to-end test binary, a module per flow.

mod signup;
mod smoke;
