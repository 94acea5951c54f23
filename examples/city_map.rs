//! Draws the city-scale coverage map once and reports the time and sizes:
//! `cargo run --release --example city_map [OUT_DIR]`.

use std::time::Instant;

use carecircle::coverage::audit;
use carecircle::model::FacilityKind;
use carecircle::render::{coverage_map, Overlays, RenderOptions};
use carecircle::synthetic::{city, CityParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let city = city(CityParams::audit_benchmark());
    let study = carecircle::bench_support::study(&city);
    let result = audit(&study);
    let opts = RenderOptions {
        attribution: "synthetic city".into(),
        ..RenderOptions::default()
    };
    let t = Instant::now();
    let set = coverage_map(
        &study,
        &result,
        FacilityKind::DayCare,
        &Overlays::default(),
        &opts,
    )?;
    let m = &set.maps[0];
    println!(
        "city map: {:.2} s, PNG {} bytes, SVG {} bytes, {} labels",
        t.elapsed().as_secs_f64(),
        m.png.len(),
        m.svg.len(),
        m.labels.len()
    );
    if let Some(dir) = std::env::args().nth(1) {
        std::fs::write(std::path::Path::new(&dir).join("city_map.png"), &m.png)?;
    }
    Ok(())
}
