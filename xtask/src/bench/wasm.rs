//! The WASM by crate and by function (issue 21: "decide from it, not by guess"). Trunk keeps
//! wasm-bindgen's output, with the name section, in `target/wasm-bindgen/release/` before
//! wasm-opt -Oz writes the shipped file without names to `target/wasm-opt/release/`;
//! `twiggy top` (crates.io, installed by `cargo xtask setup --for bench`) sizes each item of the
//! first, and this module sums the functions per crate (the first segment of the demangled
//! path: `<serde_json::Value as core::fmt::Display>::fmt` is serde_json's).

use crate::cmd::{self, command, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Rows of each table in the report.
const TOP_CRATES: usize = 20;
const TOP_FUNCTIONS: usize = 30;

/// The three WASM of one build (issue 21, src/groups.rs): Trunk's name of each (the cargo bin)
/// and what it holds.
pub const WASMS: [(&str, &str); 3] = [
    ("sign-in", "the sign-in group, the first load of `/`"),
    ("sign-up", "the sign-up group, `/signup` and `/invitation`"),
    ("partner-login", "the full app, every screen"),
];

/// The sections of every WASM ([`WASMS`]), the sign-in group's first.
pub fn breakdowns() -> Result<Vec<String>> {
    WASMS
        .iter()
        .map(|(bin, what)| breakdown(bin, what))
        .collect()
}

/// The report's section of the WASM of the cargo bin `bin`: totals, the top crates and the top
/// functions of the code section.
pub fn breakdown(bin: &str, what: &str) -> Result<String> {
    let root = cmd::root();
    let named = root.join(format!("target/wasm-bindgen/release/{bin}_bg.wasm"));
    let shipped = root.join(format!("target/wasm-opt/release/{bin}_bg.wasm"));
    let named_bytes = read(&named)?;
    let shipped_bytes = read(&shipped)?;
    let out = command(
        "twiggy",
        &[
            "top",
            "--format",
            "json",
            "-n",
            "1000000",
            &named.to_string_lossy(),
        ],
    )
    .output()
    .map_err(|e| format!("cannot run twiggy (cargo xtask setup --for bench): {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "twiggy top failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let items: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("twiggy's output is not JSON: {e}"))?;
    let items: Vec<(String, u64)> = items
        .as_array()
        .ok_or("twiggy's output is not a list")?
        .iter()
        .filter_map(|i| Some((i["name"].as_str()?.to_owned(), i["shallow_size"].as_u64()?)))
        .collect();
    Ok(render(
        bin,
        what,
        &items,
        Sizes {
            named_file: named_bytes.len(),
            named_code: code_section_size(&named_bytes).ok_or("no code section")?,
            shipped_file: shipped_bytes.len(),
            shipped_code: code_section_size(&shipped_bytes).ok_or("no code section")?,
        },
    ))
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| format!("{}: {e} (built by trunk build --release)", path.display()))
}

/// The file and code-section sizes before and after wasm-opt.
struct Sizes {
    named_file: usize,
    named_code: usize,
    shipped_file: usize,
    shipped_code: usize,
}

/// The size of a WASM module's code section (id 10), read from the section headers.
fn code_section_size(wasm: &[u8]) -> Option<usize> {
    let mut at = 8; // "\0asm" and the version
    while at < wasm.len() {
        let id = wasm[at];
        let (size, len) = leb128(&wasm[at + 1..])?;
        at += 1 + len;
        if id == 10 {
            return Some(size);
        }
        at += size;
    }
    None
}

/// An unsigned LEB128 number and the bytes it took.
fn leb128(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut value = 0usize;
    for (i, byte) in bytes.iter().take(5).enumerate() {
        value |= usize::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Whether a twiggy item is a function body (the code section), not a data segment, a table,
/// an import, an export, a custom section (the name section's subsections are `"… names"
/// subsection`) or a header. A function without a name is `code[N]`.
fn is_function(name: &str) -> bool {
    const OTHER: [&str; 12] = [
        "data segment",
        "data[",
        "type[",
        "import ",
        "export ",
        "table[",
        "elem[",
        "global[",
        "memory[",
        "custom section",
        "\"",
        "wasm magic bytes",
    ];
    !(OTHER.iter().any(|p| name.starts_with(p)) || name.ends_with("section headers"))
}

/// The crate a demangled Rust path belongs to: its first segment, and for a trait impl
/// (`<A as B>::f`) the crate of `A` (of `B` when `A` is a generic parameter or a primitive).
/// Names that are no Rust path (wasm-bindgen's `__wbg_*` glue, the allocator's `__rust_*`, an
/// unnamed `code[N]`) are grouped as they are.
fn crate_of(name: &str) -> String {
    let name = &without_disambiguators(name);
    if name.starts_with("code[") {
        return "(unnamed functions)".into();
    }
    if name.starts_with("__wbg")
        || name.starts_with("__wbindgen")
        || name.starts_with("__externref")
        || name.ends_with(" shim")
    {
        return "(wasm-bindgen glue)".into();
    }
    let path = match name.strip_prefix('<') {
        Some(rest) => {
            let inner = &rest[..closing(rest)];
            let (own, of_trait) = split_as(inner);
            match first_segment(own) {
                Some(krate) => return krate,
                None => of_trait.unwrap_or(own),
            }
        }
        None => name,
    };
    first_segment(path).unwrap_or_else(|| "(other symbols)".into())
}

/// The name without the crate disambiguators of v0 symbols (the standard library's:
/// `core[c5930c85a12de822]::fmt::write` is `core::fmt::write`).
fn without_disambiguators(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let hex = after
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(after.len());
        if hex >= 8 && after[hex..].starts_with(']') {
            out.push_str(&rest[..open]);
            rest = &after[hex + 1..];
        } else {
            out.push_str(&rest[..=open]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The index in `s` (after an opening `<`) of its matching `>`, or the end.
fn closing(s: &str) -> usize {
    let mut depth = 1;
    for (i, c) in s.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    s.len()
}

/// `A as B` at the top level of an impl's angle brackets: (`A`, `Some(B)`).
fn split_as(s: &str) -> (&str, Option<&str>) {
    let mut depth = 0;
    let bytes = s.as_bytes();
    for (i, c) in s.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ' ' if depth == 0 && bytes[i..].starts_with(b" as ") => {
                return (&s[..i], Some(&s[i + 4..]));
            }
            _ => {}
        }
    }
    (s, None)
}

/// The crate segment of a path (`alloc::vec::Vec<T>` → `alloc`), past references, pointers,
/// slices, tuples and `dyn`; `None` for a path of one segment (`T`, `u8`, `str`).
fn first_segment(path: &str) -> Option<String> {
    let mut p = path.trim();
    loop {
        let before = p;
        for prefix in ["&", "mut ", "*const ", "*mut ", "[", "(", "dyn ", "impl "] {
            p = p.strip_prefix(prefix).unwrap_or(p).trim_start();
        }
        if p == before {
            break;
        }
    }
    let end = p.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
    p[end..]
        .starts_with("::")
        .then(|| p[..end].to_owned())
        .filter(|s| !s.is_empty())
}

fn render(bin: &str, what: &str, items: &[(String, u64)], sizes: Sizes) -> String {
    let functions: Vec<&(String, u64)> = items.iter().filter(|(n, _)| is_function(n)).collect();
    let code: u64 = functions.iter().map(|(_, s)| s).sum();
    let mut by_crate: BTreeMap<String, (u64, usize)> = BTreeMap::new();
    for (name, size) in &functions {
        let entry = by_crate.entry(crate_of(name)).or_default();
        entry.0 += size;
        entry.1 += 1;
    }
    let mut crates: Vec<_> = by_crate.into_iter().collect();
    crates.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    let mut top: Vec<&&(String, u64)> = functions.iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let share = |bytes: u64| 100.0 * bytes as f64 / code.max(1) as f64;
    // Constant data (string literals, the translations, tables): not code, but bytes shipped.
    let data: u64 = items
        .iter()
        .filter(|(n, _)| n.starts_with("data segment") || n.starts_with("data["))
        .map(|(_, s)| s)
        .sum();

    let mut md = format!("## The WASM by crate and function: {what} (`{bin}`)\n\n");
    md.push_str(&format!(
        "`twiggy top` on wasm-bindgen's output before wasm-opt \
         (`target/wasm-bindgen/release/{bin}_bg.wasm`, the `wasm-release` profile): \
         {} B in all, a code section of {} B ({} functions, {} B by twiggy's count) and {} B \
         of data segments (string literals, translations, tables). The file shipped is that \
         one after `wasm-opt -Oz`, without names: {} B in all, a code section of {} B; the \
         shares below are of the code before wasm-opt.\n\n",
        sizes.named_file,
        sizes.named_code,
        functions.len(),
        code,
        data,
        sizes.shipped_file,
        sizes.shipped_code,
    ));
    md.push_str(&format!(
        "Top {TOP_CRATES} crates (functions summed by the first segment of their path; a \
         generic function counts for the crate of the type it was made for):\n\n\
         | crate | functions | bytes | % of code |\n|---|---:|---:|---:|\n"
    ));
    for (krate, (bytes, count)) in crates.iter().take(TOP_CRATES) {
        md.push_str(&format!(
            "| {} | {count} | {bytes} | {:.1} % |\n",
            cell(krate),
            share(*bytes)
        ));
    }
    let rest: u64 = crates.iter().skip(TOP_CRATES).map(|(_, (b, _))| b).sum();
    md.push_str(&format!(
        "| {} other crates | | {rest} | {:.1} % |\n",
        crates.len().saturating_sub(TOP_CRATES),
        share(rest)
    ));
    md.push_str(&format!(
        "\nTop {TOP_FUNCTIONS} functions:\n\n| function | crate | bytes | % of code |\n\
         |---|---|---:|---:|\n"
    ));
    for (name, bytes) in top.iter().take(TOP_FUNCTIONS) {
        md.push_str(&format!(
            "| `{}` | {} | {bytes} | {:.1} % |\n",
            shorten(name).replace('`', "'"),
            cell(&crate_of(name)),
            share(*bytes)
        ));
    }
    md
}

/// A function name short enough for a table cell: its hash suffix dropped, at most 120
/// characters.
fn shorten(name: &str) -> String {
    let name = &without_disambiguators(name);
    let name = match name.rfind("::h") {
        Some(i) if name[i + 3..].chars().all(|c| c.is_ascii_hexdigit()) && name.len() - i == 19 => {
            &name[..i]
        }
        _ => name,
    };
    let name = name.replace('|', "\\|");
    if name.chars().count() > 120 {
        format!("{}…", name.chars().take(119).collect::<String>())
    } else {
        name
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_belong_to_the_crate_of_their_path_or_self_type() {
        for (name, krate) in [
            ("core::fmt::write::h0123456789abcdef", "core"),
            (
                "<serde_json::value::Value as core::fmt::Display>::fmt",
                "serde_json",
            ),
            ("<&T as core::fmt::Debug>::fmt", "core"),
            ("<T as alloc::string::ToString>::to_string", "alloc"),
            (
                "<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop",
                "alloc",
            ),
            ("<[T] as core::fmt::Debug>::fmt", "core"),
            ("<&mut leptos::Foo<'_> as core::fmt::Debug>::fmt", "leptos"),
            ("partner_login::app::App::{{closure}}", "partner_login"),
            ("__wbg_set_1234", "(wasm-bindgen glue)"),
            ("code[42]", "(unnamed functions)"),
            ("memcpy", "(other symbols)"),
            ("core[c5930c85a12de822]::fmt::write", "core"),
            (
                "<dlmalloc[e24a27700634d609]::dlmalloc::Dlmalloc<dlmalloc[e24a27700634d609]::sys::System>>::malloc",
                "dlmalloc",
            ),
            ("<[u8] as core[c5930c85a12de822]::fmt::Debug>::fmt", "core"),
        ] {
            assert_eq!(crate_of(name), krate, "{name}");
        }
    }

    #[test]
    fn data_and_sections_are_not_code() {
        for name in [
            "data segment \".rodata\"",
            "custom section 'producers'",
            "\"function names\" subsection",
            "import wbg::__wbg_x",
            "elem[0]",
            "code section headers",
            "type[3]: (i32) -> nil",
        ] {
            assert!(!is_function(name), "{name}");
        }
        assert!(is_function("code[1]"));
        assert!(is_function("F64 -> Externref externref shim"));
        assert!(is_function("dlmalloc::Dlmalloc::malloc"));
    }

    #[test]
    fn the_code_section_is_found_past_other_sections() {
        // Header, a type section of 4 bytes, a code section of 130 bytes (two-byte LEB128).
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend([1, 4, 0, 0, 0, 0]);
        wasm.extend([10, 0x82, 0x01]);
        wasm.extend(std::iter::repeat_n(0, 130));
        assert_eq!(code_section_size(&wasm), Some(130));
    }

    #[test]
    fn the_tables_rank_crates_and_functions() {
        let items = vec![
            ("core::fmt::write::h0123456789abcdef".to_owned(), 600),
            ("core::fmt::Formatter::pad".to_owned(), 200),
            ("serde_json::de::parse".to_owned(), 150),
            ("data segment \".rodata\"".to_owned(), 5000),
            ("code[7]".to_owned(), 50),
        ];
        let md = render(
            "sign-in",
            "the sign-in group",
            &items,
            Sizes {
                named_file: 9000,
                named_code: 1010,
                shipped_file: 7000,
                shipped_code: 900,
            },
        );
        assert!(
            md.starts_with("## The WASM by crate and function: the sign-in group (`sign-in`)"),
            "{md}"
        );
        assert!(
            md.contains("(`target/wasm-bindgen/release/sign-in_bg.wasm`"),
            "{md}"
        );
        assert!(md.contains("| core | 2 | 800 | 80.0 % |"), "{md}");
        assert!(md.contains("| serde_json | 1 | 150 | 15.0 % |"), "{md}");
        assert!(
            md.contains("| `core::fmt::write` | core | 600 | 60.0 % |"),
            "{md}"
        );
        assert!(
            md.contains("(4 functions, 1000 B by twiggy's count)"),
            "{md}"
        );
        assert!(
            md.contains("7000 B in all, a code section of 900 B"),
            "{md}"
        );
    }
}
