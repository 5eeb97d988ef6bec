//! The request bodies' JSON text, written as serde_json writes it (compact, the same escapes),
//! by a serde `Serializer` of our own (issue 21: serde_json's writer, its error type and their
//! drop glue cost the first load more; measured in `docs/first-load-levers.md`). It writes
//! what the API's requests are made of: objects (a struct's fields; an `Option` left out by
//! `skip_serializing_if`, else `null`), texts, booleans, integers, enums by name. Anything else
//! (a float, an array, a map) is refused: `Err`, never a wrong text.

use serde::ser::{self, Impossible, Serialize};
use std::fmt::{self, Write};

/// `value` as compact JSON text, or `Err` for a shape this writer does not write.
pub fn write<T: Serialize + ?Sized>(value: &T) -> Result<String, Unwritten> {
    let mut out = String::new();
    value.serialize(Writer(&mut out))?;
    Ok(out)
}

/// A value of a shape the request bodies never have (a float, an array, a map).
#[derive(Debug)]
pub struct Unwritten;

impl fmt::Display for Unwritten {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("not written as JSON")
    }
}

impl std::error::Error for Unwritten {}

impl ser::Error for Unwritten {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unwritten
    }
}

/// `text` quoted, with serde_json's escapes: `"` and `\`, the short forms of backspace, form
/// feed, line feed, carriage return and tab, and `\u00XX` for the other control characters.
fn quote(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                out.push_str("\\u00");
                out.push(char::from(b"0123456789abcdef"[c as usize >> 4]));
                out.push(char::from(b"0123456789abcdef"[c as usize & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Writer<'a>(&'a mut String);

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = Unwritten;
    type SerializeSeq = Impossible<(), Unwritten>;
    type SerializeTuple = Impossible<(), Unwritten>;
    type SerializeTupleStruct = Impossible<(), Unwritten>;
    type SerializeTupleVariant = Impossible<(), Unwritten>;
    type SerializeMap = Impossible<(), Unwritten>;
    type SerializeStruct = Object<'a>;
    type SerializeStructVariant = Impossible<(), Unwritten>;

    fn serialize_bool(self, v: bool) -> Result<(), Unwritten> {
        self.0.push_str(if v { "true" } else { "false" });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), Unwritten> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<(), Unwritten> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<(), Unwritten> {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result<(), Unwritten> {
        write!(self.0, "{v}").map_err(|_| Unwritten)
    }

    fn serialize_u8(self, v: u8) -> Result<(), Unwritten> {
        self.serialize_u64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<(), Unwritten> {
        self.serialize_u64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<(), Unwritten> {
        self.serialize_u64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Unwritten> {
        write!(self.0, "{v}").map_err(|_| Unwritten)
    }

    /// Refused: writing a float would link core's float formatting (10 KB).
    fn serialize_f32(self, _: f32) -> Result<(), Unwritten> {
        Err(Unwritten)
    }

    fn serialize_f64(self, _: f64) -> Result<(), Unwritten> {
        Err(Unwritten)
    }

    fn serialize_char(self, v: char) -> Result<(), Unwritten> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Unwritten> {
        quote(self.0, v);
        Ok(())
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<(), Unwritten> {
        Err(Unwritten)
    }

    fn serialize_none(self) -> Result<(), Unwritten> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unwritten> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Unwritten> {
        self.0.push_str("null");
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unwritten> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Unwritten> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Unwritten> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Unwritten> {
        Err(Unwritten)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Unwritten> {
        Err(Unwritten)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Unwritten> {
        Err(Unwritten)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Unwritten> {
        Err(Unwritten)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unwritten> {
        Err(Unwritten)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Unwritten> {
        Err(Unwritten)
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Unwritten> {
        self.0.push('{');
        Ok(Object {
            out: self.0,
            first: true,
        })
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unwritten> {
        Err(Unwritten)
    }
}

/// A struct's fields, as an object's members in their order.
struct Object<'a> {
    out: &'a mut String,
    first: bool,
}

impl ser::SerializeStruct for Object<'_> {
    type Ok = ();
    type Error = Unwritten;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unwritten> {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        quote(self.out, key);
        self.out.push(':');
        value.serialize(Writer(self.out))
    }

    fn end(self) -> Result<(), Unwritten> {
        self.out.push('}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::write;
    use partner_login_contract::api::{
        CompletePasswordResetRequest, CompleteSignupRequest, ConfirmAppRequest,
        OpenResetLinkRequest, RenamePasskeyRequest, SecondFactorRequest, SignInRequest,
        SocialStartRequest, StartEmailCodeRequest, VerifyCodeRequest,
    };
    use serde::Serialize;

    /// Every control character, the escapes, non-ASCII, an astral character.
    fn awkward() -> String {
        let mut text: String = (0u8..0x20).map(char::from).collect();
        text.push_str("\"\\/ <>&'\u{7f}é中ع😀\u{2028}\u{2029}\u{fffd}");
        text
    }

    fn same<T: Serialize>(value: &T) {
        assert_eq!(write(value).unwrap(), serde_json::to_string(value).unwrap());
    }

    /// Each request body of the API is the text serde_json (the SPA's writer before issue 21)
    /// writes: the server reads it with serde_json.
    #[test]
    fn every_request_body_is_written_as_serde_json_writes_it() {
        let text = awkward();
        let some = || Some(text.clone());
        same(&SignInRequest {
            email: "a@example.org".into(),
            password: text.clone(),
            invitation: None,
        });
        same(&SignInRequest {
            email: text.clone(),
            password: String::new(),
            invitation: some(),
        });
        same(&StartEmailCodeRequest {
            email: text.clone(),
            invitation: some(),
            language: Some("ar".into()),
        });
        same(&StartEmailCodeRequest {
            email: text.clone(),
            invitation: None,
            language: None,
        });
        same(&VerifyCodeRequest { code: text.clone() });
        same(&OpenResetLinkRequest {
            token: text.clone(),
        });
        same(&CompleteSignupRequest {
            password: text.clone(),
            password_confirmation: text.clone(),
            display_name: text.clone(),
            given_name: String::new(),
            surname: "B".into(),
        });
        same(&CompletePasswordResetRequest {
            password: text.clone(),
            password_confirmation: String::new(),
        });
        same(&SocialStartRequest { invitation: some() });
        same(&SocialStartRequest::default());
        same(&SecondFactorRequest {
            code: some(),
            recovery_code: None,
            invitation: some(),
        });
        same(&SecondFactorRequest {
            code: None,
            recovery_code: some(),
            invitation: None,
        });
        same(&RenamePasskeyRequest { name: text.clone() });
        same(&ConfirmAppRequest { code: text });
    }

    /// The other shapes it writes, as serde_json does; the ones it does not, refused.
    #[test]
    fn other_values_are_written_as_serde_json_writes_them_or_refused() {
        #[derive(Serialize)]
        enum Kind {
            SignUp,
        }
        #[derive(Serialize)]
        struct Shapes {
            yes: bool,
            no: bool,
            small: i8,
            negative: i64,
            large: u64,
            letter: char,
            kind: Kind,
            nothing: Option<u32>,
            unit: (),
            empty: Empty,
        }
        #[derive(Serialize)]
        struct Empty {}
        same(&Shapes {
            yes: true,
            no: false,
            small: i8::MIN,
            negative: i64::MIN,
            large: u64::MAX,
            letter: '\n',
            kind: Kind::SignUp,
            nothing: None,
            unit: (),
            empty: Empty {},
        });
        same(&Empty {});
        same(&"text");
        assert!(write(&1.5f64).is_err());
        assert!(write(&vec!["a"]).is_err());
        assert!(write(&std::collections::BTreeMap::from([("a", "b")])).is_err());
    }
}
