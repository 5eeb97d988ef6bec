//! The flows as small pure state machines (no DOM, no HTTP), unit-tested natively.

pub mod password;
pub mod signup;
