//! The static sign-in shell (issue 21): after Trunk, the sign-in screen the built app renders
//! is written into `dist/index.html`, so its heading and form paint before the WASM arrives;
//! `public/shell.js` (in `<head>`) hides it where another screen or language is coming and
//! hands what was typed to the app when the app's screen replaces it.
//!
//! The shell is a snapshot, not a second copy of the screen: headless Chromium loads the built
//! `dist/` (served here by a small HTTP server on 127.0.0.1, under the build's base path, with a
//! brand-free `config.json` and no API), in English, and `xtask/snapshot.mjs` (the DevTools
//! protocol on a pipe) gives the DOM the components rendered once the screen is there.
//! Rendering the components natively (Leptos SSR) would need every page to compile without
//! `web_sys` for the host: the snapshot needs no change to the SPA.
//!
//! `public/shell.js` (a classic script at the end of `<head>`, fetched beside the CSS, so it
//! runs before the body is parsed and costs no round trip of its own): `html.pl-noshell` (the
//! shell hidden, `style/main.css`) on another route than the base path, or when the app will
//! not start in English (`?lang=`, the switcher's stored choice, `navigator.language`:
//! `ui::wanted_lang`'s order), so an Arabic reader never sees English flip to Arabic; a
//! capturing `submit` listener that cancels the shell's form; and a MutationObserver that, once
//! the app's `<main>` with an `<h1>` is in the body, copies each changed field of the shell into
//! the app's field of the same id (with an `input` or `change` event, so the app's signals
//! have it), removes the shell and gives the focus and caret back, all before the next paint.
//!
//! The sign-up screen (`/signup`) has its shell too, snapshotted the same way and written
//! beside the sign-in's (`SIGNUP_SHELL_ID`, its ids prefixed so none is in the page twice;
//! its fields disabled where the app's are): without it Lighthouse's `/signup` stayed at
//! 89–95, with it and `boot.js` starting the WASM after the first frame 98–100
//! (docs/first-load-levers.md). `shell.js` shows it on `/signup` only.
//!
//! What the snapshot changes: `<main>` gets `id="pl-shell"`; the fields lose their `name` (a
//! form submitted without the app, even with JavaScript off, sends nothing: ASVS 5.0 V14.2.1,
//! no password in a URL); no element is disabled or busy; the language switcher offers only
//! the language in force, as the app's does in its first task. The brand stays neutral by CSS
//! (`#pl-shell` in style/main.css); the default `config.json` has no logo nor links.

use crate::cmd::Result;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";
const SHELL_ID: &str = "pl-shell";
/// The sign-up screen's shell (`/signup`), beside the sign-in's: its ids (and the `for` and
/// `aria-describedby` that name them) carry `SIGNUP_PREFIX`, so the page has no id twice;
/// `shell.js` shows it on `/signup` only (`html.pl-signup`, style/main.css) and hands its
/// values to the app's fields of the ids without the prefix.
const SIGNUP_SHELL_ID: &str = "pl-shell-signup";
const SIGNUP_PREFIX: &str = "pl-su-";
/// What each screen has once rendered, as CSS selectors (`main tag` or `main #id`): the
/// snapshot waits for all of it, and `shell_from` and `signup_shell_from` check it again in the
/// DOM they are given ([`needle`]).
const SIGN_IN_READY: &[&str] = &["main h1", "main form", "main #email", "main #password"];
const SIGN_UP_READY: &[&str] = &["main h1", "main form", "main #email", "main #new-password"];
/// The configuration the snapshot is taken with: no brand (the operator's arrives later).
const NEUTRAL_CONFIG: &str = r#"{"api_base": "/api"}"#;

/// Renders the sign-in screen of the app in `dist` (built for `public_url`) and writes it
/// into `dist/index.html`, with `shell.js` in its `<head>`.
pub fn add_to(dist: &Path, public_url: &str) -> Result {
    let index_path = dist.join("index.html");
    let index = std::fs::read_to_string(&index_path)
        .map_err(|e| format!("{}: {e}", index_path.display()))?;
    if index.contains(SHELL_ID) {
        return Err(format!("{}: already has a shell", index_path.display()));
    }
    let started = std::time::Instant::now();
    let shell = shell_from(&snapshot(dist, public_url, "", SIGN_IN_READY)?)?;
    let signup = signup_shell_from(&snapshot(dist, public_url, "signup", SIGN_UP_READY)?)?;
    let page = insert(&index, &format!("{shell}{signup}"), public_url)?;
    std::fs::write(&index_path, page).map_err(|e| format!("{}: {e}", index_path.display()))?;
    eprintln!(
        "shell: the sign-in screen ({} bytes) and the sign-up screen ({} bytes) written into {} in {:.1} s",
        shell.len(),
        signup.len(),
        index_path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The DOM of the screen at `route` (below the base path: `""` the sign-in screen, `"signup"`)
/// as Chromium renders it from `dist`, once each CSS selector of `ready` matches and the DOM
/// has settled (`xtask/snapshot.mjs`: a real wait with a condition, where `--dump-dom`'s
/// virtual time ran out before the WASM had compiled on a loaded machine).
fn snapshot(dist: &Path, public_url: &str, route: &str, ready: &[&str]) -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let dist = dist.to_path_buf();
        let base = public_url.to_owned();
        let stop = stop.clone();
        std::thread::spawn(move || serve(&listener, &dist, &base, &stop))
    };
    let url = format!("http://127.0.0.1:{port}{public_url}{route}?lang=en");
    let script = crate::cmd::root().join("xtask/snapshot.mjs");
    let output = Command::new("node")
        .arg(&script)
        .arg(CHROMIUM)
        .arg(&url)
        .args(ready)
        .output()
        .map_err(|e| format!("node {}: {e}", script.display()));
    stop.store(true, Ordering::SeqCst);
    let _ = TcpStream::connect(("127.0.0.1", port));
    let _ = server.join();
    let output = output?;
    if !output.status.success() {
        return Err(format!(
            "the snapshot of {url}: {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| e.to_string())
}

/// A small static server of `dist` under `base` for the snapshot: the files, `index.html` for
/// any other path (as the real hosts do), the neutral `config.json`, 404 for the API.
fn serve(listener: &TcpListener, dist: &Path, base: &str, stop: &AtomicBool) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(mut stream) = stream else { continue };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut reader = BufReader::new(match stream.try_clone() {
            Ok(s) => s,
            Err(_) => continue,
        });
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).is_err() {
            continue;
        }
        // The headers are read and ignored.
        let mut line = String::new();
        while reader.read_line(&mut line).map(|n| n > 2).unwrap_or(false) {
            line.clear();
        }
        let target = request_line.split_whitespace().nth(1).unwrap_or("/");
        let path = target.split(['?', '#']).next().unwrap_or("/");
        let (status, mime, body) = answer(dist, base, path);
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&body);
    }
}

fn answer(dist: &Path, base: &str, path: &str) -> (&'static str, &'static str, Vec<u8>) {
    let not_found = ("404 Not Found", "text/plain", b"not found".to_vec());
    let Some(rest) = path.strip_prefix(base) else {
        return not_found;
    };
    if rest == "config.json" {
        return (
            "200 OK",
            "application/json",
            NEUTRAL_CONFIG.as_bytes().to_vec(),
        );
    }
    if rest.starts_with("api/") || rest.contains("..") {
        return not_found;
    }
    let file: PathBuf = dist.join(rest);
    let file = if rest.is_empty() || !file.is_file() {
        dist.join("index.html")
    } else {
        file
    };
    let mime = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    match std::fs::File::open(&file).and_then(|mut f| {
        let mut body = Vec::new();
        f.read_to_end(&mut body).map(|_| body)
    }) {
        Ok(body) => ("200 OK", mime, body),
        Err(_) => not_found,
    }
}

/// The app's `<main>` from the dumped DOM, if it has each of `needed`.
fn main_of<'a>(dom: &'a str, ready: &[&str], screen: &str) -> Result<&'a str> {
    let start = dom
        .find("<main")
        .ok_or("the snapshot has no <main>: did the app render?")?;
    let end = dom[start..]
        .find("</main>")
        .map(|i| start + i + "</main>".len())
        .ok_or("the snapshot's <main> does not end")?;
    let main = &dom[start..end];
    for needed in ready.iter().map(|selector| needle(selector)) {
        if !main.contains(&needed) {
            return Err(format!(
                "the snapshot's <main> lacks {needed}: not the {screen} screen?\n{main}"
            ));
        }
    }
    Ok(main)
}

/// What a selector of [`SIGN_IN_READY`] looks for, as text of the dumped DOM: `main #email` →
/// `id="email"`, `main h1` → `<h1`.
fn needle(selector: &str) -> String {
    let inner = selector.strip_prefix("main ").unwrap_or(selector);
    match inner.strip_prefix('#') {
        Some(id) => format!("id=\"{id}\""),
        None => format!("<{inner}"),
    }
}

/// The app's `<main>` with the id `id`, without Leptos's empty comment markers (not needed to
/// read the page) nor any field name (a submit without the app sends no value anywhere).
fn common_shell(main: &str, id: &str) -> String {
    let shell = main
        .replacen("<main", &format!("<main id=\"{id}\""), 1)
        .replace("<!---->", "");
    only_the_chosen_options(&strip_attribute(&shell, "name"))
}

/// `text` with only the chosen `<option>` of each list: the language switcher's other names
/// (Arabic and Chinese script) would send the first layout looking for fallback fonts, 34–56 ms
/// at 4× CPU before the shell's paint; the app adds them a task after its first screen
/// (src/components/lang_switch.rs). The snapshot's options carry `selected=""` when chosen.
fn only_the_chosen_options(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("<option") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = after
            .find("</option>")
            .map_or(after.len(), |j| j + "</option>".len());
        let open = &after[..after.find('>').unwrap_or(0)];
        if open.contains(" selected=\"\"") {
            out.push_str(&after[..end]);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The sign-in screen's `<main>` from the dumped DOM, made a shell: nothing busy nor disabled.
fn shell_from(dom: &str) -> Result<String> {
    let main = main_of(dom, SIGN_IN_READY, "sign-in")?;
    let shell = strip_attribute(&common_shell(main, SHELL_ID), "aria-busy");
    Ok(shell.replace(" disabled=\"\"", ""))
}

/// The sign-up screen's `<main>` made a shell: every id (and each reference to one: `for`,
/// `aria-describedby`) prefixed with `SIGNUP_PREFIX`. Its fields stay disabled where the app's
/// are (all but the email address until a code is sent).
fn signup_shell_from(dom: &str) -> Result<String> {
    let main = main_of(dom, SIGN_UP_READY, "sign-up")?;
    let mut shell = strip_attribute(&common_shell(main, SIGNUP_SHELL_ID), "aria-busy");
    for attribute in [
        "id",
        "for",
        "aria-describedby",
        "aria-labelledby",
        "aria-controls",
    ] {
        shell = prefix_ids(&shell, attribute);
    }
    // The shell's own id went through the loop above.
    Ok(shell.replacen(
        &format!("id=\"{SIGNUP_PREFIX}{SIGNUP_SHELL_ID}\""),
        &format!("id=\"{SIGNUP_SHELL_ID}\""),
        1,
    ))
}

/// `text` with each id in every ` {name}="…"` attribute (space-separated) prefixed with
/// `SIGNUP_PREFIX`.
fn prefix_ids(text: &str, name: &str) -> String {
    let needle = format!(" {name}=\"");
    let mut out = String::with_capacity(text.len() + 256);
    let mut rest = text;
    while let Some(i) = rest.find(&needle) {
        out.push_str(&rest[..i + needle.len()]);
        let after = &rest[i + needle.len()..];
        let end = after.find('"').unwrap_or(after.len());
        let ids: Vec<String> = after[..end]
            .split_whitespace()
            .map(|id| format!("{SIGNUP_PREFIX}{id}"))
            .collect();
        out.push_str(&ids.join(" "));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// `text` without any ` name="…"` attribute (the snapshot's attributes are always quoted).
fn strip_attribute(text: &str, name: &str) -> String {
    let needle = format!(" {name}=\"");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(&needle) {
        out.push_str(&rest[..i]);
        let after = &rest[i + needle.len()..];
        rest = after.find('"').map_or("", |j| &after[j + 1..]);
    }
    out.push_str(rest);
    out
}

/// `index` with the shell first in `<body>` and `shell.js` at the end of `<head>`.
fn insert(index: &str, shell: &str, public_url: &str) -> Result<String> {
    let head_end = index.find("</head>").ok_or("index.html has no </head>")?;
    let script = format!("<script src=\"{public_url}shell.js\"></script>");
    let mut page = format!("{}{script}{}", &index[..head_end], &index[head_end..]);
    let body = page.find("<body").ok_or("index.html has no <body>")?;
    let body_end = page[body..]
        .find('>')
        .map(|i| body + i + 1)
        .ok_or("index.html's <body> does not end")?;
    page.insert_str(body_end, shell);
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shell_has_no_field_names_and_an_id() {
        let dom = r#"<html><body><main class="page"><div class="card"><h1>Sign in</h1><form novalidate=""><!----><input id="email" name="email" type="email"><input id="password" name="password" type="password"><button type="submit" aria-busy="true" disabled="">Sign in</button></form></div></main><div class="live"></div></body></html>"#;
        let shell = shell_from(dom).unwrap();
        assert_eq!(
            shell,
            r#"<main id="pl-shell" class="page"><div class="card"><h1>Sign in</h1><form novalidate=""><input id="email" type="email"><input id="password" type="password"><button type="submit">Sign in</button></form></div></main>"#
        );
    }

    #[test]
    fn the_shell_keeps_only_the_chosen_language() {
        let dom = r#"<html><body><main class="page"><header><select id="lang"><option value="en" lang="en" dir="ltr" selected="">English</option><option value="ar" lang="ar" dir="rtl">العربية</option><option value="zh" lang="zh" dir="ltr">中文</option></select></header><h1>Sign in</h1><form novalidate=""><input id="email" type="email"><input id="password" type="password"></form></main></body></html>"#;
        let shell = shell_from(dom).unwrap();
        assert!(
            shell.contains(r#"<select id="lang"><option value="en" lang="en" dir="ltr" selected="">English</option></select><"#),
            "{shell}"
        );
        assert!(
            !shell.contains("العربية") && !shell.contains("中文"),
            "{shell}"
        );
    }

    #[test]
    fn the_signup_shell_prefixes_every_id_and_keeps_disabled_fields() {
        let dom = r#"<html><body><main class="page"><h1 class="visually-hidden">Sign up</h1><form novalidate=""><label for="email">Email Address</label><input id="email" name="email" type="email"><!----><button type="submit">Send verification code</button></form><form novalidate=""><label for="new-password">New Password</label><input id="new-password" name="new-password" type="password" disabled="" aria-describedby="new-password-hint other"><p class="hint" id="new-password-hint">At least 8</p></form></main></body></html>"#;
        let shell = signup_shell_from(dom).unwrap();
        assert_eq!(
            shell,
            r#"<main id="pl-shell-signup" class="page"><h1 class="visually-hidden">Sign up</h1><form novalidate=""><label for="pl-su-email">Email Address</label><input id="pl-su-email" type="email"><button type="submit">Send verification code</button></form><form novalidate=""><label for="pl-su-new-password">New Password</label><input id="pl-su-new-password" type="password" disabled="" aria-describedby="pl-su-new-password-hint pl-su-other"><p class="hint" id="pl-su-new-password-hint">At least 8</p></form></main>"#
        );
        // The sign-in screen is not the sign-up screen.
        assert!(signup_shell_from(
            r#"<main><h1>Sign in</h1><form><input id="email"><input id="password"></form></main>"#
        )
        .is_err());
    }

    /// `index.html`'s inline icon (a `data:` URI, issue 21) is `public/favicon.png`, byte for
    /// byte, and that PNG is a 32x32 drawing in `public/favicon.svg`'s two colours, so the
    /// three cannot drift apart.
    #[test]
    fn the_inline_icon_is_public_favicon_png_in_the_svg_colours() {
        let root = crate::cmd::root();
        let index = std::fs::read_to_string(root.join("index.html")).unwrap();
        let prefix = "href=\"data:image/png;base64,";
        let start = index.find(prefix).unwrap() + prefix.len();
        let inline = &index[start..start + index[start..].find('"').unwrap()];
        let png = std::fs::read(root.join("public/favicon.png")).unwrap();
        assert_eq!(inline, base64(&png));

        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!((width, height), (32, 32));
        let plte = png.windows(4).position(|w| w == b"PLTE").unwrap();
        let len = u32::from_be_bytes(png[plte - 4..plte].try_into().unwrap()) as usize;
        let palette: Vec<String> = png[plte + 4..plte + 4 + len]
            .chunks(3)
            .map(|c| format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]))
            .collect();
        let svg = std::fs::read_to_string(root.join("public/favicon.svg")).unwrap();
        assert!(svg.contains("fill=\"#1a5ea8\"") && svg.contains("stroke=\"#fff\""));
        assert!(palette.iter().any(|c| c == "#1a5ea8"), "{palette:?}");
        assert!(palette.iter().any(|c| c == "#ffffff"), "{palette:?}");
    }

    /// Standard base64 with padding (RFC 4648 §4), for the test above.
    fn base64(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn another_screen_is_refused() {
        assert!(shell_from("<main><h1>Oops</h1></main>").is_err());
    }

    #[test]
    fn the_shell_goes_first_in_the_body_and_the_script_in_the_head() {
        let page = insert(
            "<html><head><title>t</title></head><body><noscript>x</noscript></body></html>",
            "<main id=\"pl-shell\"></main>",
            "/login/",
        )
        .unwrap();
        assert_eq!(
            page,
            "<html><head><title>t</title><script src=\"/login/shell.js\"></script></head><body><main id=\"pl-shell\"></main><noscript>x</noscript></body></html>"
        );
    }
}
