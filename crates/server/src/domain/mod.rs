//! The rules of the flows, independent of HTTP.

pub mod passwords;
pub mod secrets;
