//! Travel times on a small hand-built network equal hand computation.
//!
//! The network, in metres on a local plane around (116.0 E, 29.7 N):
//!
//! ```text
//!            D(600,600) ──one-way──► E(1200,600)
//!            │                        │
//!  A(0,0) ── B(600,0) ─────────────── C(1200,0)
//! ```
//! Line B–D starts at (600.3, 0.2), 0.36 m from B, so it must merge into B. D→E is one-way
//! (honoured only when driving). The facility F at (300, 40) snaps mid-way along A–B with a
//! 40 m access leg.

use carecircle::crs::LocalPlane;
use carecircle::model::{OneWay, RoadLine};
use carecircle::network::{
    nearest_sources, Direction, RoadGraph, SearchSpace, Seed, Snapper, SourceSet, TravelSpeeds,
};
use carecircle::Warnings;
use geo::{Coord, Point};

const TOL_MIN: f64 = 1e-3; // 6 cm at walking speed

fn plane() -> LocalPlane {
    LocalPlane::new(116.0, 29.7)
}

fn ll(x: f64, y: f64) -> Coord<f64> {
    plane().unproject(Coord { x, y })
}

fn line(points: &[(f64, f64)], oneway: OneWay) -> RoadLine {
    RoadLine {
        coords: points.iter().map(|&(x, y)| ll(x, y)).collect(),
        class: "residential".into(),
        oneway,
        no_walk: false,
        name: None,
    }
}

fn network() -> Vec<RoadLine> {
    vec![
        line(&[(0.0, 0.0), (600.0, 0.0), (1200.0, 0.0)], OneWay::No),
        line(&[(600.3, 0.2), (600.0, 600.0)], OneWay::No),
        line(&[(600.0, 600.0), (1200.0, 600.0)], OneWay::Forward),
        line(&[(1200.0, 0.0), (1200.0, 600.0)], OneWay::No),
    ]
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

fn walk_graph() -> RoadGraph {
    let mut w = Warnings::default();
    RoadGraph::build_on(&network(), &TravelSpeeds::walk(60.0), plane(), &mut w)
}

fn assert_close(got: f64, want: f64) {
    assert!((got - want).abs() < TOL_MIN, "got {got}, want {want}");
}

#[test]
fn nodes_closer_than_half_a_metre_merge() {
    let g = walk_graph();
    assert_eq!(g.node_count(), 5, "B and the start of B–D must be one node");
    assert_eq!(g.edge_count(), 5);
    // B–D starts 0.36 m from B but is measured from the merged node: 600 m.
    let b = node_at(&g, 600.0, 0.0);
    let d = node_at(&g, 600.0, 600.0);
    let bd = g
        .edges
        .iter()
        .find(|e| (e.u == b && e.v == d) || (e.u == d && e.v == b))
        .expect("edge B–D");
    assert!((bd.length_m - 600.0).abs() < 0.01, "{}", bd.length_m);
}

#[test]
fn walking_times_with_access_leg_and_mid_edge_snaps() {
    let g = walk_graph();
    let snapper = Snapper::new(&g);
    let facility = snapper.snap(&g, Point(ll(300.0, 40.0))).unwrap();
    assert!((facility.t - 0.5).abs() < 1e-6);
    assert!((facility.access_m - 40.0).abs() < 0.01);
    let sources = SourceSet::new(vec![Some(facility)]);

    let demands: Vec<_> = [
        (1200.0, 0.0),   // node C: 600 + 300 + 40 = 940 m
        (600.0, 600.0),  // node D: 600 + 300 + 40 = 940 m (one-way ignored on foot)
        (1200.0, 600.0), // node E: 600 + 940 = 1540 m
        (900.0, -30.0),  // mid B–C, 30 m access: 30 + 300 + 300 + 40 = 670 m
        (100.0, 10.0),   // on A–B itself at 100 m: 10 + 200 + 40 = 250 m straight along
    ]
    .iter()
    .map(|&(x, y)| snapper.snap(&g, Point(ll(x, y))))
    .collect();
    let mut space = SearchSpace::new(&g);
    let got = nearest_sources(
        &g,
        &mut space,
        &sources,
        &demands,
        f64::INFINITY,
        Direction::ToSource,
    );
    let want_m = [940.0, 940.0, 1540.0, 670.0, 250.0];
    for (g, w) in got.iter().zip(want_m) {
        let g = g.expect("reached");
        assert_eq!(g.source, 0);
        assert_close(g.minutes, w / 60.0);
    }

    // With a 15-minute limit, E (25.67 min) is out and C (15.67 min) too; the 670 m point is in.
    let got = nearest_sources(
        &g,
        &mut space,
        &sources,
        &demands,
        15.0,
        Direction::ToSource,
    );
    assert!(got[0].is_none() && got[1].is_none() && got[2].is_none());
    assert!(got[3].is_some() && got[4].is_some());
}

#[test]
fn one_way_is_ignored_walking_and_honoured_driving() {
    let mut speeds = TravelSpeeds::drive(600.0);
    speeds.by_class.insert("residential".into(), 600.0); // 600 m per minute: 1 minute per block
    let mut w = Warnings::default();
    let g = RoadGraph::build_on(&network(), &speeds, plane(), &mut w);
    let d = node_at(&g, 600.0, 600.0);
    let e = node_at(&g, 1200.0, 600.0);
    let mut space = SearchSpace::new(&g);

    // Driving from D: D→E is allowed, 1 minute.
    let seed = [Seed {
        node: d,
        minutes: 0.0,
        source: 0,
    }];
    space.run(&g, seed, f64::INFINITY, Direction::FromSource);
    assert_close(space.minutes(e), 1.0);
    // Driving from E: E→D is against the one-way: E→C→B→D, 3 minutes.
    let seed = [Seed {
        node: e,
        minutes: 0.0,
        source: 0,
    }];
    space.run(&g, seed, f64::INFINITY, Direction::FromSource);
    assert_close(space.minutes(d), 3.0);
    // Time *to* E from D (searching backwards from E) is the 1-minute one-way.
    space.run(&g, seed, f64::INFINITY, Direction::ToSource);
    assert_close(space.minutes(d), 1.0);

    // Walking, both directions are 10 minutes (600 m at 60 m/min).
    let g = walk_graph();
    let (d, e) = (node_at(&g, 600.0, 600.0), node_at(&g, 1200.0, 600.0));
    let mut space = SearchSpace::new(&g);
    let seed = [Seed {
        node: e,
        minutes: 0.0,
        source: 0,
    }];
    space.run(&g, seed, f64::INFINITY, Direction::FromSource);
    assert_close(space.minutes(d), 10.0);
}

#[test]
fn disconnected_pieces_are_dropped_with_a_warning() {
    let mut lines = network();
    lines.push(line(&[(5000.0, 5000.0), (5100.0, 5000.0)], OneWay::No));
    let mut w = Warnings::default();
    let g = RoadGraph::build_on(&lines, &TravelSpeeds::walk(60.0), plane(), &mut w);
    assert_eq!(g.node_count(), 5);
    assert_eq!(g.dropped_pieces, 1);
    assert_eq!(g.dropped_edges, 1);
    // 5 km north of the plane's centre its east-west scale is off by 0.05 %: 100 m ± 5 cm.
    assert!(
        (g.dropped_length_m - 100.0).abs() < 0.1,
        "{}",
        g.dropped_length_m
    );
    assert_eq!(w.count(carecircle::WarningKind::DisconnectedRoads), 1);
}

#[test]
fn ties_go_to_the_lower_source_number() {
    let g = walk_graph();
    let d = node_at(&g, 600.0, 600.0);
    let b = node_at(&g, 600.0, 0.0);
    let mut space = SearchSpace::new(&g);
    // Two sources at the same node and time: whichever is seeded first, B gets source 0.
    for order in [[1, 0], [0, 1]] {
        let seeds = order.map(|source| Seed {
            node: d,
            minutes: 1.0,
            source,
        });
        space.run(&g, seeds, f64::INFINITY, Direction::FromSource);
        assert_eq!(space.source(b), Some(0));
        assert_close(space.minutes(b), 11.0);
    }
}

#[test]
fn bike_and_drive_speeds_follow_the_road_class() {
    let mut lines = network();
    // A–B becomes steps: cyclists push at 40 m/min, cars may not use it at all.
    lines[0] = line(&[(0.0, 0.0), (600.0, 0.0)], OneWay::No);
    lines[0].class = "steps".into();
    lines.push(line(&[(600.0, 0.0), (1200.0, 0.0)], OneWay::No));
    let mut w = Warnings::default();
    let bike = RoadGraph::build_on(&lines, &TravelSpeeds::bike(250.0), plane(), &mut w);
    let minutes = |g: &RoadGraph, x0: f64, x1: f64| {
        let (a, b) = (node_at(g, x0, 0.0), node_at(g, x1, 0.0));
        g.edges
            .iter()
            .find(|e| (e.u, e.v) == (a, b) || (e.u, e.v) == (b, a))
            .map(|e| e.minutes_uv)
    };
    assert_close(minutes(&bike, 0.0, 600.0).unwrap(), 600.0 / 40.0);
    assert_close(minutes(&bike, 600.0, 1200.0).unwrap(), 600.0 / 250.0);
    // Driving: steps are closed (the A end drops out of the graph), residential at 20 km/h.
    let drive = RoadGraph::build_on(&lines, &TravelSpeeds::drive(500.0), plane(), &mut w);
    assert_eq!(drive.node_count(), 4);
    assert_close(
        minutes(&drive, 600.0, 1200.0).unwrap(),
        600.0 / (20_000.0 / 60.0),
    );
    // A scenario's class speed overrides the default.
    let mut speeds = TravelSpeeds::bike(250.0);
    speeds.by_class.insert("steps".into(), 20.0);
    let slow = RoadGraph::build_on(&lines, &speeds, plane(), &mut w);
    assert_close(minutes(&slow, 0.0, 600.0).unwrap(), 30.0);
}
