//! The demo district written by the test itself as Shapefiles (GBK `.cpg`, field names cut to
//! 10 bytes) and as one GeoPackage, in projected bureau CRSs, then audited: every community's
//! minutes equal the GeoJSON run within 0.01 min and the coverage totals are identical. Then
//! `inspect` on the Shapefiles proposes a scenario that runs and gives the same numbers.

use std::path::{Path, PathBuf};

use carecircle::coverage::audit;
use carecircle::crs::Crs;
use carecircle::export::{layer_of_geojson, OutputLayer};
use carecircle::study::Study;
use geo::MapCoords;

const LAYERS: [&str; 4] = ["communities", "facilities", "population", "roads"];

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo")
}

/// A demo layer in WGS-84 (the files are GCJ-02).
fn demo_layer(name: &str) -> OutputLayer {
    let bytes = std::fs::read(demo_dir().join(format!("{name}.geojson"))).unwrap();
    let mut layer = layer_of_geojson(name, &bytes).unwrap();
    for (g, _) in &mut layer.features {
        *g = g.map_coords(|c| Crs::Gcj02.to_wgs84(c));
    }
    layer
}

/// Minutes to the nearest facility of each kind per community, and the totals.
fn numbers(scenario: &Path) -> (Vec<Vec<Option<f64>>>, Vec<String>) {
    let study = Study::load(scenario).unwrap_or_else(|e| panic!("{}: {e}", scenario.display()));
    let result = audit(&study);
    let minutes = result
        .kinds
        .iter()
        .map(|k| k.nearest.iter().map(|n| n.map(|n| n.minutes)).collect())
        .collect();
    let totals = result
        .kinds
        .iter()
        .map(|k| format!("{} {:?}", k.kind, result.totals(k, |_| true)))
        .collect();
    (minutes, totals)
}

fn assert_same(geojson: &Path, other: &Path) {
    let (m0, t0) = numbers(geojson);
    let (m1, t1) = numbers(other);
    assert_eq!(t0, t1, "coverage totals");
    assert_eq!(m0.len(), m1.len());
    let mut compared = 0;
    for (a, b) in m0.iter().zip(&m1) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            match (x, y) {
                (Some(x), Some(y)) => {
                    assert!((x - y).abs() <= 0.01, "{x} vs {y} minutes");
                    compared += 1;
                }
                (None, None) => {}
                _ => panic!("reachability differs: {x:?} vs {y:?}"),
            }
        }
    }
    assert!(compared > 100, "only {compared} minutes compared");
}

/// The demo scenario with its paths pointing at other files and without its crs.
fn scenario_text(edit: impl Fn(&str) -> String) -> String {
    let text = std::fs::read_to_string(demo_dir().join("scenario.toml")).unwrap();
    edit(&text.replace("crs = \"gcj02\"\n", ""))
}

#[test]
fn demo_as_gbk_shapefiles_in_epsg_4527_audit_like_the_geojson() {
    let tmp = tempfile::tempdir().unwrap();
    // CGCS2000 / 3-degree Gauss-Krüger zone 39 (with the zone prefix), as a bureau keeps it.
    let crs = Crs::from_epsg(4527).unwrap();
    let mut renamed = Vec::new();
    for name in LAYERS {
        let layer = demo_layer(name).in_crs(crs);
        let files = carecircle::export::shapefile::write(&layer, crs, encoding_rs::GBK).unwrap();
        for (ext, bytes) in &files.files {
            std::fs::write(tmp.path().join(format!("{name}.{ext}")), bytes).unwrap();
        }
        renamed.extend(files.renamed);
    }
    // 养老服务用房面积 is 16 bytes in GBK: cut to five characters.
    assert!(renamed.contains(&("养老服务用".to_string(), "养老服务用房面积".to_string())));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("communities.cpg")).unwrap(),
        "GBK"
    );
    // The .prj is what ArcGIS writes for EPSG:4527, and reads back as it.
    let prj = std::fs::read_to_string(tmp.path().join("communities.prj")).unwrap();
    assert!(prj.contains("CGCS2000_3_Degree_GK_Zone_39"), "{prj}");
    assert_eq!(Crs::from_prj(&prj).unwrap().epsg(), Some(4527));
    let text = scenario_text(|t| {
        let mut t = t.replace(".geojson\"", ".shp\"");
        for (short, full) in &renamed {
            t = t.replace(&format!("\"{full}\""), &format!("\"{short}\""));
        }
        t
    });
    let scenario = tmp.path().join("scenario.toml");
    std::fs::write(&scenario, text).unwrap();
    assert_same(&demo_dir().join("scenario.toml"), &scenario);
}

#[test]
fn demo_as_one_geopackage_in_epsg_4548_audits_like_the_geojson() {
    let tmp = tempfile::tempdir().unwrap();
    // CGCS2000 / 3-degree Gauss-Krüger CM 117E (no zone prefix).
    let crs = Crs::from_epsg(4548).unwrap();
    let layers: Vec<OutputLayer> = LAYERS.iter().map(|n| demo_layer(n).in_crs(crs)).collect();
    carecircle::export::gpkg::write_to(&tmp.path().join("demo.gpkg"), &layers, crs).unwrap();
    let text = scenario_text(|t| {
        let mut t = t.to_string();
        for name in LAYERS {
            t = t.replace(
                &format!("path = \"{name}.geojson\""),
                &format!("path = \"demo.gpkg\"\nlayer = \"{name}\""),
            );
        }
        t
    });
    let scenario = tmp.path().join("scenario.toml");
    std::fs::write(&scenario, text).unwrap();
    assert_same(&demo_dir().join("scenario.toml"), &scenario);
}
