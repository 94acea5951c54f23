use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use geo::{Area, BoundingRect, Contains, Coord, Point, Validation};

use super::admin::{self, Settlement};
use super::layout::dist;
use super::*;
use crate::model::FacilityKind;

/// Generating takes a few seconds in a debug build: do it once for all tests.
fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| match generate() {
        Ok(d) => d,
        Err(e) => panic!("demo generation failed: {e}"),
    })
}

#[test]
fn embedded_admin_data_is_the_real_xunyang_subset() {
    let streets = admin::streets().unwrap();
    assert_eq!(streets.len(), 9);
    assert_eq!(streets[0].name, "甘棠街道");
    let communities = admin::communities().unwrap();
    assert_eq!(communities.len(), 123);
    let codes: BTreeSet<&str> = communities.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes.len(), 123);
    for c in &communities {
        assert_eq!(c.code.len(), 12, "{}", c.code);
        assert!(c.code.starts_with(&c.street_code));
        assert!(streets.iter().any(|s| s.code == c.street_code));
    }
    let villages = communities
        .iter()
        .filter(|c| c.settlement() == Settlement::Village)
        .count();
    assert_eq!(villages, 19);
    let b = boundary();
    assert_eq!(b.0.len(), 1);
    let r = b.bounding_rect().unwrap();
    assert!((r.min().x - 115.921875).abs() < 1e-9 && (r.max().y - 29.763671875).abs() < 1e-9);
}

#[test]
fn short_names_drop_the_committee_suffix() {
    let c = |name: &str| admin::AdminCommunity {
        code: String::new(),
        name: name.into(),
        street_code: String::new(),
    };
    assert_eq!(c("湖滨社区居委会").short_name(), "湖滨社区");
    assert_eq!(c("向阳社区委员会").short_name(), "向阳社区");
    assert_eq!(c("梅山村委会").short_name(), "梅山村");
    assert_eq!(c("西林村民委员会").short_name(), "西林村");
    assert_eq!(c("梅山村委会").place_name(), "梅山");
    assert_eq!(
        c("茅山头企业集团虚拟社区").short_name(),
        "茅山头企业集团虚拟社区"
    );
}

#[test]
fn communities_tile_the_district() {
    let d = demo();
    assert_eq!(d.communities.len(), 123);
    let district = d.layout.boundary.unsigned_area();
    let mut sum = 0.0;
    for c in &d.communities {
        let a = c.shape.unsigned_area();
        assert!(a > 10_000.0, "{} has area {a}", c.admin.name);
        assert!(
            c.shape.is_valid(),
            "{} is not a valid polygon",
            c.admin.name
        );
        sum += a;
        // Each community contains its own seed's neighbourhood: the seed lies in it or
        // within one cell of it.
        assert!(
            c.shape.contains(&Point(c.seed))
                || c.shape
                    .0
                    .iter()
                    .any(|p| { p.exterior().0.iter().any(|v| dist(*v, c.seed) < 300.0) })
        );
    }
    // The communities cover the district without overlaps: their areas add up to its area.
    assert!(
        (sum - district).abs() / district < 1e-3,
        "sum {sum} vs district {district}"
    );
    for cell in &d.cells {
        assert!(cell.community < d.communities.len());
    }
}

#[test]
fn population_is_dense_in_the_core_and_old_in_the_villages() {
    let d = demo();
    let total: u64 = d.communities.iter().map(|c| c.population).sum();
    assert!((250_000..=600_000).contains(&total), "total {total}");
    let cell_total: u64 = d.cells.iter().map(|c| c.population).sum();
    assert_eq!(total, cell_total);
    for c in &d.communities {
        let cells: Vec<&Cell> = d
            .cells
            .iter()
            .filter(|x| std::ptr::eq(&d.communities[x.community], c))
            .collect();
        assert_eq!(c.elderly, cells.iter().map(|x| x.elderly).sum::<u64>());
        if c.population >= 300 {
            let share = c.elderly as f64 / c.population as f64;
            assert!((0.15..=0.30).contains(&share), "{}: {share}", c.admin.name);
            let per_household = c.population as f64 / c.households as f64;
            assert!((2.4..=2.8).contains(&per_household));
        }
    }
    let density = |s: Settlement| {
        let (p, a) = d
            .communities
            .iter()
            .filter(|c| c.settlement == s)
            .fold((0.0, 0.0), |(p, a), c| {
                (p + c.population as f64, a + c.shape.unsigned_area())
            });
        p / a * 1e6
    };
    assert!(density(Settlement::Urban) > 5.0 * density(Settlement::Village));
    // Nobody lives in the water.
    for cell in &d.cells {
        if d.layout.in_water(cell.centre) {
            assert_eq!(cell.population, 0);
        }
    }
    let new: Vec<&GenCommunity> = d.communities.iter().filter(|c| c.new_residential).collect();
    assert_eq!(new.len(), 12);
    let ratio = |c: &GenCommunity| c.care_room_m2 as f64 / (c.households as f64 / 100.0);
    assert!(new.iter().any(|c| ratio(c) < 20.0));
    assert!(new.iter().any(|c| ratio(c) > 20.0));
}

fn segments(d: &Demo) -> Vec<(usize, Coord<f64>, Coord<f64>)> {
    d.roads
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.pts.windows(2).map(move |w| (i, w[0], w[1])))
        .collect()
}

#[test]
fn roads_stay_in_the_district_and_out_of_the_water() {
    let d = demo();
    let segs = segments(d);
    assert!(
        (10_000..=40_000).contains(&segs.len()),
        "{} segments",
        segs.len()
    );
    let classes: BTreeSet<&str> = d.roads.iter().map(|r| r.class).collect();
    let expected: BTreeSet<&str> = [
        "primary",
        "secondary",
        "tertiary",
        "residential",
        "footway",
        "service",
    ]
    .into_iter()
    .collect();
    assert_eq!(classes, expected);
    assert!(d.roads.iter().filter(|r| r.oneway).count() >= 2);
    let mut bridges = 0;
    for &(i, a, b) in &segs {
        let road = &d.roads[i];
        assert!(d.layout.inside(a) && d.layout.inside(b));
        if !road.island {
            assert!(!d.layout.in_lake(a, 0.0) && !d.layout.in_lake(b, 0.0));
        }
        if d.layout.east_bank(a) != d.layout.east_bank(b) {
            assert!(road.bridge, "road {i} crosses the river without a bridge");
            bridges += 1;
        }
    }
    println!("{} segments, {bridges} bridges", segs.len());
    assert!((2..=3).contains(&bridges), "{bridges} bridges");
}

/// Two segments cross properly (not at a shared vertex).
fn proper_crossing(p: Coord<f64>, p2: Coord<f64>, q: Coord<f64>, q2: Coord<f64>) -> bool {
    let o = |a: Coord<f64>, b: Coord<f64>, c: Coord<f64>| {
        (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
    };
    let (d1, d2) = (o(q, q2, p), o(q, q2, p2));
    let (d3, d4) = (o(p, p2, q), o(p, p2, q2));
    // A tolerance of a square metre of cross product: touching at a shared vertex is fine.
    d1 * d2 < -1.0 && d3 * d4 < -1.0
}

#[test]
fn roads_only_meet_at_shared_vertices() {
    let d = demo();
    let segs = segments(d);
    // Bucket segments on a 250 m grid and compare pairs within a bucket.
    let mut buckets: BTreeMap<(i64, i64), Vec<usize>> = BTreeMap::new();
    for (n, &(_, a, b)) in segs.iter().enumerate() {
        let (x0, x1) = (a.x.min(b.x), a.x.max(b.x));
        let (y0, y1) = (a.y.min(b.y), a.y.max(b.y));
        for bx in (x0 / 250.0).floor() as i64..=(x1 / 250.0).floor() as i64 {
            for by in (y0 / 250.0).floor() as i64..=(y1 / 250.0).floor() as i64 {
                buckets.entry((bx, by)).or_default().push(n);
            }
        }
    }
    for list in buckets.values() {
        for (x, &i) in list.iter().enumerate() {
            for &j in &list[x + 1..] {
                let (_, p, p2) = segs[i];
                let (_, q, q2) = segs[j];
                assert!(
                    !proper_crossing(p, p2, q, q2),
                    "roads {} and {} cross without a shared vertex near {:?}",
                    segs[i].0,
                    segs[j].0,
                    p
                );
            }
        }
    }
}

#[test]
fn main_roads_share_vertices_with_the_streets_they_cross() {
    let d = demo();
    let vertices: BTreeMap<(u64, u64), usize> =
        d.roads
            .iter()
            .flat_map(|r| r.pts.iter())
            .fold(BTreeMap::new(), |mut m, p| {
                *m.entry((p.x.to_bits(), p.y.to_bits())).or_insert(0) += 1;
                m
            });
    let shared = d
        .roads
        .iter()
        .filter(|r| r.class == "primary")
        .flat_map(|r| r.pts.iter())
        .filter(|p| vertices.get(&(p.x.to_bits(), p.y.to_bits())).copied() > Some(1))
        .count();
    assert!(shared > 50, "primary roads share only {shared} vertices");
}

#[test]
fn facilities_leave_the_outskirts_and_the_far_bank_uncovered() {
    let d = demo();
    let count = |k: FacilityKind| d.facilities.iter().filter(|f| f.kind == k).count();
    assert_eq!(count(FacilityKind::DayCare), 17); // 16 by plan + the one that completes 湓浦街道
    assert_eq!(count(FacilityKind::Canteen), 7);
    assert_eq!(count(FacilityKind::MealPoint), 5);
    assert_eq!(count(FacilityKind::ServiceCenter), 7);
    assert_eq!(count(FacilityKind::CareHome), 4);
    assert_eq!(count(FacilityKind::MutualAid), 4);
    let ids: BTreeSet<&str> = d.facilities.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids.len(), d.facilities.len());
    for f in &d.facilities {
        assert!(d.layout.inside(f.location) && !d.layout.in_water(f.location));
    }
    let areas: Vec<u64> = d
        .facilities
        .iter()
        .filter(|f| f.kind == FacilityKind::DayCare)
        .map(|f| f.floor_area_m2)
        .collect();
    assert!(areas.iter().all(|a| (300..=800).contains(a)));
    assert!(areas.iter().any(|&a| a < 350) && areas.iter().any(|&a| a > 750));

    // Straight-line 900 m from the community's seed to the nearest day-care centre.
    let uncovered: Vec<&GenCommunity> = d
        .communities
        .iter()
        .filter(|c| {
            d.facilities
                .iter()
                .filter(|f| f.kind == FacilityKind::DayCare)
                .all(|f| dist(f.location, c.seed) > 900.0)
        })
        .collect();
    let villages = uncovered
        .iter()
        .filter(|c| c.settlement == Settlement::Village)
        .count();
    let east = uncovered
        .iter()
        .filter(|c| d.layout.east_bank(c.seed))
        .count();
    println!(
        "day care, straight line 900 m: {} of {} communities uncovered ({villages} villages, {east} east of the river)",
        uncovered.len(),
        d.communities.len()
    );
    assert!((20..=100).contains(&uncovered.len()));
    assert!(villages >= 10 && east >= 5);
}

#[test]
fn files_are_deterministic_and_well_formed() {
    let a = render(demo());
    let b = demo_files().unwrap();
    assert_eq!(a, b);
    let names: Vec<&str> = a.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, DEMO_FILES);
    for (name, text) in &a {
        if name.ends_with(".geojson") {
            let gj: geojson::GeoJson = text.parse().unwrap();
            assert!(matches!(gj, geojson::GeoJson::FeatureCollection(_)));
        }
    }
    let scenario: toml::Value = toml::from_str(SCENARIO_TOML).unwrap();
    assert_eq!(scenario["crs"].as_str(), Some("gcj02"));
}

#[test]
fn write_demo_data_writes_every_file_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("nested/demo");
    let scenario = write_demo_data(&target).unwrap();
    assert_eq!(scenario, target.join("scenario.toml"));
    for name in DEMO_FILES {
        assert!(target.join(name).is_file(), "{name}");
        assert!(!target.join(format!("{name}.tmp")).exists());
    }
    // A file where the directory should be is an error, not a panic.
    let blocked = dir.path().join("file");
    std::fs::write(&blocked, b"x").unwrap();
    assert!(matches!(
        write_demo_data(&blocked.join("sub")),
        Err(Error::Write { .. })
    ));
}
