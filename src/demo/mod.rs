//! The demo district: the real 浔阳区 (九江市, 江西省) boundary, streets and communities with
//! their official names and codes, and generated positions, community polygons, population
//! cells, roads and facilities inside it.
//!
//! The generated layers are in GCJ-02 lon/lat, like the published boundary, and the scenario
//! declares `crs = "gcj02"`, so loading the demo exercises the GCJ-02 conversion. Everything is
//! deterministic (SplitMix64 with a fixed seed, fixed iteration order, coordinates rounded to
//! 7 decimals): the same bytes on every run. Nothing is read from disk or downloaded.

mod admin;
mod district;
mod facilities;
mod layout;
mod roads;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::{Map, Value};

use crate::rng::SplitMix64;
use crate::{Error, Result};

use district::{Cell, GenCommunity};
use facilities::GenFacility;
use layout::Layout;
use roads::Road;

/// The seed of the demo's random numbers. Changing it changes every generated position.
const DEMO_SEED: u64 = 0x0036_0403_2025;

/// An independent random stream per layer, so that changing one layer leaves the others as
/// they were.
fn stream(k: u64) -> SplitMix64 {
    SplitMix64::new(DEMO_SEED ^ k.wrapping_mul(0xD1B5_4A32_D192_ED03))
}

/// File names written by [`write_demo_data`].
pub const SCENARIO_FILE: &str = "scenario.toml";
pub const COMMUNITIES_FILE: &str = "communities.geojson";
pub const FACILITIES_FILE: &str = "facilities.geojson";
pub const POPULATION_FILE: &str = "population.geojson";
pub const ROADS_FILE: &str = "roads.geojson";

/// Every file of the demo, in writing order.
pub const DEMO_FILES: [&str; 5] = [
    COMMUNITIES_FILE,
    FACILITIES_FILE,
    POPULATION_FILE,
    ROADS_FILE,
    SCENARIO_FILE,
];

const SCENARIO_TOML: &str = r#"name = "浔阳区 演示 (generated demo data)"
crs = "gcj02"
[travel]
mode = "walk"
speed_m_per_min = 60
limit_min = 15
[layers.communities]
path = "communities.geojson"
fields = { id = "编码", name = "名称", street = "街道", population = "常住人口", elderly = "老年人口", households = "户数", new_residential = "新建住宅", service_floor_area_m2 = "养老服务用房面积", kind = "类别" }
[layers.facilities]
path = "facilities.geojson"
fields = { id = "编号", name = "名称", kind = "类型", capacity = "床位", floor_area = "建筑面积", nursing_beds = "护理型床位", community = "社区编码", land_area_m2 = "用地面积", public = "公办" }
kinds = { "日间照料中心" = "day_care", "老年食堂" = "canteen", "助餐点" = "meal_point", "街道综合养老服务中心" = "service_center", "养老院" = "care_home", "农村互助养老点" = "mutual_aid" }
[layers.population]
path = "population.geojson"
fields = { population = "人口", elderly = "老年人口" }
[layers.roads]
path = "roads.geojson"
fields = { class = "道路等级", oneway = "单行" }
[targets]
day_care = { limit_min = 15, coverage = 1.0, communities = "urban" }
canteen = { limit_min = 15, coverage = 1.0 }
mutual_aid = { limit_min = 15, coverage = 1.0, communities = "village" }
"#;

/// Writes the demo layers and scenario into `dir` (creating it) and returns the scenario path.
pub fn write_demo_data(dir: &Path) -> Result<PathBuf> {
    let files = demo_files()?;
    fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    for (name, text) in &files {
        write_atomic(&dir.join(name), text.as_bytes())?;
    }
    Ok(dir.join(SCENARIO_FILE))
}

/// The real district boundary (as published, GCJ-02 lon/lat) for maps.
///
/// The boundary is compiled in; should it ever fail to parse (a broken build), this returns
/// an empty MultiPolygon rather than panicking (the crate's tests check it is not empty).
pub fn boundary() -> MultiPolygon<f64> {
    admin::boundary_lonlat().unwrap_or_else(|_| MultiPolygon(Vec::new()))
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);
    let err = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    {
        let mut f = fs::File::create(&tmp).map_err(err)?;
        f.write_all(bytes).map_err(err)?;
        f.sync_all().map_err(err)?;
    }
    fs::rename(&tmp, path).map_err(err)
}

/// Everything the demo is made of, in metres on the layout's plane.
pub(crate) struct Demo {
    layout: Layout,
    communities: Vec<GenCommunity>,
    cells: Vec<Cell>,
    roads: Vec<Road>,
    facilities: Vec<GenFacility>,
}

pub(crate) fn generate() -> Result<Demo> {
    let boundary = admin::boundary_lonlat()?;
    let layout = Layout::new(&boundary)
        .ok_or_else(|| Error::Other("the embedded boundary of 浔阳区 is empty".into()))?;
    let streets = admin::streets()?;
    let admin = admin::communities()?;
    let mut rng_seeds = stream(0);
    let mut rng_people = stream(1);
    let mut rng_roads = stream(2);
    let mut rng_facilities = stream(3);

    let seeds = district::place_seeds(&layout, &admin, &mut rng_seeds);
    let mut cells = district::grid_cells(&layout);
    district::assign_cells(&layout, &mut cells, &seeds, &admin);
    let communities = district::populate(
        &layout,
        &streets,
        &admin,
        &seeds,
        &mut cells,
        &mut rng_people,
    );
    let roads = roads::generate_roads(&layout, &mut rng_roads);
    let facilities = facilities::place_facilities(&layout, &communities, &mut rng_facilities);
    Ok(Demo {
        layout,
        communities,
        cells,
        roads,
        facilities,
    })
}

/// The demo's files as (name, contents), in [`DEMO_FILES`] order.
pub(crate) fn demo_files() -> Result<Vec<(&'static str, String)>> {
    Ok(render(&generate()?))
}

fn render(demo: &Demo) -> Vec<(&'static str, String)> {
    vec![
        (COMMUNITIES_FILE, communities_geojson(demo)),
        (FACILITIES_FILE, facilities_geojson(demo)),
        (POPULATION_FILE, population_geojson(demo)),
        (ROADS_FILE, roads_geojson(demo)),
        (SCENARIO_FILE, SCENARIO_TOML.to_string()),
    ]
}

// ---------------------------------------------------------------------------------------------
// GeoJSON output: one feature per line, properties in a fixed order, 7 decimals.

fn round7(v: f64) -> f64 {
    let r = (v * 1e7).round() / 1e7;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// Metres → GCJ-02 lon/lat, rounded.
fn lonlat(layout: &Layout, c: Coord<f64>) -> (f64, f64) {
    let g = layout.plane.unproject(c);
    (round7(g.x), round7(g.y))
}

fn position(layout: &Layout, c: Coord<f64>) -> Value {
    let (x, y) = lonlat(layout, c);
    Value::Array(vec![Value::from(x), Value::from(y)])
}

fn ring_json(layout: &Layout, ring: &LineString<f64>) -> Value {
    let mut out: Vec<Value> = Vec::with_capacity(ring.0.len());
    let mut last: Option<(f64, f64)> = None;
    for &c in &ring.0 {
        let ll = lonlat(layout, c);
        if last != Some(ll) {
            out.push(Value::Array(vec![Value::from(ll.0), Value::from(ll.1)]));
            last = Some(ll);
        }
    }
    // Close the ring explicitly.
    if let (Some(first), Some(l)) = (out.first().cloned(), out.last()) {
        if *l != first {
            out.push(first);
        }
    }
    Value::Array(out)
}

fn polygon_json(layout: &Layout, p: &Polygon<f64>) -> Value {
    let mut rings = vec![ring_json(layout, p.exterior())];
    rings.extend(p.interiors().iter().map(|r| ring_json(layout, r)));
    Value::Array(rings)
}

fn multipolygon_geometry(layout: &Layout, mp: &MultiPolygon<f64>) -> Value {
    let mut g = Map::new();
    if mp.0.len() == 1 {
        g.insert("type".into(), "Polygon".into());
        g.insert("coordinates".into(), polygon_json(layout, &mp.0[0]));
    } else {
        g.insert("type".into(), "MultiPolygon".into());
        g.insert(
            "coordinates".into(),
            Value::Array(mp.0.iter().map(|p| polygon_json(layout, p)).collect()),
        );
    }
    Value::Object(g)
}

fn point_geometry(layout: &Layout, c: Coord<f64>) -> Value {
    let mut g = Map::new();
    g.insert("type".into(), "Point".into());
    g.insert("coordinates".into(), position(layout, c));
    Value::Object(g)
}

fn feature(properties: Map<String, Value>, geometry: Value) -> String {
    let mut f = Map::new();
    f.insert("type".into(), "Feature".into());
    f.insert("properties".into(), Value::Object(properties));
    f.insert("geometry".into(), geometry);
    Value::Object(f).to_string()
}

fn collection(name: &str, features: Vec<String>) -> String {
    let mut s = String::new();
    s.push_str("{\"type\":\"FeatureCollection\",\"name\":");
    s.push_str(&Value::from(name).to_string());
    s.push_str(",\"features\":[\n");
    s.push_str(&features.join(",\n"));
    s.push_str("\n]}\n");
    s
}

fn communities_geojson(demo: &Demo) -> String {
    let features = demo
        .communities
        .iter()
        .map(|c| {
            let mut p = Map::new();
            p.insert("编码".into(), c.admin.code.clone().into());
            p.insert("名称".into(), c.admin.name.clone().into());
            p.insert("街道".into(), c.street_name.clone().into());
            p.insert("街道编码".into(), c.admin.street_code.clone().into());
            let kind = match c.settlement {
                admin::Settlement::Urban => "社区",
                admin::Settlement::Village => "村",
                admin::Settlement::Virtual => "虚拟社区",
            };
            p.insert("类别".into(), kind.into());
            p.insert("常住人口".into(), c.population.into());
            p.insert("老年人口".into(), c.elderly.into());
            p.insert("户数".into(), c.households.into());
            p.insert(
                "新建住宅".into(),
                if c.new_residential { "是" } else { "否" }.into(),
            );
            p.insert("养老服务用房面积".into(), c.care_room_m2.into());
            feature(p, multipolygon_geometry(&demo.layout, &c.shape))
        })
        .collect();
    collection("communities", features)
}

fn facilities_geojson(demo: &Demo) -> String {
    let features = demo
        .facilities
        .iter()
        .map(|f| {
            let mut p = Map::new();
            p.insert("编号".into(), f.id.clone().into());
            p.insert("名称".into(), f.name.clone().into());
            p.insert("类型".into(), f.kind.chinese().into());
            p.insert("街道".into(), f.street.clone().into());
            p.insert("社区编码".into(), f.community_code.clone().into());
            if let Some(beds) = f.beds {
                p.insert("床位".into(), beds.into());
            }
            p.insert("建筑面积".into(), f.floor_area_m2.into());
            if let Some(n) = f.nursing_beds {
                p.insert("护理型床位".into(), n.into());
            }
            p.insert("用地面积".into(), f.land_area_m2.into());
            if let Some(public) = f.public {
                p.insert("公办".into(), if public { "是" } else { "否" }.into());
            }
            feature(p, point_geometry(&demo.layout, f.location))
        })
        .collect();
    collection("facilities", features)
}

fn population_geojson(demo: &Demo) -> String {
    let features = demo
        .cells
        .iter()
        .filter(|c| c.population > 0)
        .map(|c| {
            let mut p = Map::new();
            p.insert("人口".into(), c.population.into());
            p.insert("老年人口".into(), c.elderly.into());
            p.insert(
                "社区编码".into(),
                demo.communities
                    .get(c.community)
                    .map(|k| k.admin.code.clone())
                    .unwrap_or_default()
                    .into(),
            );
            feature(p, point_geometry(&demo.layout, c.point))
        })
        .collect();
    collection("population", features)
}

fn roads_geojson(demo: &Demo) -> String {
    let features = demo
        .roads
        .iter()
        .filter_map(|r| {
            let mut coords: Vec<Value> = Vec::with_capacity(r.pts.len());
            let mut last: Option<(f64, f64)> = None;
            for &c in &r.pts {
                let ll = lonlat(&demo.layout, c);
                if last != Some(ll) {
                    coords.push(Value::Array(vec![Value::from(ll.0), Value::from(ll.1)]));
                    last = Some(ll);
                }
            }
            if coords.len() < 2 {
                return None;
            }
            let mut p = Map::new();
            p.insert("道路等级".into(), r.class.into());
            p.insert("单行".into(), if r.oneway { "是" } else { "否" }.into());
            let mut g = Map::new();
            g.insert("type".into(), "LineString".into());
            g.insert("coordinates".into(), Value::Array(coords));
            Some(feature(p, Value::Object(g)))
        })
        .collect();
    collection("roads", features)
}

#[cfg(test)]
mod tests;
