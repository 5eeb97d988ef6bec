//! gzip and brotli at their highest settings: the `.gz`/`.br` siblings `dist/` ships (the
//! server sends them to browsers that accept them) and the bench's byte counts.

use std::io::Write;
use std::path::Path;

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).expect("writing to memory");
    enc.finish().expect("writing to memory")
}

pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("compressing in memory");
    out
}

/// Writes `<file>.br` and `<file>.gz` beside each file Trunk writes on every build
/// (`index.html`, `boot.js`, the hashed `.wasm`, `.js`, `.css`, and the language files
/// `fr.json`, `ar.json`...), so a sibling is never stale. Not beside `config.json` nor
/// `favicon.svg`, which operators may replace after deploying (a stale `.br` would win over
/// their edit).
/// `fr.json`, `zh.json`...: a language file the SPA fetches (src/i18n/mod.rs), which comes
/// from `locales/` on every build.
fn is_language_file(name: &str) -> bool {
    name.strip_suffix(".json")
        .is_some_and(|tag| tag.len() == 2 && tag.bytes().all(|b| b.is_ascii_lowercase()))
}

pub fn precompress_assets(dist: &Path) -> Result<(), String> {
    for entry in std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e}", dist.display()))?
        .flatten()
    {
        let path = entry.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let rebuilt_each_time = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("wasm" | "js" | "css")
        ) || name == "index.html"
            || is_language_file(name);
        if !rebuilt_each_time {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for (ext, compressed) in [("br", brotli(&bytes)), ("gz", gzip(&bytes))] {
            let mut name = path.as_os_str().to_owned();
            name.push(".");
            name.push(ext);
            std::fs::write(&name, compressed).map_err(|e| format!("{name:?}: {e}"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_language_file;

    #[test]
    fn language_files_are_precompressed_but_not_the_operators_config() {
        for name in ["fr.json", "ar.json", "zh.json"] {
            assert!(is_language_file(name), "{name}");
        }
        for name in ["config.json", "fr.json.br", "FR.json", "favicon.svg"] {
            assert!(!is_language_file(name), "{name}");
        }
    }
}
