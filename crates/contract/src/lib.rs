//! The contract between the partner-login SPA and its reference backend.
//!
//! Architecture invariant: this crate depends on `serde` alone (plus `utoipa` behind the
//! `openapi` feature, which only the server enables). It knows nothing of HTTP status codes,
//! SQL or the DOM. Both sides call the same `parse` functions: the form for instant feedback,
//! the server as the truth ("parse, don't validate").

pub mod api;
pub mod brand;
pub mod code;
pub mod config_file;
pub mod email;
pub mod error;
pub mod language;
pub mod name;
pub mod password;
pub mod quoted;

pub use code::VerificationCode;
pub use email::Email;
pub use error::{ErrorCode, Field, FieldError, Problem};
pub use language::LanguageTag;
pub use name::{NameKind, PersonName};
pub use password::{Password, PasswordPolicy};
pub use quoted::Quoted;
