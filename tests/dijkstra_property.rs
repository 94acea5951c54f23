//! The bounded search equals an unbounded reference (petgraph's dijkstra) on random graphs,
//! directed (one-way streets, driving) and undirected (walking).

use carecircle::crs::LocalPlane;
use carecircle::model::{OneWay, RoadLine};
use carecircle::network::{Direction, RoadGraph, SearchSpace, Seed, TravelSpeeds};
use carecircle::rng::SplitMix64;
use carecircle::Warnings;
use geo::Coord;
use petgraph::graph::{DiGraph, NodeIndex};
use proptest::prelude::*;

fn random_lines(seed: u64, n_points: usize, n_lines: usize) -> Vec<RoadLine> {
    let plane = LocalPlane::new(116.0, 29.7);
    let mut rng = SplitMix64::new(seed);
    let points: Vec<Coord<f64>> = (0..n_points)
        .map(|_| {
            plane.unproject(Coord {
                x: rng.range(0.0, 2000.0),
                y: rng.range(0.0, 2000.0),
            })
        })
        .collect();
    (0..n_lines)
        .map(|_| {
            let len = 2 + rng.below(3);
            let coords = (0..len).map(|_| points[rng.below(n_points)]).collect();
            let oneway = match rng.below(4) {
                0 => OneWay::Forward,
                1 => OneWay::Backward,
                _ => OneWay::No,
            };
            RoadLine {
                coords,
                class: ["residential", "primary", "service"][rng.below(3)].into(),
                oneway,
                no_walk: false,
                name: None,
            }
        })
        .collect()
}

fn check(graph: &RoadGraph, start: u32, limit: f64, dir: Direction) {
    // Reference: petgraph's unbounded dijkstra over the same arcs.
    let mut pg = DiGraph::<(), f64>::new();
    let nodes: Vec<NodeIndex> = (0..graph.node_count()).map(|_| pg.add_node(())).collect();
    for e in &graph.edges {
        let (a, b) = (nodes[e.u as usize], nodes[e.v as usize]);
        // ToSource searches the reversed graph.
        let (uv, vu) = match dir {
            Direction::FromSource => ((a, b), (b, a)),
            Direction::ToSource => ((b, a), (a, b)),
        };
        if e.minutes_uv.is_finite() {
            pg.add_edge(uv.0, uv.1, e.minutes_uv);
        }
        if e.minutes_vu.is_finite() {
            pg.add_edge(vu.0, vu.1, e.minutes_vu);
        }
    }
    let reference = petgraph::algo::dijkstra(&pg, nodes[start as usize], None, |e| *e.weight());
    let mut space = SearchSpace::new(graph);
    space.run(
        graph,
        [Seed {
            node: start,
            minutes: 0.0,
            source: 0,
        }],
        limit,
        dir,
    );
    for n in 0..graph.node_count() as u32 {
        let ours = space.minutes(n);
        match reference.get(&nodes[n as usize]) {
            Some(&r) if r <= limit => {
                assert!(
                    (ours - r).abs() < 1e-9,
                    "node {n}: ours {ours}, reference {r}"
                );
                assert_eq!(space.source(n), Some(0));
            }
            _ => assert!(
                ours.is_infinite(),
                "node {n} reached beyond the limit: {ours}"
            ),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn bounded_dijkstra_equals_reference(seed in any::<u64>(), n_points in 5usize..60, extra in 0usize..80,
                                         limit in 0.5f64..40.0, drive in any::<bool>(), to_source in any::<bool>()) {
        let lines = random_lines(seed, n_points, n_points + extra);
        let speeds = if drive { TravelSpeeds::drive(300.0) } else { TravelSpeeds::walk(60.0) };
        let graph = RoadGraph::build(&lines, &speeds, &mut Warnings::default());
        prop_assume!(graph.node_count() > 1);
        let dir = if to_source { Direction::ToSource } else { Direction::FromSource };
        let start = (seed % graph.node_count() as u64) as u32;
        check(&graph, start, limit, dir);
        check(&graph, start, f64::INFINITY, dir);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    /// The parallel reach table holds exactly the (demand, site) pairs within the limit, with the
    /// same minutes as a single-source nearest search per site.
    #[test]
    fn reach_table_equals_per_site_searches(seed in any::<u64>(), n_points in 5usize..40, limit in 1.0f64..30.0,
                                            drive in any::<bool>()) {
        use carecircle::network::{nearest_sources, reach_table, Snapper, SourceSet};
        let lines = random_lines(seed, n_points, n_points * 2);
        let speeds = if drive { TravelSpeeds::drive(300.0) } else { TravelSpeeds::walk(60.0) };
        let graph = RoadGraph::build(&lines, &speeds, &mut Warnings::default());
        prop_assume!(graph.node_count() > 1);
        let snapper = Snapper::new(&graph);
        let plane = LocalPlane::new(116.0, 29.7);
        let mut rng = SplitMix64::new(seed ^ 0xABCD);
        let mut point = || geo::Point(plane.unproject(Coord { x: rng.range(-100.0, 2100.0), y: rng.range(-100.0, 2100.0) }));
        let sites: Vec<_> = (0..6).map(|_| snapper.snap(&graph, point())).collect();
        let demands: Vec<_> = (0..25).map(|_| snapper.snap(&graph, point())).collect();
        let table = reach_table(&graph, &SourceSet::new(sites.clone()), &demands, limit, Direction::ToSource, &|| {});
        let mut space = SearchSpace::new(&graph);
        for (s, site) in sites.iter().enumerate() {
            let single = nearest_sources(&graph, &mut space, &SourceSet::new(vec![*site]), &demands, limit, Direction::ToSource);
            for (d, r) in single.iter().enumerate() {
                let in_table = table.row(d).find(|&(site, _)| site as usize == s).map(|(_, m)| m);
                match (r, in_table) {
                    (Some(r), Some(m)) => prop_assert!((r.minutes - m).abs() < 1e-9, "d{} s{}: {} vs {}", d, s, r.minutes, m),
                    (None, None) => {}
                    (r, m) => prop_assert!(false, "d{} s{}: search {:?}, table {:?}", d, s, r, m),
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// The search on the radix heap (`run_for_labels`, what the nearest-facility searches use)
    /// ends with the very labels of the binary-order search, bit for bit: many sources, seeds
    /// at equal minutes (ties broken by source) and at zero, bounded and unbounded, both ways.
    #[test]
    fn labels_do_not_depend_on_the_queue(seed in any::<u64>(), n_points in 5usize..60, extra in 0usize..80,
                                         sources in 1usize..12, limit in 0.5f64..40.0, drive in any::<bool>(),
                                         to_source in any::<bool>(), bounded in any::<bool>()) {
        let lines = random_lines(seed, n_points, n_points + extra);
        let speeds = if drive { TravelSpeeds::drive(300.0) } else { TravelSpeeds::walk(60.0) };
        let graph = RoadGraph::build(&lines, &speeds, &mut Warnings::default());
        prop_assume!(graph.node_count() > 1);
        let dir = if to_source { Direction::ToSource } else { Direction::FromSource };
        let limit = if bounded { limit } else { f64::INFINITY };
        let mut rng = SplitMix64::new(seed ^ 0x5EED);
        let n = graph.node_count();
        // Minutes from a few values, so that seeds tie.
        let seeds: Vec<Seed> = (0..sources * 2)
            .map(|i| Seed {
                node: rng.below(n) as u32,
                minutes: [0.0, 0.5, 1.0, 2.25][rng.below(4)],
                source: (i % sources) as u32,
            })
            .collect();
        let mut binary = SearchSpace::new(&graph);
        binary.run(&graph, seeds.clone(), limit, dir);
        let mut radix = SearchSpace::new(&graph);
        // Twice on the same space: the second run starts from a reset space.
        radix.run_for_labels(&graph, seeds.iter().rev().copied(), limit, dir);
        radix.run_for_labels(&graph, seeds.clone(), limit, dir);
        let mut reached = 0;
        for v in 0..n as u32 {
            prop_assert_eq!(binary.minutes(v).to_bits(), radix.minutes(v).to_bits(), "node {}", v);
            prop_assert_eq!(binary.source(v), radix.source(v), "node {}", v);
            reached += usize::from(binary.source(v).is_some());
        }
        if seeds.iter().any(|s| s.minutes <= limit) {
            prop_assert!(reached > 0);
        }
    }
}
