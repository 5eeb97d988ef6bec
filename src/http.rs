//! The SPA's one way to HTTP: the browser's `fetch`, and its `Response` read as text (issue 21:
//! instead of gloo-net, whose `http`, wasm-streams and futures crates and serde_json's error
//! messages cost the first load more; measured in `docs/first-load-levers.md`). What is asked
//! and how an answer is read is `api.rs`'s; the files beside `index.html`, `deployment.rs`'s.

use partner_login_contract::api::{CSRF_HEADER, CSRF_HEADER_VALUE};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit};

/// An answer of the server, whatever its status.
pub struct Response(web_sys::Response);

impl From<web_sys::Response> for Response {
    fn from(response: web_sys::Response) -> Self {
        Response(response)
    }
}

impl Response {
    /// A status from 200 to 299.
    pub fn ok(&self) -> bool {
        self.0.ok()
    }

    pub fn status(&self) -> u16 {
        self.0.status()
    }

    /// The body as text, or why it could not be read (the connection dropped): the browser's
    /// message.
    pub async fn text(&self) -> Result<String, String> {
        let read = match self.0.text() {
            Ok(promise) => JsFuture::from(promise).await,
            Err(e) => Err(e),
        };
        match read {
            Ok(text) => Ok(text.as_string().unwrap_or_default()),
            Err(e) => Err(e
                .unchecked_into::<js_sys::Error>()
                .message()
                .as_string()
                .unwrap_or_default()),
        }
    }
}

/// Sends `method` to `url` with the session cookie, also when the API is on another origin
/// (`credentials: include`). Any method but `GET` changes state: it carries the CSRF header
/// (OWASP ASVS 5.0 V3.5.1), and `body`, JSON text, if any. `Err`: no answer came (the network
/// failed, or the browser refused the answer, e.g. by CORS).
pub async fn send(method: &str, url: &str, body: Option<&str>) -> Result<Response, JsValue> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::Include);
    if method != "GET" {
        // The headers as `[name, value]` pairs: 100 B less on the first load than a `Headers`.
        let headers = js_sys::Array::of1(&js_sys::Array::of2(
            &CSRF_HEADER.into(),
            &CSRF_HEADER_VALUE.into(),
        ));
        if let Some(body) = body {
            headers.push(&js_sys::Array::of2(
                &"content-type".into(),
                &"application/json".into(),
            ));
            init.set_body(&JsValue::from_str(body));
        }
        init.set_headers(&headers);
    }
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let answer = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await?;
    Ok(Response(answer.unchecked_into()))
}

/// Resolves after `ms` milliseconds (the browser's `setTimeout`): the wait between two tries
/// of a request (`retry.rs`).
pub async fn sleep(ms: u32) {
    let waited = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let ms = i32::try_from(ms).unwrap_or(i32::MAX);
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(waited).await;
}
