//! The OpenStreetMap extract in ../shared/data/osm/ loads into a walk graph and an audit runs
//! on it with synthetic communities placed on it. Skipped with a message when ../shared is
//! absent.

mod common;

use carecircle::coverage::audit;
use carecircle::crs::segment_length_m;
use carecircle::study::Study;
use common::{helsinki_pbf, write_helsinki};

#[test]
fn helsinki_walk_graph_and_audit() {
    let Some(pbf) = helsinki_pbf() else { return };
    let dir = tempfile::tempdir().unwrap();
    // A 10 × 10 grid of communities over the extract's box and three facilities.
    write_helsinki(dir.path(), &pbf, "区块", "");
    let study = Study::load(&dir.path().join("scenario.toml")).unwrap();

    // The walk graph: 2,500 walkable OSM road pieces → these counts (nodes merged within 0.5 m).
    let g = &study.graph;
    assert_eq!(g.node_count(), 6374);
    assert_eq!(g.edge_count(), 7677);
    assert_eq!(g.dropped_pieces, 23);
    assert_eq!(g.dropped_edges, 133);
    // The main piece holds most of the network: 98.6 % of the length.
    let kept = g.total_length_m();
    // 97.991 km: since issue 14 an edge keeps the length of its line where the merge
    // collapsed a segment (3.7 m more than 97.987 km measured between merged nodes).
    assert!((kept / 1000.0 - 97.991).abs() < 0.001, "{kept}");
    assert!(kept / (kept + g.dropped_length_m) > 0.98);

    let a = audit(&study);
    assert_eq!(a.kinds.len(), 2);
    for k in &a.kinds {
        for (c, com) in study.layers.communities.iter().enumerate() {
            let n = k.nearest[c].expect("every point reaches a facility on the main piece");
            // Covered means within 15 minutes, and no walk beats the straight line.
            assert_eq!(k.covered[c], n.minutes <= 15.0 + 1e-9);
            let straight = segment_length_m(
                com.representative.0,
                study.layers.facilities[n.facility].location.0,
            );
            assert!(
                n.minutes * 60.0 >= straight - 1.0,
                "{}: {} min for {straight} m",
                com.id,
                n.minutes
            );
        }
    }
    let day = a
        .kinds
        .iter()
        .find(|k| k.kind == carecircle::model::FacilityKind::DayCare)
        .unwrap();
    let t = a.totals(day, |_| true);
    // Two day-care centres in a 1 × 1.7 km box: most but not all of the grid is within 900 m.
    assert_eq!(t.communities_covered, 88);
}
