//! One run of the city-scale audit with a timing per phase, for the README and for peak-memory
//! measurement: `cargo build --release --example city_scale && /usr/bin/time -v target/release/examples/city_scale`.

use std::time::Instant;

use carecircle::coverage::audit;
use carecircle::synthetic::{city, CityParams};
use carecircle::Warnings;

fn main() {
    let t = Instant::now();
    let city = city(CityParams::audit_benchmark());
    println!("generate city: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let study = carecircle::bench_support::study(&city);
    println!(
        "graph build + snapping: {:.2} s ({} nodes, {} edges, {} communities, {} facilities)",
        t.elapsed().as_secs_f64(),
        study.graph.node_count(),
        study.graph.edge_count(),
        study.layers.communities.len(),
        study.layers.facilities.len()
    );
    let t = Instant::now();
    let a = audit(&study);
    println!("audit: {:.3} s", t.elapsed().as_secs_f64());
    for k in &a.kinds {
        let tot = a.totals(k, |_| true);
        println!(
            "  {}: {}/{} communities covered",
            k.kind, tot.communities_covered, tot.communities
        );
    }

    // The nearest-within-900 m benchmark's network (benches/audit.rs, nearest_900m).
    let small = carecircle::synthetic::city(CityParams::nearest_benchmark());
    let t = Instant::now();
    let graph = carecircle::network::RoadGraph::build(
        &small.lines,
        &carecircle::network::TravelSpeeds::walk(60.0),
        &mut Warnings::default(),
    );
    println!(
        "nearest-900m network: {} nodes, {} edges (built in {:.2} s)",
        graph.node_count(),
        graph.edge_count(),
        t.elapsed().as_secs_f64()
    );
}
