//! Reads the Helsinki OSM extract in ../shared/data/osm and checks the counts against an
//! independent reading of the same file (pyosmium 4.3.2; see the README next to the file).
//!
//! Reference numbers, computed with pyosmium for the same rules as `carecircle::io::osm`:
//! * 2,650 ways with a `highway` tag (README), of which 88 are dropped: 55 `platform`,
//!   3 `construction`, 30 `access=private|no` (none has a foot permission) → 2,562 kept.
//!   The README's "~2,582 plausibly walkable" is a different cut: it keeps platforms (55) and
//!   drops motorway/trunk(+_link) and foot=no (35 ways, all foot=no: 30 cycleways and 5 service
//!   roads; there is no motorway or trunk in the box), which we keep with `no_walk`:
//!   2,650 − 3 − 30 − 35 = 2,582, and 2,562 = 2,582 − 55 + 35.
//! * 912 node references of highway ways point to nodes absent from the file (README);
//!   880 of them are on kept ways (the other 32 on dropped ones).
//! * Splitting the kept ways at missing nodes gives 2,500 lines: 178 kept ways touch missing
//!   nodes; 109 of them are split or shortened, 69 have no run of two present nodes left;
//!   10,591 vertices, 6,735 distinct nodes (the README's 7,738 distinct nodes are over all
//!   2,650 ways and count the 828 absent ones too: 6,910 present).
//! * Haversine length (R = 6,371,008.8 m) of the 2,500 lines: 101,639.814 m. The README's
//!   106.70 km is over all 2,650 ways and bridges the gaps where nodes are missing; without
//!   bridging it is 106,507.6 m.

use std::path::Path;
use std::time::Instant;

use carecircle::io::osm::read_osm_pbf_with_stats;
use carecircle::model::{OneWay, RoadLine};
use carecircle::{WarningKind, Warnings};

const HELSINKI: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/osm/Helsinki.osm.pbf"
);

fn haversine_m(a: geo::Coord<f64>, b: geo::Coord<f64>) -> f64 {
    const R: f64 = 6_371_008.8;
    let (lat1, lat2) = (a.y.to_radians(), b.y.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.x - a.x).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().min(1.0).asin()
}

fn length_m(lines: &[RoadLine]) -> f64 {
    lines
        .iter()
        .flat_map(|l| l.coords.windows(2))
        .map(|w| haversine_m(w[0], w[1]))
        .sum()
}

#[test]
fn helsinki_highways() {
    let path = Path::new(HELSINKI);
    if !path.exists() {
        println!("skipped: ../shared/data/osm/Helsinki.osm.pbf not found");
        return;
    }
    let mut warnings = Warnings::default();
    let start = Instant::now();
    let (lines, stats) = read_osm_pbf_with_stats(path, &mut warnings).unwrap();
    println!("read {} lines in {:?}", lines.len(), start.elapsed());

    assert_eq!(stats.highway_ways, 2_650);
    assert_eq!(stats.kept_ways, 2_562);
    assert_eq!(stats.missing_refs_highway, 912);
    assert_eq!(stats.missing_refs_kept, 880);
    assert_eq!(stats.ways_split, 109);
    assert_eq!(stats.ways_lost, 69);
    assert_eq!(stats.ways_with_lines, 2_562 - 69);
    assert_eq!(stats.lines, 2_500);
    assert_eq!(lines.len(), 2_500);
    assert_eq!(stats.vertices, 10_591);
    assert_eq!(stats.distinct_nodes, 6_735);
    assert_eq!(stats.bad_coordinate_refs, 0);

    let total = length_m(&lines);
    let reference = 101_639.814;
    assert!(
        (total - reference).abs() <= reference * 1e-3,
        "total length {total:.1} m, reference {reference} m"
    );
    println!("total length {total:.3} m");

    // One summary warning for the clipped ways.
    assert_eq!(warnings.items.len(), 1);
    assert_eq!(warnings.count(WarningKind::SkippedRoad), 1);
    assert!(warnings.items[0]
        .message
        .contains("880 way node references"));

    // Every line has two or more vertices, all inside the header bbox.
    for line in &lines {
        assert!(line.coords.len() >= 2);
        for c in &line.coords {
            assert!(
                (24.93..=24.96).contains(&c.x) && (60.16..=60.18).contains(&c.y),
                "{c:?}"
            );
        }
    }

    // Classes, one-way and walking flags per line (reference: pyosmium, same rules).
    let count = |f: &dyn Fn(&RoadLine) -> bool| lines.iter().filter(|l| f(l)).count();
    let class = |c: &str| count(&|l: &RoadLine| l.class == c);
    assert_eq!(class("platform"), 0);
    assert_eq!(class("construction"), 0);
    assert_eq!(class("footway"), 1_071);
    assert_eq!(class("residential"), 231);
    assert_eq!(class("service"), 213);
    assert_eq!(class("primary"), 139);
    assert_eq!(class("steps"), 140);
    assert_eq!(class("trail"), 159);
    assert_eq!(class("cycleway"), 116);
    // No motorway or trunk in this box: the 35 no-walk lines are foot=no cycleways (30) and
    // service roads (5).
    assert_eq!(count(&|l| l.no_walk), 35);
    assert_eq!(count(&|l| l.no_walk && l.class == "cycleway"), 30);
    assert_eq!(count(&|l| l.no_walk && l.class == "service"), 5);
    assert_eq!(count(&|l| l.oneway == OneWay::Forward), 461);
    assert_eq!(count(&|l| l.oneway == OneWay::Backward), 0);

    // Deterministic: a second read gives the same lines.
    let (again, _) = read_osm_pbf_with_stats(path, &mut Warnings::default()).unwrap();
    assert_eq!(again.len(), lines.len());
    assert!(lines
        .iter()
        .zip(&again)
        .all(|(a, b)| a.coords == b.coords && a.class == b.class && a.oneway == b.oneway));
}
