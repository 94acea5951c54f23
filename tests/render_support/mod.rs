//! A small district in memory for the map and report tests.
//!
//! Metres on the local plane around (116.0 E, 29.7 N); a 3 km street grid at 500 m, walking at
//! 60 m/min, 15 minutes = 900 m.
//!
//! ```text
//!  3000 ┌────┬────┬────┬────┬────┬────┐
//!       │    │ D (850,2200)   │    │ B (2750,2750)  far from everything
//!       │    │    │ C1 canteen (1000,2020)
//!  1500 ├────┼────┼────┼── primary ──┤
//!       │    │    │ C (1750,750) named <script>alert(1)</script>
//!       │ A (250,300)  D1 day-care (500,480)
//!     0 └────┴────┴────┴────┴────┴────┘
//! ```
//! A is covered by D1 (200 + 250 + 20 = 470 m); B, C and D are not covered by a day-care centre.
#![allow(dead_code)]

use std::collections::BTreeMap;

use carecircle::bench_support::scenario;
use carecircle::crs::LocalPlane;
use carecircle::model::{Community, Facility, FacilityKind, Layers, OneWay, RoadLine};
use carecircle::progress::Steps;
use carecircle::study::Study;
use carecircle::Warnings;
use geo::{Coord, Geometry, LineString, Point, Polygon};

pub const SCRIPT_NAME: &str = "<script>alert(1)</script>";

pub fn ll(x: f64, y: f64) -> Coord<f64> {
    LocalPlane::new(116.0, 29.7).unproject(Coord { x, y })
}

fn square(cx: f64, cy: f64, half: f64) -> Geometry<f64> {
    Geometry::Polygon(Polygon::new(
        LineString::from(vec![
            ll(cx - half, cy - half),
            ll(cx + half, cy - half),
            ll(cx + half, cy + half),
            ll(cx - half, cy + half),
            ll(cx - half, cy - half),
        ]),
        vec![],
    ))
}

fn community(id: &str, name: &str, street: &str, c: (f64, f64), elderly: f64) -> Community {
    Community {
        id: id.into(),
        name: name.into(),
        street: street.into(),
        geometry: square(c.0, c.1, 200.0),
        representative: Point(ll(c.0, c.1)),
        population: elderly * 5.0,
        elderly,
        households: None,
        extra: BTreeMap::new(),
    }
}

fn facility(id: &str, name: &str, kind: FacilityKind, at: (f64, f64)) -> Facility {
    Facility {
        id: id.into(),
        name: name.into(),
        kind,
        location: Point(ll(at.0, at.1)),
        capacity: None,
        floor_area_m2: None,
        extra: BTreeMap::new(),
    }
}

/// Community centres: A, B, C, D.
pub const A: (f64, f64) = (250.0, 300.0);
pub const B: (f64, f64) = (2750.0, 2750.0);
pub const C: (f64, f64) = (1750.0, 750.0);
pub const D: (f64, f64) = (850.0, 2200.0);
pub const D1: (f64, f64) = (500.0, 480.0);
pub const C1: (f64, f64) = (1000.0, 2020.0);

/// The district, with community D named `d_name`.
pub fn study(d_name: &str) -> Study {
    let mut roads = Vec::new();
    for i in 0..=6 {
        let v = 500.0 * i as f64;
        let class = if i == 3 { "primary" } else { "residential" };
        roads.push(RoadLine {
            coords: (0..=6).map(|j| ll(500.0 * j as f64, v)).collect(),
            class: class.into(),
            oneway: OneWay::No,
            no_walk: false,
            name: None,
        });
        roads.push(RoadLine {
            coords: (0..=6).map(|j| ll(v, 500.0 * j as f64)).collect(),
            class: "residential".into(),
            oneway: OneWay::No,
            no_walk: false,
            name: None,
        });
    }
    let layers = Layers {
        communities: vec![
            community("A", "东湖社区", "甲街道", A, 100.0),
            community("B", "远郊社区", "甲街道", B, 300.0),
            community("C", SCRIPT_NAME, "<b>乙</b>街道", C, 200.0),
            community("D", d_name, "<b>乙</b>街道", D, 400.0),
        ],
        facilities: vec![
            facility("D1", "东湖日间照料中心", FacilityKind::DayCare, D1),
            facility("C1", "北区老年食堂", FacilityKind::Canteen, C1),
        ],
        population: Vec::new(),
        candidates: Vec::new(),
        roads,
        parcels: Vec::new(),
    };
    Study::from_layers(scenario(), layers, Warnings::default(), &Steps::hidden())
        .expect("the test district loads")
}

/// RGB of a pixel.
pub fn px(rgb: &[u8], width: u32, (x, y): (i32, i32)) -> [u8; 3] {
    let i = (y as usize * width as usize + x as usize) * 3;
    [rgb[i], rgb[i + 1], rgb[i + 2]]
}

/// Text-dark: every channel low (the dark red of a community is not dark in this sense).
pub fn is_dark(p: [u8; 3]) -> bool {
    p.iter().all(|&c| c < 100)
}
