//! Map drawing at scale: the coverage map (PNG + SVG) of the city-scale network used by the
//! audit benchmark (~518,000 road segments, 5,000 communities, 1,000 facilities), and of the
//! OpenStreetMap extract of central Helsinki in ../shared/data/osm/ (skipped when absent).
//!
//! Reproduce with `cargo bench --bench render`. The target is under 5 s for the city map.

use std::path::PathBuf;
use std::time::Duration;

use carecircle::coverage::audit;
use carecircle::model::FacilityKind;
use carecircle::render::{coverage_map, Overlays, RenderOptions};
use carecircle::study::Study;
use carecircle::synthetic::{city, CityParams};
use criterion::{criterion_group, criterion_main, Criterion};

fn city_map(c: &mut Criterion) {
    let city = city(CityParams::audit_benchmark());
    let study = carecircle::bench_support::study(&city);
    let result = audit(&study);
    let opts = RenderOptions {
        attribution: "synthetic city".into(),
        ..RenderOptions::default()
    };
    let mut group = c.benchmark_group("render_city");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .warm_up_time(Duration::from_secs(2));
    group.bench_function("coverage_map_png_svg_518k_segments_5k_communities", |b| {
        b.iter(|| {
            coverage_map(
                &study,
                &result,
                FacilityKind::DayCare,
                &Overlays::default(),
                &opts,
            )
            .expect("map")
        })
    });
    group.finish();
}

fn helsinki_map(c: &mut Criterion) {
    let pbf = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/osm/Helsinki.osm.pbf"
    ));
    if !pbf.exists() {
        eprintln!("skipped: ../shared/data/osm/Helsinki.osm.pbf not found");
        return;
    }
    // 100 point communities on a grid over the extract and three facilities, as in
    // tests/osm_audit.rs.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut communities = Vec::new();
    for i in 0..10 {
        for j in 0..10 {
            let lon = 24.9360 + 0.0017 * i as f64;
            let lat = 60.1650 + 0.0014 * j as f64;
            communities.push(serde_json::json!({"type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"id": format!("H{i}{j}"), "name": format!("区块{i}{j}"),
                    "street": format!("S{}", i / 5), "population": 1000, "elderly": 100 + i + j}}));
        }
    }
    let facilities = serde_json::json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [24.9410, 60.1700]},
         "properties": {"id": "F1", "kind": "day_care"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [24.9500, 60.1760]},
         "properties": {"id": "F2", "kind": "day_care"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [24.9380, 60.1770]},
         "properties": {"id": "F3", "kind": "canteen"}}]});
    let fc = serde_json::json!({"type": "FeatureCollection", "features": communities});
    std::fs::write(dir.path().join("communities.geojson"), fc.to_string()).expect("write");
    std::fs::write(
        dir.path().join("facilities.geojson"),
        facilities.to_string(),
    )
    .expect("write");
    let toml = format!(
        "name = \"Helsinki\"\n[layers.communities]\npath = \"communities.geojson\"\n\
         [layers.facilities]\npath = \"facilities.geojson\"\n[layers.roads]\npath = \"{}\"\n",
        pbf.display()
    );
    std::fs::write(dir.path().join("scenario.toml"), toml).expect("write");
    let study = Study::load(&dir.path().join("scenario.toml")).expect("study");
    let result = audit(&study);
    let opts = RenderOptions {
        attribution: "Roads: © OpenStreetMap contributors (ODbL)".into(),
        ..RenderOptions::default()
    };
    let mut group = c.benchmark_group("render_osm");
    group.sample_size(10);
    group.bench_function("helsinki_coverage_map_png_svg", |b| {
        b.iter(|| {
            coverage_map(
                &study,
                &result,
                FacilityKind::DayCare,
                &Overlays::default(),
                &opts,
            )
            .expect("map")
        })
    });
    group.finish();
}

criterion_group!(benches, city_map, helsinki_map);
criterion_main!(benches);
