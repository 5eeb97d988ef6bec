//! `config.json`, the deployment settings beside the SPA's `index.html`, read leniently: the
//! page reads it at start-up (`src/deployment.rs`), and `cargo xtask dist --check-config`
//! checks it ahead of time, with the same rules and the same words.
//!
//! The file is first read into a [`Json`] tree (any JSON at all), then checked key by key, so
//! that a problem names its key path (`brand.links[2].href`) and one bad piece does not cost
//! the others: an unknown key or a bad colour under `brand` is refused alone, the rest applies.

use crate::brand::Brand;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Any JSON value, as far as the checks need it (a number's value is never used). serde_json
/// bounds the nesting (128 levels); the file's size bounds the rest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Json {
    Null,
    Bool(bool),
    Number,
    String(String),
    Array(Vec<Json>),
    /// In the file's order, duplicates kept (the checks name them).
    Object(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        Json::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Json, E> {
        Ok(Json::Number)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Json, E> {
        Ok(Json::Number)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Json, E> {
        Ok(Json::Number)
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Json::Object(entries))
    }
}

/// One thing wrong in `config.json`, at a key path such as `brand.colors.text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

pub(crate) fn problem(problems: &mut Vec<Problem>, path: &str, message: impl Into<String>) {
    problems.push(Problem {
        path: path.to_owned(),
        message: message.into(),
    });
}

/// The values of an object's known keys, in `known`'s order; an unknown key, a key given
/// twice, or something else than an object is a problem (and reads as nothing).
pub(crate) fn fields<'a, const N: usize>(
    json: &'a Json,
    path: &str,
    known: [&str; N],
    problems: &mut Vec<Problem>,
) -> [Option<&'a Json>; N] {
    let mut found = [None; N];
    read_fields(json, path, &known, &mut found, problems);
    found
}

fn read_fields<'a>(
    json: &'a Json,
    path: &str,
    known: &[&str],
    found: &mut [Option<&'a Json>],
    problems: &mut Vec<Problem>,
) {
    let Json::Object(entries) = json else {
        problem(problems, path, "expected an object");
        return;
    };
    for (key, value) in entries {
        let at = format!("{path}.{key}");
        match known.iter().position(|k| k == key) {
            Some(i) if found[i].is_none() => found[i] = Some(value),
            Some(_) => problem(problems, &at, "given twice"),
            None => {
                let mut message = "unknown key (known:".to_owned();
                for (i, k) in known.iter().enumerate() {
                    message.push_str(if i == 0 { " " } else { ", " });
                    message.push_str(k);
                }
                message.push(')');
                problem(problems, &at, message);
            }
        }
    }
}

/// Where the API is: `/api` on this origin, or an absolute `http(s)://` URL (that server must
/// list this origin in CORS_ALLOWED_ORIGINS). Anything else (`javascript:`, a relative path)
/// stops the page: it could not sign anyone in.
pub fn check_api_base(base: &str) -> Result<(), String> {
    if base.starts_with('/') || base.starts_with("https://") || base.starts_with("http://") {
        Ok(())
    } else {
        Err(format!(
            "must start with / or http(s)://, not {}",
            crate::Quoted(base)
        ))
    }
}

/// The whole file's problems, each at its key path; none means the page uses it all.
/// `api_base` problems stop the page; `brand` problems only cost the piece they are in.
pub fn check(json: &Json) -> Vec<Problem> {
    let mut problems = Vec::new();
    let [api_base, brand] = fields(json, "config.json", ["api_base", "brand"], &mut problems);
    // The top-level keys are named without the file's name in front.
    for p in &mut problems {
        if let Some(key) = p.path.strip_prefix("config.json.") {
            p.path = key.to_owned();
        }
    }
    match api_base {
        None | Some(Json::Null) => {}
        Some(Json::String(base)) => {
            if let Err(e) = check_api_base(base) {
                problem(&mut problems, "api_base", e);
            }
        }
        Some(_) => problem(&mut problems, "api_base", "expected a string"),
    }
    if let Some(brand) = brand.filter(|b| **b != Json::Null) {
        problems.extend(Brand::read(brand).1);
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Json {
        serde_json::from_str(text).unwrap()
    }

    fn paths(text: &str) -> Vec<String> {
        check(&json(text)).into_iter().map(|p| p.path).collect()
    }

    #[test]
    fn any_json_reads_into_the_tree() {
        assert_eq!(
            json(r#"{"a": [1, "x", null, true, {"b": -2.5}]}"#),
            Json::Object(vec![(
                "a".into(),
                Json::Array(vec![
                    Json::Number,
                    Json::String("x".into()),
                    Json::Null,
                    Json::Bool(true),
                    Json::Object(vec![("b".into(), Json::Number)]),
                ])
            )])
        );
    }

    #[test]
    fn the_shipped_config_and_the_sample_branding_are_clean() {
        let public = include_str!("../../../public/config.json");
        assert_eq!(check(&json(public)), vec![]);
        let sample = include_str!("../../e2e/brand/config.json");
        assert_eq!(check(&json(sample)), vec![]);
    }

    #[test]
    fn each_problem_is_named_by_its_key_path() {
        assert_eq!(paths(r#"{"apibase": "/api"}"#), ["apibase"]);
        assert_eq!(
            paths(r#"{"api_base": "javascript:alert(1)"}"#),
            ["api_base"]
        );
        assert_eq!(paths(r#"{"api_base": 3}"#), ["api_base"]);
        assert_eq!(paths(r#"[]"#), ["config.json"]);
        assert_eq!(
            paths(
                r#"{"brand": {"colours": {}, "links": [{"href": "javascript:alert(1)", "label": {"en": "x"}}]}}"#
            ),
            ["brand.colours", "brand.links[0].href"]
        );
        assert_eq!(
            paths(r#"{"api_base": "/api", "api_base": "/x"}"#),
            ["api_base"]
        );
    }

    #[test]
    fn api_base_is_this_origin_or_an_absolute_url() {
        assert!(check_api_base("/api").is_ok());
        assert!(check_api_base("https://api.example.org/api").is_ok());
        assert!(check_api_base("http://localhost:8080/api").is_ok());
        assert!(check_api_base("api").is_err());
        assert!(check_api_base("javascript:alert(1)").is_err());
    }
}
