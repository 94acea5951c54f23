//! City-scale benchmark of the service areas: 15-minute polygons for 1,000 facilities on the
//! audit benchmark's city (about 518,000 road segments).
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
        b.iter(|| service_areas(&study, &one_band, &|| {}))
    });
    // service_areas.geojson for that band: WGS-84, snap-rounded to 1e-7°, written out.
    let areas = service_areas(&study, &one_band, &|| {});
    group.bench_function("geojson_1000_facilities_15_min", |b| {
        b.iter(|| geojson(&study, &areas).len())
    });
    group.finish();
}

criterion_group!(benches, city_areas);
criterion_main!(benches);
