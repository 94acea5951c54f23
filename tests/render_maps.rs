//! Pixel tests of the maps: coverage colours where the communities are, facility symbols in
//! their colours, a legend, Chinese labels that render as glyphs (not boxes) in the PNG and
//! stay text in the SVG, the before/after siting map and translucent service areas.

#[path = "render_support/mod.rs"]
mod support;

use carecircle::coverage::audit;
use carecircle::model::FacilityKind;
use carecircle::render::scene::decode_png;
use carecircle::render::style::{kind_colour, BACKGROUND, COVERED, UNCOVERED};
use carecircle::render::{draw_maps, Frame, Map, MapSet, Overlays, RenderOptions};
use geo::{Contains, MultiPolygon, Point};
use support::*;

fn options() -> RenderOptions {
    RenderOptions {
        attribution: "test data".into(),
        ..RenderOptions::default()
    }
}

fn maps(d_name: &str, overlays: &Overlays) -> MapSet {
    let study = study(d_name);
    let a = audit(&study);
    draw_maps(&study, &a, overlays, &options()).expect("maps draw")
}

fn find<'a>(set: &'a MapSet, name: &str) -> &'a Map {
    set.maps
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("{name} not drawn"))
}

fn rgb(c: carecircle::render::scene::Rgba) -> [u8; 3] {
    [c.0, c.1, c.2]
}

/// Pixels of the PNG inside a community square (centre `c`, 200 m half side), with their
/// colours.
fn pixels_in(frame: &Frame, png: &(u32, u32, Vec<u8>), c: (f64, f64)) -> Vec<[u8; 3]> {
    let (w, _, rgb) = png;
    let poly = geo::Polygon::new(
        geo::LineString::from(vec![
            ll(c.0 - 200.0, c.1 - 200.0),
            ll(c.0 + 200.0, c.1 - 200.0),
            ll(c.0 + 200.0, c.1 + 200.0),
            ll(c.0 - 200.0, c.1 + 200.0),
            ll(c.0 - 200.0, c.1 - 200.0),
        ]),
        vec![],
    );
    let (x0, y0) = frame.pixel(ll(c.0 - 200.0, c.1 + 200.0));
    let (x1, y1) = frame.pixel(ll(c.0 + 200.0, c.1 - 200.0));
    let mut out = Vec::new();
    for y in (y0 + 2..y1 - 2).step_by(2) {
        for x in (x0 + 2..x1 - 2).step_by(2) {
            if poly.contains(&Point(frame.lonlat((x, y)))) {
                out.push(px(rgb, *w, (x, y)));
            }
        }
    }
    out
}

fn share_in(pixels: &[[u8; 3]], colours: &[[u8; 3]]) -> f64 {
    let n = pixels.iter().filter(|p| colours.contains(p)).count();
    n as f64 / pixels.len().max(1) as f64
}

#[test]
fn coverage_map_colours_communities_and_facilities() {
    let set = maps("湓浦社区", &Overlays::default());
    // Both kinds with targets get a map, each as PNG and SVG.
    let names: Vec<&str> = set.maps.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["map_coverage_day_care", "map_coverage_canteen"]);
    assert!(set.notices.is_empty(), "{:?}", set.notices);
    let m = find(&set, "map_coverage_day_care");
    let png = decode_png(&m.png).unwrap();
    assert_eq!((png.0, png.1), (1600, 1200));
    assert_eq!(m.frames.len(), 1);
    let f = &m.frames[0];
    let uncovered: Vec<[u8; 3]> = UNCOVERED.iter().map(|&c| rgb(c)).collect();
    let covered: Vec<[u8; 3]> = COVERED.iter().map(|&c| rgb(c)).collect();
    // B is not covered by a day-care centre: its square is in an uncovered shade (a few
    // pixels are roads, labels or outlines), and none of it is in a covered shade.
    let b = pixels_in(f, &png, B);
    assert!(b.len() > 500, "{}", b.len());
    assert!(
        share_in(&b, &uncovered) > 0.8,
        "{}",
        share_in(&b, &uncovered)
    );
    assert_eq!(share_in(&b, &covered), 0.0);
    // B has the most elderly people but one (300 of 100..400): the middle or dark shade.
    assert!(share_in(&b, &uncovered[1..]) > 0.8);
    // A is covered.
    let a = pixels_in(f, &png, A);
    assert!(share_in(&a, &covered) > 0.7, "{}", share_in(&a, &covered));
    assert_eq!(share_in(&a, &uncovered), 0.0);
    // At each facility, its symbol's colour.
    let (w, _, pixels) = &png;
    assert_eq!(
        px(pixels, *w, f.pixel(ll(D1.0, D1.1))),
        rgb(kind_colour(FacilityKind::DayCare))
    );
    assert_eq!(
        px(pixels, *w, f.pixel(ll(C1.0, C1.1))),
        rgb(kind_colour(FacilityKind::Canteen))
    );
    // The canteen map colours the same communities by canteen coverage: D is covered there.
    let mc = find(&set, "map_coverage_canteen");
    let pc = decode_png(&mc.png).unwrap();
    let d = pixels_in(&mc.frames[0], &pc, D);
    assert!(share_in(&d, &covered) > 0.7);
    let d_day = pixels_in(f, &png, D);
    assert!(share_in(&d_day, &uncovered) > 0.7);
}

#[test]
fn legend_is_drawn_with_the_map_symbols() {
    let set = maps("湓浦社区", &Overlays::default());
    let m = find(&set, "map_coverage_day_care");
    let (w, _, pixels) = decode_png(&m.png).unwrap();
    let l = m.legend;
    assert!(l.width() > 300 && l.height() > 800, "{l:?}");
    let mut ink = 0;
    let mut day = 0;
    let mut red = 0;
    let mut dark = 0;
    for y in l.y0 + 2..l.y1 - 2 {
        for x in l.x0 + 2..l.x1 - 2 {
            let p = px(&pixels, w, (x, y));
            if p != [0xFC, 0xFC, 0xFA] && p != rgb(BACKGROUND) {
                ink += 1;
            }
            day += (p == rgb(kind_colour(FacilityKind::DayCare))) as usize;
            red += UNCOVERED.iter().any(|&c| rgb(c) == p) as usize;
            dark += is_dark(p) as usize;
        }
    }
    let area = (l.width() * l.height()) as usize;
    assert!(ink > area / 50, "legend ink {ink} of {area}");
    assert!(day > 100, "day-care symbol in the legend: {day}");
    assert!(red > 300, "uncovered swatch in the legend: {red}");
    assert!(dark > 2000, "legend text: {dark}");
}

/// Dark pixels of a label's rectangle, as a mask relative to the rectangle's centre.
fn label_mask(m: &Map, text: &str) -> (Vec<(i32, i32)>, usize) {
    let (w, _, pixels) = decode_png(&m.png).unwrap();
    let label = m
        .labels
        .iter()
        .find(|l| l.text == text)
        .unwrap_or_else(|| panic!("label {text} not placed: {:?}", m.labels));
    let r = label.rect;
    let (cx, cy) = ((r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2);
    let mut mask = Vec::new();
    for y in r.y0..r.y1 {
        for x in r.x0..r.x1 {
            if is_dark(px(&pixels, w, (x, y))) {
                mask.push((x - cx, y - cy));
            }
        }
    }
    let n = mask.len();
    (mask, n)
}

#[test]
fn chinese_label_renders_as_glyphs_in_png_and_as_text_in_svg() {
    let name = "湓浦社区";
    let set = maps(name, &Overlays::default());
    let m = find(&set, "map_coverage_day_care");
    // The SVG keeps the name as text (and escapes the other one).
    assert!(
        m.svg.contains(&format!("{name}\n</text>")),
        "name not in the SVG"
    );
    assert!(m.svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!m.svg.contains("<script>"));
    assert!(m.svg.contains("font-family=\"WenQuanYi Micro Hei,"));
    // The PNG has ink where the label is: not blank.
    let (glyphs, n) = label_mask(m, name);
    assert!(n > 60, "only {n} dark pixels in the label");

    // The same label in characters the font lacks (private use area) is drawn with the
    // missing-glyph box, and the maps say so.
    let missing = "\u{E000}\u{E001}\u{E002}\u{E003}";
    let set_missing = maps(missing, &Overlays::default());
    assert!(
        set_missing
            .notices
            .iter()
            .any(|n| n.contains("not in the label font") && n.contains("U+E000")),
        "{:?}",
        set_missing.notices
    );
    let mb = find(&set_missing, "map_coverage_day_care");
    let (boxes, nb) = label_mask(mb, missing);
    assert!(nb > 0, "the missing glyphs draw as boxes");
    // Four Chinese characters have far more ink than four empty boxes...
    assert!(n > 2 * nb, "label {n} dark pixels, boxes {nb}");
    // The Chinese label is not the boxes: most of its dark pixels are not where the boxes'
    // are, and the other way round.
    let glyph_set: std::collections::HashSet<_> = glyphs.iter().collect();
    let box_set: std::collections::HashSet<_> = boxes.iter().collect();
    let shared = glyph_set.intersection(&box_set).count();
    assert!(
        (shared as f64) < 0.5 * n.min(nb) as f64,
        "label looks like the missing-glyph boxes: {shared} of {n} / {nb} pixels shared"
    );
}

#[test]
fn sites_map_shows_before_and_after_with_the_new_site() {
    // A new day-care centre at B's crossing (2500, 2500) covers B.
    let overlays = Overlays {
        new_sites: vec![(
            FacilityKind::DayCare,
            "NEW-1".into(),
            Point(ll(2500.0, 2500.0)),
        )],
        ..Overlays::default()
    };
    let set = maps("湓浦社区", &overlays);
    let m = find(&set, "map_sites_day_care");
    assert_eq!(m.frames.len(), 2);
    assert_eq!((m.width, m.height), (2400, 1200));
    let png = decode_png(&m.png).unwrap();
    let uncovered: Vec<[u8; 3]> = UNCOVERED.iter().map(|&c| rgb(c)).collect();
    let covered: Vec<[u8; 3]> = COVERED.iter().map(|&c| rgb(c)).collect();
    let before = pixels_in(&m.frames[0], &png, B);
    let after = pixels_in(&m.frames[1], &png, B);
    assert!(share_in(&before, &uncovered) > 0.7);
    assert!(
        share_in(&after, &covered) > 0.6,
        "{}",
        share_in(&after, &covered)
    );
    // The new site's star, in the kind's colour, on the after panel only.
    let (w, _, pixels) = &png;
    let at = m.frames[1].pixel(ll(2500.0, 2500.0));
    assert_eq!(px(pixels, *w, at), rgb(kind_colour(FacilityKind::DayCare)));
    let at_before = m.frames[0].pixel(ll(2500.0, 2500.0));
    assert_ne!(
        px(pixels, *w, at_before),
        rgb(kind_colour(FacilityKind::DayCare))
    );
    assert!(m.svg.contains("NEW-1"));
    // No siting overlay for the canteen: no canteen sites map.
    assert!(set.maps.iter().all(|m| m.name != "map_sites_canteen"));
}

#[test]
fn service_areas_are_translucent() {
    // A service area over B: B's pixels are blended with the day-care colour, not hidden.
    let sq = |c: (f64, f64), h: f64| {
        geo::Polygon::new(
            geo::LineString::from(vec![
                ll(c.0 - h, c.1 - h),
                ll(c.0 + h, c.1 - h),
                ll(c.0 + h, c.1 + h),
                ll(c.0 - h, c.1 + h),
                ll(c.0 - h, c.1 - h),
            ]),
            vec![],
        )
    };
    let overlays = Overlays {
        service_areas: vec![(
            FacilityKind::DayCare,
            15.0,
            MultiPolygon(vec![sq(B, 300.0)]),
        )],
        ..Overlays::default()
    };
    let set = maps("湓浦社区", &overlays);
    let m = find(&set, "map_coverage_day_care");
    let png = decode_png(&m.png).unwrap();
    let b = pixels_in(&m.frames[0], &png, B);
    let uncovered: Vec<[u8; 3]> = UNCOVERED.iter().map(|&c| rgb(c)).collect();
    // Not the pure shade any more...
    assert!(share_in(&b, &uncovered) < 0.1);
    // ...but the dark uncovered shade (B has 300 elderly people, the top third) seen through
    // the day-care colour at 14 % opacity.
    let under = UNCOVERED[2];
    let over = kind_colour(FacilityKind::DayCare);
    let mix = |u: u8, o: u8| 0.86 * u as f64 + 0.14 * o as f64;
    let want = [
        mix(under.0, over.0),
        mix(under.1, over.1),
        mix(under.2, over.2),
    ];
    let blended = b
        .iter()
        .filter(|p| (0..3).all(|i| (p[i] as f64 - want[i]).abs() <= 3.0))
        .count();
    assert!(
        blended as f64 > 0.8 * b.len() as f64,
        "{blended} of {} near {want:?}",
        b.len()
    );
    // The canteen map does not show day-care service areas.
    let mc = find(&set, "map_coverage_canteen");
    let pc = decode_png(&mc.png).unwrap();
    let bc = pixels_in(&mc.frames[0], &pc, B);
    assert!(share_in(&bc, &uncovered) > 0.8);
}

#[test]
fn user_font_is_used_and_a_bad_one_falls_back_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("label.ttf");
    std::fs::write(&good, carecircle::render::font::EMBEDDED_FONT).unwrap();
    let study = study("湓浦社区");
    let a = audit(&study);
    let opts = RenderOptions {
        font: Some(good),
        ..options()
    };
    let set = draw_maps(&study, &a, &Overlays::default(), &opts).unwrap();
    assert!(set.notices.is_empty(), "{:?}", set.notices);
    let bad = dir.path().join("broken.ttf");
    std::fs::write(&bad, b"\0\x01\0\0 not really").unwrap();
    let opts = RenderOptions {
        font: Some(bad),
        ..options()
    };
    let set = draw_maps(&study, &a, &Overlays::default(), &opts).unwrap();
    assert_eq!(set.notices.len(), 1, "{:?}", set.notices);
    assert!(set.notices[0].contains("broken.ttf") && set.notices[0].contains("built-in"));
    // The maps are still drawn, with labels.
    let m = find(&set, "map_coverage_day_care");
    assert!(m.labels.iter().any(|l| l.text == "湓浦社区"));
}

#[test]
fn drawing_is_deterministic() {
    let a = maps("湓浦社区", &Overlays::default());
    let b = maps("湓浦社区", &Overlays::default());
    for (x, y) in a.maps.iter().zip(&b.maps) {
        assert!(x.png == y.png, "{} PNG differs between runs", x.name);
        assert_eq!(x.svg, y.svg);
    }
}

#[test]
fn north_arrow_and_scale_bar_keep_off_proposed_sites() {
    // Draw once to see where the furniture goes, then propose a site under each box: the
    // boxes move to the other corner, so no proposed site and no facility is covered.
    let first = maps("湓浦社区", &Overlays::default());
    let m = find(&first, "map_coverage_day_care");
    assert_eq!(m.furniture.len(), 2, "north arrow and scale bar");
    let frame = m.frames[0];
    let new_sites: Vec<_> = m
        .furniture
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let centre = ((r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2);
            (
                FacilityKind::DayCare,
                format!("UNDER-{i}"),
                Point(frame.lonlat(centre)),
            )
        })
        .collect();
    let overlays = Overlays {
        new_sites: new_sites.clone(),
        ..Overlays::default()
    };
    let set = maps("湓浦社区", &overlays);
    let study = study("湓浦社区");
    let m = find(&set, "map_sites_day_care");
    assert_eq!(m.furniture.len(), 4, "two boxes per panel");
    for (p, frame) in m.frames.iter().enumerate() {
        let boxes = &m.furniture[2 * p..2 * p + 2];
        let points = new_sites
            .iter()
            .map(|(_, _, pt)| pt.0)
            .chain(study.layers.facilities.iter().map(|f| f.location.0));
        for c in points {
            let at = frame.pixel(c);
            for r in boxes {
                assert!(!r.contains(at), "panel {p}: {c:?} at {at:?} under {r:?}");
            }
        }
    }
}
