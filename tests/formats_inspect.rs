//! `carecircle inspect` on a bureau's folder (the demo district as GBK Shapefiles with a
//! `.prj`, and as one GeoPackage): the listing names geometry, count, CRS and fields, and the
//! proposed scenario runs and gives the demo's numbers.

use std::path::{Path, PathBuf};
use std::process::Command;

use carecircle::coverage::audit;
use carecircle::crs::Crs;
use carecircle::export::{layer_of_geojson, OutputLayer};
use carecircle::study::Study;
use geo::MapCoords;

const LAYERS: [&str; 4] = ["communities", "facilities", "population", "roads"];

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo")
}

/// A demo layer in WGS-84 (the files are GCJ-02), then in `crs`.
fn demo_layer(name: &str, crs: Crs) -> OutputLayer {
    let bytes = std::fs::read(demo_dir().join(format!("{name}.geojson"))).unwrap();
    let mut layer = layer_of_geojson(name, &bytes).unwrap();
    for (g, _) in &mut layer.features {
        *g = g.map_coords(|c| Crs::Gcj02.to_wgs84(c));
    }
    layer.in_crs(crs)
}

fn numbers(scenario: &Path) -> Vec<String> {
    let study = Study::load(scenario).unwrap_or_else(|e| panic!("{}: {e}", scenario.display()));
    let result = audit(&study);
    let mut out: Vec<String> = result
        .kinds
        .iter()
        .map(|k| format!("{} {:?}", k.kind, result.totals(k, |_| true)))
        .collect();
    for k in &result.kinds {
        for (c, n) in k.nearest.iter().enumerate() {
            out.push(format!(
                "{} {} {:.2}",
                k.kind,
                study.layers.communities[c].id,
                n.map_or(-1.0, |n| n.minutes)
            ));
        }
    }
    out
}

fn inspect(args: &[&Path]) -> (String, String) {
    let run = Command::new(env!("CARGO_BIN_EXE_carecircle"))
        .arg("inspect")
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    (stdout, stderr)
}

#[test]
fn inspect_a_shapefile_folder_then_run_gives_the_demo_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let crs = Crs::from_epsg(4527).unwrap();
    let mut files = Vec::new();
    for name in LAYERS {
        let out =
            carecircle::export::shapefile::write(&demo_layer(name, crs), crs, encoding_rs::GBK)
                .unwrap();
        for (ext, bytes) in out.files {
            std::fs::write(tmp.path().join(format!("{name}.{ext}")), bytes).unwrap();
        }
        files.push(tmp.path().join(format!("{name}.shp")));
    }
    let scenario = tmp.path().join("scenario.toml");
    let mut args: Vec<&Path> = vec![Path::new("--write"), &scenario];
    args.extend(files.iter().map(PathBuf::as_path));
    let (stdout, _) = inspect(&args);
    // The listing: geometry, count, declared CRS, fields with samples (names cut to 10 bytes).
    assert!(stdout.contains("geometry: MultiPolygon"), "{stdout}");
    assert!(
        stdout.contains("EPSG:4527 (CGCS2000 / 3-degree Gauss-Kruger zone 39) (declared"),
        "{stdout}"
    );
    assert!(stdout.contains("养老服务用"), "{stdout}");
    assert!(stdout.contains("日间照料中心"), "{stdout}");
    let text = std::fs::read_to_string(&scenario).unwrap();
    for line in [
        "[layers.communities]",
        "[layers.facilities]",
        "[layers.population]",
        "[layers.roads]",
        "street = \"街道\"",
        "elderly = \"老年人口\"",
        "\"日间照料中心\" = \"day_care\"",
        "\"农村互助养老点\" = \"mutual_aid\"",
        "class = \"道路等级\"",
    ] {
        assert!(text.contains(line), "missing {line} in:\n{text}");
    }
    assert!(
        !text.contains("crs ="),
        "the layers declare their CRS:\n{text}"
    );
    assert_eq!(
        numbers(&scenario),
        numbers(&demo_dir().join("scenario.toml")),
        "{text}"
    );
    // It never overwrites a scenario.
    let run = Command::new(env!("CARGO_BIN_EXE_carecircle"))
        .arg("inspect")
        .args(&args)
        .output()
        .unwrap();
    assert_ne!(run.status.code(), Some(0));
}

#[test]
fn inspect_lists_every_layer_of_a_geopackage_and_its_scenario_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let crs = Crs::from_epsg(4548).unwrap();
    let layers: Vec<OutputLayer> = LAYERS.iter().map(|n| demo_layer(n, crs)).collect();
    let gpkg = tmp.path().join("district.gpkg");
    carecircle::export::gpkg::write_to(&gpkg, &layers, crs).unwrap();
    let scenario = tmp.path().join("scenario.toml");
    let (stdout, _) = inspect(&[Path::new("--write"), &scenario, &gpkg]);
    for name in LAYERS {
        assert!(stdout.contains(&format!("layer \"{name}\"")), "{stdout}");
    }
    assert!(stdout.contains("EPSG:4548"), "{stdout}");
    let text = std::fs::read_to_string(&scenario).unwrap();
    assert!(
        text.contains("path = \"district.gpkg\"\nlayer = \"roads\""),
        "{text}"
    );
    assert_eq!(
        numbers(&scenario),
        numbers(&demo_dir().join("scenario.toml")),
        "{text}"
    );
}
