//! The operator's branding, `config.json`'s `brand` key: the product name, a logo, six
//! colours and the footer's links, all optional (the defaults look as the page always did).
//!
//! ```json
//! "brand": {
//!   "name": { "en": "UN Partner Portal", "fr": "Portail des partenaires des Nations Unies" },
//!   "logo": { "src": "logo.svg", "alt": { "en": "UN Partner Portal" } },
//!   "colors": { "primary": "#0b5cad", "on_primary": "#ffffff", "background": "#eef2f6",
//!               "surface": "#ffffff", "text": "#1b1b1b", "focus": "#084a8c" },
//!   "links": [ { "href": "https://example.org/help", "label": { "en": "Help", "fr": "Aide" } } ] }
//! ```
//!
//! [`Brand::read`] keeps what passes and names the rest as [`Problem`]s: a bad piece (an
//! unknown key, a colour that is not `#rrggbb`, a `javascript:` link, a colour pair below WCAG
//! 2.2 AA contrast) is left out alone and the default stays. The page logs the problems in the
//! console; `cargo xtask dist --check-config` prints them and fails.

use crate::config_file::{fields, problem, Json, Problem};
use crate::Quoted;

/// The languages a text may be given in (the screens' six).
pub const LANGUAGES: [&str; 6] = ["en", "fr", "es", "ar", "zh", "ru"];
/// The most links the footer shows.
pub const MAX_LINKS: usize = 8;
/// The most characters of a product name, a link's label or a logo's alternative text.
pub const MAX_TEXT_CHARS: usize = 100;
/// The most characters of a link's address.
pub const MAX_HREF_CHARS: usize = 2000;
/// The most characters of the logo's file name.
pub const MAX_SRC_CHARS: usize = 200;

/// A text by language: the one asked for, else English (else the caller's default).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Texts(Vec<(&'static str, String)>);

impl Texts {
    /// In `lang` (a tag of [`LANGUAGES`]), else in English.
    pub fn get(&self, lang: &str) -> Option<&str> {
        let find = |tag: &str| {
            self.0
                .iter()
                .find(|(t, _)| *t == tag)
                .map(|(_, s)| s.as_str())
        };
        find(lang).or_else(|| find("en"))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The logo, a file beside `index.html`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logo {
    /// A relative path such as `logo.svg` or `img/logo.png`.
    pub src: String,
    /// Without one in the language (nor in English), the product name.
    pub alt: Texts,
}

/// A footer link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub href: String,
    /// Has English at least.
    pub label: Texts,
}

/// A colour, `#rrggbb` (or `#rgb`) in `config.json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub [u8; 3]);

impl Rgb {
    pub fn parse(text: &str) -> Option<Rgb> {
        let hex = text.strip_prefix('#')?;
        let digit = |i: usize| hex.get(i..=i).and_then(|d| u8::from_str_radix(d, 16).ok());
        match hex.len() {
            3 => Some(Rgb([digit(0)? * 17, digit(1)? * 17, digit(2)? * 17])),
            6 => Some(Rgb([
                digit(0)? * 16 + digit(1)?,
                digit(2)? * 16 + digit(3)?,
                digit(4)? * 16 + digit(5)?,
            ])),
            _ => None,
        }
    }

    /// `#rrggbb`, for CSS.
    pub fn css(self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut css = String::from("#");
        for c in self.0 {
            css.push(char::from(HEX[usize::from(c >> 4)]));
            css.push(char::from(HEX[usize::from(c & 15)]));
        }
        css
    }

    /// WCAG 2.2's relative luminance (Understanding SC 1.4.3, "relative luminance"):
    /// 0.2126 R + 0.7152 G + 0.0722 B of the linearised sRGB channels.
    pub fn luminance(self) -> f64 {
        let [r, g, b] = self.0.map(|c| linear(f64::from(c) / 255.0));
        0.2126 * r + 0.7152 * g + 0.0722 * b
    }

    /// `color-mix(in srgb, self p%, other)`, as the browser computes it (rounded to 8 bits).
    fn mix(self, percent: u8, other: Rgb) -> Rgb {
        let p = u16::from(percent);
        let mut out = [0; 3];
        for (i, o) in out.iter_mut().enumerate() {
            let v = u16::from(self.0[i]) * p + u16::from(other.0[i]) * (100 - p);
            *o = ((v + 50) / 100) as u8;
        }
        Rgb(out)
    }
}

/// An sRGB channel (0 to 1) made linear, WCAG 2.2's formula:
/// `c / 12.92` up to 0.04045, else `((c + 0.055) / 1.055) ^ 2.4`.
///
/// The power without `f64::powf`, which in WASM links a software `pow` into the bundle:
/// x^2.4 = x² · (x²)^(1/5), the fifth root by Newton's method (x is between 0.09 and 1; from
/// 1 it decreases to the root, 40 steps are far more than enough). Checked against `powf` in
/// the tests.
fn linear(c: f64) -> f64 {
    if c <= 0.04045 {
        return c / 12.92;
    }
    let x = (c + 0.055) / 1.055;
    let a = x * x;
    let mut y = 1.0_f64;
    for _ in 0..40 {
        let y4 = y * y * y * y;
        let next = (4.0 * y + a / y4) / 5.0;
        if next >= y {
            break;
        }
        y = next;
    }
    a * y
}

/// WCAG 2.2's contrast ratio, (L1 + 0.05) / (L2 + 0.05) with L1 the lighter: 1 to 21.
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (hi, lo) = if la >= lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// A ratio as people write it, cut (never rounded up) to two decimals: "4.49:1".
pub fn ratio_text(ratio: f64) -> String {
    let hundredths = (ratio * 100.0) as u32;
    format!("{}.{:02}:1", hundredths / 100, hundredths % 100)
}

/// The six colours, by their `config.json` key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorKey {
    Primary,
    OnPrimary,
    Background,
    Surface,
    Text,
    Focus,
}

impl ColorKey {
    pub const ALL: [ColorKey; 6] = [
        ColorKey::Primary,
        ColorKey::OnPrimary,
        ColorKey::Background,
        ColorKey::Surface,
        ColorKey::Text,
        ColorKey::Focus,
    ];

    /// The key under `brand.colors`.
    pub fn key(self) -> &'static str {
        match self {
            ColorKey::Primary => "primary",
            ColorKey::OnPrimary => "on_primary",
            ColorKey::Background => "background",
            ColorKey::Surface => "surface",
            ColorKey::Text => "text",
            ColorKey::Focus => "focus",
        }
    }

    /// Its key path in `config.json`.
    pub fn path(self) -> &'static str {
        match self {
            ColorKey::Primary => "brand.colors.primary",
            ColorKey::OnPrimary => "brand.colors.on_primary",
            ColorKey::Background => "brand.colors.background",
            ColorKey::Surface => "brand.colors.surface",
            ColorKey::Text => "brand.colors.text",
            ColorKey::Focus => "brand.colors.focus",
        }
    }

    /// The CSS custom property `style/main.css` reads it from.
    pub fn property(self) -> &'static str {
        match self {
            ColorKey::Primary => "--brand-primary",
            ColorKey::OnPrimary => "--brand-on-primary",
            ColorKey::Background => "--brand-background",
            ColorKey::Surface => "--brand-surface",
            ColorKey::Text => "--brand-text",
            ColorKey::Focus => "--brand-focus",
        }
    }

    /// The default, `style/main.css`'s `:root` (the page as it always looked).
    pub fn default_color(self) -> Rgb {
        Rgb(match self {
            ColorKey::Primary => [0x0b, 0x5c, 0xad],
            ColorKey::OnPrimary => [0xff, 0xff, 0xff],
            ColorKey::Background => [0xee, 0xf2, 0xf6],
            ColorKey::Surface => [0xff, 0xff, 0xff],
            ColorKey::Text => [0x1b, 0x1b, 0x1b],
            ColorKey::Focus => [0x08, 0x4a, 0x8c],
        })
    }
}

/// The operator's colours that passed; `None` keeps the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Colors([Option<Rgb>; 6]);

impl Colors {
    pub fn get(&self, key: ColorKey) -> Option<Rgb> {
        self.0[key as usize]
    }

    pub fn set(&mut self, key: ColorKey, color: Option<Rgb>) {
        self.0[key as usize] = color;
    }

    /// The colour drawn: the operator's, else the default.
    pub fn effective(&self, key: ColorKey) -> Rgb {
        self.get(key).unwrap_or_else(|| key.default_color())
    }
}

/// A colour `style/main.css` draws with: a brand colour, a `color-mix()` of one with another
/// (or with black), or a fixed colour the operator cannot change.
#[derive(Clone, Copy, Debug)]
pub enum Paint {
    Brand(ColorKey),
    /// `color-mix(in srgb, a percent%, b)`; `b` of `None` is black.
    Mix(ColorKey, u8, Option<ColorKey>),
    Fixed(Rgb),
}

impl Paint {
    fn color(self, colors: &Colors) -> Rgb {
        match self {
            Paint::Brand(k) => colors.effective(k),
            Paint::Mix(a, p, b) => colors
                .effective(a)
                .mix(p, b.map_or(Rgb([0, 0, 0]), |b| colors.effective(b))),
            Paint::Fixed(c) => c,
        }
    }

    fn keys(self) -> [Option<ColorKey>; 2] {
        match self {
            Paint::Brand(k) => [Some(k), None],
            Paint::Mix(a, _, b) => [Some(a), b],
            Paint::Fixed(_) => [None, None],
        }
    }
}

/// A pair of colours `style/main.css` draws one on the other, and the contrast it needs.
#[derive(Clone, Copy, Debug)]
pub struct Pair {
    pub what: &'static str,
    pub fore: Paint,
    pub back: Paint,
    /// 4.5 for text (WCAG 2.2 SC 1.4.3), 3 for borders and the focus ring (SC 1.4.11).
    pub min: f64,
    pub rule: &'static str,
}

const TEXT: &str = "WCAG 2.2 SC 1.4.3";
const NON_TEXT: &str = "WCAG 2.2 SC 1.4.11";

/// Every pair `style/main.css` draws from the brand colours (keep the two in step: its
/// comments name these). The mixes are its derived shades: `--accent` (links, secondary
/// buttons' text, the product name, a primary button under the pointer) is the primary
/// darkened to 80%, `--muted` (hints) and `--border` (fields) are the text mixed into the
/// surface, `--status` (a notice's background) is a tint of the primary.
pub const PAIRS: [Pair; 13] = [
    Pair {
        what: "text on background",
        fore: Paint::Brand(ColorKey::Text),
        back: Paint::Brand(ColorKey::Background),
        min: 4.5,
        rule: TEXT,
    },
    Pair {
        what: "text on surface",
        fore: Paint::Brand(ColorKey::Text),
        back: Paint::Brand(ColorKey::Surface),
        min: 4.5,
        rule: TEXT,
    },
    Pair {
        what: "hints (text 80% into surface) on surface",
        fore: Paint::Mix(ColorKey::Text, 80, Some(ColorKey::Surface)),
        back: Paint::Brand(ColorKey::Surface),
        min: 4.5,
        rule: TEXT,
    },
    Pair {
        what: "links (primary darkened to 80%) on surface",
        fore: Paint::Mix(ColorKey::Primary, 80, None),
        back: Paint::Brand(ColorKey::Surface),
        min: 4.5,
        rule: TEXT,
    },
    Pair {
        what: "on_primary on primary",
        fore: Paint::Brand(ColorKey::OnPrimary),
        back: Paint::Brand(ColorKey::Primary),
        min: 4.5,
        rule: TEXT,
    },
    Pair {
        what: "on_primary on primary darkened to 80% (hover)",
        fore: Paint::Brand(ColorKey::OnPrimary),
        back: Paint::Mix(ColorKey::Primary, 80, None),
        min: 4.5,
        rule: TEXT,
    },
    Pair {
        what: "primary (buttons' borders) on surface",
        fore: Paint::Brand(ColorKey::Primary),
        back: Paint::Brand(ColorKey::Surface),
        min: 3.0,
        rule: NON_TEXT,
    },
    Pair {
        what: "fields' borders (text 65% into surface) on surface",
        fore: Paint::Mix(ColorKey::Text, 65, Some(ColorKey::Surface)),
        back: Paint::Brand(ColorKey::Surface),
        min: 3.0,
        rule: NON_TEXT,
    },
    Pair {
        what: "text on a notice (primary 10% into surface)",
        fore: Paint::Brand(ColorKey::Text),
        back: Paint::Mix(ColorKey::Primary, 10, Some(ColorKey::Surface)),
        min: 4.5,
        rule: TEXT,
    },
    Pair {
        what: "text on a success notice (#e7f4ea)",
        fore: Paint::Brand(ColorKey::Text),
        back: Paint::Fixed(Rgb([0xe7, 0xf4, 0xea])),
        min: 4.5,
        rule: TEXT,
    },
    Pair {
        what: "error text (#b00020) on surface",
        fore: Paint::Fixed(Rgb([0xb0, 0x00, 0x20])),
        back: Paint::Brand(ColorKey::Surface),
        min: 4.5,
        rule: TEXT,
    },
    Pair {
        what: "focus on background",
        fore: Paint::Brand(ColorKey::Focus),
        back: Paint::Brand(ColorKey::Background),
        min: 3.0,
        rule: NON_TEXT,
    },
    Pair {
        what: "focus on surface",
        fore: Paint::Brand(ColorKey::Focus),
        back: Paint::Brand(ColorKey::Surface),
        min: 3.0,
        rule: NON_TEXT,
    },
];

/// The first pair `colors` draw below its contrast, with its ratio; `None` when all pass.
pub fn failing_pair(colors: &Colors) -> Option<(&'static Pair, f64)> {
    PAIRS.iter().find_map(|pair| {
        let ratio = contrast(pair.fore.color(colors), pair.back.color(colors));
        (ratio < pair.min).then_some((pair, ratio))
    })
}

/// Leaves out the operator's colours of each pair below its contrast, until every pair drawn
/// passes; each refusal is a problem. The defaults pass every pair, so this ends (at most
/// six rounds: each takes out at least one colour).
pub fn check_contrast(colors: &mut Colors, problems: &mut Vec<Problem>) {
    while let Some((pair, ratio)) = failing_pair(colors) {
        let keys = pair.fore.keys().into_iter().chain(pair.back.keys());
        let set: Vec<ColorKey> = keys
            .flatten()
            .filter(|k| colors.get(*k).is_some())
            .collect();
        // Named once: the key path says the first colour, "kept" says them all.
        let mut message = format!(
            "{}: contrast {}, needs {}:1 ({}); the default kept for:",
            pair.what,
            ratio_text(ratio),
            if pair.min == 3.0 { "3" } else { "4.5" },
            pair.rule,
        );
        for (i, k) in set.iter().enumerate() {
            message.push_str(if i == 0 { " " } else { ", " });
            message.push_str(k.key());
            colors.set(*k, None);
        }
        let path = set.first().map_or("brand.colors", |k| k.path());
        problem(problems, path, message);
    }
}

/// A link the footer may show: `https://` somewhere, `http://localhost` (a development
/// portal), or `mailto:` (a contact address). No `javascript:` nor `data:`, nothing relative,
/// no spaces or control characters (OWASP ASVS 5.0 V1.2.2: a URL put in a link is checked
/// against an allowlist of protocols).
pub fn check_href(href: &str) -> Result<(), String> {
    if href.chars().count() > MAX_HREF_CHARS {
        return Err(format!("longer than {MAX_HREF_CHARS} characters"));
    }
    if href.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("has spaces or control characters".to_owned());
    }
    let host_first = |rest: &str| {
        rest.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '[' || !c.is_ascii())
    };
    let ok = if let Some(rest) = href.strip_prefix("https://") {
        host_first(rest)
    } else if let Some(rest) = href.strip_prefix("http://localhost") {
        rest.is_empty() || rest.starts_with([':', '/'])
    } else if let Some(rest) = href.strip_prefix("mailto:") {
        rest.contains('@')
    } else {
        false
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} is not an https:// address (nor mailto:, nor http://localhost)",
            Quoted(href)
        ))
    }
}

/// The logo's file: a path beside `index.html` (`logo.svg`, `img/logo.png`): letters, digits,
/// `.`, `_`, `-` and `/` between names; no scheme, no `//`, no `..`, nothing absolute. The CSP
/// lets images come from the page's own origin only (`img-src 'self'`).
pub fn check_logo_src(src: &str) -> Result<(), String> {
    let named = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    };
    if src.chars().count() > MAX_SRC_CHARS {
        Err(format!("longer than {MAX_SRC_CHARS} characters"))
    } else if src.split('/').all(named) {
        Ok(())
    } else {
        Err(format!(
            "{} is not a file beside index.html (such as logo.svg: letters, digits, . _ - and /, no .. nor scheme)",
            Quoted(src)
        ))
    }
}

fn read_texts(json: &Json, path: &str, problems: &mut Vec<Problem>) -> Texts {
    let mut texts = Texts::default();
    let Json::Object(entries) = json else {
        problem(
            problems,
            path,
            "expected texts by language, such as {\"en\": \"…\"}",
        );
        return texts;
    };
    for (lang, value) in entries {
        let at = format!("{path}.{lang}");
        let Some(tag) = LANGUAGES.iter().find(|t| *t == lang) else {
            problem(
                problems,
                &at,
                "not one of the languages en, fr, es, ar, zh, ru",
            );
            continue;
        };
        match value {
            _ if texts.0.iter().any(|(t, _)| t == tag) => problem(problems, &at, "given twice"),
            Json::String(s) if s.trim().is_empty() => problem(problems, &at, "empty"),
            Json::String(s) if s.chars().count() > MAX_TEXT_CHARS => problem(
                problems,
                &at,
                format!("longer than {MAX_TEXT_CHARS} characters"),
            ),
            Json::String(s) => texts.0.push((tag, s.trim().to_owned())),
            _ => problem(problems, &at, "expected a string"),
        }
    }
    texts
}

fn string<'a>(json: &'a Json, path: &str, problems: &mut Vec<Problem>) -> Option<&'a str> {
    match json {
        Json::String(s) => Some(s),
        _ => {
            problem(problems, path, "expected a string");
            None
        }
    }
}

fn read_logo(json: &Json, problems: &mut Vec<Problem>) -> Option<Logo> {
    let [src, alt] = fields(json, "brand.logo", ["src", "alt"], problems);
    let Some(src) = src else {
        problem(problems, "brand.logo.src", "missing");
        return None;
    };
    let src = string(src, "brand.logo.src", problems)?;
    if let Err(e) = check_logo_src(src) {
        problem(problems, "brand.logo.src", e);
        return None;
    }
    let alt = alt.map_or_else(Texts::default, |a| {
        read_texts(a, "brand.logo.alt", problems)
    });
    Some(Logo {
        src: src.to_owned(),
        alt,
    })
}

fn read_colors(json: &Json, problems: &mut Vec<Problem>) -> Colors {
    let keys = ColorKey::ALL.map(ColorKey::key);
    let given = fields(json, "brand.colors", keys, problems);
    let mut colors = Colors::default();
    for (key, value) in ColorKey::ALL.into_iter().zip(given) {
        let path = key.path();
        let Some(text) = value.and_then(|v| string(v, path, problems)) else {
            continue;
        };
        match Rgb::parse(text) {
            Some(rgb) => colors.set(key, Some(rgb)),
            None => problem(
                problems,
                path,
                format!("{} is not a colour #rrggbb or #rgb", Quoted(text)),
            ),
        }
    }
    check_contrast(&mut colors, problems);
    colors
}

fn read_links(json: &Json, problems: &mut Vec<Problem>) -> Vec<Link> {
    let Json::Array(items) = json else {
        problem(problems, "brand.links", "expected a list");
        return Vec::new();
    };
    if items.len() > MAX_LINKS {
        problem(
            problems,
            "brand.links",
            format!(
                "{} links, at most {MAX_LINKS}: the rest are left out",
                items.len()
            ),
        );
    }
    let mut links = Vec::new();
    for (i, item) in items.iter().take(MAX_LINKS).enumerate() {
        let path = format!("brand.links[{i}]");
        let [href, label] = fields(item, &path, ["href", "label"], problems);
        let href_path = path.clone() + ".href";
        let href = match href.map(|h| string(h, &href_path, problems)) {
            Some(Some(h)) => match check_href(h) {
                Ok(()) => Some(h),
                Err(e) => {
                    problem(problems, &href_path, e);
                    None
                }
            },
            Some(None) => None,
            None => {
                problem(problems, &href_path, "missing");
                None
            }
        };
        let label_path = path + ".label";
        let label = label.map_or_else(Texts::default, |l| read_texts(l, &label_path, problems));
        if label.0.iter().all(|(t, _)| *t != "en") {
            problem(
                problems,
                &(label_path + ".en"),
                "missing (English is what other languages fall back to)",
            );
            continue;
        }
        if let Some(href) = href {
            links.push(Link {
                href: href.to_owned(),
                label,
            });
        }
    }
    links
}

impl Brand {
    /// `config.json`'s `brand`: what passes, and each problem with its key path.
    pub fn read(json: &Json) -> (Brand, Vec<Problem>) {
        let mut problems = Vec::new();
        let keys = ["name", "logo", "colors", "links"];
        let [name, logo, colors, links] = fields(json, "brand", keys, &mut problems);
        let brand = Brand {
            name: name.map_or_else(Texts::default, |n| {
                read_texts(n, "brand.name", &mut problems)
            }),
            logo: logo.and_then(|l| read_logo(l, &mut problems)),
            colors: colors.map_or_else(Colors::default, |c| read_colors(c, &mut problems)),
            links: links.map_or_else(Vec::new, |l| read_links(l, &mut problems)),
        };
        (brand, problems)
    }
}

/// What the operator's branding sets; `Default` is no branding at all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Brand {
    /// The product name (else the built-in "UN Partner Portal", translated).
    pub name: Texts,
    pub logo: Option<Logo>,
    pub colors: Colors,
    pub links: Vec<Link>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgb(text: &str) -> Rgb {
        Rgb::parse(text).unwrap()
    }

    fn read(text: &str) -> (Brand, Vec<String>) {
        let json: Json = serde_json::from_str(text).unwrap();
        let (brand, problems) = Brand::read(&json);
        (brand, problems.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn colours_are_hex_of_six_or_three_digits() {
        assert_eq!(rgb("#0b5cad"), Rgb([11, 92, 173]));
        assert_eq!(rgb("#0B5CAD"), Rgb([11, 92, 173]));
        assert_eq!(rgb("#fa0"), Rgb([255, 170, 0]));
        for bad in [
            "0b5cad", "#0b5ca", "#0b5cadd", "#ggg", "red", "#+1+1+1", "", "#", "#ééé",
        ] {
            assert_eq!(Rgb::parse(bad), None, "{bad}");
        }
        assert_eq!(rgb("#fa0").css(), "#ffaa00");
    }

    #[test]
    fn the_linear_channel_matches_powf() {
        // Every 8-bit value and the points between them (the mixes are rounded, but the
        // function must hold anywhere in 0 to 1).
        for i in 0..=2550 {
            let c = f64::from(i) / 2550.0;
            let expected = if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            };
            assert!(
                (linear(c) - expected).abs() < 1e-12,
                "{c}: {} vs {expected}",
                linear(c)
            );
        }
    }

    #[test]
    fn contrast_is_wcag_22s_ratio() {
        let (black, white) = (rgb("#000"), rgb("#fff"));
        assert!((contrast(black, white) - 21.0).abs() < 1e-9);
        assert!((contrast(white, white) - 1.0).abs() < 1e-12);
        assert_eq!(contrast(black, white), contrast(white, black));
        // Known values: #767676 on white is the lightest grey at AA (4.54:1).
        assert_eq!(ratio_text(contrast(rgb("#767676"), white)), "4.54:1");
        assert_eq!(ratio_text(contrast(rgb("#777777"), white)), "4.47:1");
    }

    /// The rule at its limits: the closest 8-bit colours on either side of 4.5:1 and 3:1
    /// against white (found by a search over colours, ratios computed with `powf`).
    #[test]
    fn the_contrast_rule_at_its_limits() {
        let white = rgb("#fff");
        let text_above = contrast(rgb("#947200"), white); // 4.50054
        let text_below = contrast(rgb("#a96800"), white); // 4.49955
        assert!((4.5..4.5006).contains(&text_above), "{text_above}");
        assert!(text_below < 4.5 && text_below > 4.4995, "{text_below}");
        let ring_above = contrast(rgb("#fd6400"), white); // 3.00025
        let ring_below = contrast(rgb("#7fa100"), white); // 2.99985
        assert!((3.0..3.0003).contains(&ring_above), "{ring_above}");
        assert!(ring_below < 3.0 && ring_below > 2.9998, "{ring_below}");
        assert_eq!(ratio_text(text_below), "4.49:1");

        // Through the rule: a primary button's white text on the primary at 4.5:1.
        let (brand, problems) = read(r##"{"colors": {"primary": "#947200"}}"##);
        assert_eq!(
            brand.colors.get(ColorKey::Primary),
            Some(rgb("#947200")),
            "{problems:?}"
        );
        let (brand, problems) = read(r##"{"colors": {"primary": "#a96800"}}"##);
        assert_eq!(brand.colors.get(ColorKey::Primary), None);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("contrast 4.49:1, needs 4.5:1 (WCAG 2.2 SC 1.4.3)"),
            "{problems:?}"
        );
        // The focus ring on the card (white) and the page (white here) at 3:1.
        let (brand, problems) =
            read(r##"{"colors": {"focus": "#fd6400", "background": "#ffffff"}}"##);
        assert_eq!(
            brand.colors.get(ColorKey::Focus),
            Some(rgb("#fd6400")),
            "{problems:?}"
        );
        let (brand, problems) =
            read(r##"{"colors": {"focus": "#7fa100", "background": "#ffffff"}}"##);
        assert_eq!(brand.colors.get(ColorKey::Focus), None);
        assert!(
            problems[0].contains("needs 3:1 (WCAG 2.2 SC 1.4.11)"),
            "{problems:?}"
        );
    }

    #[test]
    fn the_defaults_pass_every_pair_the_css_draws() {
        let mut colors = Colors::default();
        let mut problems = Vec::new();
        check_contrast(&mut colors, &mut problems);
        assert_eq!(problems, vec![]);
        // The derived shades are today's look: --accent is #084a8c give or take one step,
        // --muted #4a4a4a, --border #6b6b6b.
        let c = Colors::default();
        assert_eq!(
            Paint::Mix(ColorKey::Primary, 80, None).color(&c),
            Rgb([9, 74, 138])
        );
        let muted = Paint::Mix(ColorKey::Text, 80, Some(ColorKey::Surface)).color(&c);
        assert_eq!(muted, Rgb([73, 73, 73]));
        let border = Paint::Mix(ColorKey::Text, 65, Some(ColorKey::Surface)).color(&c);
        assert_eq!(border, Rgb([107, 107, 107]));
    }

    #[test]
    fn a_failing_pair_keeps_both_default_colours_and_says_why() {
        // Light blue on blue: the primary button's text fails; both go back to the default.
        let (brand, problems) = read(
            r##"{"colors": {"primary": "#0a4f94", "on_primary": "#5b8fd0", "text": "#222"}}"##,
        );
        assert_eq!(brand.colors.get(ColorKey::Primary), None);
        assert_eq!(brand.colors.get(ColorKey::OnPrimary), None);
        assert_eq!(brand.colors.get(ColorKey::Text), Some(rgb("#222222")));
        assert!(
            problems[0].starts_with("brand.colors.on_primary: on_primary on primary: contrast 2."),
            "{problems:?}"
        );
        assert!(
            problems[0].ends_with("the default kept for: on_primary, primary"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_colour_left_out_brings_the_pairs_it_leaves_back_to_the_check() {
        // A dark background with light text passes, but light text on the default white card
        // fails: the text goes, and then dark-on-dark fails, so the background goes too.
        let (brand, problems) =
            read(r##"{"colors": {"background": "#102030", "text": "#f0f0f0"}}"##);
        assert_eq!(brand.colors, Colors::default(), "{problems:?}");
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn each_key_is_read_and_kept() {
        let file: Json = serde_json::from_str(include_str!("../../e2e/brand/config.json")).unwrap();
        let Json::Object(entries) = file else {
            panic!("not an object")
        };
        let (brand, problems) = Brand::read(&entries[1].1);
        assert_eq!(entries[1].0, "brand");
        assert_eq!(problems, vec![]);
        assert_eq!(brand.name.get("fr"), Some("Passerelle des partenaires"));
        assert_eq!(brand.name.get("ar"), Some("Partner Gateway"));
        let logo = brand.logo.unwrap();
        assert_eq!(logo.src, "logo.svg");
        assert_eq!(logo.alt.get("ar"), Some("بوابة الشركاء"));
        assert_eq!(brand.colors.get(ColorKey::Primary), Some(rgb("#00695c")));
        assert_eq!(brand.colors.get(ColorKey::Focus), Some(rgb("#b3401a")));
        assert_eq!(brand.links.len(), 4);
        assert_eq!(brand.links[1].href, "https://example.org/privacy");
        assert_eq!(brand.links[1].label.get("zh"), Some("Privacy notice"));
    }

    #[test]
    fn a_text_falls_back_to_english_then_to_nothing() {
        let (brand, _) = read(r#"{"name": {"fr": "Portail"}}"#);
        assert_eq!(brand.name.get("fr"), Some("Portail"));
        assert_eq!(brand.name.get("ar"), None);
        let (brand, _) = read(r#"{"name": {"fr": "Portail", "en": "Portal"}}"#);
        assert_eq!(brand.name.get("ar"), Some("Portal"));
    }

    #[test]
    fn bad_pieces_are_left_out_alone_and_named() {
        let (brand, problems) = read(
            r##"{"name": {"en": "Portal", "de": "Portal", "fr": ""},
                "tagline": "x",
                "logo": {"src": "../secret.svg"},
                "colors": {"primary": "blue", "tint": "#fff", "text": "#222"},
                "links": [{"href": "javascript:alert(1)", "label": {"en": "x"}},
                          {"href": "https://example.org/help", "label": {"fr": "Aide"}},
                          {"href": "https://example.org/terms", "label": {"en": "Terms"}, "rel": "x"}]}"##,
        );
        assert_eq!(brand.name.get("en"), Some("Portal"));
        assert_eq!(brand.logo, None);
        assert_eq!(brand.colors.get(ColorKey::Primary), None);
        assert_eq!(brand.colors.get(ColorKey::Text), Some(rgb("#222")));
        assert_eq!(brand.links.len(), 1);
        assert_eq!(brand.links[0].href, "https://example.org/terms");
        let paths: Vec<&str> = problems
            .iter()
            .map(|p| p.split(':').next().unwrap())
            .collect();
        assert_eq!(
            paths,
            [
                "brand.tagline",
                "brand.name.de",
                "brand.name.fr",
                "brand.logo.src",
                "brand.colors.tint",
                "brand.colors.primary",
                "brand.links[0].href",
                "brand.links[1].label.en",
                "brand.links[2].rel",
            ]
        );
    }

    #[test]
    fn links_are_https_mailto_or_localhost() {
        for good in [
            "https://example.org/help",
            "https://example.org",
            "mailto:help@example.org",
            "http://localhost:8000/help",
            "http://localhost",
        ] {
            assert_eq!(check_href(good), Ok(()), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "data:text/html,x",
            "http://example.org",
            "http://localhost.evil.example",
            "//example.org/help",
            "/help",
            "https://",
            "https:///x",
            "https://exa mple.org",
            "https://example.org/\n",
            "mailto:nobody",
        ] {
            assert!(check_href(bad).is_err(), "{bad}");
        }
        assert!(check_href(&format!("https://e.org/{}", "a".repeat(MAX_HREF_CHARS))).is_err());
    }

    #[test]
    fn the_logo_is_a_file_beside_index_html() {
        for good in ["logo.svg", "img/logo.png", "brand_2-dark.webp"] {
            assert_eq!(check_logo_src(good), Ok(()), "{good}");
        }
        for bad in [
            "../logo.svg",
            "img/../../logo.svg",
            "/logo.svg",
            "//evil.example/logo.svg",
            "https://evil.example/logo.svg",
            "data:image/svg+xml,x",
            "javascript:alert(1)",
            "logo.svg?x=1",
            "img//logo.svg",
            "",
            ".",
        ] {
            assert!(check_logo_src(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes_are_bounded() {
        let links: Vec<String> = (0..10)
            .map(|i| format!(r#"{{"href": "https://example.org/{i}", "label": {{"en": "L{i}"}}}}"#))
            .collect();
        let (brand, problems) = read(&format!(r#"{{"links": [{}]}}"#, links.join(",")));
        assert_eq!(brand.links.len(), MAX_LINKS);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        let (brand, problems) = read(&format!(r#"{{"name": {{"en": "{long}"}}}}"#));
        assert!(brand.name.is_empty());
        assert_eq!(problems.len(), 1);
    }
}
