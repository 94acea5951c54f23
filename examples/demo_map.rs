//! Renders the demo district's day-care coverage map to docs/demo_map_day_care.png (the
//! picture in the README): `cargo run --release --example demo_map`.

use std::path::Path;

use carecircle::coverage::audit;
use carecircle::render::{demo_overlays, demo_render_options, draw_maps};
use carecircle::study::Study;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let scenario = carecircle::demo::write_demo_data(dir.path())?;
    let study = Study::load(&scenario)?;
    let result = audit(&study);
    let mut opts = demo_render_options();
    opts.progress = false;
    let maps = draw_maps(&study, &result, &demo_overlays(), &opts)?;
    for n in &maps.notices {
        eprintln!("note: {n}");
    }
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    std::fs::create_dir_all(&docs)?;
    let out_dir = std::env::args().nth(1);
    for m in &maps.maps {
        if let Some(d) = &out_dir {
            std::fs::write(Path::new(d).join(format!("{}.png", m.name)), &m.png)?;
            std::fs::write(Path::new(d).join(format!("{}.svg", m.name)), &m.svg)?;
        }
        if m.name == "map_coverage_day_care" {
            let path = docs.join("demo_map_day_care.png");
            std::fs::write(&path, &m.png)?;
            println!("wrote {} ({} bytes)", path.display(), m.png.len());
        }
    }
    Ok(())
}
