//! Benchmarks of the service areas:
//! - city scale: 15-minute polygons for 1,000 facilities on the audit benchmark's city (about
//!   518,000 road segments);
//! - long reach on the demo district (issue 14): every facility's service area when driving
//!   (the whole district within 15 minutes; 590 s and 7.9 GB before the balanced union), and
//!   walking with a 60-minute band (over 30 s before).
//!
//! Reproduce with `cargo bench --bench areas`. The README lists the figures measured here.

use std::time::Duration;

use carecircle::areas::{facility_polygons, service_areas, AreaOptions, DEFAULT_LATERAL_M};
use carecircle::report::service_areas::geojson;
use carecircle::synthetic::{city, CityParams};
use criterion::{criterion_group, criterion_main, Criterion};

fn city_areas(c: &mut Criterion) {
    let city = city(CityParams::audit_benchmark());
    let study = carecircle::bench_support::study(&city);
    assert_eq!(study.layers.facilities.len(), 1_000);
    let mut group = c.benchmark_group("city_areas");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(40));
    // One search per facility, reached edges cut at 15 minutes, widened by 50 m, unioned.
    group.bench_function("polygons_1000_facilities_15_min", |b| {
        b.iter(|| facility_polygons(&study, &[15.0], DEFAULT_LATERAL_M, &|| {}))
    });
    // Everything `carecircle areas` computes for one band: the facility polygons with the
    // people inside, and the dissolved polygon of each kind with its share of the district.
    let one_band = AreaOptions {
        bands: vec![15.0],
        lateral_m: DEFAULT_LATERAL_M,
    };
    group.bench_function("service_areas_1000_facilities_15_min_with_dissolved", |b| {
        b.iter(|| service_areas(&study, &one_band, &|| {}).unwrap())
    });
    // service_areas.geojson for that band: WGS-84, snap-rounded to 1e-7°, written out.
    let areas = service_areas(&study, &one_band, &|| {}).unwrap();
    group.bench_function("geojson_1000_facilities_15_min", |b| {
        b.iter(|| geojson(&study, &areas).len())
    });
    group.finish();
}

/// The demo district (written to a temporary folder) in a travel mode.
fn demo_study(mode: &str) -> (tempfile::TempDir, carecircle::study::Study) {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = carecircle::demo::write_demo_data(dir.path()).expect("demo data");
    let text = std::fs::read_to_string(&scenario).expect("scenario");
    std::fs::write(
        &scenario,
        text.replace("mode = \"walk\"", &format!("mode = \"{mode}\"")),
    )
    .expect("scenario");
    let study = carecircle::study::Study::load(&scenario).expect("demo study");
    (dir, study)
}

fn demo_long_reach(c: &mut Criterion) {
    let mut group = c.benchmark_group("demo_areas");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    let (_drive_dir, drive) = demo_study("drive");
    let fifteen = AreaOptions {
        bands: vec![15.0],
        lateral_m: DEFAULT_LATERAL_M,
    };
    group.bench_function("drive_15_min_every_facility", |b| {
        b.iter(|| service_areas(&drive, &fifteen, &|| {}).unwrap())
    });
    let (_walk_dir, walk) = demo_study("walk");
    let sixty = AreaOptions {
        bands: vec![60.0],
        lateral_m: DEFAULT_LATERAL_M,
    };
    group.bench_function("walk_60_min_every_facility", |b| {
        b.iter(|| service_areas(&walk, &sixty, &|| {}).unwrap())
    });
    group.finish();
}

/// A digitised community boundary of `n` vertices (a wavy circle, radius 1 km): the validity
/// check took 71 s for 100k vertices with geo's `Validation` and over 300 s for 1M.
fn boundary(n: usize) -> geo::MultiPolygon<f64> {
    let mut ring: Vec<geo::Coord<f64>> = (0..n)
        .map(|i| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            let r = 1000.0 * (1.0 + 0.02 * (200.0 * a).sin());
            geo::Coord {
                x: r * a.cos(),
                y: r * a.sin(),
            }
        })
        .collect();
    ring.push(ring[0]);
    geo::MultiPolygon::new(vec![geo::Polygon::new(geo::LineString::new(ring), vec![])])
}

fn polygon_validation(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    group.sample_size(10);
    for n in [100_000, 1_000_000] {
        let mp = boundary(n);
        group.bench_function(format!("community_polygon_{n}_vertices"), |b| {
            b.iter(|| carecircle::io::validate::check_polygons(&mp).is_ok())
        });
    }
    group.finish();
}

criterion_group!(benches, city_areas, demo_long_reach, polygon_validation);
criterion_main!(benches);
