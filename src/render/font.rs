//! The label font: a user's `--font FILE`, else the WenQuanYi Micro Hei subset compiled into
//! the binary (assets/fonts/), so that Chinese names render on a machine without system fonts.
//!
//! plotters' `ab_glyph` backend draws text only with fonts registered under a family name, for
//! PNG and SVG alike (SVG needs it to measure text). The family name registered here is also
//! the SVG `font-family`, so it lists common CJK fonts after ours for viewers that lack it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ab_glyph::{Font, FontRef, ScaleFont};
use plotters::style::FontStyle;

/// The WenQuanYi Micro Hei subset (GB 2312 and the data's characters; Apache-2.0; see
/// assets/fonts/README.md).
pub static EMBEDDED_FONT: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei-subset.ttf");

/// The family the embedded font is registered under, and the SVG `font-family` of its labels.
pub const EMBEDDED_FAMILY: &str =
    "WenQuanYi Micro Hei, Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif";

/// How the embedded font is named in messages.
pub const EMBEDDED_DESCRIPTION: &str = "the built-in WenQuanYi Micro Hei subset";

/// A font registered with plotters, ready to draw and measure labels.
#[derive(Clone)]
pub struct LabelFont {
    family: String,
    font: FontRef<'static>,
    description: String,
}

impl std::fmt::Debug for LabelFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabelFont")
            .field("family", &self.family)
            .field("description", &self.description)
            .finish()
    }
}

/// Text extents at a size: width and the ascent above / descent below the baseline (pixels,
/// descent positive downwards).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextExtent {
    pub width: f64,
    pub ascent: f64,
    pub descent: f64,
}

impl LabelFont {
    /// The embedded subset. `None` only if the compiled-in bytes do not parse (a broken
    /// build); the crate's tests check they do.
    pub fn embedded() -> Option<LabelFont> {
        LabelFont::register(
            EMBEDDED_FAMILY,
            EMBEDDED_FONT,
            EMBEDDED_DESCRIPTION.to_string(),
        )
        .ok()
    }

    /// A TrueType / OpenType font file (the first face of a collection).
    pub fn from_file(path: &Path) -> Result<LabelFont, String> {
        let bytes = leaked_file(path)?;
        let family = family_name(bytes).unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "user font".into())
        });
        // The key must differ per file (plotters keeps one font per family name); the SVG
        // falls back to the embedded font's list.
        let key = format!("{}, {EMBEDDED_FAMILY}", css_family(&family));
        LabelFont::register(&key, bytes, format!("{} ({})", path.display(), family))
    }

    /// The font to use: `user` when it loads, else the embedded one. What was chosen and why
    /// is pushed to `notices` when it is not what was asked for. `None` (no labels at all)
    /// only when neither loads.
    pub fn choose(user: Option<&Path>, notices: &mut Notices) -> Option<LabelFont> {
        if let Some(path) = user {
            match LabelFont::from_file(path) {
                Ok(f) => return Some(f),
                Err(e) => notices.push(format!(
                    "map labels: cannot use the font {}: {e}; using {EMBEDDED_DESCRIPTION} instead",
                    path.display()
                )),
            }
        }
        let font = LabelFont::embedded();
        if font.is_none() {
            notices.push(
                "map labels: the built-in font does not load (a broken build); maps are drawn \
                 without text"
                    .to_string(),
            );
        }
        font
    }

    fn register(key: &str, bytes: &'static [u8], description: String) -> Result<LabelFont, String> {
        let font =
            FontRef::try_from_slice(bytes).map_err(|e| format!("not a usable font ({e})"))?;
        if font.glyph_id('A').0 == 0 && font.glyph_id('中').0 == 0 {
            return Err("the font has neither Latin nor Chinese letters".into());
        }
        plotters::style::register_font(key, FontStyle::Normal, bytes)
            .map_err(|_| "plotters does not accept this font".to_string())?;
        Ok(LabelFont {
            family: key.to_string(),
            font,
            description,
        })
    }

    /// The family name the font is registered under (also the SVG font-family).
    pub fn family(&self) -> &str {
        &self.family
    }

    /// "the built-in WenQuanYi Micro Hei subset", or the file and its family name.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// True when the font has a glyph for `c` (white space and control characters need none).
    pub fn has_glyph(&self, c: char) -> bool {
        c.is_whitespace() || c.is_control() || self.font.glyph_id(c).0 != 0
    }

    /// Extents of `text` drawn at `size` (the plotters font size: ascent + descent in pixels),
    /// measured the way plotters' ab_glyph backend lays the text out.
    pub fn measure(&self, text: &str, size: f64) -> TextExtent {
        let scaled = self.font.as_scaled(size as f32);
        let mut width = 0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            width += scaled.h_advance(id);
            if let Some(p) = prev {
                width += scaled.kern(p, id);
            }
            prev = Some(id);
        }
        TextExtent {
            width: width as f64,
            ascent: scaled.ascent() as f64,
            descent: -scaled.descent() as f64,
        }
    }
}

/// Messages about what the maps fell back to, each said once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Notices(pub Vec<String>);

impl Notices {
    pub fn push(&mut self, message: String) {
        if !self.0.contains(&message) {
            self.0.push(message);
        }
    }
}

/// Font files read for `--font`, kept for the life of the process (plotters needs
/// `&'static` font data); each file is read once.
fn leaked_file(path: &Path) -> Result<&'static [u8], String> {
    static FILES: OnceLock<Mutex<HashMap<PathBuf, &'static [u8]>>> = OnceLock::new();
    let files = FILES.get_or_init(|| Mutex::new(HashMap::new()));
    let mut files = files.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(b) = files.get(path) {
        return Ok(b);
    }
    // A regular file within the input size limit (never a FIFO or a device).
    let bytes = crate::io::read_input(path, crate::io::input_limits()).map_err(|e| {
        let problem = e.problem.to_string();
        let why = problem
            .strip_prefix("cannot read the file: ")
            .unwrap_or(&problem);
        format!("cannot read it ({why})")
    })?;
    let leaked: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    files.insert(path.to_path_buf(), leaked);
    Ok(leaked)
}

/// The font's family name (name ID 1), when it has a readable one.
fn family_name(bytes: &[u8]) -> Option<String> {
    let face = ttf_parser::Face::parse(bytes, 0).ok()?;
    let names = face.names();
    let mut fallback = None;
    for name in names {
        if name.name_id != ttf_parser::name_id::FAMILY {
            continue;
        }
        if let Some(s) = name.to_string() {
            // Prefer the English name, which CSS viewers match most often.
            if name.language_id == 0x0409 {
                return Some(s);
            }
            fallback.get_or_insert(s);
        }
    }
    fallback
}

/// A family name safe in a CSS font-family list (commas and quotes removed).
fn css_family(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !matches!(c, ',' | '"' | '\'' | ';' | '<' | '>' | '&'))
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        "user font".into()
    } else {
        cleaned.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_font_loads_and_covers_the_demo_names() {
        let f = LabelFont::embedded().expect("embedded font");
        for c in "浔阳区湓浦街道白水湖甘棠垱堎湧笯日间照料中心老年食堂ABCxyz0-9 ©·–".chars()
        {
            assert!(f.has_glyph(c), "{c}");
        }
        // A known gap: WenQuanYi Micro Hei itself lacks 㟓 (U+37D3, of 高安市's 㟓岭村).
        assert!(!f.has_glyph('㟓'));
        // Outside the subset: a rare CJK Extension B character and a private-use one.
        assert!(!f.has_glyph('\u{20000}'));
        assert!(!f.has_glyph('\u{E000}'));
        let e = f.measure("浔阳区", 20.0);
        // CJK glyphs are square: about one em each.
        assert!(e.width > 50.0 && e.width < 70.0, "{e:?}");
        assert!(e.ascent > 10.0 && e.descent > 0.0 && e.ascent + e.descent <= 20.5);
    }

    #[test]
    fn a_bad_user_font_falls_back_to_the_embedded_one_with_a_notice() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.ttf");
        std::fs::write(&bad, b"not a font").unwrap();
        let mut notices = Notices::default();
        let f = LabelFont::choose(Some(&bad), &mut notices).expect("embedded fallback");
        assert_eq!(f.description(), EMBEDDED_DESCRIPTION);
        assert_eq!(notices.0.len(), 1);
        assert!(notices.0[0].contains("bad.ttf"), "{:?}", notices);
        assert!(notices.0[0].contains("WenQuanYi"), "{:?}", notices);
        let missing = dir.path().join("none.ttf");
        let mut notices = Notices::default();
        assert!(LabelFont::choose(Some(&missing), &mut notices).is_some());
        assert!(notices.0[0].contains("cannot read"), "{:?}", notices);
    }

    #[test]
    fn a_user_font_file_is_used_under_its_family_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mine.ttf");
        std::fs::write(&path, EMBEDDED_FONT).unwrap();
        let mut notices = Notices::default();
        let f = LabelFont::choose(Some(&path), &mut notices).unwrap();
        assert!(notices.0.is_empty(), "{:?}", notices);
        assert!(
            f.family().starts_with("WenQuanYi Micro Hei, "),
            "{}",
            f.family()
        );
        assert!(f.description().contains("mine.ttf"));
        assert_eq!(css_family("a,\"b'<c>"), "abc");
    }
}
