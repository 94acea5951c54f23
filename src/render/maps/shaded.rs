//! One-panel maps whose communities are shaded by a value other than coverage (the
//! accessibility map per kind, the parcels map), with their own legend and polygons drawn on
//! top (the parcels). Same frame, furniture, roads and facilities as the coverage map.

use geo::Polygon;

use super::{Context, Occupancy, PanelSpec, FOOT_H, GAP, LEGEND_W, TITLE_H};
use crate::error::Result;
use crate::model::FacilityKind;
use crate::render::frame::{Frame, PixelRect};
use crate::render::scene::{Anchor, Item, Rgba, Scene};
use crate::render::{style, Map};

/// What a shaded map shows.
pub(in crate::render) struct Shading {
    /// File stem, e.g. `map_access_day_care`.
    pub name: String,
    /// The kind whose facilities are drawn large.
    pub kind: FacilityKind,
    pub title: String,
    pub subtitle: String,
    /// Per community, its fill.
    pub fills: Vec<Rgba>,
    pub legend_title: String,
    /// Legend rows: a swatch and its words.
    pub legend: Vec<(Rgba, String)>,
    /// Polygons drawn over the communities with a dark outline (parcels), with their fill.
    pub overlay: Vec<(Polygon<f64>, Rgba)>,
}

impl Context<'_> {
    pub(in crate::render) fn shaded_map(&self, s: &Shading) -> Result<Map> {
        let width = self.opts.width.max(600);
        let height = self.opts.height.max(400);
        let (w, h) = (width as i32, height as i32);
        let mut scene = Scene::new(width, height, style::BACKGROUND);
        let mut occ = Occupancy::new(width, height);
        let panel = PixelRect {
            x0: GAP,
            y0: TITLE_H,
            x1: w - LEGEND_W - 2 * GAP,
            y1: h - FOOT_H,
        };
        let frame = Frame::fit(self.study.graph.plane, self.extent, panel, 24.0);
        let spec = PanelSpec {
            kind: s.kind,
            covered: &[],
            new_sites: &[],
            subtitle: s.subtitle.clone(),
            subtitle_on_panel: false,
            fills: Some(&s.fills),
            overlay: &s.overlay,
        };
        let mut labels = Vec::new();
        let furniture = self.panel(&mut scene, &mut occ, &frame, &spec, 0, &mut labels);
        let title_size = self.fit_size(&s.title, 30.0, (w - 2 * GAP) as f64);
        scene.push(self.text(&s.title, (GAP, 44), title_size, style::TEXT, Anchor::Left));
        let size = self.fit_size(&s.subtitle, 18.0, (w - 2 * GAP) as f64);
        scene.push(self.text(&s.subtitle, (GAP, 78), size, style::MUTED, Anchor::Left));
        self.footer(&mut scene, w, h);
        let legend = PixelRect {
            x0: w - LEGEND_W - GAP,
            y0: TITLE_H,
            x1: w - GAP,
            y1: h - FOOT_H,
        };
        self.shaded_legend(&mut scene, legend, s);
        let (png, svg) = scene.to_png_and_svg(self.font)?;
        Ok(Map {
            name: s.name.clone(),
            kind: s.kind,
            title: s.title.clone(),
            png,
            svg,
            width,
            height,
            frames: vec![frame],
            legend,
            labels,
            furniture: furniture.to_vec(),
        })
    }

    fn shaded_legend(&self, scene: &mut Scene, r: PixelRect, s: &Shading) {
        scene.push(Item::Rect {
            a: (r.x0, r.y0),
            b: (r.x1, r.y1),
            fill: Some(Rgba::rgb(0xFC, 0xFC, 0xFA)),
            stroke: Some((Rgba::rgb(0xAA, 0xAA, 0xAA), 1)),
        });
        let x = r.x0 + 16;
        let mut y = r.y0 + 38;
        let text = |scene: &mut Scene, t: &str, at: (i32, i32), size: f64| {
            let size = self.fit_size(t, size, (r.x1 - at.0 - 8) as f64);
            scene.push(self.text(t, at, size, style::TEXT, Anchor::Left));
        };
        text(scene, "图例 Legend", (x, y), 24.0);
        y += 40;
        text(scene, &s.legend_title, (x, y), 19.0);
        y += 10;
        for (fill, words) in &s.legend {
            scene.push(Item::Rect {
                a: (x, y + 6),
                b: (x + 28, y + 24),
                fill: Some(*fill),
                stroke: Some((Rgba::rgb(0x88, 0x88, 0x88), 1)),
            });
            text(scene, words, (x + 40, y + 21), 16.0);
            y += 30;
        }
        y += 16;
        let kc = style::kind_colour(s.kind);
        scene
            .items
            .extend(style::symbol(s.kind, (x + 14, y + 8), 8, kc));
        text(
            scene,
            &format!("{} {}", s.kind.chinese(), style::kind_english(s.kind)),
            (x + 40, y + 14),
            16.0,
        );
    }
}
