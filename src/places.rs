//! Names for a point of the district a planner can find on the ground: the nearest community
//! and the nearest named street. Proposed sites are named this way instead of by the id of the
//! road node they sit on.

use geo::{Coord, Point};
use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;

use crate::model::Layers;

/// A street counts as "at" a point within this distance (metres). Farther, the site is named by
/// its community alone: a street 400 m away is not where a planner would look.
pub const STREET_WITHIN_M: f64 = 150.0;

/// Metres per degree of latitude on the sphere used for local distances.
const M_PER_DEG: f64 = 111_320.0;

/// The nearest community and street of a point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Index into `layers.communities`, `None` when the layer is empty.
    pub community: Option<usize>,
    /// The nearest named street within [`STREET_WITHIN_M`].
    pub street: Option<String>,
}

type NamedSegment = GeomWithData<Line<[f64; 2]>, u32>;

/// Named street segments and community points on a local plane (equirectangular at the
/// district's mean latitude, < 0.1 % scale error within ±20 km), built once, asked many times.
pub struct Places {
    coslat: f64,
    communities: Vec<[f64; 2]>,
    segments: RTree<NamedSegment>,
    names: Vec<String>,
}

impl Places {
    pub fn new(layers: &Layers) -> Places {
        let lats: Vec<f64> = layers
            .communities
            .iter()
            .map(|c| c.representative.y())
            .collect();
        let mean_lat = if lats.is_empty() {
            0.0
        } else {
            lats.iter().sum::<f64>() / lats.len() as f64
        };
        let coslat = mean_lat.to_radians().cos();
        let local = |c: Coord<f64>| [c.x * coslat * M_PER_DEG, c.y * M_PER_DEG];
        let communities = layers
            .communities
            .iter()
            .map(|c| local(c.representative.0))
            .collect();
        // One name index per distinct name, in order of first appearance (deterministic).
        let mut names: Vec<String> = Vec::new();
        let mut index = std::collections::HashMap::new();
        let mut segments = Vec::new();
        for road in &layers.roads {
            let Some(name) = &road.name else { continue };
            let id = *index.entry(name.clone()).or_insert_with(|| {
                names.push(name.clone());
                names.len() as u32 - 1
            });
            for w in road.coords.windows(2) {
                segments.push(GeomWithData::new(Line::new(local(w[0]), local(w[1])), id));
            }
        }
        Places {
            coslat,
            communities,
            segments: RTree::bulk_load(segments),
            names,
        }
    }

    /// The nearest community (ties to the lower index) and named street of `p` (lon/lat).
    pub fn at(&self, p: Point<f64>) -> Place {
        let q = [p.x() * self.coslat * M_PER_DEG, p.y() * M_PER_DEG];
        let d2 = |c: &[f64; 2]| (c[0] - q[0]).powi(2) + (c[1] - q[1]).powi(2);
        let community = (0..self.communities.len())
            .min_by(|&a, &b| d2(&self.communities[a]).total_cmp(&d2(&self.communities[b])));
        // Nearest segment; among segments at the same distance (a crossing), the name that
        // comes first, so the answer does not depend on the tree's layout.
        let within = STREET_WITHIN_M * STREET_WITHIN_M;
        let mut best: Option<(f64, u32)> = None;
        for seg in self.segments.nearest_neighbor_iter_with_distance_2(&q) {
            let (s, d) = seg;
            if d > within || best.is_some_and(|(bd, _)| d > bd + 1e-6) {
                break;
            }
            let id = s.data;
            best = match best {
                Some((bd, bid)) if self.names[bid as usize] <= self.names[id as usize] => {
                    Some((bd, bid))
                }
                _ => Some((d, id)),
            };
        }
        Place {
            community,
            street: best.map(|(_, id)| self.names[id as usize].clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OneWay, RoadLine};

    fn road(name: Option<&str>, pts: &[(f64, f64)]) -> RoadLine {
        RoadLine {
            coords: pts.iter().map(|&(x, y)| Coord { x, y }).collect(),
            class: "residential".into(),
            oneway: OneWay::No,
            no_walk: false,
            name: name.map(str::to_string),
        }
    }

    #[test]
    fn names_the_nearest_named_street_within_reach() {
        // At the equator 0.001° is 111.32 m. A named street 55.7 m north, an unnamed one
        // 11 m south, and a second named street 222.6 m east (beyond 150 m).
        let layers = Layers {
            roads: vec![
                road(Some("纬3路"), &[(-0.01, 0.0005), (0.01, 0.0005)]),
                road(None, &[(-0.01, -0.0001), (0.01, -0.0001)]),
                road(Some("经7路"), &[(0.002, -0.01), (0.002, 0.01)]),
            ],
            ..Layers::default()
        };
        let places = Places::new(&layers);
        let at = places.at(Point::new(0.0, 0.0));
        assert_eq!(at.street.as_deref(), Some("纬3路"));
        assert_eq!(at.community, None);
        // 0.0016° = 178 m from 纬3路 (too far), 0.0004° = 44.5 m from 经7路.
        let at = places.at(Point::new(0.0016, 0.0021));
        assert_eq!(at.street.as_deref(), Some("经7路"));
        // Nothing named within 150 m.
        let at = places.at(Point::new(-0.005, -0.0025));
        assert_eq!(at.street, None);
    }

    #[test]
    fn a_crossing_is_named_by_the_first_name() {
        let layers = Layers {
            roads: vec![
                road(Some("经2路"), &[(0.0, -0.01), (0.0, 0.01)]),
                road(Some("纬1路"), &[(-0.01, 0.0), (0.01, 0.0)]),
            ],
            ..Layers::default()
        };
        let at = Places::new(&layers).at(Point::new(0.0, 0.0));
        // Both at distance 0: the name first in code-point order wins (纬 U+7EAC before
        // 经 U+7ECF), whatever the order of the layer.
        assert_eq!(at.street.as_deref(), Some("纬1路"));
    }
}
