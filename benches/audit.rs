//! City-scale benchmarks of the audit's hot paths.
//!
//! Reproduce with `cargo bench --bench audit`. The README lists the figures measured here.

use std::time::Duration;

use carecircle::bench_support::{layers, scenario};
use carecircle::coverage::audit;
use carecircle::network::{
    nearest_sources, Direction, RoadGraph, SearchSpace, Seed, Snapper, SourceSet, TravelSpeeds,
};
use carecircle::progress::Steps;
use carecircle::study::Study;
use carecircle::synthetic::{city, random_points, CityParams};
use carecircle::Warnings;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

/// Graph build, snapping and the full audit (two kinds) on a city of ~518k road segments,
/// 5,000 communities and 1,000 facilities.
fn city_audit(c: &mut Criterion) {
    let city = city(CityParams::audit_benchmark());
    let mut group = c.benchmark_group("city_audit");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function("build_graph_snap_and_audit_518k_edges", |b| {
        b.iter_batched(
            || layers(&city),
            |layers| {
                let study =
                    Study::from_layers(scenario(), layers, Warnings::default(), &Steps::hidden())
                        .expect("study");
                audit(&study)
            },
            BatchSize::LargeInput,
        )
    });
    let study = carecircle::bench_support::study(&city);
    group.bench_function("audit_only_518k_edges", |b| b.iter(|| audit(&study)));
    group.finish();
}

/// Nearest facility within 900 m (15 min at 60 m/min) for every node of a 170k-node,
/// 310k-edge network with 13,000 facilities: graph build, snapping and one multi-source search.
fn nearest_900m(c: &mut Criterion) {
    let params = CityParams::nearest_benchmark();
    let city = city(params);
    let facilities = random_points(&city, 13, 13_000);
    let speeds = TravelSpeeds::walk(60.0);
    let mut group = c.benchmark_group("nearest_900m");
    group.sample_size(10);
    let end_to_end = || {
        let graph = RoadGraph::build(&city.lines, &speeds, &mut Warnings::default());
        let snapper = Snapper::new(&graph);
        let sources = SourceSet::new(
            facilities
                .iter()
                .map(|p| snapper.snap(&graph, *p))
                .collect(),
        );
        let seeds: Vec<Seed> = (0..sources.len() as u32)
            .flat_map(|s| sources.seeds(&graph, s, Direction::ToSource))
            .collect();
        let mut space = SearchSpace::new(&graph);
        space.run(&graph, seeds, 15.0, Direction::ToSource);
        (0..graph.node_count() as u32)
            .filter(|&n| space.source(n).is_some())
            .count()
    };
    group.bench_function("end_to_end_170k_nodes_13k_facilities", |b| {
        b.iter(end_to_end)
    });
    let graph = RoadGraph::build(&city.lines, &speeds, &mut Warnings::default());
    let snapper = Snapper::new(&graph);
    let sources = SourceSet::new(
        facilities
            .iter()
            .map(|p| snapper.snap(&graph, *p))
            .collect(),
    );
    let mut space = SearchSpace::new(&graph);
    group.bench_function("search_only_170k_nodes_13k_facilities", |b| {
        b.iter(|| {
            let seeds: Vec<Seed> = (0..sources.len() as u32)
                .flat_map(|s| sources.seeds(&graph, s, Direction::ToSource))
                .collect();
            space.run(&graph, seeds, 15.0, Direction::ToSource);
        })
    });
    // The same through the demand-point API (nodes as demand points is what the Python
    // accessibility libraries report; here every community of the audit city would be).
    let _ = nearest_sources;
    group.finish();
}

/// The compressed adjacency against petgraph on the same single-source, unbounded search over
/// the 170k-node network: why the hot graph is carecircle's own CSR.
fn graph_search(c: &mut Criterion) {
    use petgraph::graph::{DiGraph, NodeIndex};
    let params = CityParams::nearest_benchmark();
    let city = city(params);
    let graph = RoadGraph::build(
        &city.lines,
        &TravelSpeeds::walk(60.0),
        &mut Warnings::default(),
    );
    let mut pg = DiGraph::<(), f64>::with_capacity(graph.node_count(), 2 * graph.edge_count());
    let nodes: Vec<NodeIndex> = (0..graph.node_count()).map(|_| pg.add_node(())).collect();
    for e in &graph.edges {
        pg.add_edge(nodes[e.u as usize], nodes[e.v as usize], e.minutes_uv);
        pg.add_edge(nodes[e.v as usize], nodes[e.u as usize], e.minutes_vu);
    }
    let start = (graph.node_count() / 2) as u32;
    let mut group = c.benchmark_group("graph_search");
    group.sample_size(20);
    let mut space = SearchSpace::new(&graph);
    group.bench_function("carecircle_csr_unbounded_170k_nodes", |b| {
        b.iter(|| {
            let seed = [Seed {
                node: start,
                minutes: 0.0,
                source: 0,
            }];
            space.run(&graph, seed, f64::INFINITY, Direction::FromSource);
            space.reached().len()
        })
    });
    group.bench_function("petgraph_dijkstra_unbounded_170k_nodes", |b| {
        b.iter(|| petgraph::algo::dijkstra(&pg, nodes[start as usize], None, |e| *e.weight()).len())
    });
    group.finish();
}

/// Reading the city's roads from a GeoJSON file (about 540,000 vertices): the parsing cost the
/// in-memory benchmarks above leave out.
fn load_roads(c: &mut Criterion) {
    use carecircle::io::scenario::LayerSpec;
    let city = city(CityParams::audit_benchmark());
    let features = city
        .lines
        .iter()
        .map(|l| {
            let g = geo::Geometry::LineString(geo::LineString::new(l.coords.clone()));
            let mut props = serde_json::Map::new();
            props.insert("highway".into(), serde_json::json!(l.class));
            (carecircle::report::output_geometry(&g), props)
        })
        .collect();
    let bytes = carecircle::report::feature_collection(features);
    let dir = std::env::temp_dir().join(format!("carecircle-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("roads.geojson");
    std::fs::write(&path, &bytes).expect("write roads");
    println!("roads.geojson: {:.1} MB", bytes.len() as f64 / 1e6);
    let spec = LayerSpec::at(path.clone(), carecircle::crs::Crs::Wgs84);
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("roads_geojson_518k_segments", |b| {
        b.iter(|| {
            carecircle::io::layer::load_roads(&spec)
                .expect("roads")
                .len()
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, city_audit, nearest_900m, graph_search, load_roads);
criterion_main!(benches);
