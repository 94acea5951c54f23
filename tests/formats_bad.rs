//! Bad bureau files: each class has its own `Problem` variant, names the file (and the feature
//! where there is one), exits 2 and writes nothing. Also the point tables (CSV, XLSX) read
//! right, and a layer's bad features are all reported at once.

mod common;

use std::path::Path;

use common::{carecircle, demo_copy, demo_dir};

use carecircle::coverage::audit;
use carecircle::crs::Crs;
use carecircle::export::{layer_of_geojson, OutputLayer};
use carecircle::io::features::FieldValue;
use carecircle::study::Study;
use carecircle::{Error, Problem};
use geo::MapCoords;
use serde_json::{json, Value};

fn edit_scenario(scenario: &Path, edit: impl Fn(&str) -> String) {
    let text = std::fs::read_to_string(scenario).unwrap();
    std::fs::write(scenario, edit(&text)).unwrap();
}

fn demo_layer(name: &str) -> OutputLayer {
    let bytes = std::fs::read(demo_dir().join(format!("{name}.geojson"))).unwrap();
    layer_of_geojson(name, &bytes).unwrap()
}

/// Writes a demo layer (coordinates as they are: GCJ-02) as a Shapefile.
fn write_shapefile(dir: &Path, name: &str, encoding: &'static encoding_rs::Encoding) {
    let layer = demo_layer(name);
    let files = carecircle::export::shapefile::write(&layer, Crs::Wgs84, encoding).unwrap();
    for (ext, bytes) in files.files {
        if ext != "prj" {
            std::fs::write(dir.join(format!("{name}.{ext}")), bytes).unwrap();
        }
    }
}

/// The problem from the library, and the command line's exit 2 with nothing written.
fn problem_of(scenario: &Path) -> (Problem, String) {
    let problem = match Study::load(scenario) {
        Err(Error::Input(e)) => e.problem,
        Err(other) => panic!("expected an input error, got {other}"),
        Ok(_) => panic!("expected an error"),
    };
    let out = scenario.parent().unwrap().join("out");
    let run = carecircle(&["audit"], scenario, &out);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(!out.exists(), "nothing may be written on bad input");
    assert!(stderr.starts_with("error: "), "{stderr}");
    (problem, stderr)
}

#[test]
fn gbk_attributes_read_as_utf8_are_a_wrong_encoding_error() {
    let (tmp, scenario) = demo_copy();
    write_shapefile(tmp.path(), "facilities", encoding_rs::GBK);
    std::fs::write(tmp.path().join("facilities.cpg"), "UTF-8").unwrap();
    edit_scenario(&scenario, |t| {
        t.replace("facilities.geojson", "facilities.shp")
    });
    let (problem, stderr) = problem_of(&scenario);
    match problem {
        Problem::WrongEncoding { encoding, .. } => {
            assert!(encoding.contains("UTF-8"), "{encoding}")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        stderr.contains("facilities.dbf") && stderr.contains("GBK"),
        "{stderr}"
    );
}

#[test]
fn utf8_attributes_declared_gbk_are_refused_not_turned_into_mojibake() {
    let (tmp, scenario) = demo_copy();
    write_shapefile(tmp.path(), "facilities", encoding_rs::UTF_8);
    std::fs::write(tmp.path().join("facilities.cpg"), "GBK").unwrap();
    edit_scenario(&scenario, |t| {
        t.replace("facilities.geojson", "facilities.shp")
    });
    let (problem, stderr) = problem_of(&scenario);
    assert!(
        matches!(problem, Problem::WrongEncoding { .. }),
        "{problem:?}"
    );
    assert!(stderr.contains("UTF-8 text"), "{stderr}");
    // The scenario's encoding overrides a wrong .cpg, and then the layer loads.
    edit_scenario(&scenario, |t| {
        t.replace(
            "path = \"facilities.shp\"",
            "path = \"facilities.shp\"\nencoding = \"utf-8\"",
        )
    });
    let study = Study::load(&scenario).unwrap();
    assert_eq!(
        study.layers.facilities.len(),
        demo_layer("facilities").features.len()
    );
    assert!(study
        .layers
        .facilities
        .iter()
        .any(|f| f.name.contains("日间照料中心")));
}

#[test]
fn a_prj_that_disagrees_with_the_scenario_crs_names_both() {
    let (tmp, scenario) = demo_copy();
    write_shapefile(tmp.path(), "communities", encoding_rs::GBK);
    let (prj, _) = carecircle::export::prj_of(Crs::Wgs84).unwrap();
    std::fs::write(tmp.path().join("communities.prj"), prj).unwrap();
    edit_scenario(&scenario, |t| {
        t.replace("communities.geojson", "communities.shp")
    });
    let (problem, stderr) = problem_of(&scenario);
    match problem {
        Problem::CrsMismatch { layer, scenario } => {
            assert!(layer.contains("4326"), "{layer}");
            assert!(scenario.contains("gcj02"), "{scenario}");
        }
        other => panic!("{other:?}"),
    }
    assert!(stderr.contains("communities.shp"), "{stderr}");
}

#[test]
fn gauss_kruger_eastings_with_a_zone_prefix_in_a_crs_without_one_are_a_zone_prefix_mismatch() {
    let (tmp, scenario) = demo_copy();
    // The communities in EPSG:4527 (zone 39, eastings 39xxxxxx), declared as EPSG:4548 (the
    // same zone without the prefix), with no .prj to say otherwise.
    let gk = Crs::from_epsg(4527).unwrap();
    let mut layer = demo_layer("communities");
    for (g, _) in &mut layer.features {
        *g = g.map_coords(|c| gk.from_wgs84(Crs::Gcj02.to_wgs84(c)));
    }
    let files = carecircle::export::shapefile::write(&layer, gk, encoding_rs::GBK).unwrap();
    for (ext, bytes) in files.files {
        if ext != "prj" {
            std::fs::write(tmp.path().join(format!("communities.{ext}")), bytes).unwrap();
        }
    }
    edit_scenario(&scenario, |t| {
        t.replace(
            "path = \"communities.geojson\"",
            "path = \"communities.shp\"\ncrs = \"EPSG:4548\"",
        )
    });
    let (problem, stderr) = problem_of(&scenario);
    match problem {
        Problem::ZonePrefixMismatch { crs, detail } => {
            assert!(crs.contains("4548"), "{crs}");
            assert!(
                detail.contains("EPSG:4527"),
                "names the likely CRS: {detail}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        stderr.contains("communities.shp") && stderr.contains("zone"),
        "{stderr}"
    );
    // With the right CRS the same file loads.
    edit_scenario(&scenario, |t| t.replace("EPSG:4548", "EPSG:4527"));
    assert!(Study::load(&scenario).is_ok());
}

#[test]
fn a_shapefile_without_its_shx_says_so() {
    let (tmp, scenario) = demo_copy();
    write_shapefile(tmp.path(), "roads", encoding_rs::UTF_8);
    std::fs::remove_file(tmp.path().join("roads.shx")).unwrap();
    edit_scenario(&scenario, |t| t.replace("roads.geojson", "roads.shp"));
    let (problem, stderr) = problem_of(&scenario);
    assert!(
        matches!(problem, Problem::MissingShx(ref p) if p.ends_with("roads.shx")),
        "{problem:?}"
    );
    assert!(stderr.contains("roads.shx"), "{stderr}");
}

#[test]
fn a_geopackage_without_the_layer_lists_the_ones_it_has() {
    let (tmp, scenario) = demo_copy();
    let layers = vec![demo_layer("facilities"), demo_layer("communities")];
    carecircle::export::gpkg::write_to(&tmp.path().join("d.gpkg"), &layers, Crs::Wgs84).unwrap();
    edit_scenario(&scenario, |t| {
        t.replace(
            "path = \"facilities.geojson\"",
            "path = \"d.gpkg\"\nlayer = \"facilitys\"",
        )
    });
    let (problem, _) = problem_of(&scenario);
    match problem {
        Problem::NoSuchLayer { layer, available } => {
            assert_eq!(layer, "facilitys");
            assert_eq!(available, ["communities", "facilities"]);
        }
        other => panic!("{other:?}"),
    }
}

/// Writes the facilities as a ledger workbook: a title-free sheet with a header row.
fn facilities_xlsx(path: &Path, with_coordinates: bool) {
    let layer = demo_layer("facilities");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("台账").unwrap();
    let mut col = 0u16;
    for c in &layer.columns {
        sheet.write_string(0, col, &c.name).unwrap();
        col += 1;
    }
    if with_coordinates {
        sheet.write_string(0, col, "经度").unwrap();
        sheet.write_string(0, col + 1, "纬度").unwrap();
    }
    for (r, (g, values)) in layer.features.iter().enumerate() {
        let row = r as u32 + 1;
        for (c, v) in values.iter().enumerate() {
            match v {
                FieldValue::Number(n) => sheet.write_number(row, c as u16, *n).unwrap(),
                FieldValue::Text(s) => sheet.write_string(row, c as u16, s).unwrap(),
                _ => continue,
            };
        }
        if with_coordinates {
            let geo::Geometry::Point(p) = g else {
                panic!("facility is not a point")
            };
            sheet.write_number(row, col, p.x()).unwrap();
            sheet.write_number(row, col + 1, p.y()).unwrap();
        }
    }
    wb.save(path).unwrap();
}

fn nearest_minutes(scenario: &Path) -> Vec<Vec<Option<f64>>> {
    let study = Study::load(scenario).unwrap();
    audit(&study)
        .kinds
        .iter()
        .map(|k| k.nearest.iter().map(|n| n.map(|n| n.minutes)).collect())
        .collect()
}

#[test]
fn an_xlsx_ledger_with_lon_lat_columns_audits_like_the_geojson_and_without_them_is_refused() {
    let (tmp, scenario) = demo_copy();
    let before = nearest_minutes(&scenario);
    facilities_xlsx(&tmp.path().join("ledger.xlsx"), true);
    edit_scenario(&scenario, |t| {
        t.replace(
            "path = \"facilities.geojson\"",
            "path = \"ledger.xlsx\"\nsheet = \"台账\"",
        )
    });
    assert_eq!(nearest_minutes(&scenario), before);
    // By number too.
    edit_scenario(&scenario, |t| t.replace("sheet = \"台账\"", "sheet = 1"));
    assert_eq!(nearest_minutes(&scenario), before);

    facilities_xlsx(&tmp.path().join("ledger.xlsx"), false);
    let (problem, stderr) = problem_of(&scenario);
    match problem {
        Problem::MissingCoordinateColumns { available, .. } => {
            assert!(available.contains(&"名称".to_string()), "{available:?}")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        stderr.contains("ledger.xlsx") && stderr.contains("经度"),
        "{stderr}"
    );
}

#[test]
fn a_csv_ledger_with_mapped_coordinate_columns_audits_like_the_geojson() {
    let (tmp, scenario) = demo_copy();
    let before = nearest_minutes(&scenario);
    let layer = demo_layer("facilities");
    let mut w = csv::Writer::from_path(tmp.path().join("ledger.csv")).unwrap();
    let mut header: Vec<String> = layer.columns.iter().map(|c| c.name.clone()).collect();
    header.extend(["东".to_string(), "北".to_string()]);
    w.write_record(&header).unwrap();
    for (g, values) in &layer.features {
        let geo::Geometry::Point(p) = g else { panic!() };
        let mut row: Vec<String> = values
            .iter()
            .map(|v| v.text().unwrap_or_default())
            .collect();
        row.push(format!("{}", p.x()));
        row.push(format!("{}", p.y()));
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    drop(w);
    edit_scenario(&scenario, |t| {
        t.replace("path = \"facilities.geojson\"", "path = \"ledger.csv\"")
            .replace(
                "fields = { id = \"编号\"",
                "fields = { x = \"东\", y = \"北\", id = \"编号\"",
            )
    });
    assert_eq!(nearest_minutes(&scenario), before);
}

fn facilities_json() -> Value {
    serde_json::from_slice(&std::fs::read(demo_dir().join("facilities.geojson")).unwrap()).unwrap()
}

#[test]
fn every_bad_point_of_a_layer_is_reported_at_once_with_index_and_id() {
    let (tmp, scenario) = demo_copy();
    let mut fc = facilities_json();
    let features = fc["features"].as_array_mut().unwrap();
    let bad: [(Value, &str); 4] = [
        (
            json!({"type": "Point", "coordinates": ["116", "29"]}),
            "\"116\" is text",
        ),
        (json!({"type": "Point", "coordinates": []}), "empty"),
        (
            json!({"type": "Point", "coordinates": [[116.0, 29.7]]}),
            "list of positions",
        ),
        (
            json!({"type": "point", "coordinates": [116.0, 29.7]}),
            "case-sensitive",
        ),
    ];
    for (i, (g, _)) in bad.iter().enumerate() {
        features[i * 3]["geometry"] = g.clone();
    }
    // 24 more bad features: a negative bed count each.
    for f in features.iter_mut().skip(20) {
        f["properties"]["床位"] = json!(-1);
    }
    std::fs::write(tmp.path().join("facilities.geojson"), fc.to_string()).unwrap();
    let (problem, stderr) = problem_of(&scenario);
    let Problem::BadFeatures { errors, more } = problem else {
        panic!("{problem:?}")
    };
    assert_eq!(errors.len() + more, 28, "{stderr}");
    assert_eq!(errors.len(), 20);
    for (i, (_, words)) in bad.iter().enumerate() {
        let e = &errors[i];
        let r = e.feature.as_ref().unwrap();
        assert_eq!(r.index, i * 3);
        assert_eq!(r.id.as_deref(), Some(format!("F{:03}", i * 3 + 1).as_str()));
        assert!(e.problem.to_string().contains(words), "{}", e.problem);
    }
    assert!(
        stderr.contains("28 bad features (the first 20 listed, 8 more)"),
        "{stderr}"
    );
}

#[test]
fn a_layer_saved_as_a_bare_array_gets_a_short_message() {
    let (tmp, scenario) = demo_copy();
    let fc = facilities_json();
    std::fs::write(
        tmp.path().join("facilities.geojson"),
        fc["features"].to_string(),
    )
    .unwrap();
    let (problem, stderr) = problem_of(&scenario);
    assert!(
        matches!(problem, Problem::NotFeatureCollection(_)),
        "{problem:?}"
    );
    assert!(stderr.len() < 400, "{} bytes: {stderr}", stderr.len());
}

#[test]
fn unmapped_facility_types_are_an_error_or_skipped_with_a_counted_warning() {
    let (tmp, scenario) = demo_copy();
    let mut fc = facilities_json();
    let features = fc["features"].as_array_mut().unwrap();
    let total = features.len();
    for i in [0, 5] {
        features[i]["properties"]["类型"] = json!("卫生服务站");
    }
    std::fs::write(tmp.path().join("facilities.geojson"), fc.to_string()).unwrap();
    let (problem, _) = problem_of(&scenario);
    assert!(
        matches!(problem, Problem::BadFeatures { .. }),
        "{problem:?}"
    );
    edit_scenario(&scenario, |t| {
        t.replace(
            "path = \"facilities.geojson\"",
            "path = \"facilities.geojson\"\nother_kinds = \"ignore\"",
        )
    });
    let study = Study::load(&scenario).unwrap();
    assert_eq!(study.layers.facilities.len(), total - 2);
    let w: Vec<&str> = study
        .warnings
        .items
        .iter()
        .map(|w| w.message.as_str())
        .filter(|m| m.contains("卫生服务站"))
        .collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("skipped 2 facilities") && w[0].contains("卫生服务站 (2)"),
        "{}",
        w[0]
    );
}

#[test]
fn geojson_reader_keeps_only_requested_fields_and_reads_the_crs_member() {
    use carecircle::io::features::{FeatureSink, FieldRequest, LayerInfo, RawFeature, ReadRequest};
    struct Sink(Vec<RawFeature>, Option<LayerInfo>);
    impl FeatureSink for Sink {
        fn begin(&mut self, info: &LayerInfo) {
            self.1 = Some(info.clone());
        }
        fn feature(&mut self, f: RawFeature) {
            self.0.push(f);
        }
    }
    let text = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}},
      "features":[{"type":"Feature","id":7,"properties":{"a":"x","b":2,"c":{"deep":[1,2]}},
      "geometry":{"type":"LineString","coordinates":[[116,29.5,3],[116.1,29.6]]}}]}"#;
    let request = ReadRequest {
        fields: vec![FieldRequest {
            name: "b".into(),
            required: true,
        }],
        keep_rest: false,
    };
    let mut sink = Sink(Vec::new(), None);
    carecircle::io::geojson::read_bytes(
        text.as_bytes(),
        Path::new("t.geojson"),
        &request,
        &mut sink,
    )
    .unwrap();
    assert_eq!(
        sink.1.unwrap().declared_crs,
        Some(carecircle::io::features::DeclaredCrs::Epsg(4490))
    );
    let f = &sink.0[0];
    assert_eq!(f.fields, vec![FieldValue::Number(2.0)]);
    assert!(f.rest.is_empty());
    assert_eq!(f.feature_id.as_deref(), Some("7"));
    assert_eq!(
        f.geometry.clone().unwrap().unwrap(),
        geo::Geometry::LineString(geo::LineString::from(vec![(116.0, 29.5), (116.1, 29.6)]))
    );
}
