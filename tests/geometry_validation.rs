//! Geometry that is never silently wrong, and plausibility across the layers (issue 14).
//!
//! Each test is named after the defect it guards; each failed on main before the fix.

mod common;

use carecircle::io::validate::{check_polygons, polygonal, Defect};
use carecircle::study::Study;
use carecircle::{Error, Problem, WarningKind, Warnings};
use common::*;
use geo::{Area, Coord, LineString, MultiPolygon, Polygon};
use serde_json::{json, Value};

fn load_communities_with(i: usize, geometry: Value) -> Result<Study, Error> {
    let mut cs = communities();
    cs[i]["geometry"] = geometry;
    let (dir, scenario) = write_district(&cs, &facilities(), &roads(), SCENARIO);
    let r = Study::load(&scenario);
    drop(dir);
    r
}

fn ring(points: &[(f64, f64)]) -> Vec<[f64; 2]> {
    points.iter().map(|&(x, y)| ll(x, y)).collect()
}

fn problem(r: Result<Study, Error>) -> Problem {
    match r {
        Err(Error::Input(e)) => {
            // Names the file and the feature.
            let text = e.to_string();
            assert!(text.contains("communities.geojson"), "{text}");
            assert!(text.contains("feature #1 (id c2)"), "{text}");
            e.problem
        }
        Err(other) => panic!("expected an input error, got {other}"),
        Ok(_) => panic!("expected an error"),
    }
}

const SHELL: [(f64, f64); 5] = [
    (1400.0, 100.0),
    (1600.0, 100.0),
    (1600.0, 300.0),
    (1400.0, 300.0),
    (1400.0, 100.0),
];

#[test]
fn a_hole_that_encloses_its_shell_is_refused_not_inverted() {
    // On main this was "repaired" into the inverted ring: 24.5× the area, c2 itself excluded.
    let big_hole = [
        (1000.0, -300.0),
        (2000.0, -300.0),
        (2000.0, 700.0),
        (1000.0, 700.0),
        (1000.0, -300.0),
    ];
    let g = json!({"type": "Polygon", "coordinates": [ring(&SHELL), ring(&big_hole)]});
    let p = problem(load_communities_with(1, g));
    let text = p.to_string();
    assert!(
        text.contains("hole 1 of part 0 encloses its outer ring"),
        "{text}"
    );
}

#[test]
fn a_hole_outside_its_shell_is_refused() {
    let away = [
        (2000.0, 100.0),
        (2100.0, 100.0),
        (2100.0, 200.0),
        (2000.0, 200.0),
        (2000.0, 100.0),
    ];
    let g = json!({"type": "Polygon", "coordinates": [ring(&SHELL), ring(&away)]});
    let text = problem(load_communities_with(1, g)).to_string();
    assert!(text.contains("lies outside its outer ring"), "{text}");
}

#[test]
fn an_unclosed_ring_is_an_error() {
    let g = json!({"type": "Polygon", "coordinates": [ring(&SHELL[..4])]});
    let text = problem(load_communities_with(1, g)).to_string();
    assert!(text.contains("not closed"), "{text}");
}

#[test]
fn a_ring_of_three_positions_is_an_error() {
    let three = [(1400.0, 100.0), (1600.0, 100.0), (1400.0, 100.0)];
    let g = json!({"type": "Polygon", "coordinates": [ring(&three)]});
    let text = problem(load_communities_with(1, g)).to_string();
    assert!(text.contains("with 3 positions"), "{text}");
    // A closed triangle written without its closing position is 3 positions too.
    let open_triangle = [(1400.0, 100.0), (1600.0, 100.0), (1500.0, 300.0)];
    let g = json!({"type": "MultiPolygon", "coordinates": [[ring(&open_triangle)]]});
    let text = problem(load_communities_with(1, g)).to_string();
    assert!(text.contains("the outer ring with 3 positions"), "{text}");
}

#[test]
fn a_multipolygon_with_two_identical_parts_is_deduplicated_with_a_warning() {
    let g = json!({"type": "MultiPolygon", "coordinates": [[ring(&SHELL)], [ring(&SHELL)]]});
    let study = load_communities_with(1, g).expect("repaired, not refused");
    assert_eq!(study.warnings.count(WarningKind::RepairedPolygon), 1);
    match &study.layers.communities[1].geometry {
        geo::Geometry::MultiPolygon(mp) => assert_eq!(mp.0.len(), 1),
        other => panic!("{other:?}"),
    }
    // The same part written from another vertex and the other way round is the same part.
    let mut turned: Vec<(f64, f64)> = SHELL[1..].to_vec();
    turned.push(SHELL[1]);
    turned.reverse();
    let g = json!({"type": "MultiPolygon", "coordinates": [[ring(&SHELL)], [ring(&turned)]]});
    let study = load_communities_with(1, g).expect("repaired, not refused");
    assert_eq!(study.warnings.count(WarningKind::RepairedPolygon), 1);
}

#[test]
fn overlapping_parts_are_repaired_into_their_union() {
    let shifted: Vec<(f64, f64)> = SHELL.iter().map(|&(x, y)| (x + 100.0, y)).collect();
    let g = json!({"type": "MultiPolygon", "coordinates": [[ring(&SHELL)], [ring(&shifted)]]});
    let study = load_communities_with(1, g).unwrap();
    assert_eq!(study.warnings.count(WarningKind::RepairedPolygon), 1);
    let plane = carecircle::crs::LocalPlane::new(116.0, 29.7);
    let area = match &study.layers.communities[1].geometry {
        geo::Geometry::MultiPolygon(mp) => {
            use geo::MapCoords;
            assert_eq!(mp.0.len(), 1, "one part after the union");
            mp.map_coords(|c| plane.project(c)).unsigned_area()
        }
        other => panic!("{other:?}"),
    };
    // 300 × 200 m.
    assert!((area - 60_000.0).abs() < 1.0, "{area}");
}

#[test]
fn a_hole_touching_its_shell_at_a_point_is_valid_and_kept() {
    // OGC allows it; the fast check sees a touch and asks the exact one.
    let hole = [
        (1400.0, 100.0),
        (1450.0, 150.0),
        (1500.0, 120.0),
        (1400.0, 100.0),
    ];
    let g = json!({"type": "Polygon", "coordinates": [ring(&SHELL), ring(&hole)]});
    let study = load_communities_with(1, g).unwrap();
    assert_eq!(study.warnings.count(WarningKind::RepairedPolygon), 0);
}

/// A digitised boundary of `n` vertices around (0, 0) on the plane: a wavy circle (200 waves
/// of ±2 % of the radius, and ±1 mm of noise per vertex), simple and valid.
fn star(n: usize, r: f64) -> Vec<Coord<f64>> {
    let mut v: Vec<Coord<f64>> = (0..n)
        .map(|i| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            let noise = ((i * 7919) % 13) as f64 / 13.0 - 0.5;
            let rr = r * (1.0 + 0.02 * (200.0 * a).sin()) + 0.002 * noise;
            Coord {
                x: rr * a.cos(),
                y: rr * a.sin(),
            }
        })
        .collect();
    v.push(v[0]);
    v
}

#[test]
fn polygon_validation_is_near_linear_in_vertices() {
    // On main, geo's Validation took 71 s for 100k vertices and over 300 s for 1M; the sweep
    // takes well under a second for 1M in a release build (benches/areas.rs, `validate`).
    // Here: it accepts a valid 200k-vertex boundary without the slow check (no warning, kept
    // as is) and finds the one crossing in a broken one.
    let n = 200_000;
    let valid = MultiPolygon::new(vec![Polygon::new(LineString::new(star(n, 1000.0)), vec![])]);
    assert_eq!(check_polygons(&valid), Ok(()));
    let mut w = Warnings::default();
    match polygonal(valid.clone(), true, "star", &mut w) {
        Ok(geo::Geometry::Polygon(p)) => assert_eq!(p, valid.0[0]),
        other => panic!("{other:?}"),
    }
    assert!(w.items.is_empty());
    let mut broken = star(n, 1000.0);
    // Pull one vertex across the ring: its two segments cross the far side.
    broken[n / 2] = Coord { x: 1100.0, y: 0.0 };
    let broken = MultiPolygon::new(vec![Polygon::new(LineString::new(broken), vec![])]);
    assert!(matches!(check_polygons(&broken), Err(Defect::Crossing(_))));
}

#[test]
fn implausible_population_is_an_error_not_null_totals() {
    // 1e308 people made the totals overflow to `null` in summary.json with exit 0.
    let mut cs = communities();
    cs[1]["properties"]["常住人口"] = json!(1e308);
    let (_dir, scenario) = write_district(&cs, &facilities(), &roads(), SCENARIO);
    match Study::load(&scenario) {
        Err(Error::Input(e)) => {
            let text = e.to_string();
            assert!(text.contains("communities.geojson"), "{text}");
            assert!(text.contains("more than the people on Earth"), "{text}");
        }
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("1e308 people must be refused"),
    }
}

#[test]
fn elderly_above_population_is_warned() {
    let mut cs = communities();
    cs[1]["properties"]["老年人口"] = json!(2500);
    let (_dir, scenario) = write_district(&cs, &facilities(), &roads(), SCENARIO);
    let study = Study::load(&scenario).unwrap();
    let w: Vec<&str> = study
        .warnings
        .items
        .iter()
        .map(|w| w.message.as_str())
        .collect();
    assert!(
        w.iter()
            .any(|m| m.contains("more elderly people than people") && m.contains("c2")),
        "{w:?}"
    );
}

#[test]
fn a_facility_far_outside_the_other_layers_is_warned() {
    // 18,000 km away passed silently: here (lon, lat) swapped puts it in the Antarctic sea.
    let mut fs = facilities();
    let [x, y] = ll(500.0, 20.0);
    fs[0]["geometry"]["coordinates"] = json!([y, -x / 2.0]);
    let (_dir, scenario) = write_district(&communities(), &fs, &roads(), SCENARIO);
    let study = Study::load(&scenario).unwrap();
    let far = study
        .warnings
        .items
        .iter()
        .find(|w| w.message.contains("outside the road network's extent"))
        .expect("a warning");
    assert!(
        far.message.contains("facilities.geojson"),
        "{}",
        far.message
    );
    assert!(far.message.contains("D1"), "{}", far.message);
    // The hand district itself has nothing far away.
    let (_dir, scenario) = hand_district();
    let study = Study::load(&scenario).unwrap();
    assert!(!study
        .warnings
        .items
        .iter()
        .any(|w| w.message.contains("outside the road network's extent")));
}

#[test]
fn an_empty_travel_matrix_is_an_error() {
    // An empty --matrix sited as if nothing reached anything, with exit 0.
    let dir = tempfile::tempdir().unwrap();
    let ids = vec!["c1".to_string()];
    let sites = vec!["F1".to_string()];
    for (name, text) in [
        ("empty.csv", ""),
        ("header.csv", "demand,site,minutes\n"),
        ("blank.csv", "\n\n"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let Err(e) = carecircle::siting::read_travel_matrix(&path, &ids, &sites, 15.0) else {
            panic!("{name}: an empty matrix must be an error");
        };
        let text = e.to_string();
        assert!(text.contains(name) && text.contains("no rows"), "{text}");
    }
    // One row over the limit is not empty: it reads, and reaches nothing.
    let path = dir.path().join("far.csv");
    std::fs::write(&path, "c1,F1,20\n").unwrap();
    assert!(carecircle::siting::read_travel_matrix(&path, &ids, &sites, 15.0).is_ok());
}
