//! The flows as small pure state machines (no DOM, no HTTP), unit-tested natively.

pub mod email_code;
pub mod password;
