//! `cargo xtask dist --check-config path/to/config.json`: checks a deployment's `config.json`
//! ahead of time with the rules the page applies at start-up (the contract's `config_file`
//! and `brand`): unknown keys anywhere, `api_base`, the brand's links, logo and colours (WCAG
//! 2.2 AA contrast of every pair the page draws). Prints each problem on its own line, named by
//! its key path; builds nothing.

use crate::cmd::Result;
use partner_login_contract::brand::Brand;
use partner_login_contract::config_file::{check, Json};
use std::path::Path;

pub fn run(path: &Path) -> Result {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let problems = problems(&text, path.parent().unwrap_or(Path::new(".")));
    if problems.is_empty() {
        println!("{}: ok", path.display());
        return Ok(());
    }
    for problem in &problems {
        println!("{problem}");
    }
    Err(format!(
        "{}: {} problem{}",
        path.display(),
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    ))
}

/// Each problem of the file's `text`; `folder` is where it lies (the logo must be there too).
pub fn problems(text: &str, folder: &Path) -> Vec<String> {
    let json: Json = match serde_json::from_str(text) {
        Ok(json) => json,
        Err(e) => return vec![format!("config.json: not JSON: {e}")],
    };
    let mut problems: Vec<String> = check(&json).iter().map(ToString::to_string).collect();
    // The page would ask for a logo that is not there: a broken image in the header.
    if let Json::Object(entries) = &json {
        let brand = entries.iter().find(|(k, _)| k == "brand").map(|(_, b)| b);
        if let Some(logo) = brand.and_then(|b| Brand::read(b).0.logo) {
            if !folder.join(&logo.src).is_file() {
                problems.push(format!(
                    "brand.logo.src: {} is not in {} (it goes beside index.html)",
                    logo.src,
                    folder.display()
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    #[test]
    fn the_sample_branding_and_the_shipped_config_pass() {
        let sample = root().join("crates/e2e/brand");
        let text = std::fs::read_to_string(sample.join("config.json")).unwrap();
        assert_eq!(problems(&text, &sample), Vec::<String>::new());
        let public = root().join("public");
        let text = std::fs::read_to_string(public.join("config.json")).unwrap();
        assert_eq!(problems(&text, &public), Vec::<String>::new());
    }

    #[test]
    fn each_problem_is_a_line_naming_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let text = r##"{"api_base": "ftp://x", "apibase": 1,
            "brand": {"logo": {"src": "missing.svg"},
                      "colors": {"text": "#777777", "surface": "#ffffff", "background": "#ffffff"},
                      "links": [{"href": "javascript:alert(1)", "label": {"en": "Help"}}]}}"##;
        let found = problems(text, dir.path());
        let keys: Vec<&str> = found.iter().map(|p| p.split(':').next().unwrap()).collect();
        assert_eq!(
            keys,
            [
                "apibase",
                "api_base",
                "brand.colors.text",
                "brand.links[0].href",
                "brand.logo.src"
            ],
            "{found:#?}"
        );
        assert!(found[2].contains("contrast 4.47:1"), "{}", found[2]);
        assert!(
            found[2].contains("needs 4.5:1 (WCAG 2.2 SC 1.4.3)"),
            "{}",
            found[2]
        );
        assert_eq!(problems("{", dir.path()).len(), 1);
    }
}
