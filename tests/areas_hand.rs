//! Service areas on a hand-built network, checked against the hand drawing.
//!
//! Metres on the local plane around (116.0 E, 29.7 N); walking at 60 m/min, so 5 / 10 / 15
//! minutes are 300 / 600 / 900 m. Allowance 50 m.
//!
//! ```text
//!                 K (600,800)
//!                 │
//!                 │  cut at (600,600) in 15 min
//!                 │
//!                 D (600,300)────G (900,300)
//!                 │   block      │            the block is a hole: 200 × 200 m
//!                 │  c2 (750,150)│
//!  A (0,0)──F (300,0)──B (600,0)──H (900,0)────────C (1260,0)
//!   dead end       c1 (300,30)        canteen K1 (1100,40)   c3 (1270,0)
//! ```
//!
//! Day-care centre F stands on the street (no access leg). By hand, from F:
//! A 300 m (5 min, dead end), B 300 m (5 min), D and H 600 m (10 min), G 900 m (15 min),
//! C 960 m (16 min: outside), K 1,100 m. In 15 minutes the street toward C is cut at
//! (1200,0) and B–K at (600,600); the loop B–D–G–H is walked all round, so its block is a hole.

mod common;

use carecircle::areas::{service_areas, to_wgs84, AreaOptions, DistrictBasis};
use carecircle::model::FacilityKind;
use carecircle::study::Study;
use common::*;
use geo::{Area, Contains, Intersects, MultiPolygon, Point, Validation};
use serde_json::{json, Value};

const LATERAL: f64 = 50.0;
const CAP: f64 = std::f64::consts::PI * LATERAL * LATERAL;

fn road(points: &[(f64, f64)]) -> Value {
    let coords: Vec<[f64; 2]> = points.iter().map(|&(x, y)| ll(x, y)).collect();
    feature(
        json!({"type": "LineString", "coordinates": coords}),
        json!({"highway": "residential"}),
    )
}

fn community(id: &str, x: f64, y: f64, elderly: f64) -> Value {
    feature(
        point(x, y),
        json!({"编码": id, "名称": id, "街道": "甲街道", "常住人口": 10.0 * elderly, "老年人口": elderly}),
    )
}

fn district() -> (tempfile::TempDir, std::path::PathBuf) {
    let roads = vec![
        road(&[
            (0.0, 0.0),
            (300.0, 0.0),
            (600.0, 0.0),
            (900.0, 0.0),
            (1260.0, 0.0),
        ]),
        road(&[(600.0, 0.0), (600.0, 300.0), (600.0, 800.0)]),
        road(&[(600.0, 300.0), (900.0, 300.0), (900.0, 0.0)]),
    ];
    let communities = vec![
        community("c1", 300.0, 30.0, 100.0),
        community("c2", 750.0, 150.0, 50.0),
        community("c3", 1270.0, 0.0, 70.0),
        community("c4", 600.0, 580.0, 30.0),
    ];
    let facilities = vec![
        feature(
            point(300.0, 0.0),
            json!({"id": "F", "名称": "甲日间照料中心", "类型": "日间照料中心"}),
        ),
        feature(
            point(1100.0, 40.0),
            json!({"id": "K1", "名称": "乙老年食堂", "类型": "老年食堂"}),
        ),
    ];
    write_district(&communities, &facilities, &roads, SCENARIO)
}

/// The polygon of a facility (by id) and band, in the drawing's coordinates. (The graph's
/// plane is centred on the roads, 400 m north of the drawing's origin; its x scale differs by
/// 4e-5, so figures the library reports in its plane are compared with a 1e-4 tolerance.)
fn polygon(
    study: &Study,
    areas: &carecircle::areas::ServiceAreas,
    id: &str,
    minutes: f64,
) -> MultiPolygon {
    use geo::MapCoords;
    let i = study
        .layers
        .facilities
        .iter()
        .position(|f| f.id == id)
        .unwrap();
    let drawing = carecircle::crs::LocalPlane::new(116.0, 29.7);
    areas
        .facility(i, minutes)
        .unwrap()
        .polygon
        .map_coords(|c| drawing.project(study.graph.plane.unproject(c)))
}

fn inside(p: &MultiPolygon, x: f64, y: f64) -> bool {
    p.contains(&Point::new(x, y))
}

#[test]
fn fifteen_minutes_from_a_dead_end_street_is_the_hand_drawing() {
    let (_dir, scenario) = district();
    let study = Study::load(&scenario).unwrap();
    let areas = service_areas(&study, &AreaOptions::default(), &|| {}).unwrap();
    let p15 = polygon(&study, &areas, "F", 15.0);
    let at = |x: f64, y: f64| inside(&p15, x, y);

    // Every reached node and both cut points are inside.
    for (x, y) in [
        (0.0, 0.0),
        (600.0, 0.0),
        (600.0, 300.0),
        (900.0, 300.0),
        (900.0, 0.0),
    ] {
        assert!(at(x, y), "reached node ({x}, {y})");
    }
    assert!(at(1200.0, 0.0) && at(600.0, 600.0), "cut points");
    // C is reached only in 16 minutes; 60 m past the cut, outside the 50 m allowance.
    assert!(!at(1260.0, 0.0));
    assert!(!at(600.0, 800.0));
    // The cut is exact: the round cap ends 50 m past (1200,0) and (600,600).
    assert!(at(1245.0, 0.0) && !at(1252.0, 0.0));
    assert!(at(600.0, 645.0) && !at(600.0, 652.0));
    // The dead end A gets a round cap, the street is 100 m wide.
    assert!(at(-45.0, 0.0) && !at(-52.0, 0.0));
    assert!(at(150.0, 48.0) && !at(150.0, 52.0) && !at(150.0, -52.0));
    // The block inside the loop is a hole: 200 × 200 m.
    assert!(!at(750.0, 150.0));
    assert_eq!(p15.0.len(), 1);
    let holes = p15.0[0].interiors();
    assert_eq!(holes.len(), 1);
    let hole = geo::Polygon::new(holes[0].clone(), vec![]).unsigned_area();
    assert!((hole - 40_000.0).abs() < 1.0, "hole {hole}");

    // By hand (exact circles): street 1200 × 100 + two half caps, B–K 550 × 100 + a half cap,
    // D–G 250 × 100, H–G 200 × 100 + 50 × 50, a quarter cap at G:
    let exact = 120_000.0 + CAP + 55_000.0 + CAP / 2.0 + 25_000.0 + 22_500.0 + CAP / 4.0;
    // Caps are 32-gons with vertices on the circle: 1 - sin(2π/32)·16/π = 0.64 % short.
    let drawn = exact
        - 1.75
            * CAP
            * (1.0 - 16.0 * (2.0 * std::f64::consts::PI / 32.0).sin() / std::f64::consts::PI);
    let got = p15.unsigned_area();
    assert!(
        (got - drawn).abs() < 5.0,
        "area {got} m², by hand {drawn} m²"
    );
    let a = areas.facility(0, 15.0).unwrap();
    assert!((a.area_km2 / (got / 1e6) - 1.0).abs() < 1e-4);
    // The straight-line circle of 900 m: 2.545 km²; the network area is 9.3 % of it.
    assert!((a.circle_km2 - std::f64::consts::PI * 0.81).abs() < 1e-9);
    assert!((a.ratio() - a.area_km2 / (std::f64::consts::PI * 0.81)).abs() < 1e-12);
    assert!((a.ratio() - 0.0928).abs() < 0.001, "ratio {}", a.ratio());
}

#[test]
fn bands_are_nested_and_count_the_people_inside() {
    let (_dir, scenario) = district();
    let study = Study::load(&scenario).unwrap();
    let areas = service_areas(&study, &AreaOptions::default(), &|| {}).unwrap();
    let p5 = polygon(&study, &areas, "F", 5.0);
    let p10 = polygon(&study, &areas, "F", 10.0);
    // 5 minutes: A and B exactly at the limit, the street 0..600 m: a stadium.
    let stadium = 600.0 * 100.0 + CAP;
    assert!(
        (p5.unsigned_area() - stadium).abs() < 60.0,
        "{}",
        p5.unsigned_area()
    );
    assert!(inside(&p5, 600.0, 0.0) && !inside(&p5, 660.0, 0.0));
    // 10 minutes: the street to H (900,0) and up to D (600,300), no loop yet.
    assert!(inside(&p10, 900.0, 40.0) && !inside(&p10, 900.0, 60.0));
    assert!(inside(&p10, 600.0, 340.0) && !inside(&p10, 600.0, 355.0));
    assert!(p10.0[0].interiors().is_empty());

    // Elderly inside: c1 in every band; c2 sits in the hole; c3 is past the cut; c4 (600,580)
    // only in 15 minutes.
    let el: Vec<f64> = [5.0, 10.0, 15.0]
        .iter()
        .map(|&m| areas.facility(0, m).unwrap().elderly)
        .collect();
    assert_eq!(el, vec![100.0, 100.0, 130.0]);
    assert_eq!(areas.facility(0, 15.0).unwrap().population, 1300.0);

    // Day care has one facility: its dissolved area is its polygon.
    let k = areas.kind(FacilityKind::DayCare, 15.0).unwrap();
    assert_eq!(k.facilities, 1);
    assert!((k.area_km2 - areas.facility(0, 15.0).unwrap().area_km2).abs() < 1e-9);
    assert_eq!(k.elderly, 130.0);
    assert!((k.elderly_share - 130.0 / 250.0).abs() < 1e-12);
    // Communities are points, so the district is the hull of the roads: the triangle
    // A (0,0), C (1260,0), K (600,800) = 504,000 m².
    assert_eq!(areas.district_basis, DistrictBasis::RoadHull);
    assert!((areas.district_area_km2 / 0.504 - 1.0).abs() < 1e-4);
    assert!(k.district_area_km2 < k.area_km2 && k.district_area_share > 0.3);
    assert!((k.district_area_share - k.district_area_km2 / areas.district_area_km2).abs() < 1e-12);
}

#[test]
fn access_leg_and_walk_both_ways_along_the_facility_edge() {
    let (_dir, scenario) = district();
    let study = Study::load(&scenario).unwrap();
    let areas = service_areas(&study, &AreaOptions::default(), &|| {}).unwrap();
    // Canteen K1 (1100,40): 40 m access leg; C (1260,0) in 200 m, H (900,0) in 240 m,
    // B 540 m, D and G 840 m; in 15 minutes (900 m) A is missed: the street is cut at x = 240.
    let p = polygon(&study, &areas, "K1", 15.0);
    let at = |x: f64, y: f64| inside(&p, x, y);
    assert!(at(1100.0, 40.0) && at(1100.0, 85.0) && !at(1100.0, 95.0));
    assert!(at(1260.0, 0.0) && at(1305.0, 0.0) && !at(1312.0, 0.0));
    assert!(at(240.0, 0.0) && at(195.0, 0.0) && !at(188.0, 0.0));
    // D at 840 m: 60 m up toward K.
    assert!(at(600.0, 405.0) && !at(600.0, 412.0));
    // 5 minutes: 260 m each way after the 40 m leg; toward H the street is cut at x = 840.
    let p5 = polygon(&study, &areas, "K1", 5.0);
    let at5 = |x: f64, y: f64| inside(&p5, x, y);
    for (x, want) in [(1260.0, true), (900.0, true), (795.0, true), (785.0, false)] {
        assert_eq!(at5(x, 0.0), want, "5 minutes, x = {x}");
    }
}

#[test]
fn polygons_are_valid_wgs84_with_the_right_hand_rule() {
    let (_dir, scenario) = district();
    let study = Study::load(&scenario).unwrap();
    let areas = service_areas(&study, &AreaOptions::default(), &|| {}).unwrap();
    for a in &areas.facilities {
        let g = to_wgs84(&study.graph, &a.polygon);
        assert!(g.is_valid(), "{:?}", g.validation_errors());
        let c = g.0[0].exterior().0[0];
        assert!((115.9..116.1).contains(&c.x) && (29.6..29.8).contains(&c.y));
        // The facility itself lies inside its area.
        let f = &study.layers.facilities[a.facility];
        assert!(g.intersects(&f.location));
    }
}

#[test]
fn the_areas_command_writes_service_areas_and_the_report_section() {
    let (dir, scenario) = district();
    let out = dir.path().join("out");
    // Through the library: the shared build folder's binary may belong to another branch.
    let run = |out: &std::path::Path| {
        carecircle::commands::run_areas(&scenario, out, Some(&[15.0, 5.0])).unwrap();
    };
    run(&out);
    let text = std::fs::read_to_string(out.join("service_areas.geojson")).unwrap();
    let fc: Value = serde_json::from_str(&text).unwrap();
    let features = fc["features"].as_array().unwrap();
    // 2 facilities × 2 bands, then 2 kinds × 2 bands dissolved.
    assert_eq!(features.len(), 8);
    let f = &features[1];
    assert_eq!(f["properties"]["facility_id"], "F");
    assert_eq!(f["properties"]["kind"], "day_care");
    assert_eq!(f["properties"]["minutes"], 15.0);
    assert_eq!(f["properties"]["elderly"], 130.0);
    assert_eq!(f["properties"]["circle_km2"], 2.5447);
    assert_eq!(f["geometry"]["type"], "MultiPolygon");
    let gj: geojson::Geometry = serde_json::from_value(f["geometry"].clone()).unwrap();
    let g: geo::Geometry = gj.try_into().unwrap();
    let geo::Geometry::MultiPolygon(mp) = g else {
        panic!("not a MultiPolygon")
    };
    assert!(mp.is_valid());
    // RFC 7946: exterior counter-clockwise, holes clockwise.
    use geo::Winding;
    assert!(mp.0[0].exterior().is_ccw());
    assert_eq!(mp.0[0].interiors().len(), 1);
    assert!(mp.0[0].interiors()[0].is_cw());
    assert_eq!(features[4]["properties"]["dissolved"], true);
    assert_eq!(features[4]["properties"]["kind"], "day_care");
    assert_eq!(features[4]["properties"]["minutes"], 5.0);

    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let s = &summary["service_areas"];
    assert_eq!(s["bands_min"], json!([5.0, 15.0]));
    assert_eq!(s["lateral_m"], 50.0);
    assert_eq!(s["district_area_km2"], 0.504);
    assert_eq!(s["kinds"]["day_care"][1]["elderly_inside"], 130.0);
    assert_eq!(s["kinds"]["day_care"][1]["elderly_inside_share"], 0.52);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    // The report's section, in the catalogue's words (the hand district's report is Chinese):
    // day care's 15-minute band, 1 facility, 130 elderly inside (52 %).
    assert!(md.contains("\n## 服务范围\n"), "{md}");
    assert!(md.contains("| 日间照料中心 | 15 | 1 |"), "{md}");
    assert!(md.contains("| 130 | 52.0 % |"), "{md}");

    // Byte-identical on a second run.
    let again = dir.path().join("again");
    run(&again);
    for name in ["service_areas.geojson", "summary.json", "report.md"] {
        assert_eq!(
            std::fs::read(out.join(name)).unwrap(),
            std::fs::read(again.join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn scenario_areas_table_is_read_and_checked() {
    let (_dir, scenario) = district();
    let text = std::fs::read_to_string(&scenario).unwrap();
    let with = |extra: &str| {
        std::fs::write(&scenario, format!("{text}\n[areas]\n{extra}\n")).unwrap();
        carecircle::io::scenario::Scenario::load(&scenario)
            .map_err(|e| e.to_string())
            .and_then(|s| AreaOptions::from_scenario(&s).map_err(|e| e.to_string()))
    };
    let o = with("lateral_m = 30\nbands = [15, 10.5, 10.5]").unwrap();
    assert_eq!(o.lateral_m, 30.0);
    assert_eq!(o.bands, vec![10.5, 15.0]);
    let o = with("").unwrap();
    assert_eq!(o, AreaOptions::default());
    assert!(with("lateral_m = -1").unwrap_err().contains("lateral_m"));
    assert!(with("bands = []").unwrap_err().contains("at least one"));
    assert!(with("bands = [5, \"x\"]")
        .unwrap_err()
        .contains("[areas] bands = [5, \"x\"]: invalid type: string \"x\", expected a number"));
    assert!(with("buffer = 3")
        .unwrap_err()
        .contains("[areas] buffer is not a known key (line"));
}
