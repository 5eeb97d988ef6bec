//! `cargo xtask setup`: installs every tool the project needs, each only when missing or at the
//! wrong version, so a second run takes a second. Nothing is downloaded from GitHub: Rust tools
//! come from crates.io, wasm-opt, terser and the tests' OpenID provider and relying party from
//! the npm registry, schemathesis, Django, aiosmtpd and trustme from PyPI (into a
//! virtualenv), Chromium, PostgreSQL and nginx from Debian.

use crate::cmd::{self, command, output, Result};
use std::path::Path;

/// The Trunk release this project is built with (0.22 needs a newer rustc).
pub const TRUNK_VERSION: &str = "0.21.14";
/// binaryen's wasm-opt from npm; Debian's binaryen 108 corrupts reference-types output.
pub const BINARYEN_VERSION: &str = "132";
/// panva's oidc-provider (OpenID Certified): the real OpenID provider of the social sign-in tests.
pub const OIDC_PROVIDER_VERSION: &str = "9.13.3";
/// panva's openid-client (OpenID Certified relying party): the test relying party that drives
/// our own OpenID Provider end to end (`crates/testkit/oidc/rp.mjs`).
pub const OPENID_CLIENT_VERSION: &str = "6.9.0";
/// Deque's axe-core: the WCAG 2.2 AA rules the end-to-end accessibility checks run in Chromium
/// (`crates/e2e/src/a11y.rs` injects its `axe.min.js`).
pub const AXE_CORE_VERSION: &str = "4.10.3";
/// terser, the JavaScript minifier of release builds (Trunk's post_build hook,
/// hooks/full-app.mjs): the wasm-bindgen glue, boot.js and shell.js (issue 21: 2.5 KB brotli
/// less on the first load). Every build needs it, so every purpose installs it.
pub const TERSER_VERSION: &str = "5.51.4";
/// puppeteer-core, which drives Debian's Chromium in the front-end bench: the last 24.x
/// (25 needs Node 22; Node 20 is installed). Lighthouse's own dependency resolves to it.
pub const PUPPETEER_CORE_VERSION: &str = "24.43.1";
/// Lighthouse for the front-end bench's mobile scores: the last 12.x (13 needs Node 22.19).
pub const LIGHTHOUSE_VERSION: &str = "12.8.2";
/// Schemathesis, which fuzzes the running server against its own OpenAPI document
/// (`xtask/src/schemathesis.rs`): from PyPI, in the virtualenv `tools/venv`.
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// The real Django relying party of the end-to-end tests (`crates/e2e/django/`, started by
/// `crates/e2e/src/django.rs`): the UN Partner Portal's stack, python-social-auth's generic
/// OpenID Connect backend, from PyPI into the same virtualenv `tools/venv`.
pub const DJANGO_VERSION: &str = "5.2.19";
pub const SOCIAL_AUTH_APP_DJANGO_VERSION: &str = "8.0.0";
pub const SOCIAL_AUTH_CORE_VERSION: &str = "7.0.0";

/// The real SMTP relay with STARTTLS, implicit TLS and AUTH of the mail tests
/// (`crates/testkit/smtp/relay.py`, started by `crates/testkit/src/aiosmtpd.rs`) and the
/// throwaway certificate authority of its certificate, from PyPI into `tools/venv`.
pub const AIOSMTPD_VERSION: &str = "1.4.6";
pub const TRUSTME_VERSION: &str = "1.2.1";

/// twiggy, the WASM code size profiler: the bench's breakdown of the WASM by crate and
/// function (`xtask/src/bench/wasm.rs`).
pub const TWIGGY_VERSION: &str = "0.8.0";

/// cargo-fuzz (libFuzzer driver) for `cargo xtask fuzz` and the fuzz step of `cargo xtask test`.
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Build and serve the app: Rust tools only.
    Serve,
    /// Everything, including the browser and PostgreSQL the tests drive.
    Test,
    /// The browser and the npm tools `cargo xtask bench` drives.
    Bench,
}

impl Purpose {
    pub fn from_args(args: &[String]) -> Self {
        match args {
            [flag, what] if flag == "--for" && what == "serve" => Purpose::Serve,
            [flag, what] if flag == "--for" && what == "bench" => Purpose::Bench,
            _ => Purpose::Test,
        }
    }
}

pub fn run(purpose: Purpose) -> Result {
    wasm_target()?;
    rust_src()?;
    crate_sources()?;
    trunk()?;
    wasm_bindgen()?;
    wasm_opt()?;
    npm_package("terser", TERSER_VERSION)?;
    if purpose != Purpose::Serve {
        debian_packages()?;
    } else if !Path::new("/usr/bin/chromium").exists() {
        // Every SPA build renders the sign-in shell with it (crate::shell).
        apt_install(&["chromium"])?;
    }
    if purpose == Purpose::Test {
        npm_package("oidc-provider", OIDC_PROVIDER_VERSION)?;
        npm_package("openid-client", OPENID_CLIENT_VERSION)?;
        npm_package("axe-core", AXE_CORE_VERSION)?;
        schemathesis()?;
        django()?;
        smtp_relay()?;
        cargo_fuzz()?;
    }
    if purpose == Purpose::Bench {
        twiggy()?;
        npm_package("puppeteer-core", PUPPETEER_CORE_VERSION)?;
        npm_package("lighthouse", LIGHTHOUSE_VERSION)?;
    }
    eprintln!("setup: all tools present");
    Ok(())
}

/// The standard library's source, which the release SPA's WASM is compiled from
/// (`crate::serve::release_wasm_env`: `-Zbuild-std`).
fn rust_src() -> Result {
    let installed = output("rustup", &["component", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|l| l.trim().starts_with("rust-src")) {
        return Ok(());
    }
    cmd::run(command("rustup", &["component", "add", "rust-src"]))
}

/// Trunk builds offline (Trunk.toml's `offline`), so every crate its cargo compiles must be in
/// cargo's cache before the first SPA build: the workspace's, for every target (`Cargo.lock`:
/// a native build alone never downloads the WASM-only crates), and the standard library's own
/// (rust-src's `library/Cargo.lock`, which `-Zbuild-std` compiles: `moto-rt`, `hashbrown`…).
/// Without the second, the first release build of a fresh machine stops at "no matching
/// package named `moto-rt`". A second run downloads nothing.
fn crate_sources() -> Result {
    cmd::run(command("cargo", &["fetch", "--locked"]))?;
    let sysroot = output("rustc", &["--print", "sysroot"]).ok_or("rustc --print sysroot failed")?;
    let library = Path::new(&sysroot).join("lib/rustlib/src/rust/library/Cargo.toml");
    let library = library.to_string_lossy();
    let mut fetch = command("cargo", &["fetch", "--locked", "--manifest-path", &library]);
    // library/Cargo.toml declares `cargo-features = ["profile-rustflags"]`.
    fetch.env("RUSTC_BOOTSTRAP", "1");
    cmd::run(fetch)
}

fn wasm_target() -> Result {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    cmd::run(command(
        "rustup",
        &["target", "add", "wasm32-unknown-unknown"],
    ))
}

fn trunk() -> Result {
    let have = output("trunk", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(TRUNK_VERSION) {
        return Ok(());
    }
    cmd::run(command(
        "cargo",
        &["install", "trunk", "--locked", "--version", TRUNK_VERSION],
    ))
}

/// cargo-fuzz from crates.io. libFuzzer itself is C++ that `libfuzzer-sys` compiles with the
/// machine's g++.
pub fn cargo_fuzz() -> Result {
    let have = output("cargo", &["fuzz", "--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(CARGO_FUZZ_VERSION) {
        return Ok(());
    }
    cmd::run(command(
        "cargo",
        &[
            "install",
            "cargo-fuzz",
            "--locked",
            "--version",
            CARGO_FUZZ_VERSION,
        ],
    ))
}

/// twiggy from crates.io, at exactly [`TWIGGY_VERSION`].
fn twiggy() -> Result {
    let have = output("twiggy", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(TWIGGY_VERSION) {
        return Ok(());
    }
    cmd::run(command(
        "cargo",
        &["install", "twiggy", "--locked", "--version", TWIGGY_VERSION],
    ))
}

/// The wasm-bindgen version in Cargo.lock; the CLI must match it exactly.
pub fn locked_wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(cmd::root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                return Ok(v.trim_matches('"').to_owned());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

fn wasm_bindgen() -> Result {
    let want = locked_wasm_bindgen_version()?;
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    let runner = output("wasm-bindgen-test-runner", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(want.as_str())
        && runner.split_whitespace().nth(1) == Some(want.as_str())
    {
        return Ok(());
    }
    // `--locked` fails: one of its locked dependencies left the registry index.
    cmd::run(command(
        "cargo",
        &["install", "wasm-bindgen-cli", "--version", &want],
    ))
}

fn wasm_opt() -> Result {
    let bin = cmd::tools_dir().join("node_modules/.bin/wasm-opt");
    let have = output(&bin.to_string_lossy(), &["--version"]).unwrap_or_default();
    if have.contains(&format!("version {BINARYEN_VERSION}")) {
        return Ok(());
    }
    std::fs::create_dir_all(cmd::tools_dir()).map_err(|e| e.to_string())?;
    let tools = cmd::tools_dir();
    let spec = format!("binaryen@{BINARYEN_VERSION}");
    cmd::run(command(
        "npm",
        &[
            "install",
            "--prefix",
            &tools.to_string_lossy(),
            "--no-audit",
            "--no-fund",
            &spec,
        ],
    ))
}

/// An npm package in `tools/node_modules`, at exactly this version.
fn npm_package(name: &str, version: &str) -> Result {
    let manifest = cmd::tools_dir().join(format!("node_modules/{name}/package.json"));
    let have = std::fs::read_to_string(manifest).unwrap_or_default();
    if have.contains(&format!("\"version\": \"{version}\"")) {
        return Ok(());
    }
    std::fs::create_dir_all(cmd::tools_dir()).map_err(|e| e.to_string())?;
    let tools = cmd::tools_dir();
    let spec = format!("{name}@{version}");
    cmd::run(command(
        "npm",
        &[
            "install",
            "--prefix",
            &tools.to_string_lossy(),
            "--no-audit",
            "--no-fund",
            &spec,
        ],
    ))
}

/// Debian packages the tests need: the browser and its driver, and PostgreSQL for the
/// integration tests' throwaway clusters.
fn debian_packages() -> Result {
    let mut missing = Vec::new();
    if !Path::new("/usr/bin/chromium").exists() {
        missing.push("chromium");
    }
    if !Path::new("/usr/bin/chromedriver").exists() {
        missing.push("chromium-driver");
    }
    let has_postgres = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dir| dir.flatten().any(|v| v.path().join("bin/initdb").exists()))
        .unwrap_or(false);
    if !has_postgres {
        missing.push("postgresql");
    }
    // The reverse proxy in front of two instances in the API tests (`testkit::Nginx`).
    if !Path::new("/usr/sbin/nginx").exists() {
        missing.push("nginx");
    }
    apt_install(&missing)
}

/// `apt-get install` of these Debian packages (nothing when the list is empty), through sudo
/// when not root.
fn apt_install(missing: &[&str]) -> Result {
    if missing.is_empty() {
        return Ok(());
    }
    let sudo = output("id", &["-u"]).as_deref() != Some("0");
    let apt = |args: &[&str]| {
        if sudo {
            let mut all = vec!["apt-get"];
            all.extend_from_slice(args);
            command("sudo", &all)
        } else {
            command("apt-get", args)
        }
    };
    cmd::run(apt(&["update", "-q"]))?;
    let mut install = vec!["install", "-y", "-q"];
    install.extend(missing.iter().copied());
    let mut install_cmd = apt(&install);
    install_cmd.env("DEBIAN_FRONTEND", "noninteractive");
    cmd::run(install_cmd)
}

/// The schemathesis CLI of a virtualenv in `tools/venv`, at exactly this version.
pub fn schemathesis_bin() -> std::path::PathBuf {
    cmd::tools_dir().join("venv/bin/schemathesis")
}

/// Schemathesis from PyPI into `tools/venv`, only when missing or at another version.
fn schemathesis() -> Result {
    let bin = schemathesis_bin();
    let have = output(&bin.to_string_lossy(), &["--version"]).unwrap_or_default();
    if have.split_whitespace().last() == Some(SCHEMATHESIS_VERSION) {
        return Ok(());
    }
    pip_install(&[format!("schemathesis=={SCHEMATHESIS_VERSION}")])
}

/// Django, social-auth-app-django and social-auth-core from PyPI into `tools/venv`, at exactly
/// these versions, only when one is missing or at another version.
fn django() -> Result {
    let python = cmd::tools_dir().join("venv/bin/python");
    let want =
        format!("{DJANGO_VERSION} {SOCIAL_AUTH_APP_DJANGO_VERSION} {SOCIAL_AUTH_CORE_VERSION}");
    let have = output(
        &python.to_string_lossy(),
        &[
            "-c",
            "from importlib.metadata import version as v; \
             print(v('Django'), v('social-auth-app-django'), v('social-auth-core'))",
        ],
    )
    .unwrap_or_default();
    if have.trim() == want {
        return Ok(());
    }
    pip_install(&[
        format!("Django=={DJANGO_VERSION}"),
        format!("social-auth-app-django=={SOCIAL_AUTH_APP_DJANGO_VERSION}"),
        format!("social-auth-core=={SOCIAL_AUTH_CORE_VERSION}"),
    ])
}

/// aiosmtpd and trustme from PyPI into `tools/venv`, at exactly these versions, only when one is
/// missing or at another version.
fn smtp_relay() -> Result {
    let python = cmd::tools_dir().join("venv/bin/python");
    let want = format!("{AIOSMTPD_VERSION} {TRUSTME_VERSION}");
    let have = output(
        &python.to_string_lossy(),
        &[
            "-c",
            "from importlib.metadata import version as v; print(v('aiosmtpd'), v('trustme'))",
        ],
    )
    .unwrap_or_default();
    if have.trim() == want {
        return Ok(());
    }
    pip_install(&[
        format!("aiosmtpd=={AIOSMTPD_VERSION}"),
        format!("trustme=={TRUSTME_VERSION}"),
    ])
}

/// `pip install` of these requirements into the virtualenv `tools/venv`, which is made first
/// when missing (with Debian's `python3-venv` when `python3` cannot make one).
fn pip_install(specs: &[String]) -> Result {
    let venv = cmd::tools_dir().join("venv");
    if !venv.join("bin/pip").exists() {
        if output("python3", &["-c", "import ensurepip, venv"]).is_none() {
            apt_install(&["python3", "python3-venv"])?;
        }
        std::fs::create_dir_all(cmd::tools_dir()).map_err(|e| e.to_string())?;
        cmd::run(command("python3", &["-m", "venv", &venv.to_string_lossy()]))?;
    }
    // `python -m pip`, not `bin/pip`: a copied virtualenv's `pip` script still names the
    // Python of the original (and would install there).
    let mut args = vec![
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ];
    args.extend(specs.iter().map(String::as_str));
    cmd::run(command(&venv.join("bin/python").to_string_lossy(), &args))
}
