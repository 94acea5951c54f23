//! Node merging never makes a shortcut (issue 14, "a shortcut in the graph").
//!
//! The 0.5 m merge joins vertices of different lines that nearly meet. It once also joined two
//! vertices of the same OpenStreetMap trail 0.495 m apart but 4.61 m apart along the trail (a
//! switchback), so a walk came out 4.33 m shorter than the trail. These tests build such a
//! switchback by hand and check the Helsinki extract for every such pair.

use std::path::Path;

use carecircle::crs::{segment_length_m, LocalPlane};
use carecircle::io::osm::read_osm_pbf;
use carecircle::model::{OneWay, RoadLine};
use carecircle::network::{Direction, MergePath, RoadGraph, SearchSpace, Seed, TravelSpeeds};
use carecircle::Warnings;
use geo::Coord;

/// carecircle's merge tolerance.
const MERGE_TOLERANCE_M: f64 = 0.5;

fn plane() -> LocalPlane {
    LocalPlane::new(1.52, 42.51)
}

fn ll(x: f64, y: f64) -> Coord<f64> {
    plane().unproject(Coord { x, y })
}

fn line(points: &[(f64, f64)]) -> RoadLine {
    RoadLine {
        coords: points.iter().map(|&(x, y)| ll(x, y)).collect(),
        class: "path".into(),
        oneway: OneWay::No,
        no_walk: false,
        name: None,
    }
}

fn node_at(graph: &RoadGraph, x: f64, y: f64) -> u32 {
    let p = plane().project(ll(x, y));
    (0..graph.node_count() as u32)
        .min_by(|&a, &b| {
            let da = (graph.nodes[a as usize].x - p.x).hypot(graph.nodes[a as usize].y - p.y);
            let db = (graph.nodes[b as usize].x - p.x).hypot(graph.nodes[b as usize].y - p.y);
            da.total_cmp(&db)
        })
        .unwrap()
}

/// Walking metres from node `a` to node `b` (at 60 m/min).
fn walk_m(graph: &RoadGraph, a: u32, b: u32) -> f64 {
    let mut space = SearchSpace::new(graph);
    space.run(
        graph,
        vec![Seed {
            node: a,
            minutes: 0.0,
            source: 0,
        }],
        f64::INFINITY,
        Direction::FromSource,
    );
    space.minutes(b) * 60.0
}

fn length_of(points: &[(f64, f64)]) -> f64 {
    points
        .windows(2)
        .map(|w| segment_length_m(ll(w[0].0, w[0].1), ll(w[1].0, w[1].1)))
        .sum()
}

/// A trail up a slope in one hairpin: P and R are 0.48 m apart, 3.94 m apart along the trail.
const SWITCHBACK: [(f64, f64); 5] = [
    (-100.0, 0.0),
    (0.0, 0.0),
    (2.0, 0.1),
    (0.1, 0.47),
    (-100.0, 40.0),
];

#[test]
fn a_switchback_is_not_merged_into_a_shortcut() {
    let mut w = Warnings::default();
    let g = RoadGraph::build_on(
        &[line(&SWITCHBACK)],
        &TravelSpeeds::walk(60.0),
        plane(),
        &mut w,
    );
    assert_eq!(g.node_count(), 5, "P and R must stay two nodes");
    assert_eq!(g.edge_count(), 4);
    let a = node_at(&g, -100.0, 0.0);
    let b = node_at(&g, -100.0, 40.0);
    let trail = length_of(&SWITCHBACK);
    let walked = walk_m(&g, a, b);
    assert!(
        (walked - trail).abs() < 1e-6,
        "walked {walked} m, the trail is {trail} m"
    );
}

#[test]
fn a_merge_across_lines_still_joins_them() {
    // A second line that starts 0.3 m from the hairpin's tip joins the trail there.
    let spur = [(2.2, 0.3), (2.2, 60.0)];
    let mut w = Warnings::default();
    let g = RoadGraph::build_on(
        &[line(&SWITCHBACK), line(&spur)],
        &TravelSpeeds::walk(60.0),
        plane(),
        &mut w,
    );
    assert_eq!(g.node_count(), 6);
    let a = node_at(&g, -100.0, 0.0);
    let top = node_at(&g, 2.2, 60.0);
    let along = length_of(&SWITCHBACK[..3])
        + length_of(&spur).max(segment_length_m(ll(2.0, 0.1), ll(2.2, 60.0)));
    assert!((walk_m(&g, a, top) - along).abs() < 1e-6);
}

#[test]
fn a_collapsed_segment_is_carried_into_the_next_edge() {
    // The first two vertices are 0.42 m apart and merge; the edge keeps the line's length.
    let zigzag = [(0.0, 0.0), (0.3, 0.3), (0.0, 100.0)];
    let mut w = Warnings::default();
    let g = RoadGraph::build_on(&[line(&zigzag)], &TravelSpeeds::walk(60.0), plane(), &mut w);
    assert_eq!(g.node_count(), 2);
    assert_eq!(g.edge_count(), 1);
    let want = length_of(&zigzag);
    assert!(want > 100.1);
    assert!(
        (g.edges[0].length_m - want).abs() < 1e-9,
        "{}",
        g.edges[0].length_m
    );
}

#[test]
fn a_closed_way_still_closes() {
    let ring = [
        (0.0, 0.0),
        (50.0, 0.0),
        (50.0, 50.0),
        (0.0, 50.0),
        (0.0, 0.0),
    ];
    let mut w = Warnings::default();
    let g = RoadGraph::build_on(&[line(&ring)], &TravelSpeeds::walk(60.0), plane(), &mut w);
    assert_eq!(g.node_count(), 4);
    assert_eq!(g.edge_count(), 4);
}

const HELSINKI: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/osm/Helsinki.osm.pbf"
);

/// On real data: every pair of vertices of one line closer than the tolerance but farther
/// apart along the line stays two nodes, and no edge is shorter than its nodes' distance.
#[test]
fn helsinki_switchbacks_stay_apart() {
    let path = Path::new(HELSINKI);
    if !path.exists() {
        eprintln!("SKIPPED: ../shared/data/osm/Helsinki.osm.pbf not found");
        return;
    }
    let mut w = Warnings::default();
    let lines = read_osm_pbf(path, &mut w).unwrap();
    let g = RoadGraph::build(&lines, &TravelSpeeds::walk(60.0), &mut w);
    // The nearest node, when one is within the tolerance (lines of dropped pieces have none).
    let node_of = |c: Coord<f64>| -> Option<u32> {
        let xy = g.plane.project(c);
        let (i, d) = g
            .nodes
            .iter()
            .map(|n| (n.x - xy.x).hypot(n.y - xy.y))
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        (d <= MERGE_TOLERANCE_M).then_some(i as u32)
    };
    let mut pairs = 0;
    for l in &lines {
        let xy: Vec<Coord<f64>> = l.coords.iter().map(|c| g.plane.project(*c)).collect();
        let mut along = vec![0.0];
        for w in l.coords.windows(2) {
            along.push(along.last().unwrap() + segment_length_m(w[0], w[1]));
        }
        for i in 0..xy.len() {
            for j in i + 2..xy.len() {
                let d = (xy[i].x - xy[j].x).hypot(xy[i].y - xy[j].y);
                if d > 0.0
                    && d <= MERGE_TOLERANCE_M
                    && along[j] - along[i] > 2.0 * MERGE_TOLERANCE_M
                {
                    pairs += 1;
                    if let (Some(a), Some(b)) = (node_of(l.coords[i]), node_of(l.coords[j])) {
                        assert_ne!(a, b, "vertices {i} and {j} of a line merged");
                    }
                }
            }
        }
    }
    eprintln!("{pairs} same-line vertex pairs within {MERGE_TOLERANCE_M} m, all kept apart");
    for e in &g.edges {
        let straight = segment_length_m(g.nodes_lonlat[e.u as usize], g.nodes_lonlat[e.v as usize]);
        assert!(e.length_m >= straight - 1e-9);
    }
}

/// The merge grid finds every node within tolerance, near cell edges and cell middles too: a
/// brute-force merge (each vertex joins the nearest earlier node within 0.5 m, ties by lowest
/// index) over 3,000 line ends crowded around multiples of 0.5 m gives the same nodes.
#[test]
fn the_merge_grid_equals_a_brute_force_merge() {
    // Every line starts at one hub far away, so the graph is one piece and edge i ends at the
    // node of end i.
    let hub = (-500.0, -500.0);
    let offsets = [
        0.0, 1e-9, -1e-9, 0.2, -0.2, 0.249, 0.251, -0.251, 0.49, -0.49, 0.5, -0.5, 0.26, 0.74,
    ];
    let mut state = 12345u64;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    let ends: Vec<(f64, f64)> = (0..3000)
        .map(|_| {
            let x = next(16) as f64 * 0.5 + offsets[next(offsets.len())];
            let y = next(16) as f64 * 0.5 + offsets[next(offsets.len())];
            (x, y)
        })
        .collect();
    let lines: Vec<RoadLine> = ends.iter().map(|&e| line(&[hub, e])).collect();
    let graph = RoadGraph::build(&lines, &TravelSpeeds::walk(60.0), &mut Warnings::default());
    assert_eq!(
        graph.edge_count(),
        lines.len() - merged_with_hub(&graph, &lines)
    );

    // The brute force, on the same projected positions the build uses.
    let mut nodes: Vec<Coord<f64>> = Vec::new();
    let mut node_of_end = Vec::new();
    for l in &lines {
        for (k, c) in l.coords.iter().enumerate() {
            let xy = graph.plane.project(*c);
            let best = nodes
                .iter()
                .enumerate()
                .map(|(i, p)| ((p.x - xy.x).hypot(p.y - xy.y), i))
                .filter(|&(d, _)| d <= MERGE_TOLERANCE_M)
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                .map(|(_, i)| i);
            let n = best.unwrap_or_else(|| {
                nodes.push(xy);
                nodes.len() - 1
            });
            if k == 1 {
                node_of_end.push(n);
            }
        }
    }
    assert_eq!(graph.node_count(), nodes.len());
    let merged = ends.len() + 1 - nodes.len();
    assert!(merged > 1000, "the case must merge many ends: {merged}");
    for (i, e) in graph.edges.iter().enumerate() {
        let got = graph.nodes[e.v as usize];
        let want = nodes[node_of_end[i]];
        assert_eq!((got.x, got.y), (want.x, want.y), "end {i} at {:?}", ends[i]);
    }
}

/// Lines whose end merged into the hub (none here: the hub is far away).
fn merged_with_hub(graph: &RoadGraph, lines: &[RoadLine]) -> usize {
    let hub = graph.plane.project(lines[0].coords[0]);
    lines
        .iter()
        .filter(|l| {
            let e = graph.plane.project(l.coords[1]);
            (e.x - hub.x).hypot(e.y - hub.y) <= MERGE_TOLERANCE_M
        })
        .count()
}

/// The partitioned merge (isolated positions joined by exact position, only crowded ones
/// through the grid) builds exactly the graph of the grid alone: the same nodes in the same
/// order, the same edges with the same lengths, bit for bit. Lines here share ends exactly
/// (a road network's usual shape), pass within the tolerance of each other, double back on
/// themselves (switchbacks, closed ways), repeat vertices and carry positions that are not
/// finite, with paths closed to driving and a few one-way roads driven.
#[test]
fn the_partitioned_merge_equals_the_grid_for_every_vertex() {
    let mut state = 987654321u64;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let jitter = [
        0.0, 0.0, 0.0, 0.1, -0.3, 0.49, 0.5, 0.51, 0.74, 0.76, 1.2, 2.0,
    ];
    // A lattice of 25 m whose points the lines share exactly, some pushed off by a jitter.
    let mut lines = Vec::new();
    for k in 0..4000 {
        let mut points: Vec<(f64, f64)> = Vec::new();
        let (mut x, mut y) = (next(40) as f64 * 25.0, next(40) as f64 * 25.0);
        for _ in 0..(2 + next(5)) {
            let j = jitter[next(jitter.len() as u64) as usize];
            let p = match next(10) {
                // Back to a vertex already on this line (a switchback or a closed way).
                0 if !points.is_empty() => points[next(points.len() as u64) as usize],
                1 => (x + j * 0.3, y - j),
                _ => (x + j, y),
            };
            points.push(p);
            match next(4) {
                0 => x += 25.0,
                1 => y += 25.0,
                2 => x -= 25.0,
                _ => y -= 25.0,
            }
        }
        let mut l = line(&points);
        if k % 97 == 0 {
            l.coords[1].x = f64::NAN;
        }
        // Paths are closed to driving, the rest open; some driven one way.
        if k % 5 != 0 {
            l.class = "residential".into();
        }
        if k % 13 == 0 {
            l.oneway = OneWay::Forward;
        }
        lines.push(l);
    }
    for speeds in [TravelSpeeds::walk(60.0), TravelSpeeds::drive(500.0)] {
        let build = |path| {
            let mut w = Warnings::default();
            let g = RoadGraph::build_with(&lines, &speeds, plane(), &mut w, path);
            (g, w)
        };
        let (fast, fast_w) = build(MergePath::Partitioned);
        let (grid, grid_w) = build(MergePath::EveryVertex);
        assert!(grid.node_count() > 1000, "{} nodes", grid.node_count());
        assert_eq!(format!("{:?}", fast.nodes), format!("{:?}", grid.nodes));
        assert_eq!(
            format!("{:?}", fast.nodes_lonlat),
            format!("{:?}", grid.nodes_lonlat)
        );
        assert_eq!(format!("{:?}", fast.edges), format!("{:?}", grid.edges));
        assert_eq!(fast.classes, grid.classes);
        assert_eq!(fast.out_arcs, grid.out_arcs);
        assert_eq!(fast.in_arcs, grid.in_arcs);
        assert_eq!(
            (fast.dropped_pieces, fast.dropped_edges),
            (grid.dropped_pieces, grid.dropped_edges)
        );
        assert_eq!(fast_w.items.len(), grid_w.items.len());
        // Merges did happen: fewer nodes than distinct positions.
        let distinct: std::collections::BTreeSet<(u64, u64)> = lines
            .iter()
            .flat_map(|l| l.coords.iter())
            .filter(|c| c.x.is_finite())
            .map(|c| (c.x.to_bits(), c.y.to_bits()))
            .collect();
        assert!(grid.node_count() + grid.dropped_edges < distinct.len());
    }
}
