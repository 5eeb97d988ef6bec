//! Compiles the emails' translation files, `locales/<lang>.json`, into `$OUT_DIR/mail_texts.rs`.
//!
//! Each file is one flat JSON object of strings. `en.json` is the reference: the build fails,
//! naming the file and the key, when another language lacks one of its keys, has a key it does
//! not have, has a key twice, or uses other placeholders (`{code}`, `{link}`, …) for a key.
//! A brace that is not part of a placeholder fails the build too, so that no text can show a
//! stray `{` to the reader.
//!
//! The generated file holds `pub struct MailTexts` (one `&'static str` field per key, in the
//! order of `en.json`), one `pub static <LANG>: MailTexts` per file, and `pub const LANGUAGES`,
//! the files' language tags in alphabetical order.

use serde::de::{Deserializer, MapAccess, Visitor};
use std::collections::BTreeSet;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

const REFERENCE: &str = "en";

/// One translation file: its language tag (the file's stem), path and entries in file order.
struct Locale {
    lang: String,
    path: PathBuf,
    texts: Vec<(String, String)>,
}

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("locales");
    println!("cargo:rerun-if-changed={}", dir.display());

    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())))
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            let lang = path
                .file_stem()
                .and_then(|stem| stem.to_str())
                .unwrap_or_default()
                .to_owned();
            (lang, path)
        })
        .collect();
    files.sort();

    let mut languages = Vec::new();
    for (lang, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        if lang.is_empty() || !lang.bytes().all(|b| b.is_ascii_lowercase()) {
            panic!(
                "{}: a translation file is named by its language's primary subtag in lower case (en.json, fr.json, …)",
                path.display()
            );
        }
        languages.push(Locale {
            lang: lang.clone(),
            path: path.clone(),
            texts: read(path),
        });
    }

    let Some(Locale {
        path: reference_path,
        texts: reference,
        ..
    }) = languages.iter().find(|locale| locale.lang == REFERENCE)
    else {
        panic!(
            "{}: {REFERENCE}.json, the reference language, is missing",
            dir.display()
        );
    };
    for (key, text) in reference {
        let is_ident = key.starts_with(|c: char| c.is_ascii_lowercase())
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !is_ident {
            panic!(
                "{}: key {key:?} must be snake_case (it becomes a field name)",
                reference_path.display()
            );
        }
        placeholders(reference_path, key, text);
    }

    for Locale { path, texts, .. } in &languages {
        for (key, text) in texts {
            let Some((_, english)) = reference.iter().find(|(k, _)| k == key) else {
                panic!(
                    "{}: key {key:?} is not in {REFERENCE}.json (remove it, or add it to every language)",
                    path.display()
                );
            };
            let expected = placeholders(reference_path, key, english);
            let found = placeholders(path, key, text);
            if found != expected {
                panic!(
                    "{}: key {key:?} has placeholders {found:?}, but {REFERENCE}.json has {expected:?}",
                    path.display()
                );
            }
        }
        for (key, _) in reference {
            if !texts.iter().any(|(k, _)| k == key) {
                panic!(
                    "{}: key {key:?} is missing (it is in {REFERENCE}.json)",
                    path.display()
                );
            }
        }
    }

    let out = generate(reference, &languages);
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let target = Path::new(&out_dir).join("mail_texts.rs");
    std::fs::write(&target, out)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", target.display()));
}

/// The file's keys and texts, in file order. Fails on anything but an object of strings, and on
/// a key given twice (JSON parsers otherwise keep the last one silently).
fn read(path: &Path) -> Vec<(String, String)> {
    let source = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut deserializer = serde_json::Deserializer::from_str(&source);
    let entries = deserializer
        .deserialize_map(FlatObject)
        .and_then(|entries| deserializer.end().map(|()| entries))
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (a translation file is one JSON object of strings)",
                path.display()
            )
        });
    let mut seen = BTreeSet::new();
    for (key, _) in &entries {
        if !seen.insert(key) {
            panic!("{}: key {key:?} appears twice", path.display());
        }
    }
    entries
}

struct FlatObject;

impl<'de> Visitor<'de> for FlatObject {
    type Value = Vec<(String, String)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object whose values are strings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, String>()? {
            entries.push(entry);
        }
        Ok(entries)
    }
}

fn stray_brace(path: &Path, key: &str, text: &str) -> ! {
    panic!(
        "{}: key {key:?} has a brace that is not a placeholder such as {{code}}: {text:?}",
        path.display()
    )
}

/// The names of the `{name}` placeholders of `text`. Fails on a brace outside a placeholder.
fn placeholders(path: &Path, key: &str, text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        let stray = || stray_brace(path, key, text);
        if rest[i..].starts_with('}') {
            stray();
        }
        let after = &rest[i + 1..];
        let Some(end) = after.find('}') else { stray() };
        let name = &after[..end];
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            stray();
        }
        names.insert(name.to_owned());
        rest = &after[end + 1..];
    }
    names
}

fn generate(reference: &[(String, String)], languages: &[Locale]) -> String {
    let mut out = String::from(
        "// Generated by build.rs from locales/*.json: edit those files, not this one.\n\n",
    );
    out.push_str(
        "/// The texts of the emails in one language, one field per key of `locales/en.json`.\n",
    );
    out.push_str("pub struct MailTexts {\n");
    for (key, _) in reference {
        let _ = writeln!(out, "    pub {key}: &'static str,");
    }
    out.push_str("}\n\n");
    for Locale { lang, texts, .. } in languages {
        let _ = writeln!(out, "/// `locales/{lang}.json`.");
        let _ = writeln!(
            out,
            "pub static {}: MailTexts = MailTexts {{",
            lang.to_ascii_uppercase()
        );
        for (key, _) in reference {
            let (_, text) = texts
                .iter()
                .find(|(k, _)| k == key)
                .expect("checked: every language has every key");
            let _ = writeln!(out, "    {key}: {text:?},");
        }
        out.push_str("};\n\n");
    }
    out.push_str("/// The language tags of the files of `locales/`, in alphabetical order. Read by the tests,\n");
    out.push_str("/// which check that `MailLang` has exactly these languages.\n");
    out.push_str("#[allow(dead_code)]\n");
    let tags: Vec<String> = languages
        .iter()
        .map(|locale| format!("{:?}", locale.lang))
        .collect();
    let _ = writeln!(
        out,
        "pub const LANGUAGES: &[&str] = &[{}];",
        tags.join(", ")
    );
    out
}
