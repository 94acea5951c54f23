//! Reading the city's ~518k road segments from GeoJSON, Shapefile and GeoPackage through the
//! same `load_roads` (reader + mapping layer). Reading a bureau format should cost no more
//! than parsing GeoJSON does.
//!
//! `cargo bench --bench read_formats`; the README lists the figures.

use carecircle::crs::Crs;
use carecircle::export::{Column, ColumnType, OutputLayer};
use carecircle::io::features::FieldValue;
use carecircle::io::scenario::LayerSpec;
use carecircle::synthetic::{city, CityParams};
use criterion::{criterion_group, criterion_main, Criterion};

fn read_formats(c: &mut Criterion) {
    let city = city(CityParams::audit_benchmark());
    let layer = OutputLayer {
        name: "roads".into(),
        columns: vec![Column {
            name: "highway".into(),
            kind: ColumnType::Text,
        }],
        features: city
            .lines
            .iter()
            .map(|l| {
                (
                    geo::Geometry::LineString(geo::LineString::new(l.coords.clone())),
                    vec![FieldValue::Text(l.class.clone())],
                )
            })
            .collect(),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    // GeoJSON as the run writes it.
    let features = layer
        .features
        .iter()
        .map(|(g, v)| {
            let mut props = serde_json::Map::new();
            props.insert("highway".into(), v[0].to_json());
            (carecircle::report::output_geometry(g), props)
        })
        .collect();
    let geojson = dir.path().join("roads.geojson");
    std::fs::write(&geojson, carecircle::report::feature_collection(features)).expect("write");
    let files = carecircle::export::shapefile::write(&layer, Crs::Wgs84, encoding_rs::UTF_8)
        .expect("shapefile");
    for (ext, bytes) in files.files {
        std::fs::write(dir.path().join(format!("roads.{ext}")), bytes).expect("write");
    }
    let gpkg = dir.path().join("roads.gpkg");
    carecircle::export::gpkg::write_to(&gpkg, std::slice::from_ref(&layer), Crs::Wgs84)
        .expect("gpkg");
    let size =
        |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    println!(
        "{} segments: roads.geojson {:.1} MB, roads.shp+dbf {:.1} MB, roads.gpkg {:.1} MB",
        layer.features.len(),
        size(&geojson),
        size(&dir.path().join("roads.shp")) + size(&dir.path().join("roads.dbf")),
        size(&gpkg)
    );
    let mut group = c.benchmark_group("read_roads");
    group.sample_size(10);
    for (name, path) in [
        ("geojson", geojson),
        ("shapefile", dir.path().join("roads.shp")),
        ("geopackage", gpkg),
    ] {
        let mut spec = LayerSpec::at(path, Crs::Wgs84);
        spec.crs_given = false;
        if name == "geopackage" {
            spec.layer = Some("roads".into());
        }
        group.bench_function(name, |b| {
            b.iter(|| {
                carecircle::io::layer::load_roads(&spec)
                    .expect("roads")
                    .len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, read_formats);
criterion_main!(benches);
