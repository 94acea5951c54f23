//! Coordinate transformation cost per point, for a layer of 100,000 coordinates over a
//! district in CGCS2000 3-degree Gauss-Krüger zone 39 (EPSG:4527): our Krüger series against
//! proj4rs's implementation of the same algorithm, and the iterative GCJ-02 / BD-09 inverses.
//!
//! Reproduce with `cargo bench --bench crs`. The README lists the figures measured here.

use std::time::Duration;

use carecircle::crs::Crs;
use criterion::{criterion_group, criterion_main, Criterion};
use geo::Coord;

fn points_in(crs: &Crs) -> Vec<Coord<f64>> {
    (0..100_000)
        .map(|i| {
            let w = Coord {
                x: 115.9 + 0.3 * ((i * 7919) % 1000) as f64 / 1000.0,
                y: 29.6 + 0.2 * ((i * 104_729) % 1000) as f64 / 1000.0,
            };
            crs.from_wgs84(w)
        })
        .collect()
}

fn transform(c: &mut Criterion) {
    let mut group = c.benchmark_group("crs_100k_points");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    for name in ["EPSG:4527", "gcj02", "bd09"] {
        let crs = Crs::parse(name).unwrap();
        let pts = points_in(&crs);
        group.bench_function(format!("{name}_to_wgs84"), |b| {
            b.iter(|| pts.iter().map(|&p| crs.to_wgs84(p).x).sum::<f64>())
        });
    }
    let gk = Crs::parse("EPSG:4527").unwrap();
    let wgs: Vec<Coord<f64>> = points_in(&Crs::Wgs84);
    group.bench_function("wgs84_to_EPSG:4527", |b| {
        b.iter(|| wgs.iter().map(|&p| gk.from_wgs84(p).x).sum::<f64>())
    });
    // The same inverse through proj4rs (what a PROJ string other than tmerc/utm uses).
    let src = proj4rs::Proj::from_proj_string(
        "+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=39500000 +y_0=0 +ellps=GRS80 +units=m +no_defs",
    )
    .unwrap();
    let dst = proj4rs::Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs").unwrap();
    let pts = points_in(&gk);
    group.bench_function("EPSG:4527_to_wgs84_proj4rs", |b| {
        b.iter(|| {
            pts.iter()
                .map(|p| {
                    let mut q = (p.x, p.y, 0.0);
                    proj4rs::transform::transform(&src, &dst, &mut q).unwrap();
                    q.0
                })
                .sum::<f64>()
        })
    });
    group.finish();
}

criterion_group!(benches, transform);
criterion_main!(benches);
