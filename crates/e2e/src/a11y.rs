//! Accessibility checks of the page a test is on: Deque's axe-core (the WCAG 2.2 A and AA rules,
//! from `tools/node_modules/axe-core`, which `cargo xtask setup` installs), no raw translation
//! key or unfilled `{placeholder}` among the visible text, and reflow at 320 CSS px (WCAG 2.2
//! SC 1.4.10).

use crate::browser::Browser;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The axe-core rule tags that make up WCAG 2.2 level A and AA.
pub const WCAG_TAGS: &[&str] = &["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/// The workspace root (the folder of `tools/`, `locales/` and `dist/`).
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The text of `axe.min.js`, read once per test binary.
fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = std::env::var_os("AXE_CORE_JS").map_or_else(
            || root().join("tools/node_modules/axe-core/axe.min.js"),
            PathBuf::from,
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{} cannot be read ({e}): run `cargo xtask setup` (installs axe-core from npm)",
                path.display()
            )
        })
    })
}

/// The message keys of `locales/en.json`, nested objects flattened with dots
/// (`error.code_wrong`).
pub fn translation_keys() -> &'static [String] {
    static KEYS: OnceLock<Vec<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let path = root().join("locales/en.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{} cannot be read: {e}", path.display()));
        let json: Value = serde_json::from_str(&text).expect("locales/en.json is JSON");
        let mut keys = Vec::new();
        flatten("", &json, &mut keys);
        assert!(!keys.is_empty(), "locales/en.json has no keys");
        keys
    })
}

fn flatten(prefix: &str, value: &Value, keys: &mut Vec<String>) {
    if let Value::Object(map) = value {
        for (k, v) in map {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            if v.is_object() {
                flatten(&key, v, keys);
            } else {
                keys.push(key);
            }
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

/// Whether `word` occurs in `text` with no letter, digit, `_` or `.` on either side.
pub fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

/// The raw keys (and unfilled `{placeholders}`) that show in `text`, a page in `lang`.
///
/// A key with `_` or `.` (`portal_name`, `error.code_wrong`) is never prose, so it is looked for
/// in every language. A one-word key (`password`, `or`, `cancel`) is an ordinary word of English,
/// French or Spanish prose, so it is only looked for in the other languages.
pub fn raw_keys_in(text: &str, lang: &str) -> Vec<String> {
    let latin_prose = ["en", "fr", "es"].contains(&lang.split('-').next().unwrap_or(lang));
    let mut found: Vec<String> = translation_keys()
        .iter()
        .filter(|k| !latin_prose || k.contains(['_', '.']))
        .filter(|k| contains_word(text, k))
        .cloned()
        .collect();
    // An argument the formatter did not fill in: `{email}`, `{limit}`.
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if close > 0
                    && after[..close]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                found.push(format!("{{{}}}", &after[..close]));
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    found
}

/// The script that runs axe and hands back its violations, trimmed to what a report needs, and
/// how many rules it ran (so that a run that checked nothing is not taken for a clean page).
const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
const tags = arguments[0];
window.axe
  .run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
  .then(
    (r) => done({
      rules: r.passes.length + r.violations.length + r.incomplete.length + r.inapplicable.length,
      violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({
          target: n.target,
          html: n.html,
          failureSummary: n.failureSummary,
        })),
      })),
    }),
    (e) => done({ error: String(e) }),
  );
"#;

/// The violations in what [`RUN_AXE`] handed back. A result that is not what the script
/// builds (no `violations` array, no rule run, an error) is an error, never a clean page.
pub fn violations_of(result: &Value) -> Result<Vec<Value>, String> {
    if let Some(error) = result.get("error") {
        return Err(format!("axe.run failed: {error}"));
    }
    let rules = result
        .get("rules")
        .and_then(Value::as_u64)
        .ok_or_else(|| format!("axe's result says nothing of the rules it ran: {result}"))?;
    if rules == 0 {
        return Err(format!(
            "axe ran no rule (tags {WCAG_TAGS:?}): nothing was checked"
        ));
    }
    result
        .get("violations")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| format!("axe's result has no violations array: {result}"))
}

/// One violation as a readable paragraph.
fn describe(v: &Value) -> String {
    let mut out = format!(
        "- {} ({}): {} <{}>\n",
        v["id"].as_str().unwrap_or("?"),
        v["impact"].as_str().unwrap_or("?"),
        v["help"].as_str().unwrap_or("?"),
        v["helpUrl"].as_str().unwrap_or("")
    );
    for node in v["nodes"].as_array().into_iter().flatten() {
        let summary = node["failureSummary"]
            .as_str()
            .unwrap_or("")
            .replace('\n', "\n        ");
        out.push_str(&format!(
            "    at {}\n      {}\n      {summary}\n",
            node["target"],
            node["html"].as_str().unwrap_or("")
        ));
    }
    out
}

impl Browser {
    /// Runs axe-core's WCAG 2.2 A/AA rules on the current page and looks for raw translation keys
    /// in its visible text; panics with every problem found. `label` names the screen and state
    /// in the message.
    pub async fn assert_accessible(&self, label: &str) {
        let loaded = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await
            .expect("a script runs");
        if loaded != json!(true) {
            self.client
                .execute(axe_source(), vec![])
                .await
                .expect("axe.min.js runs in the page");
        }
        let result = self
            .client
            .execute_async(RUN_AXE, vec![json!(WCAG_TAGS)])
            .await
            .unwrap_or_else(|e| panic!("{label}: axe.run failed: {e}"));
        let violations = violations_of(&result).unwrap_or_else(|e| panic!("{label}: {e}"));

        let (text, lang) = self.text_and_lang().await;
        let raw = raw_keys_in(&text, &lang);

        let mut report = String::new();
        if !violations.is_empty() {
            report.push_str(&format!(
                "{} axe violation(s) of WCAG 2.2 A/AA:\n",
                violations.len()
            ));
            for v in &violations {
                report.push_str(&describe(v));
            }
        }
        if !raw.is_empty() {
            report.push_str(&format!(
                "raw translation keys in the visible text: {raw:?}\n--- text ---\n{text}\n"
            ));
        }
        assert!(
            report.is_empty(),
            "{label} (lang {lang}) is not accessible:\n{report}"
        );
    }

    /// The visible text of the page and the language of `<html>`.
    async fn text_and_lang(&self) -> (String, String) {
        let v = self
            .script(
                "return [document.body.innerText, document.documentElement.lang];",
                vec![],
            )
            .await;
        match (v[0].as_str(), v[1].as_str()) {
            (Some(text), Some(lang)) => (text.to_owned(), lang.to_owned()),
            // Read as empty, the text would hold no raw key: a check that cannot fail.
            _ => panic!("the page's text and language read as {v}"),
        }
    }

    /// Waits until `<html lang dir>` are `lang` and `dir` (the SPA sets them once it knows the
    /// language).
    pub async fn assert_html_lang_dir(&self, lang: &str, dir: &str) {
        self.wait_script(
            "return [document.documentElement.lang, document.documentElement.dir];",
            vec![],
            json!([lang, dir]),
            "<html lang dir>",
        )
        .await;
    }

    /// Reflow (WCAG 2.2 SC 1.4.10): in a window 320 CSS px wide the page scrolls only
    /// vertically. The window's size is restored afterwards.
    pub async fn assert_reflows_at_320(&self, label: &str) {
        let (width, height) = self.client.get_window_size().await.expect("window size");
        self.client
            .set_window_size(320, 800)
            .await
            .expect("the window resizes");
        // The viewport without its vertical scroll bar (clientWidth) is what the content must
        // fit in; innerWidth, the window, says whether the resize took.
        let measure = "const d = document.documentElement;
                       return [window.innerWidth, d.scrollWidth, d.clientWidth];";
        let (inner, scroll, client) = self
            .wait_until(
                || async {
                    let v = self.script(measure, vec![]).await;
                    // A missing number read as 0 would make any page fit: fail instead.
                    let [inner, scroll, client] = [0, 1, 2].map(|i| v[i].as_u64());
                    match (inner, scroll, client) {
                        (Some(inner), Some(scroll), Some(client)) if inner <= 320 => {
                            Ok((inner, scroll, client))
                        }
                        _ => Err(v.to_string()),
                    }
                },
                &format!(
                    "{label}: the window 320 CSS px wide ([innerWidth, scrollWidth, clientWidth])"
                ),
            )
            .await;
        // What sticks out, for the message.
        let wide = self
            .client
            .execute(
                "const w = document.documentElement.clientWidth;
                 return [...document.querySelectorAll('body *')]
                   .filter((e) => { const r = e.getBoundingClientRect();
                                    return r.width > 0 && (r.right > w + 0.5 || r.left < -0.5); })
                   .slice(0, 10)
                   .map((e) => e.outerHTML.slice(0, 160));",
                vec![],
            )
            .await
            .expect("a script runs");
        let (width, height) = (
            u32::try_from(width).unwrap_or(1024),
            u32::try_from(height).unwrap_or(900),
        );
        self.client
            .set_window_size(width, height)
            .await
            .expect("the window resizes back");
        // The next check sees the page at its own width again.
        self.wait_until(
            || async {
                let v = self.script("return window.innerWidth;", vec![]).await;
                match v.as_u64() {
                    Some(inner) if inner > 320 => Ok(()),
                    _ => Err(v.to_string()),
                }
            },
            &format!("{label}: the window wider than 320 CSS px again"),
        )
        .await;
        assert!(
            scroll <= client,
            "{label}: at {inner} CSS px (content {client} px) the page is {scroll} px wide \
             (horizontal scrolling); too wide: {wide}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_flattened_and_found_as_whole_words() {
        let keys = translation_keys();
        assert!(keys.iter().any(|k| k == "portal_name"));
        assert!(keys.iter().any(|k| k == "error.code_wrong"));
        assert_eq!(
            raw_keys_in("Welcome to portal_name!", "en"),
            ["portal_name"]
        );
        assert_eq!(
            raw_keys_in("error.code_wrong", "ar"),
            vec!["error.code_wrong".to_owned()]
        );
        assert!(raw_keys_in("my_portal_names", "en").is_empty());
        assert!(raw_keys_in("Forgot your password? Sign in, or cancel.", "en").is_empty());
        assert_eq!(raw_keys_in("كلمة password", "ar"), ["password"]);
        assert_eq!(
            raw_keys_in("Too long: at most {limit} characters.", "en"),
            ["{limit}"]
        );
        assert!(raw_keys_in("{ }", "en").is_empty());
    }

    /// A result that is not what the script builds never reads as a clean page.
    #[test]
    fn a_malformed_axe_result_is_an_error() {
        let clean = json!({ "rules": 57, "violations": [] });
        assert_eq!(violations_of(&clean), Ok(vec![]));
        let one = json!({ "rules": 57, "violations": [{ "id": "image-alt" }] });
        assert_eq!(violations_of(&one).map(|v| v.len()), Ok(1));
        for bad in [
            json!({}),
            json!(null),
            json!({ "rules": 57 }),
            json!({ "rules": 57, "violations": null }),
            json!({ "rules": 57, "violations": "none" }),
            json!({ "violations": [] }),
            json!({ "rules": 0, "violations": [] }),
            json!({ "rules": 57, "violations": [], "error": "TypeError" }),
        ] {
            assert!(violations_of(&bad).is_err(), "{bad} passed as clean");
        }
    }
}
