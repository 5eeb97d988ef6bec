//! Numbers and dates the language's own way. In the browser this is `Intl.NumberFormat` and
//! `Intl.DateTimeFormat`: the browser already carries the CLDR data, so the bundle carries none.
//! The native unit tests, which have no browser, get ASCII digits and an ISO-like UTC date.

#[cfg(target_arch = "wasm32")]
mod browser {
    use js_sys::{Array, Date, Intl, Object, Reflect};
    use wasm_bindgen::JsValue;

    fn locales(tag: &str) -> Array {
        Array::of1(&tag.into())
    }

    pub fn number(tag: &str, n: u64) -> String {
        let formatter = Intl::NumberFormat::new(&locales(tag), &Object::new());
        formatter
            .format()
            .call1(&formatter, &JsValue::from_f64(n as f64))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_else(|| n.to_string())
    }

    pub fn date_time(tag: &str, unix_seconds: i64) -> String {
        let options = Object::new();
        let _ = Reflect::set(&options, &"dateStyle".into(), &"long".into());
        let _ = Reflect::set(&options, &"timeStyle".into(), &"short".into());
        let formatter = Intl::DateTimeFormat::new(&locales(tag), &options);
        let date = Date::new(&JsValue::from_f64(unix_seconds as f64 * 1000.0));
        formatter
            .format()
            .call1(&formatter, &date)
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    }
}

#[cfg(target_arch = "wasm32")]
pub use browser::{date_time, number};

#[cfg(not(target_arch = "wasm32"))]
pub fn number(_tag: &str, n: u64) -> String {
    n.to_string()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn date_time(_tag: &str, unix_seconds: i64) -> String {
    format!("@{unix_seconds}")
}
