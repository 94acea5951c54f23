//! The demo's residential parcels (控规居住地块): one or two parcels of new residential land in
//! each new-residential community, each with its planned households, floor area and the
//! elderly-service rooms (养老服务用房) the plan gives it. Every third parcel falls short of the
//! 20 m² per 100 households the Suqian plan asks; the others meet it. The parcels have their own
//! random stream, so they leave every other layer as it was.

use geo::{Contains, Coord, MultiPolygon, Point, Polygon};

use super::district::GenCommunity;
use crate::rng::SplitMix64;

/// A generated parcel (metres on the layout's plane).
#[derive(Debug, Clone)]
pub(crate) struct GenParcel {
    pub id: String,
    pub name: String,
    pub community_code: String,
    pub shape: MultiPolygon<f64>,
    pub households: u64,
    pub floor_area_m2: u64,
    /// Elderly-service rooms, m².
    pub care_room_m2: u64,
}

/// A rectangle centred at `c`.
fn rect(c: Coord<f64>, w: f64, h: f64) -> Polygon<f64> {
    let (x0, x1, y0, y1) = (c.x - w / 2.0, c.x + w / 2.0, c.y - h / 2.0, c.y + h / 2.0);
    Polygon::new(
        vec![
            Coord { x: x0, y: y0 },
            Coord { x: x1, y: y0 },
            Coord { x: x1, y: y1 },
            Coord { x: x0, y: y1 },
            Coord { x: x0, y: y0 },
        ]
        .into(),
        vec![],
    )
}

/// A parcel rectangle wholly inside the community, near its seed; smaller ones when larger do
/// not fit.
fn place(c: &GenCommunity, rng: &mut SplitMix64) -> Option<Polygon<f64>> {
    let inside = |p: &Polygon<f64>| p.exterior().0.iter().all(|&v| c.shape.contains(&Point(v)));
    for size in [140.0, 100.0, 70.0, 45.0] {
        for _ in 0..40 {
            let centre = Coord {
                x: c.seed.x + rng.range(-250.0, 250.0),
                y: c.seed.y + rng.range(-250.0, 250.0),
            };
            let w = size * rng.range(0.8, 1.2);
            let h = size * rng.range(0.8, 1.2);
            let r = rect(centre, w, h);
            if inside(&r) {
                return Some(r);
            }
        }
    }
    None
}

pub(crate) fn generate_parcels(
    communities: &[GenCommunity],
    rng: &mut SplitMix64,
) -> Vec<GenParcel> {
    let mut out: Vec<GenParcel> = Vec::new();
    for c in communities.iter().filter(|c| c.new_residential) {
        let count = if rng.next_f64() < 0.5 { 1 } else { 2 };
        let mut placed: Vec<Polygon<f64>> = Vec::new();
        for j in 0..count {
            let Some(shape) = place(c, rng) else { continue };
            // Parcels of one community do not overlap.
            if placed
                .iter()
                .any(|p| shape.exterior().0.iter().any(|&v| p.contains(&Point(v))))
            {
                continue;
            }
            placed.push(shape.clone());
            let households = (rng.range(150.0, 900.0) / 10.0).round() as u64 * 10;
            let n = out.len();
            // Every third parcel short of 20 m² per 100 households (rounded down, so it stays
            // short), the others at or above it (rounded up).
            let care_room_m2 = if n.is_multiple_of(3) {
                (households as f64 / 100.0 * rng.range(8.0, 19.0)).floor() as u64
            } else {
                (households as f64 / 100.0 * rng.range(20.0, 32.0)).ceil() as u64
            };
            out.push(GenParcel {
                id: format!("XY-{:02}", n + 1),
                name: format!("{}{}号居住地块", c.admin.name, j + 1),
                community_code: c.admin.code.clone(),
                shape: MultiPolygon(vec![shape]),
                households,
                floor_area_m2: (households as f64 * rng.range(90.0, 120.0)).round() as u64,
                care_room_m2,
            });
        }
    }
    out
}
