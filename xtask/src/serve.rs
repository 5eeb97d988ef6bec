//! `cargo xtask serve`: the whole thing on one machine: the SPA built by Trunk, served by the
//! backend with its API, on an embedded SQLite database created on first run.

use crate::cmd::{self, command, Result};
use crate::setup;
use std::io::{BufRead, BufReader, Lines, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Stdio};

/// Builds the release SPA into `dist/` (Trunk runs offline: it never downloads a tool).
pub fn build_spa() -> Result<std::path::PathBuf> {
    build_spa_at("/", &cmd::root().join("dist"))
}

/// Builds the release SPA for the base path `public_url` (`/`, `/login/`) into `dist`: Trunk
/// builds for `/` and [`finish`] makes the files work copied under `public_url`.
pub fn build_spa_at(public_url: &str, dist: &std::path::Path) -> Result<std::path::PathBuf> {
    trunk_build(dist)?;
    finish(dist, public_url)?;
    Ok(dist.to_path_buf())
}

/// `trunk build --release` for the base path `/` into `dist` (Trunk empties it first): the
/// files before [`finish`].
pub fn trunk_build(dist: &std::path::Path) -> Result {
    let dist_arg = dist.display().to_string();
    let mut trunk = command(
        "trunk",
        &[
            "build",
            "--release",
            "--public-url",
            "/",
            "--dist",
            &dist_arg,
        ],
    );
    release_wasm_env(&mut trunk);
    cmd::run(trunk)
}

/// How Trunk's cargo compiles the release WASM (issue 21): the standard library compiled with
/// the app (`-Zbuild-std`, at the `wasm-release` profile's `opt-level = "z"` and LTO, from the
/// `rust-src` component `cargo xtask setup` adds), a panic that stops at once
/// (`-Cpanic=immediate-abort`: no panic message is formatted, so the hook, `core::fmt`'s panic
/// paths and every location string go), no source locations (`-Zlocation-detail=none`) and
/// no `Debug` output (`-Zfmt-debug=none`: every `{:?}` prints nothing; messages that quote
/// what someone wrote use `partner_login_contract::Quoted`).
///
/// What each saves on the sign-in group's WASM (brotli, the bytes of a cold `/`) is in
/// docs/first-load-levers.md ("The sixth stop"): 121,332 → 108,272 B in all.
///
/// These are unstable compiler features, unlocked on the stable toolchain by
/// `RUSTC_BOOTSTRAP=1` for this build alone (the native builds, the tests' WASM and `trunk
/// serve` stay plain stable): a toolchain that renames one of them fails this build, loudly.
/// Without the three variables the same sources build as plain stable, about 15 KB larger. A panic
/// in the release app ends it as before (`panic = "abort"`), with `unreachable` in the console
/// instead of its message; debug builds keep `console_error_panic_hook`.
fn release_wasm_env(cargo: &mut std::process::Command) {
    cargo
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none",
        );
}

/// Makes a Trunk build for `/` in `dist` the files to serve under `public_url`: the links of
/// `index.html` carry the base path (`crate::base_path`; the other files read it at run time),
/// the static shells go into `index.html` (`crate::shell`), then every file is precompressed.
pub fn finish(dist: &std::path::Path, public_url: &str) -> Result {
    let public_url = crate::base_path::normalize(public_url);
    if public_url != "/" {
        let index_path = dist.join("index.html");
        let index = std::fs::read_to_string(&index_path)
            .map_err(|e| format!("{}: {e}", index_path.display()))?;
        let files = crate::base_path::files_of(dist)?;
        let rebased = crate::base_path::rebase(&index, &files, &public_url)?;
        std::fs::write(&index_path, rebased)
            .map_err(|e| format!("{}: {e}", index_path.display()))?;
    }
    crate::shell::add_to(dist, &public_url)?;
    crate::compress::precompress_assets(dist)
}

/// `cargo xtask dist [--public-url /path/]`.
pub fn run_dist(args: &[String]) -> Result {
    let public_url = match args {
        [] => "/".to_owned(),
        [flag, value] if flag == "--public-url" => value.clone(),
        [flag] if flag.starts_with("--public-url=") => flag["--public-url=".len()..].to_owned(),
        _ => return Err("usage: cargo xtask dist [--public-url /some/path/]".into()),
    };
    setup::run(setup::Purpose::Serve)?;
    let dist = build_spa_at(&public_url, &cmd::root().join("dist"))?;
    println!(
        "{}: copy these files under {public_url} of any static host; edit config.json there \
         to point at the API (README: Deploying the SPA as static files)",
        dist.display()
    );
    Ok(())
}

/// The development key of authenticator apps' seeds (`MFA_ENCRYPTION_KEY_FILE`): `dir/mfa.key`,
/// 64 hex characters from the OS RNG, made once and kept (a new key would make the apps
/// already added unusable). Never for production: the README says how to make one there.
pub fn dev_mfa_key(dir: &std::path::Path) -> Result<std::path::PathBuf> {
    let path = dir.join("mfa.key");
    if !path.exists() {
        let mut key = [0u8; 32];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut random| random.read_exact(&mut key))
            .map_err(|e| format!("cannot read /dev/urandom for {}: {e}", path.display()))?;
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        std::fs::write(&path, hex).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(path)
}

pub fn run_serve() -> Result {
    setup::run(setup::Purpose::Serve)?;
    let dist = build_spa()?;
    cmd::run(command(
        "cargo",
        &["build", "--release", "-p", "partner-login-server"],
    ))?;
    let data = cmd::root().join(".data");
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let database_url = std::env::var("DATABASE_URL").unwrap_or_else(|_| {
        format!(
            "sqlite://{}?mode=rwc",
            data.join("partner-login.db").display()
        )
    });
    let server = cmd::root().join("target/release/partner-login-server");
    let mfa_key = match std::env::var_os("MFA_ENCRYPTION_KEY_FILE") {
        Some(path) => std::path::PathBuf::from(path),
        None => dev_mfa_key(&data)?,
    };
    let mut child = command(&server.to_string_lossy(), &["serve"])
        .env("STATIC_DIR", &dist)
        .env("DATABASE_URL", &database_url)
        // Authenticator apps on, with a development key kept next to the database.
        .env("MFA_ENCRYPTION_KEY_FILE", &mfa_key)
        // A development server: mail goes to /dev/mailbox (unless SMTP_URL is set), which a
        // server only does when asked (issue 19, defect 6).
        .env("DEV_MAILBOX", "true")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let (url, lines) = wait_until_listening(&mut child, true)?;
    let status = http_status(&url).unwrap_or_else(|e| format!("not reachable: {e}"));
    println!();
    println!("partner-login is running at {url}/  (GET / answered: {status})");
    println!("Invite someone (the link is printed last; mail goes to {url}/dev/mailbox):");
    println!(
        "  DEV_MAILBOX=true DATABASE_URL='{database_url}' {} invite --email you@example.org --organization \"Your organization\" --inviter \"Your administrator\"",
        server.display()
    );
    println!("Stop with Ctrl-C.");
    open_browser(&url);
    // Keep echoing the server's stdout until it stops.
    for line in lines.map_while(std::result::Result::ok) {
        println!("{line}");
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the server exited with {status}"))
    }
}

/// Reads the server's stdout (piped) until its `listening on <url>` line, echoing it when
/// `echo`; returns the URL (no trailing slash) and the rest of the output.
pub fn wait_until_listening(
    child: &mut Child,
    echo: bool,
) -> Result<(String, Lines<BufReader<ChildStdout>>)> {
    let stdout = child.stdout.take().ok_or("no server stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) => {
                if echo {
                    println!("{line}");
                }
                if let Some(url) = line.strip_prefix("listening on ") {
                    return Ok((url.trim().trim_end_matches('/').to_owned(), lines));
                }
            }
            _ => {
                let status = child.wait().map_err(|e| e.to_string())?;
                return Err(format!("the server stopped before listening ({status})"));
            }
        }
    }
}

pub fn run() -> Result {
    run_serve()
}

/// Opens the page in the desktop's browser when there is a desktop.
fn open_browser(url: &str) {
    if std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some() {
        let _ = command("xdg-open", &[url])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }
}

/// A plain HTTP/1.1 GET of `/`, returning the status line (proves the page is served).
fn http_status(url: &str) -> std::io::Result<String> {
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(host)?;
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.take(4096).read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response);
    Ok(response.lines().next().unwrap_or_default().to_owned())
}
