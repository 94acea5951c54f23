//! Outputs safe for Excel and XML: text cells that would run as formulas are neutralised in
//! every CSV (numbers stay numbers), and names with control characters still give well-formed
//! SVG maps.

mod common;

use common::*;
use serde_json::Value;

const HOSTILE: [&str; 4] = [
    "=HYPERLINK(\"http://x\",\"点我\")",
    "+1+2",
    "-2+3\u{1b}[31m",
    "@SUM(A1)\u{0}\u{1}",
];

fn set_text(f: &mut Value, key: &str, text: &str) {
    f["properties"][key] = Value::String(text.to_string());
}

#[test]
fn csv_cells_are_neutralised_and_svg_maps_stay_well_formed_xml() {
    let mut cs = communities();
    for (i, c) in cs.iter_mut().enumerate() {
        set_text(c, "名称", HOSTILE[i % HOSTILE.len()]);
        set_text(c, "街道", HOSTILE[(i + 1) % HOSTILE.len()]);
    }
    let mut fs = facilities();
    for (i, f) in fs.iter_mut().enumerate() {
        set_text(f, "名称", HOSTILE[(i + 2) % HOSTILE.len()]);
    }
    let (dir, scenario) = write_district(&cs, &fs, &roads(), SCENARIO);
    let out = dir.path().join("out");
    carecircle_ok(&["run"], &scenario, &out);

    let mut csvs = 0;
    let mut svgs = 0;
    let mut svgs_with_names = 0;
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".csv") {
            csvs += 1;
            let bytes = std::fs::read(&path).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
            for record in reader.records() {
                for cell in record.unwrap().iter() {
                    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
                    let number = cell.parse::<f64>().is_ok_and(f64::is_finite);
                    assert!(!risky || number, "{name}: unsafe cell {cell:?}");
                }
            }
            for h in HOSTILE {
                if text.contains(h) {
                    assert!(
                        text.contains(&format!("'{h}")),
                        "{name}: {h:?} not prefixed"
                    );
                }
            }
        }
        if name.ends_with(".svg") {
            svgs += 1;
            let svg = std::fs::read_to_string(&path).unwrap();
            if let Err(e) = roxmltree::Document::parse(&svg) {
                panic!("{name} is not well-formed XML: {e}");
            }
            assert!(!svg.contains('\u{1b}') && !svg.contains('\u{0}'), "{name}");
            // The hostile names are drawn (their control characters replaced).
            svgs_with_names += usize::from(svg.contains('\u{fffd}'));
        }
    }
    assert!(csvs >= 3, "coverage.csv, sites.csv, rules.csv: {csvs}");
    assert!(svgs >= 1, "at least one SVG map: {svgs}");
    assert!(svgs_with_names >= 1, "no SVG map shows the names");
    // The names reach coverage.csv, neutralised.
    let coverage = std::fs::read_to_string(out.join("coverage.csv")).unwrap();
    assert!(coverage.contains("'=HYPERLINK"), "{coverage}");
    // Numbers stay numbers: populations are written unprefixed.
    assert!(
        coverage.contains(",1000,") || coverage.contains(",1000.0,"),
        "{coverage}"
    );
}
