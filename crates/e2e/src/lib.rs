//! The end-to-end harness: a real server process (the release binary's sibling built by
//! `cargo xtask test`), the release SPA it serves, and headless Chromium driven over WebDriver.
//!
//! Page objects in the spirit of leptos's `todo_app_sqlite_csr/e2e/tests/fixtures`: find things
//! by their visible label or text, act, then wait for a condition (never a fixed sleep).

pub mod a11y;
pub mod browser;
pub mod django;
pub mod flows;
pub mod mail;
pub mod screens;
pub mod server;
pub mod static_site;
pub use partner_login_testkit::totp;
pub mod webauthn;

pub use browser::Browser;
pub use django::DjangoSite;
pub use server::TestServer;
pub use static_site::StaticSite;

use std::time::Duration;

/// How long any single wait in a test may last before the test fails.
pub const WAIT: Duration = Duration::from_secs(30);

/// A free TCP port on loopback, below the kernel's ephemeral range (`partner_login_testkit`'s).
pub use partner_login_testkit::free_port;
