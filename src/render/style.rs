//! Colours, line widths and symbols of the maps. Public so tests (and readers of the legend)
//! can check what is drawn where.

use super::scene::{Item, Rgba};
use crate::model::FacilityKind;

/// Covered communities, by elderly class (light → dark = fewer → more elderly people).
pub const COVERED: [Rgba; 3] = [
    Rgba::rgb(0xC7, 0xE9, 0xC0),
    Rgba::rgb(0x74, 0xC4, 0x76),
    Rgba::rgb(0x31, 0xA3, 0x54),
];

/// Communities not covered, by elderly class.
pub const UNCOVERED: [Rgba; 3] = [
    Rgba::rgb(0xFC, 0xBB, 0xA1),
    Rgba::rgb(0xFB, 0x6A, 0x4A),
    Rgba::rgb(0xCB, 0x18, 0x1D),
];

pub const BACKGROUND: Rgba = Rgba::rgb(0xFF, 0xFF, 0xFF);
pub const PANEL: Rgba = Rgba::rgb(0xF6, 0xF5, 0xF0);
pub const DISTRICT: Rgba = Rgba::rgb(0xEA, 0xE8, 0xDF);
pub const BOUNDARY: Rgba = Rgba::rgb(0x44, 0x44, 0x44);
pub const TEXT: Rgba = Rgba::rgb(0x22, 0x22, 0x22);
pub const MUTED: Rgba = Rgba::rgb(0x66, 0x66, 0x66);
pub const HALO: Rgba = Rgba::rgb(0xFF, 0xFF, 0xFF);
pub const NEW_SITE_RING: Rgba = Rgba::rgb(0xFF, 0xD7, 0x00);

/// The colour of a facility kind's symbol (none of them green or red, the coverage colours).
pub fn kind_colour(kind: FacilityKind) -> Rgba {
    match kind {
        FacilityKind::DayCare => Rgba::rgb(0x1F, 0x5F, 0xB4),
        FacilityKind::Canteen => Rgba::rgb(0xF0, 0x8C, 0x00),
        FacilityKind::MealPoint => Rgba::rgb(0x7B, 0x3F, 0xA0),
        FacilityKind::ServiceCenter => Rgba::rgb(0x00, 0x8B, 0x9A),
        FacilityKind::CareHome => Rgba::rgb(0x8C, 0x56, 0x4B),
        FacilityKind::MutualAid => Rgba::rgb(0xD4, 0x3F, 0x8D),
    }
}

/// The English words for a kind in titles and legends.
pub fn kind_english(kind: FacilityKind) -> &'static str {
    match kind {
        FacilityKind::DayCare => "day-care centres",
        FacilityKind::Canteen => "canteens for the elderly",
        FacilityKind::MealPoint => "meal points",
        FacilityKind::ServiceCenter => "street service centres",
        FacilityKind::CareHome => "care homes",
        FacilityKind::MutualAid => "rural mutual-aid points",
    }
}

/// Road classes grouped for drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoadGroup {
    Path,
    Minor,
    Secondary,
    Major,
}

impl RoadGroup {
    pub const ALL: [RoadGroup; 4] = [
        RoadGroup::Major,
        RoadGroup::Secondary,
        RoadGroup::Minor,
        RoadGroup::Path,
    ];

    /// The group of an OpenStreetMap `highway` value (or a class named like one).
    pub fn of(class: &str) -> RoadGroup {
        let c = class.trim().to_ascii_lowercase();
        let c = c.strip_suffix("_link").unwrap_or(&c);
        match c {
            "motorway" | "trunk" | "primary" | "expressway" | "主干路" | "快速路" => {
                RoadGroup::Major
            }
            "secondary" | "tertiary" | "次干路" => RoadGroup::Secondary,
            "footway" | "path" | "pedestrian" | "steps" | "cycleway" | "track" | "bridleway"
            | "corridor" | "步行道" => RoadGroup::Path,
            _ => RoadGroup::Minor,
        }
    }

    pub fn colour(self) -> Rgba {
        match self {
            RoadGroup::Major => Rgba::rgb(0x5A, 0x4A, 0x3F),
            RoadGroup::Secondary => Rgba::rgb(0x77, 0x6F, 0x66),
            RoadGroup::Minor => Rgba::rgb(0x9C, 0x98, 0x92),
            RoadGroup::Path => Rgba::rgb(0xB9, 0xB5, 0xAE),
        }
    }

    /// Line width in pixels; thinner when the map shows a large area (`px_per_m` small).
    pub fn width(self, px_per_m: f64) -> u32 {
        let dense = px_per_m < 0.05;
        match (self, dense) {
            (RoadGroup::Major, false) => 4,
            (RoadGroup::Secondary, false) => 2,
            (RoadGroup::Major, true) => 2,
            _ => 1,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RoadGroup::Major => "主干路 major road",
            RoadGroup::Secondary => "次干路 secondary road",
            RoadGroup::Minor => "支路 minor road",
            RoadGroup::Path => "步行道 footpath",
        }
    }
}

/// The items of a facility symbol centred at `c` with half-size `r` pixels: a filled shape in
/// the kind's colour with a dark outline (circle, square, triangle, diamond, pentagon,
/// inverted triangle).
pub fn symbol(kind: FacilityKind, c: (i32, i32), r: i32, colour: Rgba) -> Vec<Item> {
    let outline = Rgba::rgb(0x20, 0x20, 0x20);
    let poly = |pts: Vec<(f64, f64)>| -> Vec<Item> {
        let pts: Vec<(i32, i32)> = pts
            .into_iter()
            .map(|(x, y)| (c.0 + x.round() as i32, c.1 + y.round() as i32))
            .collect();
        let mut ring = pts.clone();
        ring.push(pts[0]);
        vec![
            Item::Polygon {
                points: pts,
                fill: colour,
            },
            Item::Line {
                points: ring,
                colour: outline,
                width: 1,
            },
        ]
    };
    let r = r.max(2) as f64;
    let regular = |n: usize, rot: f64, rad: f64| -> Vec<(f64, f64)> {
        (0..n)
            .map(|i| {
                let a = rot + std::f64::consts::TAU * i as f64 / n as f64;
                (rad * a.cos(), rad * a.sin())
            })
            .collect()
    };
    use std::f64::consts::FRAC_PI_2;
    match kind {
        FacilityKind::DayCare => vec![
            Item::Circle {
                centre: c,
                radius: r as u32,
                fill: Some(colour),
                stroke: None,
            },
            Item::Circle {
                centre: c,
                radius: r as u32,
                fill: None,
                stroke: Some((outline, 1)),
            },
        ],
        FacilityKind::Canteen => poly(vec![
            (-0.85 * r, -0.85 * r),
            (0.85 * r, -0.85 * r),
            (0.85 * r, 0.85 * r),
            (-0.85 * r, 0.85 * r),
        ]),
        FacilityKind::MealPoint => poly(regular(3, -FRAC_PI_2, 1.2 * r)),
        FacilityKind::ServiceCenter => poly(regular(4, -FRAC_PI_2, 1.15 * r)),
        FacilityKind::CareHome => poly(regular(5, -FRAC_PI_2, 1.1 * r)),
        FacilityKind::MutualAid => poly(regular(3, FRAC_PI_2, 1.2 * r)),
    }
}

/// A five-pointed star (new sites), filled with `colour`, outlined dark.
pub fn star(c: (i32, i32), r: i32, colour: Rgba) -> Vec<Item> {
    let r = r.max(3) as f64;
    let pts: Vec<(i32, i32)> = (0..10)
        .map(|i| {
            let rad = if i % 2 == 0 { r } else { 0.45 * r };
            let a = -std::f64::consts::FRAC_PI_2 + std::f64::consts::PI * i as f64 / 5.0;
            (
                c.0 + (rad * a.cos()).round() as i32,
                c.1 + (rad * a.sin()).round() as i32,
            )
        })
        .collect();
    let mut ring = pts.clone();
    ring.push(pts[0]);
    vec![
        Item::Polygon {
            points: pts,
            fill: colour,
        },
        Item::Line {
            points: ring,
            colour: Rgba::rgb(0x10, 0x10, 0x10),
            width: 2,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn road_groups() {
        assert_eq!(RoadGroup::of("primary_link"), RoadGroup::Major);
        assert_eq!(RoadGroup::of("Tertiary"), RoadGroup::Secondary);
        assert_eq!(RoadGroup::of("footway"), RoadGroup::Path);
        assert_eq!(RoadGroup::of("residential"), RoadGroup::Minor);
        assert_eq!(RoadGroup::of(""), RoadGroup::Minor);
    }

    #[test]
    fn kind_colours_are_distinct_and_not_coverage_colours() {
        let mut all: Vec<Rgba> = FacilityKind::ALL.iter().map(|&k| kind_colour(k)).collect();
        all.extend(COVERED);
        all.extend(UNCOVERED);
        for i in 0..all.len() {
            for j in 0..i {
                assert_ne!(all[i], all[j]);
            }
        }
    }
}
