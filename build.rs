//! Checks the translation files, then turns English into code: every `locales/<tag>.json` must
//! have exactly the keys of the default (English) file, with the same `{placeholders}`, and no
//! empty text. A missing or extra key fails the build here, in every build (Trunk's included),
//! with the file and key named.
//!
//! Each English message becomes a constant of `i18n::Msg` (`$OUT_DIR/messages.rs`): the key
//! `sign_in` is `Msg::SIGN_IN`, `error.required` is `Msg::ERROR_REQUIRED`, each holding its key
//! and its English text. A screen names the constants it shows, so a WASM links only the
//! messages of its own screens (issue 21), and a key that is not in `locales/en.json` is a
//! compile error where it is used.
//!
//! Only English is compiled in; the other files are fetched when chosen (src/i18n/mod.rs). Each
//! file's content hash is handed to the code as `PL_LOCALE_VERSION_<TAG>`, the `?v=` of its URL,
//! so that a cache or CDN never answers a new build with an old translation.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn main() {
    let manifest = std::fs::read_to_string("Cargo.toml").expect("Cargo.toml");
    let tags = locale_tags(&manifest);
    assert_eq!(
        tags,
        ["en", "fr", "es", "ar", "zh", "ru"],
        "locales/ must hold the six languages of i18n::Lang"
    );
    println!("cargo::rerun-if-changed=Cargo.toml");
    println!("cargo::rerun-if-changed=locales");
    let mut files = BTreeMap::new();
    for tag in &tags {
        let path = Path::new("locales").join(format!("{tag}.json"));
        println!("cargo::rerun-if-changed={}", path.display());
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        println!(
            "cargo::rustc-env=PL_LOCALE_VERSION_{}={:016x}",
            tag.to_ascii_uppercase(),
            fnv1a(text.as_bytes())
        );
        let json: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()));
        let mut flat = BTreeMap::new();
        flatten("", &json, &mut flat);
        files.insert(tag.clone(), flat);
    }
    let reference = &files[&tags[0]];
    for (tag, flat) in &files {
        for (key, text) in flat {
            assert!(
                reference.contains_key(key),
                "locales/{tag}.json has \"{key}\", which locales/{}.json lacks",
                tags[0]
            );
            assert!(
                !text.trim().is_empty(),
                "locales/{tag}.json: \"{key}\" is empty"
            );
        }
        for (key, english) in reference {
            let text = flat
                .get(key)
                .unwrap_or_else(|| panic!("locales/{tag}.json lacks the key \"{key}\""));
            assert_eq!(
                placeholders(english),
                placeholders(text),
                "locales/{tag}.json: \"{key}\" must have the same {{placeholders}} as {}",
                tags[0]
            );
        }
    }
    write_messages(reference);
}

/// `default` (from `[package.metadata.locales]`) first, then every other
/// `locales/<tag>.json` in the order of `i18n::Lang`'s declaration.
fn locale_tags(manifest: &str) -> Vec<String> {
    let section = manifest
        .split("[package.metadata.locales]")
        .nth(1)
        .expect("a [package.metadata.locales] section");
    let value_of = |name: &str| {
        section
            .lines()
            .find_map(|l| l.trim().strip_prefix(name)?.trim().strip_prefix('='))
            .unwrap_or_else(|| panic!("[package.metadata.locales] lacks {name}"))
            .to_owned()
    };
    let default = value_of("default").trim().trim_matches('"').to_owned();
    let mut found: Vec<String> = std::fs::read_dir("locales")
        .expect("the locales folder")
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            Some(name.strip_suffix(".json")?.to_owned())
        })
        .filter(|t| *t != default)
        .collect();
    let order = ["fr", "es", "ar", "zh", "ru"];
    found.sort_by_key(|t| order.iter().position(|o| o == t).unwrap_or(order.len()));
    let mut tags = vec![default];
    tags.extend(found);
    tags
}

/// FNV-1a, 64 bits: a version tag for a cache key, not a security check.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        other => panic!("\"{prefix}\" is {other}, not text"),
    }
}

/// The `{name}` placeholders of a text, sorted.
fn placeholders(text: &str) -> Vec<&str> {
    let mut found: Vec<&str> = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    found.sort_unstable();
    found
}

/// `$OUT_DIR/messages.rs`: one `Msg` constant per English message (its key and text), and the
/// list of them all for the tests (`Msg::EVERY`, in key order).
fn write_messages(english: &BTreeMap<String, String>) {
    let mut code = String::from("// Generated by build.rs from locales/en.json.\nimpl Msg {\n");
    let mut every = String::new();
    for (key, text) in english {
        let name = key.replace('.', "_").to_ascii_uppercase();
        assert!(
            name.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
            "locales/en.json: \"{key}\" is not a lowercase identifier"
        );
        code.push_str(&format!(
            "    /// {text:?}\n    pub const {name}: Msg = Msg(&MsgText {{ key: {key:?}, en: {text:?} }});\n"
        ));
        every.push_str(&format!("        Msg::{name},\n"));
    }
    code.push_str(&format!(
        "    /// Every message of `locales/en.json`, for the tests.\n    #[cfg(test)]\n    pub const EVERY: &[Msg] = &[\n{every}    ];\n}}\n"
    ));
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out.join("messages.rs"), code).expect("writing messages.rs");
}
