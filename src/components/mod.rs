//! Pieces every screen shares.

pub mod card;
pub mod error_summary;
pub mod field;
pub mod lang_switch;
pub mod resend;
pub mod second_proof;
