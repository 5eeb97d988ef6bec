//! One SPA build for any base path: Trunk builds once for `/`, and a copy for another base path
//! (`/login/`) differs only in `index.html`, whose links to the build's files carry the base.
//! The WASM, its JS glue, the CSS and `boot.js` read the base from `boot.js`'s own URL at run
//! time, so they are the same bytes (checked at `08e0148`: `trunk build --release` and
//! `trunk build --release --public-url /login/` wrote 17 identical files out of 18, all but
//! `index.html`, and [`rebase`] of the first `index.html` is the second's, byte for byte).
//! `cargo xtask dist --public-url` and the end-to-end tests' `/login/` copy both come from
//! here, so the test suite builds the SPA once instead of twice.

use crate::cmd::Result;
use std::path::Path;

/// `/` or `/some/path/`: a leading and a trailing slash.
pub fn normalize(public_url: &str) -> String {
    let mut public_url = public_url.trim().to_owned();
    if !public_url.starts_with('/') {
        public_url.insert(0, '/');
    }
    if !public_url.ends_with('/') {
        public_url.push('/');
    }
    public_url
}

/// `index` (Trunk's `index.html` of a build for `/`) with every attribute value that names a
/// file of the build (`/name`, one of `files`) rewritten under `public_url` (`/login/name`).
/// Other values (an absolute `/api` or `/` link, a full URL) stay as they are. Fails when no
/// file was named (the input was not an `index.html` of a build for `/`).
pub fn rebase(index: &str, files: &[String], public_url: &str) -> Result<String> {
    let public_url = normalize(public_url);
    let mut out = String::with_capacity(index.len() + 256);
    let mut rewritten = 0;
    let mut rest = index;
    while let Some(at) = rest.find('=') {
        let (before, after) = rest.split_at(at + 1);
        out.push_str(before);
        // An attribute's value: quoted ("…" or '…') or bare (up to a space or `>`).
        let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'');
        let value_start = usize::from(quote.is_some());
        let value_end = match quote {
            Some(q) => after[1..].find(q).map(|i| i + 1),
            None => after.find(|c: char| c.is_ascii_whitespace() || c == '>'),
        }
        .unwrap_or(after.len());
        let value = &after[value_start..value_end];
        match value
            .strip_prefix('/')
            .filter(|name| files.iter().any(|f| f == name))
        {
            Some(name) if public_url != "/" => {
                out.push_str(&after[..value_start]);
                out.push_str(&public_url);
                out.push_str(name);
                rewritten += 1;
            }
            Some(_) => {
                out.push_str(&after[..value_end]);
                rewritten += 1;
            }
            None => out.push_str(&after[..value_end]),
        }
        rest = &after[value_end..];
    }
    out.push_str(rest);
    if rewritten == 0 {
        return Err("index.html names no file of the build under /: not a build for /".into());
    }
    Ok(out)
}

/// The names of the files directly in `dist` (Trunk's output is flat).
pub fn files_of(dist: &Path) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.file_type().map_err(|e| e.to_string())?.is_file() {
            if let Ok(name) = entry.file_name().into_string() {
                names.push(name);
            }
        }
    }
    names.sort();
    Ok(names)
}

/// A copy of the build `from` (flat, as Trunk writes it) into `to`, emptied first.
pub fn copy_build(from: &Path, to: &Path) -> Result {
    if to.exists() {
        std::fs::remove_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    }
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for name in files_of(from)? {
        std::fs::copy(from.join(&name), to.join(&name))
            .map_err(|e| format!("{}: {e}", from.join(&name).display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<String> {
        [
            "boot.js",
            "main-1.css",
            "sign-in-2.js",
            "sign-in-2_bg.wasm",
            "favicon-3.svg",
        ]
        .map(str::to_owned)
        .to_vec()
    }

    #[test]
    fn the_build_files_links_move_under_the_base_path() {
        let index = r#"<link href=/favicon-3.svg rel=icon><link href=/main-1.css rel=stylesheet><script data-js=/sign-in-2.js data-wasm="/sign-in-2_bg.wasm" src=/boot.js></script>"#;
        assert_eq!(
            rebase(index, &files(), "/login/").unwrap(),
            r#"<link href=/login/favicon-3.svg rel=icon><link href=/login/main-1.css rel=stylesheet><script data-js=/login/sign-in-2.js data-wasm="/login/sign-in-2_bg.wasm" src=/login/boot.js></script>"#
        );
    }

    #[test]
    fn other_values_stay() {
        let index = r#"<a href=/api>x</a><a href="/">home</a><meta content="width=device-width,initial-scale=1" name=viewport><script src='https://cdn.example/boot.js'></script><script src=/boot.js></script>"#;
        let rebased = rebase(index, &files(), "login").unwrap();
        assert_eq!(
            rebased,
            r#"<a href=/api>x</a><a href="/">home</a><meta content="width=device-width,initial-scale=1" name=viewport><script src='https://cdn.example/boot.js'></script><script src=/login/boot.js></script>"#
        );
    }

    #[test]
    fn the_root_leaves_the_page_as_it_is() {
        let index = "<script src=/boot.js></script>";
        assert_eq!(rebase(index, &files(), "/").unwrap(), index);
    }

    #[test]
    fn a_page_naming_no_file_of_the_build_is_refused() {
        let already = "<script src=/login/boot.js></script>";
        assert!(rebase(already, &files(), "/login/").is_err());
    }
}
