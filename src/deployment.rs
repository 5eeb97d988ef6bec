//! What varies by deployment, so that one build serves every environment: the base path the
//! build was made for (Trunk's `--public-url`, in front of the module `boot.js` loads), and `config.json`
//! beside `index.html`, read once at start-up.

use partner_login_contract::brand::Brand;
use partner_login_contract::config_file::{check_api_base, Json};
use serde::Deserialize;
use std::sync::OnceLock;
use wasm_bindgen::{JsCast, JsValue};

/// `config.json`. Every key is optional; an empty object means "the API on this origin".
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentConfig {
    /// Where the API is: `/api` on this origin (the default), or an absolute URL such as
    /// `https://api.example.org/api` (that server must list this origin in
    /// CORS_ALLOWED_ORIGINS).
    #[serde(default)]
    pub api_base: Option<String>,
    /// The operator's branding (the contract's `brand`), read as any JSON here and checked
    /// piece by piece by [`crate::brand::read`]: a bad piece is left out, never fatal.
    #[serde(default)]
    pub brand: Option<Json>,
}

/// Why the page cannot start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigProblem {
    /// `config.json` could not be fetched (missing, or the network failed).
    Missing(String),
    /// It is there but is not a valid configuration.
    Broken(String),
}

impl DeploymentConfig {
    /// Parses `config.json`'s text.
    pub fn parse(text: &str) -> Result<Self, ConfigProblem> {
        let config: DeploymentConfig = crate::json::parse(text).map_err(ConfigProblem::Broken)?;
        if let Some(base) = &config.api_base {
            check_api_base(base).map_err(|e| ConfigProblem::Broken(format!("api_base {e}")))?;
        }
        Ok(config)
    }

    /// The API base without a trailing slash.
    pub fn api_base(&self) -> String {
        self.api_base
            .as_deref()
            .unwrap_or("/api")
            .trim_end_matches('/')
            .to_owned()
    }
}

static API_BASE: OnceLock<String> = OnceLock::new();
static BRAND: OnceLock<Brand> = OnceLock::new();

/// The API base in force: set once from `config.json`; `/api` before (component tests).
pub fn api_base() -> &'static str {
    API_BASE.get().map_or("/api", String::as_str)
}

/// Records the configuration for the rest of the page's life, and applies the brand's
/// colours (its problems go to the console).
pub fn install(config: &DeploymentConfig) {
    let _ = API_BASE.set(config.api_base());
    let brand = crate::brand::read(config.brand.as_ref());
    crate::brand::apply_colors(&brand.colors);
    let _ = BRAND.set(brand);
}

/// The operator's branding in force (none before [`install`]).
pub fn brand() -> Brand {
    BRAND.get().cloned().unwrap_or_default()
}

/// The base path the build was made for, with a trailing slash (`/`, `/login/`). Trunk writes
/// `--public-url` in front of the module it asks `boot.js` to load (`data-js`), so the base is
/// that URL's folder. (Not a `<base href>`: the CSP says `base-uri 'none'`, OWASP ASVS 5.0
/// V3.4.3, so no element may change how the page's relative URLs resolve.) Read once.
pub fn base_path() -> String {
    static BASE: OnceLock<String> = OnceLock::new();
    BASE.get_or_init(read_base_path).clone()
}

fn read_base_path() -> String {
    let module = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("script[data-js]").ok().flatten())
        .and_then(|s| s.get_attribute("data-js"))
        .unwrap_or_default();
    base_path_of_module(&module)
}

/// The folder of the module's URL, as a path: `/login/app-1f2e.js` → `/login/`,
/// `https://cdn.example/login/app.js` → `/login/`; anything else → `/`.
pub fn base_path_of_module(url: &str) -> String {
    let url = url.trim();
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => url,
    };
    if !path.starts_with('/') {
        return "/".to_owned();
    }
    match path.rfind('/') {
        Some(i) => path[..=i].to_owned(),
        None => "/".to_owned(),
    }
}

/// A client route as a link target under the base path: `route("/signup")` is
/// `/login/signup` in a build for `/login/`: every link's `href` (plain `<a>`, `crate::nav`)
/// and [`crate::nav::Navigate::page_loads`]'s address. (leptos_router's `navigate` adds the
/// base itself.)
pub fn route(path: &str) -> String {
    format!("{}{}", base_path(), path.trim_start_matches('/'))
}

/// A page of the backend itself (the development mailbox), beside the API.
pub fn backend_page(path: &str) -> String {
    let api = api_base();
    let backend = api.strip_suffix("/api").unwrap_or("");
    format!("{backend}{path}")
}

/// The router's base: the base path without its trailing slash (`""` at the root).
pub fn router_base() -> String {
    base_path().trim_end_matches('/').to_owned()
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `public/boot.js`'s fetch of the file `name` under the base path (issue 21): the one it
    /// started beside the WASM's (`config.json`, the reader's language file), taken once, else
    /// a new one with `cache` (a `RequestCache`); the `Response`, or the failed fetch's message.
    #[wasm_bindgen(catch, js_namespace = window, js_name = partnerLoginFetch)]
    fn boot_fetch(name: &str, cache: &str) -> Result<js_sys::Promise, JsValue>;
}

/// The file `name` beside `index.html`, through `boot.js`, which may have started its fetch
/// already (so its round trip is not after the WASM's start: docs/first-load-levers.md);
/// `cache`: `"no-cache"` or `"default"`. Without `boot.js` (the component tests): `Err`.
pub async fn fetch_file(name: &str, cache: &str) -> Result<crate::http::Response, String> {
    let started = boot_fetch(name, cache).map_err(|_| "no boot.js".to_owned())?;
    wasm_bindgen_futures::JsFuture::from(started)
        .await
        .map(|r| r.unchecked_into::<web_sys::Response>().into())
        .map_err(|e| e.as_string().unwrap_or_default())
}

/// Fetches and parses `config.json` beside `index.html` (no stale copy: `no-cache`).
pub async fn load() -> Result<DeploymentConfig, ConfigProblem> {
    let url = format!("{}config.json", base_path());
    let text = fetch_text("config.json", "no-cache")
        .await
        .map_err(ConfigProblem::Missing)?;
    // A host's single-page-application fallback answers a missing file with index.html.
    if text.trim_start().starts_with('<') {
        return Err(ConfigProblem::Missing(format!(
            "{url}: an HTML page came back (the fallback for a missing file?)"
        )));
    }
    DeploymentConfig::parse(&text)
}

/// The text of a file of the deployment beside `index.html` (`config.json`, a language file),
/// or why not, with its URL: the fetch `boot.js` started for it, if any ([`fetch_file`]). One
/// function for both (issue 21: each inlined copy of the fetch cost the first load).
pub async fn fetch_text(name: &str, cache: &str) -> Result<String, String> {
    let url = format!("{}{name}", base_path());
    let response = fetch_file(name, cache)
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    response.text().await.map_err(|e| format!("{url}: {e}"))
}

/// Reads `config.json` and, in parallel, the words of the language to start in when it is not
/// English (so that nothing is drawn in English first, nor flips to right-to-left), then draws
/// `children` (the app), or, without a usable configuration, the page that says so.
#[leptos::component]
pub fn Configured(children: leptos::children::ChildrenFn) -> impl leptos::IntoView {
    use leptos::prelude::*;
    let loaded = RwSignal::new(None::<Result<(), ConfigProblem>>);
    let lang = crate::ui::wanted_lang();
    let words = RwSignal::new(lang.is_ready());
    if !words.get_untracked() {
        leptos::task::spawn_local(async move {
            // On failure the app starts in English (ui::initial_lang).
            if let Err(problem) = lang.load().await {
                web_sys::console::warn_1(&problem.into());
            }
            words.set(true);
        });
    }
    leptos::task::spawn_local(async move {
        let result = load().await.map(|c| install(&c));
        loaded.set(Some(result));
    });
    move || match loaded.get().filter(|_| words.get()) {
        None => ().into_any(),
        Some(Ok(())) => children().into_any(),
        Some(Err(problem)) => {
            view! { <crate::pages::config_error::ConfigError problem /> }.into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_config_means_the_api_on_this_origin() {
        assert_eq!(DeploymentConfig::parse("{}").unwrap().api_base(), "/api");
    }

    #[test]
    fn api_base_may_be_another_origin() {
        let config = DeploymentConfig::parse(r#"{"api_base": "https://api.example.org/api/"}"#);
        assert_eq!(config.unwrap().api_base(), "https://api.example.org/api");
    }

    #[test]
    fn broken_configs_say_what_is_wrong() {
        assert!(matches!(
            DeploymentConfig::parse("{\"api_base\": "),
            Err(ConfigProblem::Broken(_))
        ));
        assert!(matches!(
            DeploymentConfig::parse(r#"{"api_base": "javascript:alert(1)"}"#),
            Err(ConfigProblem::Broken(_))
        ));
        assert!(matches!(
            DeploymentConfig::parse(r#"{"apibase": "/api"}"#),
            Err(ConfigProblem::Broken(_))
        ));
    }

    #[test]
    fn a_bad_brand_does_not_break_the_config() {
        let config = DeploymentConfig::parse(
            r##"{"api_base": "/api", "brand": {"colours": 1, "colors": {"text": "pink"}}}"##,
        )
        .unwrap();
        assert_eq!(config.api_base(), "/api");
        assert!(config.brand.is_some());
        // Neither does a brand that is not even an object.
        assert!(DeploymentConfig::parse(r#"{"brand": "red"}"#).is_ok());
    }

    #[test]
    fn the_base_path_is_the_folder_of_the_module_trunk_wrote() {
        assert_eq!(base_path_of_module("/partner-login-1f2e.js"), "/");
        assert_eq!(
            base_path_of_module("/login/partner-login-1f2e.js"),
            "/login/"
        );
        assert_eq!(
            base_path_of_module("https://cdn.example/a/b/app.js"),
            "/a/b/"
        );
        assert_eq!(base_path_of_module("https://cdn.example"), "/");
        assert_eq!(base_path_of_module(""), "/");
        assert_eq!(base_path_of_module("app.js"), "/");
    }
}
