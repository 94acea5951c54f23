//! Service areas on random networks (jittered street grids with missing links and diagonal
//! footways, from `carecircle::synthetic`):
//! - every polygon lies within the straight-line circle of radius speed × band + allowance
//!   around its facility;
//! - the dissolved polygon of a kind (the union of its facility polygons) equals the shape made
//!   independently from one multi-source search, area within 0.1 %;
//! - a shorter band lies inside a longer one;
//! - the WGS-84 polygons are valid.

use carecircle::areas::{dissolved_polygon, service_areas, to_wgs84, AreaOptions};
use carecircle::bench_support::{layers, scenario};
use carecircle::model::FacilityKind;
use carecircle::progress::Steps;
use carecircle::report::service_areas::geojson;
use carecircle::study::Study;
use carecircle::synthetic::{city, CityParams};
use carecircle::Warnings;
use geo::{Area, BooleanOps, CoordsIter, Distance, Euclidean, Point, Validation};
use proptest::prelude::*;

fn study(seed: u64, grid: usize, spacing_m: f64, missing: f64, facilities: usize) -> Study {
    let c = city(CityParams {
        seed,
        grid,
        spacing_m,
        missing_share: missing,
        communities: 30,
        facilities,
    });
    Study::from_layers(
        scenario(),
        layers(&c),
        Warnings::default(),
        &Steps::hidden(),
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn areas_are_bounded_nested_dissolved_and_valid(
        seed in 0u64..1_000_000,
        grid in 5usize..13,
        spacing_m in 50.0f64..160.0,
        missing in 0.0f64..0.35,
        facilities in 1usize..6,
        lateral_m in 10.0f64..80.0,
        short in 2.0f64..8.0,
        long in 9.0f64..16.0,
    ) {
        let study = study(seed, grid, spacing_m, missing, facilities);
        let options = AreaOptions { bands: vec![short, long], lateral_m };
        let areas = service_areas(&study, &options, &|| {}).unwrap();
        let speed = study.scenario.travel.speed_m_per_min;
        prop_assert_eq!(areas.facilities.len(), 2 * study.layers.facilities.len());

        for a in &areas.facilities {
            // Within the straight-line circle. Lengths on the network are ellipsoidal, the
            // polygon is on the local plane: they differ by under 1e-4 within 2 km.
            let f = study.graph.plane.project(study.layers.facilities[a.facility].location.0);
            let radius = speed * a.minutes + lateral_m;
            let far = a
                .polygon
                .coords_iter()
                .map(|c| (c.x - f.x).hypot(c.y - f.y))
                .fold(0.0, f64::max);
            prop_assert!(far <= radius * (1.0 + 1e-4) + 0.01, "{far} m > {radius} m");
            prop_assert!(a.area_km2 > 0.0);
            prop_assert!(a.area_km2 <= a.circle_km2 * (radius / (speed * a.minutes)).powi(2));
            let g = to_wgs84(&study.graph, &a.polygon);
            prop_assert!(g.is_valid(), "{:?}", g.validation_errors());
        }

        // The short band lies inside the long one.
        for i in 0..study.layers.facilities.len() {
            let s = &areas.facility(i, short).unwrap().polygon;
            let l = &areas.facility(i, long).unwrap().polygon;
            // Round caps and joins are polygons with their vertices on the circle, placed from
            // the direction of the roads they join: where the short band has a cap and the
            // long band a join, the two differ by at most a join's sagitta. A join's chords
            // span up to twice the π/16 step (the overlay's stroke builder rounds the count
            // down): r (1 − cos(π/16)), 1.9 % of the allowance.
            let sagitta = lateral_m * (1.0 - (std::f64::consts::PI / 16.0).cos()) + 1e-6;
            for c in s.coords_iter() {
                let d = Euclidean.distance(&Point(c), l);
                prop_assert!(d <= sagitta + 1e-6, "vertex {d} m outside the long band");
            }
            let outside = s.difference(l).unsigned_area();
            prop_assert!(outside <= 1e-3 * s.unsigned_area(), "{outside} m² outside");
            let ps = &areas.facility(i, short).unwrap().demand_inside;
            let pl = &areas.facility(i, long).unwrap().demand_inside;
            prop_assert!(ps.iter().all(|d| pl.binary_search(d).is_ok()));
        }

        // The dissolved polygon equals the multi-source shape.
        for kind in [FacilityKind::DayCare, FacilityKind::Canteen] {
            let members: Vec<usize> = (0..study.layers.facilities.len())
                .filter(|&i| study.layers.facilities[i].kind == kind)
                .collect();
            for band in [short, long] {
                let k = areas.kind(kind, band).unwrap();
                let direct = dissolved_polygon(&study, &members, band, lateral_m);
                let a = direct.unsigned_area();
                let b = k.polygon.unsigned_area();
                prop_assert!((a - b).abs() <= 1e-3 * a.max(b) + 1e-6, "{a} vs {b}");
                let xor = direct.xor(&k.polygon).unsigned_area();
                prop_assert!(xor <= 1e-3 * a.max(b) + 1e-6, "xor {xor} of {a}");
                // Its people are those of its facilities; shares are shares.
                let most = members
                    .iter()
                    .map(|&i| areas.facility(i, band).unwrap().elderly)
                    .fold(0.0, f64::max);
                prop_assert!(k.elderly >= most);
                prop_assert!(k.elderly_share <= 1.0 + 1e-12);
                prop_assert!((0.0..=1.0 + 1e-12).contains(&k.district_area_share));
                let g = to_wgs84(&study.graph, &k.polygon);
                prop_assert!(g.is_valid(), "{:?}", g.validation_errors());
            }
        }
    }
}

#[test]
fn outputs_are_byte_identical_run_to_run() {
    let a = study(99, 12, 90.0, 0.1, 8);
    let b = study(99, 12, 90.0, 0.1, 8);
    let options = AreaOptions::default();
    let ga = geojson(&a, &service_areas(&a, &options, &|| {}).unwrap());
    let gb = geojson(&b, &service_areas(&b, &options, &|| {}).unwrap());
    assert!(ga.len() > 10_000);
    assert_eq!(ga, gb);
}
