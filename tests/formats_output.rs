//! `[output] formats = ["geojson", "shp", "gpkg"]`: the run's layers come back as Shapefiles
//! (with `.prj`, `.cpg`, field names within 10 bytes listed in report.md) and as one
//! GeoPackage holding every layer, read back identical to the GeoJSON outputs; two runs give
//! the same bytes.

mod common;

use std::path::PathBuf;

use common::{carecircle_ok, demo_copy, demo_dir};

use carecircle::io::features::{FeatureSink, LayerInfo, RawFeature, ReadRequest};
use carecircle::io::scenario::LayerSpec;

fn run_with_output(output: &str) -> (tempfile::TempDir, PathBuf) {
    let (tmp, scenario) = demo_copy();
    let text = std::fs::read_to_string(&scenario).unwrap();
    std::fs::write(&scenario, format!("{text}\n{output}")).unwrap();
    let out = tmp.path().join("out");
    carecircle_ok(&["audit"], &scenario, &out);
    (tmp, out)
}

struct Collect(Vec<RawFeature>, Vec<String>);
impl FeatureSink for Collect {
    fn begin(&mut self, info: &LayerInfo) {
        self.1 = info.field_names.clone();
    }
    fn feature(&mut self, f: RawFeature) {
        self.0.push(f);
    }
}

fn read_all(spec: &LayerSpec) -> Collect {
    let mut c = Collect(Vec::new(), Vec::new());
    let request = ReadRequest {
        fields: Vec::new(),
        keep_rest: true,
    };
    carecircle::io::read_layer(spec, &request, &mut c).unwrap();
    c
}

#[test]
fn shapefile_and_geopackage_outputs_hold_the_geojson_layers() {
    let (_tmp, out) = run_with_output(
        "[output]\nformats = [\"geojson\", \"shp\", \"gpkg\"]\nencoding = \"gbk\"\n",
    );
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        assert!(out.join(format!("communities.{ext}")).exists(), "{ext}");
        assert!(out.join(format!("uncovered.{ext}")).exists(), "{ext}");
    }
    assert_eq!(
        std::fs::read_to_string(out.join("communities.cpg")).unwrap(),
        "GBK"
    );
    assert!(std::fs::read_to_string(out.join("communities.prj"))
        .unwrap()
        .starts_with("GEOGCS[\"GCS_WGS_1984\""));
    let geojson = read_all(&LayerSpec::at(
        out.join("communities.geojson"),
        Default::default(),
    ));
    let mut shp_spec = LayerSpec::at(out.join("communities.shp"), Default::default());
    shp_spec.crs_given = false;
    let shp = read_all(&shp_spec);
    assert_eq!(geojson.0.len(), shp.0.len());
    assert!(
        shp.1
            .iter()
            .all(|n| encoding_rs::GBK.encode(n).0.len() <= 10),
        "{:?}",
        shp.1
    );
    // Every attribute value and vertex comes back.
    for (a, b) in geojson.0.iter().zip(&shp.0) {
        let values_a: Vec<String> = a
            .rest
            .iter()
            .map(|(_, v)| v.text().unwrap_or_default())
            .collect();
        let values_b: Vec<String> = b
            .rest
            .iter()
            .map(|(_, v)| v.text().unwrap_or_default())
            .collect();
        assert_eq!(values_a, values_b);
        use geo::CoordsIter;
        let ca: Vec<_> = a.geometry.clone().unwrap().unwrap().coords_iter().collect();
        let cb: Vec<_> = b.geometry.clone().unwrap().unwrap().coords_iter().collect();
        assert_eq!(ca.len(), cb.len());
    }
    // The cut names are listed with their full names in report.md.
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("## Shapefile 字段名"), "{md}");
    let renamed: Vec<&String> = shp
        .1
        .iter()
        .filter(|n| !geojson.0[0].rest.iter().any(|(k, _)| k == *n))
        .collect();
    assert!(!renamed.is_empty());
    for n in renamed {
        assert!(
            md.contains(&format!("| communities | {n} |")),
            "{n} not listed"
        );
    }
    // One GeoPackage with every layer.
    let conn = carecircle::io::gpkg::open(&out.join("results.gpkg")).unwrap();
    let layers = carecircle::io::gpkg::layers(&conn, &out.join("results.gpkg")).unwrap();
    assert_eq!(layers, ["communities", "uncovered"]);
    let mut spec = LayerSpec::at(out.join("results.gpkg"), Default::default());
    spec.layer = Some("communities".into());
    let gpkg = read_all(&spec);
    assert_eq!(gpkg.0.len(), geojson.0.len());
    for (a, b) in geojson.0.iter().zip(&gpkg.0) {
        let values_a: Vec<String> = a
            .rest
            .iter()
            .map(|(_, v)| v.text().unwrap_or_default())
            .collect();
        let values_b: Vec<String> = b
            .rest
            .iter()
            .map(|(_, v)| v.text().unwrap_or_default())
            .collect();
        assert_eq!(values_a, values_b);
        assert_eq!(a.geometry, b.geometry);
    }
}

#[test]
fn bureau_outputs_are_byte_identical_between_runs() {
    let output = "[output]\nformats = [\"shp\", \"gpkg\"]\n";
    let (_a, first) = run_with_output(output);
    let (_b, second) = run_with_output(output);
    for name in [
        "communities.shp",
        "communities.shx",
        "communities.dbf",
        "results.gpkg",
    ] {
        assert!(
            std::fs::read(first.join(name)).unwrap() == std::fs::read(second.join(name)).unwrap(),
            "{name} differs"
        );
    }
}

#[test]
fn unknown_output_formats_are_refused_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(demo_dir().join("scenario.toml")).unwrap();
    let scenario = tmp.path().join("scenario.toml");
    std::fs::write(
        &scenario,
        format!("{text}\n[output]\nformats = [\"dwg\"]\n"),
    )
    .unwrap();
    let e = carecircle::io::scenario::Scenario::load(&scenario)
        .unwrap_err()
        .to_string();
    assert!(e.contains("dwg") && e.contains("shp"), "{e}");
}
