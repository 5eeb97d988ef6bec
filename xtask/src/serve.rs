//! `cargo xtask serve`: the whole thing on one machine: the SPA built by Trunk, served by the
//! backend with its API, on an embedded SQLite database created on first run.

use crate::cmd::{self, command, Result};
use crate::setup;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;

/// Builds the release SPA into `dist/` (Trunk runs offline: it never downloads a tool).
pub fn build_spa() -> Result<std::path::PathBuf> {
    cmd::run(command("trunk", &["build", "--release"]))?;
    Ok(cmd::root().join("dist"))
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
    let mut child = command(&server.to_string_lossy(), &["serve"])
        .env("STATIC_DIR", &dist)
        .env("DATABASE_URL", &database_url)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let stdout = child.stdout.take().ok_or("no server stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        match lines.next() {
            Some(Ok(line)) => {
                println!("{line}");
                if let Some(url) = line.strip_prefix("listening on ") {
                    break url.trim().to_owned();
                }
            }
            _ => {
                let status = child.wait().map_err(|e| e.to_string())?;
                return Err(format!("the server stopped before listening ({status})"));
            }
        }
    };
    let status = http_status(&url).unwrap_or_else(|e| format!("not reachable: {e}"));
    println!();
    println!("partner-login is running at {url}/  (GET / answered: {status})");
    println!("Invite someone (the link is printed last; mail goes to {url}/dev/mailbox):");
    println!(
        "  DATABASE_URL='{database_url}' {} invite --email you@example.org --organization \"Your organization\" --inviter \"Your administrator\"",
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
