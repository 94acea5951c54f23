//! Generated city-scale inputs for benchmarks and property tests: a jittered street grid with
//! missing links and diagonals, communities and facilities scattered over it. Deterministic for
//! a seed.

use std::collections::BTreeMap;

use geo::{Coord, Geometry, Point};

use crate::crs::LocalPlane;
use crate::model::{Community, Facility, FacilityKind, OneWay, RoadLine};
use crate::rng::SplitMix64;

/// A generated city.
#[derive(Debug, Clone)]
pub struct SyntheticCity {
    pub plane: LocalPlane,
    pub lines: Vec<RoadLine>,
    pub communities: Vec<Community>,
    pub facilities: Vec<Facility>,
    /// Side of the square the city covers, metres.
    pub size_m: f64,
}

/// How to generate a city.
#[derive(Debug, Clone, Copy)]
pub struct CityParams {
    pub seed: u64,
    /// Grid nodes per side.
    pub grid: usize,
    pub spacing_m: f64,
    /// Share of grid links left out (blocks, rivers, dead ends).
    pub missing_share: f64,
    pub communities: usize,
    pub facilities: usize,
}

impl CityParams {
    /// The audit benchmark's city: 520 × 520 nodes at 80 m (41.6 km square), about 518,000
    /// road segments, 5,000 communities, 1,000 facilities.
    pub fn audit_benchmark() -> CityParams {
        CityParams {
            seed: 2025,
            grid: 520,
            spacing_m: 80.0,
            missing_share: 0.04,
            communities: 5_000,
            facilities: 1_000,
        }
    }
}

impl CityParams {
    /// The nearest-facility benchmark's network: 412 × 412 nodes at 90 m with 9.7 % of links
    /// missing, about 170,000 nodes and 310,000 edges; no communities or facilities.
    pub fn nearest_benchmark() -> CityParams {
        CityParams {
            seed: 7,
            grid: 412,
            spacing_m: 90.0,
            missing_share: 0.097,
            communities: 0,
            facilities: 0,
        }
    }
}

/// Generates a city: every grid row and column is drawn as polylines through jittered nodes,
/// broken where a link is missing; one link in 40 gets a diagonal footway across its block.
pub fn city(params: CityParams) -> SyntheticCity {
    let mut rng = SplitMix64::new(params.seed);
    let plane = LocalPlane::new(116.0, 29.7);
    let n = params.grid;
    let s = params.spacing_m;
    let jitter = 0.25 * s;
    let xy: Vec<Coord<f64>> = (0..n * n)
        .map(|k| {
            let (i, j) = (k % n, k / n);
            Coord {
                x: i as f64 * s + rng.range(-jitter, jitter),
                y: j as f64 * s + rng.range(-jitter, jitter),
            }
        })
        .collect();
    let lonlat: Vec<Coord<f64>> = xy.iter().map(|c| plane.unproject(*c)).collect();
    let classes = [
        "residential",
        "residential",
        "residential",
        "tertiary",
        "secondary",
        "primary",
    ];
    let mut lines = Vec::new();
    let emit = |run: &mut Vec<Coord<f64>>, class: &str, lines: &mut Vec<RoadLine>| {
        if run.len() >= 2 {
            lines.push(RoadLine {
                coords: std::mem::take(run),
                class: class.to_string(),
                oneway: OneWay::No,
                no_walk: false,
                name: None,
            });
        }
        run.clear();
    };
    for horizontal in [true, false] {
        for a in 0..n {
            let class = classes[(a * 7 + usize::from(horizontal)) % classes.len()];
            let mut run: Vec<Coord<f64>> = Vec::new();
            for b in 0..n {
                let k = if horizontal { a * n + b } else { b * n + a };
                if run.is_empty() {
                    run.push(lonlat[k]);
                    continue;
                }
                if rng.next_f64() < params.missing_share {
                    emit(&mut run, class, &mut lines);
                }
                run.push(lonlat[k]);
            }
            emit(&mut run, class, &mut lines);
        }
    }
    for k in 0..n * n {
        let (i, j) = (k % n, k / n);
        if i + 1 < n && j + 1 < n && rng.below(40) == 0 {
            lines.push(RoadLine {
                coords: vec![lonlat[k], lonlat[k + n + 1]],
                class: "footway".into(),
                oneway: OneWay::No,
                no_walk: false,
                name: None,
            });
        }
    }
    let size = (n - 1) as f64 * s;
    let communities = (0..params.communities)
        .map(|c| {
            let p = Coord {
                x: rng.range(0.0, size),
                y: rng.range(0.0, size),
            };
            let population = rng.range(800.0, 6000.0).round();
            let elderly = (population * rng.range(0.12, 0.3)).round();
            Community {
                id: format!("C{c:05}"),
                name: format!("社区{c}"),
                street: format!(
                    "街道{:02}",
                    (p.x / size * 6.0).floor() as usize * 6 + (p.y / size * 6.0).floor() as usize
                ),
                geometry: Geometry::Point(Point(plane.unproject(p))),
                representative: Point(plane.unproject(p)),
                population,
                elderly,
                households: Some((population / 2.6).round()),
                extra: BTreeMap::new(),
            }
        })
        .collect();
    let kinds = [FacilityKind::DayCare, FacilityKind::Canteen];
    let facilities = (0..params.facilities)
        .map(|f| {
            let p = Coord {
                x: rng.range(0.0, size),
                y: rng.range(0.0, size),
            };
            Facility {
                id: format!("F{f:05}"),
                name: format!("设施{f}"),
                kind: kinds[f % kinds.len()],
                location: Point(plane.unproject(p)),
                capacity: Some(rng.range(20.0, 120.0).round()),
                floor_area_m2: Some(rng.range(300.0, 900.0).round()),
                extra: BTreeMap::new(),
            }
        })
        .collect();
    SyntheticCity {
        plane,
        lines,
        communities,
        facilities,
        size_m: size,
    }
}

/// Random points over a city's square, WGS-84.
pub fn random_points(city: &SyntheticCity, seed: u64, count: usize) -> Vec<Point<f64>> {
    let mut rng = SplitMix64::new(seed);
    (0..count)
        .map(|_| {
            Point(city.plane.unproject(Coord {
                x: rng.range(0.0, city.size_m),
                y: rng.range(0.0, city.size_m),
            }))
        })
        .collect()
}
