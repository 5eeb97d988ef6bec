//! A value quoted in a message, as `{:?}` quotes a string, without `Debug`: the release SPA is
//! built with `-Zfmt-debug=none` (`xtask/src/serve.rs`), where every `{:?}` prints nothing, so a
//! message that shows what someone wrote goes through [`Quoted`] instead.

use std::fmt;

/// `text` between double quotes, its `"` and `\` escaped with a backslash and each other
/// control character as `\u{…}`: `Quoted("a\"b")` shows `"a\"b"`, as `{:?}` does.
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        // Runs of plain text in one write each: the first load pays for every formatting path.
        let mut rest = self.0;
        while let Some((i, c)) = rest
            .char_indices()
            .find(|&(_, c)| c == '"' || c == '\\' || c.is_control())
        {
            f.write_str(&rest[..i])?;
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c => fmt::Display::fmt(&c.escape_unicode(), f)?,
            }
            rest = &rest[i + c.len_utf8()..];
        }
        f.write_str(rest)?;
        f.write_str("\"")
    }
}

#[cfg(test)]
mod tests {
    use super::Quoted;

    #[test]
    fn a_value_reads_as_debug_quotes_it() {
        for text in [
            "red",
            "",
            "say \"hi\"",
            "C:\\logo",
            "tab\there\nand\r",
            "bell\u{7}",
            "café ☕ مرحبا",
            "it's",
        ] {
            assert_eq!(Quoted(text).to_string(), format!("{text:?}"), "{text:?}");
        }
    }
}
