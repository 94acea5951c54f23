//! Writes a generated city as the files a user would have (GeoJSON layers and a scenario), so
//! that whole commands can be measured as processes (`bench/process.sh`).
//!
//! `cargo run --release --example write_city_files -- PRESET DIR`, PRESET one of
//! - `nearest`: 412 × 412 grid at 90 m, about 170,000 nodes and 310,000 edges, 13,000
//!   facilities (day care and canteen) and 5,000 communities;
//! - `city`: the audit benchmark's 520 × 520 grid, about 525,000 road segments, 1,000
//!   facilities and 5,000 communities.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use carecircle::model::OneWay;
use carecircle::synthetic::{city, CityParams, SyntheticCity};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: write_city_files nearest|city DIR");
        std::process::exit(2);
    }
    let params = match args[1].as_str() {
        "nearest" => CityParams {
            communities: 5_000,
            facilities: 13_000,
            ..CityParams::nearest_benchmark()
        },
        "city" => CityParams::audit_benchmark(),
        other => {
            eprintln!("unknown preset {other}; use nearest or city");
            std::process::exit(2);
        }
    };
    let dir = Path::new(&args[2]);
    std::fs::create_dir_all(dir).expect("create the folder");
    let c = city(params);
    write(dir, "roads.geojson", &roads(&c));
    write(dir, "communities.geojson", &communities(&c));
    write(dir, "facilities.geojson", &facilities(&c));
    write(dir, "scenario.toml", SCENARIO);
    println!(
        "{}: {} road segments, {} communities, {} facilities",
        dir.display(),
        c.lines.iter().map(|l| l.coords.len() - 1).sum::<usize>(),
        c.communities.len(),
        c.facilities.len()
    );
}

const SCENARIO: &str = r#"name = "synthetic city (generated)"
crs = "wgs84"
[travel]
mode = "walk"
speed_m_per_min = 60
limit_min = 15
[layers.communities]
path = "communities.geojson"
fields = { id = "编码", name = "名称", street = "街道", population = "常住人口", elderly = "老年人口", households = "户数" }
[layers.facilities]
path = "facilities.geojson"
fields = { id = "编号", name = "名称", kind = "类型", capacity = "床位", floor_area = "建筑面积" }
kinds = { "日间照料中心" = "day_care", "老年食堂" = "canteen" }
[layers.roads]
path = "roads.geojson"
fields = { class = "道路等级", oneway = "单行" }
[targets]
day_care = { limit_min = 15, coverage = 1.0 }
canteen = { limit_min = 15, coverage = 1.0 }
"#;

fn write(dir: &Path, name: &str, text: &str) {
    let mut f = std::fs::File::create(dir.join(name)).expect("create a file");
    f.write_all(text.as_bytes()).expect("write a file");
}

/// A FeatureCollection from already-formatted features, one per line as GIS tools write them.
fn collection(features: impl Iterator<Item = String>) -> String {
    let mut s = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (i, f) in features.enumerate() {
        if i > 0 {
            s.push_str(",\n");
        }
        s.push_str(&f);
    }
    s.push_str("\n]}\n");
    s
}

/// One feature per road segment (graph edge), as road-network datasets split at every vertex
/// are delivered, with an id and a name that the scenario does not map (a reader must skip
/// them without copying).
fn roads(c: &SyntheticCity) -> String {
    let segments = c.lines.iter().flat_map(|l| {
        let oneway = match l.oneway {
            OneWay::No => "否",
            _ => "是",
        };
        l.coords
            .windows(2)
            .map(move |w| (w[0], w[1], l.class.as_str(), oneway))
    });
    collection(segments.enumerate().map(|(i, (a, b, class, oneway))| {
        let mut f = String::with_capacity(220);
        write!(
            f,
            "{{\"type\":\"Feature\",\"properties\":{{\"编号\":\"R{i:07}\",\"名称\":\"道路{}\",\
             \"道路等级\":\"{class}\",\"单行\":\"{oneway}\"}},\"geometry\":{{\"type\":\"LineString\",\
             \"coordinates\":[[{:.7},{:.7}],[{:.7},{:.7}]]}}}}",
            i / 40,
            a.x,
            a.y,
            b.x,
            b.y
        )
        .unwrap();
        f
    }))
}

fn communities(c: &SyntheticCity) -> String {
    collection(c.communities.iter().map(|m| {
        let p = m.representative;
        format!(
            "{{\"type\":\"Feature\",\"properties\":{{\"编码\":\"{}\",\"名称\":\"{}\",\"街道\":\"{}\",\
             \"常住人口\":{},\"老年人口\":{},\"户数\":{}}},\
             \"geometry\":{{\"type\":\"Point\",\"coordinates\":[{:.7},{:.7}]}}}}",
            m.id,
            m.name,
            m.street,
            m.population,
            m.elderly,
            m.households.unwrap_or(0.0),
            p.x(),
            p.y()
        )
    }))
}

fn facilities(c: &SyntheticCity) -> String {
    collection(c.facilities.iter().map(|f| {
        let kind = match f.kind.as_str() {
            "day_care" => "日间照料中心",
            _ => "老年食堂",
        };
        format!(
            "{{\"type\":\"Feature\",\"properties\":{{\"编号\":\"{}\",\"名称\":\"{}\",\"类型\":\"{kind}\",\
             \"床位\":{},\"建筑面积\":{}}},\
             \"geometry\":{{\"type\":\"Point\",\"coordinates\":[{:.7},{:.7}]}}}}",
            f.id,
            f.name,
            f.capacity.unwrap_or(0.0),
            f.floor_area_m2.unwrap_or(0.0),
            f.location.x(),
            f.location.y()
        )
    }))
}
