//! From lon/lat to pixels: the study's local plane (metres), scaled equally on both axes and
//! centred in a panel, north up.

use geo::Coord;

use crate::crs::LocalPlane;

/// A rectangle in pixels (x0, y0 inclusive; x1, y1 exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelRect {
    pub x0: i32,
    pub y0: i32,
    pub x1: i32,
    pub y1: i32,
}

impl PixelRect {
    pub fn width(&self) -> i32 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> i32 {
        self.y1 - self.y0
    }
    pub fn contains(&self, (x, y): (i32, i32)) -> bool {
        x >= self.x0 && x < self.x1 && y >= self.y0 && y < self.y1
    }
}

/// Bounds on the local plane, metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    pub min: Coord<f64>,
    pub max: Coord<f64>,
}

impl Extent {
    pub fn empty() -> Extent {
        Extent {
            min: Coord {
                x: f64::INFINITY,
                y: f64::INFINITY,
            },
            max: Coord {
                x: f64::NEG_INFINITY,
                y: f64::NEG_INFINITY,
            },
        }
    }

    pub fn add(&mut self, c: Coord<f64>) {
        if c.x.is_finite() && c.y.is_finite() {
            self.min.x = self.min.x.min(c.x);
            self.min.y = self.min.y.min(c.y);
            self.max.x = self.max.x.max(c.x);
            self.max.y = self.max.y.max(c.y);
        }
    }

    pub fn is_empty(&self) -> bool {
        !(self.min.x <= self.max.x && self.min.y <= self.max.y)
    }
}

/// The projection of one map panel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub plane: LocalPlane,
    /// The panel the map is drawn in.
    pub panel: PixelRect,
    /// Pixels per metre, the same on both axes.
    pub px_per_m: f64,
    /// The plane point drawn at the panel's centre.
    centre: Coord<f64>,
}

impl Frame {
    /// A frame showing `extent` (metres on `plane`) as large as fits in `panel`, with a margin
    /// of `margin_px` on each side. An empty or degenerate extent shows 1 km around its point.
    pub fn fit(plane: LocalPlane, extent: Extent, panel: PixelRect, margin_px: f64) -> Frame {
        let (min, max) = if extent.is_empty() {
            (
                Coord {
                    x: -500.0,
                    y: -500.0,
                },
                Coord { x: 500.0, y: 500.0 },
            )
        } else {
            let cx = 0.5 * (extent.min.x + extent.max.x);
            let cy = 0.5 * (extent.min.y + extent.max.y);
            let half_w = (0.5 * (extent.max.x - extent.min.x)).max(50.0);
            let half_h = (0.5 * (extent.max.y - extent.min.y)).max(50.0);
            (
                Coord {
                    x: cx - half_w,
                    y: cy - half_h,
                },
                Coord {
                    x: cx + half_w,
                    y: cy + half_h,
                },
            )
        };
        let w = (panel.width() as f64 - 2.0 * margin_px).max(10.0);
        let h = (panel.height() as f64 - 2.0 * margin_px).max(10.0);
        let px_per_m = (w / (max.x - min.x)).min(h / (max.y - min.y));
        Frame {
            plane,
            panel,
            px_per_m,
            centre: Coord {
                x: 0.5 * (min.x + max.x),
                y: 0.5 * (min.y + max.y),
            },
        }
    }

    /// The pixel of a plane point (metres), as floats.
    pub fn plane_to_px(&self, m: Coord<f64>) -> (f64, f64) {
        let cx = 0.5 * (self.panel.x0 + self.panel.x1) as f64;
        let cy = 0.5 * (self.panel.y0 + self.panel.y1) as f64;
        (
            cx + (m.x - self.centre.x) * self.px_per_m,
            cy - (m.y - self.centre.y) * self.px_per_m,
        )
    }

    /// The pixel of a lon/lat point (WGS-84).
    pub fn pixel(&self, lonlat: Coord<f64>) -> (i32, i32) {
        let (x, y) = self.plane_to_px(self.plane.project(lonlat));
        (clamp_px(x), clamp_px(y))
    }

    /// The lon/lat point at the centre of a pixel.
    pub fn lonlat(&self, (x, y): (i32, i32)) -> Coord<f64> {
        let cx = 0.5 * (self.panel.x0 + self.panel.x1) as f64;
        let cy = 0.5 * (self.panel.y0 + self.panel.y1) as f64;
        let m = Coord {
            x: self.centre.x + (x as f64 - cx) / self.px_per_m,
            y: self.centre.y - (y as f64 - cy) / self.px_per_m,
        };
        self.plane.unproject(m)
    }
}

/// Pixel coordinates far outside any canvas are clamped so the rasteriser never sees huge
/// numbers (a point 1e9 px away draws the same as one 1e5 px away: nowhere).
pub fn clamp_px(v: f64) -> i32 {
    if v.is_nan() {
        return -100_000;
    }
    v.round().clamp(-100_000.0, 100_000.0) as i32
}

/// A scale-bar length in metres: 1, 2 or 5 × 10ⁿ, at most `max_m`.
pub fn nice_length(max_m: f64) -> f64 {
    if !(max_m.is_finite() && max_m > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(max_m.log10().floor());
    for f in [5.0, 2.0, 1.0] {
        if f * p <= max_m {
            return f * p;
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_keeps_equal_scale_and_north_up() {
        let plane = LocalPlane::new(116.0, 29.7);
        let mut e = Extent::empty();
        e.add(Coord {
            x: -2000.0,
            y: -1000.0,
        });
        e.add(Coord {
            x: 2000.0,
            y: 1000.0,
        });
        let panel = PixelRect {
            x0: 0,
            y0: 0,
            x1: 1000,
            y1: 1000,
        };
        let f = Frame::fit(plane, e, panel, 0.0);
        assert!((f.px_per_m - 0.25).abs() < 1e-12);
        let (x0, y0) = f.plane_to_px(Coord {
            x: -2000.0,
            y: 1000.0,
        });
        // 4 km × 2 km at 0.25 px/m is 1000 × 500 px, centred: the top edge is at y = 250.
        assert!((x0 - 0.0).abs() < 1e-9 && (y0 - 250.0).abs() < 1e-9);
        // North is up: a point further north has a smaller y.
        let a = f.pixel(Coord { x: 116.0, y: 29.70 });
        let b = f.pixel(Coord {
            x: 116.0,
            y: 29.701,
        });
        assert!(b.1 < a.1 && a.0 == b.0);
        // 1 km east is 250 px to the right.
        let c = f.plane.unproject(Coord { x: 1000.0, y: 0.0 });
        assert_eq!(
            f.pixel(c).0 - f.pixel(f.plane.unproject(Coord { x: 0.0, y: 0.0 })).0,
            250
        );
        let back = f.lonlat(f.pixel(c));
        assert!((back.x - c.x).abs() < 1e-4 && (back.y - c.y).abs() < 1e-4);
    }

    #[test]
    fn nice_lengths() {
        assert_eq!(nice_length(1234.0), 1000.0);
        assert_eq!(nice_length(2600.0), 2000.0);
        assert_eq!(nice_length(7000.0), 5000.0);
        assert_eq!(nice_length(0.0), 1.0);
        assert_eq!(clamp_px(f64::NAN), -100_000);
        assert_eq!(clamp_px(1e30), 100_000);
    }
}
