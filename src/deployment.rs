//! What varies by deployment, so that one build serves every environment: the base path the
//! build was made for (Trunk's `--public-url`, in front of the module `boot.js` loads), and `config.json`
//! beside `index.html`, read once at start-up.

use serde::Deserialize;
use std::sync::OnceLock;

/// `config.json`. Every key is optional; an empty object means "the API on this origin".
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentConfig {
    /// Where the API is: `/api` on this origin (the default), or an absolute URL such as
    /// `https://api.example.org/api` (that server must list this origin in
    /// CORS_ALLOWED_ORIGINS).
    #[serde(default)]
    pub api_base: Option<String>,
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
        let config: DeploymentConfig =
            serde_json::from_str(text).map_err(|e| ConfigProblem::Broken(e.to_string()))?;
        if let Some(base) = &config.api_base {
            let ok = base.starts_with('/')
                || base.starts_with("https://")
                || base.starts_with("http://");
            if !ok {
                return Err(ConfigProblem::Broken(format!(
                    "api_base must start with / or http(s)://, not {base:?}"
                )));
            }
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

/// The API base in force: set once from `config.json`; `/api` before (component tests).
pub fn api_base() -> &'static str {
    API_BASE.get().map_or("/api", String::as_str)
}

/// Records the configuration for the rest of the page's life.
pub fn install(config: &DeploymentConfig) {
    let _ = API_BASE.set(config.api_base());
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
/// `/login/signup` in a build for `/login/`. (leptos_router's `<A>` leaves absolute paths as
/// they are; `navigate` adds the base itself.)
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

/// Fetches and parses `config.json` beside `index.html`.
pub async fn load() -> Result<DeploymentConfig, ConfigProblem> {
    let url = format!("{}config.json", base_path());
    let response = gloo_net::http::Request::get(&url)
        .cache(web_sys::RequestCache::NoCache)
        .send()
        .await
        .map_err(|e| ConfigProblem::Missing(format!("{url}: {e}")))?;
    if !response.ok() {
        return Err(ConfigProblem::Missing(format!(
            "{url}: HTTP {}",
            response.status()
        )));
    }
    let text = response
        .text()
        .await
        .map_err(|e| ConfigProblem::Missing(format!("{url}: {e}")))?;
    // A host's single-page-application fallback answers a missing file with index.html.
    if text.trim_start().starts_with('<') {
        return Err(ConfigProblem::Missing(format!(
            "{url}: an HTML page came back (the fallback for a missing file?)"
        )));
    }
    DeploymentConfig::parse(&text)
}

/// Reads `config.json`, then draws `children` (the app), or, without a usable configuration,
/// the page that says so.
#[leptos::component]
pub fn Configured(children: leptos::children::ChildrenFn) -> impl leptos::IntoView {
    use leptos::prelude::*;
    let loaded = RwSignal::new(None::<Result<(), ConfigProblem>>);
    leptos::task::spawn_local(async move {
        let result = load().await.map(|c| install(&c));
        loaded.set(Some(result));
    });
    move || match loaded.get() {
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
