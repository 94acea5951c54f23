//! The OpenStreetMap PBF roads reader against the decoder it is built on, on the Helsinki
//! extract in ../shared/data/osm/ (685 KB; skipped, with a message, when absent):
//! - `carecircle_roads`: `io::osm::read_osm_pbf`, what `[layers.roads] path = "x.osm.pbf"`
//!   runs (every block decoded, highway ways kept, their nodes' coordinates looked up, ways
//!   split at nodes the extract lacks);
//! - `osmpbf_count_all`: the osmpbf crate decoding every node, way and relation on all cores
//!   and counting them, the least any reader built on it can do.
//!
//! `cargo bench --bench read_osm`. The README compares both with osmium-tool (C++ libosmium)
//! on the same file.

use std::path::PathBuf;

use carecircle::Warnings;
use criterion::{criterion_group, criterion_main, Criterion};
use osmpbf::{Element, ElementReader};

fn read_osm(c: &mut Criterion) {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/osm/Helsinki.osm.pbf"
    ));
    if !path.exists() {
        eprintln!(
            "SKIPPED read_osm: {} not found (the shared data is absent)",
            path.display()
        );
        return;
    }
    let mut group = c.benchmark_group("read_osm");
    group.sample_size(30);
    group.bench_function("carecircle_roads", |b| {
        b.iter(|| {
            carecircle::io::osm::read_osm_pbf(&path, &mut Warnings::default())
                .expect("Helsinki roads")
                .len()
        })
    });
    group.bench_function("osmpbf_count_all", |b| {
        b.iter(|| {
            ElementReader::from_path(&path)
                .expect("open")
                .par_map_reduce(
                    |e| match e {
                        Element::Node(_) | Element::DenseNode(_) => (1u64, 0u64, 0u64),
                        Element::Way(_) => (0, 1, 0),
                        Element::Relation(_) => (0, 0, 1),
                    },
                    || (0, 0, 0),
                    |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2),
                )
                .expect("decode")
        })
    });
    group.finish();
}

criterion_group!(benches, read_osm);
criterion_main!(benches);
