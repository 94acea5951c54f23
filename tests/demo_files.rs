//! The committed demo files in `data/demo/` are exactly what the generator writes, and they
//! hold what the rest of carecircle relies on. After changing the generator, rewrite them with
//! `cargo run --example regen_demo`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use carecircle::demo::{boundary, write_demo_data, DEMO_FILES};
use carecircle::model::FacilityKind;
use geo::{BoundingRect, Contains, Geometry, Point, Validation};
use serde_json::Value;

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo")
}

fn features(dir: &Path, name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["type"], "FeatureCollection", "{name}");
    v["features"].as_array().unwrap().clone()
}

fn geometry(f: &Value) -> Geometry<f64> {
    let g: geojson::Geometry = serde_json::from_value(f["geometry"].clone()).unwrap();
    g.try_into().unwrap()
}

fn s<'a>(f: &'a Value, key: &str) -> &'a str {
    f["properties"][key]
        .as_str()
        .unwrap_or_else(|| panic!("property {key} is not a string in {f}"))
}

fn n(f: &Value, key: &str) -> u64 {
    f["properties"][key]
        .as_u64()
        .unwrap_or_else(|| panic!("property {key} is not a count in {f}"))
}

#[test]
fn committed_demo_files_match_the_generator_and_generation_is_repeatable() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let scenario = write_demo_data(&a).unwrap();
    assert_eq!(scenario, a.join("scenario.toml"));
    write_demo_data(&b).unwrap();
    for name in DEMO_FILES {
        let first = std::fs::read(a.join(name)).unwrap();
        let second = std::fs::read(b.join(name)).unwrap();
        assert!(first == second, "{name} differs between two runs");
        let committed = std::fs::read(committed_dir().join(name)).unwrap();
        assert!(
            first == committed,
            "data/demo/{name} is stale: run `cargo run --example regen_demo`"
        );
    }
}

#[test]
fn demo_layers_hold_what_the_audit_relies_on() {
    let dir = committed_dir();
    let district = boundary();
    let bbox = district.bounding_rect().unwrap();
    // Output coordinates are rounded to 7 decimals, which may move a vertex on the boundary
    // outwards by up to 5e-8°.
    let tol = 1e-7;
    let in_bbox = |p: geo::Coord<f64>| {
        p.x >= bbox.min().x - tol
            && p.x <= bbox.max().x + tol
            && p.y >= bbox.min().y - tol
            && p.y <= bbox.max().y + tol
    };

    // Communities: the 123 real ones, in the 9 real street-level units.
    let communities = features(&dir, "communities.geojson");
    assert_eq!(communities.len(), 123);
    let ids: BTreeSet<&str> = communities.iter().map(|c| s(c, "编码")).collect();
    assert_eq!(ids.len(), 123, "community ids are unique");
    assert!(ids
        .iter()
        .all(|id| id.len() == 12 && id.starts_with("360403")));
    let streets: BTreeSet<&str> = communities.iter().map(|c| s(c, "街道")).collect();
    assert_eq!(streets.len(), 9);
    assert!(streets.contains("甘棠街道") && streets.contains("茅山头企业集团"));
    let mut shapes = BTreeMap::new();
    for c in &communities {
        let g = geometry(c);
        assert!(matches!(
            g,
            Geometry::Polygon(_) | Geometry::MultiPolygon(_)
        ));
        assert!(g.is_valid(), "{} is not a valid polygon", s(c, "名称"));
        let r = g.bounding_rect().unwrap();
        assert!(r.width() > 0.0 && r.height() > 0.0, "{}", s(c, "名称"));
        assert!(
            in_bbox(r.min()) && in_bbox(r.max()),
            "{} outside",
            s(c, "名称")
        );
        assert!(["是", "否"].contains(&s(c, "新建住宅")));
        n(c, "养老服务用房面积");
        let (pop, households) = (n(c, "常住人口") as f64, n(c, "户数") as f64);
        if pop > 0.0 {
            assert!((2.3..=2.9).contains(&(pop / households)));
        }
        shapes.insert(s(c, "编码").to_string(), g);
    }

    // Population cells add up to their community's counts and lie inside it.
    let cells = features(&dir, "population.geojson");
    assert!(cells.len() > 1500, "{} cells", cells.len());
    let mut sums: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for cell in &cells {
        let (pop, elderly) = (n(cell, "人口"), n(cell, "老年人口"));
        assert!(pop > 0 && elderly <= pop);
        let code = s(cell, "社区编码");
        let Geometry::Point(p) = geometry(cell) else {
            panic!("population cell is not a point: {cell}")
        };
        assert!(shapes[code].contains(&p), "cell {p:?} is outside {code}");
        let e = sums.entry(code).or_default();
        e.0 += pop;
        e.1 += elderly;
    }
    for c in &communities {
        let (pop, elderly) = sums.get(s(c, "编码")).copied().unwrap_or_default();
        assert_eq!(n(c, "常住人口"), pop, "{}", s(c, "名称"));
        assert_eq!(n(c, "老年人口"), elderly, "{}", s(c, "名称"));
    }

    // Facilities: unique ids, known kinds, inside the district.
    let facilities = features(&dir, "facilities.geojson");
    assert!((30..=50).contains(&facilities.len()));
    let fids: BTreeSet<&str> = facilities.iter().map(|f| s(f, "编号")).collect();
    assert_eq!(fids.len(), facilities.len(), "facility ids are unique");
    let mut kinds = BTreeSet::new();
    for f in &facilities {
        let kind = FacilityKind::parse(s(f, "类型")).unwrap();
        kinds.insert(kind);
        let Geometry::Point(p) = geometry(f) else {
            panic!("facility is not a point: {f}")
        };
        assert!(
            district.contains(&p),
            "{} outside the district",
            s(f, "名称")
        );
        n(f, "建筑面积");
        if matches!(kind, FacilityKind::DayCare | FacilityKind::CareHome) {
            assert!(n(f, "床位") > 0);
        }
    }
    assert_eq!(kinds.len(), 6, "every kind is present");

    // Roads: lines with known classes and one-way flags, inside the district.
    let roads = features(&dir, "roads.geojson");
    let classes = [
        "primary",
        "secondary",
        "tertiary",
        "residential",
        "footway",
        "service",
    ];
    let mut segments = 0;
    for r in &roads {
        assert!(classes.contains(&s(r, "道路等级")));
        assert!(["是", "否"].contains(&s(r, "单行")));
        let Geometry::LineString(line) = geometry(r) else {
            panic!("road is not a LineString: {r}")
        };
        assert!(line.0.len() >= 2);
        assert!(line.0.iter().all(|&c| in_bbox(c)));
        assert!(district.contains(&Point(line.0[0])));
        segments += line.0.len() - 1;
    }
    assert!((10_000..=40_000).contains(&segments), "{segments} segments");
}

#[test]
fn demo_scenario_points_at_the_demo_layers() {
    let dir = committed_dir();
    let text = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
    let scenario: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(scenario["crs"].as_str(), Some("gcj02"));
    assert_eq!(scenario["travel"]["limit_min"].as_integer(), Some(15));
    let layers = scenario["layers"].as_table().unwrap();
    // communities, facilities, population, roads and the residential parcels.
    assert_eq!(layers.len(), 5);
    for (name, layer) in layers {
        let path = layer["path"].as_str().unwrap();
        assert!(dir.join(path).is_file(), "layer {name}: {path}");
    }
    let kinds = scenario["layers"]["facilities"]["kinds"]
        .as_table()
        .unwrap();
    for (chinese, machine) in kinds {
        let kind = FacilityKind::parse(machine.as_str().unwrap()).unwrap();
        assert_eq!(kind.chinese(), chinese);
    }
}
