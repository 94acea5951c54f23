//! The layout of the coverage map and the before/after siting map: panels, layers, labels,
//! legend, scale bar, north arrow, title and attribution, as a [`Scene`] in pixels.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use geo::{Coord, Geometry, LineString, Orient, Polygon};

use super::font::LabelFont;
use super::frame::{nice_length, Extent, Frame, PixelRect};
use super::scene::{Anchor, Item, Rgba, Scene};
use super::style::{self, RoadGroup, COVERED, UNCOVERED};
use super::{Map, Overlays, PlacedLabel, RenderOptions};
use crate::coverage::{Audit, KindCoverage, WITHIN_EPS};
use crate::error::Result;
use crate::model::FacilityKind;
use crate::network::{nearest_sources, Direction, SearchSpace, SourceSet};
use crate::study::Study;

mod shaded;

pub(super) use shaded::Shading;

const TITLE_H: i32 = 96;
const FOOT_H: i32 = 44;
const LEGEND_W: i32 = 380;
const GAP: i32 = 20;

/// The elderly-count thresholds splitting communities into three shades (terciles of the
/// communities' elderly counts): below `t.0` light, below `t.1` medium, else dark.
pub fn elderly_classes(elderly: &[f64]) -> (f64, f64) {
    let mut v: Vec<f64> = elderly.iter().copied().filter(|e| e.is_finite()).collect();
    if v.is_empty() {
        return (0.0, 0.0);
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)].round();
    (at(1.0 / 3.0), at(2.0 / 3.0))
}

fn class_of(e: f64, t: (f64, f64)) -> usize {
    if e < t.0 {
        0
    } else if e < t.1 {
        1
    } else {
        2
    }
}

/// Which communities a kind covers once `new_sites` (lon/lat) are added to its facilities:
/// one multi-source search over the study's network, as the audit does.
pub fn coverage_after(study: &Study, kind: &KindCoverage, new_sites: &[Coord<f64>]) -> Vec<bool> {
    let (_, existing) = study.facilities_of(kind.kind);
    let mut snaps = existing.snaps.clone();
    snaps.extend(
        new_sites
            .iter()
            .map(|c| study.snapper.snap(&study.graph, geo::Point(*c))),
    );
    let sources = SourceSet::new(snaps);
    let mut space = SearchSpace::new(&study.graph);
    nearest_sources(
        &study.graph,
        &mut space,
        &sources,
        &study.community_snaps,
        kind.limit_min,
        Direction::ToSource,
    )
    .into_iter()
    .map(|r| r.is_some_and(|r| r.minutes <= kind.limit_min + WITHIN_EPS))
    .collect()
}

/// A coarse grid of taken pixels, so labels do not overlap each other or the symbols.
struct Occupancy {
    cell: i32,
    cols: i32,
    rows: i32,
    taken: Vec<bool>,
}

impl Occupancy {
    fn new(width: u32, height: u32) -> Occupancy {
        let cell = 4;
        let cols = (width as i32 + cell - 1) / cell;
        let rows = (height as i32 + cell - 1) / cell;
        Occupancy {
            cell,
            cols,
            rows,
            taken: vec![false; (cols * rows).max(0) as usize],
        }
    }

    fn cells(&self, r: PixelRect) -> Option<(i32, i32, i32, i32)> {
        let (c0, r0) = (r.x0.div_euclid(self.cell), r.y0.div_euclid(self.cell));
        let (c1, r1) = (
            (r.x1 - 1).div_euclid(self.cell),
            (r.y1 - 1).div_euclid(self.cell),
        );
        if c0 < 0 || r0 < 0 || c1 >= self.cols || r1 >= self.rows || c1 < c0 || r1 < r0 {
            return None;
        }
        Some((c0, r0, c1, r1))
    }

    fn is_free(&self, r: PixelRect) -> bool {
        let Some((c0, r0, c1, r1)) = self.cells(r) else {
            return false;
        };
        (r0..=r1).all(|y| (c0..=c1).all(|x| !self.taken[(y * self.cols + x) as usize]))
    }

    fn take(&mut self, r: PixelRect) {
        let r = PixelRect {
            x0: r.x0.max(0),
            y0: r.y0.max(0),
            x1: r.x1.min(self.cols * self.cell),
            y1: r.y1.min(self.rows * self.cell),
        };
        if let Some((c0, r0, c1, r1)) = self.cells(r) {
            for y in r0..=r1 {
                for x in c0..=c1 {
                    self.taken[(y * self.cols + x) as usize] = true;
                }
            }
        }
    }
}

/// What one panel shows.
struct PanelSpec<'a> {
    kind: FacilityKind,
    covered: &'a [bool],
    new_sites: &'a [(String, Coord<f64>)],
    subtitle: String,
    /// Print the subtitle on the panel (two-panel maps) rather than under the title.
    subtitle_on_panel: bool,
    /// Per community, a fill instead of covered / not covered (`shaded` maps).
    fills: Option<&'a [Rgba]>,
    /// Polygons drawn over the features with a dark outline (`shaded` maps: parcels), under
    /// the labels and the corner furniture.
    overlay: &'a [(Polygon<f64>, Rgba)],
}

/// Everything the maps of a run share.
pub(super) struct Context<'a> {
    study: &'a Study,
    audit: &'a Audit,
    overlays: &'a Overlays,
    opts: &'a RenderOptions,
    font: Option<&'a LabelFont>,
    extent: Extent,
    elderly_t: (f64, f64),
    /// Street names and where their label goes (mean of their communities' points).
    streets: Vec<(String, Coord<f64>)>,
    /// A sample of the features' points, to keep the map furniture off them.
    ink: Vec<Coord<f64>>,
    /// Facilities and proposed sites: the north arrow and scale bar never go over one when
    /// another corner is free of them.
    marks: Vec<Coord<f64>>,
    /// Characters the font lacks (maps may be drawn on two threads).
    missing: Mutex<BTreeSet<char>>,
}

impl<'a> Context<'a> {
    pub(super) fn new(
        study: &'a Study,
        audit: &'a Audit,
        overlays: &'a Overlays,
        opts: &'a RenderOptions,
        font: Option<&'a LabelFont>,
    ) -> Context<'a> {
        let plane = study.graph.plane;
        let mut extent = Extent::empty();
        let mut add = |c: Coord<f64>| extent.add(plane.project(c));
        for c in &study.layers.communities {
            match &c.geometry {
                Geometry::Polygon(p) => p.exterior().0.iter().for_each(|&c| add(c)),
                Geometry::MultiPolygon(mp) => {
                    mp.0.iter()
                        .for_each(|p| p.exterior().0.iter().for_each(|&c| add(c)))
                }
                _ => add(c.representative.0),
            }
        }
        for f in &study.layers.facilities {
            add(f.location.0);
        }
        for r in &study.layers.roads {
            r.coords.iter().for_each(|&c| add(c));
        }
        if let Some(b) = &overlays.boundary {
            b.0.iter()
                .for_each(|p| p.exterior().0.iter().for_each(|&c| add(c)));
        }
        for (_, _, mp) in &overlays.service_areas {
            mp.0.iter()
                .for_each(|p| p.exterior().0.iter().for_each(|&c| add(c)));
        }
        for (_, _, p) in &overlays.new_sites {
            add(p.0);
        }
        // Street labels at the mean of their communities' points.
        let mut sums: BTreeMap<&str, (f64, f64, usize)> = BTreeMap::new();
        for c in &study.layers.communities {
            if c.street.trim().is_empty() {
                continue;
            }
            let e = sums.entry(c.street.as_str()).or_default();
            e.0 += c.representative.x();
            e.1 += c.representative.y();
            e.2 += 1;
        }
        let streets = sums
            .into_iter()
            .map(|(s, (x, y, n))| {
                (
                    s.to_string(),
                    Coord {
                        x: x / n as f64,
                        y: y / n as f64,
                    },
                )
            })
            .collect();
        Context {
            study,
            audit,
            overlays,
            opts,
            font,
            extent,
            elderly_t: elderly_classes(&audit.elderly),
            streets,
            ink: ink_sample(study, overlays),
            marks: study
                .layers
                .facilities
                .iter()
                .map(|f| f.location.0)
                .chain(overlays.new_sites.iter().map(|(_, _, p)| p.0))
                .collect(),
            missing: Mutex::new(BTreeSet::new()),
        }
    }

    /// Characters of the drawn text that the label font lacks.
    pub(super) fn missing_glyphs(&self) -> Vec<char> {
        self.missing
            .lock()
            .map(|m| m.iter().copied().collect())
            .unwrap_or_default()
    }

    fn coverage_of(&self, kind: FacilityKind) -> Option<&'a KindCoverage> {
        self.audit.kinds.iter().find(|k| k.kind == kind)
    }

    /// `map_coverage_<kind>`: one panel.
    pub(super) fn coverage_map(&self, kind: FacilityKind) -> Result<Map> {
        let empty = Vec::new();
        let (covered, subtitle) = match self.coverage_of(kind) {
            Some(k) => (&k.covered, self.coverage_line(k, &k.covered, "")),
            None => (&empty, String::new()),
        };
        let title = format!(
            "{} · {} {} · {} 分钟服务圈覆盖 {}-minute coverage",
            self.study.scenario.name,
            kind.chinese(),
            style::kind_english(kind),
            fmt_num(self.limit(kind)),
            fmt_num(self.limit(kind)),
        );
        let panels = [PanelSpec {
            kind,
            covered,
            new_sites: &[],
            subtitle,
            subtitle_on_panel: false,
            fills: None,
            overlay: &[],
        }];
        self.draw(
            format!("map_coverage_{kind}"),
            kind,
            title,
            &panels,
            self.opts.width,
        )
    }

    /// `map_sites_<kind>`: before and after the new sites, side by side.
    pub(super) fn sites_map(&self, kind: FacilityKind) -> Result<Map> {
        let sites: Vec<(String, Coord<f64>)> = self
            .overlays
            .new_sites
            .iter()
            .filter(|(k, _, _)| *k == kind)
            .map(|(_, id, p)| (id.clone(), p.0))
            .collect();
        let empty = Vec::new();
        let (before, after, sub_before, sub_after) = match self.coverage_of(kind) {
            Some(k) => {
                let locs: Vec<Coord<f64>> = sites.iter().map(|s| s.1).collect();
                let after = coverage_after(self.study, k, &locs);
                let sb = self.coverage_line(k, &k.covered, "现状 before: ");
                let sa = self.coverage_line(
                    k,
                    &after,
                    &format!(
                        "新增 {} 处后 after {} new sites: ",
                        sites.len(),
                        sites.len()
                    ),
                );
                (k.covered.clone(), after, sb, sa)
            }
            None => (empty.clone(), empty, String::new(), String::new()),
        };
        let title = format!(
            "{} · {} {} · 选址前后 before and after siting",
            self.study.scenario.name,
            kind.chinese(),
            style::kind_english(kind),
        );
        let panels = [
            PanelSpec {
                kind,
                covered: &before,
                new_sites: &[],
                subtitle: sub_before,
                subtitle_on_panel: true,
                fills: None,
                overlay: &[],
            },
            PanelSpec {
                kind,
                covered: &after,
                new_sites: &sites,
                subtitle: sub_after,
                subtitle_on_panel: true,
                fills: None,
                overlay: &[],
            },
        ];
        self.draw(
            format!("map_sites_{kind}"),
            kind,
            title,
            &panels,
            self.opts.width * 3 / 2,
        )
    }

    fn limit(&self, kind: FacilityKind) -> f64 {
        self.coverage_of(kind)
            .map(|k| k.limit_min)
            .unwrap_or(self.study.scenario.travel.limit_min)
    }

    fn coverage_line(&self, k: &KindCoverage, covered: &[bool], prefix: &str) -> String {
        let n = covered.len();
        let c = covered.iter().filter(|&&b| b).count();
        let elderly: f64 = self.audit.elderly.iter().sum();
        let elderly_c: f64 = if std::ptr::eq(covered, k.covered.as_slice()) {
            k.elderly_covered.iter().sum()
        } else {
            // After siting, counted per community (population cells are not re-searched).
            covered
                .iter()
                .zip(&self.audit.elderly)
                .filter(|(b, _)| **b)
                .map(|(_, e)| e)
                .sum()
        };
        format!(
            "{prefix}{} / {} 个社区 communities ({}) · 老年人 elderly {} / {} ({}) within {} min",
            c,
            n,
            pct(c as f64, n as f64),
            fmt_count(elderly_c),
            fmt_count(elderly),
            pct(elderly_c, elderly),
            fmt_num(k.limit_min)
        )
    }

    fn text(&self, text: &str, at: (i32, i32), size: f64, colour: Rgba, anchor: Anchor) -> Item {
        self.note_glyphs(text);
        Item::Text {
            text: text.to_string(),
            at,
            size,
            colour,
            anchor,
            halo: None,
        }
    }

    fn note_glyphs(&self, text: &str) {
        if let Some(f) = self.font {
            if let Ok(mut missing) = self.missing.lock() {
                missing.extend(text.chars().filter(|&c| !f.has_glyph(c)));
            }
        }
    }

    fn text_width(&self, text: &str, size: f64) -> f64 {
        match self.font {
            Some(f) => f.measure(text, size).width,
            None => 0.0,
        }
    }

    /// A text size at most `size` at which `text` fits in `width` pixels.
    fn fit_size(&self, text: &str, size: f64, width: f64) -> f64 {
        let w = self.text_width(text, size);
        if w > width && w > 0.0 {
            (size * width / w).max(8.0)
        } else {
            size
        }
    }

    fn draw(
        &self,
        name: String,
        kind: FacilityKind,
        title: String,
        panels: &[PanelSpec],
        width: u32,
    ) -> Result<Map> {
        let width = width.max(600);
        let height = self.opts.height.max(400);
        let (w, h) = (width as i32, height as i32);
        let mut scene = Scene::new(width, height, style::BACKGROUND);
        let mut occ = Occupancy::new(width, height);
        // Panels side by side, legend on the right.
        let n = panels.len().max(1) as i32;
        let maps_w = w - LEGEND_W - GAP * (n + 1) - GAP;
        let panel_w = maps_w / n;
        let mut frames = Vec::new();
        let mut labels = Vec::new();
        let mut furniture = Vec::new();
        for (i, spec) in panels.iter().enumerate() {
            let x0 = GAP + i as i32 * (panel_w + GAP);
            let panel = PixelRect {
                x0,
                y0: TITLE_H,
                x1: x0 + panel_w,
                y1: h - FOOT_H,
            };
            let frame = Frame::fit(self.study.graph.plane, self.extent, panel, 24.0);
            furniture.extend(self.panel(&mut scene, &mut occ, &frame, spec, i, &mut labels));
            frames.push(frame);
        }
        // Title.
        let title_size = self.fit_size(&title, 30.0, (w - 2 * GAP) as f64);
        scene.push(self.text(&title, (GAP, 44), title_size, style::TEXT, Anchor::Left));
        if panels.len() == 1 {
            let sub = &panels[0].subtitle;
            let size = self.fit_size(sub, 18.0, (w - 2 * GAP) as f64);
            scene.push(self.text(sub, (GAP, 78), size, style::MUTED, Anchor::Left));
        }
        // Attribution and method line.
        self.footer(&mut scene, w, h);
        let legend = PixelRect {
            x0: w - LEGEND_W - GAP,
            y0: TITLE_H,
            x1: w - GAP,
            y1: h - FOOT_H,
        };
        self.legend(&mut scene, legend, kind, panels);
        let (png, svg) = scene.to_png_and_svg(self.font)?;
        Ok(Map {
            name,
            kind,
            title,
            png,
            svg,
            width,
            height,
            frames,
            legend,
            labels,
            furniture,
        })
    }

    /// The attribution and method line at the foot of every map.
    fn footer(&self, scene: &mut Scene, w: i32, h: i32) {
        let plane = self.study.graph.plane;
        let foot = format!(
            "{}{}Map: carecircle · local plane around {:.4}°E {:.4}°N, metres, north up",
            self.opts.attribution,
            if self.opts.attribution.is_empty() {
                ""
            } else {
                " · "
            },
            plane.lon0,
            plane.lat0
        );
        let size = self.fit_size(&foot, 14.0, (w - 2 * GAP) as f64);
        scene.push(self.text(&foot, (GAP, h - 16), size, style::MUTED, Anchor::Left));
    }

    fn ring_px(frame: &Frame, ring: &LineString<f64>) -> Vec<(i32, i32)> {
        let mut out: Vec<(i32, i32)> = Vec::with_capacity(ring.0.len());
        for &c in &ring.0 {
            let p = frame.pixel(c);
            if out.last() != Some(&p) {
                out.push(p);
            }
        }
        out
    }

    /// A polygon with holes as one path: exterior counter-clockwise, holes clockwise, each
    /// ring closed and joined back to the exterior's first point.
    fn polygon_px(frame: &Frame, p: &Polygon<f64>) -> Vec<(i32, i32)> {
        let p = p.orient(geo::orient::Direction::Default);
        let mut out = Self::ring_px(frame, p.exterior());
        let Some(&first) = out.first() else {
            return out;
        };
        for hole in p.interiors() {
            let h = Self::ring_px(frame, hole);
            if h.len() >= 3 {
                out.push(first);
                out.extend(h);
            }
        }
        out.push(first);
        out
    }

    fn panel(
        &self,
        scene: &mut Scene,
        occ: &mut Occupancy,
        frame: &Frame,
        spec: &PanelSpec,
        index: usize,
        labels: &mut Vec<PlacedLabel>,
    ) -> [PixelRect; 2] {
        let p = frame.panel;
        let study = self.study;
        scene.push(Item::Rect {
            a: (p.x0, p.y0),
            b: (p.x1, p.y1),
            fill: Some(style::PANEL),
            stroke: None,
        });
        // District.
        if let Some(b) = &self.overlays.boundary {
            for poly in &b.0 {
                scene.push(Item::Polygon {
                    points: Self::polygon_px(frame, poly),
                    fill: style::DISTRICT,
                });
            }
        }
        // Communities, shaded by elderly people.
        let colour_of = |c: usize| {
            if let Some(fills) = spec.fills {
                return fills.get(c).copied().unwrap_or(style::DISTRICT);
            }
            let class = class_of(
                self.audit.elderly.get(c).copied().unwrap_or(0.0),
                self.elderly_t,
            );
            if spec.covered.get(c).copied().unwrap_or(false) {
                COVERED[class]
            } else {
                UNCOVERED[class]
            }
        };
        let mut outlines = Vec::new();
        let mut points = Vec::new();
        for (i, c) in study.layers.communities.iter().enumerate() {
            let polys: Vec<&Polygon<f64>> = match &c.geometry {
                Geometry::Polygon(p) => vec![p],
                Geometry::MultiPolygon(mp) => mp.0.iter().collect(),
                _ => Vec::new(),
            };
            if polys.is_empty() {
                points.push(i);
            }
            for poly in polys {
                scene.push(Item::Polygon {
                    points: Self::polygon_px(frame, poly),
                    fill: colour_of(i),
                });
                outlines.push(Self::ring_px(frame, poly.exterior()));
            }
        }
        for ring in outlines {
            scene.push(Item::Line {
                points: ring,
                colour: Rgba(255, 255, 255, 0.9),
                width: 1,
            });
        }
        // Service areas of this kind, translucent.
        let kc = style::kind_colour(spec.kind);
        for (k, _, mp) in &self.overlays.service_areas {
            if *k != spec.kind {
                continue;
            }
            for poly in &mp.0 {
                scene.push(Item::Polygon {
                    points: Self::polygon_px(frame, poly),
                    fill: kc.alpha(0.14),
                });
                for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                    scene.push(Item::Line {
                        points: Self::ring_px(frame, ring),
                        colour: kc.alpha(0.8),
                        width: 2,
                    });
                }
            }
        }
        // Roads, minor under major.
        let mut roads: Vec<(RoadGroup, usize)> = study
            .layers
            .roads
            .iter()
            .enumerate()
            .map(|(i, r)| (RoadGroup::of(&r.class), i))
            .collect();
        roads.sort();
        for (g, i) in roads {
            let mut pts: Vec<(i32, i32)> = Vec::with_capacity(study.layers.roads[i].coords.len());
            for &c in &study.layers.roads[i].coords {
                let q = frame.pixel(c);
                if pts.last() != Some(&q) {
                    pts.push(q);
                }
            }
            if pts.len() >= 2 {
                scene.push(Item::Line {
                    points: pts,
                    colour: g.colour(),
                    width: g.width(frame.px_per_m),
                });
            }
        }
        // Point communities (no polygon) as shaded dots, above the roads.
        for i in points {
            let c = &study.layers.communities[i];
            let q = frame.pixel(c.representative.0);
            let class = class_of(
                self.audit.elderly.get(i).copied().unwrap_or(0.0),
                self.elderly_t,
            );
            scene.push(Item::Circle {
                centre: q,
                radius: 3 + 2 * class as u32,
                fill: Some(colour_of(i)),
                stroke: Some((Rgba::rgb(0x55, 0x55, 0x55), 1)),
            });
            occ.take(rect_around(q, 3 + 2 * class as i32));
        }
        if let Some(b) = &self.overlays.boundary {
            for poly in &b.0 {
                scene.push(Item::Line {
                    points: Self::ring_px(frame, poly.exterior()),
                    colour: style::BOUNDARY,
                    width: 3,
                });
            }
        }
        // Facilities: the map's kind large, the others small.
        let mut facilities: Vec<usize> = (0..study.layers.facilities.len()).collect();
        facilities.sort_by_key(|&i| (study.layers.facilities[i].kind == spec.kind, i));
        // Smaller symbols when there are many (a city rather than a district).
        let crowded = facilities.len() > 300;
        for i in facilities {
            let f = &study.layers.facilities[i];
            let q = frame.pixel(f.location.0);
            if !p.contains(q) {
                continue;
            }
            let r = match (f.kind == spec.kind, crowded) {
                (true, false) => 8,
                (true, true) | (false, false) => 5,
                (false, true) => 3,
            };
            scene
                .items
                .extend(style::symbol(f.kind, q, r, style::kind_colour(f.kind)));
            occ.take(rect_around(q, r + 2));
        }
        for (id, c) in spec.new_sites {
            let q = frame.pixel(*c);
            scene.push(Item::Circle {
                centre: q,
                radius: 16,
                fill: Some(style::NEW_SITE_RING.alpha(0.85)),
                stroke: Some((Rgba::rgb(0x10, 0x10, 0x10), 1)),
            });
            scene.items.extend(style::star(q, 12, kc));
            occ.take(rect_around(q, 18));
            let e = self.font.map(|f| f.measure(id, 15.0));
            if let Some(e) = e {
                let at = (q.0 + 20, q.1 + ((e.ascent - e.descent) / 2.0) as i32);
                let rect = PixelRect {
                    x0: at.0 - 2,
                    y0: at.1 - e.ascent as i32 - 2,
                    x1: at.0 + e.width as i32 + 2,
                    y1: at.1 + e.descent as i32 + 2,
                };
                occ.take(rect);
                let mut item = self.text(id, at, 15.0, style::TEXT, Anchor::Left);
                if let Item::Text { halo, .. } = &mut item {
                    *halo = Some(style::HALO);
                }
                scene.push(item);
            }
        }
        for (poly, fill) in spec.overlay {
            scene.push(Item::Polygon {
                points: Self::polygon_px(frame, poly),
                fill: *fill,
            });
            scene.push(Item::Line {
                points: Self::ring_px(frame, poly.exterior()),
                colour: Rgba::rgb(0x20, 0x20, 0x20),
                width: 2,
            });
        }
        // Corner furniture reserved before labels, drawn after them.
        // North arrow and scale bar go in the emptier of two corners each.
        let arrow_right = PixelRect {
            x0: p.x1 - 70,
            y0: p.y0 + 10,
            x1: p.x1 - 10,
            y1: p.y0 + 100,
        };
        let arrow_left = PixelRect {
            x0: p.x0 + 10,
            y0: p.y0 + 10,
            x1: p.x0 + 70,
            y1: p.y0 + 100,
        };
        let arrow = if spec.subtitle_on_panel {
            arrow_right
        } else {
            self.emptier(frame, arrow_right, arrow_left)
        };
        let bar_len_m = nice_length(0.28 * p.width() as f64 / frame.px_per_m);
        let bar_px = (bar_len_m * frame.px_per_m).round() as i32;
        let bar_w = bar_px + 80;
        let bar_left = PixelRect {
            x0: p.x0 + 10,
            y0: p.y1 - 62,
            x1: p.x0 + 10 + bar_w,
            y1: p.y1 - 10,
        };
        let bar_right = PixelRect {
            x0: p.x1 - 10 - bar_w,
            y0: p.y1 - 62,
            x1: p.x1 - 10,
            y1: p.y1 - 10,
        };
        let bar = self.emptier(frame, bar_left, bar_right);
        let sub_box = if spec.subtitle.is_empty() || !spec.subtitle_on_panel {
            None
        } else {
            Some(PixelRect {
                x0: p.x0,
                y0: p.y0,
                x1: p.x1 - 80,
                y1: p.y0 + 34,
            })
        };
        occ.take(arrow);
        occ.take(bar);
        if let Some(b) = sub_box {
            occ.take(b);
        }
        if self.opts.labels {
            self.labels(scene, occ, frame, spec, index, labels);
        }
        self.north_arrow(scene, arrow);
        self.scale_bar(scene, bar, bar_len_m, bar_px);
        // Panel subtitle for two-panel maps (the one-panel map has it under the title).
        if let Some(b) = sub_box {
            let size = self.fit_size(&spec.subtitle, 16.0, (b.width() - 16) as f64);
            scene.push(Item::Rect {
                a: (b.x0, b.y0),
                b: (b.x1, b.y1),
                fill: Some(Rgba(255, 255, 255, 0.85)),
                stroke: None,
            });
            scene.push(self.text(
                &spec.subtitle,
                (b.x0 + 8, b.y0 + 23),
                size,
                style::TEXT,
                Anchor::Left,
            ));
        }
        scene.push(Item::Rect {
            a: (p.x0, p.y0),
            b: (p.x1, p.y1),
            fill: None,
            stroke: Some((Rgba::rgb(0x99, 0x99, 0x99), 1)),
        });
        [arrow, bar]
    }

    fn labels(
        &self,
        scene: &mut Scene,
        occ: &mut Occupancy,
        frame: &Frame,
        spec: &PanelSpec,
        index: usize,
        placed: &mut Vec<PlacedLabel>,
    ) {
        let Some(font) = self.font else { return };
        let mut place = |scene: &mut Scene,
                         occ: &mut Occupancy,
                         text: &str,
                         centre: (i32, i32),
                         size: f64,
                         colour: Rgba|
         -> bool {
            let t = text.trim();
            if t.is_empty() {
                return false;
            }
            let e = font.measure(t, size);
            let baseline = centre.1 + ((e.ascent - e.descent) / 2.0).round() as i32;
            let half = (e.width / 2.0).ceil() as i32;
            let rect = PixelRect {
                x0: centre.0 - half - 2,
                y0: baseline - e.ascent.ceil() as i32 - 1,
                x1: centre.0 + half + 2,
                y1: baseline + e.descent.ceil() as i32 + 1,
            };
            let inside = frame.panel.contains((rect.x0, rect.y0))
                && frame.panel.contains((rect.x1 - 1, rect.y1 - 1));
            if !inside || !occ.is_free(rect) {
                return false;
            }
            occ.take(rect);
            self.note_glyphs(t);
            scene.push(Item::Text {
                text: t.to_string(),
                at: (centre.0, baseline),
                size,
                colour,
                anchor: Anchor::Centre,
                halo: Some(style::HALO),
            });
            placed.push(PlacedLabel {
                text: t.to_string(),
                rect,
                panel: index,
            });
            true
        };
        let communities = &self.study.layers.communities;
        // Streets first, larger.
        // Streets first, larger, moved a little when their centre is taken.
        let street_size = if frame.px_per_m > 0.05 { 24.0 } else { 18.0 };
        for (name, c) in &self.streets {
            let (x, y) = frame.pixel(*c);
            let step = street_size as i32;
            for (dx, dy) in [
                (0, 0),
                (0, -1),
                (0, 1),
                (-2, 0),
                (2, 0),
                (0, -2),
                (0, 2),
                (-3, -1),
                (3, 1),
            ] {
                let at = (x + dx * step, y + dy * step);
                if place(
                    scene,
                    occ,
                    name,
                    at,
                    street_size,
                    Rgba::rgb(0x1A, 0x23, 0x7E),
                ) {
                    break;
                }
            }
        }
        // Then communities: uncovered first, most elderly first, ties by id.
        let mut order: Vec<usize> = (0..communities.len()).collect();
        order.sort_by(|&a, &b| {
            let ca = spec.covered.get(a).copied().unwrap_or(false);
            let cb = spec.covered.get(b).copied().unwrap_or(false);
            ca.cmp(&cb)
                .then_with(|| {
                    let ea = self.audit.elderly.get(a).copied().unwrap_or(0.0);
                    let eb = self.audit.elderly.get(b).copied().unwrap_or(0.0);
                    eb.total_cmp(&ea)
                })
                .then_with(|| communities[a].id.cmp(&communities[b].id))
        });
        let size = if frame.px_per_m > 0.05 { 15.0 } else { 12.0 };
        for i in order {
            let c = &communities[i];
            let (x, y) = frame.pixel(c.representative.0);
            let label = map_label(&c.name);
            if matches!(c.geometry, Geometry::Polygon(_) | Geometry::MultiPolygon(_)) {
                let _ = place(scene, occ, &label, (x, y), size, style::TEXT);
                continue;
            }
            // A point community's dot stays visible: its label goes beside it.
            let class = class_of(
                self.audit.elderly.get(i).copied().unwrap_or(0.0),
                self.elderly_t,
            );
            // Clear of the dot by one occupancy cell (4 px) at least.
            let gap = (3 + 2 * class as i32) + 6;
            let half = (font.measure(&label, size).width / 2.0).ceil() as i32;
            let v = (size * 0.5) as i32 + gap + 2;
            for at in [
                (x + gap + half, y),
                (x - gap - half, y),
                (x, y - v),
                (x, y + v),
            ] {
                if place(scene, occ, &label, at, size, style::TEXT) {
                    break;
                }
            }
        }
    }

    /// Of two places, the one covering fewer facilities and proposed sites, then fewer of the
    /// map's other features (the first on a tie).
    fn emptier(&self, frame: &Frame, a: PixelRect, b: PixelRect) -> PixelRect {
        let count = |r: PixelRect| {
            let inside = |c: &&Coord<f64>| r.contains(frame.pixel(**c));
            let marks = self.marks.iter().filter(inside).count();
            let ink = self.ink.iter().filter(inside).count();
            (marks, ink)
        };
        if count(b) < count(a) {
            b
        } else {
            a
        }
    }

    fn north_arrow(&self, scene: &mut Scene, r: PixelRect) {
        let cx = (r.x0 + r.x1) / 2;
        framed_box(scene, r);
        let top = r.y0 + 30;
        let bottom = r.y1 - 12;
        let mid = (top + bottom) / 2 + 8;
        scene.push(Item::Polygon {
            points: vec![(cx, top), (cx - 13, bottom), (cx, mid)],
            fill: style::TEXT,
        });
        scene.push(Item::Polygon {
            points: vec![(cx, top), (cx + 13, bottom), (cx, mid)],
            fill: Rgba::rgb(0xFF, 0xFF, 0xFF),
        });
        scene.push(Item::Line {
            points: vec![
                (cx, top),
                (cx + 13, bottom),
                (cx, mid),
                (cx - 13, bottom),
                (cx, top),
            ],
            colour: style::TEXT,
            width: 1,
        });
        scene.push(self.text("N 北", (cx, r.y0 + 23), 17.0, style::TEXT, Anchor::Centre));
    }

    fn scale_bar(&self, scene: &mut Scene, r: PixelRect, len_m: f64, len_px: i32) {
        framed_box(scene, r);
        let x0 = r.x0 + 14;
        let y = r.y1 - 16;
        let half = len_px / 2;
        scene.push(Item::Rect {
            a: (x0, y - 8),
            b: (x0 + half, y),
            fill: Some(style::TEXT),
            stroke: None,
        });
        scene.push(Item::Rect {
            a: (x0 + half, y - 8),
            b: (x0 + len_px, y),
            fill: Some(Rgba::rgb(255, 255, 255)),
            stroke: Some((style::TEXT, 1)),
        });
        scene.push(Item::Rect {
            a: (x0, y - 8),
            b: (x0 + len_px, y),
            fill: None,
            stroke: Some((style::TEXT, 1)),
        });
        let ty = y - 14;
        scene.push(self.text("0", (x0, ty), 14.0, style::TEXT, Anchor::Centre));
        scene.push(self.text(
            &fmt_num(len_m / 2.0),
            (x0 + half, ty),
            14.0,
            style::TEXT,
            Anchor::Centre,
        ));
        scene.push(self.text(
            &format!("{} m", fmt_num(len_m)),
            (x0 + len_px - 6, ty),
            14.0,
            style::TEXT,
            Anchor::Left,
        ));
    }

    fn legend(&self, scene: &mut Scene, r: PixelRect, kind: FacilityKind, panels: &[PanelSpec]) {
        scene.push(Item::Rect {
            a: (r.x0, r.y0),
            b: (r.x1, r.y1),
            fill: Some(Rgba::rgb(0xFC, 0xFC, 0xFA)),
            stroke: Some((Rgba::rgb(0xAA, 0xAA, 0xAA), 1)),
        });
        let x = r.x0 + 16;
        let tx = x + 40;
        let mut y = r.y0 + 38;
        let row = 30;
        let item = 16.0;
        let head = 19.0;
        let text = |scene: &mut Scene, s: &str, at: (i32, i32), size: f64, colour: Rgba| {
            let size = self.fit_size(s, size, (r.x1 - at.0 - 8) as f64);
            scene.push(self.text(s, at, size, colour, Anchor::Left));
        };
        text(scene, "图例 Legend", (x, y), 24.0, style::TEXT);
        y += 40;
        // Communities: status, then the shades of elderly people.
        let limit = fmt_num(self.limit(kind));
        text(scene, "社区 Communities", (x, y), head, style::TEXT);
        y += 10;
        scene.push(swatch((x, y + 6), COVERED[1]));
        text(
            scene,
            &format!("已覆盖 covered (≤ {limit} min)"),
            (tx, y + 21),
            item,
            style::TEXT,
        );
        y += row;
        scene.push(swatch((x, y + 6), UNCOVERED[1]));
        text(scene, "未覆盖 not covered", (tx, y + 21), item, style::TEXT);
        y += row + 4;
        text(
            scene,
            "颜色深浅 shade: 老年人 elderly",
            (x, y + 16),
            item - 1.0,
            style::MUTED,
        );
        y += 12;
        let t = self.elderly_t;
        let classes = [
            format!("< {}", fmt_count(t.0)),
            format!("{} – {}", fmt_count(t.0), fmt_count(t.1)),
            format!("≥ {}", fmt_count(t.1)),
        ];
        for (i, label) in classes.iter().enumerate() {
            scene.push(Item::Rect {
                a: (x, y + 8),
                b: (x + 14, y + 24),
                fill: Some(COVERED[i]),
                stroke: None,
            });
            scene.push(Item::Rect {
                a: (x + 14, y + 8),
                b: (x + 28, y + 24),
                fill: Some(UNCOVERED[i]),
                stroke: None,
            });
            text(scene, label, (tx, y + 22), item, style::TEXT);
            y += row - 4;
        }
        y += 26;
        // Facilities present (and the map's kind even when it has none).
        text(scene, "设施 Facilities", (x, y), head, style::TEXT);
        y += 6;
        for k in FacilityKind::ALL {
            let n = self
                .study
                .layers
                .facilities
                .iter()
                .filter(|f| f.kind == k)
                .count();
            if n == 0 && k != kind {
                continue;
            }
            let c = (x + 14, y + 15);
            let rr = if k == kind { 8 } else { 5 };
            scene
                .items
                .extend(style::symbol(k, c, rr, style::kind_colour(k)));
            text(
                scene,
                &format!("{} {} ({n})", k.chinese(), k.as_str()),
                (tx, y + 21),
                item,
                style::TEXT,
            );
            y += row;
        }
        if panels.iter().any(|p| !p.new_sites.is_empty()) {
            let c = (x + 14, y + 16);
            scene.push(Item::Circle {
                centre: c,
                radius: 13,
                fill: Some(style::NEW_SITE_RING.alpha(0.85)),
                stroke: Some((Rgba::rgb(0x10, 0x10, 0x10), 1)),
            });
            scene
                .items
                .extend(style::star(c, 10, style::kind_colour(kind)));
            text(
                scene,
                "新增选址 proposed new site",
                (tx, y + 22),
                item,
                style::TEXT,
            );
            y += row + 6;
        }
        if self
            .overlays
            .service_areas
            .iter()
            .any(|(k, _, _)| *k == kind)
        {
            let kc = style::kind_colour(kind);
            scene.push(Item::Rect {
                a: (x, y + 7),
                b: (x + 28, y + 25),
                fill: Some(kc.alpha(0.14)),
                stroke: Some((kc.alpha(0.8), 2)),
            });
            text(
                scene,
                &format!("{limit} 分钟服务范围 service area"),
                (tx, y + 21),
                item,
                style::TEXT,
            );
            y += row;
        }
        y += 26;
        // Roads present.
        let groups: BTreeSet<RoadGroup> = self
            .study
            .layers
            .roads
            .iter()
            .map(|r| RoadGroup::of(&r.class))
            .collect();
        text(scene, "道路 Roads", (x, y), head, style::TEXT);
        y += 6;
        for g in RoadGroup::ALL.into_iter().filter(|g| groups.contains(g)) {
            scene.push(Item::Line {
                points: vec![(x, y + 15), (x + 28, y + 15)],
                colour: g.colour(),
                width: g.width(1.0),
            });
            text(scene, g.label(), (tx, y + 21), item, style::TEXT);
            y += row;
        }
        if self.overlays.boundary.is_some() {
            scene.push(Item::Line {
                points: vec![(x, y + 15), (x + 28, y + 15)],
                colour: style::BOUNDARY,
                width: 3,
            });
            text(
                scene,
                "区界 district boundary",
                (tx, y + 21),
                item,
                style::TEXT,
            );
        }
    }
}

/// At most about 50,000 points of the communities, facilities, roads and boundary.
fn ink_sample(study: &Study, overlays: &Overlays) -> Vec<Coord<f64>> {
    let mut all: Vec<&[Coord<f64>]> = Vec::new();
    let mut singles: Vec<Coord<f64>> = Vec::new();
    for c in &study.layers.communities {
        match &c.geometry {
            Geometry::Polygon(p) => all.push(&p.exterior().0),
            Geometry::MultiPolygon(mp) => mp.0.iter().for_each(|p| all.push(&p.exterior().0)),
            _ => singles.push(c.representative.0),
        }
    }
    singles.extend(study.layers.facilities.iter().map(|f| f.location.0));
    for r in &study.layers.roads {
        all.push(&r.coords);
    }
    if let Some(b) = &overlays.boundary {
        b.0.iter().for_each(|p| all.push(&p.exterior().0));
    }
    let total: usize = all.iter().map(|s| s.len()).sum();
    let step = (total / 50_000).max(1);
    singles.extend(all.iter().flat_map(|s| s.iter()).step_by(step).copied());
    singles
}

/// A community's name as the map prints it: the committee suffix of official names dropped
/// (湖滨社区居委会 → 湖滨社区, 梅山村民委员会 → 梅山村), as planners label maps.
pub fn map_label(name: &str) -> String {
    let name = name.trim();
    for (suffix, replacement) in [
        ("社区居委会", "社区"),
        ("社区居民委员会", "社区"),
        ("社区委员会", "社区"),
        ("村民委员会", "村"),
        ("村委会", "村"),
        ("居民委员会", "社区"),
        ("居委会", "社区"),
    ] {
        if let Some(stem) = name.strip_suffix(suffix) {
            if !stem.is_empty() {
                return format!("{stem}{replacement}");
            }
        }
    }
    name.to_string()
}

fn swatch(at: (i32, i32), fill: Rgba) -> Item {
    Item::Rect {
        a: at,
        b: (at.0 + 28, at.1 + 18),
        fill: Some(fill),
        stroke: None,
    }
}

fn rect_around(c: (i32, i32), r: i32) -> PixelRect {
    PixelRect {
        x0: c.0 - r,
        y0: c.1 - r,
        x1: c.0 + r + 1,
        y1: c.1 + r + 1,
    }
}

/// "15", "7.5", "1000".
fn fmt_num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.1}")
    }
}

/// A head count with thousands separators: "12,345".
fn fmt_count(x: f64) -> String {
    let n = x.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn pct(part: f64, whole: f64) -> String {
    if whole > 0.0 {
        crate::figures::percent(part / whole)
    } else {
        "–".into()
    }
}

/// The translucent white box with a grey frame that holds the north arrow and the scale bar.
fn framed_box(scene: &mut Scene, r: PixelRect) {
    scene.push(Item::Rect {
        a: (r.x0, r.y0),
        b: (r.x1, r.y1),
        fill: Some(Rgba(255, 255, 255, 0.85)),
        stroke: Some((Rgba::rgb(0xAA, 0xAA, 0xAA), 1)),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(fmt_count(1234567.4), "1,234,567");
        assert_eq!(fmt_count(12.0), "12");
        assert_eq!(fmt_num(15.0), "15");
        assert_eq!(fmt_num(7.5), "7.5");
        assert_eq!(pct(1.0, 4.0), "25.0 %");
        assert_eq!(pct(1.0, 0.0), "–");
    }

    #[test]
    fn elderly_terciles() {
        let t = elderly_classes(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(t, (3.0, 5.0));
        assert_eq!(class_of(2.9, t), 0);
        assert_eq!(class_of(3.0, t), 1);
        assert_eq!(class_of(5.0, t), 2);
        assert_eq!(elderly_classes(&[]), (0.0, 0.0));
    }

    #[test]
    fn occupancy_refuses_overlaps_and_the_outside() {
        let mut o = Occupancy::new(100, 100);
        let r = PixelRect {
            x0: 10,
            y0: 10,
            x1: 30,
            y1: 20,
        };
        assert!(o.is_free(r));
        o.take(r);
        assert!(!o.is_free(PixelRect {
            x0: 25,
            y0: 15,
            x1: 40,
            y1: 25
        }));
        assert!(o.is_free(PixelRect {
            x0: 40,
            y0: 40,
            x1: 50,
            y1: 50
        }));
        assert!(!o.is_free(PixelRect {
            x0: 90,
            y0: 90,
            x1: 110,
            y1: 95
        }));
    }
}
