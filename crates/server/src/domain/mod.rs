//! The rules of the flows, independent of HTTP.

pub mod limits;
pub mod lockout;
pub mod passwords;
pub mod secrets;
