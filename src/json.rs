//! Every JSON text the SPA reads (`config.json`, a language file, an API answer) is parsed
//! here, and every one it sends (a request's body) is written here (`json/write.rs`). In the
//! browser, a text is parsed by the browser's own `JSON.parse`; the Rust type is then filled
//! from the JavaScript value by [`Value`], a small serde `Deserializer` of our own (issue 21:
//! serde_json's parser and its messages cost the first load more, and serde-wasm-bindgen's
//! messages print a number's value with core's float formatting, 10 KB; measured in
//! `docs/first-load-levers.md`). Elsewhere (the native unit tests): serde_json, which is not
//! in the WASM.
//!
//! What differs from serde_json, all within what JSON allows: an object's key given twice keeps
//! its last value (`JSON.parse`; `cargo xtask dist --check-config` names such keys); a number
//! is exact up to 2^53 (no answer of the API comes near); an integer written `1.0` reads as `1`;
//! a struct is read from an object only, not from an array of its fields in order (serde's
//! positional form, which no file or answer uses: its code is not in the WASM).

use serde::de::DeserializeOwned;

mod write;
pub use write::{write, Unwritten};

/// `text` as a `T`, or why not (the parser's message).
#[cfg(target_arch = "wasm32")]
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    use wasm_bindgen::JsCast;
    let value = js_sys::JSON::parse(text)
        .map_err(|e| String::from(e.unchecked_into::<js_sys::Error>().message()))?;
    T::deserialize(Value {
        value,
        depth: MAX_DEPTH,
    })
    .map_err(|e| e.0)
}

/// `text` as a `T`, or why not (the parser's message).
#[cfg(not(target_arch = "wasm32"))]
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// How deep arrays and objects may nest, as serde_json allows: the walk below is recursive,
/// and a deeper file is refused rather than allowed to exhaust the stack (bounded work).
#[cfg(target_arch = "wasm32")]
const MAX_DEPTH: u8 = 128;

#[cfg(target_arch = "wasm32")]
pub use browser::{Error, Value};

#[cfg(target_arch = "wasm32")]
mod browser {
    use js_sys::{Array, Object, Reflect};
    use partner_login_contract::Quoted;
    use serde::de::{
        self, DeserializeSeed, Expected, IntoDeserializer, MapAccess, SeqAccess, Unexpected,
        Visitor,
    };
    use std::fmt;
    use wasm_bindgen::{JsCast, JsValue};

    /// Why a value is not the type asked for.
    #[derive(Debug)]
    pub struct Error(pub String);

    impl fmt::Display for Error {
        fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl std::error::Error for Error {}

    /// What came, in serde's words, but a number unnamed: serde's own `Display` of
    /// [`Unexpected`] prints an `f64`, which pulls core's float formatting into the WASM
    /// (10 KB).
    struct Shown<'a>(Unexpected<'a>);

    impl fmt::Display for Shown<'_> {
        fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
            match self.0 {
                Unexpected::Bool(b) => write!(f, "boolean `{b}`"),
                Unexpected::Unsigned(n) => write!(f, "integer `{n}`"),
                Unexpected::Signed(n) => write!(f, "integer `{n}`"),
                Unexpected::Str(s) => write!(f, "string {}", Quoted(s)),
                Unexpected::Unit => f.write_str("null"),
                Unexpected::Seq => f.write_str("an array"),
                Unexpected::Map => f.write_str("an object"),
                Unexpected::Float(_) => f.write_str("a number"),
                Unexpected::Other(what) => f.write_str(what),
                _ => f.write_str("a value of another kind"),
            }
        }
    }

    impl de::Error for Error {
        fn custom<T: fmt::Display>(message: T) -> Self {
            Error(message.to_string())
        }
        fn invalid_type(unexpected: Unexpected, expected: &dyn Expected) -> Self {
            Error(format!(
                "invalid type: {}, expected {expected}",
                Shown(unexpected)
            ))
        }
        fn invalid_value(unexpected: Unexpected, expected: &dyn Expected) -> Self {
            Error(format!(
                "invalid value: {}, expected {expected}",
                Shown(unexpected)
            ))
        }
    }

    /// A value `JSON.parse` made, with how much deeper it may still nest.
    pub struct Value {
        pub(super) value: JsValue,
        pub(super) depth: u8,
    }

    impl Value {
        /// The object's members, when the value is an object (not an array, not null) and may
        /// nest one level deeper.
        fn members(self, expected: &dyn Expected) -> Result<Members, Error> {
            if !self.value.is_object() || Array::is_array(&self.value) {
                return Err(refused(&self.value, expected));
            }
            let depth = self.inner()?;
            Ok(Members::new(self.value.unchecked_into(), depth))
        }

        /// The array's items, when the value is an array and may nest one level deeper.
        fn items(self, expected: &dyn Expected) -> Result<Items, Error> {
            if !Array::is_array(&self.value) {
                return Err(refused(&self.value, expected));
            }
            Ok(Items {
                depth: self.inner()?,
                items: self.value.unchecked_into(),
                next: 0,
            })
        }

        fn inner(&self) -> Result<u8, Error> {
            self.depth
                .checked_sub(1)
                .ok_or_else(|| Error("nested too deep".to_owned()))
        }
    }

    /// The largest integer a JavaScript number holds exactly (2^53 - 1).
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

    /// What a value is, told once for every type asked (not in each copy of
    /// `deserialize_any`, one per type).
    enum Kind {
        Null,
        Bool(bool),
        Unsigned(u64),
        Signed(i64),
        Float(f64),
        String(String),
        Array,
        Object,
    }

    #[inline(never)]
    fn kind(value: &JsValue) -> Kind {
        if value.is_null() || value.is_undefined() {
            Kind::Null
        } else if let Some(b) = value.as_bool() {
            Kind::Bool(b)
        } else if let Some(n) = value.as_f64() {
            // Integers as integers, so that the types' integer fields take them.
            if n.fract() == 0.0 && n.abs() <= MAX_SAFE {
                if n >= 0.0 {
                    Kind::Unsigned(n as u64)
                } else {
                    Kind::Signed(n as i64)
                }
            } else {
                Kind::Float(n)
            }
        } else if let Some(s) = value.as_string() {
            Kind::String(s)
        } else if Array::is_array(value) {
            Kind::Array
        } else {
            Kind::Object
        }
    }

    /// Why `value` is not what `expected` asked for: serde's "invalid type" message, told once
    /// for every type (not in each type's copy of the methods below).
    #[inline(never)]
    fn refused(value: &JsValue, expected: &dyn Expected) -> Error {
        let string;
        let unexpected = match kind(value) {
            Kind::Null => Unexpected::Unit,
            Kind::Bool(b) => Unexpected::Bool(b),
            Kind::Unsigned(n) => Unexpected::Unsigned(n),
            Kind::Signed(n) => Unexpected::Signed(n),
            Kind::Float(n) => Unexpected::Float(n),
            Kind::String(s) => {
                string = s;
                Unexpected::Str(&string)
            }
            Kind::Array => Unexpected::Seq,
            Kind::Object => Unexpected::Map,
        };
        de::Error::invalid_type(unexpected, expected)
    }

    /// The integer types other than `u64`, read as [`Value`]'s `deserialize_u64` reads.
    macro_rules! integers {
        ($($method:ident)*) => {$(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                self.deserialize_u64(visitor)
            }
        )*};
    }

    // A type asks for what it reads (a struct or a map an object, a list an array, a text or a
    // field's name a string, a boolean or an integer type a boolean or an integer), and its
    // visitor is given that kind or refused: the other kinds' `visit_*` (a struct read from an
    // array, serde's positional form, among them) are not linked into the WASM for each type,
    // as `deserialize_any` links them (issue 21: 3.0 KB brotli of the sign-in WASM). Floats,
    // `null`, what is ignored and the types that take any value go through `deserialize_any`.
    impl<'de> de::Deserializer<'de> for Value {
        type Error = Error;

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            _fields: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, Error> {
            self.deserialize_map(visitor)
        }

        fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let members = self.members(&visitor)?;
            visitor.visit_map(members)
        }

        fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let items = self.items(&visitor)?;
            visitor.visit_seq(items)
        }

        fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.value.as_string() {
                Some(s) => visitor.visit_string(s),
                None => Err(refused(&self.value, &visitor)),
            }
        }

        fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.deserialize_string(visitor)
        }

        fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.deserialize_string(visitor)
        }

        fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.value.as_bool() {
                Some(b) => visitor.visit_bool(b),
                None => Err(refused(&self.value, &visitor)),
            }
        }

        /// Every integer type: an integral number (a fraction or a number past 2^53 is refused,
        /// and one out of the type's range by its visitor).
        fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match kind(&self.value) {
                Kind::Unsigned(n) => visitor.visit_u64(n),
                Kind::Signed(n) => visitor.visit_i64(n),
                _ => Err(refused(&self.value, &visitor)),
            }
        }

        integers! {
            deserialize_u8 deserialize_u16 deserialize_u32 deserialize_i8 deserialize_i16
            deserialize_i32 deserialize_i64
        }

        fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match kind(&self.value) {
                Kind::Null => visitor.visit_unit(),
                Kind::Bool(b) => visitor.visit_bool(b),
                Kind::Unsigned(n) => visitor.visit_u64(n),
                Kind::Signed(n) => visitor.visit_i64(n),
                Kind::Float(n) => visitor.visit_f64(n),
                Kind::String(s) => visitor.visit_string(s),
                Kind::Array => visitor.visit_seq(Items {
                    depth: self.inner()?,
                    items: self.value.unchecked_into(),
                    next: 0,
                }),
                Kind::Object => {
                    let depth = self.inner()?;
                    visitor.visit_map(Members::new(self.value.unchecked_into(), depth))
                }
            }
        }

        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            if self.value.is_null() || self.value.is_undefined() {
                visitor.visit_none()
            } else {
                visitor.visit_some(self)
            }
        }

        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            visitor: V,
        ) -> Result<V::Value, Error> {
            visitor.visit_newtype_struct(self)
        }

        /// A unit variant is its name (the contract's enums, such as `ErrorCode`).
        fn deserialize_enum<V: Visitor<'de>>(
            self,
            _name: &'static str,
            _variants: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, Error> {
            match self.value.as_string() {
                Some(name) => visitor.visit_enum(name.into_deserializer()),
                None => Err(refused(&self.value, &visitor)),
            }
        }

        serde::forward_to_deserialize_any! {
            i128 u128 f32 f64 char bytes byte_buf unit unit_struct tuple tuple_struct
            ignored_any
        }
    }

    /// An array's items, in order.
    struct Items {
        items: Array,
        next: u32,
        depth: u8,
    }

    impl<'de> SeqAccess<'de> for Items {
        type Error = Error;

        fn next_element_seed<T: DeserializeSeed<'de>>(
            &mut self,
            seed: T,
        ) -> Result<Option<T::Value>, Error> {
            if self.next >= self.items.length() {
                return Ok(None);
            }
            let value = self.items.get(self.next);
            self.next += 1;
            seed.deserialize(Value {
                value,
                depth: self.depth,
            })
            .map(Some)
        }
    }

    /// An object's members, in `Object.keys`'s order (the file's, for keys that are not
    /// numbers).
    struct Members {
        object: Object,
        keys: Array,
        next: u32,
        depth: u8,
    }

    impl Members {
        fn new(object: Object, depth: u8) -> Self {
            Members {
                keys: Object::keys(&object),
                object,
                next: 0,
                depth,
            }
        }
    }

    impl<'de> MapAccess<'de> for Members {
        type Error = Error;

        fn next_key_seed<K: DeserializeSeed<'de>>(
            &mut self,
            seed: K,
        ) -> Result<Option<K::Value>, Error> {
            if self.next >= self.keys.length() {
                return Ok(None);
            }
            seed.deserialize(Value {
                value: self.keys.get(self.next),
                depth: self.depth,
            })
            .map(Some)
        }

        fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
            let key = self.keys.get(self.next);
            self.next += 1;
            let value = Reflect::get(&self.object, &key).unwrap_or(JsValue::UNDEFINED);
            seed.deserialize(Value {
                value,
                depth: self.depth,
            })
        }
    }
}
